"""Colour maps and palettes shared by every view (all colour-blind safe).

signed values (a<t>, z<t>, weights)  -> DIVERGING  CET-CBD1 (blue - white - gold), centred on 0
probabilities                         -> SEQUENTIAL viridis, 0..1
gradient magnitudes                   -> MAGNITUDE  inferno, on a log10 scale shared by all steps
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

DIVERGING_NAME = "CET-CBD1"
SEQUENTIAL_NAME = "viridis"
MAGNITUDE_NAME = "inferno"


def diverging() -> pg.ColorMap:
    return pg.colormap.get(DIVERGING_NAME)


def sequential() -> pg.ColorMap:
    return pg.colormap.get(SEQUENTIAL_NAME)


def magnitude() -> pg.ColorMap:
    return pg.colormap.get(MAGNITUDE_NAME)


SIGNED_LIMIT_MAX = 1e300


def signed_limit(values: np.ndarray, floor: float = 1e-12) -> float:
    """Symmetric colour range ±limit for signed data (ignores inf/NaN).

    At most SIGNED_LIMIT_MAX: the span 2·limit must stay finite, or colour bars can't place ticks
    (values past it show as the extreme colour, like ±inf).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 1.0
    return min(max(float(np.max(np.abs(v))), floor), SIGNED_LIMIT_MAX)


def log_range(values: np.ndarray, decades_min: float = 1.0) -> tuple[float, float]:
    """(lo, hi) in log10 units for positive magnitudes, spanning at least `decades_min` decades."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (-1.0, 0.0)
    lo, hi = math.log10(float(v.min())), math.log10(float(v.max()))
    if hi - lo < decades_min:
        mid = 0.5 * (hi + lo)
        lo, hi = mid - decades_min / 2, mid + decades_min / 2
    return lo, hi


def categorical(n: int) -> np.ndarray:
    """(n, 4) uint8: n distinct colours for unordered categories (characters), hues a golden angle apart."""
    out = np.empty((max(n, 0), 4), dtype=np.uint8)
    for i in range(n):
        c = QColor.fromHsvF((i * 0.381966) % 1.0, 0.55 if i % 2 else 0.75, 0.80 if i % 3 else 0.62)
        out[i] = (c.red(), c.green(), c.blue(), 255)
    return out


def qcolor(cmap: pg.ColorMap, x: float) -> QColor:
    """Colour at x in [0, 1] (clamped; NaN gives grey)."""
    if not math.isfinite(x):
        return QColor(150, 150, 150)
    r, g, b, a = cmap.map(min(max(x, 0.0), 1.0), mode="byte")
    return QColor(int(r), int(g), int(b), int(a))


@dataclass(frozen=True)
class Palette:
    background: str
    panel: str
    foreground: str
    muted: str          # secondary text, dimmed (not yet reached) items
    grid: str
    accent: str         # the cursor / current step (visible on both colour maps)
    forward: str        # forward-pass highlight
    backward: str       # gradient pulse
    danger: str         # overflow / non-finite
    target: str         # the correct answer's marker


LIGHT = Palette("#ffffff", "#f4f5f7", "#1d2228", "#8a9099", "#d9dde3",
                "#d4006a", "#0b6bcb", "#e66100", "#b00020", "#009e73")
DARK = Palette("#1e2126", "#262a30", "#e8eaed", "#8b929c", "#3a4048",
               "#ff4fa3", "#5aa9ff", "#ffa94d", "#ff6b6b", "#3fd6a6")


def palette(theme: str) -> Palette:
    return DARK if theme == "dark" else LIGHT
