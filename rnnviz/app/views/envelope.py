"""Envelope: what a plot of a growing series draws, in work that does not grow with the series.

The training plots get one row per update, up to 10^5 and more, some 30 times a second. Handing
pyqtgraph the whole series each frame costs time in proportion to its length (its bounds, finite
checks and downsampling run over every row, and so did our log10 and percentile), so a long run
slowed every frame of the window. An Envelope keeps a min/max pyramid of the series instead: level k
holds, per bucket of 2**k rows, the smallest and largest finite value (NaN where a bucket has none).

    Envelope(np.log10)      the values as drawn on a log axis (zeros and non-finite values: gaps)
    env.update(values)      the whole series as it is now; only the rows since the last call are
                            folded in (a series that changed otherwise, a new run, is read afresh)
    env.curve(x0, x1, px)   x and y to draw for rows x0..x1 (1-based, as the plots' "update" axis) on
                            px pixels: each bucket of the finest level with at most ~1 bucket per
                            pixel as its minimum then its maximum (the peak method), so every spike
                            and dip still shows; at one row per pixel or fewer, the rows themselves
    env.lo, env.hi          the smallest and largest finite value of the whole series (NaN if none)

NumPy only; the work of a call is proportional to the new rows plus the pixels.
"""
from __future__ import annotations

import math

import numpy as np


def _grown(a: np.ndarray, n: int) -> np.ndarray:
    """`a` with room for at least n values (doubling), its contents kept."""
    if n <= a.size:
        return a
    out = np.empty(max(n, 2 * a.size, 64))
    out[:a.size] = a
    return out


class Envelope:
    def __init__(self, transform=None):
        """transform: applied to the values as they come (np.log10 for a log axis), row by row."""
        self.transform = transform
        self.n = 0
        self._raw = np.empty(0)
        self._mins: list[np.ndarray] = []     # level k >= 1: per complete bucket of 2**k rows
        self._maxs: list[np.ndarray] = []
        self._probe: tuple = ()               # (index, value) of rows read before: has the series changed?

    # ------------------------------------------------------------------ feeding
    def update(self, values) -> None:
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        if v.size < self.n or not self._same_start(v):
            self.__init__(self.transform)
        if v.size > self.n:
            self._append(v[self.n:])
        self._probe = tuple((i, float(v[i])) for i in {0, self.n // 2, self.n - 1}) if self.n else ()

    def _same_start(self, v: np.ndarray) -> bool:
        return all(v[i] == x or (math.isnan(x) and math.isnan(v[i])) for i, x in self._probe)

    def _append(self, new: np.ndarray) -> None:
        old = self.n
        self.n = n = old + new.size
        self._raw = _grown(self._raw, n)
        seg = self._raw[old:n]
        if self.transform is None:
            seg[:] = new
        else:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                seg[:] = self.transform(new)
        seg[~np.isfinite(seg)] = np.nan
        lo_below, hi_below = self._raw, self._raw
        k = 1
        while n >> k:
            if len(self._mins) < k:
                self._mins.append(np.empty(0))
                self._maxs.append(np.empty(0))
            had, has = old >> k, n >> k
            if has > had:
                mins, maxs = _grown(self._mins[k - 1], has), _grown(self._maxs[k - 1], has)
                with np.errstate(invalid="ignore"):
                    mins[had:has] = np.fmin(lo_below[2 * had:2 * has:2], lo_below[2 * had + 1:2 * has:2])
                    maxs[had:has] = np.fmax(hi_below[2 * had:2 * has:2], hi_below[2 * had + 1:2 * has:2])
                self._mins[k - 1], self._maxs[k - 1] = mins, maxs
            lo_below, hi_below = self._mins[k - 1], self._maxs[k - 1]
            k += 1

    # ------------------------------------------------------------------ reading
    @property
    def lo(self) -> float:
        return self._extreme(np.fmin, np.nanmin)

    @property
    def hi(self) -> float:
        return self._extreme(np.fmax, np.nanmax)

    def _extreme(self, pair, whole) -> float:
        """From the top level's few buckets and the rows after them: constant work."""
        if not self.n:
            return math.nan
        k = len(self._mins)
        if k:
            top = (self._mins if pair is np.fmin else self._maxs)[k - 1][:self.n >> k]
            vals = np.concatenate([top, self._raw[(self.n >> k) << k:self.n]])
        else:
            vals = self._raw[:self.n]
        with np.errstate(invalid="ignore"):
            return float(whole(vals)) if np.isfinite(vals).any() else math.nan

    def values(self) -> np.ndarray:
        """The series as read (non-finite values as NaN)."""
        return self._raw[:self.n]

    def curve(self, x0: float, x1: float, px: float) -> tuple[np.ndarray, np.ndarray]:
        """What to draw of rows x0..x1 (1-based, clipped to the series) on a plot px pixels wide."""
        n = self.n
        first = max(0, min(n, int(math.floor(x0)) - 2))         # 0-based rows, a row beyond each edge
        last = max(first, min(n, int(math.ceil(x1)) + 1))
        rows = last - first
        k = 0 if px < 1 or rows <= px else min(len(self._mins), math.ceil(math.log2(rows / px)))
        if k == 0:
            return np.arange(first + 1, last + 1, dtype=np.float64), self._raw[first:last].copy()
        size = 1 << k
        b0, b1 = first >> k, min(last >> k, n >> k)                     # complete buckets in range
        mins, maxs = self._mins[k - 1][b0:b1], self._maxs[k - 1][b0:b1]
        tail = self._raw[b1 << k:last] if last > (b1 << k) else np.empty(0)   # the newest rows' bucket
        if tail.size:
            with np.errstate(invalid="ignore"):
                lo = np.nanmin(tail) if np.isfinite(tail).any() else math.nan
                hi = np.nanmax(tail) if np.isfinite(tail).any() else math.nan
            mins, maxs = np.r_[mins, lo], np.r_[maxs, hi]
        m = mins.size
        centres = (b0 + np.arange(m)) * size + (size + 1) / 2                 # 1-based row of the centre
        if tail.size:
            centres[-1] = (b1 << k) + (tail.size + 1) / 2
        x = np.repeat(centres, 2)
        y = np.empty(2 * m)
        y[0::2], y[1::2] = mins, maxs
        return x, y
