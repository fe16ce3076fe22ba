"""The unrolled graph, driven as a user would: keys, clicks, hovering an edge, the backward phase."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from rnnviz.app import colors
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.graph.layout import Geometry
from rnnviz.app.views.graph.spec import build_spec
from rnnviz.core.settings import run_config
from rnnviz.app.views.graph_view import GraphView


def make_view(qtbot, size=(1400, 500), **config):
    state = AppState(Config(**config))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return state, view


def test_graph_has_one_column_of_nodes_per_step(qtbot):
    state, view = make_view(qtbot, source="hello world")
    assert view.step_count() == 10 == state.T
    for t in range(10):
        for kind in ("x", "a", "y", "L"):
            assert view.node_for(kind, t) is not None
    assert view.node_for("a", -1) is not None      # a<0>
    assert view.node_for("x", 10) is None
    assert view.node_for("x", 0).tooltip.startswith("x⟨1⟩ = h")
    assert "a⟨3⟩" in view.node_for("a", 2).tooltip


def test_keys_move_the_highlight_and_dim_later_steps(qtbot):
    state, view = make_view(qtbot, source="hello world")
    qtbot.keyClick(view.canvas, Qt.Key.Key_Home)
    assert view.current_step() == 0 and view.node_for("a", 0).current
    assert view.node_for("a", 5).opacity < 1.0        # not reached yet
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert state.t == 2 and view.current_step() == 2
    assert view.node_for("L", 2).current and not view.node_for("L", 0).current
    assert view.node_for("a", 1).opacity == 1.0 and view.node_for("a", 3).opacity < 1.0


def test_clicking_a_node_moves_the_cursor(qtbot):
    state, view = make_view(qtbot, source="hello world")
    node = view.node_for("y", 6)
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=node.view_pos)
    assert state.t == 6 and view.current_step() == 6


def test_hovering_one_waa_edge_lights_every_waa_edge(qtbot):
    state, view = make_view(qtbot, source="hello world")
    g = view.item.geom
    x0, y0, x1, _ = g.edge_line("Waa", 4)
    pos = view.canvas.mapFromScene((x0 + x1) / 2, y0)
    qtbot.mouseMove(view.canvas.viewport(), pos)
    qtbot.waitUntil(lambda: view.highlighted_edge_kind() == "Waa")
    accent = QColor(colors.palette("light").accent)
    assert all(view.edge_style("Waa", t)[0] == accent for t in range(view.step_count()))
    assert view.edge_style("Wax", 4)[0] != accent
    assert "same matrix at every step" in view.item.toolTip()


def test_backward_phase_colours_follow_the_trace_norms(qtbot):
    state, view = make_view(qtbot, source="hello world", radius=1.1)
    tr = state.trace
    T = tr.T
    state.step_to(T - 1, "forward")
    assert view.node_for("a", T - 1).grad_color is None       # forward: no gradient yet
    state.set_position(T + 3)                                  # backward, reached steps T-1 .. T-4
    assert state.phase == "backward" and view.current_step() == T - 4
    assert view.node_for("a", T - 5).grad_color is None
    lo, hi = colors.log_range(tr.da_norm)
    fracs = []
    for t in range(T - 4, T):
        node = view.node_for("a", t)
        expected = (math.log10(tr.da_norm[t]) - lo) / (hi - lo)
        assert node.grad_fraction == pytest.approx(expected)
        assert node.grad_color == colors.qcolor(colors.magnitude(), expected)
        fracs.append(node.grad_fraction)
    # the larger gradient gets the thicker Waa edge once the pulse has passed it
    state.set_position(T + 5)
    big, small = int(np.argmax(tr.da_norm[T - 4:])) + T - 4, int(np.argmin(tr.da_norm[T - 4:])) + T - 4
    assert view.edge_style("Waa", big)[1] > view.edge_style("Waa", small)[1]
    # what flows back follows config.flow
    state.update_config(flow="last")
    lo, hi = colors.log_range(state.trace.da_last_norm)
    t = T - 2
    expected = (math.log10(state.trace.da_last_norm[t]) - lo) / (hi - lo)
    assert view.node_for("a", t).grad_fraction == pytest.approx(expected)


def test_long_sequences_draw_bands_not_forty_thousand_items(qtbot):
    source = ("the quick brown fox jumps over the lazy dog " * 230)[:10_001]
    state, view = make_view(qtbot, source=source, hidden=8)
    assert view.step_count() == 10_000
    assert view.item_count() < 10
    view.fit_all()
    assert not view.detailed()
    view.set_zoom(150)
    assert view.detailed() and len(view.visible_steps()) < 20
    state.step_to(7000, "forward")              # the graph follows the cursor
    assert 7000 in view.visible_steps()
    img = view.grab().toImage()
    assert not img.isNull()


def test_relu_with_a_huge_radius_marks_the_overflow(qtbot):
    state, view = make_view(qtbot, source="abcdefghij" * 30, activation="relu", radius=100.0, hidden=32)
    bad = state.trace.first_nonfinite
    assert bad is not None
    assert view.node_for("a", bad).bad and not view.node_for("a", bad - 1).bad
    assert f"a⟨{bad + 1}⟩" in view.status_message()


def test_renders_offscreen_for_export_without_being_shown(qtbot):
    state = AppState(Config(source="hello world"))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    qtbot.addWidget(view)
    w = view.figure_widget()
    w.resize(1400, 500)
    view.fit_all()
    img = QImage(1400, 500, QImage.Format.Format_ARGB32)
    img.fill(0)
    p = QPainter(img)
    w.render(p, QPoint(0, 0))
    p.end()
    assert view.canvas.viewport().width() == 1400
    assert view.detailed() and set(view.visible_steps()) == set(range(10))
    # something was drawn across the whole width, not only in a corner
    cols = [img.pixelColor(x, 300) for x in range(0, 1400, 7)]
    assert len({c.name() for c in cols}) > 5
    header, rows = view.figure_csv()
    assert header[0] == "step" and len(rows) == 10 and rows[0][1] == "h"
    assert rows[3][7] == pytest.approx(float(state.trace.da_last_norm[3]))


def test_theme_and_presentation_mode(qtbot):
    state, view = make_view(qtbot, source="hello world")
    small = view.item.style.f
    state.set_view_options(theme="dark", presentation=True)
    qtbot.waitUntil(lambda: view.item.style.f > small)     # (a view on screen restyles in a turn of its own)
    assert view.item.style.bg == QColor(colors.DARK.background)


def test_layout_picks_the_node_under_a_point():
    spec = build_spec(run_config(Config(source="abcdef")))      # T = 5: the notes' four rows
    g = Geometry(spec, col_px=150, height_px=500, font_px=15, top_px=50, bottom_px=60)
    x, y, w, h = g.node_rect("y", 3)
    hit = g.hit(x + w / 2, y + h / 2)
    assert (hit.what, hit.kind, hit.t) == ("node", "y", 3)
    x0, y0, x1, _ = g.edge_line("Waa", 2)
    hit = g.hit((x0 + x1) / 2, y0)
    assert (hit.what, hit.kind, hit.t) == ("edge", "Waa", 2)
    assert list(g.steps_between(1.2, 2.9, pad=0)) == [0, 1]


def test_bce_bits_zoomed_out_draw_a_probability_band(qtbot):
    """Compact bands for a 0/1 series with binary cross-entropy (once a KeyError)."""
    state = AppState(Config(source=" ".join("0110100110010110" * 8), kind="numbers", loss="bce", hidden=8))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.fit_all()
    assert not view.detailed()
    item = view.canvas.item
    assert "p" in item.images             # p(1) per step as a band (its absence once left the row blank)
    assert item.images["p"].width() == state.T
