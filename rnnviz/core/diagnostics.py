"""Why gradients vanish or explode: a verdict in words from a Trace, with the measured numbers.

The rule (one, stated in the verdict's text): the gradient that a late step's loss L<t*> sends back is
followed to step 1 (to step T for a backward direction),

    reach = ||dL<t*>/da<1>|| / ||dL<t*>/da<t*>||,   per step = reach ** (1 / steps between them)

    vanishing   reach < 1 / REACH_BAND   (less than 1% of it arrives)
    exploding   reach > REACH_BAND        (more than 100 times it arrives), or any inf/NaN
    stable      otherwise

t* is the last step whose own loss still sends a gradient (||dL<t*>/da<t*>|| at least DIRECT_FLOOR
times the largest one; usually the last step, but a saturated softmax can silence it). The headline
gives the reach over the length and the measured factor per step; the reasons give the measured
numbers behind it, from the cell: for the vanilla RNN γ·σ_max(Waa) (Pascanu et al.'s bound), ρ(Waa),
the measured step gains, tanh saturation or dead ReLU units; for the LSTM the product of the forget
gates along the cell state; for the GRU the product of its keep gates z; or the step of an overflow.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .gradients import (PartialGrads, backward_terms, clip_summary, envelope, frobenius,  # noqa: F401
                        gate_path, gate_product, gradient_curves, influence_log10, keep_gates, last_loss_silent,
                        path_start, recurrent_bounds, segment_index, step_gain, step_weight_names)
from .norms import sigma_max, spectral_radius
from .trace import GAINS_PENDING, Trace, _step_norms

REACH_BAND = 100.0
VANISH_RATIO = 1.0 / REACH_BAND
EXPLODE_RATIO = REACH_BAND
SATURATED_GPRIME = 0.1      # a tanh unit with g'(z) below this passes less than a tenth of its gradient
NOTABLE_FRACTION = 0.25     # saturation / dead units are named as a cause above this fraction
DIRECT_FLOOR = 1e-6         # a step's own gradient below this x the largest counts as silent
RADIUS_TOL = 0.005          # a radius within this of 1/γ counts as 1: the reason is then the activation
RULE = "under 1% of it arriving counts as vanishing, over ×100 as exploding"

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


def size_text(r: float) -> str:
    """What is left of a gradient: '10⁻⁹ of its size', '0.31 of its size', '×451 its size', 'exactly 0'."""
    if r == 0:
        return "exactly 0"
    if not math.isfinite(r):
        return "∞"
    if r < 1e-2:
        return f"{pow10_text(r)} of its size"
    if r < 1:
        return f"{r:.2g} of its size"
    return f"{ratio_text(r)} its size"


@dataclass(frozen=True)
class Verdict:
    kind: str                     # "vanishing" | "exploding" | "stable"
    headline: str                 # "vanishing: the gradient from step 40 is 10⁻⁹ of its size by step 1 (×0.6 per step)"
    reasons: tuple[str, ...]      # why, one clause each, with measured numbers
    ratio: float                  # the reach (nan if unknown)
    from_step: int                # t*, 1-based
    nonfinite_step: int | None    # 1-based step where inf/NaN first appears, or None
    per_step: float = float("nan")   # measured factor per step back
    rule: str = RULE
    gains_pending: bool = False      # the reasons quote the local gains, which are still being computed

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def text(self) -> str:
        why = f" Why: {self.reason}." if self.reasons else ""
        return f"{self.headline}.{why} (Rule: {self.rule}.)"


# ----------------------------------------------------------------------------- measured numbers
def _gprime(trace: Trace, layer=None, direction=0) -> np.ndarray | None:
    lt = trace.top if layer is None else trace.layer(layer, direction)
    try:
        return lt.quantity("gprime")
    except KeyError:
        return None


def saturation_fraction(trace: Trace, layer=None, direction=0) -> float:
    """Fraction of (unit, step) pairs with g'(z) < SATURATED_GPRIME (for ReLU: the dead ones, g' = 0);
    NaN for gated cells."""
    g = _gprime(trace, layer, direction)
    if g is None:
        return float("nan")
    g = g[np.isfinite(g)]
    if g.size == 0:
        return float("nan")
    limit = 0.5 if trace.activation == "relu" else SATURATED_GPRIME   # ReLU's g' is 0 or 1
    return float(np.mean(g < limit))


def mean_gprime(trace: Trace, layer=None, direction=0) -> float:
    """Average slope g'(z) over all finite unit-steps (vanilla)."""
    g = _gprime(trace, layer, direction)
    if g is None:
        return float("nan")
    g = g[np.isfinite(g)]
    return float(g.mean()) if g.size else float("nan")


def typical_gain(trace: Trace, layer=None, direction=0, steps: slice | None = None) -> float:
    """Geometric mean of the measured step gains ||ds<t>/ds<t-1>||_2 (steps 2..T by default)."""
    g = step_gain(trace, layer, direction)[steps or slice(1, None)]
    g = g[np.isfinite(g) & (g > 0)]
    return float(np.exp(np.mean(np.log(g)))) if g.size else float("nan")


def _measure(trace: Trace, gain: float) -> str:
    """'measure 0.93 on average', or what a reason says while the local gains are being computed."""
    if not trace.gains_ready:
        return f"measure … ({GAINS_PENDING})"
    err = trace.extras.get("gains_error")
    return f"could not be measured ({err})" if err and not math.isfinite(gain) else f"measure {gain:.2f} on average"


def reference_step(trace: Trace) -> int:
    """t* (0-based): the last step whose own loss still sends a gradient to the top layer."""
    d = _step_norms(trace.da_direct)
    ok = np.isfinite(d)
    if not ok.any() or np.nanmax(np.where(ok, d, np.nan)) == 0:
        return trace.last_step
    loud = np.flatnonzero(ok & (d >= DIRECT_FLOOR * d[ok].max()))
    return int(loud[-1])


def reach_ratio(trace: Trace, layer=None, direction: int = 0) -> tuple[float, int]:
    """(reach, t*): how much of L<t*>'s gradient at a<t*> survives to step 1 (backward direction: to
    step T, from the first step with a loss)."""
    lt = trace.top if layer is None else trace.layer(layer, direction)
    if direction == 1:
        if lt.influence is None:
            return float("nan"), 0
        ts = int(np.flatnonzero(trace.step_weight)[0]) if trace.step_weight.any() else 0
        num, den = lt.influence[ts, trace.T - 1], lt.influence[ts, ts]
    else:
        ts = reference_step(trace)
        if lt.influence is not None:
            num, den = lt.influence[ts, 0], lt.influence[ts, ts]
        else:   # no influence map (too big): the last step's own gradient is what we have
            ts = trace.last_step
            g = _step_norms(np.moveaxis(lt.grads_last.ds["a"], 0, -1))
            num, den = g[0], g[ts]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = float(num / den) if den > 0 else float("nan")
    return r, ts


# ----------------------------------------------------------------------------- the verdict
def _overflow(trace: Trace) -> tuple[int, str] | None:
    if trace.first_nonfinite is not None:
        k = trace.first_nonfinite + 1
        return k, f"the forward pass overflowed to inf/NaN at step {k}"
    if trace.first_nonfinite_grad is not None:
        k = trace.first_nonfinite_grad + 1
        return k, f"the gradient overflowed to inf/NaN at step {k} on the way back"
    return None


def _vanilla_reasons(trace: Trace, kind: str, layer, direction, span: slice) -> list[str]:
    lt = trace.top if layer is None else trace.layer(layer, direction)
    W = lt.run.params[-1]["W_hh"]
    sm, rho = sigma_max(W), spectral_radius(W)
    gamma = trace.gamma
    gs, gr = gamma * sm, gamma * rho
    relu = trace.activation == "relu"
    gain = typical_gain(trace, layer, direction, span)
    mg = mean_gprime(trace, layer, direction)
    sat = saturation_fraction(trace, layer, direction)
    out = []
    if kind == "vanishing":
        if gs < 1:
            out.append(f"γ·σ_max(Waa) = {gs:.2f} < 1, so every step must shrink it (Pascanu et al.)")
        elif gr < 1 - RADIUS_TOL:
            out.append(f"ρ(Waa) = {rho:.2f} < 1/γ: repeated products of Waa shrink every direction "
                       f"(σ_max = {sm:.2f} allows only brief growth)")
        else:
            out.append(f"ρ(Waa) = {rho:.2f} ≥ 1, but g′(z) averages {mg:.2f}: the step Jacobians "
                       f"‖diag(g′)Waa‖₂ {_measure(trace, gain)}")
    elif kind == "exploding":
        if gr > 1 + RADIUS_TOL:
            out.append(f"ρ(Waa) = {rho:.2f} > 1/γ = {1 / gamma:.2g}: the leading direction grows every step")
        if relu:
            out.append("ReLU does not saturate (g′ = 1 on active units), so nothing stops the growth")
        out.append(f"the step Jacobians ‖diag(g′)Waa‖₂ {_measure(trace, gain)}")
    else:
        out.append(f"ρ(Waa) = {rho:.2f} with g′(z) averaging {mg:.2f}: the step Jacobians "
                   f"‖diag(g′)Waa‖₂ {_measure(trace, gain)}")
    if math.isfinite(sat) and sat >= NOTABLE_FRACTION and kind != "exploding":
        out.append(f"ReLU: {sat:.0%} of the unit-steps are dead (g′ = 0) and pass no gradient" if relu else
                   f"tanh saturation: {sat:.0%} of the unit-steps have g′(z) < {SATURATED_GPRIME:g}")
    return out


def _gated_reasons(trace: Trace, kind: str, layer, direction, ts: int, span: slice) -> list[str]:
    lt = trace.top if layer is None else trace.layer(layer, direction)
    name, _ = keep_gates(trace, layer, direction)
    symbol = "Γf (forget gates)" if name == "f" else "z (keep gates, 1 − Γu)"
    path = "the cell state c" if name == "f" else "the state a"
    prod = gate_product(trace, lt.layer, lt.direction, to=ts) if direction == 0 else None
    out = []
    if prod is not None and np.isfinite(prod[0]):
        g = lt.quantity(name)[1:ts + 1]
        mean = float(np.mean(g)) if g.size else float("nan")
        out.append(f"{symbol} average {mean:.2f}; their product along {path} from step {ts + 1} to 1 is "
                   f"at most {pow10_text(prod[0]) if prod[0] < 1e-2 else f'{prod[0]:.2g}'} (the best unit)")
        if kind == "vanishing":
            out.append(f"{path} forgets: no unit keeps its past over {ts} steps")
        elif kind == "stable":
            out.append(f"{path} carries the gradient past the multiplications by W_hh")
    gain = typical_gain(trace, lt.layer, lt.direction, span)
    out.append(f"the step Jacobians ‖∂s⟨t⟩/∂s⟨t−1⟩‖₂ {_measure(trace, gain)}")
    return out


def verdict(trace: Trace, layer: int | None = None, direction: int = 0) -> Verdict:
    """Vanishing, exploding or stable, in words, with the measured cause (top forward layer by default).
    Kept with the trace (a trace never changes): the window's views ask it of the same trace many times,
    and the background job that computed the trace asks it first."""
    memo = trace.__dict__.setdefault("_verdicts", {})
    key = (trace.spec.layers - 1 if layer is None else int(layer), int(direction))   # None: the top layer
    if key not in memo:
        memo[key] = _verdict(trace, layer, direction)
    return memo[key]


def _verdict(trace: Trace, layer: int | None, direction: int) -> Verdict:
    ov = _overflow(trace)
    if ov is not None:
        k, what = ov
        reasons = [what]
        if trace.spec.cell == "rnn":
            reasons.append(f"ρ(Waa) = {trace.rho:.3g}, γ·σ_max = {trace.gamma * trace.sigma_max:.3g}")
            if trace.activation == "relu":
                reasons.append("ReLU is unbounded, so a<t> and the gradient grow by about ρ every step")
        return Verdict("exploding", f"exploding: overflow (inf/NaN) at step {k}", tuple(reasons),
                       float("inf"), trace.T, k)
    if trace.T < 2:
        return Verdict("stable", "stable: a single step, nothing flows back through time", (), 1.0, 1, None, 1.0)
    r, ts = reach_ratio(trace, layer, direction)
    steps = (trace.T - 1 - ts) if direction == 1 else ts      # multiplications between t* and the far end
    span = slice(ts + 1, None) if direction == 1 else slice(1, ts + 1)
    end = trace.T if direction == 1 else 1
    with np.errstate(divide="ignore", invalid="ignore"):
        per = float(r ** (1.0 / steps)) if steps > 0 and math.isfinite(r) and r > 0 else (0.0 if r == 0 else float("nan"))
    per_text = f" (×{per:.3g} per step)" if math.isfinite(per) and per > 0 else ""
    if not math.isfinite(r):
        if math.isnan(r):
            return Verdict("stable", "not measured: no gradient reaches back from a loss", (), r, ts + 1, None)
        kind = "exploding"
        head = f"exploding: the gradient from step {ts + 1} overflows before step {end}"
    elif r < VANISH_RATIO:
        kind = "vanishing"
        head = f"vanishing: the gradient from step {ts + 1} is {size_text(r)} by step {end}{per_text}"
    elif r > EXPLODE_RATIO:
        kind = "exploding"
        head = f"exploding: the gradient from step {ts + 1} grows {ratio_text(r)} over {steps} steps back to step {end}{per_text}"
    else:
        kind = "stable"
        head = f"stable: the gradient from step {ts + 1} is {size_text(r)} by step {end}{per_text}"
    if trace.spec.cell == "rnn":
        reasons = _vanilla_reasons(trace, kind, layer, direction, span)
    else:
        reasons = _gated_reasons(trace, kind, layer, direction, ts, span)
    pending = any(GAINS_PENDING in reason for reason in reasons)     # a reason quotes a gain still to come
    return Verdict(kind, head, tuple(reasons), r, ts + 1, None, per, gains_pending=pending)


def reach_comparison(label_a: str, va: Verdict, label_b: str, vb: Verdict) -> str:
    """One sentence comparing how much of the late loss's gradient two settings keep at step 1:
    'At step 1, LSTM keeps 10⁻⁷ of the gradient from step 60 and vanilla RNN 10⁻¹⁸: LSTM keeps
    ×10¹¹ more.' ('' when either reach is unknown, zero or infinite)."""
    ra, rb = va.ratio, vb.ratio
    if not all(math.isfinite(r) and r > 0 for r in (ra, rb)):
        return ""
    more, less = ((label_a, va), (label_b, vb)) if ra >= rb else ((label_b, vb), (label_a, va))
    log_factor = math.log10(more[1].ratio) - math.log10(less[1].ratio)   # (10^200 / 10^-200 overflows)
    same = va.from_step == vb.from_step
    frm = f"the gradient from step {va.from_step}" if same else "its late loss's gradient"
    text = f"At step 1, {label_a} keeps {_sci_text(ra)} of {frm} and {label_b} {_sci_text(rb)}"
    if log_factor < math.log10(2):
        return text + ": about the same."
    return text + f": {more[0]} keeps {_sci_log10(log_factor)} times more."


def _sci_text(x: float) -> str:
    """One significant digit: 0.31, 24, 2·10⁻¹⁸, 3·10¹⁰ (so that the numbers of one sentence agree);
    ∞, NaN and 0 as themselves."""
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if x <= 0:
        return "0" if x == 0 else "−" + _sci_text(-x)
    if 1e-2 <= x < 1e3:
        return f"{x:.2g}"
    return _sci_log10(math.log10(x))


def _sci_log10(lg: float) -> str:
    """_sci_text of 10**lg, for any finite lg (a ratio of 10^200 and 10^-200 is 10^400: past floats)."""
    if -2 <= lg < 3:
        return f"{10.0 ** lg:.2g}"
    e = math.floor(lg)
    m = round(10.0 ** (lg - e))
    if m == 10:
        m, e = 1, e + 1
    return ("" if m == 1 else f"{m}·") + "10" + str(e).translate(_SUPERSCRIPT)
