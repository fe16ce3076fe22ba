"""The edges of the detailed graph and the BPTT pulse on them, drawn from the spec's Edge list.

Recurrent edges run along a row (to the right forward, to the left for a backward direction), the
LSTM's cell state is a thick belt with no matrix on it, edges up a column join a block's top to the
next block's bottom (round the blocks in between), the previous target feeds the next input as a
dashed line. In the backward pass the edges the gradient has crossed turn the pulse colour, as wide
as the gradient is large, the pulse travels along each row in its own sense and down the column
between layers. Everything is drawn in pixel space (x_px = scene x * col_px, y in pixels).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from rnnviz.app.views.graph.columns import CONTEXT
from rnnviz.app.views.graph.frame import Frame
from rnnviz.app.views.graph.spec import Edge, EdgeKind, Role
from rnnviz.app.views.graph.text import ALIGN_C, ALIGN_L, fit_text


def arrow(painter: QPainter, pts: list[QPointF], color: QColor, width: float, dashed: bool = False,
          head: bool = True) -> None:
    """A polyline ending in an arrow head."""
    pen = QPen(color, width, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap,
               Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    a, b = pts[-2], pts[-1]
    dx, dy = b.x() - a.x(), b.y() - a.y()
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    size = 5.0 + 1.6 * width
    end = QPointF(b.x() - ux * size * 0.8, b.y() - uy * size * 0.8) if head else b
    painter.drawPolyline(QPolygonF(pts[:-1] + [end]))
    if not head:
        return
    left = QPointF(b.x() - ux * size - uy * size * 0.5, b.y() - uy * size + ux * size * 0.5)
    right = QPointF(b.x() - ux * size + uy * size * 0.5, b.y() - uy * size - ux * size * 0.5)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(QPolygonF([b, left, right]))


def present(fr: Frame, e: Edge, t: int) -> bool:
    """Whether edge `e` into step t exists in this trace (outputs only where the loss counts...)."""
    d = fr.data
    if t == CONTEXT:
        return e.kind in (EdgeKind.RECURRENT, EdgeKind.CELL)
    if not 0 <= t < fr.T:
        return False
    if e.kind in (EdgeKind.OUTPUT, EdgeKind.LOSS):
        return bool(d.has_output[t])
    if e.kind == EdgeKind.INPUT and e.src == "x":
        return bool(d.has_input[t])
    if e.kind == EdgeKind.FEEDBACK:
        return t > 0 and bool(d.fed_back[t]) and bool(d.has_output[t - 1])
    return True


def edges_at(fr: Frame, t: int) -> list[Edge]:
    return [e for e in fr.spec.edges if present(fr, e, t)]


def _source_step(e: Edge, t: int, fr: Frame) -> int:
    if t == CONTEXT:
        return fr.geom.cols.gap_at - 1
    return t + e.dt


def hovered(fr: Frame, e: Edge, t: int) -> bool:
    h = fr.hover
    if h is None or h.what != "edge" or h.kind != e.key:
        return False
    d = fr.data
    return t == h.t or d.segment_of(max(t, 0)) == d.segment_of(max(h.t, 0))


def edge_style(fr: Frame, e: Edge, t: int) -> tuple[QColor, float, bool]:
    """(colour, width, show the label) of edge `e` into step t."""
    st = fr.style
    if hovered(fr, e, t):
        return st.accent, 3.2, True
    label = t == fr.t or fr.geom.col_px >= 200
    if fr.backward and e.kind in (EdgeKind.RECURRENT, EdgeKind.CELL):
        row = fr.spec.row(e.dst)
        if fr.reached(row, _source_step(e, t, fr)):
            return st.backward, fr.edge_width(e.dst, t) * (1.15 if e.kind == EdgeKind.CELL else 1.0), label
    if fr.backward and e.kind == EdgeKind.INPUT and e.src != "x" and 0 <= t < fr.T:
        if fr.reached(fr.spec.row(e.src), t):   # the gradient has gone down this edge to the layer below
            return st.backward_soft, 1.6, label
    if e.kind == EdgeKind.CELL:
        return st.belt, max(3.0, 0.3 * st.f), label
    if e.kind == EdgeKind.FEEDBACK:
        return st.target, 1.4, label
    return st.edge, 1.6, label


def _px(fr: Frame, pts) -> list[QPointF]:
    P = fr.geom.col_px
    return [QPointF(x * P, y) for x, y in pts]


def paint_edges(painter: QPainter, fr: Frame, t: int) -> None:
    """Every edge into step t (t may be CONTEXT: the edges into the context column)."""
    g = fr.geom
    for e in edges_at(fr, t):
        pts = _px(fr, g.edge_path(e, t))
        color, width, label = edge_style(fr, e, t)
        if e.kind == EdgeKind.CELL:
            # the belt: a thick line without an arrow head, behind the cell state's boxes
            painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            painter.drawLine(pts[0], pts[-1])
        elif len(pts) > 2:   # round other cells: lighter, so the straight ones lead
            arrow(painter, pts, fr.style.lane if color == fr.style.edge else color, 1.1)
        else:
            arrow(painter, pts, color, width, dashed=e.kind == EdgeKind.FEEDBACK)
        if label and e.label and e.kind != EdgeKind.LOSS:
            _label(painter, fr, e, t, pts, color)


def paint_partial_pulses(painter: QPainter, fr: Frame, steps: range) -> None:
    """Each row's pulse on its way along an edge: the part of that edge it has already crossed."""
    for e in fr.spec.edges:
        if e.kind not in (EdgeKind.RECURRENT, EdgeKind.CELL):
            continue
        row = fr.spec.row(e.dst)
        f = fr.front(row)
        if not math.isfinite(f) or f == math.floor(f):
            continue
        t = math.ceil(f) if e.dt < 0 else math.floor(f)      # the edge into step t carries it
        if t in steps or 0 <= t < fr.T and (t - 1 in steps or t + 1 in steps):
            _partial_pulse(painter, fr, e, t, _px(fr, fr.geom.edge_path(e, t)))


def _partial_pulse(painter: QPainter, fr: Frame, e: Edge, t: int, pts) -> None:
    """The pulse is on this edge: light the part it has already crossed."""
    row = fr.spec.row(e.dst)
    src = _source_step(e, t, fr)
    f = fr.front(row)
    lo, hi = min(src, t), max(src, t)
    if not lo < f < hi:
        return
    painter.setOpacity(1.0)
    xp = fr.geom.cx(f) * fr.geom.col_px
    w = fr.edge_width(e.dst, t)
    painter.setPen(QPen(fr.style.backward, w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    a, b = pts[0], pts[-1]            # a: the source side, b: the destination (where the gradient comes from)
    if b.x() > a.x():
        painter.drawLine(QPointF(max(xp, a.x()), a.y()), b)
    else:
        painter.drawLine(QPointF(min(xp, a.x()), a.y()), b)


def _label(painter: QPainter, fr: Frame, e: Edge, t: int, pts, color: QColor) -> None:
    st = fr.style
    painter.setFont(st.font_small)
    painter.setPen(st.accent if color == st.accent or t == fr.t else st.muted)
    a, b = pts[0], pts[-1]
    if e.kind == EdgeKind.RECURRENT:   # above the edge, between the two nodes
        x0, x1 = sorted((a.x(), b.x()))
        r = QRectF(x0, a.y() - st.f * 1.35, x1 - x0, st.f)
        fit_text(fr, painter, r, [e.label], [st.font_small], ALIGN_C, (e.key, t))
    elif len(pts) == 2 and e.kind in (EdgeKind.INPUT, EdgeKind.OUTPUT):   # beside it, in the gap
        r = QRectF(a.x() + 5, min(a.y(), b.y()), 4.6 * st.f, abs(b.y() - a.y()))
        fit_text(fr, painter, r, [e.label], [st.font_small], ALIGN_L, (e.key, t))


def paint_pulses(painter: QPainter, fr: Frame, steps: range) -> None:
    """The gradient pulse of every state row, on its way to the next step (a halo over a node), and
    the pulse going down from a layer to the one below."""
    g, st = fr.geom, fr.style
    glow = QColor(st.backward)
    for row in fr.spec.state_rows:
        if row.name == "c" and g.row_height(row.key) < 0.9 * st.f:
            continue
        b = fr.front(row)
        if not -1 <= b <= fr.T:
            continue
        x = g.cx(b) * g.col_px
        if not steps or not steps.start - 1 <= b <= steps.stop:
            continue
        t_near = min(max(round(b), 0), fr.T - 1)
        rx, ry, rw, rh = g.node_rect(row.key, t_near)
        rect = QRectF(rx * g.col_px, ry, rw * g.col_px, rh)
        if rect.left() - 2 <= x <= rect.right() + 2:
            strength = max(0.0, 1.0 - 2.0 * abs(b - t_near))
            glow.setAlphaF(0.25 + 0.6 * strength)
            painter.setPen(QPen(glow, 5.0 if row.name == "a" else 3.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 9, 9)
            continue
        r = 0.42 * st.f * (1.0 if row.name == "a" else 0.75)
        for k, alpha in ((2.2, 0.18), (1.5, 0.35), (1.0, 1.0)):
            glow.setAlphaF(alpha)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(glow)
            painter.drawEllipse(QPointF(x, g.cy(row.key)), r * k, r * k)
    _descending(painter, fr, steps)


def _descending(painter: QPainter, fr: Frame, steps: range) -> None:
    """A dot on each edge between layers, going down while the layer below moves to that step."""
    g, st = fr.geom, fr.style
    glow = QColor(st.backward)
    for e in fr.spec.edges:
        if e.kind != EdgeKind.INPUT or e.src == "x":
            continue
        src = fr.spec.row(e.src)
        moving = fr.fronts.entering(src.direction, fr.depth(src))
        if moving is None:
            continue
        step, m = moving
        if step not in steps or not fr.reached(fr.spec.row(e.dst), step):
            continue
        pts = _px(fr, g.edge_path(e, step))[::-1]     # from the upper layer down to the lower one
        p = _along(pts, m)
        for k, alpha in ((1.8, 0.25), (1.0, 1.0)):
            glow.setAlphaF(alpha)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(glow)
            painter.drawEllipse(p, 0.3 * st.f * k, 0.3 * st.f * k)


def _along(pts: list[QPointF], u: float) -> QPointF:
    """The point a fraction u of the way along a polyline."""
    lengths = [math.hypot(b.x() - a.x(), b.y() - a.y()) for a, b in zip(pts, pts[1:])]
    total = sum(lengths) or 1.0
    s = u * total
    for (a, b), n in zip(zip(pts, pts[1:]), lengths):
        if s <= n and n > 0:
            k = s / n
            return QPointF(a.x() + k * (b.x() - a.x()), a.y() + k * (b.y() - a.y()))
        s -= n
    return pts[-1]


def is_state(fr: Frame, key: str) -> bool:
    return fr.spec.row(key).role == Role.STATE
