"""The numbers the BPTT views show, read from a Trace: gradient curves, Pascanu's envelope, the running
products of the gates that keep a gated cell's state, and what BPTT has gathered into the weights as
the backward pulse reaches each step. Pure NumPy; views only draw these.
"""
from __future__ import annotations

import math

import numpy as np

from .clipping import global_norm
from .model import flat
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
    """(T,) the largest over units (and batch) of prod_{k=t+1..to} gate<k>: how much of s<t> the direct
    path still carries to step `to` (default the last step with a loss). NaN for vanilla, 1 at `to`."""
    kg = keep_gates(trace, layer, direction)
    T = trace.T
    if kg is None:
        return np.full(T, np.nan)
    g = kg[1]
    to = trace.last_step if to is None else to
    out = np.full(T, np.nan)
    run = np.ones(g.shape[1:])
    out[to] = 1.0
    with np.errstate(under="ignore", invalid="ignore"):
        for t in range(to - 1, -1, -1):
            run = run * g[t + 1]
            out[t] = float(np.max(run)) if run.size else np.nan
    return out


def gradient_curves(trace: Trace, layer: int | None = None, direction: int = 0) -> dict[str, np.ndarray]:
    """The (T,) curves of the gradient plot for one layer-direction (top forward by default),
    indexed by 0-based step: ||dL/da||, ||dL<T>/da||, ||dL/dc|| (LSTM), the envelope, the gate product,
    the step gain."""
    l = trace.spec.layers - 1 if layer is None else layer
    ref = StateRef(l, direction, "a")
    curves = {"da": trace.grad_norm(ref), "da_last": trace.grad_norm(ref, "last"),
              "envelope": envelope(trace) if l == trace.spec.layers - 1 and direction == 0 else
              np.full(trace.T, np.nan),
              "gates": gate_product(trace, l, direction), "gain": step_gain(trace, l, direction)}
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


class PartialGrads:
    """The gradients of one layer-direction's W_ih, W_hh and bias (the notes' Wax, Waa, ba for the
    vanilla RNN) summed over steps t..T-1, as the backward pulse reaches step t.

    flow "total": the gradient of L = sum_t L<t> (equals trace.partial_grads(t));
    flow "last": only the last step's loss L<T> flows back.
    Moving one step adds or removes one outer product (O(n_a^2)), so animation stays cheap at
    n_a = 256; a jump recomputes the sum once.
    """

    def __init__(self, trace: Trace, flow: str = "total", layer: int | None = None, direction: int = 0):
        self.trace, self.flow = trace, flow
        self.lt = trace.top if layer is None else trace.layer(layer, direction)
        g = self.lt.grads if flow == "total" else self.lt.grads_last
        self.names = trace.weight_names(self.lt.layer, self.lt.direction)
        self._dx, self._dh = g.dxproj, g.dhproj                            # (T, G n_a, m)
        self._a_prev = self.lt.a_prev()
        self._inp = trace._layer_input(self.lt.layer)                      # (T, n_in, m)
        self._t = trace.T
        self._sums = self._zeros()

    def _zeros(self) -> dict[str, np.ndarray]:
        w_ih, w_hh, b = self.names
        G = self._dx.shape[1]
        return {w_ih: np.zeros((G, self._inp.shape[1])), w_hh: np.zeros((G, self._a_prev.shape[1])),
                b: np.zeros((G, 1))}

    def step(self, t: int) -> dict[str, np.ndarray]:
        """The contribution of step t alone: dz<t> x<t>^T, dz<t> a<t-1>^T, dz<t> (dz for W_hh: dhproj)."""
        w_ih, w_hh, b = self.names
        with np.errstate(over="ignore", invalid="ignore"):
            return {w_ih: self._dx[t] @ self._inp[t].T, w_hh: self._dh[t] @ self._a_prev[t].T,
                    b: self._dx[t].sum(axis=1, keepdims=True)}

    def at(self, t: int) -> dict[str, np.ndarray]:
        """Sums over steps t..T-1 (t = T: nothing gathered yet). Returns arrays owned by this object."""
        t = min(max(int(t), 0), self.trace.T)
        if abs(t - self._t) > 4 or not self._finite():
            self._sums = self._zeros()
            if t < self.trace.T:
                with np.errstate(over="ignore", invalid="ignore"):
                    self._sums = self._full(t)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                while self._t > t:        # the pulse moves back: add step t
                    self._t -= 1
                    for k, v in self.step(self._t).items():
                        self._sums[k] += v
                while self._t < t:        # scrubbing forward again: take a step out
                    for k, v in self.step(self._t).items():
                        self._sums[k] -= v
                    self._t += 1
        self._t = t
        return self._sums

    def _finite(self) -> bool:
        return all(np.all(np.isfinite(v)) for v in self._sums.values())

    def _full(self, t: int) -> dict[str, np.ndarray]:
        w_ih, w_hh, b = self.names
        dx, dh = flat(np.ascontiguousarray(self._dx[t:])), flat(np.ascontiguousarray(self._dh[t:]))
        return {w_ih: dx @ flat(np.ascontiguousarray(self._inp[t:])).T,
                w_hh: dh @ flat(np.ascontiguousarray(self._a_prev[t:])).T, b: dx.sum(axis=1, keepdims=True)}


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
    w_ih, w_hh, b = trace.weight_names(lt.layer, lt.direction)
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


__all__ = ["backward_terms", "last_loss_silent", "PartialGrads", "clip_summary", "envelope", "frobenius", "gate_product", "gradient_curves",
           "influence_log10", "keep_gates", "step_gain", "_step_norms"]
