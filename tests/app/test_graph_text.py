"""Numbers in the graph fit their boxes and say the value (no '‖a‖=3', no 'ŷ138', no clipped
'7.1e-4'), and a long sequence keeps what each row means: x⟨t⟩ stays readable, L⟨t⟩ is on the Losses
tab's scale. Driven as a user: typing, clicking, the graph's zoom keys."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

from rnnviz.app import colors, numfmt
from rnnviz.app.views.loss_view import LossView
from tests.app.drive import choose, grab, near, open_window, press, tab, type_number, type_sequence

EXPLODING = "quick brown fox jumps over the lazy dog and keeps on running away"   # 65 characters


@pytest.fixture
def window(qtbot):
    return open_window(qtbot)


def zoom_out_to(qtbot, w, min_px: float) -> None:
    """Press − on the graph while a step stays at least `min_px` wide."""
    while w.graph.zoom() * 0.8 >= min_px:
        press(qtbot, w, "Minus")


def drawn(w) -> list[tuple]:
    """(kind, step, box, text, width) of every text the graph draws in one paint of its viewport."""
    item = w.graph.item
    item.drawn = []
    w.graph.canvas.viewport().grab()
    out, item.drawn = item.drawn, None
    return out


def box_px(w, kind: str, t: int) -> QRectF:
    """A node's box in viewport pixels."""
    return w.graph.canvas.mapFromScene(w.graph.node_for(kind, t).scene_rect).boundingRect()


def ink_at_edges(img, box: QRectF, ink: QColor) -> int:
    """Text-coloured pixels in the 2-pixel strips just inside the left and right border of a box:
    a clipped number runs into them, a number that fits leaves them blank."""
    n = 0
    for x in list(range(int(box.left()) + 2, int(box.left()) + 4)) + list(range(int(box.right()) - 3, int(box.right()) - 1)):
        for y in range(int(box.top()) + 3, int(box.bottom()) - 2):
            n += near(img.pixelColor(x, y), ink)
    return n


def test_numbers_fit_the_graph_boxes_at_every_zoom(window, qtbot):
    """'abababababab', ReLU, ρ = 1.5 has a loss of 5.3e-5 at step 7: in a narrow L box it was clipped."""
    w, st = window, window.state
    type_sequence(qtbot, w, "abababababab")
    choose(qtbot, w.model_panel.activation, "relu")
    type_number(qtbot, w.model_panel.radius_spin, "1.5")
    qtbot.waitUntil(lambda: st.trace.activation == "relu" and st.config.radius == 1.5, timeout=5000)
    assert 1e-5 < st.trace.loss[6] < 1e-4
    fg = QColor(colors.LIGHT.foreground)
    press(qtbot, w, "Plus", "Plus", "Plus", "Plus")
    zooms = []
    for _ in range(16):
        press(qtbot, w, "End")         # every step reached (none dimmed); step 7's box has a plain border
        if not w.graph.detailed():
            break
        zooms.append(w.graph.zoom())
        img = grab(w.graph.canvas.viewport())
        for t in w.graph.visible_steps():
            if t == st.T - 1 or box_px(w, "L", t).left() < 60 or box_px(w, "L", t).right() > img.width() - 2:
                continue
            assert ink_at_edges(img, box_px(w, "L", t), fg) == 0, (w.graph.zoom(), t)
        for kind, t, box, text, width in drawn(w):
            assert width <= box.width() + 0.01, (kind, t, text)
            if kind in ("L", "norm", "grad"):
                v = {"L": st.trace.loss[t], "norm": w.graph.item.data.main.norm[t + 1],
                     "grad": w.graph.item.data.grad(t) if t >= 0 else np.nan}[kind]
                number = text.split("=")[-1]
                assert number in numfmt.forms(v, 3), (kind, t, text, v)   # the value, only shorter
        w.graph.canvas.zoom_by(0.9)   # (the − key zooms by 0.8; smaller steps see more box widths)
    assert len(zooms) > 5 and min(zooms) < 60, zooms


def test_series_values_are_written_beside_their_names(window, qtbot):
    """Sine wave (MSE): each ŷ node reads 'ŷ' then its value; the value never slides under the name."""
    w, st = window, window.state
    qtbot.mouseClick(next(b for b in w.sequence_panel.example_buttons if b.text() == "Sine wave"),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: st.trace.seq.kind == "numbers", timeout=5000)
    seen = 0
    press(qtbot, w, *["Plus"] * 7)
    for _ in range(12):
        if not w.graph.detailed():
            break
        rows = drawn(w)
        by_step = {}
        for kind, t, box, text, width in rows:
            if kind in ("yŷ", "yy"):
                by_step.setdefault((kind, t), []).append((box, text, width))
        for (kind, t), items in by_step.items():
            v = float(st.trace.y_hat[0, 0, t] if kind == "yŷ" else st.trace.y[0, 0, t])
            values = [(b, s) for b, s, _ in items if s not in ("ŷ", "y")]
            names = [(b, s, wd) for b, s, wd in items if s in ("ŷ", "y")]
            assert len(values) == 1 and values[0][1] in numfmt.forms(v, 3), (kind, t, items)
            if names:   # the value's box starts right of the name
                b, _, wd = names[0]
                assert values[0][0].left() >= b.left() + wd
            seen += 1
        w.graph.canvas.zoom_by(0.9)
    assert seen > 40


def test_a_long_text_keeps_its_characters_and_the_loss_scale(window, qtbot):
    w, st = window, window.state
    type_sequence(qtbot, w, EXPLODING)
    choose(qtbot, w.model_panel.activation, "relu")
    type_number(qtbot, w.model_panel.radius_spin, "2.5")
    qtbot.waitUntil(lambda: st.trace.activation == "relu" and st.config.radius == 2.5, timeout=5000)
    press(qtbot, w, "F", "End")                   # fit: 64 steps as bands; every step reached
    assert not w.graph.detailed() and st.T == 64
    # x⟨t⟩: every character written, none skipped, none a dot
    xs = {t: text for kind, t, _, text, _ in drawn(w) if kind == "x"}
    assert xs == {t: st.trace.seq.input_label(t) for t in range(st.T)}
    # L⟨t⟩: the Losses tab's log scale, so the small losses are bars too (linear, 5 steps showed)
    losses = w.findChild(LossView)
    tab(w, losses)                                # (a hidden tab redraws when it is shown)
    assert losses._log and w.graph.item.bands.loss_log
    img = grab(w.graph.canvas.viewport())
    g = w.graph.item.geom
    top, bottom = g.row_band("L")
    muted = QColor(colors.LIGHT.muted)
    bars = 0
    for t in range(st.T):
        x = int(w.graph.canvas.mapFromScene(g.cx(t), 0).x())
        col = [img.pixelColor(x, y) for y in range(int(top), int(bottom))]
        bars += sum(near(c, muted, 40) for c in col) > 2
    positive = int(np.sum(st.trace.loss > 0))
    assert bars >= positive - 2     # (linear, 5 bars showed)


def test_step_numbers_are_whole_or_not_drawn(window, qtbot):
    """2000 steps fitted: '1' half under the row names read as 'l', '1155' as '155', '2000' was cut at
    the right edge; every step number drawn now lies wholly right of the row names and inside the view."""
    from rnnviz.app.views.graph.overlay import gutter_px

    w, st = window, window.state
    type_sequence(qtbot, w, ("the quick brown fox jumps over the lazy dog, then naps. " * 40)[:2001])
    for keys in (("F",), ("Plus",) * 9, ("Minus",) * 3):
        press(qtbot, w, *keys)
        for pos in ("Home", "End"):
            press(qtbot, w, pos)
            vp = w.graph.canvas.viewport()
            left = gutter_px(w.graph.item.style.f)
            labels = [(text, box) for kind, t, box, text, _ in drawn(w) if kind == "axis"]
            assert len(labels) >= 3
            for text, box in labels:
                a = w.graph.canvas.mapFromScene(box.left() / w.graph.zoom(), 0).x()
                b = w.graph.canvas.mapFromScene(box.right() / w.graph.zoom(), 0).x()
                assert left - 2 <= a and b <= vp.width() + 2, (text, a, b, w.graph.zoom())
