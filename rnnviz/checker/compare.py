"""Where a student's numbers and ours part: the first step, quantity and unit, in the order the
function computes them (forward: step 1 onwards; BPTT: from the last step back).

Each function's result is read as named parts (PARTS): arrays compared with a tolerance of
RTOL relative / ATOL absolute; parts marked "steps" hold one column per time step (last axis), and
the first step at which any of them differs is reported; structure (a tuple's length, a dictionary's
keys, an array's shape) is checked first, with its own message.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RTOL, ATOL = 1e-6, 1e-9

# (name shown, path into the result, kind): kind "steps" (last axis = time, forward order), "back"
# (last axis = time, BPTT order), "caches" (the list of step caches), or "" (one array)
_RNN_CACHE = (("a_next", 0), ("a_prev", 1), ("xt", 2))
_LSTM_CACHE = (("a_next", 0), ("c_next", 1), ("a_prev", 2), ("c_prev", 3), ("ft", 4), ("it", 5), ("cct", 6),
               ("ot", 7), ("xt", 8))
PARTS = {
    "rnn_cell_forward": [("a_next", (0,), ""), ("yt_pred", (1,), "")]
    + [(f"cache[{i}] ({n})", (2, i), "") for n, i in _RNN_CACHE],
    "rnn_forward": [("a", (0,), "steps"), ("y_pred", (1,), "steps"), ("caches", (2, 0), "caches")],
    "rnn_cell_backward": [(k, (k,), "") for k in ("dxt", "da_prev", "dWax", "dWaa", "dba")],
    "rnn_backward": [("dx", ("dx",), "back")] + [(k, (k,), "") for k in ("da0", "dWax", "dWaa", "dba")],
    "lstm_cell_forward": [("a_next", (0,), ""), ("c_next", (1,), ""), ("yt_pred", (2,), "")]
    + [(f"cache[{i}] ({n})", (3, i), "") for n, i in _LSTM_CACHE],
    "lstm_forward": [("c", (2,), "steps"), ("a", (0,), "steps"), ("y", (1,), "steps"), ("caches", (3, 0), "caches")],
    "lstm_cell_backward": [(k, (k,), "") for k in ("dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWi", "dbi",
                                                   "dWc", "dbc", "dWo", "dbo")],
    "lstm_backward": [("dx", ("dx",), "back")] + [(k, (k,), "") for k in ("da0", "dWf", "dbf", "dWi", "dbi",
                                                                          "dWc", "dbc", "dWo", "dbo")],
}
CACHE_FIELDS = {"rnn_forward": _RNN_CACHE, "lstm_forward": _LSTM_CACHE}


@dataclass
class Difference:
    quantity: str                 # "a⟨3⟩", "dWaa", "caches[2][1] (a_prev)", or what is structurally wrong
    step: int | None = None       # 1-based, where the function works step by step
    unit: tuple | None = None     # the entry's index in that array (unit, example)
    theirs: float | None = None
    ours: float | None = None
    structure: bool = False       # a shape / key / length problem rather than a number
    path: tuple = ()              # where the array is inside the result (for showing its values)
    index: tuple = ()             # the entry's full index in that array (the step last where there is one)

    def text(self) -> str:
        if self.structure:
            return self.quantity
        where = f" at unit {self.unit[0] + 1}" if self.unit else ""
        if self.unit and len(self.unit) > 1:
            where += f", example {self.unit[1] + 1}"
        return f"{self.quantity}{where}: yours {self.theirs:.6g}, ours {self.ours:.6g}"


class Mismatch(Exception):
    def __init__(self, diff: Difference):
        self.diff = diff


def _get(obj, path, what: str):
    for k in path:
        if isinstance(k, str):
            if not isinstance(obj, dict):
                raise Mismatch(Difference(f"{what}: expected a dictionary, got {type(obj).__name__}", structure=True))
            if k not in obj:
                raise Mismatch(Difference(f"the key {k!r} is missing (have {', '.join(map(repr, obj)) or 'none'})",
                                          structure=True))
        else:
            if not isinstance(obj, (tuple, list)) or len(obj) <= k:
                n = len(obj) if isinstance(obj, (tuple, list)) else None
                got = f"a {type(obj).__name__} of {n}" if n is not None else type(obj).__name__
                raise Mismatch(Difference(f"{what}: expected item {k} of a tuple, got {got}", structure=True))
        obj = obj[k]
    return obj


def _real(v):
    """v as an array; complex values with no imaginary part as their real part (a complex one with
    an imaginary part was cast to real with a ComplexWarning on stderr, and passed)."""
    a = np.asarray(v)
    if np.iscomplexobj(a):
        if np.any(a.imag != 0):
            return None
        a = a.real
    return a


def _array(v, name: str, like: np.ndarray) -> np.ndarray:
    try:
        real = _real(v)
        if real is None:
            raise Mismatch(Difference(f"{name} holds complex numbers; the notes' values are real", structure=True))
        a = np.asarray(real, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mismatch(Difference(f"{name} is not an array of numbers ({type(v).__name__})", structure=True)) from None
    if a.shape != like.shape:
        raise Mismatch(Difference(f"{name} has shape {a.shape}, expected {like.shape}", structure=True))
    return a


def _bad(theirs: np.ndarray, ours: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.isclose(theirs, ours, rtol=RTOL, atol=ATOL * max(1.0, float(np.nanmax(np.abs(ours))) if ours.size else 1.0))
    return ~ok


def _first(mask: np.ndarray, backward: bool = False) -> tuple:
    idx = np.argwhere(mask)
    if backward and idx.shape[1] >= 1:
        idx = idx[np.lexsort((idx[:, 0], -idx[:, -1]))]     # the latest step first: BPTT's order
    elif idx.shape[1] >= 1:
        idx = idx[np.lexsort(tuple(idx[:, k] for k in range(idx.shape[1] - 1)) + (idx[:, -1],))]
    return tuple(int(i) for i in idx[0])


def first_difference(function: str, theirs, ours) -> Difference | None:
    """None when every part agrees; else the first place where they part."""
    try:
        return _first_difference(function, theirs, ours)
    except Mismatch as m:
        return m.diff


def _first_difference(function, theirs, ours):
    if isinstance(ours, tuple) and (not isinstance(theirs, (tuple, list)) or len(theirs) != len(ours)):
        n = len(theirs) if isinstance(theirs, (tuple, list)) else None
        kind = type(theirs).__name__
        got = f"{n} values" if n is not None else f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"
        return Difference(f"{function} should return {len(ours)} values, it returned {got}", structure=True)
    steps: list[tuple[int, int, Difference]] = []
    for order, (name, path, kind) in enumerate(PARTS[function]):
        o = _get(ours, path, name)
        t = _get(theirs, path, name)
        if kind == "caches":
            d = _caches(function, t, o, name)
            if d is not None:
                steps.append((d.step - 1, order, d))
            continue
        o = np.asarray(o, dtype=np.float64)
        t = _array(t, name, o)
        bad = _bad(t, o)
        if not bad.any():
            continue
        i = _first(bad, backward=(kind == "back"))
        if kind in ("steps", "back"):
            d = Difference(f"{name}⟨{i[-1] + 1}⟩", i[-1] + 1, i[:-1], float(t[i]), float(o[i]), path=path, index=i)
            if kind == "back":
                return d                       # nothing is computed before BPTT's first wrong step
            steps.append((i[-1], order, d))
        else:
            if steps:
                break
            return Difference(name, None, i, float(t[i]), float(o[i]), path=path, index=i)
    if steps:
        return min(steps, key=lambda s: (s[0], s[1]))[2]
    return None


def _caches(function, theirs, ours, name):
    fields, base = CACHE_FIELDS[function], dict((n, p) for n, p, _ in PARTS[function])[name]
    if not isinstance(theirs, (list, tuple)) or len(theirs) != len(ours):
        n = len(theirs) if isinstance(theirs, (list, tuple)) else type(theirs).__name__
        return Difference(f"{name}: expected a list of {len(ours)} step caches, got {n}", step=1, structure=True)
    for t, (tc, oc) in enumerate(zip(theirs, ours)):
        for field, k in fields:
            label = f"caches[0][{t}][{k}] ({field})"
            o = np.asarray(_get(oc, (k,), label), dtype=np.float64)
            v = _array(_get(tc, (k,), label), label, o)
            bad = _bad(v, o)
            if bad.any():
                i = _first(bad)
                return Difference(label, t + 1, i, float(v[i]), float(o[i]), path=base + (t, k), index=i)
    return None


def largest_difference(theirs, ours) -> float:
    """The largest |difference| over every array both results hold at the same place (nan if none)."""
    best = [float("nan")]

    def walk(a, b):
        if isinstance(b, np.ndarray):
            try:
                x = np.asarray(a)
                x = x if np.iscomplexobj(x) else np.asarray(x, dtype=np.float64)
            except (TypeError, ValueError):
                return
            if x.shape == b.shape and x.size:
                with np.errstate(invalid="ignore", over="ignore"):
                    d = np.abs(x - b)
                # NaN where ours is a number is an infinite difference (nanmax skipped it, and warned
                # on stderr when all of them were NaN); NaN on both sides is none
                both = np.isnan(x) & np.isnan(b)
                d = np.where(np.isnan(d) & ~both, np.inf, d)[~both]
                if d.size:
                    m = float(d.max())
                    best[0] = m if np.isnan(best[0]) else max(best[0], m)
        elif isinstance(b, dict) and isinstance(a, dict):
            for k in b:
                if k in a:
                    walk(a[k], b[k])
        elif isinstance(b, (tuple, list)) and isinstance(a, (tuple, list)):
            for x, y in zip(a, b):
                walk(x, y)

    walk(theirs, ours)
    return best[0]
