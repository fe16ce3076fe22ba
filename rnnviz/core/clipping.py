"""Gradient clipping, as in Pascanu et al. (norm) and min-char-rnn (element-wise)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CLIP_MODES = ("none", "norm", "value")
CLIP_TITLES = {"none": "no clipping", "norm": "norm clipping ‖g‖ ≤ θ", "value": "element-wise clipping to ±c"}


@dataclass(frozen=True)
class ClipResult:
    grads: dict            # the clipped gradients
    mode: str
    threshold: float
    norm_before: float     # global L2 norm over all parameters
    norm_after: float
    clipped: bool          # did clipping change anything


def _scaled_norm(grads: dict) -> tuple[float, float]:
    """(m, r) with ||g|| = m * r, m the largest |entry|: finite gradients near 1e200 square past the
    float range, so the sum of squares is taken over g / m. NaN anywhere gives (nan, 1), inf (inf, 1)."""
    flat = [np.abs(np.asarray(g, dtype=float)).ravel() for g in grads.values()]
    flat = np.concatenate(flat) if flat else np.zeros(0)
    if flat.size == 0:
        return 0.0, 0.0
    if np.isnan(flat).any():
        return float("nan"), 1.0
    m = float(flat.max())
    if m == 0.0 or not np.isfinite(m):
        return m, 1.0
    return m, float(np.sqrt(np.sum(np.square(flat / m))))


def global_norm(grads: dict) -> float:
    m, r = _scaled_norm(grads)
    return m * r  # inf only when the norm itself is beyond the float range


def clip_gradients(grads: dict, mode: str = "none", threshold: float = 5.0) -> ClipResult:
    """norm: g <- g * theta / ||g|| when ||g|| > theta (one scale for all parameters);
    value: every entry clipped to [-c, c]. Non-finite gradients stay non-finite under norm clipping
    (there is no meaningful direction) and become ±c under element-wise clipping (NaN stays NaN)."""
    if mode not in CLIP_MODES:
        raise ValueError(f"unknown clipping {mode!r}; choose one of {', '.join(CLIP_MODES)}")
    if mode != "none" and (not np.isfinite(threshold) or threshold <= 0):
        raise ValueError(f"the clipping threshold must be a positive number, not {threshold}")
    m, r = _scaled_norm(grads)
    before = m * r
    if mode == "none":
        out = {k: v for k, v in grads.items()}
    elif mode == "norm":
        # threshold / ||g|| as (threshold / m) / r: finite even when ||g|| itself overflows
        scale = (threshold / m) / r if np.isfinite(m) and before > threshold else 1.0
        out = {k: v * scale for k, v in grads.items()}
    else:
        out = {k: np.clip(v, -threshold, threshold) for k, v in grads.items()}
    after = global_norm(out)
    changed = any(not np.array_equal(out[k], grads[k], equal_nan=True) for k in grads)
    return ClipResult(out, mode, float(threshold), before, after, changed)


def clip_in_place(grads: dict, mode: str = "none", threshold: float = 5.0) -> tuple[float, bool]:
    """clip_gradients for training: the same rules, applied to `grads` in place, at the cost of one
    dot product per array. Returns (global norm before clipping, whether clipping changed anything)."""
    with np.errstate(over="ignore", invalid="ignore"):
        sq = 0.0
        for g in grads.values():
            v = g.reshape(-1)
            sq += float(np.dot(v, v))
        norm = math.sqrt(sq) if math.isfinite(sq) else math.nan
    if not math.isfinite(norm) or (norm == 0.0 and any(np.any(g) for g in grads.values())):
        norm = global_norm(grads)                   # over- or underflow of the squares: scaled instead
    if mode == "none":
        return norm, False
    if mode == "norm":
        if not (math.isfinite(norm) and norm > threshold):
            return norm, False
        scale = threshold / norm
        for g in grads.values():
            g *= scale
        return norm, True
    clipped = False
    for g in grads.values():
        if not clipped and (np.max(np.abs(g)) > threshold if g.size else False):
            clipped = True
        np.clip(g, -threshold, threshold, out=g)     # min-char-rnn's own line
    return norm, clipped
