"""Chapter 08's demos, pictures and widget: the numbers behind them, the drawings, the controls
and a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour, shown

from course_utils import rnn
from course_utils.widgets import ch08_rnn

# --- why not a dense network ---------------------------------------------------------------------


def test_dense_parameter_counts_grow_with_the_window_and_the_rnn_does_not():
    rows = ch08_rnn.dense_parameter_counts([1, 8, 100], vocab_size=65, hidden_size=128)
    assert [r["dense"] for r in rows] == [65 * 128 + 128, 8 * 65 * 128 + 128, 100 * 65 * 128 + 128]
    assert {r["rnn"] for r in rows} == {65 * 128 + 128 * 128 + 128}
    with pytest.raises(ValueError, match="at least 1"):
        ch08_rnn.dense_parameter_counts([0], 65, 128)
    with pytest.raises(ValueError, match="hidden_size"):
        ch08_rnn.dense_parameter_counts([4], 65, 0)


def test_the_rnn_count_matches_torch():
    model = rnn.CharRNN(65, 128)
    rnn_weights = sum(p.numel() for p in model.rnn.parameters()) - 128  # torch keeps 2 biases
    assert ch08_rnn.dense_parameter_counts([5], 65, 128)[0]["rnn"] == rnn_weights


# --- the widget's numbers --------------------------------------------------------------------------


def test_gradient_norms_vanish_below_scale_one_and_explode_above():
    small = ch08_rnn.gradient_norms_through_time(0.5, "tanh")
    big = ch08_rnn.gradient_norms_through_time(2.5, "linear")
    assert small.shape == big.shape == (ch08_rnn.WIDGET_STEPS,)
    assert small[-1] == pytest.approx(1.0) and big[-1] == pytest.approx(1.0)
    assert small[0] < 1e-10 < 1e10 < big[0]
    assert np.all(np.diff(small) > 0)  # shrinking all the way back


def test_stretch_factors_describe_the_widget_matrix():
    f1, f2 = ch08_rnn.stretch_factors(1.0), ch08_rnn.stretch_factors(2.0)
    assert 0.8 < f1["long_run"] < 1.3 < 1.5 < f1["largest"] < 2.5  # long run ≈ scale, one step ≈ 2×
    assert f2["long_run"] == pytest.approx(2 * f1["long_run"])  # linear in the scale
    norms = ch08_rnn.gradient_norms_through_time(1.0, "linear")
    per_step = (norms[0] / norms[-1]) ** (1 / (len(norms) - 1))
    assert per_step == pytest.approx(f1["long_run"], rel=0.15)  # the long-run factor is what shows
    with pytest.raises(ValueError, match="hidden_size"):
        ch08_rnn.stretch_factors(1.0, hidden_size=0)


def test_gradient_norms_equal_autograd_of_the_same_network():
    torch = pytest.importorskip("torch")
    scale, n, steps = 1.3, ch08_rnn.WIDGET_HIDDEN, 12
    norms = ch08_rnn.gradient_norms_through_time(scale, "tanh", steps=steps)
    params = rnn.init_rnn_params(n, n, seed=0, scale=scale)
    rng = np.random.default_rng(1)
    xs, direction = rng.normal(0.0, 1.0, (steps, n)), rng.normal(0.0, 1.0, n)
    p = {k: torch.from_numpy(v) for k, v in params.items()}
    h, kept = torch.zeros(n, dtype=torch.float64, requires_grad=True), []
    for x in torch.from_numpy(xs):
        h = torch.tanh(x @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])
        h.retain_grad()
        kept.append(h)
    (torch.from_numpy(direction / np.linalg.norm(direction)) * kept[-1]).sum().backward()
    want = [k.grad.norm().item() for k in kept]
    np.testing.assert_allclose(norms, want, rtol=1e-10)


@pytest.mark.parametrize("args, error, message", [
    ((-1.0,), ValueError, "scale must be ≥ 0"),
    (("big",), TypeError, "single number"),
    ((1.0, "sigmoid"), ValueError, "activation must be one of"),
    ((1.0, "tanh", 1), ValueError, "at least 2"),
])
def test_gradient_norms_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        ch08_rnn.gradient_norms_through_time(*args)


# --- the pictures ----------------------------------------------------------------------------------


def test_draw_unrolled_has_one_cell_per_step():
    fig = ch08_rnn.draw_unrolled(3, "abc")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"h0", "h1", "h2"} <= set(texts) and "h3" not in texts
    assert sum(t == "W_hh" for t in texts) == 2  # between the cells, the same matrix


def test_draw_gradient_norms_uses_a_log_scale_and_names_the_settings():
    fig = ch08_rnn.draw_gradient_norms(1.5, "relu", 20)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert "relu" in ax.get_title() and "1.50" in ax.get_title()
    assert len(ax.lines[0].get_xdata()) == 20


def test_draw_memory_table_and_its_errors():
    fig = ch08_rnn.draw_memory_table([5, 10], {"RNN": [1.0, 0.3], "LSTM": [1.0, 1.0]})
    assert isinstance(fig, Figure)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["RNN", "LSTM"]
    with pytest.raises(ValueError, match="one accuracy per k"):
        ch08_rnn.draw_memory_table([5, 10], {"RNN": [1.0]})


def test_draw_lstm_gates_one_row_per_gate():
    params = rnn.init_lstm_params(3, 2)
    gates = rnn.lstm_gates(np.eye(3), np.zeros((3, 2)), params)
    fig = ch08_rnn.draw_lstm_gates(gates, ["a", "b", "c"], unit=1)
    assert fig.axes[0].images[0].get_array().shape == (4, 3)


# --- the widget ------------------------------------------------------------------------------------


def _controls(box: widgets.Box) -> dict[str, widgets.ValueWidget]:
    return {c.description: c for c in box.children[:-1]}


def test_widget_has_three_controls_and_an_output():
    box = ch08_rnn.gradient_norm_widget()
    controls = _controls(box)
    assert list(controls) == ["W_hh scale", "activation", "time steps"]
    assert controls["activation"].options == ("tanh", "relu", "linear")
    assert isinstance(box.children[-1], widgets.Output)
    assert shown(box.children[-1])


@pytest.mark.parametrize("name, value", [("W_hh scale", 2.0), ("activation", "linear"),
                                         ("time steps", 30)])
def test_every_control_changes_the_picture(name, value):
    box = ch08_rnn.gradient_norm_widget()
    control = _controls(box)[name]
    start = control.value
    assert picture_changes(box, control, value), f"moving {name!r} did not change the picture"
    control.value = start
    assert same_picture_after_a_detour(box, control, value)


def test_every_setting_draws_without_error():
    box = ch08_rnn.gradient_norm_widget()
    controls = _controls(box)
    for activation in ("tanh", "relu", "linear"):
        controls["activation"].value = activation
        for scale in (0.0, 3.0):
            controls["W_hh scale"].value = scale
            shown(box.children[-1])
