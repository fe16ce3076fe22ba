"""Issue 13, item 8: after typing into a spin box, Enter (or Esc) gives ← → Home back to stepping."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.app.projector import open_window, settle


@pytest.fixture
def win(qtbot):
    w = open_window(qtbot, 1280, 720)
    w.state.go_start()
    return w


def key(qtbot, w, k):
    """A key goes where the keyboard is: the focused widget, else the window."""
    qtbot.keyClick(QApplication.focusWidget() or w, k)
    settle(qtbot, 10)


def type_into(qtbot, w, box, text):
    box.setFocus()
    qtbot.mouseDClick(box.lineEdit(), Qt.MouseButton.LeftButton)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)


def spin_boxes(w):
    from rnnviz.app.panels.bptt_controls import BPTTControls

    m, b = w.model_panel, w.findChild(BPTTControls)
    b.clip_mode.setCurrentIndex(1)            # the threshold box takes input once clipping is on
    b.compare.click()
    return {"radius": (m.radius_spin, "1.5", lambda s: s.config.radius == 1.5),
            "hidden": (m.hidden, "12", lambda s: s.config.hidden == 12),
            "seed": (m.seed, "7", lambda s: s.config.seed == 7),
            "threshold": (b.threshold, "2.5", lambda s: s.config.clip_threshold == 2.5),
            "compare radius": (b.cmp_radius, "0.7", lambda s: s.compare_config is not None
                               and s.compare_config.radius == 0.7)}


@pytest.mark.parametrize("name", ["radius", "hidden", "seed", "threshold", "compare radius"])
def test_enter_commits_and_the_arrows_step_again(win, qtbot, name):
    box, text, committed = spin_boxes(win)[name]
    type_into(qtbot, win, box, text)
    key(qtbot, win, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: committed(win.state), timeout=3000)
    assert not box.hasFocus()
    t = win.state.t
    key(qtbot, win, Qt.Key.Key_Right)               # edited the text before
    key(qtbot, win, Qt.Key.Key_Right)
    assert win.state.t == t + 2
    key(qtbot, win, Qt.Key.Key_Home)
    assert win.state.t == 0


@pytest.mark.parametrize("name", ["radius", "seed", "threshold"])
def test_esc_gives_the_keys_back_and_keeps_the_value(win, qtbot, name):
    box, text, committed = spin_boxes(win)[name]
    before = box.value()
    type_into(qtbot, win, box, text)
    key(qtbot, win, Qt.Key.Key_Escape)              # only the sequence box handed them back
    settle(qtbot)
    assert not box.hasFocus() and box.value() == before and not committed(win.state)
    key(qtbot, win, Qt.Key.Key_Right)
    assert win.state.t == 1
