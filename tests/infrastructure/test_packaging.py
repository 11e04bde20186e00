"""Packaging stays consistent: pyproject, constraints.txt and environment.yml agree."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PINS = {
    Requirement(line).name.lower().replace("_", "-"): Requirement(line)
    for line in (ROOT / "constraints.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}


def _requirements(group: list[str]) -> list[Requirement]:
    return [Requirement(r) for r in group]


def test_every_dependency_is_pinned_within_its_lower_bound() -> None:
    deps = _requirements(PYPROJECT["project"]["dependencies"])
    deps += _requirements(PYPROJECT["project"]["optional-dependencies"]["dev"])
    for req in deps:
        if req.marker is not None and not req.marker.evaluate():
            continue  # e.g. tomli, only needed on older Pythons
        key = req.name.lower().replace("_", "-")
        assert key in PINS, f"{req.name} is not pinned in constraints.txt"
        [spec] = list(PINS[key].specifier)
        assert spec.operator == "==", f"{req.name} must be pinned exactly"
        assert req.specifier.contains(spec.version), f"pinned {req.name} {spec.version} violates {req}"
        assert any(s.operator == ">=" for s in req.specifier), f"{req.name} needs a lower bound"


def test_environment_yml_installs_the_same_thing() -> None:
    text = (ROOT / "environment.yml").read_text()
    python = re.search(r"-\s*python=(\d+\.\d+)", text)
    assert python, "environment.yml must pin the Python version"
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(Version(python.group(1)))
    assert re.search(r"-\s*-c constraints\.txt", text), "environment.yml must use constraints.txt"
    assert re.search(r"-\s*-e \.\[dev\]", text), "environment.yml must install the course itself"
    assert "name: sigmoid-to-gpt" in text


def test_torch_and_torchvision_are_a_matching_pair() -> None:
    torch_v = Version(next(iter(PINS["torch"].specifier)).version)
    vision_v = Version(next(iter(PINS["torchvision"].specifier)).version)
    assert vision_v.minor == torch_v.minor + 15, "torchvision 0.(N+15) goes with torch 2.N"
