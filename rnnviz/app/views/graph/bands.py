"""Zoomed-out level of the unrolled graph (a few pixels per step, up to T = 100,000): every row becomes a
band drawn with one image or one path, so a frame costs the same whatever T is. By role: a state is
a heatmap of its units (the LSTM's cell state with its belt along the top) with the gradient's size
under it once BPTT has reached it; the gates are one thin strip each; ŷ a colour or two lines; L bars.
The x row and the step axis are in inputs.py.

Values reach the painter only through rnnviz.app.scales: positions in 0..1 and finite, so numbers near
±1e308, inf or NaN are drawn as marks (danger ticks, full-height danger bars), never as coordinates.
The loss bars use the Losses tab's scale (log10 when the losses span many decades).
"""
from __future__ import annotations

import math

import numpy as np
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnviz.app import colors, scales
from rnnviz.app.views.graph import inputs
from rnnviz.app.views.graph.frame import Frame
from rnnviz.app.views.graph.lines import binned, polyline
from rnnviz.app.views.graph.spec import Role


@dataclass
class Bands:
    """The 0..1 series of the bands, made once per trace (its images go into an ImageCache)."""

    loss_scaled: np.ndarray
    loss_bad: np.ndarray
    loss_log: bool                  # the L row's bars on a log10 scale (as in the Losses tab)
    value_lines: dict = field(default_factory=dict)
    value_bad: dict = field(default_factory=dict)
    x_vector: object = None         # inputs.XVector: x⟨t⟩ of more than one number (the notes' n_x = 3)


def prepare(d, images) -> Bands:
    """Images and 0..1 series for the bands of GraphData `d`."""
    with np.errstate(over="ignore", invalid="ignore"):  # values near ±1e308 overflow: inf/NaN are handled
        return _prepare(d, images)


def _prepare(d, images) -> Bands:
    scale = scales.loss_scale(d.loss, d.has_output)
    b = Bands(np.where(d.has_output, scale.height(d.loss), 0.0), d.has_output & ~np.isfinite(d.loss), scale.log)
    if d.mode == "value":
        images.pop("p")
        y, tgt = d.y_hat0[0], d.target
        lo, hi = scales.finite_range(y, tgt)
        for name, v in (("yhat", y), ("target", tgt)):
            b.value_lines[name] = scales.unit(v, lo, hi)
            b.value_bad[name] = ~np.isfinite(v)
    inputs.prepare(d, b, images)
    if d.mode != "value":  # a probability per step: p(target) for classes, p(1) for binary outputs
        p = d.y_hat0[d.target.astype(int), np.arange(d.T)] if d.mode == "classes" else d.y_hat0[0]
        rgba = np.asarray(colors.sequential().map(np.clip(np.nan_to_num(p), 0, 1), mode="byte"), np.uint8)
        rgba = rgba.reshape(d.T, 4).copy()
        rgba[~np.isfinite(p)] = (150, 150, 150, 255)
        rgba[~d.has_output] = 0   # no output at this step: transparent
        images.put("p", rgba[None])
    return b


def paint_bands(painter: QPainter, fr: Frame, steps: range) -> None:
    g, st, d = fr.geom, fr.style, fr.data
    if not steps:
        return
    P = g.col_px
    t0, n = steps.start, len(steps)
    x0 = g.cx(t0 - 0.5) * P
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    heats = {}
    for row in fr.spec.rows:
        top, bot = g.row_band(row.key)
        h = bot - top
        if row.role == Role.STATE:
            heat = QRectF(x0, top + 0.1 * h, n * P, 0.62 * h)
            heats[row.key] = heat
            _paint_heat(painter, fr, row, heat, t0, n)
        elif row.role == Role.GATE:
            r = QRectF(x0, top + 0.12 * h, n * P, 0.76 * h)
            for i in range(len(d.gates[row.key].names)):
                gh = r.height() / len(d.gates[row.key].names)
                painter.drawImage(QRectF(r.left(), r.top() + i * gh, r.width(), gh),
                                  fr.images["gate", row.key, i], QRectF(t0, 0, n, 1))
        elif row.role == Role.OUTPUT:
            if "p" in fr.images:
                painter.drawImage(QRectF(x0, top + 0.3 * h, n * P, 0.4 * h), fr.images["p"], QRectF(t0, 0, n, 1))
            else:
                for name, c in (("target", st.target), ("yhat", st.fg)):
                    polyline(painter, fr, name, steps, bot - 0.15 * h, 0.7 * h, c)
        elif row.role == Role.LOSS:
            _paint_losses(painter, fr, steps, top, bot)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    inputs.paint_inputs(painter, fr, steps)
    if fr.backward:
        for key, heat in heats.items():
            _paint_gradient_band(painter, fr, fr.spec.row(key), heat)
        _paint_fronts(painter, fr, heats)
    else:  # steps the forward pass has not reached, dimmed
        cur_right = g.cx(fr.t + 0.5) * P
        veil = QColor(st.bg)
        veil.setAlphaF(1.0 - 0.35)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(veil)
        painter.drawRect(QRectF(cur_right, g.top_px, g.cx(d.T - 0.5) * P - cur_right,
                                g.height_px - g.top_px - g.bottom_px))
    _paint_marks(painter, fr, next(iter(heats.values()), None))


def _paint_heat(painter: QPainter, fr: Frame, row, heat: QRectF, t0: int, n: int) -> None:
    """A state's units as a heatmap; the LSTM's cell state with its belt along the top."""
    s = fr.data.states[row.key]
    painter.drawImage(heat, fr.images["band", row.key], QRectF(t0 + 1, 0, n, len(s.units)))
    if row.name == "c":
        painter.setPen(QPen(fr.style.belt, max(3.0, 0.22 * fr.style.f), Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        painter.drawLine(QPointF(heat.left(), heat.top() - 1.5), QPointF(heat.right(), heat.top() - 1.5))


def _paint_losses(painter: QPainter, fr: Frame, steps: range, l_top: float, l_bot: float) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    bars, bad = _loss_bars(fr, steps, l_top, l_bot)
    painter.setBrush(fr.style.muted)
    painter.drawRects(bars)
    if bad:   # an infinite or NaN loss: a full bar in the danger colour
        painter.setBrush(fr.style.danger)
        painter.drawRects(bad)


def _loss_bars(fr: Frame, steps: range, l_top: float, l_bot: float) -> tuple[list, list]:
    """The L row's bars (and the danger bars) for the steps in view, kept while neither the layout nor
    the steps in view change: stepping and the animation redraw them without building them again."""
    g, b = fr.geom, fr.bands
    key = (g._key(), steps.start, steps.stop, l_top, l_bot)
    memo = fr.memo.get("loss_bars")
    if memo is not None and memo[0] == key:
        return memo[1]
    P = g.col_px
    t0, n = steps.start, len(steps)
    max_bins = max(int(n * P / 2), 1)   # at most one bar per 2 pixels
    lh = 0.8 * (l_bot - l_top)
    base = l_bot - 0.08 * (l_bot - l_top)
    ts, v = binned(b.loss_scaled, t0, n, max_bins)
    widths = np.diff(np.append(ts, t0 + n)) * P
    gap = 0.12 if len(ts) == n else 0.0
    bars = [QRectF(g.cx(t - 0.5 + gap) * P, base - lh * float(h), max(w * (1 - 2 * gap), 1.0), lh * float(h))
            for t, h, w in zip(ts, v, widths) if h > 0]
    ts, bad = binned(b.loss_bad, t0, n, max_bins)
    danger = [QRectF(g.cx(t - 0.5 + gap) * P, base - lh, max(w * (1 - 2 * gap), 1.0), lh)
              for t, b_, w in zip(ts, bad, widths) if b_] if bad.any() else []
    fr.memo["loss_bars"] = (key, (bars, danger))
    return bars, danger


def _paint_gradient_band(painter: QPainter, fr: Frame, row, heat: QRectF) -> None:
    """Backward phase: the gradient's size (magnitude colours) under a state's heatmap, for the steps
    BPTT has reached (right of the front for a forward row, left of it for a backward one)."""
    g, d = fr.geom, fr.data
    P = g.col_px
    f = fr.front(row)
    if row.direction == 0:
        first = int(math.ceil(max(f, 0.0) - 1e-9))
        lo, hi = first, d.T
    else:
        lo, hi = 0, int(math.floor(min(f, d.T - 1) + 1e-9)) + 1
    if hi <= lo:
        return
    band = QRectF(g.cx(lo - 0.5) * P, heat.bottom() + 0.06 * heat.height(), (g.cx(hi - 0.5) - g.cx(lo - 0.5)) * P,
                  0.32 * heat.height())
    painter.drawImage(band, fr.images["grad", row.key], QRectF(lo, 0, hi - lo, 1))


def _paint_fronts(painter: QPainter, fr: Frame, heats: dict) -> None:
    """The pulse as a vertical line: across the whole graph for a one-directional stack at rest, else
    one per state row, at that row's front."""
    g, st = fr.geom, fr.style
    P = g.col_px
    glow = QColor(st.backward)
    segments = []
    if fr.spec.dirs == 1 and fr.fronts.frac == 0.0:
        segments.append((fr.back_step, g.top_px, g.height_px - g.bottom_px))
    else:
        for key in heats:
            row = fr.spec.row(key)
            top, bot = g.row_band(key)
            segments.append((fr.front(row), top, bot))
    for b, top, bot in segments:
        x = g.cx(min(max(b, 0.0), fr.T - 1)) * P
        for w, a in ((9.0, 0.2), (3.0, 1.0)):
            glow.setAlphaF(a)
            painter.setPen(QPen(glow, w))
            painter.drawLine(QPointF(x, top), QPointF(x, bot))


def _paint_marks(painter: QPainter, fr: Frame, heat: QRectF | None) -> None:
    """The cursor column, the hovered step, and the first step whose a<t> is not finite."""
    g, st, d = fr.geom, fr.style, fr.data
    P = g.col_px
    w = max(P, 3.0)
    top, bottom = g.top_px, g.height_px - g.bottom_px
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if fr.hover_t >= 0:
        painter.setPen(QPen(st.muted, 1.5))
        painter.drawRect(QRectF(g.cx(fr.hover_t) * P - w / 2, top, w, bottom - top))
    painter.setPen(QPen(st.accent, 2.5))
    painter.drawRect(QRectF(g.cx(fr.t) * P - w / 2, top, w, bottom - top))
    bad = d.a_bad_from
    if bad is not None and heat is not None:
        painter.setPen(QPen(st.danger, 3.0))
        x = g.cx(bad - 0.5) * P
        painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        painter.setFont(st.font_small)
        painter.drawText(QRectF(x + 4, heat.top() - st.f * 1.3, 6 * st.f, st.f * 1.2),
                         Qt.AlignmentFlag.AlignLeft, "∞/NaN →")
