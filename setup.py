"""Build hook: the wheel carries the shipped artefacts of ``data/`` inside the package.

Everything else about the package is in ``pyproject.toml``. The shipped checkpoint stays at
``data/checkpoints/`` in the checkout (with the data it was trained from, see data/README.md);
a wheel (``pip install`` of the repository, or of a built wheel, as on Colab) has no checkout
around it, so the build copies each file in :data:`SHIPPED` to the place inside the package
where :func:`course_utils.gpt.pretrained_path` looks for it. An editable install
(``pip install -e .``, what ``make`` does) needs no copy: the checkout is right there.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: file in the checkout -> where it goes inside the installed package
SHIPPED = {
    "data/checkpoints/shakespeare_char.pt": "course_utils/gpt/checkpoints/shakespeare_char.pt",
}


class BuildPyWithShippedData(build_py):
    """``build_py`` that also copies :data:`SHIPPED` into the build (not in editable mode)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, target in SHIPPED.items():
            if not Path(source).is_file():
                raise FileNotFoundError(f"{source} is missing: the wheel must carry it "
                                        f"(see data/README.md for how it is made)")
            destination = Path(self.build_lib) / target
            self.mkpath(str(destination.parent))
            self.copy_file(source, str(destination))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = [] if getattr(self, "editable_mode", False) else [
            str(Path(self.build_lib) / target) for target in SHIPPED.values()]
        return [*super().get_outputs(include_bytecode), *extra]


setup(cmdclass={"build_py": BuildPyWithShippedData})
