"""Detailed level of the unrolled graph: labelled nodes x<t>, a<t>, ŷ<t>, L<t> joined by Wax, Waa, Wya.

Everything is drawn in pixel space (x_px = scene x * col_px, y in pixels); see graph_items.GraphItem.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from rnnviz.app import colors
from rnnviz.app.views import graph_outputs
from rnnviz.app.views.graph_text import RowFormat, fit_text

_ALIGN_C = Qt.AlignmentFlag.AlignCenter
_ALIGN_L = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGN_R = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def node_px(item, kind: str, t: int) -> QRectF:
    x, y, w, h = item.geom.node_rect(kind, t)
    P = item.geom.col_px
    return QRectF(x * P, y, w * P, h)


def contrast(c: QColor) -> QColor:
    """Black or white text, whichever reads on background c."""
    lum = 0.299 * c.redF() + 0.587 * c.greenF() + 0.114 * c.blueF()
    return QColor("#000000") if lum > 0.55 else QColor("#ffffff")


def _arrow(painter: QPainter, x0: float, y0: float, x1: float, y1: float, color: QColor, width: float):
    painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    dx, dy = x1 - x0, y1 - y0
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    head = 5.0 + 1.6 * width
    painter.drawLine(QPointF(x0, y0), QPointF(x1 - ux * head * 0.8, y1 - uy * head * 0.8))
    tip = QPointF(x1, y1)
    left = QPointF(x1 - ux * head - uy * head * 0.5, y1 - uy * head + ux * head * 0.5)
    right = QPointF(x1 - ux * head + uy * head * 0.5, y1 - uy * head - ux * head * 0.5)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(QPolygonF([tip, left, right]))


def paint_detailed(item, painter: QPainter, steps: range) -> None:
    g, st = item.geom, item.style
    P, cur = g.col_px, item.t
    top, bottom = g.top_px, g.height_px - g.bottom_px
    # the current step's column, and the step hovered here or in another view
    painter.setPen(Qt.PenStyle.NoPen)
    hover_t = item.hover.t if item.hover is not None else item.hover_t
    for t, brush in ((hover_t, st.hover_soft), (cur, st.accent_soft)):
        if t in steps:
            painter.setBrush(brush)
            painter.drawRoundedRect(QRectF(g.cx(t - 0.5) * P + 2, top, P - 4, bottom - top), 8, 8)
    ts = list(steps)
    item.formats = _row_formats(item, painter, ts)
    for t in ts:
        painter.setOpacity(item.opacity_of(t))
        _paint_edges(item, painter, t)
    if ts and ts[0] == 0:
        painter.setOpacity(1.0)
        _paint_a(item, painter, -1)
    for t in ts:
        painter.setOpacity(item.opacity_of(t))
        _paint_nodes(item, painter, t)
    painter.setOpacity(1.0)
    if item.backward:
        _paint_pulse(item, painter)


def _row_formats(item, painter: QPainter, ts: list[int]) -> dict:
    """How the numbers of each row are written for the steps in view: one font and precision per row,
    the best that fits every box of the row (the boxes of a row are all as wide)."""
    st, d = item.style, item.data
    big = [st.font_bold, st.font_small, st.font_tiny]
    small = [st.font_small, st.font_tiny]
    out = {}
    if ts:
        _, _, low = a_parts(item, ts[0])
        out_steps = [t for t in ts if d.has_output[t]]
        out["L"] = RowFormat(painter, big, d.loss[out_steps], node_px(item, "L", ts[0]).width() - 6)
        reached = [d.grad(t) for t in ts if item.grad_reached(t)]
        out["grad"] = RowFormat(painter, small, reached, low.width() - 4, d.grad_symbol + "=")
        out["norm"] = RowFormat(painter, small, d.a_norm[[t + 1 for t in ts]], low.width(), "‖a‖=")
        if d.trace.seq.kind != "text":
            out["x"] = RowFormat(painter, big, d.trace.x[0, 0, ts], node_px(item, "x", ts[0]).width() - 6)
        if d.mode != "classes":
            inner_w = node_px(item, "y", ts[0]).width() - 0.7 * st.f
            out.update(graph_outputs.value_formats(item, painter, inner_w, ts))
    return out


# ------------------------------------------------------------------------------------------ edges
def _edge_style(item, kind: str, t: int) -> tuple[QColor, float, bool]:
    """(colour, width, show label) of edge `kind` at step t."""
    st = item.style
    hovered = item.hover is not None and item.hover.what == "edge" and item.hover.kind == kind
    if hovered:
        return st.accent, 3.2, True
    label = t == item.t or item.geom.col_px >= 200
    if kind == "Waa" and item.backward and item.back_step <= t - 1 + 1e-9:
        return st.backward, item.edge_width(t), label
    return st.edge, 1.6, label


def _paint_edges(item, painter: QPainter, t: int) -> None:
    g, st, d = item.geom, item.style, item.data
    P = g.col_px
    kinds = ["Waa"]
    if d.has_input[t]:
        kinds.append("Wax")
    if d.has_output[t]:
        kinds += ["Wya", "L"]
    for kind in kinds:
        x0, y0, x1, y1 = g.edge_line(kind, t)
        color, width, label = _edge_style(item, kind, t)
        if kind == "Waa":
            _arrow(painter, x0 * P, y0, x1 * P, y1, color, width)
            if kind == "Waa" and item.backward and t - 1 < item.back_step < t:
                # the pulse is on this edge: light the part it has already crossed
                xp = g.cx(item.back_step) * P
                painter.setPen(QPen(st.backward, item.edge_width(t), Qt.PenStyle.SolidLine,
                                    Qt.PenCapStyle.FlatCap))
                painter.drawLine(QPointF(max(xp, x0 * P), y0), QPointF(x1 * P, y1))
        else:
            _arrow(painter, x0 * P, y0, x1 * P, y1, color, width)
        if label and kind != "L":
            painter.setFont(st.font_small)
            painter.setPen(st.accent if color == st.accent or t == item.t else st.muted)
            if kind == "Waa":   # above the edge, between the two a nodes
                r = QRectF(x0 * P, y0 - st.f * 1.35, (x1 - x0) * P, st.f)
                fit_text(item, painter, r, ["Waa"], [st.font_small], _ALIGN_C, ("Waa", t))
            else:               # beside the edge, in the gap between the two rows
                r = QRectF(x0 * P + 5, min(y0, y1), 4 * st.f, abs(y1 - y0))
                fit_text(item, painter, r, [kind], [st.font_small], _ALIGN_L, (kind, t))


def _paint_pulse(item, painter: QPainter) -> None:
    """The gradient pulse on its way from a<t+1> to a<t>; over a node it becomes a halo."""
    g, st = item.geom, item.style
    b = item.back_step
    t_near = round(b)
    rect = node_px(item, "a", t_near)
    x = g.cx(b) * g.col_px
    glow = QColor(st.backward)
    if rect.left() - 2 <= x <= rect.right() + 2:
        strength = max(0.0, 1.0 - 2.0 * abs(b - t_near))
        glow.setAlphaF(0.25 + 0.6 * strength)
        painter.setPen(QPen(glow, 5.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 9, 9)
        return
    r = 0.42 * st.f
    for k, alpha in ((2.2, 0.18), (1.5, 0.35), (1.0, 1.0)):
        glow.setAlphaF(alpha)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(glow)
        painter.drawEllipse(QPointF(x, g.cy("a")), r * k, r * k)


# ------------------------------------------------------------------------------------------ nodes
def _box(painter: QPainter, rect: QRectF, st, border: QColor, width: float = 1.3, dashed=False) -> None:
    pen = QPen(border, width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(st.panel)
    painter.drawRoundedRect(rect, 0.35 * st.f, 0.35 * st.f)


def _border(item, kind: str, t: int) -> tuple[QColor, float]:
    st = item.style
    if item.hover is not None and item.hover.what == "node" and (item.hover.kind, item.hover.t) == (kind, t):
        return st.fg, 2.4
    if t == item.t:
        return st.accent, 2.6
    return st.muted, 1.3


def _paint_nodes(item, painter: QPainter, t: int) -> None:
    d = item.data
    _paint_x(item, painter, t)
    _paint_a(item, painter, t)
    if d.has_output[t]:
        rect = node_px(item, "y", t)
        color, width = _border(item, "y", t)
        _box(painter, rect, item.style, color, width)
        graph_outputs.paint_y(item, painter, t, rect, item.formats)
        _paint_L(item, painter, t)


def _paint_x(item, painter: QPainter, t: int) -> None:
    st, d = item.style, item.data
    rect = node_px(item, "x", t)
    color, width = _border(item, "x", t)
    fed = bool(d.has_input[t])
    _box(painter, rect, st, color, width, dashed=not fed)
    painter.setPen(st.fg if fed else st.muted)
    inner = rect.adjusted(3, 0, -3, 0)
    if d.trace.seq.kind == "text" or not fed:
        fonts = [st.font_big, st.font_bold, st.font_small] if fed else [st.font_bold]
        fit_text(item, painter, inner, [d.input_text(t)], fonts, _ALIGN_C, ("x", t))
    else:
        item.formats["x"].draw(item, painter, inner, float(d.trace.x[0, 0, t]), _ALIGN_C, ("x", t))


def a_parts(item, t: int) -> tuple[QRectF, QRectF, QRectF]:
    """(box, strip of unit colours, the lower part with the norm or the gradient) of a<t>."""
    st = item.style
    rect = node_px(item, "a", t)
    pad = 0.3 * st.f
    inner = rect.adjusted(pad, pad, -pad, -pad)
    strip = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * 0.46)
    low = QRectF(inner.left(), strip.bottom() + 0.12 * st.f, inner.width(), inner.bottom() - strip.bottom() - 0.12 * st.f)
    return rect, strip, low


def _paint_a(item, painter: QPainter, t: int) -> None:
    st, d = item.style, item.data
    rect, strip, low = a_parts(item, t)
    color, width = _border(item, "a", t)
    bad = t >= 0 and d.bad_forward(t)
    if bad:
        color, width = st.danger, 3.0
    _box(painter, rect, st, color, width)
    painter.drawImage(strip, item.images["strip"], QRectF(0, t + 1, len(d.units), 1))
    painter.setPen(QPen(st.grid, 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(strip)
    if t >= 0 and item.grad_reached(t):
        fill = grad_fill(item, t)
        painter.setPen(QPen(st.muted, 1.0))
        painter.setBrush(fill)
        painter.drawRoundedRect(low, 4, 4)
        painter.setPen(contrast(fill))
        item.formats["grad"].draw(item, painter, low.adjusted(2, 0, -2, 0), d.grad(t), _ALIGN_C, ("grad", t))
    elif t == -1:
        painter.setPen(st.muted)
        fit_text(item, painter, low, ["a⟨0⟩"], [st.font_small, st.font_tiny], _ALIGN_C, ("a0", t))
    else:
        painter.setPen(st.muted)
        item.formats["norm"].draw(item, painter, low, float(d.a_norm[t + 1]), _ALIGN_C, ("norm", t))
    if bad and t == d.a_bad_from:
        _badge(painter, rect, st, "∞/NaN")
    elif t >= 0 and t == d.trace.first_nonfinite_grad and item.grad_reached(t):
        _badge(painter, rect, st, "∂ ∞/NaN")


def grad_fill(item, t: int) -> QColor:
    """Colour of the gradient's size at a<t> on the shared log scale (danger when not finite)."""
    g = item.data.grad(t)
    if not math.isfinite(g):
        return QColor(item.style.danger)
    return colors.qcolor(colors.magnitude(), float(item.grad_frac[t]))


def _badge(painter: QPainter, rect: QRectF, st, text: str) -> None:
    painter.setFont(st.font_small)
    w = painter.fontMetrics().horizontalAdvance(text) + 10
    h = st.f * 1.15
    r = QRectF(rect.right() - w * 0.7, rect.top() - h * 0.6, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.danger)
    painter.drawRoundedRect(r, h / 2, h / 2)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(r, _ALIGN_C, text)


def _paint_L(item, painter: QPainter, t: int) -> None:
    st, d = item.style, item.data
    rect = node_px(item, "L", t)
    color, width = _border(item, "L", t)
    _box(painter, rect, st, color, width)
    painter.setPen(st.fg if math.isfinite(float(d.loss[t])) else st.danger)
    item.formats["L"].draw(item, painter, rect.adjusted(3, 0, -3, 0), float(d.loss[t]), _ALIGN_C, ("L", t))
