"""What the unrolled graph shows at every step, picked from a Trace once per trace (no math of its
own beyond choosing, averaging and colouring values): per state row its unit colours and norms and
both gradients' norms, per gate row the mean gate values, and the outputs (top predictions, targets).

Colours are bytes from the shared colour maps (rnnviz.app.colors) through a lookup table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnviz.app import colors
from rnnviz.app import flow as F
from rnnviz.app.views.graph.spec import GATE_ORDER, SIGNED_GATES, GraphSpec, Role, build_spec
from rnnviz.app.views.graph.layout import subsample_units
from rnnviz.core.trace import StateRef, Trace, _step_norms

N_STRIP = 32     # at most this many units in a state's strip
GREY = (150, 150, 150, 255)
_LUTS: dict = {}


def lut_rgba(name: str, frac: np.ndarray) -> np.ndarray:
    """(..., 4) uint8 colours of frac in 0..1 (NaN: grey) from colour map `name` ('diverging',
    'sequential', 'magnitude') through a 1024-entry table (a tenth of the time of ColorMap.map)."""
    if name not in _LUTS:
        cmap = {"diverging": colors.diverging, "sequential": colors.sequential, "magnitude": colors.magnitude}[name]()
        _LUTS[name] = np.asarray(cmap.getLookupTable(0.0, 1.0, 1024, alpha=True, mode="byte"), np.uint8)
    frac = np.asarray(frac, dtype=float)
    ok = np.isfinite(frac)
    idx = (np.clip(np.where(ok, frac, 0.0), 0.0, 1.0) * 1023 + 0.5).astype(np.intp)
    out = _LUTS[name][idx]
    out[~ok] = GREY
    return out


def _norms(v: np.ndarray) -> np.ndarray:
    """(n, T) -> (T,) Euclidean norms without overflow (scaled by the largest entry first)."""
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.max(np.abs(v), axis=0) if v.size else np.zeros(v.shape[1])
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        return scale * np.sqrt(np.sum((v / scale) ** 2, axis=0))


@dataclass
class StateSeries:
    """One state row (a or c of one layer-direction). Index i of rgba / norm is step i - 1: 0 holds the
    forward initial state, T + 1 the backward one (both the row's own s⟨0⟩)."""

    ref: StateRef
    units: list[int]
    limit: float                 # symmetric colour limit over the whole trace (and every layer)
    rgba: np.ndarray             # (T+2, K, 4) uint8
    norm: np.ndarray             # (T+2,)
    grads: dict                  # flow -> (T,) ‖∂L/∂s⟨t⟩‖ (total) or ‖∂L⟨T⟩/∂s⟨t⟩‖ (last)
    bad: np.ndarray              # (T,) bool: not finite
    bad_from: int | None         # where it first blew up, in the direction's own order
    values: np.ndarray = field(repr=False, default=None)   # (n_a, T) of sequence 0, for tooltips
    init: np.ndarray = field(repr=False, default=None)     # (n_a,) the initial state
    init_grad: float = float("nan")                        # ‖∂L/∂s⟨0⟩‖

    def bad_at(self, t: int) -> bool:
        return 0 <= t < self.bad.size and bool(self.bad[t])


@dataclass
class GateSeries:
    names: tuple[str, ...]       # the cell's gates, display order ("z" is shown as Γu = 1 − z)
    mean: np.ndarray             # (n_gates, T) mean over the units, sequence 0
    rgba: np.ndarray             # (n_gates, T, 4) uint8
    signed: tuple[bool, ...]     # tanh gates (c̃) run −1..1, the others 0..1


def _state_series(tr: Trace, ref: StateRef, lim: float) -> StateSeries:
    """`lim`: the colour limit, shared by the rows of one state (every layer's a, every layer's c)."""
    lt = tr.layer(ref.layer, ref.direction)
    vals = lt.quantity(ref.name)[:, :, 0].T                 # (n_a, T), sequence 0
    i = lt.cell.state_names.index(ref.name)
    s0 = np.asarray(lt.s0[i])[:, 0]
    allv = np.concatenate([s0[:, None], vals, s0[:, None]], axis=1)   # (n_a, T+2)
    units = subsample_units(tr.n_a, N_STRIP)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        frac = (allv[units].T / lim + 1.0) / 2.0            # (T+2, K)
    rgba = lut_rgba("diverging", np.where(np.isfinite(allv[units].T), np.nan_to_num(frac, nan=0.5), np.nan))
    bad = ~np.isfinite(lt.quantity(ref.name)).all(axis=(1, 2))
    where = np.flatnonzero(bad)
    bad_from = None if where.size == 0 else int(where[-1] if ref.direction else where[0])
    grads = {f: _step_norms(tr.grad(ref, f)) for f in (F.TOTAL, F.LAST)}
    with np.errstate(over="ignore", invalid="ignore"):
        init_grad = float(np.sqrt(np.sum(np.asarray(lt.grads.ds0[i], dtype=float) ** 2)))
    return StateSeries(ref, units, lim, rgba, _norms(allv), grads, bad, bad_from, vals, s0, init_grad)


def _gate_series(tr: Trace, layer: int, direction: int) -> GateSeries:
    lt = tr.layer(layer, direction)
    names = GATE_ORDER[lt.cell.name]
    means, rgba, signed = [], [], []
    with np.errstate(invalid="ignore", over="ignore"):
        for g in names:
            v = lt.quantity(g)[:, :, 0]                      # (T, n_a)
            if g == "z":
                v = 1.0 - v                                  # the course's update gate Γu
            m = np.mean(v, axis=1)
            s = g in SIGNED_GATES
            means.append(m)
            signed.append(s)
            rgba.append(lut_rgba("diverging" if s else "sequential", (m + 1) / 2 if s else m))
    return GateSeries(names, np.array(means), np.stack(rgba), tuple(signed))


@dataclass
class GraphData:
    trace: Trace
    spec: GraphSpec
    T: int
    mode: str                  # "classes" (top-3), "binary" (p of 1) or "value" (mse)
    states: dict               # row key -> StateSeries
    gates: dict                # row key -> GateSeries
    top_idx: np.ndarray        # (T, k) best classes (mode "classes")
    top_p: np.ndarray          # (T, k) their probabilities
    target: np.ndarray         # (T,) target class (classes) or target value
    y_hat0: np.ndarray         # (n_y, T) outputs of sequence 0
    loss: np.ndarray           # (T,) L<t>
    has_output: np.ndarray     # (T,) bool: ŷ<t> and L<t> exist (many-to-one: last step only)
    has_input: np.ndarray      # (T,) bool: x<t> is fed
    fed_back: np.ndarray       # (T,) bool: x<t> is the previous target (one-to-many, decoder)
    flow: str                  # "total" or "last": which gradient the backward animation shows
    g_ranges: dict             # flow -> log10 range of that gradient over every state row and step
    labels: list[str]          # output class labels
    silent_note: str           # why nothing flows back from L<T> ('' when something does, or flow is L)

    @classmethod
    def from_trace(cls, tr: Trace, flow: str = "total", spec: GraphSpec | None = None) -> "GraphData":
        spec = spec or build_spec(tr)
        T, seq = tr.T, tr.seq
        states, gates = {}, {}
        limits = {}
        for r in spec.rows:
            if r.role == Role.STATE and r.name not in limits:
                limits[r.name] = max(colors.signed_limit(tr.state(rr.ref))
                                     for rr in spec.rows if rr.role == Role.STATE and rr.name == r.name)
        for r in spec.rows:
            if r.role == Role.STATE:
                states[r.key] = _state_series(tr, r.ref, limits[r.name])
            elif r.role == Role.GATE:
                gates[r.key] = _gate_series(tr, r.layer, r.direction)
        y0 = tr.y_hat[:, 0, :]
        mode = "value" if tr.loss_name == "mse" else ("binary" if tr.n_y == 1 else "classes")
        k = min(3, tr.n_y)
        top_idx = np.argsort(-np.nan_to_num(y0, nan=-1.0), axis=0, kind="stable")[:k].T
        top_p = np.take_along_axis(y0.T, top_idx, axis=1)
        target = (seq.target_index[0] if seq.target_index is not None else tr.y[0, 0, :]).astype(float)
        g_ranges = {f: colors.log_range(np.concatenate([s.grads[f] for s in states.values()]))
                    for f in (F.TOTAL, F.LAST)}
        return cls(trace=tr, spec=spec, T=T, mode=mode, states=states, gates=gates, top_idx=top_idx,
                   top_p=top_p, target=target, y_hat0=y0, loss=tr.loss, has_output=tr.step_weight > 0,
                   has_input=tr.input_weight > 0, fed_back=tr.fed_back > 0, flow=flow, g_ranges=g_ranges,
                   labels=seq.output_labels(), silent_note=F.silent_note(tr, flow, short=True))

    def with_flow(self, flow: str) -> "GraphData":
        """The same data showing the other gradient (nothing is recomputed)."""
        from dataclasses import replace
        return replace(self, flow=flow, silent_note=F.silent_note(self.trace, flow, short=True))

    # ---------------------------------------------------------------- the top forward state (legends, the CSV)
    @property
    def main(self) -> StateSeries:
        row = self.spec.find("a")
        return self.states[row.key]

    @property
    def g_range(self) -> tuple[float, float]:
        return self.g_ranges[self.flow]

    @property
    def a_bad_from(self) -> int | None:
        """The first step (0-based) at which any hidden state a⟨t⟩ is inf/NaN."""
        bad = [int(np.flatnonzero(s.bad)[0]) for s in self.states.values() if s.ref.name == "a" and s.bad.any()]
        return min(bad) if bad else None

    def grad(self, t: int, key: str | None = None) -> float:
        """The size of the gradient the animation shows at a state row's step t (default: the top a)."""
        s = self.states[key] if key is not None else self.main
        return float(s.grads[self.flow][t])

    @property
    def grad_symbol(self) -> str:
        return f"‖{F.grad_symbol(self.flow, 'a')}‖"

    def grad_symbol_of(self, name: str) -> str:
        return f"‖{F.grad_symbol(self.flow, name)}‖"

    def input_text(self, t: int) -> str:
        if not self.has_input[t]:
            return "0"
        return self.trace.seq.input_label(t)

    def target_text(self, t: int) -> str:
        return self.trace.seq.target_label(t)

    def top_prediction(self, t: int) -> str:
        """The best guess at step t: a class label, a value, or p(1)."""
        from rnnviz.app import numfmt
        if self.mode == "value":
            return numfmt.short(float(self.y_hat0[0, t]))
        if self.mode == "binary":
            return f"p(1)={float(self.y_hat0[0, t]):.3f}"
        return self.labels[int(self.top_idx[t, 0])]

    def target_in_top(self, t: int) -> bool:
        return int(self.target[t]) in self.top_idx[t].tolist()

    def target_p(self, t: int) -> float:
        return float(self.y_hat0[int(self.target[t]), t])

    def bad_forward(self, t: int, key: str | None = None) -> bool:
        """A state is inf/NaN at step t (the forward pass blew up there or before)."""
        s = self.states[key] if key is not None else self.main
        return s.bad_at(t)

    def bad_grad(self, t: int, key: str | None = None) -> bool:
        return not np.isfinite(self.grad(t, key))

    def segment_of(self, t: int) -> int:
        for i, s in enumerate(self.spec.segments):
            if s.start <= t < s.stop:
                return i
        return 0
