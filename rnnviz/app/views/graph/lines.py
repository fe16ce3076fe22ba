"""Series drawn as lines over the steps in view, binned to the width (a frame's cost is bounded by
the widget, not by T): the zoomed-out graph's ŷ and target lines (bands.py) and the x⟨t⟩ line of
numbers (inputs.py)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QPainter, QPen

from rnnviz.app.views.graph.frame import Frame


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



def polyline(painter: QPainter, fr: Frame, name: str, steps: range, base: float, scale: float, color) -> None:
    """A series (0..1) as a line, one point per group of steps (group means when zoomed far out);
    steps whose value is not finite break the line and get a danger tick (Qt stalls for minutes on
    a polyline through NaN points, so none is ever drawn)."""
    g, P = fr.geom, fr.geom.col_px
    t0, n = steps.start, len(steps)
    max_bins = max(int(n * P / 2), 1)
    ts, v = binned_mean(fr.bands.value_lines[name], t0, n, max_bins)
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
    bad = fr.bands.value_bad.get(name)
    if bad is not None and bad[t0:t0 + n].any():
        tb, hit = binned(bad, t0, n, max_bins)
        painter.setPen(QPen(fr.style.danger, 2.0))
        for t in tb[hit]:
            x = g.cx(t) * P
            painter.drawLine(QPointF(x, base - scale), QPointF(x, base))
