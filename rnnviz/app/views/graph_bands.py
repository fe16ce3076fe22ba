"""Zoomed-out level of the unrolled graph (a few pixels per step, up to T = 100,000): every row becomes a
band drawn with one image or one path, so a frame costs the same whatever T is. Also the step axis.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from rnnviz.app import colors

_ALIGN_C = Qt.AlignmentFlag.AlignCenter


def binned(values: np.ndarray, t0: int, n: int, max_bins: int, reduce=np.maximum) -> tuple[np.ndarray, np.ndarray]:
    """Steps t0..t0+n-1 in at most `max_bins` groups: (first step of each group, reduced value).
    Keeps a frame's cost bounded by the widget's width, not by T."""
    v = values[t0:t0 + n]
    if n <= max_bins:
        return np.arange(t0, t0 + n), v
    starts = np.linspace(0, n, max_bins, endpoint=False).astype(int)
    return starts + t0, reduce.reduceat(v, starts)


def prepare(item) -> None:
    """Images and paths for the bands, built once per trace."""
    with np.errstate(over="ignore", invalid="ignore"):  # values near ±1e308 overflow: inf/NaN are handled
        _prepare(item)


def _prepare(item) -> None:
    from rnnviz.app.views.graph_items import rgba_image

    d = item.data
    loss = np.where(np.isfinite(d.loss) & d.has_output, d.loss, 0.0)
    top = float(loss.max()) if loss.size else 0.0
    item.loss_scaled = loss / top if top > 0 else loss
    item.value_lines = {}  # nothing left from the previous trace (a text has no x line)
    if d.mode == "value":
        item.images.pop("p", None)
        y, tgt = d.y_hat0[0], d.target
        both = np.concatenate([y[np.isfinite(y)], tgt])
        lo, hi = float(both.min()), float(both.max())
        span = hi - lo or 1.0
        item.value_lines = {name: np.where(np.isfinite(v), (v - lo) / span, 0.5)
                            for name, v in (("yhat", y), ("target", tgt))}
    if d.trace.seq.kind == "numbers":
        x = d.trace.x[0, 0, :]
        span = float(x.max() - x.min()) or 1.0
        item.value_lines["x"] = (x - x.min()) / span
    if d.mode != "value":  # a probability per step: p(target) for classes, p(1) for binary outputs
        p = d.y_hat0[d.target.astype(int), np.arange(d.T)] if d.mode == "classes" else d.y_hat0[0]
        rgba = np.asarray(colors.sequential().map(np.clip(np.nan_to_num(p), 0, 1), mode="byte"), np.uint8)
        rgba = rgba.reshape(d.T, 4).copy()
        rgba[~d.has_output] = 0   # no output at this step: transparent
        item.images["p"] = rgba_image(rgba[None])


def paint_bands(item, painter: QPainter, steps: range) -> None:
    g, st, d = item.geom, item.style, item.data
    if not steps:
        return
    P = g.col_px
    t0, n = steps.start, len(steps)
    x0 = g.cx(t0 - 0.5) * P
    max_bins = max(int(n * P / 2), 1)   # at most one bar per 2 pixels
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    a_top, a_bot = g.row_band("a")
    h = a_bot - a_top
    heat = QRectF(x0, a_top + 0.1 * h, n * P, 0.62 * h)
    painter.drawImage(heat, item.images["band"], QRectF(t0 + 1, 0, n, len(d.units)))
    y_top, y_bot = g.row_band("y")
    yh = y_bot - y_top
    if "p" in item.images:
        painter.drawImage(QRectF(x0, y_top + 0.3 * yh, n * P, 0.4 * yh), item.images["p"], QRectF(t0, 0, n, 1))
    else:
        for name, c in (("target", st.target), ("yhat", st.fg)):
            _polyline(item, painter, name, steps, y_bot - 0.15 * yh, 0.7 * yh, c)
    l_top, l_bot = g.row_band("L")
    lh = 0.8 * (l_bot - l_top)
    base = l_bot - 0.08 * (l_bot - l_top)
    ts, v = binned(item.loss_scaled, t0, n, max_bins)
    widths = np.diff(np.append(ts, t0 + n)) * P
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.muted)
    gap = 0.12 if len(ts) == n else 0.0
    painter.drawRects([QRectF(g.cx(t - 0.5 + gap) * P, base - lh * float(h), max(w * (1 - 2 * gap), 1.0), lh * float(h))
                       for t, h, w in zip(ts, v, widths) if h > 0])
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _paint_inputs(item, painter, steps)
    if item.backward:
        _paint_gradient_band(item, painter, heat)
    else:  # steps the forward pass has not reached, dimmed
        cur_right = g.cx(item.t + 0.5) * P
        veil = QColor(st.bg)
        veil.setAlphaF(1.0 - 0.35)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(veil)
        painter.drawRect(QRectF(cur_right, g.top_px, (g.cx(d.T - 0.5)) * P - cur_right, g.height_px - g.top_px - g.bottom_px))
    _paint_marks(item, painter, heat)


def _polyline(item, painter: QPainter, name: str, steps: range, base: float, scale: float, color) -> None:
    """A series (0..1) as a line, one point per group of steps (group means when zoomed far out)."""
    g, P = item.geom, item.geom.col_px
    t0, n = steps.start, len(steps)
    ts, v = binned(item.value_lines[name], t0, n, max(int(n * P / 2), 1), np.add)
    if len(ts) < n:
        v = v / np.diff(np.append(ts, t0 + n))
    painter.setPen(QPen(color, 1.6))
    painter.drawPolyline(QPolygonF([QPointF(g.cx(t) * P, base - scale * float(y)) for t, y in zip(ts, v)]))


def _paint_inputs(item, painter: QPainter, steps: range) -> None:
    g, st, d = item.geom, item.style, item.data
    x_top, x_bot = g.row_band("x")
    P = g.col_px
    if "x" in item.value_lines and P < 3.2 * st.f:
        h = x_bot - x_top
        _polyline(item, painter, "x", steps, x_bot - 0.15 * h, 0.7 * h, st.fg)
    elif P >= 0.9 * st.f and len(steps) <= 600:
        painter.setFont(st.font_bold if P >= 1.3 * st.f else st.font_small)
        for t in steps:
            painter.setPen(st.fg if d.has_input[t] else st.muted)
            painter.drawText(QRectF(g.cx(t - 0.5) * P, x_top, P, x_bot - x_top), _ALIGN_C, d.input_text(t))
    else:
        painter.setPen(QPen(st.muted, 1.0, Qt.PenStyle.DotLine))
        y = 0.5 * (x_top + x_bot)
        painter.drawLine(QPointF(g.cx(steps.start - 0.5) * P, y), QPointF(g.cx(steps.stop - 0.5) * P, y))


def _paint_gradient_band(item, painter: QPainter, heat: QRectF) -> None:
    """Backward phase: the gradient's size (magnitude colours) under the heatmap for reached steps,
    and the pulse as a vertical line."""
    g, st, d = item.geom, item.style, item.data
    P = g.col_px
    b = max(item.back_step, 0.0)
    first = int(math.ceil(b - 1e-9))
    band = QRectF(g.cx(first - 0.5) * P, heat.bottom() + 0.06 * heat.height(),
                  (d.T - first) * P, 0.32 * heat.height())
    painter.drawImage(band, item.images["grad"], QRectF(first, 0, d.T - first, 1))
    x = g.cx(b) * P
    glow = QColor(st.backward)
    for w, a in ((9.0, 0.2), (3.0, 1.0)):
        glow.setAlphaF(a)
        painter.setPen(QPen(glow, w))
        painter.drawLine(QPointF(x, g.top_px), QPointF(x, g.height_px - g.bottom_px))


def _paint_marks(item, painter: QPainter, heat: QRectF) -> None:
    """The cursor column, the hovered step, and the first non-finite step."""
    g, st, d = item.geom, item.style, item.data
    P = g.col_px
    w = max(P, 3.0)
    top, bottom = g.top_px, g.height_px - g.bottom_px
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if item.hover_t >= 0:
        painter.setPen(QPen(st.muted, 1.5))
        painter.drawRect(QRectF(g.cx(item.hover_t) * P - w / 2, top, w, bottom - top))
    painter.setPen(QPen(st.accent, 2.5))
    painter.drawRect(QRectF(g.cx(item.t) * P - w / 2, top, w, bottom - top))
    bad = d.trace.first_nonfinite
    if bad is not None:
        painter.setPen(QPen(st.danger, 3.0))
        x = g.cx(bad - 0.5) * P
        painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        painter.setFont(st.font_small)
        painter.drawText(QRectF(x + 4, heat.top() - st.f * 1.3, 6 * st.f, st.f * 1.2),
                         Qt.AlignmentFlag.AlignLeft, "∞/NaN →")


def paint_axis(item, painter: QPainter, steps: range) -> None:
    """Step numbers (1-based) under the x row; the current step in the accent colour."""
    g, st = item.geom, item.style
    if not steps:
        return
    P = g.col_px
    k = 1
    for k in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if k * P >= 3.4 * st.f:
            break
    y = g.height_px - g.bottom_px + 0.15 * st.f
    painter.setFont(st.font_small)
    painter.setPen(st.muted)
    labels = [1] if steps.start == 0 else []
    labels += list(range(max(((steps.start + 1) // k) * k, k), steps.stop + 1, k))
    for s in labels:
        t = s - 1
        if abs(t - item.t) * P < 2.6 * st.f and t != item.t:
            continue  # leave room for the cursor's label
        painter.drawText(QRectF(g.cx(t) * P - 2.5 * st.f, y, 5 * st.f, 1.3 * st.f), _ALIGN_C, str(s))
    painter.setFont(st.font_bold)
    painter.setPen(st.accent)
    painter.drawText(QRectF(g.cx(item.t) * P - 3 * st.f, y, 6 * st.f, 1.3 * st.f), _ALIGN_C, str(item.t + 1))
