"""Gradient check: the analytic gradient of L = Σ L<t> (BPTT) against centred finite differences
(L(w + ε) − L(w − ε)) / 2ε, entry by entry, for the weights on screen.

Per weight, a few entries are checked (the largest |dL/dw| and some chosen at random, seeded): each
costs two forward passes. The relative error over them, ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) as in the
course's gradient_check, is the number to read (GOOD_BELOW says what is good).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .blas import one_blas_thread
from .losses import output_loss
from .model import Model
from .trace import poll

EPS = 1e-5
GOOD_BELOW = 1e-7      # the course's threshold is 2e-7 (with ε = 1e-7); float64 and ε = 1e-5 reach 1e-9
BAD_ABOVE = 1e-3
ADVICE = ("Relative error ‖g − g_fd‖ / (‖g‖ + ‖g_fd‖) between the BPTT gradient g and centred finite "
          "differences g_fd: below 1e-7 the gradient is right; 1e-7 to 1e-3 look closer (a ReLU step sitting "
          "near its kink at 0), unless the error falls when ε is 10× larger: then it is the differences' "
          "round-off on a tiny gradient (a trained model's), and the gradient is right; above 1e-3 it is wrong.")
WIDER = 10.0           # the round-off test: ε this much larger


@dataclass(frozen=True)
class CheckRow:
    name: str
    shape: tuple
    checked: int
    rel_error: float
    max_abs_diff: float
    wider_rel_error: float | None = None   # the same entries at ε·WIDER (only where the verdict was in between)

    @property
    def round_off(self) -> bool:
        """The error is the finite differences' round-off, not the gradient's: it falls, at least 3×, to
        below 1e-6 when ε grows 10× (round-off falls as 1/ε; a wrong gradient's error stays; the
        differences' own truncation error would grow as ε²)."""
        w = self.wider_rel_error
        return w is not None and np.isfinite(w) and w <= self.rel_error / 3 and w < 1e-6

    @property
    def verdict(self) -> str:
        if not np.isfinite(self.rel_error):
            return "not finite"
        if self.rel_error < GOOD_BELOW or (self.rel_error <= BAD_ABOVE and self.round_off):
            return "good"
        return "wrong" if self.rel_error > BAD_ABOVE else "look closer"


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


def _relative(ga: np.ndarray, gn: np.ndarray) -> float:
    denom = np.linalg.norm(ga) + np.linalg.norm(gn)
    return float(np.linalg.norm(ga - gn) / denom) if denom > 0 else 0.0


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
            ga = np.array([g[i] for i in sorted(pick)])

            def differences(h: float) -> np.ndarray:
                out = []
                for i in sorted(pick):
                    poll(should_stop)
                    old = w[i]
                    w[i] = old + h
                    up = loss_fn(p)
                    w[i] = old - h
                    down = loss_fn(p)
                    w[i] = old
                    out.append((up - down) / (2 * h))
                return np.array(out)

            gn = differences(eps)
            rel = _relative(ga, gn)
            row = CheckRow(k, tuple(np.shape(params[k])), len(pick), rel,
                           float(np.max(np.abs(ga - gn))) if ga.size else 0.0)
            if row.verdict == "look closer":
                row = replace(row, wider_rel_error=_relative(ga, differences(eps * WIDER)))
            rows.append(row)
            if progress is not None:
                progress((n + 1) / len(names))
    return rows
