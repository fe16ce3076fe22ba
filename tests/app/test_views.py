"""The hidden-state heatmap, output, loss and equation views, driven as a user would."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from rnnviz.app.state import BACKWARD, AppState, Config
from rnnviz.app.views.equation_view import EquationView
from rnnviz.app.views.heatmap_view import HiddenHeatmapView
from rnnviz.app.views.loss_view import LossView
from rnnviz.app.views.output_view import OutputView

PLOTS = (HiddenHeatmapView, OutputView, LossView)
SINE = "0 0.383 0.707 0.924 1 0.924 0.707 0.383 0 -0.383 -0.707 -0.924 -1"


def make(qtbot, cls, **config):
    state = AppState(Config(**config))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = cls(state)
    qtbot.addWidget(view)
    view.resize(1100, 420)
    view.show()
    qtbot.waitExposed(view)
    return state, view


def click_step(qtbot, view, t: int, y: float) -> None:
    """Left-click the plot at data coordinates (step t 0-based shown at x = t+1, y)."""
    scene = view.plot.vb.mapViewToScene(QPointF(t + 1, y))
    pos = view.canvas.mapFromScene(scene)
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_heatmap_image_is_units_by_time(qtbot):
    state, view = make(qtbot, HiddenHeatmapView, source="hello world", hidden=12)
    assert view.image.image.shape == (12, 10) == (state.trace.n_a, state.T)
    np.testing.assert_allclose(view.image.image, state.trace.a[:, 0, :])
    state.update_config(hidden=5)
    assert view.image.image.shape == (5, 10)


@pytest.mark.parametrize("cls", PLOTS)
def test_stepping_moves_the_cursor(qtbot, cls):
    state, view = make(qtbot, cls, source="hello world")
    state.step_to(0)
    assert view.cursor_step() == 0
    state.step_forward()
    state.step_forward()
    assert view.cursor_step() == 2
    assert view.veil.isVisible()                 # steps 4.. not reached yet
    state.step_to(6, BACKWARD)
    assert view.cursor_step() == 6
    assert not view.veil.isVisible()             # backward: the whole forward pass is known


def test_clicking_a_heatmap_column_moves_the_cursor(qtbot):
    state, view = make(qtbot, HiddenHeatmapView, source="hello world")
    state.step_to(0)
    click_step(qtbot, view, 6, 3.0)
    assert state.t == 6
    assert view.cursor_step() == 6


def test_clicking_a_loss_bar_moves_the_cursor(qtbot):
    state, view = make(qtbot, LossView, source="hello world")
    click_step(qtbot, view, 3, float(state.trace.loss[3]) / 2)
    assert state.t == 3
    assert "L⟨4⟩ = " in view.plot.titleLabel.text


def test_loss_title_shows_the_value_at_the_cursor(qtbot):
    state, view = make(qtbot, LossView, source="hello world")
    state.step_to(4)
    L = state.trace.loss
    title = view.plot.titleLabel.text
    assert f"L⟨5⟩ = {L[4]:.3g}" in title
    assert f"Σ up to 5 = {L[:5].sum():.3g}" in title
    assert f"L = {state.trace.total_loss:.3g}" in title


def test_nonfinite_losses_are_marked_bars(qtbot):
    state, view = make(qtbot, LossView, source="hello world " * 30, radius=20.0, activation="relu", hidden=64)
    bad = ~np.isfinite(state.trace.loss)
    assert bad.any()                             # this network does overflow
    assert len(view.bad_bars.opts["x"]) == bad.sum()
    state.go_end()
    assert "NaN" in view.plot.titleLabel.text or "∞" in view.plot.titleLabel.text


def test_output_view_marks_the_targets(qtbot):
    state, view = make(qtbot, OutputView, source="hello world")
    seq = state.trace.seq
    assert view.image.image.shape == (len(seq.vocab), state.T)
    assert view.target_points() == [(t, int(seq.target_index[0, t])) for t in range(state.T)]
    assert view.targets.isVisible() and not view.pred_curve.isVisible()


def test_many_to_one_marks_only_the_last_target(qtbot):
    state, view = make(qtbot, OutputView, source="hello world", architecture="many-to-one")
    k = int(state.trace.seq.target_index[0, -1])
    assert view.target_points() == [(state.T - 1, k)]
    assert "only step 10 is scored" in view.plot.titleLabel.text


def test_numbers_give_prediction_and_target_lines(qtbot):
    state, view = make(qtbot, OutputView, source=SINE, kind="numbers")
    assert view.pred_curve.isVisible() and not view.image.isVisible()
    x, y = view.pred_curve.getData()
    np.testing.assert_allclose(y, state.trace.y_hat[0, 0, :])
    _, yt = view.target_curve.getData()
    np.testing.assert_allclose(yt, state.trace.y[0, 0, :])
    names = [label.text for _, label in view.legend.items]
    assert names == ["prediction ŷ⟨t⟩", "target y⟨t⟩"]
    state.update_config(source="hello world", kind="auto")   # and back to the heatmap
    assert view.image.isVisible() and not view.legend.isVisible()


def test_bce_shows_probability_of_one_against_labels(qtbot):
    state, view = make(qtbot, OutputView, source="0 0 1 1 0 1 0 0 1", kind="numbers", loss="bce")
    assert "p(ŷ⟨t⟩ = 1)" in view.plot.getAxis("left").labelText
    assert [label.text for _, label in view.legend.items][1] == "label y⟨t⟩ (0 or 1)"


def test_equations_show_the_current_step_and_its_numbers(qtbot):
    state, view = make(qtbot, EquationView, source="hello world", hidden=6)
    state.step_to(4)
    text = view.text()
    assert "step t = 5 of 10" in text
    assert "z⟨5⟩" in text and "a⟨4⟩" in text
    L = float(state.trace.loss[4])
    assert f"= {L:.4g}" in text
    assert f"{state.trace.a[0, 0, 4]:.4g}".replace("-", "−") in text
    state.step_to(3, BACKWARD)
    text = view.text()
    assert "Backward pass" in text and "∂L/∂a⟨4⟩" in text and "dz⟨5⟩" in text
    assert f"{state.trace.dz[0, 0, 3]:.4g}".replace("-", "−") in text


def test_equations_summarise_large_vectors(qtbot):
    state, view = make(qtbot, EquationView, source="hello world", hidden=64)
    text = view.text()
    assert "59 more" in text and "‖·‖" in text


def test_dark_theme_and_presentation_apply(qtbot):
    state, view = make(qtbot, LossView, source="hello world")
    eq = EquationView(state)
    qtbot.addWidget(eq)
    light_bg = view.canvas.backgroundBrush().color().name()
    size = view.plot.getAxis("bottom").style["tickFont"].pointSizeF()
    state.set_view_options(theme="dark", presentation=True)
    # (a view on screen restyles in a turn of its own)
    qtbot.waitUntil(lambda: view.canvas.backgroundBrush().color().name() != light_bg)
    assert view.plot.getAxis("bottom").style["tickFont"].pointSizeF() > size
    assert "#1e2126" in eq.browser.styleSheet()      # DARK.background behind the equations


def test_repainting_a_plot_many_times_does_not_crash(qtbot):
    """PySide6 6.12.0 aborts after ~1000 repaints of Python-overridden paint methods: fail loudly here."""
    state, view = make(qtbot, HiddenHeatmapView, source="hello world")
    for i in range(3000):
        if i % 300 == 0:
            state.step_to(i // 300)
        view.repaint()
    assert view.cursor_step() == 9
