"""Zoomed-out level of the unrolled graph (a few pixels per step, up to T = 100,000): every row becomes a
band drawn with one image or one path, so a frame costs the same whatever T is. The x row and the step
axis are in graph_inputs.py.

Values reach the painter only through rnnviz.app.scales: positions in 0..1 and finite, so numbers near
±1e308, inf or NaN are drawn as marks (danger ticks, full-height danger bars), never as coordinates.
The loss bars use the Losses tab's scale (log10 when the losses span many decades).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnviz.app import colors, scales
from rnnviz.app.views import graph_inputs


def binned(values: np.ndarray, t0: int, n: int, max_bins: int, reduce=np.maximum) -> tuple[np.ndarray, np.ndarray]:
    """Steps t0..t0+n-1 in at most `max_bins` groups: (first step of each group, reduced value).
    Keeps a frame's cost bounded by the widget's width, not by T."""
    v = values[t0:t0 + n]
    if n <= max_bins:
        return np.arange(t0, t0 + n), v
    starts = np.linspace(0, n, max_bins, endpoint=False).astype(int)
    return starts + t0, reduce.reduceat(v, starts)


def binned_mean(values: np.ndarray, t0: int, n: int, max_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Like binned, the mean of the finite values of each group (NaN where a group has none)."""
    v = values[t0:t0 + n]
    ok = np.isfinite(v)
    ts, total = binned(np.where(ok, v, 0.0), t0, n, max_bins, np.add)
    _, count = binned(ok.astype(float), t0, n, max_bins, np.add)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ts, np.where(count > 0, total / np.maximum(count, 1), np.nan)


def prepare(item) -> None:
    """Images and 0..1 series for the bands, built once per trace."""
    with np.errstate(over="ignore", invalid="ignore"):  # values near ±1e308 overflow: inf/NaN are handled
        _prepare(item)


def _prepare(item) -> None:
    from rnnviz.app.views.graph_items import rgba_image

    d = item.data
    scale = scales.loss_scale(d.loss, d.has_output)
    item.loss_log = scale.log
    item.loss_scaled = np.where(d.has_output, scale.height(d.loss), 0.0)
    item.loss_bad = d.has_output & ~np.isfinite(d.loss)
    item.value_lines, item.value_bad = {}, {}  # nothing left from the previous trace (a text has no x line)
    if d.mode == "value":
        item.images.pop("p", None)
        y, tgt = d.y_hat0[0], d.target
        lo, hi = scales.finite_range(y, tgt)
        for name, v in (("yhat", y), ("target", tgt)):
            item.value_lines[name] = scales.unit(v, lo, hi)
            item.value_bad[name] = ~np.isfinite(v)
    graph_inputs.prepare(item)
    if d.mode != "value":  # a probability per step: p(target) for classes, p(1) for binary outputs
        p = d.y_hat0[d.target.astype(int), np.arange(d.T)] if d.mode == "classes" else d.y_hat0[0]
        rgba = np.asarray(colors.sequential().map(np.clip(np.nan_to_num(p), 0, 1), mode="byte"), np.uint8)
        rgba = rgba.reshape(d.T, 4).copy()
        rgba[~np.isfinite(p)] = (150, 150, 150, 255)
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
            polyline(item, painter, name, steps, y_bot - 0.15 * yh, 0.7 * yh, c)
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
    ts, bad = binned(item.loss_bad, t0, n, max_bins)
    if bad.any():   # an infinite or NaN loss: a full bar in the danger colour
        painter.setBrush(st.danger)
        painter.drawRects([QRectF(g.cx(t - 0.5 + gap) * P, base - lh, max(w * (1 - 2 * gap), 1.0), lh)
                           for t, b, w in zip(ts, bad, widths) if b])
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    graph_inputs.paint_inputs(item, painter, steps)
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


def polyline(item, painter: QPainter, name: str, steps: range, base: float, scale: float, color) -> None:
    """A series (0..1) as a line, one point per group of steps (group means when zoomed far out);
    steps whose value is not finite break the line and get a danger tick (Qt stalls for minutes on
    a polyline through NaN points, so none is ever drawn)."""
    g, P = item.geom, item.geom.col_px
    t0, n = steps.start, len(steps)
    max_bins = max(int(n * P / 2), 1)
    ts, v = binned_mean(item.value_lines[name], t0, n, max_bins)
    painter.setPen(QPen(color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    ok = np.isfinite(v)
    # runs of consecutive finite points, each drawn as segments: Qt strokes a dense zig-zag polyline
    # ~10x slower (17 ms a line at T = 2000, every frame)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2]):
        pts = [QPointF(g.cx(t) * P, base - scale * float(y)) for t, y in zip(ts[a:b], v[a:b])]
        if len(pts) == 1:
            painter.drawPoint(pts[0])
        else:
            painter.drawLines([QLineF(p, q) for p, q in zip(pts, pts[1:])])
    bad = item.value_bad.get(name)
    if bad is not None and bad[t0:t0 + n].any():
        tb, hit = binned(bad, t0, n, max_bins)
        painter.setPen(QPen(item.style.danger, 2.0))
        for t in tb[hit]:
            x = g.cx(t) * P
            painter.drawLine(QPointF(x, base - scale), QPointF(x, base))


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
    """The cursor column, the hovered step, and the first step whose a<t> is not finite."""
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
    bad = d.a_bad_from
    if bad is not None:
        painter.setPen(QPen(st.danger, 3.0))
        x = g.cx(bad - 0.5) * P
        painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        painter.setFont(st.font_small)
        painter.drawText(QRectF(x + 4, heat.top() - st.f * 1.3, 6 * st.f, st.f * 1.2),
                         Qt.AlignmentFlag.AlignLeft, "∞/NaN →")
