"""Gradient check: the analytic gradient of L = Σ L<t> (BPTT) against centred finite differences
(L(w + ε) − L(w − ε)) / 2ε, entry by entry, for the weights on screen.

Per weight, a few entries are checked (the largest |dL/dw| and some chosen at random, seeded): each
costs two forward passes. The relative error over them, ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) as in the
course's gradient_check, is the number to read (GOOD_BELOW says what is good).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blas import one_blas_thread
from .losses import output_loss
from .model import Model
from .trace import poll

EPS = 1e-5
GOOD_BELOW = 1e-7      # the course's threshold is 2e-7 (with ε = 1e-7); float64 and ε = 1e-5 reach 1e-9
BAD_ABOVE = 1e-3
ADVICE = ("Relative error ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) between the BPTT gradient g and centred finite "
          "differences g_fd: below 1e-7 the gradient is right; 1e-7 to 1e-3 look closer (round-off when "
          "the gradient is tiny, or a ReLU step sitting near its kink at 0); above 1e-3 the gradient is wrong.")


@dataclass(frozen=True)
class CheckRow:
    name: str
    shape: tuple
    checked: int
    rel_error: float
    max_abs_diff: float

    @property
    def verdict(self) -> str:
        if not np.isfinite(self.rel_error):
            return "not finite"
        return "good" if self.rel_error < GOOD_BELOW else ("wrong" if self.rel_error > BAD_ABOVE else "look closer")


def trace_targets(trace):
    """The targets compute_trace scored: class ids (T, m) for cross-entropy on text, else values."""
    seq = trace.seq
    if trace.loss_name == "cross_entropy" and seq.kind == "text":
        return np.ascontiguousarray(seq.target_index.T)
    return np.ascontiguousarray(seq.y.transpose(2, 0, 1))


def trace_loss_fn(trace):
    """L(params) for the trace's sequence, loss and architecture, as compute_trace computes it."""
    targets = trace_targets(trace)
    bounds = list(trace.seq.segments) if trace.spec.encoder_decoder else None

    def loss(params: dict) -> float:
        cache = Model(trace.spec, params, bounds).forward(trace.inputs)
        _, L, _ = output_loss(trace.loss_name, cache.logits, targets, trace.step_weight)
        return float(L.sum())
    return loss


def gradient_check(loss_fn, params: dict, grads: dict, entries: int = 8, eps: float = EPS, seed: int = 0,
                   should_stop=None, progress=None) -> list[CheckRow]:
    """One CheckRow per weight. `loss_fn(params) -> L`; `grads` the analytic dL/dparams."""
    rng = np.random.default_rng(seed)
    p = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    rows, names = [], list(p)
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        for n, k in enumerate(names):
            w, g = p[k].reshape(-1), np.asarray(grads[k], dtype=np.float64).reshape(-1)
            pick = {int(np.argmax(np.abs(g)))} if g.size else set()
            pick |= set(rng.choice(w.size, size=min(entries, w.size), replace=False).tolist())
            ga, gn = [], []
            for i in sorted(pick):
                poll(should_stop)
                old = w[i]
                w[i] = old + eps
                up = loss_fn(p)
                w[i] = old - eps
                down = loss_fn(p)
                w[i] = old
                ga.append(g[i])
                gn.append((up - down) / (2 * eps))
            ga, gn = np.array(ga), np.array(gn)
            denom = np.linalg.norm(ga) + np.linalg.norm(gn)
            rel = float(np.linalg.norm(ga - gn) / denom) if denom > 0 else 0.0
            rows.append(CheckRow(k, tuple(np.shape(params[k])), len(pick), rel,
                                 float(np.max(np.abs(ga - gn))) if ga.size else 0.0))
            if progress is not None:
                progress((n + 1) / len(names))
    return rows
