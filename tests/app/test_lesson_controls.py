"""The controls a lesson page puts in its panel are replaced when the page turns, and the page can turn
from one of them (its button fulfils the page's condition, PageDown while it has the focus): the old
widgets go later, never inside their own event handler."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt

from rnnviz.app.lessons.controls import PageControls
from tests.app.drive import open_window


def test_controls_replaced_from_their_own_click_are_deleted_later(qtbot):
    w = open_window(qtbot)
    controls = w.findChildren(PageControls)[0]
    controls.set_controls(("train", "radius"))
    button, slider = controls.widgets["train"], controls.widgets["radius"]
    button.clicked.connect(lambda: controls.set_controls(("radius",)))     # the page turns on the click
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert shiboken6.isValid(button) and not button.isVisible()           # alive through its own click
    assert set(controls.widgets) == {"radius", "radius_value"} and controls.widgets["radius"] is not slider
    qtbot.waitUntil(lambda: not shiboken6.isValid(button) and not shiboken6.isValid(slider), timeout=3000)
    w.state.training.pause()
