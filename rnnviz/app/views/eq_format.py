"""Numbers and vectors for the equation panels: one place that writes them (via rnnviz.app.numfmt)."""
from __future__ import annotations

import math

import numpy as np

from rnnviz.app import numfmt

FULL = 8      # vectors up to this size are shown whole
LEAD = 5      # leading entries shown for longer ones


def num(v: float, danger: str) -> str:
    text = numfmt.short(v, 4)
    return text if math.isfinite(v) else f'<b style="color:{danger}">{text}</b>'


def norm(v: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.linalg.norm(np.asarray(v, dtype=float)))


def vec(v: np.ndarray, danger: str) -> str:
    """[0.12, −0.5, …] whole for short vectors; ‖v‖ and the leading entries for long ones."""
    v = np.asarray(v, dtype=float).ravel()
    if v.size <= FULL:
        return "[" + ", ".join(num(x, danger) for x in v) + "]"
    lead = ", ".join(num(x, danger) for x in v[:LEAD])
    return f"‖·‖ = {num(norm(v), danger)} &nbsp; [{lead}, … {v.size - LEAD} more]"


def sup(t: int) -> str:
    return f"⟨{t}⟩"
