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
