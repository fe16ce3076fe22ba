"""The detailed level of the unrolled graph: every column in view (pixmaps from cache.py on screen), each
with its highlight, its slice of the selection band, the cells' frames, the edges into its nodes and
the nodes, each handed to its role's painter (painters.py) or, where a checked file's values differ
from ours, to student_paint.py; and the one font and precision per row that every node of it uses.

A cell of more than one row (GRU, LSTM) gets a light frame per step, so the belt, the gates and the
state read as one box. Pixel space as in item.py.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from rnnviz.app.views.graph import edges, outputs, student_paint
from rnnviz.app.views.graph.columns import CONTEXT, INIT
from rnnviz.app.views.graph.frame import Frame
from rnnviz.app.views.graph.painters import PAINTERS, node_px, state_parts
from rnnviz.app.views.graph.text import RowFormat


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
            cache.draw(painter, fr, t, opacity, fkey, paint_column)
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
        if not fr.has_node(row.key, t):
            continue
        own = PAINTERS[row.role]
        if not (fr.student is not None and student_paint.paint_node(painter, fr, row, t, own)):
            own(painter, fr, row, t, node_px(fr, row.key, t))


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
    else:   # one size for the ŷ row's letters, the x row's where they fit
        out["y_label"] = outputs.label_font(fr, painter, node_px(fr, "y", ts[0]), ts)
    return out
