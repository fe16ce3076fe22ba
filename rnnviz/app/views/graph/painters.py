"""The painters of the detailed graph's nodes, one per role (PAINTERS), and the boxes they share.

state  a⟨t⟩ / c⟨t⟩: the units as a colour strip, the norm below (the gradient's size, coloured, once
       BPTT has reached it); the initial states and the context are nodes of their own columns
gate   the cell's gates as small σ boxes filled to their mean value (c̃ from the middle: −1..1);
       a strip per gate, top to bottom in the legend's order, when the row is short
input  x⟨t⟩; output ŷ⟨t⟩ (outputs.py); loss L⟨t⟩

Each painter takes the Frame, the row, the step and the node's rectangle in pixel space (item.py),
and paints only that: nodes.py walks the columns and the rows and hands every node to its painter.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnviz.app import colors
from rnnviz.app.views.graph import inputs, outputs
from rnnviz.app.views.graph.columns import CONTEXT, INIT
from rnnviz.app.views.graph.frame import Frame
from rnnviz.app.views.graph.spec import GATE_SYMBOL, Role, Row
from rnnviz.app.views.graph.text import ALIGN_C, fit_text

GATE_BOX_EM = 1.2    # a gate row shorter than this many font sizes is a strip per gate, not σ boxes


# ------------------------------------------------------------------------------------------ boxes
def node_px(fr: Frame, key: str, t: int) -> QRectF:
    x, y, w, h = fr.geom.node_rect(key, t)
    P = fr.geom.col_px
    return QRectF(x * P, y, w * P, h)


def contrast(c: QColor) -> QColor:
    """Black or white text, whichever reads on background c."""
    lum = 0.299 * c.redF() + 0.587 * c.greenF() + 0.114 * c.blueF()
    return QColor("#000000") if lum > 0.55 else QColor("#ffffff")


def box(painter: QPainter, rect: QRectF, st, border: QColor, width: float = 1.3, dashed=False) -> None:
    pen = QPen(border, width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(st.panel)
    radius = min(0.35 * st.f, rect.height() / 2)
    painter.drawRoundedRect(rect, radius, radius)


def border(fr: Frame, key: str, t: int) -> tuple[QColor, float]:
    st = fr.style
    h = fr.hover
    if h is not None and h.what == "node" and (h.kind, h.t) == (key, t):
        return st.fg, 2.4
    if t == fr.t:
        return st.accent, 2.6
    return st.muted, 1.3


def badge(painter: QPainter, rect: QRectF, st, text: str) -> None:
    painter.setFont(st.font_small)
    w = painter.fontMetrics().horizontalAdvance(text) + 10
    h = st.f * 1.15
    r = QRectF(rect.right() - w * 0.7, rect.top() - h * 0.6, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.danger)
    painter.drawRoundedRect(r, h / 2, h / 2)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(r, ALIGN_C, text)


# ------------------------------------------------------------------------------------------ states
def state_parts(fr: Frame, row: Row, t: int) -> tuple[QRectF, QRectF, QRectF]:
    """(box, strip of unit colours, the lower part with the norm or the gradient) of a state node.
    A short node has no room for a number: the strip fills it, and once BPTT has reached it the
    lower part is a bar in the gradient's colour, without its number (the tooltip has it)."""
    st = fr.style
    rect = node_px(fr, row.key, t)
    pad = min(0.3 * st.f, rect.height() * 0.12)
    inner = rect.adjusted(pad, pad, -pad, -pad)
    share = 0.46 if row.name == "a" else 0.5
    if inner.height() < 1.6 * st.f:
        if not (0 <= t < fr.T and fr.reached(row, t)):
            return rect, inner, QRectF(inner.left(), inner.bottom(), inner.width(), 0.0)
        share = 0.58
    strip = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * share)
    gap = min(0.12 * st.f, 0.06 * inner.height())
    low = QRectF(inner.left(), strip.bottom() + gap, inner.width(), inner.bottom() - strip.bottom() - gap)
    return rect, strip, low


def grad_fill(fr: Frame, key: str, t: int) -> QColor:
    """Colour of the gradient's size at a state's step t on the shared log scale (danger when not finite)."""
    g = float(fr.data.states[key].grads[fr.data.flow][t])
    if not math.isfinite(g):
        return QColor(fr.style.danger)
    return colors.qcolor(colors.magnitude(), fr.grad_fill_frac(key, t))


def _special_text(fr: Frame, row: Row, t: int) -> list[str]:
    if t == CONTEXT:
        return ["context", "ctx"]
    step = 0 if t == INIT else fr.T + 1
    return [f"{row.name}⟨{step}⟩", "0" if step else f"{row.name}₀"]


def paint_state(painter: QPainter, fr: Frame, row: Row, t: int, rect: QRectF) -> None:
    st, d = fr.style, fr.data
    s = d.states[row.key]
    rect, strip, low = state_parts(fr, row, t)
    color, width = border(fr, row.key, t)
    bad = 0 <= t < fr.T and s.bad_at(t)
    if bad:
        color, width = st.danger, 3.0
    box(painter, rect, st, color, width, dashed=t == CONTEXT)
    index = fr.geom.cols.gap_at if t == CONTEXT else t + 1
    painter.drawImage(strip, fr.images["strip", row.key], QRectF(0, index, len(s.units), 1))
    painter.setPen(QPen(st.grid, 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(strip)
    if low.height() > 0:
        if 0 <= t < fr.T and fr.reached(row, t):
            fill = grad_fill(fr, row.key, t)
            painter.setPen(QPen(st.muted, 1.0))
            painter.setBrush(fill)
            painter.drawRoundedRect(low, min(4.0, low.height() / 2), min(4.0, low.height() / 2))
            painter.setPen(contrast(fill))
            fr.formats["grad", row.key].draw(fr, painter, low.adjusted(2, 0, -2, 0), float(s.grads[d.flow][t]),
                                             ALIGN_C, ("grad" if row.name == "a" else "grad_" + row.name, t))
        elif t < 0 or t >= fr.T:
            painter.setPen(st.muted)
            fit_text(fr, painter, low, _special_text(fr, row, t), [st.font_small, st.font_tiny], ALIGN_C,
                     ("a0" if row.name == "a" else row.name + "0", t))
        else:
            painter.setPen(st.muted)
            fr.formats["norm", row.key].draw(fr, painter, low, float(s.norm[t + 1]), ALIGN_C,
                                             ("norm" if row.name == "a" else "norm_" + row.name, t))
    if bad and t == s.bad_from:
        badge(painter, rect, st, "∞/NaN")
    elif 0 <= t < fr.T and t == _first_bad_grad(fr, row) and fr.reached(row, t):
        badge(painter, rect, st, "∂ ∞/NaN")


def _first_bad_grad(fr: Frame, row: Row) -> int | None:
    tr = fr.data.trace
    if row.name == "a" and (row.layer, row.direction) == (fr.spec.layers - 1, 0):
        return tr.first_nonfinite_grad
    return None


# ------------------------------------------------------------------------------------------ gates
def paint_gates(painter: QPainter, fr: Frame, row: Row, t: int, rect: QRectF) -> None:
    """The cell's gates as small boxes filled to their mean value (thin strips when the row is short)."""
    st = fr.style
    gs = fr.data.gates[row.key]
    n = len(gs.names)
    if rect.height() < GATE_BOX_EM * st.f:     # short: one strip per gate (a box would be all symbol)
        h = rect.height() / n
        for i in range(n):
            painter.drawImage(QRectF(rect.left(), rect.top() + i * h, rect.width(), h),
                              fr.images["gate", row.key, i], QRectF(t, 0, 1, 1))
        return
    gap = max(0.12 * st.f, 2.0)
    w = (rect.width() - gap * (n - 1)) / n
    current = t == fr.t
    for i, g in enumerate(gs.names):
        r = QRectF(rect.left() + i * (w + gap), rect.top(), w, rect.height())
        v = float(gs.mean[i, t])
        painter.setPen(QPen(st.accent if current else st.muted, 1.4 if current else 1.0))
        painter.setBrush(st.panel)
        painter.drawRoundedRect(r, 3, 3)
        fill = QColor(*[int(c) for c in gs.rgba[i, t]])
        inner = r.adjusted(1.5, 1.5, -1.5, -1.5)
        label = QRectF(inner.left(), inner.top(), inner.width(), min(1.05 * st.f, inner.height()))
        part = None
        if math.isfinite(v):
            if gs.signed[i]:                  # c̃: up or down from the middle
                mid = inner.center().y()
                hh = inner.height() / 2 * min(abs(v), 1.0)
                part = QRectF(inner.left(), mid - hh if v > 0 else mid, inner.width(), hh)
            else:
                hh = inner.height() * min(max(v, 0.0), 1.0)
                part = QRectF(inner.left(), inner.bottom() - hh, inner.width(), hh)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRect(part)
        # the symbol at the top, in a colour that reads on what is behind it
        under = part is not None and part.top() < label.center().y() < part.bottom()
        painter.setPen(contrast(fill) if under else st.fg)
        sym = GATE_SYMBOL[g]                 # Γf, else f where it is narrow; c̃ has no shorter form
        fit_text(fr, painter, label, [sym, sym[-1]] if sym.startswith("Γ") else [sym], symbol_fonts(st, g), ALIGN_C,
                 ("gate_" + g, t))


def symbol_fonts(st, g: str) -> list:
    """The fonts a gate's symbol is tried in, largest first (c̃ in faces that draw its tilde over the c)."""
    return [st.tilde_small, st.tilde_tiny] if "\u0303" in GATE_SYMBOL[g] else [st.font_small, st.font_tiny]


# ------------------------------------------------------------------------------------------ x, L
def paint_input(painter: QPainter, fr: Frame, row: Row, t: int, rect: QRectF) -> None:
    st, d = fr.style, fr.data
    color, width = border(fr, "x", t)
    fed = bool(d.has_input[t])
    box(painter, rect, st, color, width, dashed=not fed)
    painter.setPen(st.fg if fed else st.muted)
    inner = rect.adjusted(3, 0, -3, 0)
    if d.trace.seq.kind == "text" or not fed:
        fonts = [st.font_big, st.font_bold, st.font_small] if fed else [st.font_bold]
        fit_text(fr, painter, inner, [d.input_text(t)], fonts, ALIGN_C, ("x", t))
    else:
        inputs.paint_number(painter, fr, t, inner)


def paint_output(painter: QPainter, fr: Frame, row: Row, t: int, rect: QRectF) -> None:
    color, width = border(fr, "y", t)
    box(painter, rect, fr.style, color, width)
    outputs.paint_y(painter, fr, t, rect, fr.formats)


def paint_loss(painter: QPainter, fr: Frame, row: Row, t: int, rect: QRectF) -> None:
    st, d = fr.style, fr.data
    color, width = border(fr, "L", t)
    box(painter, rect, st, color, width)
    painter.setPen(st.fg if math.isfinite(float(d.loss[t])) else st.danger)
    fr.formats["L"].draw(fr, painter, rect.adjusted(3, 0, -3, 0), float(d.loss[t]), ALIGN_C, ("L", t))


PAINTERS = {Role.STATE: paint_state, Role.GATE: paint_gates, Role.INPUT: paint_input,
            Role.OUTPUT: paint_output, Role.LOSS: paint_loss}
