"""compute_trace: sequence + weights -> Trace, the one computation behind every view.

Forward pass, losses, full BPTT for L = sum_t L<t>, BPTT of the last step's loss L<T> alone, the
local gains of every layer-direction and (on request) the influence maps. Overflow is data: values
become inf/NaN, the steps where that first happens are recorded, nothing raises or warns.

The local gains cost more than all the rest (a batched Lanczos: some 30 products per step), so the
window asks for the trace without them (gains=False: trace.gains_ready is False, the gains NaN) and
fills them in afterwards with compute_gains, in a second background job that reports its progress.
"""
from __future__ import annotations

import time

import numpy as np

from .blas import one_blas_thread
from .jacobians import influence_maps, influence_too_big, run_gains
from .losses import check_loss, default_loss, output_loss
from .model import Inputs, Model
from .params import as_float64, check_model_params, check_params
from .sequences import SequenceData
from .spec import ModelSpec
from .trace import ARCHITECTURES, LayerTrace, Segment, Stopped, Trace, _first_bad, _nm, _tm
from .trace import poll as _poll


Cancelled = Stopped      # raised by compute_trace when its should_stop() says a newer request superseded it


def model_spec(params: dict, seq: SequenceData, activation: str = "tanh", architecture: str = "many-to-many",
               cell: str = "rnn", layers: int = 1, bidirectional: bool = False) -> ModelSpec:
    """The ModelSpec these weights and this sequence describe (n_a read from the recurrent weights)."""
    enc_dec = architecture == "encoder-decoder"
    probe = ModelSpec(cell, activation, seq.n_x, 1, seq.n_y, layers, bidirectional, enc_dec)
    key = probe.layer_names(0, 0, 0)[1]
    if key not in params:
        raise ValueError(f"missing weights: {key} (for a {probe.title()})")
    W = np.asarray(params[key])
    if W.ndim != 2:
        raise ValueError(f"{key} must be a 2-D array, not shape {W.shape}")
    return ModelSpec(cell, activation, seq.n_x, int(W.shape[1]), seq.n_y, layers, bidirectional, enc_dec)


def step_masks(seq: SequenceData, architecture: str) -> tuple[np.ndarray, np.ndarray]:
    """(step_weight, fed_back), each (T,): where the loss counts, and where the input is the previous
    step's target (teacher forcing: one-to-many after its first step, the decoder after its start)."""
    T = seq.T
    has_target = np.ones(T)
    if seq.target_index is not None:
        has_target = (seq.target_index >= 0).any(axis=0).astype(float)
    weight = has_target.copy()
    fed = np.zeros(T)
    if architecture == "many-to-one":
        weight[:-1] = 0.0
    elif architecture == "one-to-many":
        fed[1:] = 1.0
    elif architecture == "encoder-decoder":
        fed[seq.n_source + 1:] = 1.0
    return weight, fed


def compute_trace(params: dict, seq: SequenceData, *args, **kwargs) -> Trace:
    """Forward pass, losses and full BPTT for `seq` through `params` (float64), on one BLAS thread.
    See _compute_trace for the arguments."""
    with one_blas_thread():
        return _compute_trace(params, seq, *args, **kwargs)


def _compute_trace(params: dict, seq: SequenceData, activation: str = "tanh", loss: str | None = None,
                  architecture: str = "many-to-many", a0: np.ndarray | None = None, influence: bool = False,
                  gains: bool = True, *, cell: str = "rnn", layers: int = 1, bidirectional: bool = False,
                  should_stop=None) -> Trace:
    """Forward pass, losses and full BPTT for `seq` through `params` (float64).

    `a0` is the first layer's initial hidden state (n_a, m), zeros by default (c<0> = 0 always).
    `should_stop`, if given, is polled between the phases; when it returns True, Cancelled is raised."""
    t_start = time.perf_counter()

    def poll():
        _poll(should_stop)

    loss = loss or default_loss(seq.kind)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of {', '.join(ARCHITECTURES)}")
    if architecture == "encoder-decoder" and not seq.n_source:
        raise ValueError("an encoder–decoder needs a source and a target text (e.g. abc → cba)")
    if architecture != "encoder-decoder" and seq.n_source:
        raise ValueError("this sequence is a source → target pair: choose the encoder–decoder architecture")
    if architecture == "one-to-one":
        seq = seq.truncated(1)
    check_loss(loss, seq.kind, seq.y_values)
    probe = ModelSpec(cell, activation, seq.n_x, 1, seq.n_y, layers, bidirectional, architecture == "encoder-decoder")
    probe.check()
    if probe.notes_naming:
        check_params(params, seq.n_x, seq.n_y)     # the notes' five weights: their own clear messages
    spec = model_spec(params, seq, activation, architecture, cell, layers, bidirectional)
    check_model_params(spec, params)               # clear messages before any conversion
    p = as_float64(params, spec)
    T, m, n_a = seq.T, seq.m, spec.n_a
    s0 = None
    if a0 is not None:
        a0 = np.asarray(a0, dtype=np.float64)
        if a0.shape != (n_a, m):
            raise ValueError(f"a<0> has shape {a0.shape}, expected ({n_a}, {m})")
        s0 = (a0,) + tuple(np.zeros((n_a, m)) for _ in spec.make_cell().state_names[1:])
    step_weight, fed_back = step_masks(seq, architecture)
    if seq.kind == "text":
        inputs = Inputs(None, np.ascontiguousarray(seq.x_index.T), seq.n_x)
    else:
        inputs = Inputs(_tm(seq.x_values), None, seq.n_x)
    model = Model(spec, p, list(seq.segments) if spec.encoder_decoder else None)

    cache = model.forward(inputs, s0)
    poll()
    targets = np.ascontiguousarray(seq.target_index.T) if (loss == "cross_entropy" and seq.kind == "text") \
        else _tm(seq.y)
    y_hat, L, dlogits = output_loss(loss, cache.logits, targets, step_weight)
    run_grads, grads, _ = model.backward(cache, dlogits)
    poll()
    # the last step's loss alone: the same backward pass, fed only at that step
    on = np.flatnonzero(step_weight != 0)
    t_last = int(on[-1]) if on.size else T - 1
    last = np.zeros_like(dlogits)
    last[t_last] = dlogits[t_last]
    run_last, _, _ = model.backward(cache, last, param_grads=False)
    poll()

    layer_traces = []
    for (l, d) in spec.layer_dirs():
        run = cache.run(l, d)
        lg = run_gains(model.cell, run) if gains else np.full((T, m), np.nan)
        layer_traces.append(LayerTrace(l, d, model.cell, run, run_grads[(l, d)], run_last[(l, d)], lg))
        poll()
    infl_msg = None
    if influence:
        infl_msg = influence_too_big(T, n_a * model.cell.n_states, m, len(layer_traces), spec.gates)
        if infl_msg is None:
            for lt, M in zip(layer_traces, influence_maps(model, cache, dlogits).values()):
                lt.influence = M
    poll()

    states = [lt.quantity(k) for lt in layer_traces for k in model.cell.state_names]
    back = [lt.grad(k) for lt in layer_traces for k in model.cell.state_names]
    names = ("", ) if not spec.encoder_decoder else ("encoder", "decoder")
    segments = tuple(Segment(nm, a, b) for nm, (a, b) in zip(names, seq.segments))
    trace = Trace(
        seq=seq, spec=spec, params=p, loss_name=loss, architecture=architecture, layers=layer_traces,
        segments=segments, logits=_nm(cache.logits), y_hat=_nm(y_hat), loss_steps=L.T,
        step_weight=step_weight, input_weight=np.ones(T), fed_back=fed_back, grads=grads,
        first_nonfinite=_first_bad(states + [y_hat, L[:, None, :]]),
        first_nonfinite_grad=_first_bad(back, reverse=True),
        compute_seconds=time.perf_counter() - t_start, influence_message=infl_msg, inputs=inputs,
    )
    trace.gains_ready = bool(gains)
    trace.rho, trace.sigma_max     # noqa: B018 - computed here, where the work runs (a worker), not in a view
    trace.compute_seconds = time.perf_counter() - t_start
    return trace


def compute_gains(trace: Trace, should_stop=None, progress=None) -> dict[tuple[int, int], np.ndarray]:
    """The local gains ||ds<t>/ds<t-1>||_2 of every layer-direction of `trace`, {(layer, direction): (T, m)},
    exactly as compute_trace(gains=True) computes them; trace.set_gains(result) puts them in.

    Reads the trace, never changes it (a worker computes while the window shows the trace). `should_stop`
    is polled before every batched product (Cancelled is raised when it says so); `progress(fraction)`
    is called as the columns (steps x batch) of each layer-direction are done."""
    total = max(1, trace.T * trace.m * len(trace.layers)) if trace.layers else 1
    out, done = {}, 0

    def poll():
        _poll(should_stop)

    with one_blas_thread():
        for lt in trace.layers:
            report = None if progress is None else (lambda k, base=done: progress((base + k) / total))
            out[(lt.layer, lt.direction)] = run_gains(lt.cell, lt.run, poll=poll, progress=report)
            done += trace.T * trace.m
    return out
