"""Issue 13, items 1, 5, 6: the window at 1280 x 720 (a projector) and in presentation mode (F11),
driven by the keys and menus a teacher uses: every column keeps its width across F11 and Reset
layout, the current tab can fill the window, and no text a user needs is cut off."""
import pytest
from PySide6.QtCore import Qt

from tests.app.projector import column_widths, open_window, press, settle


@pytest.fixture
def win(qtbot):
    return open_window(qtbot, 1280, 720)


def test_f11_twice_gives_back_the_same_columns(win, qtbot):
    before = column_widths(win)
    split = win.splitter.sizes()
    press(qtbot, win, Qt.Key.Key_F11)
    assert win.state.view_options.presentation and not win.input_dock.isVisible()
    press(qtbot, win, Qt.Key.Key_F11)
    assert not win.state.view_options.presentation
    assert column_widths(win) == before          # the input column was ~64 px wider
    assert win.splitter.sizes() == split
    assert win.width() == 1280


def test_reset_layout_sizes_the_columns_as_at_start(win, qtbot):
    before = column_widths(win)
    win.resizeDocks([win.input_dock, win._side_docks[0]], [420, 470], Qt.Orientation.Horizontal)
    settle(qtbot)
    press(qtbot, win, Qt.Key.Key_F11)
    press(qtbot, win, Qt.Key.Key_F11)
    assert column_widths(win) != before
    reset = next(a for a in win.view_menu.actions() if a.text() == "Reset layout")
    reset.trigger()
    settle(qtbot)
    assert column_widths(win) == before          # it restored widths saved before they were sized
    assert win._side_docks[0].width() <= 400


def test_reset_layout_in_presentation_mode_keeps_the_graph_wide(win, qtbot):
    press(qtbot, win, Qt.Key.Key_F11)
    wide = win.graph.width()
    win.reset_layout()
    settle(qtbot)
    assert not win.input_dock.isVisible() and win.graph.width() == wide
    press(qtbot, win, Qt.Key.Key_F11)
    assert win.input_dock.isVisible() and win.width() == 1280


def test_export_all_writes_no_compare_figure_when_compare_is_off(win, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "off"))
    win.file_actions.actions["export_all"].trigger()
    names = {p.name for p in (tmp_path / "off").iterdir()}
    assert "gradients.png" in names and not {n for n in names if n.startswith("compare")}
    # compare mode on (the user ticks the box): now there is something to compare
    from rnnviz.app.panels.bptt_controls import BPTTControls

    win.findChild(BPTTControls).compare.click()
    qtbot.waitUntil(lambda: win.state.compare_trace is not None, timeout=3000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "on"))
    win.file_actions.actions["export_all"].trigger()
    names = {p.name for p in (tmp_path / "on").iterdir()}
    assert {"compare.png", "compare.csv"} <= names
