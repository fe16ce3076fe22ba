"""The student's numbers beside ours where a function fails: the column of the differing quantity (every
unit of one example at one step), with the entries that differ marked, and the same column at any
other step of a quantity that goes step by step (so stepping moves through both side by side).

Qt-free: the window's results panel renders what column() returns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare import ATOL, CACHE_FIELDS, RTOL, _bad

MAX_ROWS = 64          # units shown at once (the differing one always among them)


@dataclass
class Column:
    title: str                  # "a⟨3⟩, example 2" / "dWaa, column 4"
    units: np.ndarray           # (k,) 0-based unit numbers shown
    ours: np.ndarray            # (k,)
    theirs: np.ndarray          # (k,)
    differs: np.ndarray         # (k,) bool
    n_units: int                # how many there are in all (k may be fewer)
    step: int | None = None     # 1-based step shown, where the quantity goes step by step
    steps: int | None = None    # how many steps there are (T)
    first_step: int | None = None   # the first step where they part


def _get(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def column(function: str, diff, theirs, ours, step: int | None = None, example: int | None = None
           ) -> Column | None:
    """The column around `diff` (a compare.Difference) at `step` (1-based; None: the failing step) for
    `example` (0-based; None: the failing one), or None where there is nothing numeric to show (a
    structure problem)."""
    if diff is None or diff.structure or not diff.index:
        return None
    try:
        if function in CACHE_FIELDS and len(diff.path) == 4:       # caches[0][t][k]: one array per step
            return _cache_column(diff, theirs, ours, step, example)
        o = np.asarray(_get(ours, diff.path), dtype=np.float64)
        t = np.asarray(_get(theirs, diff.path), dtype=np.float64)
    except (IndexError, KeyError, TypeError, ValueError):
        return None
    if t.shape != o.shape:
        return None
    idx = diff.index
    name = _base(diff.quantity)
    if o.ndim == 3:                                  # (n, m, T): one example at one step
        T = o.shape[2]
        s = diff.step if step is None else min(max(int(step), 1), T)
        j = idx[1] if example is None or not 0 <= example < o.shape[1] else example
        return _make(f"{name}⟨{s}⟩, example {j + 1}", o[:, j, s - 1], t[:, j, s - 1], idx[0], s, T, diff.step)
    if o.ndim == 2:
        j = idx[1]
        what = "example" if name in _BATCHED else "column"
        return _make(f"{name}, {what} {j + 1}", o[:, j], t[:, j], idx[0])
    return _make(name, o.ravel(), t.ravel(), idx[0] if idx else 0)


# the 2-D results whose second axis is the batch (the rest are weight gradients)
_BATCHED = {"a_next", "yt_pred", "c_next", "dxt", "da_prev", "dc_prev", "da0"}


def _base(quantity: str) -> str:
    return quantity.split("⟨")[0]


def _cache_column(diff, theirs, ours, step, example=None):
    base, k = diff.path[:2], diff.path[3]
    o_steps, t_steps = _get(ours, base), _get(theirs, base)
    T = len(o_steps)
    s = diff.step if step is None else min(max(int(step), 1), T)
    o = np.asarray(o_steps[s - 1][k], dtype=np.float64)
    t = np.asarray(t_steps[s - 1][k], dtype=np.float64)
    if t.shape != o.shape or o.ndim != 2:
        return None
    j = diff.index[1] if len(diff.index) > 1 else 0
    if example is not None and 0 <= example < o.shape[1]:
        j = example
    field = diff.quantity.split("(")[-1].rstrip(")")
    return _make(f"caches[0][{s - 1}][{k}] ({field}), example {j + 1}", o[:, j], t[:, j], diff.index[0],
                 s, T, diff.step)


def _make(title, o, t, unit, step=None, steps=None, first=None) -> Column:
    n = o.shape[0]
    lo = 0 if n <= MAX_ROWS else min(max(unit - MAX_ROWS // 2, 0), n - MAX_ROWS)
    sl = slice(lo, min(lo + MAX_ROWS, n))
    bad = _bad(t[sl], o[sl]) if n else np.zeros(0, bool)
    return Column(title, np.arange(n)[sl], o[sl], t[sl], bad, n, step, steps, first)


# ---- the student's numbers at one step of the window's own sequence (the Equations panel) ----------
# function -> [(label at step s, path into the result, pass: "forward" | "backward")]
STEP_PARTS = {
    "rnn_forward": [("a⟨{s}⟩", (0,), "forward"), ("ŷ⟨{s}⟩", (1,), "forward")],
    "rnn_backward": [("dx⟨{s}⟩", ("dx",), "backward")],
    "lstm_forward": [("a⟨{s}⟩", (0,), "forward"), ("c⟨{s}⟩", (2,), "forward"), ("ŷ⟨{s}⟩", (1,), "forward")],
    "lstm_backward": [("dx⟨{s}⟩", ("dx",), "backward")],
}
# where a forward function's list of step caches is in its result (compare.CACHE_FIELDS names the entries)
CACHES_AT = {"rnn_forward": (2, 0), "lstm_forward": (3, 0)}


@dataclass
class StepRow:
    function: str
    label: str                  # "a⟨3⟩"
    ours: np.ndarray            # (n,) one example at one step
    theirs: np.ndarray
    differs: np.ndarray         # (n,) bool


@dataclass
class StepSeries:
    """A failing function's step-by-step quantity for one example, at every step (the graph's overlay)."""
    function: str
    name: str                   # "a", "ŷ", "dx"
    phase: str                  # "forward" | "backward": the pass whose steps show it
    ours: np.ndarray            # (n, T)
    theirs: np.ndarray          # (n, T)
    differs: np.ndarray         # (n, T) bool, as step_rows marks them (each step on its own scale)
    cache: bool = False         # an entry of the step caches ("ft", "a_prev", ...), not a returned array


def step_series(results, example: int) -> list[StepSeries]:
    """Every step of `example` (0-based) of the step-by-step quantities of the failing functions among
    `results` (FunctionResult on the window's sequence)."""
    out = []
    for r in results or ():
        if r.status != "fail" or r.function not in STEP_PARTS:
            continue
        for label, path, pass_ in STEP_PARTS[r.function]:
            try:
                o = np.asarray(_get(r.ours, path), dtype=np.float64)
                th = np.asarray(_get(r.theirs, path), dtype=np.float64)
            except (IndexError, KeyError, TypeError, ValueError):
                continue
            if o.shape != th.shape or o.ndim != 3 or not 0 <= example < o.shape[1]:
                continue
            oc, tc = o[:, example, :], th[:, example, :]
            out.append(StepSeries(r.function, label.split("⟨")[0], pass_, oc, tc, _bad_columns(tc, oc)))
    return out


def cache_series(results, example: int) -> list[StepSeries]:
    """Every step of `example` of each entry of the failing forward functions' step caches (a_next,
    a_prev, xt; the LSTM's c_next, c_prev, ft, it, cct, ot): StepSeries named by the entry, phase
    "forward". An entry whose steps the student's caches do not hold as (n, m) arrays of our shapes is
    left out (compare.py reports that as a structure problem)."""
    out = []
    for r in results or ():
        if r.status != "fail" or r.function not in CACHES_AT:
            continue
        try:
            o_steps, t_steps = _get(r.ours, CACHES_AT[r.function]), _get(r.theirs, CACHES_AT[r.function])
        except (IndexError, KeyError, TypeError, ValueError):
            continue
        if not isinstance(t_steps, (list, tuple)) or len(t_steps) != len(o_steps) or not o_steps:
            continue
        for field, k in CACHE_FIELDS[r.function]:
            try:       # one example's column at each step (T x n, whatever the batch)
                o_cols, t_cols = [], []
                for oc, tc in zip(o_steps, t_steps):
                    o, th = np.asarray(oc[k]), np.asarray(tc[k])
                    if o.shape != th.shape or o.ndim != 2 or not 0 <= example < o.shape[1]:
                        raise ValueError
                    o_cols.append(o[:, example])
                    t_cols.append(th[:, example])
                oc = np.stack(o_cols, axis=-1).astype(np.float64)
                tc = np.stack(t_cols, axis=-1).astype(np.float64)
            except (IndexError, KeyError, TypeError, ValueError):
                continue
            out.append(StepSeries(r.function, field, "forward", oc, tc, _bad_columns(tc, oc), cache=True))
    return out


def _bad_columns(theirs: np.ndarray, ours: np.ndarray) -> np.ndarray:
    """compare._bad of each column (step) on its own: (n, T) bool."""
    with np.errstate(invalid="ignore", over="ignore"):
        big = np.nanmax(np.abs(ours), axis=0, initial=0.0) if ours.size else np.zeros(ours.shape[1:])
        atol = ATOL * np.maximum(1.0, np.where(np.isfinite(big), big, np.inf))
        return ~np.isclose(theirs, ours, rtol=RTOL, atol=atol[None, :])


def step_rows(results, t: int, example: int, phase: str) -> list[StepRow]:
    """The student's values beside ours at step t (0-based) of `example`, for the failing functions
    among `results` (FunctionResult on the window's sequence) that work step by step in this pass."""
    rows = []
    for s in step_series(results, example) + cache_series(results, example):
        if s.phase != phase or not 0 <= t < s.ours.shape[1] or (s.cache and not s.differs[:, t].any()):
            continue                  # a cache entry only where it differs (the rest are the arrays above)
        oc, tc = s.ours[:, t], s.theirs[:, t]
        label = f"caches[0][{t}] {s.name}" if s.cache else f"{s.name}⟨{t + 1}⟩"
        rows.append(StepRow(s.function, label, oc, tc, _bad(tc, oc)))
    return rows


class OnWindow(list):
    """The results on the window's sequence as AppState.student holds them: a list of FunctionResult
    that also names the file they came from (`source`, for the graph's legend)."""

    def __init__(self, results=(), source: str = ""):
        super().__init__(results)
        self.source = source
