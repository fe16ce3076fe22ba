"""Interleavings a real user produces in the window (second QA pass): every view must paint, and
what the window shows (views, sequence box, status bar, a saved session) must agree with the trace."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from rnnviz.app.main_window import build_window


@pytest.fixture
def window(qtbot, monkeypatch):
    w = build_window("hello world")
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.state.async_threshold = float("inf")
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: errors.append(a[2])))
    w.message_errors = errors
    return w


def _type(qtbot, w, text):
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    w.sequence_panel.commit()


def _background(w):
    w.state.async_threshold = 0.0


def _settle(qtbot, w):
    w.state.wait_idle()
    qtbot.wait(30)


def test_cancel_puts_the_settings_back_to_the_shown_trace(qtbot, window, tmp_path):
    """Cancel during a background compute: the box, the settings and a saved session match the views
    (the session saved the new text with the old weights and could not be opened again)."""
    w, st = window, window.state
    _background(w)
    _type(qtbot, w, "qqqqqqqqqqzzzzzzzzzz")
    assert st.busy
    qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, w)
    assert st.trace.seq.source == "hello world"
    assert st.config.source == "hello world"
    assert w.sequence_panel.edit.toPlainText() == "hello world"
    path = tmp_path / "after_cancel.rnnviz"
    assert w.file_actions._save(path)
    st.async_threshold = float("inf")
    assert w.file_actions.open_session(path), w.message_errors
    assert st.trace.seq.source == "hello world" and w.message_errors == []
    # typing again after the cancel computes the new text
    _type(qtbot, w, "typed again")
    _settle(qtbot, w)
    assert st.trace.seq.source == "typed again" == st.config.source


def test_cancel_a_hidden_size_change_restores_the_spin_box(qtbot, window):
    w, st = window, window.state
    _background(w)
    w.model_panel.hidden.setValue(40)
    assert st.busy
    w.cancel_button.click()
    _settle(qtbot, w)
    assert st.trace.n_a == st.config.hidden == w.model_panel.hidden.value() == 16


def test_invalid_input_typed_during_a_background_compute_keeps_its_message(qtbot, window):
    """The finished job's trace shows (the last valid input), but the box still holds the invalid
    text: its message must stay (it was cleared when the job finished)."""
    w, st = window, window.state
    _background(w)
    _type(qtbot, w, "valid text here")
    assert st.busy
    _type(qtbot, w, "a")
    assert st.input_error
    _settle(qtbot, w)
    assert st.trace.seq.source == "valid text here"
    assert st.input_error and w.sequence_panel.error_label.isVisibleTo(w)
    assert w.sequence_panel.info_label.text().startswith("Still showing the last valid input")


def test_norm_clipping_scales_finite_gradients_whose_norm_overflows(qtbot, window):
    """ReLU at ρ = 3: every gradient entry is finite (~1e265) but the sum of squares overflows; norm
    clipping with a tiny θ must still scale them to ‖g‖ = θ (it said 'global ‖g‖ inf → inf, unchanged')."""
    import numpy as np

    from rnnviz.app.bptt_install import install_bptt_views  # noqa: F401 - the controls are installed
    from rnnviz.app.panels.bptt_controls import BPTTControls

    w, st = window, window.state
    _type(qtbot, w, "0.5 " * 300)
    w.model_panel.activation.setCurrentIndex(w.model_panel.activation.findData("relu"))
    w.model_panel.radius_spin.setValue(3.0)
    grads = st.trace.grads
    assert all(np.isfinite(g).all() for g in grads.values())
    assert max(float(np.abs(g).max()) for g in grads.values()) > 1e160  # squares overflow
    ctl = w.findChild(BPTTControls)
    ctl.clip_mode.setCurrentIndex(ctl.clip_mode.findData("norm"))
    ctl.threshold.setValue(1e-4)
    clip = st.clip
    assert clip.clipped and np.isfinite(clip.norm_before) and clip.norm_before > 1e160
    assert clip.norm_after == pytest.approx(1e-4)
    assert all(np.isfinite(g).all() for g in clip.grads.values())
    gradients = next(v for v in w.figure_views() if v.figure_name == "gradients")
    assert "(clipped)" in gradients.verdict_label.text()


def test_export_all_figures_while_the_backward_pass_plays(qtbot, window, tmp_path, monkeypatch):
    """The export's progress dialog lets events run: playback must not move the cursor between two
    figures (they showed different steps), and a finished export reports success."""
    from PySide6.QtWidgets import QFileDialog

    w, st = window, window.state
    _type(qtbot, w, "a longer sentence, so that the backward pass takes a while to play")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "figs"))
    st.set_speed(30)
    st.start_backward()
    qtbot.waitUntil(lambda: st.position > st.T + 1)
    at = (st.t, st.phase)
    moves = []
    st.step_changed.connect(lambda t, ph: moves.append((t, ph)))
    assert w.file_actions.export_all_figures()
    assert moves == [] and (st.t, st.phase) == at
    assert {"graph.png", "hidden_states.svg", "gradients.csv"} <= {p.name for p in (tmp_path / "figs").iterdir()}


def test_gradients_tab_draws_finite_gradients_whose_squares_overflow(qtbot, window):
    """ReLU at ρ = 3: dL/da<t> is finite everywhere (~1e263) but its squared norm overflowed, so the
    Gradients tab left gaps (inf) where every value is a number."""
    import numpy as np

    w, st = window, window.state
    _type(qtbot, w, "0.5 " * 300)
    w.model_panel.activation.setCurrentIndex(w.model_panel.activation.findData("relu"))
    w.model_panel.radius_spin.setValue(3.0)
    tr = st.trace
    assert np.isfinite(tr.da).all() and np.abs(tr.da).max() > 1e200
    norms = tr.da_norm
    assert np.isfinite(norms).all()
    i = int(np.argmax(np.abs(tr.da[:, 0, :]).max(axis=0)))
    assert norms[i] == pytest.approx(np.linalg.norm(tr.da[:, 0, i] / 1e200) * 1e200)
    assert np.isfinite(tr.da_last_norm).all()
