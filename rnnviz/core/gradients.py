"""The numbers the BPTT views show, read from a Trace: gradient curves, Pascanu's envelope, the running
products of the gates that keep a gated cell's state, and what BPTT has gathered into the weights as
the backward pulse reaches each step. Pure NumPy; views only draw these.
"""
from __future__ import annotations

import math

import numpy as np

from .clipping import global_norm
from .model import flat
from .norms import sigma_max, spectral_radius
from .trace import StateRef, Trace, _step_norms


def step_gain(trace: Trace, layer: int | None = None, direction: int = 0) -> np.ndarray:
    """(T,) ||ds<t>/ds<t-1>||_2 per step (the largest over the batch)."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    lg = np.where(np.isfinite(lt.local_gain), lt.local_gain, np.nan).T        # (m, T)
    if lg.size == 0 or np.all(np.isnan(lg)):
        return np.full(trace.T, np.nan)
    return np.fmax.reduce(lg, axis=0)      # the largest over the batch, ignoring NaN, without a warning


def envelope(trace: Trace) -> np.ndarray:
    """Pascanu et al.'s bound (gamma sigma_max)^(T-t) for the vanilla cell, scaled to start at
    ||dL<T>/da<T>|| (1 if that is 0). NaN for gated cells, where no such bound holds."""
    if trace.spec.cell != "rnn":
        return np.full(trace.T, np.nan)
    start = float(trace.da_last_norm[-1]) if trace.T else 1.0
    if not (math.isfinite(start) and start > 0):
        start = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        return trace.pascanu_bound() * start


def recurrent_bounds(trace: Trace, layer: int | None = None, direction: int = 0) -> tuple[float, float]:
    """(γ·σ_max(W_hh), ρ(W_hh)) of a vanilla layer-direction (its last segment's W_hh): Pascanu et al.'s
    bound on each step's gain, and the spectral radius. NaN for gated cells."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    if lt.cell.name != "rnn":
        return float("nan"), float("nan")
    W = lt.run.params[-1]["W_hh"]
    return trace.gamma * sigma_max(W), spectral_radius(W)


def keep_gates(trace: Trace, layer: int | None = None, direction: int = 0) -> tuple[str, np.ndarray] | None:
    """(name, (T, n_a, m) values) of the gate on a gated cell's direct path s<t-1> -> s<t>: the LSTM's
    forget gate Γf (dc<t>/dc<t-1> = Γf), the GRU's keep gate z (da<t>/da<t-1> ∋ z); None for vanilla."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    name = {"lstm": "f", "gru": "z"}.get(lt.cell.name)
    if name is None:
        return None
    return name, lt.quantity(name)


def gate_product(trace: Trace, layer: int | None = None, direction: int = 0, to: int | None = None
                 ) -> np.ndarray:
    """(T,) the largest over units (and batch) of the product of the keep gates between step t and the
    step `to` its gradient comes from: how much of s<t> the direct path still carries there. NaN for
    vanilla, 1 at `to`, NaN on the far side of `to`.

    Forward direction: prod_{k=t+1..to} gate<k> for t <= to (`to` defaults to the last step with a
    loss). Backward direction (it reads right to left, s<t> = gate<t> s<t+1> + ...): prod_{k=to..t-1}
    gate<k> for t >= to (`to` defaults to the first step with a loss)."""
    kg = keep_gates(trace, layer, direction)
    T = trace.T
    if kg is None:
        return np.full(T, np.nan)
    g = kg[1]
    out = np.full(T, np.nan)
    if T == 0:
        return out
    run = np.ones(g.shape[1:])
    to = path_start(trace, direction) if to is None else to
    if direction == 0:
        steps, nxt = range(to - 1, -1, -1), 1
    else:
        steps, nxt = range(to + 1, T), -1
    out[to] = 1.0
    with np.errstate(under="ignore", invalid="ignore"):
        for t in steps:
            run = run * g[t + nxt]
            out[t] = float(np.max(run)) if run.size else np.nan
    return out


def path_start(trace: Trace, direction: int = 0) -> int:
    """The step (0-based) a direction's gate products start from: the last step with a loss (→), the
    first (←)."""
    if direction == 0:
        return trace.last_step
    on = np.flatnonzero(trace.step_weight != 0)
    return int(on[0]) if on.size else 0


def gate_path(trace: Trace, layer: int | None = None, direction: int = 0) -> np.ndarray:
    """(T,) the keep-gate product (gate_product) scaled to the gradient it starts from, to draw beside
    the gradient curves as the vanilla envelope is: for the LSTM ||dL<T>/dc<T>|| max prod Γf (the
    cell state's direct path), for the GRU ||dL<T>/da<T>|| max prod z. The backward direction starts
    from its first step with a loss, scaled by the total loss's gradient there (L<T> reaches only
    step T of it). NaN for vanilla."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    prod = gate_product(trace, lt.layer, lt.direction)
    if not np.any(np.isfinite(prod)):
        return prod
    name = "c" if "c" in lt.cell.state_names else "a"
    ref = StateRef(lt.layer, lt.direction, name)
    norms = trace.grad_norm(ref, "last" if direction == 0 else "total")
    scale = float(norms[path_start(trace, direction)])
    if not (math.isfinite(scale) and scale > 0):
        scale = 1.0
    with np.errstate(under="ignore", invalid="ignore"):
        return prod * scale


def gradient_curves(trace: Trace, layer: int | None = None, direction: int = 0) -> dict[str, np.ndarray]:
    """The (T,) curves of the gradient plot for one layer-direction (top forward by default),
    indexed by 0-based step: ||dL/da||, ||dL<T>/da||, ||dL/dc|| (LSTM), the envelope, the gate product
    ("gates") and its scaled curve ("path", gate_path), the step gain."""
    l = trace.spec.layers - 1 if layer is None else layer
    ref = StateRef(l, direction, "a")
    curves = {"da": trace.grad_norm(ref), "da_last": trace.grad_norm(ref, "last"),
              "envelope": envelope(trace) if l == trace.spec.layers - 1 and direction == 0 else
              np.full(trace.T, np.nan),
              "gates": gate_product(trace, l, direction), "path": gate_path(trace, l, direction),
              "gain": step_gain(trace, l, direction)}
    if "c" in trace.layer(l, direction).cell.state_names:
        curves["dc"] = trace.grad_norm(StateRef(l, direction, "c"))
        curves["dc_last"] = trace.grad_norm(StateRef(l, direction, "c"), "last")
    return curves


def influence_log10(trace: Trace, layer: int | None = None, direction: int = 0) -> np.ndarray | None:
    """log10 ||dL<t>/da<k>|| (rows t, columns k): -inf where exactly 0, NaN where L<t> can't reach a<k>."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    if lt.influence is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(lt.influence)


def segment_index(trace: Trace, t: int) -> int:
    """Which of the trace's segments (encoder 0, decoder 1; 0 for one sequence) step t belongs to."""
    for i, seg in enumerate(trace.segments):
        if seg.start <= t < seg.stop:
            return i
    return len(trace.segments) - 1


def step_weight_names(trace: Trace, t: int, layer: int | None = None, direction: int = 0
                      ) -> tuple[str, str, str]:
    """Public names of (W_ih, W_hh, b_ih) that step t of a layer-direction adds to: Wax, Waa, ba for the
    notes' RNN; an encoder–decoder's encoder steps add to the encoder's weights, its decoder steps
    to the decoder's."""
    l = trace.spec.layers - 1 if layer is None else layer
    w_ih, w_hh, b_ih, _ = trace.spec.layer_names(segment_index(trace, t), l, direction)
    return w_ih, w_hh, b_ih


class PartialGrads:
    """What BPTT has gathered into one layer-direction's weights so far: every segment's W_ih, W_hh,
    b_ih and b_hh (the notes' Wax, Waa, ba for the vanilla RNN), each summed over the steps the
    backward pass of this direction has passed, under the weights' public names and shapes.

    A forward direction's BPTT runs from step T back to 1: on reaching step t (0-based) it has summed
    steps t..T-1. A backward direction reads right to left, so its BPTT runs from step 1 to T: on
    reaching step t it has summed steps 0..t. `at(t)` gives those sums, `at_count(n)` the sums after
    n steps of either (0: nothing yet, T: the whole gradient, equal to trace.grads for flow "total").
    An encoder–decoder's steps add to the weights of their own segment.

    flow "total": the gradient of L = sum_t L<t>; flow "last": only the last step's loss L<T> flows.
    Moving one step adds or removes one outer product (O(n_a^2)), so animation stays cheap at
    n_a = 256; a jump recomputes the sum once.
    """

    def __init__(self, trace: Trace, flow: str = "total", layer: int | None = None, direction: int = 0):
        self.trace, self.flow = trace, flow
        self.lt = trace.top if layer is None else trace.layer(layer, direction)
        self.direction = self.lt.direction
        g = self.lt.grads if flow == "total" else self.lt.grads_last
        self.names = trace.weight_names(self.lt.layer, self.lt.direction)   # the last segment's W_ih, W_hh, b_ih
        self._dx, self._dh = g.dxproj, g.dhproj                            # (T, G n_a, m)
        self._a_prev = self.lt.a_prev()
        self._inp = trace._layer_input(self.lt.layer)                      # (T, n_in, m)
        spec = trace.spec
        self._seg_names = [spec.layer_names(s, self.lt.layer, self.lt.direction) for s in range(len(trace.segments))]
        self._step_seg = np.zeros(trace.T, dtype=int)
        for i, seg in enumerate(trace.segments):
            self._step_seg[seg.start:seg.stop] = i
        shapes = spec.param_shapes()
        self.all_names = tuple(n for names in self._seg_names for n in names if n)
        self.shapes = {n: shapes[n] for n in self.all_names}
        self._n = 0
        self._sums = self._zeros()

    def _zeros(self) -> dict[str, np.ndarray]:
        G, out = self._dx.shape[1], {}
        for w_ih, w_hh, b_ih, b_hh in self._seg_names:
            out[w_ih] = np.zeros((G, self._inp.shape[1]))
            out[w_hh] = np.zeros((G, self._a_prev.shape[1]))
            for b in (b_ih, b_hh):
                if b:
                    out[b] = np.zeros((G, 1))
        return out

    def order(self, k: int) -> int:
        """The step (0-based) that this direction's BPTT passes k-th (k = 0 first)."""
        return self.trace.T - 1 - k if self.direction == 0 else k

    def count_at(self, t: int) -> int:
        """How many steps this direction's BPTT has summed on reaching step t."""
        n = self.trace.T - int(t) if self.direction == 0 else int(t) + 1
        return min(max(n, 0), self.trace.T)

    def segment_names(self, t: int) -> tuple[str, str, str, str]:
        """(W_ih, W_hh, b_ih, b_hh) of step t's segment (b_hh '' for the notes' names)."""
        return self._seg_names[int(self._step_seg[t])] if self.trace.T else self._seg_names[-1]

    def step(self, t: int) -> dict[str, np.ndarray]:
        """The contribution of step t alone: dz<t> x<t>^T, dz<t> a<t-1>^T, dz<t> (dz for W_hh: dhproj)."""
        w_ih, w_hh, b_ih, b_hh = self.segment_names(t)
        with np.errstate(over="ignore", invalid="ignore"):
            out = {w_ih: self._dx[t] @ self._inp[t].T, w_hh: self._dh[t] @ self._a_prev[t].T,
                   b_ih: self._dx[t].sum(axis=1, keepdims=True)}
            if b_hh:
                out[b_hh] = self._dh[t].sum(axis=1, keepdims=True)
        return out

    def at(self, t: int) -> dict[str, np.ndarray]:
        """The sums on reaching step t (see the class). Returns arrays owned by this object."""
        return self.at_count(self.count_at(t))

    def at_count(self, n: int) -> dict[str, np.ndarray]:
        """The sums after this direction's BPTT has passed n steps (0..T)."""
        n = min(max(int(n), 0), self.trace.T)
        if abs(n - self._n) > 4 or not self._finite():
            self._sums = self._zeros()
            if n:
                with np.errstate(over="ignore", invalid="ignore"):
                    self._sums = self._full_count(n)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                while self._n < n:        # the pulse moves on: add the next step
                    for k, v in self.step(self.order(self._n)).items():
                        self._sums[k] += v
                    self._n += 1
                while self._n > n:        # scrubbing back: take a step out
                    self._n -= 1
                    for k, v in self.step(self.order(self._n)).items():
                        self._sums[k] -= v
        self._n = n
        return {k: v.reshape(self.shapes[k]) for k, v in self._sums.items()}

    def _finite(self) -> bool:
        return all(np.all(np.isfinite(v)) for v in self._sums.values())

    def _full(self, t: int) -> dict[str, np.ndarray]:
        """The sums on reaching step t, computed afresh (a reference for at)."""
        return {k: v.reshape(self.shapes[k]) for k, v in self._full_count(self.count_at(t)).items()}

    def _full_count(self, n: int) -> dict[str, np.ndarray]:
        T = self.trace.T
        lo, hi = (T - n, T) if self.direction == 0 else (0, n)     # the summed steps, natural time
        out = self._zeros()
        for i, seg in enumerate(self.trace.segments):
            a, b = max(lo, seg.start), min(hi, seg.stop)
            if a >= b:
                continue
            w_ih, w_hh, b_ih, b_hh = self._seg_names[i]
            dx, dh = flat(np.ascontiguousarray(self._dx[a:b])), flat(np.ascontiguousarray(self._dh[a:b]))
            out[w_ih] = dx @ flat(np.ascontiguousarray(self._inp[a:b])).T
            out[w_hh] = dh @ flat(np.ascontiguousarray(self._a_prev[a:b])).T
            out[b_ih] = dx.sum(axis=1, keepdims=True)
            if b_hh:
                out[b_hh] = dh.sum(axis=1, keepdims=True)
        return out


def frobenius(arr: np.ndarray) -> float:
    """||arr||_F, finite for finite entries however large (see clipping.global_norm)."""
    return global_norm({"arr": arr})


def clip_summary(grads: dict, clip) -> dict[str, float]:
    """Before/after numbers of a ClipResult: global norms and the largest |entry|."""
    def largest(gs):
        with np.errstate(invalid="ignore"):
            return float(max(np.max(np.abs(v)) for v in gs.values()))
    return {"norm_before": clip.norm_before, "norm_after": clip.norm_after,
            "max_before": largest(grads), "max_after": largest(clip.grads)}


# ----------------------------------------------------------------------------- one backward step, per flow
def _outer_norm(u: np.ndarray, v: np.ndarray) -> float:
    """||sum over the batch of u_m v_m^T||_F without forming the matrix or overflowing (u, v: (n, m))."""
    su = float(np.max(np.abs(u))) if u.size else 0.0
    sv = float(np.max(np.abs(v))) if v.size else 0.0
    if not (math.isfinite(su) and math.isfinite(sv)):
        return float("nan") if np.isnan(u).any() or np.isnan(v).any() else float("inf")
    if su == 0 or sv == 0:
        return 0.0
    uu, vv = u / su, v / sv
    with np.errstate(over="ignore", invalid="ignore"):
        return su * sv * math.sqrt(max(float(np.sum((uu.T @ uu) * (vv.T @ vv))), 0.0))


def backward_terms(trace: Trace, t: int, flow: str = "total", layer: int | None = None, direction: int = 0
                   ) -> dict:
    """The parts of BPTT at step t (0-based) of one layer-direction (top forward by default), for the
    loss that flows back ("total": L = sum L<t>, "last": L<T> alone), so that every part shown adds up
    to its total:

        da = direct + recurrent,   direct: from ŷ<t> (or the layer above), 0 for L<T> before step T,
        recurrent: from a<t+1> (W_hh^T dz<t+1>; 0 at the last step),   dz = dL/dz<t>

    Arrays are (n, m); under the weights' public names (Wax, Waa, ba for the notes' RNN) the norms of
    this step's contributions dz x<t>^T, dz a<t-1>^T, dz (what BPTT adds to each gradient at step t)."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    g = lt.grads if flow == "total" else lt.grads_last
    w_ih, w_hh, b = step_weight_names(trace, t, lt.layer, lt.direction)
    da, direct = g.ds["a"][t], g.da_ext[t]
    inp = trace.x[:, :, t] if lt.layer == 0 else trace._layer_input(lt.layer)[t]
    with np.errstate(over="ignore", invalid="ignore"):
        recurrent = da - direct                      # what arrived from a<t+1>: the carry of the loop
    dz = g.dxproj[t]
    return {"da": da, "direct": direct, "recurrent": recurrent, "dz": dz,
            w_ih: _outer_norm(dz, inp), w_hh: _outer_norm(g.dhproj[t], lt.a_prev()[t]),
            b: frobenius(dz.sum(axis=1, keepdims=True))}


def last_loss_silent(trace: Trace) -> bool:
    """True when nothing flows back from the last step's loss: dL<T>/da<t> is exactly 0 at every step
    (a saturated softmax: L<T> is exactly 0, so its gradient is too). Non-finite values are not silence."""
    d = trace.da_last
    return bool(np.all(np.isfinite(d)) and not np.any(d))


__all__ = ["backward_terms", "last_loss_silent", "PartialGrads", "clip_summary", "envelope", "frobenius", "gate_path",
           "gate_product", "gradient_curves", "influence_log10", "keep_gates", "path_start", "recurrent_bounds", "segment_index",
           "step_gain", "step_weight_names", "_step_norms"]
