"""The student's values beside ours on the unrolled graph (File ▸ Check my implementation… on the
window's own sequence): the Overlay, made once per check and per trace from AppState.student, and
the lines it adds to the nodes' tooltips. student_paint.py draws it.

Where the student's rnn_forward parts from ours, the a⟨t⟩ and ŷ⟨t⟩ nodes of the failing steps (and
of the cursor's step, so that stepping moves through both side by side) show ours above theirs, unit
under unit; in the backward pass the x⟨t⟩ nodes show rnn_backward's dx⟨t⟩ the same way.

Nothing here grows faster than T x units: the overlay keeps the two (n, T) series and which entries
differ; colours are made for the nodes painted (at most 32 bins each).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rnnviz.app import colors, numfmt
from rnnviz.app.views.graph.data import N_STRIP, lut_rgba

ROWS = {"a": "a", "ŷ": "y", "dx": "x"}          # the checker's step quantities -> the graph's rows
_TOKENS = itertools.count(1)


@dataclass
class Part:
    """One row's student values (one example, every step) and their colours."""
    key: str                     # the graph row
    name: str                    # "a", "ŷ", "dx"
    function: str                # "rnn_forward"
    backward: bool               # shown in the backward pass (dx) or the forward one (a, ŷ)
    ours: np.ndarray             # (n, T)
    theirs: np.ndarray           # (n, T)
    differs: np.ndarray          # (n, T) bool
    bad_step: np.ndarray         # (T,) bool: some unit differs at this step
    edges: np.ndarray            # (K + 1,) the units of each colour bin: edges[k] .. edges[k + 1] - 1
    cmap: str                    # "diverging" (symmetric `lim`) or "sequential" (each step 0 .. lim[t])
    lim: object

    @property
    def K(self) -> int:
        return len(self.edges) - 1

    def colours(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(K, 4) uint8 colours of ours and theirs at step t: each bin's first unit (made per painted
        node, so a new check or trace costs no colouring of every step)."""
        first = self.edges[:-1]
        lim = self.lim[t] if self.cmap == "sequential" else self.lim
        out = []
        for v in (self.ours[first, t], self.theirs[first, t]):
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                out.append(lut_rgba(self.cmap, v / lim if self.cmap == "sequential" else (v / lim + 1.0) / 2.0))
        return out[0], out[1]

    def bins_bad(self, t: int) -> np.ndarray:
        """(K,) bool: some unit of the bin differs at step t."""
        return np.logical_or.reduceat(self.differs[:, t], self.edges[:-1])


@dataclass
class Overlay:
    source: str                  # the file's name
    parts: dict                  # (row key, backward) -> Part
    failing: dict                # backward -> (T,) bool: a part of that pass differs at the step
    token: int                   # a new overlay, a new token (the column cache's key)

    def part(self, key: str, backward: bool) -> Part | None:
        return self.parts.get((key, backward))

    def first(self, backward: bool) -> int | None:
        """The first failing step (0-based) in the order the pass computes them, or None."""
        idx = np.flatnonzero(self.failing[backward])
        if not idx.size:
            return None
        return int(idx[-1] if backward else idx[0])


def _bins(n: int) -> np.ndarray:
    return np.unique(np.linspace(0, n, min(n, N_STRIP) + 1).astype(int))


def _matches(ours: np.ndarray, shown: np.ndarray) -> bool:
    """Whether the checker's reference is what the graph shows (else the results are of another trace)."""
    return ours.shape == shown.shape and bool(np.allclose(ours, shown, rtol=1e-9, atol=1e-12, equal_nan=True))


def build(results, data) -> Overlay | None:
    """The overlay of AppState.student (an OnWindow list, or None) on GraphData `data`, or None when
    there is nothing of theirs to show on this trace (no failing step-by-step function, another model,
    results of another sequence)."""
    from rnnviz.checker.values import step_series

    if not results or data is None or not data.spec.single or data.spec.cell != "rnn":
        return None
    tr = data.trace
    example = int(tr.extras.get("example", 0))
    parts = {}
    for s in step_series(results, example):
        row = data.spec.find(ROWS.get(s.name, ""))
        if row is None or s.ours.shape[1] != data.T:
            continue
        if s.name == "a":
            if not _matches(s.ours, data.states[row.key].values):
                return None
            cmap, lim = "diverging", data.states[row.key].limit
        elif s.name == "ŷ":
            if not _matches(s.ours, data.y_hat0):
                return None
            finite = lambda v: np.abs(np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0))   # noqa: E731
            lim = np.maximum(finite(s.ours).max(axis=0), finite(s.theirs).max(axis=0))
            cmap, lim = "sequential", np.where(lim > 0, lim, 1.0)    # each step 0 .. its likeliest output
        else:
            if s.ours.shape[0] != tr.n_x:
                return None
            cmap, lim = "diverging", colors.signed_limit(s.ours)
        if not s.ours.size:
            continue
        parts[row.key, s.phase == "backward"] = Part(
            row.key, s.name, s.function, s.phase == "backward", s.ours, s.theirs, s.differs,
            s.differs.any(axis=0), _bins(s.ours.shape[0]), cmap, lim)
    if not parts:
        return None
    failing = {b: np.zeros(data.T, bool) for b in (False, True)}
    for (_key, b), p in parts.items():
        failing[b] |= p.bad_step
    return Overlay(str(getattr(results, "source", "") or "your file"), parts, failing, next(_TOKENS))


# ------------------------------------------------------------------------------------------ tooltips
def _values(v: np.ndarray, units: np.ndarray) -> str:
    return ", ".join(f"{numfmt.short(float(v[u]), 4)}" for u in units)


def tooltip(ov: Overlay | None, key: str, t: int, backward: bool) -> str:
    """The lines the node's tooltip gets: theirs and ours at this step, which units differ."""
    part = ov.part(key, backward) if ov is not None else None
    if part is None or not 0 <= t < part.ours.shape[1]:
        return ""
    n, s = part.ours.shape[0], t + 1
    o, th, bad = part.ours[:, t], part.theirs[:, t], np.flatnonzero(part.differs[:, t])
    head = f"{part.name}⟨{s}⟩ from your {part.function} ({ov.source}):"
    if n <= 10:
        units = np.arange(n)
        lines = [head, f"  ours  [{_values(o, units)}]", f"  yours [{_values(th, units)}]"]
    else:
        units = bad[:6]
        lines = [head] + [f"  unit {u + 1}: ours {numfmt.short(float(o[u]), 4)}, yours {numfmt.short(float(th[u]), 4)}"
                          for u in units]
    if bad.size:
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(th - o)
        worst = int(bad[np.nanargmax(diff[bad])]) if np.isfinite(diff[bad]).any() else int(bad[0])
        which = ", ".join(str(u + 1) for u in bad[:12]) + (", …" if bad.size > 12 else "")
        lines.append(f"{bad.size} of {n} differ (unit{'s' if bad.size > 1 else ''} {which}); the largest "
                     f"|yours − ours| = {numfmt.short(float(diff[worst]), 3)} at unit {worst + 1}")
    else:
        lines.append("yours is the same as ours at this step (to 1e-6)")
    return "\n".join(lines)
