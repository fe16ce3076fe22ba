"""The named live numbers a lesson's text and conditions use: {loss}, {grad_norm[1]}, {verdict}, {rho}.

Qt-free. A `Context` is a snapshot of what the window shows (trace, settings, cursor, clipping, the
compared trace); `VALUES` maps each name to what it means and how it is read from a Context. Names
with an index take a step, 1-based as the views show it: a number (`{grad_norm[1]}`), `t` (the
cursor's step), `T` (the last step), or `t-1`, `T-5`, `t+2`. Without an index such a name reads the
cursor's step. A value is a number, a word (str) or None (not available: "—" in the text).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

INDEX_RE = re.compile(r"^(?:(\d+)|([tT])(?:\s*([+-])\s*(\d+))?)$")


@dataclass
class Context:
    """What the window shows now; values are computed from it on demand (and cached)."""

    trace: object | None                 # rnnviz.core.trace.Trace
    config: object                       # rnnviz.core.settings.Config
    t: int = 0                           # the cursor's step, 0-based
    phase: str = "forward"
    clip: object | None = None           # rnnviz.core.clipping.ClipResult
    compare: object | None = None        # the compared Trace (compare mode) or None
    compare_config: object | None = None
    extra: dict = field(default_factory=dict)   # values other parts of the window add (training, ...)

    @cached_property
    def verdict(self):
        from rnnviz.core.diagnostics import verdict
        return verdict(self.trace) if self.trace is not None else None

    @cached_property
    def compare_verdict(self):
        from rnnviz.core.diagnostics import verdict
        return verdict(self.compare) if self.compare is not None else None


def parse_index(text: str | None) -> tuple[str, int] | None:
    """'3' -> ('', 3); 't' -> ('t', 0); 'T-2' -> ('T', -2). None if the text is no index."""
    if text is None:
        return ("t", 0)
    m = INDEX_RE.match(text.strip())
    if not m:
        return None
    if m.group(1):
        return ("", int(m.group(1)))
    off = int(m.group(4) or 0) * (-1 if m.group(3) == "-" else 1)
    return (m.group(2), off)


def resolve_index(ctx: Context, index: tuple[str, int], T: int) -> int | None:
    """The 0-based step an index names, or None when it lies outside 1..T."""
    base, off = index
    k = off if base == "" else (ctx.t + 1 + off if base == "t" else T + off)
    return k - 1 if 1 <= k <= T else None


# ----------------------------------------------------------------------------- helpers
def _norm(v) -> float:
    from rnnviz.core.trace import _step_norms
    v = np.asarray(v, dtype=float)
    return float(_step_norms(v.reshape(v.shape[0], -1, 1))[0]) if v.size else 0.0


def _weights(ctx: Context):
    tr = ctx.trace
    return tr.weight_names(None, 0)        # (W_ih, W_hh, b) of the top forward layer: Wax, Waa, ba


def _grad(ctx: Context, which: int):
    tr = ctx.trace
    name = _weights(ctx)[which]
    return _norm(tr.grads[name]) if name in tr.grads else None


def _readout(ctx: Context, name: str):
    g = ctx.trace.grads.get(name)
    return _norm(g) if g is not None else None


def _gate_mean(ctx: Context, k: int, gate: str):
    lt = ctx.trace.top
    if gate not in lt.cell.gate_names:
        return None
    return float(np.mean(lt.quantity(gate)[k]))


def _state_norm(ctx: Context, k: int, name: str):
    lt = ctx.trace.top
    if name not in lt.cell.state_names:
        return None
    return _norm(lt.quantity(name)[k].reshape(-1, 1))


def _carried(ctx: Context, k: int):
    """||dL/da<k> - dL<k>/da<k>||: the part of the gradient at a<k> that came from a<k+1>."""
    tr = ctx.trace
    return _norm((tr.da[:, :, k] - tr.da_direct[:, :, k]).reshape(-1, 1))


def _dwaa_sum(ctx: Context, k: int):
    """||sum over steps k..T of each step's dWaa||_F: what BPTT has gathered on reaching step k."""
    tr = ctx.trace
    w_hh = _weights(ctx)[1]
    return _norm(tr.partial_grads(k)[w_hh])


def _dwaa_step(ctx: Context, k: int):
    tr = ctx.trace
    return float(tr.step_contributions()[_weights(ctx)[1]][k])


def _y_hat(ctx: Context, k: int):
    tr = ctx.trace
    if tr.step_weight[k] == 0:
        return None
    col = tr.y_hat[:, 0, k]
    if tr.seq.kind == "text":
        return tr.seq.output_labels()[int(np.argmax(col))]
    return float(col[0])


def _p_target(ctx: Context, k: int):
    tr = ctx.trace
    if tr.seq.kind != "text" or tr.step_weight[k] == 0:
        return None
    tgt = int(np.argmax(tr.y[:, 0, k]))
    return float(tr.y_hat[tgt, 0, k])


def _gate_product(ctx: Context):
    from rnnviz.core.gradients import gate_product
    tr = ctx.trace
    if tr.spec.cell == "rnn":
        return None
    return float(gate_product(tr)[0])


def _compare_grad(ctx: Context, k: int, flow: str):
    tr = ctx.compare
    if tr is None or k >= tr.T:
        return None
    return float((tr.da_norm if flow == "total" else tr.da_last_norm)[k])


def _ratio(ctx: Context, k: int):
    """||dL<T>/da<k>|| of the compared setting over the main one's (how many times larger)."""
    a, b = _compare_grad(ctx, k, "last"), float(ctx.trace.da_last_norm[k])
    if a is None or b == 0 or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return a / b


def _clip(ctx: Context, attr: str):
    return getattr(ctx.clip, attr) if ctx.clip is not None else None


def _cos_clip(ctx: Context):
    """cos of the angle between the gradient and the clipped gradient (1: the same direction)."""
    if ctx.clip is None:
        return None
    g = np.concatenate([np.ravel(v) for v in ctx.trace.grads.values()])
    c = np.concatenate([np.ravel(ctx.clip.grads[k]) for k in ctx.trace.grads])
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(c))):
        return None
    s = max(float(np.max(np.abs(g))), 1e-300)
    gs, cs = g / s, c / max(float(np.max(np.abs(c))), 1e-300)
    den = float(np.linalg.norm(gs) * np.linalg.norm(cs))
    return float(gs @ cs / den) if den > 0 else None


def _gain(ctx: Context, k: int):
    """The step's local gain; while the window computes the gains (after the trace), it says so."""
    if not getattr(ctx.trace, "gains_ready", True):
        from rnnviz.core.trace import GAINS_PENDING
        return GAINS_PENDING
    return float(ctx.trace.top.local_gain[k].max())


def _first(v):
    return v + 1 if v is not None else "none"


# ----------------------------------------------------------------------------- the names
@dataclass(frozen=True)
class Value:
    doc: str
    read: object                 # (ctx) -> value, or (ctx, k) -> value with indexed=True
    indexed: bool = False
    needs_trace: bool = True


def _v(doc, read, indexed=False, needs_trace=True) -> Value:
    return Value(doc, read, indexed, needs_trace)


VALUES: dict[str, Value] = {
    # where the cursor is, the sizes
    "t": _v("the cursor's step (1-based)", lambda c: c.t + 1),
    "T": _v("the number of steps T", lambda c: c.trace.T),
    "phase": _v("forward or backward: the pass the cursor is in", lambda c: c.phase, needs_trace=False),
    "n_a": _v("hidden units n_a", lambda c: c.trace.n_a),
    "n_x": _v("input size n_x (distinct characters for text)", lambda c: c.trace.n_x),
    "n_y": _v("output size n_y", lambda c: c.trace.n_y),
    "params": _v("the number of weights", lambda c: int(sum(np.size(v) for v in c.trace.params.values()))),
    # the settings
    "cell": _v("the cell: rnn, gru or lstm", lambda c: c.config.cell, needs_trace=False),
    "activation": _v("the activation g: tanh or relu", lambda c: c.config.activation, needs_trace=False),
    "radius": _v("the radius setting ρ", lambda c: c.config.radius, needs_trace=False),
    "seed": _v("the weights' seed", lambda c: c.config.seed, needs_trace=False),
    "hidden": _v("the hidden size setting", lambda c: c.config.hidden, needs_trace=False),
    "layers": _v("stacked layers", lambda c: c.config.layers, needs_trace=False),
    "bidirectional": _v("yes or no", lambda c: "yes" if c.config.bidirectional else "no", needs_trace=False),
    "architecture": _v("many-to-many, many-to-one, ...", lambda c: c.config.architecture, needs_trace=False),
    "forget_bias": _v("the LSTM forget gate's initial bias", lambda c: c.config.forget_bias, needs_trace=False),
    "target": _v("the decoder's text (encoder–decoder)", lambda c: c.config.target, needs_trace=False),
    "flow": _v("what flows back: total or last", lambda c: c.config.flow, needs_trace=False),
    "clip_mode": _v("none, norm or value", lambda c: c.config.clip_mode, needs_trace=False),
    "clip_threshold": _v("θ (norm) or c (value)", lambda c: c.config.clip_threshold, needs_trace=False),
    "source": _v("the sequence as typed", lambda c: c.config.source, needs_trace=False),
    # the weights
    "rho": _v("the spectral radius ρ(Waa) of the weights", lambda c: c.trace.rho),
    "sigma_max": _v("‖Waa‖₂, the largest singular value", lambda c: c.trace.sigma_max),
    "gamma": _v("γ, the largest slope of g (1 for tanh and ReLU)", lambda c: c.trace.gamma),
    "gamma_sigma": _v("γ·σ_max(Waa), Pascanu's factor per step", lambda c: c.trace.gamma * c.trace.sigma_max),
    # the forward pass
    "loss": _v("the total loss L = Σ L⟨t⟩", lambda c: c.trace.total_loss),
    "loss_t": _v("the step's loss L⟨t⟩", lambda c, k: float(c.trace.loss[k]), True),
    "loss_sum": _v("L⟨1⟩ + … + L⟨t⟩", lambda c, k: float(np.sum(c.trace.loss[:k + 1])), True),
    "x": _v("the input at the step (character or number)", lambda c, k: c.trace.seq.input_label(k), True),
    "y": _v("the target at the step", lambda c, k: c.trace.seq.target_label(k), True),
    "yhat": _v("the prediction ŷ⟨t⟩ (most likely character, or the number)", _y_hat, True),
    "p_target": _v("ŷ⟨t⟩ of the target character", _p_target, True),
    "a_norm": _v("‖a⟨t⟩‖", lambda c, k: _state_norm(c, k, "a"), True),
    "c_norm": _v("‖c⟨t⟩‖ (LSTM)", lambda c, k: _state_norm(c, k, "c"), True),
    "forget": _v("the forget gates Γf⟨t⟩ averaged over units (LSTM)", lambda c, k: _gate_mean(c, k, "f"), True),
    "overflow_step": _v("the first step of the forward pass with inf/NaN, or none",
                        lambda c: _first(c.trace.first_nonfinite)),
    "overflow_grad_step": _v("the first step of BPTT with inf/NaN, or none",
                             lambda c: _first(c.trace.first_nonfinite_grad)),
    # backpropagation through time
    "grad_norm": _v("‖∂L/∂a⟨t⟩‖, the total loss's gradient", lambda c, k: float(c.trace.da_norm[k]), True),
    "grad_last": _v("‖∂L⟨T⟩/∂a⟨t⟩‖, the last step's loss alone", lambda c, k: float(c.trace.da_last_norm[k]), True),
    "grad_direct": _v("‖∂L⟨t⟩/∂a⟨t⟩‖ through ŷ⟨t⟩", lambda c, k: _norm(c.trace.da_direct[:, :, k]), True),
    "grad_carried": _v("‖∂L/∂a⟨t⟩ − ∂L⟨t⟩/∂a⟨t⟩‖: what came back from a⟨t+1⟩", _carried, True),
    "bound": _v("Pascanu's bound (γσ_max)^(T−t)", lambda c, k: float(c.trace.pascanu_bound()[k]), True),
    "gain": _v("‖∂a⟨t⟩/∂a⟨t−1⟩‖₂, the step's gain", _gain, True),
    "dWaa_step": _v("‖step t's part of ∂L/∂Waa‖_F", _dwaa_step, True),
    "dWaa_sum": _v("‖the sum of steps t..T of ∂L/∂Waa‖_F (what BPTT gathered by step t)", _dwaa_sum, True),
    "dWaa": _v("‖∂L/∂Waa‖_F", lambda c: _grad(c, 1)),
    "dWax": _v("‖∂L/∂Wax‖_F", lambda c: _grad(c, 0)),
    "dba": _v("‖∂L/∂ba‖", lambda c: _grad(c, 2)),
    "dWya": _v("‖∂L/∂Wya‖_F", lambda c: _readout(c, "Wya")),
    "gate_product": _v("the forget (keep) gates' product from the last step to step 1, best unit",
                       _gate_product),
    # the verdict
    "verdict": _v("vanishing, exploding or stable", lambda c: c.verdict.kind),
    "verdict_headline": _v("the verdict's sentence", lambda c: c.verdict.headline),
    "verdict_reason": _v("the verdict's reasons", lambda c: c.verdict.reason),
    "reach": _v("‖∂L⟨T⟩/∂a⟨1⟩‖ / ‖∂L⟨T⟩/∂a⟨T⟩‖: how much arrives at step 1", lambda c: c.verdict.ratio),
    "per_step": _v("the measured factor per step back", lambda c: c.verdict.per_step),
    # clipping
    "grad_total": _v("the global norm ‖g‖ of every weight's gradient", lambda c: _clip(c, "norm_before")),
    "grad_clipped": _v("the global norm after clipping", lambda c: _clip(c, "norm_after")),
    "clipped": _v("yes when clipping changed the gradient", lambda c: "yes" if _clip(c, "clipped") else "no"),
    "clip_cos": _v("cos of the angle between the gradient and the clipped one", _cos_clip),
    # compare mode
    "compare_cell": _v("the compared setting's cell", lambda c: c.compare_config.cell if c.compare_config else None,
                       needs_trace=False),
    "compare_radius": _v("the compared setting's ρ",
                         lambda c: c.compare_config.radius if c.compare_config else None, needs_trace=False),
    "compare_activation": _v("the compared setting's g",
                             lambda c: c.compare_config.activation if c.compare_config else None, needs_trace=False),
    "compare_verdict": _v("the compared setting's verdict",
                          lambda c: c.compare_verdict.kind if c.compare_verdict else None),
    "compare_grad_norm": _v("the compared setting's ‖∂L/∂a⟨t⟩‖", lambda c, k: _compare_grad(c, k, "total"), True),
    "compare_grad_last": _v("the compared setting's ‖∂L⟨T⟩/∂a⟨t⟩‖", lambda c, k: _compare_grad(c, k, "last"), True),
    "compare_ratio": _v("compared ‖∂L⟨T⟩/∂a⟨t⟩‖ over the main one's", _ratio, True),
}


TRAIN_MEAN_OF = 50      # the training loss shown and tested: the mean of the last 50 updates (one is noisy)


def _extra(name: str):
    return lambda c: c.extra.get(name)


for _name, _doc in (("train_updates", "updates trained so far (Train panel)"),
                    ("train_loss", f"the training loss, the mean of the last {TRAIN_MEAN_OF} updates"),
                    ("train_compare_loss", "the second model's training loss (the same mean)"),
                    ("train_baseline", "the loss of the best constant guess (the task's baseline)"),
                    ("train_cell", "the trained model's cell"),
                    ("train_compare_cell", "the second model's cell"),
                    ("train_task", "the task trained on")):
    VALUES[_name] = Value(_doc, _extra(_name), needs_trace=False)


def register(name: str, value: Value) -> None:
    """Another part of the app adds a name (training adds its loss and updates)."""
    VALUES[name] = value


def read_value(ctx: Context, name: str, index: str | None = None):
    """The value of `name` (with `index` for indexed names) in `ctx`; None when not available.
    KeyError for an unknown name, ValueError for a bad index."""
    if name in ctx.extra and not VALUES.get(name, Value("", None)).indexed:
        return ctx.extra[name]
    v = VALUES[name]
    if v.needs_trace and ctx.trace is None:
        return None
    if v.indexed:
        idx = parse_index(index)
        if idx is None:
            raise ValueError(f"{index!r} is not a step (a number, t, T, t-1, T-2, ...)")
        k = resolve_index(ctx, idx, ctx.trace.T if ctx.trace is not None else 0)
        if k is None:
            return None
        try:
            return v.read(ctx, k)
        except (IndexError, KeyError):
            return None
    if index is not None:
        raise ValueError(f"{name} takes no step")
    try:
        return v.read(ctx)
    except (IndexError, KeyError, AttributeError):
        return None
