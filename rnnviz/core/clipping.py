"""Gradient clipping, as in Pascanu et al. (norm) and min-char-rnn (element-wise)."""
from __future__ import annotations

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


def global_norm(grads: dict) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))


def clip_gradients(grads: dict, mode: str = "none", threshold: float = 5.0) -> ClipResult:
    """norm: g <- g * theta / ||g|| when ||g|| > theta (one scale for all parameters);
    value: every entry clipped to [-c, c]. Non-finite gradients stay non-finite under norm clipping
    (there is no meaningful direction) and become ±c under element-wise clipping (NaN stays NaN)."""
    if mode not in CLIP_MODES:
        raise ValueError(f"unknown clipping {mode!r}; choose one of {', '.join(CLIP_MODES)}")
    if mode != "none" and (not np.isfinite(threshold) or threshold <= 0):
        raise ValueError(f"the clipping threshold must be a positive number, not {threshold}")
    before = global_norm(grads)
    if mode == "none":
        out = {k: v for k, v in grads.items()}
    elif mode == "norm":
        scale = threshold / before if np.isfinite(before) and before > threshold else 1.0
        out = {k: v * scale for k, v in grads.items()}
    else:
        out = {k: np.clip(v, -threshold, threshold) for k, v in grads.items()}
    after = global_norm(out)
    changed = any(not np.array_equal(out[k], grads[k], equal_nan=True) for k in grads)
    return ClipResult(out, mode, float(threshold), before, after, changed)
