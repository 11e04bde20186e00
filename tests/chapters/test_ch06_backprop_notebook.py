"""Chapter 06's listing of the whole engine ("The whole engine on one screen") is text in a
markdown cell, not a code cell: these tests run it, and keep it the engine the notebook built."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from course_utils import autograd, backprop

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "06_backprop.ipynb"
HEADING = "The whole engine on one screen"
# the lines that make up the engine's rules and bookkeeping; each must be the notebook's own
RULE_LINES = ("out = Value(", "self.grad +=", "other.grad +=", "e = ", "t = ", "s = ",
              "def _backward", "self.data =", "self.grad =", "self._prev", "self._op",
              "self._backward", "self.label", "order, visited", "node, inputs_done", "stack.",
              "visited.add", "order.append", "for node in reversed", "node._backward",
              "return x if isinstance")


def cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text())["cells"]


def listing() -> str:
    [text] = ["".join(c["source"]) for c in cells()
              if c["cell_type"] == "markdown" and HEADING in "".join(c["source"])]
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    return code


@pytest.fixture(scope="module")
def engine() -> dict:
    namespace: dict = {}
    exec(listing(), namespace)  # noqa: S102 - the notebook's own listing
    return namespace


def test_every_rule_line_is_one_the_notebook_runs():
    code_lines = {line.strip() for c in cells() if c["cell_type"] == "code"
                  for line in "".join(c["source"]).splitlines()}
    checked = [line.strip() for line in listing().splitlines()
               if line.strip().startswith(RULE_LINES)]
    assert len(checked) > 40
    missing = [line for line in checked if line not in code_lines]
    assert not missing, f"lines of the listing that no code cell has: {missing}"


@pytest.mark.parametrize("seed", range(30))
def test_the_listing_agrees_with_the_course_engine(engine, seed):
    f = backprop.random_expression(seed, n_inputs=3, n_steps=12)
    xs = np.random.default_rng(seed).uniform(-2, 2, 3).tolist()
    results = []
    for value_class in (engine["Value"], autograd.Value):
        inputs = [value_class(x) for x in xs]
        out = f(*inputs)
        out.backward()
        results.append([out.data] + [v.grad for v in inputs])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-12)


def test_the_listing_handles_a_value_used_twice_and_a_deep_chain(engine):
    Value = engine["Value"]
    a, b = Value(2.0), Value(-3.0)
    (a * b + a).backward()
    assert a.grad == -2.0
    x = Value(0.5)
    deep = x
    for _ in range(10_000):
        deep = deep * 1.0001
    deep.backward()  # no recursion, so no RecursionError
    assert x.grad == pytest.approx(1.0001 ** 10_000, rel=1e-9)
    assert (1 / Value(4.0)).data == 0.25 and (-Value(3.0)).data == -3.0
    assert Value(0.0).sigmoid().data == 0.5 and math.isclose(Value(1.0).exp().log().data, 1.0)
