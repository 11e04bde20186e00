"""Unit tests of course_utils.autograd: every operation against torch, reuse, depth, bad input."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_utils.autograd import Value, topological_order, zero_grad
from course_utils.backprop import EXPRESSION_STEPS, STEP_NAMES

torch.set_num_threads(1)


def grads_of(f, *xs):
    """f's value and gradients with the course engine."""
    vs = [Value(x) for x in xs]
    out = f(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def torch_grads_of(f, *xs):
    ts = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*ts)
    out.backward()
    return float(out.detach()), [0.0 if t.grad is None else float(t.grad) for t in ts]


# --- each operation, forward and backward, against torch ---------------------------------

UNARY = {
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "neg": lambda a: -a,
    "square": lambda a: a ** 2,
    "cube": lambda a: a ** 3,
    "sqrt": lambda a: a ** 0.5,
    "reciprocal": lambda a: a ** -1,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [0.3, 1.7, 2.5])
def test_unary_ops_match_torch(name, x):
    got, [g] = grads_of(UNARY[name], x)
    want, [w] = torch_grads_of(UNARY[name], x)
    assert got == pytest.approx(want, rel=1e-12)
    assert g == pytest.approx(w, rel=1e-12)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "neg", "square", "cube", "exp"])
@pytest.mark.parametrize("x", [-2.0, -0.4])
def test_unary_ops_on_negative_numbers(name, x):
    got, [g] = grads_of(UNARY[name], x)
    want, [w] = torch_grads_of(UNARY[name], x)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-300)
    assert g == pytest.approx(w, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("x, y", [(1.5, -0.5), (-2.0, 3.0), (0.25, 4.0)])
def test_binary_ops_match_torch(name, x, y):
    got, grads = grads_of(BINARY[name], x, y)
    want, expected = torch_grads_of(BINARY[name], x, y)
    assert got == pytest.approx(want, rel=1e-12)
    assert grads == pytest.approx(expected, rel=1e-12)


def test_hand_computed_derivatives():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + b ** 2  # dc/da = b = -3, dc/db = a + 2b = -4
    c.backward()
    assert (c.data, a.grad, b.grad) == (3.0, -3.0, -4.0)


def test_relu_slope_at_zero_is_zero_like_torch():
    _, [g] = grads_of(lambda a: a.relu(), 0.0)
    _, [w] = torch_grads_of(lambda a: a.relu(), 0.0)
    assert g == w == 0.0


def test_sigmoid_is_stable_far_out():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-40.0).sigmoid().data == pytest.approx(math.exp(-40.0), rel=1e-12)


# --- Python numbers on either side --------------------------------------------------------


@pytest.mark.parametrize("expression, value, slope", [
    (lambda v: 2 * v, 6.0, 2.0),
    (lambda v: v * 2, 6.0, 2.0),
    (lambda v: v + 1, 4.0, 1.0),
    (lambda v: 1 + v, 4.0, 1.0),
    (lambda v: v - 1, 2.0, 1.0),
    (lambda v: 1 - v, -2.0, -1.0),
    (lambda v: v / 2, 1.5, 0.5),
    (lambda v: 1 / v, 1 / 3, -1 / 9),
    (lambda v: 2 ** v, 8.0, 8 * math.log(2)),
    (lambda v: np.float64(2.0) * v, 6.0, 2.0),
    (lambda v: v + np.int64(1), 4.0, 1.0),
    (lambda v: np.float32(0.5) * v, 1.5, 0.5),
])
def test_numbers_on_either_side(expression, value, slope):
    v = Value(3.0)
    out = expression(v)
    assert isinstance(out, Value)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-12)
    assert v.grad == pytest.approx(slope, rel=1e-12)


def test_negation_and_division_are_built_from_times_and_power_as_in_the_notebook():
    a, b = Value(3.0), Value(-2.0)
    negative, quotient = -a, a / b
    assert negative._op == "*" and [c.data for c in negative._prev] == [3.0, -1.0]
    assert quotient._op == "*" and quotient._prev[0] is a
    assert quotient._prev[1]._op == "**-1" and quotient._prev[1]._prev == (b,)
    assert (negative.data, quotient.data) == (-3.0, -1.5)
    assert (1 - a)._op == "-" and (2 * a)._op == "*" and (1 + a)._op == "+"


def test_integers_become_floats():
    v = Value(3)
    assert type(v.data) is float and v.data == 3.0
    assert type((v * 2).data) is float


# --- bad inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad, fragment", [
    ("2", "str"), (None, "NoneType"), (True, "bool"), ([1.0], "list"), (1 + 2j, "complex"),
    (np.array([1.0, 2.0]), "NumPy array of shape (2,)"), (np.array(2.0), "NumPy array of shape ()"),
])
def test_value_of_a_non_number_is_a_clear_type_error(bad, fragment):
    with pytest.raises(TypeError, match="single real number") as info:
        Value(bad)
    assert fragment in str(info.value)


@pytest.mark.parametrize("operation", [
    lambda v, x: v + x, lambda v, x: x + v, lambda v, x: v * x, lambda v, x: x * v,
    lambda v, x: v - x, lambda v, x: x - v, lambda v, x: v / x, lambda v, x: x / v,
])
@pytest.mark.parametrize("bad", ["a", None, np.array([1.0, 2.0, 3.0]), [1, 2]])
def test_operations_with_non_numbers_are_clear_type_errors(operation, bad):
    with pytest.raises(TypeError, match="must be a Value or a single real number"):
        operation(Value(2.0), bad)


def test_array_message_says_what_to_do_instead():
    with pytest.raises(TypeError, match="loop over the elements, or use torch"):
        np.ones(3) * Value(2.0)


def test_torch_tensor_is_refused():
    with pytest.raises(TypeError, match="Tensor of shape"):
        Value(2.0) + torch.tensor([1.0, 2.0])


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_of_a_non_positive_number_explains(x):
    with pytest.raises(ValueError, match="log needs a positive number"):
        Value(x).log()


def test_children_must_be_a_tuple_of_values():
    v = Value(1.0)
    with pytest.raises(TypeError, match="with a comma"):
        Value(2.0, (v), "softplus")
    with pytest.raises(TypeError, match="must hold Values"):
        Value(2.0, (v, 3.0), "+")
    with pytest.raises(TypeError, match="must be a tuple of Values"):
        Value(2.0, 5, "+")
    assert Value(2.0, [v], "f")._prev == (v,)  # a list is fine


def test_power_errors():
    with pytest.raises(TypeError, match="Value \\*\\* Value is not supported"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="exponent of \\*\\*"):
        Value(2.0) ** "2"
    with pytest.raises(ValueError, match="not a real number"):
        Value(-2.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match="negative power"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="positive base"):
        (-2) ** Value(1.0)
    assert (Value(-2.0) ** 3).data == -8.0  # integer powers of negatives are fine


@pytest.mark.parametrize("k", [0.5, 0.25, 1e-3])
def test_power_below_one_at_zero_explains_the_infinite_slope(k):
    a = Value(0.0)
    out = a ** k
    assert out.data == 0.0  # the forward value is fine
    with pytest.raises(ZeroDivisionError, match="infinite") as err:
        out.backward()
    assert f"a ** {k:g} at a = 0" in str(err.value)
    assert "keep its input positive" in str(err.value)


@pytest.mark.parametrize("k, slope", [(0, 0.0), (1, 1.0), (1.5, 0.0), (2, 0.0), (3, 0.0)])
def test_power_at_zero_where_the_slope_exists_matches_torch(k, slope):
    a = Value(0.0)
    (a ** k).backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (t ** k).backward()
    assert a.grad == slope == float(t.grad)


def test_division_by_zero_and_overflow_explain():
    with pytest.raises(ZeroDivisionError, match="a Value that is 0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError):
        1 / Value(0.0)
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(1000.0).exp()


def test_topological_order_needs_a_value():
    with pytest.raises(TypeError, match="needs a Value"):
        topological_order(3.0)


# --- reuse, accumulation, zeroing -----------------------------------------------------------


def test_a_value_used_twice_gets_both_contributions():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a = Value(3.0)
    c = a * a
    c.backward()
    assert a.grad == 6.0


def test_reuse_across_a_bigger_graph_matches_torch():
    def f(a, b):
        c = a * b
        d = c + a
        e = d * c - b
        return (e * a).tanh() + c.sigmoid() * d
    got, grads = grads_of(f, 0.4, -0.7)
    want, expected = torch_grads_of(f, 0.4, -0.7)
    assert got == pytest.approx(want, rel=1e-12)
    assert grads == pytest.approx(expected, rel=1e-12)


def test_gradients_accumulate_until_zeroed():
    a = Value(2.0)
    out = a * 3
    out.backward()
    out.backward()
    assert a.grad == 6.0  # like torch: a second backward adds
    zero_grad(out)
    assert a.grad == 0.0 and out.grad == 0.0
    out.backward()
    assert a.grad == 3.0


def test_topological_order_puts_inputs_first_and_lists_each_node_once():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert len(order) == len({id(n) for n in order}) == 5
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is e


def test_constants_get_gradients_too():
    v = Value(3.0)
    out = v * 2
    out.backward()
    constant = next(c for c in out._prev if c is not v)
    assert constant.data == 2.0 and constant.grad == 3.0


# --- deep graphs: no recursion anywhere ------------------------------------------------------


def test_chain_of_ten_thousand_nodes():
    x = Value(0.5)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert len(topological_order(y)) == 20_001  # 10,000 products and their constants
    assert x.grad == pytest.approx(1.0001 ** 10_000, rel=1e-9)


def test_deep_chain_works_even_with_a_tiny_recursion_limit():
    limit = sys.getrecursionlimit()
    x = Value(0.1)
    y = x
    for _ in range(10_000):
        y = (y + 0.001).tanh()
    try:
        sys.setrecursionlimit(100)
        y.backward()
        zero_grad(y)
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    t = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    u = t
    for _ in range(10_000):
        u = torch.tanh(u + 0.001)
    u.backward()
    assert y.data == pytest.approx(float(u.detach()), rel=1e-12)
    assert x.grad == pytest.approx(float(t.grad), rel=1e-9)


def test_deep_graph_with_reuse_at_every_level():
    x = Value(0.3)
    y = x
    for _ in range(5_000):
        y = y * 0.5 + y.tanh() * 0.5  # y used twice at every level
    y.backward()
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    u = t
    for _ in range(5_000):
        u = u * 0.5 + torch.tanh(u) * 0.5
    u.backward()
    assert x.grad == pytest.approx(float(t.grad), rel=1e-9)


# --- property test: random expressions against torch in float64 ---------------------------

programs = st.lists(st.tuples(st.sampled_from(STEP_NAMES), st.integers(0, 10_000),
                              st.integers(0, 10_000)), min_size=1, max_size=25)
inputs = st.lists(st.floats(-2.5, 2.5, allow_nan=False), min_size=1, max_size=4)


def run_program(program, xs):
    results = list(xs)
    for name, i, j in program:
        results.append(EXPRESSION_STEPS[name](results[i % len(results)], results[j % len(results)]))
    return results[-1] + results[max(0, len(results) - 3)] * 0.5  # reuses a node as well


@settings(max_examples=150, deadline=None)
@given(programs, inputs)
def test_random_expressions_match_torch(program, xs):
    t_inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    t_out = run_program(program, t_inputs)
    assume(torch.isfinite(t_out) and abs(float(t_out.detach())) < 1e12)
    t_out.backward()
    expected = [0.0 if t.grad is None else float(t.grad) for t in t_inputs]
    assume(all(math.isfinite(g) and abs(g) < 1e12 for g in expected))
    v_inputs = [Value(x) for x in xs]
    v_out = run_program(program, v_inputs)
    v_out.backward()
    assert v_out.data == pytest.approx(float(t_out.detach()), rel=1e-9, abs=1e-9)
    for v, g in zip(v_inputs, expected, strict=True):
        assert v.grad == pytest.approx(g, rel=1e-7, abs=1e-9)


def test_every_step_is_used_by_the_property_test():
    assert set(STEP_NAMES) == set(EXPRESSION_STEPS)
    ops = set()
    for name in STEP_NAMES:
        out = EXPRESSION_STEPS[name](Value(0.7), Value(-0.4))
        ops |= {n._op for n in topological_order(out)}
    assert {"+", "-", "*", "exp", "log", "tanh", "sigmoid", "relu", "**2", "**1.5",
            "**-1"} <= ops
