"""Why gradients vanish or explode: a verdict in words from a Trace, and the numbers the BPTT views show.

Pure NumPy. The verdict measures how far the loss of a late step "reaches" back through time:

    ratio = ||dL<t*>/da<1>|| / ||dL<t*>/da<t*>||

where t* is the last step whose own loss still sends a gradient (||dL<t*>/da<t*>|| at least
DIRECT_FLOOR times the largest one; usually t* = T, but a saturated softmax can make L<T>'s gradient
vanish numerically). Thresholds (documented, in one place):

    vanishing   ratio < VANISH_RATIO   (the gradient shrank by more than three decades)
    exploding   ratio > EXPLODE_RATIO  (it grew by more than three decades), or any inf/NaN
    stable      otherwise

The reason names the cause: gamma * sigma_max(Waa) below 1 (Pascanu et al.: every step must shrink the
gradient), rho(Waa) above 1/gamma (the leading eigen-direction grows every step), tanh saturation
(fraction of unit-steps with g'(z) < SATURATED_GPRIME), dead ReLU units (g'(z) = 0), ReLU's unbounded
growth, or the step at which values overflowed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .clipping import global_norm
from .trace import Trace, _step_norms

VANISH_RATIO = 1e-3
EXPLODE_RATIO = 1e3
SATURATED_GPRIME = 0.1      # a tanh unit with g'(z) below this passes less than a tenth of its gradient
NOTABLE_FRACTION = 0.25     # saturation / dead units are named as a cause above this fraction
DIRECT_FLOOR = 1e-6         # a step's own gradient below this x the largest counts as silent

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def pow10_text(x: float) -> str:
    """10 to the nearest whole power, written with superscripts: 1.5e-9 -> '10⁻⁹'."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "∞"
    return "10" + str(round(math.log10(abs(x)))).translate(_SUPERSCRIPT)


def ratio_text(r: float) -> str:
    """A growth factor for people: ×0.31, ×24, ×10¹²."""
    if r == 0 or not math.isfinite(r):
        return "×" + pow10_text(r)
    if 1e-2 <= r < 1e3:
        return f"×{r:.2g}" if r < 10 else f"×{r:.0f}"
    return "×" + pow10_text(r)


@dataclass(frozen=True)
class Verdict:
    kind: str                     # "vanishing" | "exploding" | "stable"
    headline: str                 # "vanishing: the gradient from step 40 is 10⁻⁹ of its size by step 1"
    reasons: tuple[str, ...]      # why, one clause each
    ratio: float                  # ||grad at step 1|| / ||grad at step from_step|| (nan if unknown)
    from_step: int                # t*, 1-based
    nonfinite_step: int | None    # 1-based step where inf/NaN first appears, or None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def text(self) -> str:
        return f"{self.headline}. Why: {self.reason}." if self.reasons else self.headline


# ----------------------------------------------------------------------------- summary numbers
def saturation_fraction(trace: Trace) -> float:
    """Fraction of (unit, step) pairs with g'(z) < SATURATED_GPRIME (for ReLU: the dead ones, g' = 0)."""
    g = trace.gprime[np.isfinite(trace.gprime)]
    if g.size == 0:
        return float("nan")
    limit = 0.5 if trace.activation == "relu" else SATURATED_GPRIME  # ReLU's g' is 0 or 1
    return float(np.mean(g < limit))


def mean_gprime(trace: Trace) -> float:
    """Average slope g'(z) over all finite unit-steps."""
    g = trace.gprime[np.isfinite(trace.gprime)]
    return float(g.mean()) if g.size else float("nan")


def step_gain(trace: Trace) -> np.ndarray:
    """(T,) ||da<t>/da<t-1>||_2 per step (the largest over the batch)."""
    lg = np.where(np.isfinite(trace.local_gain), trace.local_gain, np.nan)
    if lg.size == 0 or np.all(np.isnan(lg)):
        return np.full(trace.T, np.nan)
    with np.errstate(all="ignore"):
        return np.nanmax(lg, axis=0)


def typical_gain(trace: Trace) -> float:
    """Geometric mean of the step gains of steps 2..T (the ones a gradient from T passes through)."""
    g = step_gain(trace)[1:]
    g = g[np.isfinite(g) & (g > 0)]
    return float(np.exp(np.mean(np.log(g)))) if g.size else float("nan")


def envelope(trace: Trace) -> np.ndarray:
    """Pascanu et al.'s bound (gamma sigma_max)^(T-t), scaled to start at ||dL<T>/da<T>|| (1 if that is 0)."""
    start = float(trace.da_last_norm[-1]) if trace.T else 1.0
    if not (math.isfinite(start) and start > 0):
        start = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        return trace.pascanu_bound() * start


def gradient_curves(trace: Trace) -> dict[str, np.ndarray]:
    """The (T,) curves of the gradient plot, indexed by 0-based step."""
    return {
        "da": trace.da_norm,
        "da_last": trace.da_last_norm,
        "envelope": envelope(trace),
        "gain": step_gain(trace),
    }


def influence_log10(trace: Trace) -> np.ndarray | None:
    """log10 ||dL<t>/da<k>|| (rows t, columns k): -inf where exactly 0, NaN above the diagonal."""
    if trace.influence is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(trace.influence)


def reference_step(trace: Trace) -> int:
    """t* (0-based): the last step whose own loss still sends a gradient to a<t>."""
    d = _step_norms(trace.da_direct)
    ok = np.isfinite(d)
    if not ok.any() or np.nanmax(np.where(ok, d, np.nan)) == 0:
        return trace.T - 1
    loud = np.flatnonzero(ok & (d >= DIRECT_FLOOR * d[ok].max()))
    return int(loud[-1])


def reach_ratio(trace: Trace) -> tuple[float, int]:
    """(||dL<t*>/da<1>|| / ||dL<t*>/da<t*>||, t*): how much of L<t*>'s gradient survives to step 1."""
    ts = reference_step(trace)
    if trace.influence is not None:
        num, den = trace.influence[ts, 0], trace.influence[ts, ts]
    else:  # no influence map (too big): the last step's gradient is what we have
        ts = trace.T - 1
        num, den = trace.da_last_norm[0], trace.da_last_norm[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = float(num / den) if den > 0 else float("nan")
    return r, ts


# ----------------------------------------------------------------------------- the verdict
def _overflow(trace: Trace) -> tuple[int, str] | None:
    if trace.first_nonfinite is not None:
        k = trace.first_nonfinite + 1
        return k, f"a<{k}> overflowed to inf/NaN in the forward pass at step {k}"
    if trace.first_nonfinite_grad is not None:
        k = trace.first_nonfinite_grad + 1
        return k, f"the gradient overflowed to inf/NaN at step {k} on the way back"
    return None


# a radius within this of 1/γ counts as 1: the reason is then the activation, not the radius
RADIUS_TOL = 0.005


def verdict(trace: Trace) -> Verdict:
    """Vanishing, exploding or stable, in words, with the cause."""
    gs = trace.gamma * trace.sigma_max
    gr = trace.gamma * trace.rho
    mg = mean_gprime(trace)
    eff = trace.rho * mg          # effective per-step gain: the radius damped by the average slope
    relu = trace.activation == "relu"
    sat = saturation_fraction(trace)
    sat_reason = None
    if math.isfinite(sat) and sat >= NOTABLE_FRACTION:
        sat_reason = (f"ReLU: {sat:.0%} of the unit-steps are dead (g′ = 0) and pass no gradient" if relu else
                      f"tanh saturation: {sat:.0%} of the unit-steps have g′(z) < {SATURATED_GPRIME:g}")
    ov = _overflow(trace)
    if ov is not None:
        k, what = ov
        reasons = [what, f"ρ(Waa) = {trace.rho:.3g}, γ·σ_max = {gs:.3g}"]
        if relu:
            reasons.append("ReLU is unbounded, so a<t> and the gradient grow by about ρ every step")
        return Verdict("exploding", f"exploding: overflow (inf/NaN) at step {k}", tuple(reasons),
                       float("inf"), trace.T, k)
    if trace.T < 2:
        return Verdict("stable", "stable: a single step, nothing flows back through time", (), 1.0, 1, None)
    r, ts = reach_ratio(trace)
    span = ts  # steps between t* and 1
    if math.isfinite(r) and r < VANISH_RATIO:
        size = "exactly 0" if r == 0 else f"{pow10_text(r)} of its size"
        head = f"vanishing: the gradient from step {ts + 1} is {size} by step 1"
        if gs < 1:
            reasons = [f"γ·σ_max(Waa) = {gs:.2f} < 1, so every step must shrink it (Pascanu et al.)"]
        elif gr < 1 - RADIUS_TOL:
            reasons = [f"ρ(Waa) = {trace.rho:.2f} < 1/γ: repeated products of Waa shrink every direction "
                       f"(σ_max = {trace.sigma_max:.2f} allows only brief growth)"]
        elif eff < 1:
            reasons = [f"ρ(Waa) = {trace.rho:.2f} ≥ 1, but g′(z) averages {mg:.2f}, "
                       f"so the effective gain ρ·g′ ≈ {eff:.2f} < 1"]
        elif sat_reason is None:
            reasons = ["the gradient is not aligned with the directions Waa stretches"]
        else:
            reasons = [f"ρ(Waa) = {trace.rho:.2f} ≥ 1, but saturated units block the way back"]
        if sat_reason:
            reasons.append(sat_reason)
        return Verdict("vanishing", head, tuple(reasons), r, ts + 1, None)
    if not math.isfinite(r) or r > EXPLODE_RATIO:
        head = (f"exploding: {ratio_text(r)} over {span} steps" if math.isfinite(r) else
                f"exploding: the gradient from step {ts + 1} overflows before step 1")
        reasons = []
        if gr > 1 + RADIUS_TOL:
            reasons.append(f"ρ(Waa) = {trace.rho:.2f} > 1/γ = {1 / trace.gamma:.2g}: "
                           "the leading direction grows every step")
        if relu:
            reasons.append("ReLU does not saturate (g′ = 1 on active units), so nothing stops the growth")
        else:
            reasons.append(f"g′(z) averages {mg:.2f}: the effective gain ρ·g′ ≈ {eff:.2f} > 1")
        return Verdict("exploding", head, tuple(reasons), r, ts + 1, None)
    head = f"stable: the gradient from step {ts + 1} is {ratio_text(r)} of its size by step 1"
    reasons = [f"ρ(Waa) = {trace.rho:.2f} with g′(z) averaging {mg:.2f} gives an effective gain "
               f"ρ·g′ ≈ {eff:.2f}, close to 1 over {span} steps"]
    if sat_reason:
        reasons.append(sat_reason)
    return Verdict("stable", head, tuple(reasons), r, ts + 1, None)


# ----------------------------------------------------------------------------- what BPTT gathers
class PartialGrads:
    """dWax, dWaa, dba summed over steps t..T-1 as the backward pulse reaches step t.

    flow "total": the gradient of L = sum_t L<t> (equals trace.partial_grads(t));
    flow "last": only the last step's loss L<T> flows back (dz = dL<T>/da<t> * g'(z<t>)).
    Moving one step adds or removes one outer product (O(n_a^2)), so animation stays cheap at
    n_a = 256; a jump recomputes the sum once.
    """

    def __init__(self, trace: Trace, flow: str = "total"):
        self.trace, self.flow = trace, flow
        with np.errstate(over="ignore", invalid="ignore"):
            dz = trace.dz if flow == "total" else trace.da_last * trace.gprime
        self._dz = dz                                                        # (n_a, m, T)
        self._a_prev = np.concatenate([trace.a0[:, :, None], trace.a[:, :, :-1]], axis=2)
        self._t = trace.T
        self._sums = self._zeros()

    def _zeros(self) -> dict[str, np.ndarray]:
        n_a, n_x = self.trace.n_a, self.trace.n_x
        return {"Wax": np.zeros((n_a, n_x)), "Waa": np.zeros((n_a, n_a)), "ba": np.zeros((n_a, 1))}

    def step(self, t: int) -> dict[str, np.ndarray]:
        """The contribution of step t alone: dz<t> x<t>^T, dz<t> a<t-1>^T, dz<t>."""
        dz = self._dz[:, :, t]
        with np.errstate(over="ignore", invalid="ignore"):
            return {"Wax": dz @ self.trace.x[:, :, t].T, "Waa": dz @ self._a_prev[:, :, t].T,
                    "ba": dz.sum(axis=1, keepdims=True)}

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
        if self.flow == "total":
            return self.trace.partial_grads(t)
        dz = self._dz[:, :, t:].reshape(self.trace.n_a, -1, order="F")
        x = self.trace.x[:, :, t:].reshape(self.trace.n_x, -1, order="F")
        ap = self._a_prev[:, :, t:].reshape(self.trace.n_a, -1, order="F")
        return {"Wax": dz @ x.T, "Waa": dz @ ap.T, "ba": dz.sum(axis=1, keepdims=True)}


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


def backward_terms(trace: Trace, t: int, flow: str = "total") -> dict:
    """The parts of BPTT at step t (0-based) for the loss that flows back ("total": L = sum L<t>,
    "last": L<T> alone), so that every part shown adds up to its total:

        da = direct + recurrent,   direct = dL/dŷ<t> through Wya (0 for L<T> before step T),
        recurrent = Waa^T dz<t+1> (0 at the last step),   dz = da * g'(z<t>)

    Arrays are (n_a, m); "Wax", "Waa", "ba" are the norms of this step's contributions
    dz x<t>^T, dz a<t-1>^T, dz (what BPTT adds to each weight's gradient at step t)."""
    T = trace.T
    zeros = np.zeros_like(trace.da[:, :, t])
    if flow == "total":
        da, direct = trace.da[:, :, t], trace.da_direct[:, :, t]
        dz_next = trace.dz[:, :, t + 1] if t + 1 < T else None
    else:
        da = trace.da_last[:, :, t]
        direct = trace.da_direct[:, :, t] if t == T - 1 else zeros
        with np.errstate(over="ignore", invalid="ignore"):
            dz_next = trace.da_last[:, :, t + 1] * trace.gprime[:, :, t + 1] if t + 1 < T else None
    with np.errstate(over="ignore", invalid="ignore"):
        recurrent = trace.params["Waa"].T @ dz_next if dz_next is not None else zeros
        dz = da * trace.gprime[:, :, t]
    a_prev = trace.a0 if t == 0 else trace.a[:, :, t - 1]
    return {"da": da, "direct": direct, "recurrent": recurrent, "dz": dz,
            "Wax": _outer_norm(dz, trace.x[:, :, t]), "Waa": _outer_norm(dz, a_prev),
            "ba": frobenius(dz.sum(axis=1, keepdims=True))}


def last_loss_silent(trace: Trace) -> bool:
    """True when nothing flows back from the last step's loss: dL<T>/da<t> is exactly 0 at every step
    (a saturated softmax: L<T> is exactly 0, so its gradient is too). Non-finite values are not silence."""
    d = trace.da_last
    return bool(np.all(np.isfinite(d)) and not np.any(d))
