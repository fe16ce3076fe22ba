"""Where values go on a plot, safely (NumPy only, no Qt): ranges, 0..1 positions, the loss scale, ticks.

Every view that maps values to coordinates goes through here, so a value near ±1e308, ±inf or NaN is
a state to show, never a coordinate: Qt's stroker spends minutes on a polyline through NaN points and
drops dashed segments past ~1e120, and pyqtgraph refuses a range that is infinite.

    finite_range(v)        lo..hi of the finite values, clipped to ±PLOT_LIMIT so hi - lo stays finite
    unit(v, lo, hi)        positions in 0..1, computed without overflow; NaN where v is not finite
    padded(lo, hi)         a plot range with a margin, finite whatever lo and hi are
    clamp(v)               values clipped to ±PLOT_LIMIT and which of them were (to mark them)
    loss_scale(L, w)       linear or log10 for per-step losses: one rule for the graph and the Losses tab
    step_tick_spacing(px)  integer step ticks for a zoom, bounded by the axis width in pixels
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# beyond this a value is drawn at the limit with a marker. Far below the float limit on purpose: Qt's
# dasher loses dashed lines whose segments are longer than about 1e120 (it squares lengths)
PLOT_LIMIT = 1e100
LOG_DECADES = 4.0        # losses spanning more than this many decades go on a log scale


def finite_values(*arrays) -> np.ndarray:
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays]
    v = np.concatenate(vals) if vals else np.zeros(0)
    return v[np.isfinite(v)]


def finite_range(*arrays, limit: float = PLOT_LIMIT) -> tuple[float, float]:
    """(lo, hi) of the finite values, each clipped to ±limit; (-1, 1) when there are none."""
    v = finite_values(*arrays)
    if v.size == 0:
        return -1.0, 1.0
    return max(float(v.min()), -limit), min(float(v.max()), limit)


def padded(lo: float, hi: float, frac: float = 0.08, limit: float = PLOT_LIMIT) -> tuple[float, float]:
    """lo..hi widened by `frac` of the span on each side (a unit span around a single value)."""
    lo, hi = max(float(lo), -limit), min(float(hi), limit)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        return -1.0, 1.0
    span = hi / 2 - lo / 2          # half the span: finite even for ±limit
    if span <= 0:
        pad = max(abs(hi), 1.0) * 0.5
        return lo - pad, hi + pad
    return lo - 2 * frac * span, hi + 2 * frac * span


def unit(v, lo: float, hi: float) -> np.ndarray:
    """(v - lo) / (hi - lo) clipped to 0..1, without overflow; NaN where v is not finite."""
    v = np.asarray(v, dtype=float)
    half = hi / 2 - lo / 2
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        u = (v / 2 - lo / 2) / half if half > 0 else np.full(v.shape, 0.5)
        u = np.clip(u, 0.0, 1.0)
    return np.where(np.isfinite(v), u, np.nan)


def clamp(v, limit: float = PLOT_LIMIT) -> tuple[np.ndarray, np.ndarray]:
    """(v clipped to ±limit with NaN kept, mask of the values that were clipped or infinite)."""
    v = np.asarray(v, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.clip(v, -limit, limit)
        beyond = np.abs(v) > limit
    return out, beyond


@dataclass(frozen=True)
class LossScale:
    log: bool       # log10 scale (the losses span more than LOG_DECADES decades)
    lo: float       # bottom of the bars: 0, or a decade under the smallest positive loss (log10)
    hi: float       # top of the largest finite loss (log10 units when log)

    def height(self, loss) -> np.ndarray:
        """Bar heights in 0..1 of lo..hi; 0 for zero, missing or non-finite losses."""
        v = np.asarray(loss, dtype=float)
        ok = np.isfinite(v) & (v > 0)
        safe = np.where(ok, v, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.log10(safe) if self.log else safe
        return np.where(ok, np.clip((pos - self.lo) / max(self.hi - self.lo, 1e-300), 0.0, 1.0), 0.0)


def loss_scale(loss, weight=None) -> LossScale:
    """Linear 0..max, or log10 when the finite positive losses of scored steps span > LOG_DECADES decades."""
    v = np.asarray(loss, dtype=float)
    if weight is not None:
        v = v[np.asarray(weight) > 0]
    pos = v[np.isfinite(v) & (v > 0)]
    if pos.size == 0:
        return LossScale(False, 0.0, 1.0)
    top, low = float(pos.max()), float(pos.min())
    if math.log10(top) - math.log10(low) > LOG_DECADES or top > PLOT_LIMIT:
        # one decade below the smallest loss: its bar is a decade tall, not 0
        return LossScale(True, float(math.floor(math.log10(low))) - 1.0, math.log10(top))
    return LossScale(False, 0.0, min(top, PLOT_LIMIT))


TICK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000,
              200_000, 500_000, 1_000_000)


def step_tick_spacing(px_per_step: float, min_px: float = 40.0) -> int:
    """The smallest of 1, 2, 5, 10, ... steps between labelled ticks that leaves `min_px` pixels per
    label, so an axis w pixels wide never gets more than w / min_px ticks whatever T is."""
    if not (px_per_step > 0) or not math.isfinite(px_per_step):
        return TICK_STEPS[-1]
    for k in TICK_STEPS:
        if k * px_per_step >= min_px:
            return k
    return TICK_STEPS[-1]
