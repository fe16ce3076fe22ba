"""Driving the whole window as a user does, for GUI tests: type into the sequence box, pick from combo
boxes by clicking their popup, type a value into a spin box, press keys on the graph."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from rnnviz.app.main_window import build_window
from rnnviz.app.panels.bptt_controls import BPTTControls


def open_window(qtbot, size=(1600, 1000)):
    """The window as `rnnviz` builds it (every view and panel), computing in the foreground."""
    w = build_window("hello world")
    w.state.async_threshold = float("inf")
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.size_columns()
    return w


def type_sequence(qtbot, w, text: str) -> None:
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: w.state.config.source == text, timeout=5000)
    qtbot.keyClick(edit, Qt.Key.Key_Escape)  # hand the arrow keys back to stepping


def choose(qtbot, combo, data, stays: bool = True) -> None:
    """Click the combo box, then the item whose data is `data` in its popup list (stays=False: don't
    wait for the choice to stay; a cancelled file dialog takes it back)."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=3000)
    # the popup ignores a release that comes sooner than a double click after it opened
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    rect = view.visualRect(combo.model().index(combo.findData(data), 0))
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: (combo.currentData() == data or not stays) and not view.isVisible(), timeout=3000)


def type_number(qtbot, spin, value: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, value)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def side(w, title: str):
    """Raise the side panel whose tab reads `title` (Equations, Backprop through time)."""
    for dock in w._side_docks:
        if dock.windowTitle() == title:
            dock.raise_()
            dock.show()
            return dock
    raise KeyError(title)


def bptt_controls(w) -> BPTTControls:
    side(w, "Backprop through time")
    return w.findChild(BPTTControls)


def tab(w, widget) -> None:
    w.tabs.setCurrentWidget(widget)


def press(qtbot, w, *keys) -> None:
    """Keys pressed with the graph focused (as after Esc in the sequence box)."""
    w.graph.canvas.setFocus()
    for k in keys:
        qtbot.keyClick(w.graph.canvas, getattr(Qt.Key, "Key_" + k))


def go_backward(qtbot, w, step: int) -> None:
    """To step T of the backward pass (End, → from the forward pass; Home in the backward pass), then →
    on back to `step` (1-based)."""
    if w.state.phase == "forward":
        press(qtbot, w, "End", "Right")
    else:
        press(qtbot, w, "Home")
    for _ in range(w.state.T - step):
        press(qtbot, w, "Right")
    assert (w.state.phase, w.state.t + 1) == ("backward", step)


def grab(widget) -> QImage:
    return widget.grab().toImage()


def near(c: QColor, ref: QColor, tol: int = 60) -> bool:
    return abs(c.red() - ref.red()) + abs(c.green() - ref.green()) + abs(c.blue() - ref.blue()) < tol


def count_events(widget, kind):
    """An object whose `n` counts the events of QEvent.Type `kind` that `widget` gets from now on."""
    from PySide6.QtCore import QObject

    class Count(QObject):
        n = 0

        def eventFilter(self, obj, event):
            if event.type() == kind:
                self.n += 1
            return False

    counter = Count(widget)
    widget.installEventFilter(counter)
    return counter
