"""The main window driven as a user would: typing, keys, clicks, the radius, bad input."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from rnnviz.app.main_window import MainWindow
from rnnviz.app.state import BACKWARD, FORWARD, AppState, Config


@pytest.fixture
def window(qtbot):
    state = AppState(Config(source="hello world", hidden=8))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    w = MainWindow(state)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


def type_sequence(qtbot, w, text):
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: w.state.config.source == text, timeout=3000)
    qtbot.keyClick(edit, Qt.Key.Key_Escape)  # hand the arrow keys back to stepping


def test_typing_updates_every_view(window, qtbot):
    type_sequence(qtbot, window, "abcabcabd")
    tr = window.state.trace
    assert tr.T == 8 and tr.n_a == 8
    assert window.heatmap.image.image.shape == (8, 8)        # units x steps
    assert window.graph.step_count() == 8
    assert "T = 8" in window.status_label.text()


def test_right_key_moves_the_cursor_in_every_view(window, qtbot):
    s = window.state
    s.go_start()
    window.graph.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert (s.t, s.phase) == (2, FORWARD)
    assert window.heatmap.cursor_step() == 2
    window.tabs.setCurrentWidget(window.losses)                # a hidden tab shows the step once opened
    assert window.losses.cursor_step() == 2
    assert window.graph.current_step() == 2
    assert "3" in window.playback.step_label.text()
    assert window.playback.timeline.value() == 2
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert s.t == s.T - 1
    qtbot.keyClick(window, Qt.Key.Key_Right)                   # past T: the backward pass
    assert (s.t, s.phase) == (s.T - 1, BACKWARD)
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert (s.t, s.phase) == (s.T - 1, BACKWARD)


def test_arrow_keys_edit_text_while_typing(window, qtbot):
    s = window.state
    before = s.t
    edit = window.sequence_panel.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Left)
    assert s.t == before                                       # the text cursor moved, not the step


def test_clicking_a_heatmap_column_moves_the_cursor(window, qtbot):
    window.tabs.setCurrentWidget(window.heatmap)
    qtbot.wait(50)
    view = window.heatmap
    vb = view.plot.vb
    scene_pt = vb.mapViewToScene(QPointF(4.0, 2.0))             # column of step 4 (1-based)
    widget_pt = view.canvas.mapFromScene(scene_pt)
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=widget_pt)
    assert window.state.t == 3
    assert view.cursor_step() == 3


def test_invalid_input_shows_a_message_and_keeps_the_picture(window, qtbot):
    good = window.state.trace
    image_before = window.heatmap.image.image.copy()
    window.sequence_panel.kind_buttons["numbers"].click()
    label = window.sequence_panel.error_label
    qtbot.waitUntil(label.isVisible, timeout=2000)
    assert "number" in label.text()
    assert window.state.trace is good
    np.testing.assert_array_equal(window.heatmap.image.image, image_before)
    window.sequence_panel.kind_buttons["text"].click()
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=2000)


def test_radius_spin_box_changes_the_trace(window, qtbot):
    spin = window.model_panel.radius_spin
    spin.setValue(1.6)
    qtbot.waitUntil(lambda: abs(window.state.trace.rho - 1.6) < 1e-9, timeout=2000)
    assert "1.6" in window.model_panel.weights_info.text()


def test_space_plays_and_pauses(window, qtbot):
    s = window.state
    s.set_speed(10)  # 2 s for the 20 places: a loaded machine's stall can't reach the end (which pauses)
    s.go_start()
    window.graph.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert s.playing
    qtbot.waitUntil(lambda: s.t >= 2 or not s.playing, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not s.playing


def test_playback_buttons(window, qtbot):
    s = window.state
    qtbot.mouseClick(window.playback.start_button, Qt.MouseButton.LeftButton)
    assert s.t == 0
    qtbot.mouseClick(window.playback.forward_button, Qt.MouseButton.LeftButton)
    assert s.t == 1
    qtbot.mouseClick(window.playback.back_button, Qt.MouseButton.LeftButton)
    assert s.t == 0
    qtbot.mouseClick(window.playback.end_button, Qt.MouseButton.LeftButton)
    assert s.t == s.T - 1


def test_presentation_mode_and_dark_theme(window, qtbot):
    window.presentation_action.trigger()
    assert window.state.view_options.presentation
    window.dark_action.trigger()
    assert window.state.view_options.theme == "dark"
    window.light_action.trigger()
    assert window.state.view_options.theme == "light"


def test_busy_indicator_and_cancel(window, qtbot, monkeypatch):
    import threading
    import time

    import rnnviz.app.state as state_module

    real, released = state_module._run_job, threading.Event()

    def slow(task, config, base):      # a computation that takes as long as the test wants
        while not released.is_set() and not task.should_stop():
            time.sleep(0.005)
        return real(task, config, base)

    monkeypatch.setattr(state_module, "_run_job", slow)
    s = window.state
    first = s.trace
    s.async_threshold = 0.0
    s.update_config(source="hello there, general kenobi")
    assert not window.cancel_button.isVisibleTo(window)      # a short computation never flashes it
    qtbot.waitUntil(lambda: window.cancel_button.isVisibleTo(window), timeout=5000)
    assert window.busy_label.isVisibleTo(window) and s.busy
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.cancel_button.isVisibleTo(window)
    s.wait_idle()
    qtbot.wait(50)
    assert s.trace is first
    # a quick computation (a training run's push, twice a second) never flashes the indicator
    from PySide6.QtCore import QEvent

    from .drive import count_events

    shows = count_events(window.cancel_button, QEvent.Type.Show)
    released.set()
    s.update_config(source="a short one")
    qtbot.waitUntil(lambda: not s.busy and s.trace.seq.source == "a short one", timeout=10000)
    qtbot.wait(400)
    assert shows.n == 0 and not window.cancel_button.isVisibleTo(window)


def test_fits_a_1280_by_720_projector(window, qtbot):
    window.resize(1280, 720)
    qtbot.wait(20)
    assert window.minimumSizeHint().width() <= 1280
    assert window.minimumSizeHint().height() <= 720
    # nothing in the input column is cut off: it is at least as wide as its contents need
    scroll = window.input_dock.widget()
    assert scroll.width() >= scroll.widget().minimumSizeHint().width()


def test_playback_icons_follow_the_theme(window, qtbot):
    before = window.playback.play_button.icon().pixmap(24, 24).toImage()
    window.dark_action.trigger()
    after = window.playback.play_button.icon().pixmap(24, 24).toImage()
    assert before != after                                   # drawn in the theme's text colour
    window.light_action.trigger()


def test_b_starts_the_backward_pass_even_when_no_shortcut_matches(window, qtbot):
    """Some X servers never match one-letter shortcuts; the key press itself still works."""
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    s = window.state
    s.go_end()
    QApplication.sendEvent(window, QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_B, Qt.KeyboardModifier.NoModifier, "b"))
    assert s.phase == BACKWARD and s.playing
    s.pause()


def test_invalid_input_says_the_picture_is_the_last_valid_one(window, qtbot):
    info = window.sequence_panel.info_label
    assert info.text().startswith("Read as text: 10 steps")
    window.sequence_panel.kind_buttons["numbers"].click()
    assert info.text().startswith("Still showing the last valid input, read as text")
    window.sequence_panel.kind_buttons["text"].click()
    assert info.text().startswith("Read as text")


def test_presentation_mode_gives_the_graph_the_input_column(window, qtbot):
    assert window.input_dock.isVisible()
    width = window.graph.width()
    window.presentation_action.trigger()
    qtbot.wait(50)
    assert not window.input_dock.isVisible()
    assert window.graph.width() > width
    window.presentation_action.trigger()
    qtbot.wait(50)
    assert window.input_dock.isVisible()


def test_every_side_panel_can_be_shown_again_from_the_view_menu(window):
    from rnnviz.app.bptt_install import install_bptt_views

    install_bptt_views(window)
    titles = [a.text() for a in window.panels_menu.actions()]
    assert titles == ["Input and model", "Equations", "Backprop through time"]
