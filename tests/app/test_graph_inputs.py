"""The x⟨t⟩ row of an input of several numbers (the notes' batch: n_x = 3), driven through the
window: the notes' button, the arrow keys, zooming with − / +. Each node writes every number of
x⟨t⟩ in a strip of cells in the diverging colours (or none, when they cannot all fit), its tooltip
has the vector, the legend names the cells' range, and zoomed out the row is a heatmap of them."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from rnnviz.app import colors, numfmt
from tests.app.drive import open_window, press, type_sequence
from tests.app.test_batch_window import notes_batch
from tests.app.test_check_graph import drawn

import pytest


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    yield w
    w.student_check.shutdown()


def value(text: str) -> float:
    s = text.replace(numfmt.MINUS, "-")
    return float("0" + s if s.startswith(".") else "-0" + s[1:] if s.startswith("-.") else s)


def x_texts(w, t: int) -> list[str]:
    return [text for k, s, _r, text, _w in drawn(w) if (k, s) == ("x", t)]


def test_every_number_of_the_input_is_written_in_its_node(qtbot, window):
    w = window
    notes_batch(qtbot, w)
    x = w.state.trace.x[:, 0, :]
    assert x.shape == (3, 4)
    for t in range(4):
        texts = x_texts(w, t)
        assert len(texts) == 3, texts                                # all three, never the first alone
        for text, v in zip(texts, x[:, t]):
            assert value(text) == pytest.approx(float(v), abs=0.1 * max(1.0, abs(float(v))))   # 2 digits, or 1
        press(qtbot, w, "Right")
    tip = w.graph.node_for("x", 0).tooltip
    assert tip.startswith("x⟨1⟩ = [") and all(f"{float(v):.3g}" in tip for v in x[:, 0])
    assert "x⟨t⟩ inputs" in [n for n in legend_labels(w)]


def legend_labels(w) -> list[str]:
    from rnnviz.app.views.graph.overlay import _legend_items

    return [e[1] for e in _legend_items(w.graph.item.frame(), False)]


def test_a_narrow_node_writes_none_of_them_rather_than_some(qtbot, window):
    w = window
    notes_batch(qtbot, w)
    while w.graph.zoom() * 0.8 >= 47:                                 # the narrowest detailed columns
        press(qtbot, w, "Minus")
    assert w.graph.detailed()
    assert x_texts(w, 0) == []                                       # three cells of ~10 px: no number fits
    tip = w.graph.node_for("x", 0).tooltip
    assert all(f"{float(v):.3g}" in tip for v in w.state.trace.x[:, 0, 0])     # the tooltip has them


def test_zoomed_out_the_row_is_a_heatmap_of_the_numbers(qtbot, window):
    w = window
    notes_batch(qtbot, w)
    for _ in range(20):
        if not w.graph.detailed():
            break
        press(qtbot, w, "Minus")
    assert not w.graph.detailed()
    g = w.graph.item.geom
    top, bottom = g.row_band("x")
    h = bottom - top
    img = w.graph.canvas.viewport().grab().toImage()
    x = w.state.trace.x[:, 0, 0]
    lim = colors.signed_limit(w.state.trace.x[:, 0, :])
    vx = int(w.graph.canvas.mapFromScene(g.cx(0), top).x())
    for k in range(3):                                               # unit k's third of the band
        y = int(top + 0.15 * h + 0.7 * h * (k + 0.5) / 3)
        want = colors.qcolor(colors.diverging(), (float(x[k]) / lim + 1) / 2)
        got = img.pixelColor(vx, y)
        assert max(abs(got.red() - want.red()), abs(got.green() - want.green()), abs(got.blue() - want.blue())) < 24, \
            (k, got.name(), want.name())


def test_a_single_number_input_still_writes_its_number(qtbot, window):
    w = window
    type_sequence(qtbot, w, "0.5 1 1.5 2 2.5 3")
    qtbot.waitUntil(lambda: w.state.trace.seq.kind == "numbers", timeout=5000)
    assert w.state.trace.n_x == 1 and w.graph.item.bands.x_vector is None
    assert x_texts(w, 0) == ["0.5"]
