"""Quitting never loses work (issue 13, item 18): the autosave is the last valid state on screen
(settings and the weights computed with them), and what the user had entered but not seen yet (an
invalid text, a computation still running) comes back as it was at the next start."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from rnnviz.app.file_actions import restore_last_session
from rnnviz.app.main_window import build_window
from rnnviz.io import paths
from rnnviz.io.session import load_session


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    return paths.settings_dir()


def _window(qtbot, text=None):
    w = build_window(text)
    qtbot.addWidget(w)
    w.state.async_threshold = float("inf")
    return w


def _type(qtbot, w, text):
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: w.state.config.source == text, timeout=3000)  # the debounce sends it


def _start(qtbot):
    w = _window(qtbot)
    assert restore_last_session(w)
    return w


@pytest.mark.parametrize("invalid", ["", "h"])
def test_quitting_with_an_invalid_entry_saves_the_last_valid_state_and_the_entry(qtbot, home, invalid):
    older = _window(qtbot, "an older session")
    older.close()
    w = _window(qtbot)
    _type(qtbot, w, "my lecture text")
    w.state.step_to(4)
    _type(qtbot, w, invalid)
    assert w.state.input_error and w.state.trace.seq.source == "my lecture text"
    w.close()  # the autosave was skipped, so the next start brought back "an older session"
    s = load_session(paths.last_session_path())
    assert s.settings["source"] == "my lecture text" and s.draft["source"] == invalid
    back = _start(qtbot)
    assert back.state.trace.seq.source == "my lecture text" and back.state.t == 4
    assert back.sequence_panel.edit.toPlainText() == invalid      # what was typed is still there...
    assert back.sequence_panel.error_label.isVisibleTo(back)      # ...with its message
    assert "last valid" in back.sequence_panel.info_label.text()
    _type(qtbot, back, "fixed")                                   # and typing goes on from there
    assert back.state.trace.seq.source == "fixed" and not back.state.input_error


def test_quitting_during_a_recomputation_saves_settings_and_weights_that_belong_together(qtbot, home):
    w = _window(qtbot)
    w.state.async_threshold = 0.0  # everything in the background, as hidden 2048 is
    spin = w.model_panel.hidden
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "40")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert w.state.busy and w.state.config.hidden == 40 and w.state.trace.n_a == 16
    w.close()  # saved hidden 40 with the 16-unit weights before
    s = load_session(paths.last_session_path())
    assert s.settings["hidden"] == 16 and s.params["Waa"].shape == (16, 16)
    assert s.draft["hidden"] == 40
    back = _start(qtbot)  # the trace that was on screen, then the computation the user had asked for
    assert back.state.trace.n_a == 40 and back.model_panel.hidden.value() == 40


def test_a_running_computation_restarts_in_the_background_and_cancel_goes_back(qtbot, home, monkeypatch):
    import rnnviz.app.state as state_module

    run_job = state_module._run_job

    def slow_for_24(task, config, base):  # hidden 24 computes until cancelled (as hidden 2048 nearly does)
        while config.hidden == 24 and not task.should_stop():
            time.sleep(0.01)
        return run_job(task, config, base)

    monkeypatch.setattr(state_module, "_run_job", slow_for_24)
    w = _window(qtbot)
    _type(qtbot, w, "my lecture text")
    w.state.async_threshold = 0.0
    w.state.update_config(hidden=24)  # a state test step: the quit comes while this computes
    w.close()
    back = build_window()
    qtbot.addWidget(back)
    back.state.async_threshold = 0.0
    assert restore_last_session(back)  # returns at once: nothing waits for the background
    assert back.state.busy and back.state.trace.seq.source == "hello world"
    # the saved trace arrives first, then the draft computes
    qtbot.waitUntil(lambda: back.state.trace.seq.source == "my lecture text", timeout=30000)
    assert back.state.busy and back.state.config.hidden == 24
    qtbot.mouseClick(back.cancel_button, Qt.MouseButton.LeftButton)
    assert back.state.config.hidden == 16 == back.state.trace.n_a == back.model_panel.hidden.value()
    assert back.state.trace.seq.source == "my lecture text"


def test_a_restored_draft_s_message_replaces_the_status_summary(qtbot, home):
    """At start the draft's message went to the status bar before the window showed, and was drawn
    over the summary (T = ... n_a = ...) instead of replacing it for a while."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.app.main_window import open_window

    w = _window(qtbot)
    _type(qtbot, w, "h")
    w.close()
    back = open_window(QApplication.instance())
    qtbot.addWidget(back)
    assert back.statusBar().currentMessage().startswith("Input: the text has one character")
    assert not back.status_label.isVisible()
