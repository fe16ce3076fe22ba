"""The student's values beside ours on the unrolled graph (File ▸ Check my implementation… on the
window's own sequence): the Overlay, made once per check and per trace from AppState.student, and
the lines it adds to the nodes' tooltips. student_paint.py draws it.

Where the student's rnn_forward / lstm_forward parts from ours, the nodes of the failing steps (and
of the cursor's step, so that stepping moves through both side by side) show ours above theirs, unit
under unit: a⟨t⟩ and ŷ⟨t⟩, and for the LSTM c⟨t⟩ and its gates (the gate row's four boxes: each gate's
mean over the units, the gates with a differing unit marked; the tooltip has every unit). In the
backward pass the x⟨t⟩ nodes show rnn_backward's / lstm_backward's dx⟨t⟩ the same way.

A mistake that lives only in a forward cache entry (a_prev, c_prev, xt, a_next, c_next differing
from ours while the arrays they copy agree) has no node of its own: it is tagged on the node it feeds
(CACHE_NODES: a⟨t−1⟩ and x⟨t⟩ feed the LSTM's gates, c⟨t−1⟩ feeds c⟨t⟩; the RNN's all feed a⟨t⟩),
with its numbers in that node's tooltip. The results panel names it in full.

Nothing here grows faster than T x units: the overlay keeps the two (n, T) series and which entries
differ; colours are made for the nodes painted (at most 32 bins each).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rnnviz.app import colors
from rnnviz.app.views.graph.data import N_STRIP, lut_rgba
from rnnviz.app.views.graph.student_tips import tooltip  # noqa: F401  (the nodes' tooltips: view.py asks here)

ROWS = {"a": "a", "c": "c", "ŷ": "y", "dx": "x"}   # the checker's step quantities -> the graph's rows
GATE_FIELDS = {"ft": "f", "it": "i", "cct": "g", "ot": "o"}   # the LSTM's cache entries -> its gates
# a cache entry -> (the row of the node it feeds, the returned quantity it copies and at which lag)
CACHE_NODES = {
    "rnn_forward": {"a_next": ("a", "a", 0), "a_prev": ("a", "a", 1), "xt": ("a", None, 0)},
    "lstm_forward": {"a_next": ("a", "a", 0), "c_next": ("c", "c", 0), "a_prev": ("gates", "a", 1),
                     "c_prev": ("c", "c", 1), "xt": ("gates", None, 0)},
}
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
    cmap: str                    # "diverging" (symmetric `lim`), "sequential" (each step 0 .. lim[t]) or
    lim: object                  # "gates" (each bin one gate: σ 0 .. 1, c̃ −1 .. 1 as `signed` says)
    labels: tuple = ()           # the bins' names where they are not units (the gates: Γf Γu c̃ Γo)
    signed: tuple = ()           # "gates": which bins run −1 .. 1
    detail: dict = None          # "gates": label -> (ours, theirs, differs) (n_a, T) of every unit

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
                if self.cmap == "gates":
                    sg = np.asarray(self.signed, bool)
                    out.append(np.where(sg[:, None], lut_rgba("diverging", (v + 1.0) / 2.0), lut_rgba("sequential", v)))
                else:
                    out.append(lut_rgba(self.cmap, v / lim if self.cmap == "sequential" else (v / lim + 1.0) / 2.0))
        return out[0], out[1]

    def bins_bad(self, t: int) -> np.ndarray:
        """(K,) bool: some unit of the bin differs at step t."""
        return np.logical_or.reduceat(self.differs[:, t], self.edges[:-1])


@dataclass
class Note:
    """A forward cache entry that differs from ours on its own, tagged on the node it feeds."""
    name: str                    # "a_prev"
    function: str
    key: str                     # the graph row of the node it feeds
    ours: np.ndarray             # (n, T)
    theirs: np.ndarray
    differs: np.ndarray          # (n, T) bool
    bad_step: np.ndarray         # (T,) bool: it differs there and what it copies does not


@dataclass
class Overlay:
    source: str                  # the file's name
    parts: dict                  # (row key, backward) -> Part
    failing: dict                # backward -> (T,) bool: a part of that pass differs at the step
    token: int                   # a new overlay, a new token (the column cache's key)
    notes: dict = None           # row key -> [Note] (forward pass)

    def part(self, key: str, backward: bool) -> Part | None:
        return self.parts.get((key, backward))

    def notes_at(self, key: str, t: int, backward: bool) -> list[Note]:
        """The cache entries tagged on this node at step t."""
        if backward or not self.notes:
            return []
        return [n for n in self.notes.get(key, ()) if 0 <= t < n.bad_step.size and n.bad_step[t]]

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
    from rnnviz.checker.values import cache_series, step_series

    if not results or data is None or not data.spec.single or data.spec.cell not in ("rnn", "lstm"):
        return None
    tr = data.trace
    example = int(tr.extras.get("example", 0))
    forward = "lstm_forward" if data.spec.cell == "lstm" else "rnn_forward"
    parts = {}
    for s in step_series(results, example):
        if not s.function.startswith(data.spec.cell + "_"):
            continue
        row = data.spec.find(ROWS.get(s.name, ""))
        if row is None or s.ours.shape[1] != data.T:
            continue
        if s.name in ("a", "c"):
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
    caches = [s for s in cache_series(results, example) if s.function == forward and s.ours.shape[1] == data.T]
    gates = _gate_part(caches, data, forward)
    if gates is False:
        return None
    if gates is not None:
        parts[gates.key, False] = gates
    notes = _notes(caches, parts, data, forward)
    if not parts and not notes:
        return None
    failing = {b: np.zeros(data.T, bool) for b in (False, True)}
    for (_key, b), p in parts.items():
        failing[b] |= p.bad_step
    for lst in notes.values():
        for n in lst:
            failing[False] |= n.bad_step
    return Overlay(str(getattr(results, "source", "") or "your file"), parts, failing, next(_TOKENS), notes)


def _gate_part(caches, data, forward: str):
    """The LSTM's gate row as a Part: each gate's mean over the units (what the row draws), a gate
    marked where a unit of it differs; None (no gate differs, or no gate row), False (another trace)."""
    from rnnviz.app.views.graph.spec import GATE_SYMBOL

    row = data.spec.find("gates")
    series = {GATE_FIELDS[s.name]: s for s in caches if s.name in GATE_FIELDS}
    if row is None or forward != "lstm_forward" or not series:
        return None
    gs = data.gates[row.key]
    if set(series) != set(gs.names) or not any(series[g].differs.any() for g in gs.names):
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        ours = np.stack([series[g].ours.mean(axis=0) for g in gs.names])
        theirs = np.stack([series[g].theirs.mean(axis=0) for g in gs.names])
    if not _matches(ours, gs.mean):
        return False
    differs = np.stack([series[g].differs.any(axis=0) for g in gs.names])
    labels = tuple(GATE_SYMBOL[g] for g in gs.names)
    detail = {GATE_SYMBOL[g]: (series[g].ours, series[g].theirs, series[g].differs) for g in gs.names}
    return Part(row.key, "gates", forward, False, ours, theirs, differs, differs.any(axis=0),
                np.arange(len(gs.names) + 1), "gates", 1.0, labels, gs.signed, detail)


def _notes(caches, parts, data, forward: str) -> dict:
    """The cache entries that differ where what they copy agrees, by the row of the node they feed."""
    out = {}
    T = data.T
    for s in caches:
        where = CACHE_NODES.get(forward, {}).get(s.name)
        if where is None or data.spec.find(where[0]) is None:
            continue
        key, copies, lag = where
        bad = s.differs.any(axis=0)
        src = parts.get((copies, False)) if copies else None
        if src is not None:                   # explained by the returned array it copies
            explained = np.zeros(T, bool)
            explained[lag:] = src.bad_step[:T - lag]
            bad = bad & ~explained
        if bad.any():
            out.setdefault(key, []).append(Note(s.name, s.function, key, s.ours, s.theirs, s.differs, bad))
    return out
