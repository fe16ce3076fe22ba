"""The unrolled graph against small reference images (tests/app/imagecmp.py says how they are made):
the vanilla chain fitted to the window, zoomed in during BPTT, and the zoomed-out bands of a long
text during BPTT. They hold what the graph looked like before it was built from a GraphSpec."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt

from rnnviz.app.export import render_image
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.graph_view import GraphView
from tests.app.imagecmp import assert_image_approved

SIZE = QSize(880, 360)
LONG = ("the quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun. " * 4)[:300]


def graph(qtbot, **config) -> GraphView:
    state = AppState(Config(**config))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    qtbot.addWidget(view)
    view.resize(SIZE)
    view.show()
    qtbot.waitExposed(view)
    view.canvas.setFocus()
    return view


def keys(qtbot, view, *names) -> None:
    for k in names:
        qtbot.keyClick(view.canvas, getattr(Qt.Key, "Key_" + k))


def test_vanilla_graph_fitted(qtbot):
    view = graph(qtbot, source="hello world")
    keys(qtbot, view, "Home", "Right", "Right", "Right")
    assert view.current_step() == 3 and view.detailed()
    assert_image_approved(render_image(view, 1.0, SIZE), "graph_vanilla")


def test_vanilla_graph_zoomed_in_during_bptt(qtbot):
    view = graph(qtbot, source="hello world", radius=1.1)
    view.set_zoom(230.0)
    keys(qtbot, view, "End", "Right", "Right", "Right")      # backward pass, step T-2
    assert view.state.phase == "backward" and view.current_step() == 7
    assert_image_approved(render_image(view, 1.0, SIZE), "graph_zoomed_bptt")


def test_long_text_as_bands_during_bptt(qtbot):
    view = graph(qtbot, source=LONG, hidden=24)
    keys(qtbot, view, "End", "Right")
    for _ in range(120):
        keys(qtbot, view, "Right")
    assert not view.detailed() and view.state.phase == "backward"
    assert_image_approved(render_image(view, 1.0, SIZE), "graph_bands_bptt")


def test_the_comparison_sees_a_changed_picture(qtbot):
    """The tolerance forgives rendering noise, not a different picture: the graph one step further on
    is not the reference."""
    from PySide6.QtGui import QImage

    from tests.app.imagecmp import REFERENCE_DIR, compare, low_res, rgb_array

    view = graph(qtbot, source="hello world")
    keys(qtbot, view, "Home", "Right", "Right", "Right", "Right")
    new = rgb_array(low_res(render_image(view, 1.0, SIZE)))
    ref = rgb_array(QImage(str(REFERENCE_DIR / "graph_vanilla.png")))
    assert compare(new, ref) != ""
    assert compare(ref, ref) == ""
