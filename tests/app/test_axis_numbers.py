"""The numbers on every plot's axes are the values themselves: no axis keeps a scale it worked out once
(pyqtgraph's automatic SI prefix, turned off after an axis had its first range, 0 to 1, left the
Influence map's steps 1 to 10 written as 1000 to 10000). Driven as a user: typing, tabs, F11."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from rnnviz.app.views.influence_view import InfluenceView

from .drive import open_window, press, tab, type_sequence


def shown_ticks(axis: pg.AxisItem) -> list[float]:
    """The numbers the axis writes at its ticks, read back as numbers."""
    lo, hi = sorted(axis.range)
    out = []
    for spacing, values in axis.tickValues(lo, hi, axis.width() if axis.orientation in ("top", "bottom") else axis.height()):
        for s in axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing):
            try:
                out.append(float(s.replace("−", "-")))
            except ValueError:
                pass
    return out


def all_axes(w):
    for view in w.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                yield item


def test_the_influence_map_numbers_its_steps_1_to_T_and_no_axis_keeps_a_scale(qtbot):
    w = open_window(qtbot, (1280, 720))
    type_sequence(qtbot, w, "hello world")                    # T = 10
    view = w.findChild(InfluenceView)
    bar = w.tabs.tabBar()                                     # click the Influence tab
    i = w.tabs.indexOf(view)
    if not bar.tabRect(i).isValid() or not bar.rect().contains(bar.tabRect(i).center()):
        tab(w, view)                                          # (scrolled out of the bar: as its arrows would)
    else:
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    assert w.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    qtbot.wait(50)
    for side in ("bottom", "left"):
        ticks = shown_ticks(view.plot.getAxis(side))
        assert ticks and all(0 <= v <= 11 for v in ticks), (side, ticks)
    press(qtbot, w, "F11")                                     # restyled: still the steps themselves
    try:
        qtbot.wait(100)
        assert all(0 <= v <= 11 for v in shown_ticks(view.plot.getAxis("bottom")))
    finally:
        press(qtbot, w, "F11")              # (presentation mode is a setting the next windows would open in)
        qtbot.wait(50)
    scaled = [(type(a.parentItem()).__name__, a.orientation, a.autoSIPrefixScale)
              for a in all_axes(w) if a.autoSIPrefixScale != 1.0 or a.labelUnitPrefix]
    assert not scaled


def test_a_one_direction_influence_map_takes_the_whole_width(qtbot):
    """The backward direction's column is not kept empty beside a one-direction map (it filled only the
    left half, the rest blank up to the colour bar); a bidirectional model shows both maps side by side."""
    w = open_window(qtbot, (1280, 720))
    type_sequence(qtbot, w, "hello world")
    view = w.findChild(InfluenceView)
    tab(w, view)
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    qtbot.wait(50)
    whole = view.canvas.width()
    assert view.plot.vb.width() > 0.6 * whole
    w.input_dock.raise_()
    qtbot.mouseClick(w.model_panel.bidirectional, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.log_maps) == 2, timeout=5000)
    qtbot.wait(50)
    assert view.plots[1].isVisible() and 0.25 * whole < view.plot.vb.width() < 0.5 * whole
    qtbot.mouseClick(w.model_panel.bidirectional, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(view.log_maps) == 1, timeout=5000)
    qtbot.wait(50)
    assert view.plot.vb.width() > 0.6 * whole


def test_the_reached_shading_names_itself_once_it_can_hold_the_word(qtbot):
    """At the backward pass's first step the shading is a sliver at the right edge: its word was cut to
    "r" there. It shows once the shading holds it, its whole width inside the plot."""
    from rnnviz.app.views.gradient_view import GradientView

    from .drive import go_backward

    w = open_window(qtbot, (1280, 720))
    type_sequence(qtbot, w, "Roses are red, violets are blue")
    view = w.findChild(GradientView)
    tab(w, view)
    qtbot.wait(50)
    go_backward(qtbot, w, w.state.T)
    qtbot.wait(50)
    assert view.reached.isVisible() and not view.reached_label.isVisible()
    go_backward(qtbot, w, w.state.T // 2)
    qtbot.wait(50)
    label = view.reached_label
    assert label.isVisible()
    box, r = view.plot.vb.sceneBoundingRect(), label.sceneBoundingRect()
    assert box.left() - 1 <= r.left() and r.right() <= box.right() + 1          # not cut at the right edge
