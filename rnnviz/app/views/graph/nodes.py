"""The detailed level of the unrolled graph: a labelled node per row and step, painted by role.

state  a⟨t⟩ / c⟨t⟩: the units as a colour strip, the norm below (the gradient's size, coloured, once
       BPTT has reached it); the initial states and the context are nodes of their own columns
gate   the cell's gates as small σ boxes filled to their mean value (c̃ from the middle: −1..1);
       thin strips when the row is short
input  x⟨t⟩; output ŷ⟨t⟩ (outputs.py); loss L⟨t⟩

A cell of more than one row (GRU, LSTM) gets a light frame per step, so the belt, the gates and the
state read as one box. Painters take the Frame and what they paint; pixel space as in item.py.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnviz.app import colors
from rnnviz.app.views.graph import edges, inputs, outputs, student_paint
from rnnviz.app.views.graph.columns import CONTEXT, INIT
from rnnviz.app.views.graph.frame import Frame
from rnnviz.app.views.graph.spec import GATE_SYMBOL, Role, Row
from rnnviz.app.views.graph.text import ALIGN_C, RowFormat, fit_text


def node_px(fr: Frame, key: str, t: int) -> QRectF:
    x, y, w, h = fr.geom.node_rect(key, t)
    P = fr.geom.col_px
    return QRectF(x * P, y, w * P, h)


def contrast(c: QColor) -> QColor:
    """Black or white text, whichever reads on background c."""
    lum = 0.299 * c.redF() + 0.587 * c.greenF() + 0.114 * c.blueF()
    return QColor("#000000") if lum > 0.55 else QColor("#ffffff")


def specials_in_view(fr: Frame, steps: range) -> list[int]:
    """The initial-state and context columns next to the steps in view."""
    out = []
    if steps and steps.start == 0:
        out.append(INIT)
    gap = fr.geom.cols.gap_at
    if gap is not None and steps and steps.start <= gap <= steps.stop:
        out.append(CONTEXT)
    if fr.geom.cols.right_init and steps and steps.stop >= fr.T:
        out.append(fr.T)
    return out


def paint_detailed(painter: QPainter, fr: Frame, steps: range, cache=None) -> None:
    """Every column in view, then the pulse on top. With a ColumnCache (on screen) each column is a
    pixmap drawn again only when what it shows changed; exports and recordings paint it live."""
    ts = list(steps)
    fr.formats = row_formats(painter, fr, ts, keep=cache is not None)
    columns = sorted(specials_in_view(fr, steps) + ts, key=fr.geom.node_x)
    fkey = cache.formats_key(fr.formats) if cache is not None else None
    for t in columns:
        opacity = fr.opacity_of(t)
        if cache is not None:
            cache.draw(painter, fr, t, opacity, fkey)
        else:
            painter.setOpacity(opacity)
            paint_column(painter, fr, t)
    painter.setOpacity(1.0)
    if cache is not None:
        cache.keep(columns)
    if fr.backward:
        edges.paint_partial_pulses(painter, fr, steps)
        edges.paint_pulses(painter, fr, steps)


def paint_column(painter: QPainter, fr: Frame, t: int) -> None:
    """One column: its highlight, its slice of the selection band, the cells' frames, the edges into
    its nodes, and the nodes (t: a step, or INIT / CONTEXT / T for the special columns)."""
    g, st = fr.geom, fr.style
    P = g.col_px
    step = 0 <= t < fr.T
    if step:
        top, bottom = g.top_px, g.height_px - g.bottom_px
        hover_t = fr.hover.t if fr.hover is not None else fr.hover_t
        painter.setPen(Qt.PenStyle.NoPen)
        for tt, brush in ((hover_t, st.hover_soft), (fr.t, st.accent_soft)):
            if tt == t:
                painter.setBrush(brush)
                painter.drawRoundedRect(QRectF((g.cx(t) - 0.5) * P + 2, top, P - 4, bottom - top), 8, 8)
    _paint_selection(painter, fr, t)
    if step:
        _paint_cells(painter, fr, t)
    if step or t == CONTEXT:
        edges.paint_edges(painter, fr, t)
    for row in fr.spec.rows:   # a checked file's values beside ours (student_paint.py), else the row's own painter
        if fr.has_node(row.key, t) and not (fr.student is not None and student_paint.paint_node(painter, fr, row, t)):
            PAINTERS[row.role](painter, fr, row, t, node_px(fr, row.key, t))


def _paint_selection(painter: QPainter, fr: Frame, t: int) -> None:
    """A faint band behind the selected layer-direction's rows (when there is more than one)."""
    if fr.selection is None:
        return
    g = fr.geom
    rows = fr.spec.block_rows(fr.selection)
    if not rows:
        return
    top, bottom = g.block_span(rows[0].key)
    pad = 0.3 * fr.style.f
    x = g.node_x(t)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fr.style.select_soft)
    painter.drawRect(QRectF((x - 0.5) * g.col_px, top - pad, g.col_px, bottom - top + 2 * pad))


def _paint_cells(painter: QPainter, fr: Frame, t: int) -> None:
    """A light box around the step's cells when a cell has several rows (the belt, the gates, a)."""
    g, st = fr.geom, fr.style
    pad = 0.25 * st.f
    painter.setPen(QPen(st.grid, 1.0))
    painter.setBrush(st.cell)
    for b in fr.spec.blocks:
        rows = fr.spec.block_rows(b)
        if len(rows) < 2:
            continue
        top, bottom = g.block_span(rows[0].key)
        r = node_px(fr, rows[-1].key, t)
        painter.drawRoundedRect(QRectF(r.left() - pad, top - pad, r.width() + 2 * pad, bottom - top + 2 * pad),
                                0.5 * st.f, 0.5 * st.f)


def row_formats(painter: QPainter, fr: Frame, ts: list[int], keep: bool = False) -> dict:
    """How the numbers of each row are written for the steps in view: one font and precision per row,
    the best that fits every box of the row (the boxes of a row are all as wide). On screen (keep) the
    choice is kept while neither the steps in view, the zoom, the style nor the rows BPTT has reached
    change; exports measure again in their own device's fonts."""
    if not keep:
        return _row_formats(painter, fr, ts)
    fronts = ()
    if fr.backward:   # a row's reached steps are those past its front, in its own sense
        fronts = tuple(math.ceil(fr.front(r) - 1e-9) if r.direction == 0 else math.floor(fr.front(r) + 1e-9)
                       for r in fr.spec.state_rows)
    key = (fr.geom._key(), fr.style, fr.data.flow, ts[0] if ts else None, len(ts), fr.backward, fronts)
    memo = fr.memo.get("row_formats")
    if memo is not None and memo[0] == key:
        return dict(memo[1])
    out = _row_formats(painter, fr, ts)
    fr.memo["row_formats"] = (key, out)
    return dict(out)


def _row_formats(painter: QPainter, fr: Frame, ts: list[int]) -> dict:
    st, d = fr.style, fr.data
    big = [st.font_bold, st.font_small, st.font_tiny]
    small = [st.font_small, st.font_tiny]
    out = {}
    if not ts:
        return out
    out_steps = [t for t in ts if d.has_output[t]]
    out["L"] = RowFormat(painter, big, d.loss[out_steps], node_px(fr, "L", ts[0]).width() - 6)
    for row in fr.spec.state_rows:
        s = d.states[row.key]
        _, _, low = state_parts(fr, row, ts[0])
        reached = [s.grads[d.flow][t] for t in ts if fr.reached(row, t)]
        sym = d.grad_symbol_of(row.name) + "="
        out["grad", row.key] = RowFormat(painter, small, reached, low.width() - 4, sym)
        out["norm", row.key] = RowFormat(painter, small, s.norm[[t + 1 for t in ts]], low.width(), f"‖{row.name}‖=")
    if d.trace.seq.kind != "text":
        out["x"] = RowFormat(painter, big, d.trace.x[0, 0, ts], node_px(fr, "x", ts[0]).width() - 6)
    if d.mode != "classes":
        inner_w = node_px(fr, "y", ts[0]).width() - 0.7 * st.f
        out.update(outputs.value_formats(fr, painter, inner_w, ts))
    return out


# ------------------------------------------------------------------------------------------ boxes
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
    if rect.height() < 0.9 * st.f:             # zoomed out vertically: one thin strip per gate
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
        fit_text(fr, painter, label, [GATE_SYMBOL[g], GATE_SYMBOL[g][-1]], [st.font_small, st.font_tiny], ALIGN_C,
                 ("gate_" + g, t))


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
