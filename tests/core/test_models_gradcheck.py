"""Finite differences (float64 engine vs an extended-precision step-by-step reference) for every model.

For every cell (vanilla tanh, vanilla ReLU, GRU, LSTM) x layers {1, 2, 3} x directions {1, 2} x
architecture (many-to-many, many-to-one, one-to-many, one-to-one, encoder–decoder) x loss (cross-entropy,
BCE, MSE) x batch m {1, 3}:
- the per-step losses equal the reference (tests/core/reference_models.py);
- every parameter's gradient, dL/da<0>, dL/ds<t> and dL<T>/ds<t> of every layer-direction and state
  (a, and c for the LSTM) agree with central differences along random directions, to 1e-7 of the
  gradient's size (test_every_model_along_random_directions);
- on a covering subset, every entry of every gradient and every influence map ||dL<t>/da<k>|| agrees
  entry by entry (test_every_entry), with relative error ||g - g_fd|| / max(||g||, ||g_fd||) < 1e-7.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnnviz.core.compute import compute_trace
from rnnviz.core.params import init_model_params
from rnnviz.core.sequences import pair_sequence, text_sequence, number_sequence
from rnnviz.core.spec import ModelSpec
from rnnviz.core.trace import StateRef

from .reference import central_diff, rel_err, stack
from .reference_models import ref_step_losses

EPS = 1e-5
TOL = 1e-7
CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("gru", "tanh"), ("lstm", "tanh")]
TASKS = {"cross_entropy": "text", "bce": "binary", "mse": "numbers"}
ARCHS = ["many-to-many", "many-to-one", "one-to-many", "one-to-one", "encoder-decoder"]


def cases():
    for (cell, act), layers, bidir, arch, loss, m in itertools.product(
            CELLS, (1, 2, 3), (False, True), ARCHS, TASKS, (1, 3)):
        if arch == "encoder-decoder" and (bidir or loss != "cross_entropy"):
            continue
        yield cell, act, layers, bidir, arch, loss, m


def case_id(c):
    cell, act, layers, bidir, arch, loss, m = c
    return f"{cell if cell != 'rnn' else act}-L{layers}{'-bi' if bidir else ''}-{arch}-{loss}-m{m}"


def make_case(cell, act, layers, bidir, arch, loss, m, seed, T=4, n_a=3):
    rng = np.random.default_rng(seed)
    alphabet = "abé"
    if arch == "encoder-decoder":
        vocab = tuple(sorted(alphabet)) + ("⟨s⟩", "⟨e⟩")
        seqs = [pair_sequence("".join(rng.choice(list(alphabet), 3)), "".join(rng.choice(list(alphabet), 2)), vocab)
                for _ in range(m)]
    elif loss == "cross_entropy":
        vocab = tuple(sorted(alphabet))
        seqs = [text_sequence("".join(rng.choice(list(alphabet), T + 1)), vocab) for _ in range(m)]
    else:
        vals = [rng.integers(0, 2, T + 1).astype(float) if loss == "bce" else rng.standard_normal(T + 1)
                for _ in range(m)]
        seqs = [number_sequence(v) for v in vals]
    seq = seqs[0] if m == 1 else stack(seqs)
    spec = ModelSpec(cell, act, seq.n_x, n_a, seq.n_y, layers, bidir, arch == "encoder-decoder")
    p = init_model_params(spec, seed=seed, radius=1.0)
    for k, v in p.items():           # nonzero biases everywhere, so every code path carries a signal
        if k.startswith(("bias", "encoder.bias", "decoder.bias")) or k in ("ba", "by"):
            p[k] = v + rng.standard_normal(v.shape) * 0.3
    a0 = rng.standard_normal((n_a, m)) * 0.5
    return seq, spec, p, a0


def compute(seq, spec, p, arch, loss, a0, **kw):
    return compute_trace(p, seq, spec.activation, loss, arch, a0=a0, cell=spec.cell, layers=spec.layers,
                         bidirectional=spec.bidirectional, **kw)


def kinks_far(tr) -> bool:
    if tr.spec.cell != "rnn" or tr.activation == "tanh":
        return True
    return all(np.min(np.abs(lt.quantity("z"))) > 1e-3 for lt in tr.layers)


def first_good(c, tries=20):
    """The first seed whose ReLU pre-activations are far from the kink (others: the first seed)."""
    for seed in range(tries):
        seq, spec, p, a0 = make_case(*c, seed=seed)
        tr = compute(seq, spec, p, c[4], c[5], a0, influence=True)
        if kinks_far(tr):
            return seq, spec, p, a0, tr
    pytest.skip("no example far from ReLU's kink")


def directional(f, x: np.ndarray, v: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d/dh f(x + h v) at h = 0 by central differences (x perturbed in place and restored)."""
    old = x.copy()
    x += eps * v
    fp = np.asarray(f(), dtype=np.longdouble)
    x[...] = old - eps * v
    fm = np.asarray(f(), dtype=np.longdouble)
    x[...] = old
    return np.asarray((fp - fm) / (2 * eps), dtype=np.float64)


def close(g: np.ndarray, v: np.ndarray, fd: float, what: str) -> None:
    want = float(np.sum(g * v))
    scale = float(np.linalg.norm(g) * np.linalg.norm(v))
    assert abs(want - fd) <= TOL * max(scale, 1e-9), f"{what}: {want} vs {fd} (scale {scale})"


@pytest.mark.parametrize("c", list(cases()), ids=case_id)
def test_every_model_along_random_directions(c):
    cell, act, layers, bidir, arch, loss, m = c
    seq, spec, p, a0, tr = first_good(c)
    rng = np.random.default_rng(99)
    assert tr.finite
    seq = tr.seq                       # one-to-one: the first step only
    np.testing.assert_allclose(tr.loss_steps, ref_step_losses(spec, p, seq, arch, loss, a0).astype(float),
                               rtol=1e-11, atol=1e-13)
    t_last = tr.last_step
    delta = {}

    def steps():
        return ref_step_losses(spec, p, seq, arch, loss, a0, delta).sum(axis=0)

    for name, arr in p.items():
        v = rng.standard_normal(arr.shape)
        fd = directional(steps, arr, v)
        close(tr.grads[name], v, fd.sum(), name)
    v = rng.standard_normal(a0.shape)
    close(tr.da0, v, directional(steps, a0, v).sum(), "a<0>")
    for lt in tr.layers:
        for name in lt.cell.state_names:
            key = (lt.layer, lt.direction, name)
            delta[key] = np.zeros((spec.n_a, m, tr.T))
            v = rng.standard_normal(delta[key].shape)
            fd = directional(steps, delta[key], v)
            ref = StateRef(lt.layer, lt.direction, name)
            close(tr.grad(ref), v, fd.sum(), f"dL/d{name} {key}")
            close(tr.grad(ref, "last"), v, fd[t_last], f"dL<T>/d{name} {key}")
            del delta[key]


SUBSET = [c for c in cases() if c[6] in (1, 3) and (c[2] <= 2) and (
    (c[4], c[5]) in {("many-to-many", "cross_entropy"), ("many-to-one", "mse"), ("one-to-many", "bce"),
                     ("encoder-decoder", "cross_entropy"), ("one-to-one", "cross_entropy")})]


@pytest.mark.parametrize("c", SUBSET, ids=case_id)
def test_every_entry(c):
    cell, act, layers, bidir, arch, loss, m = c
    seq, spec, p, a0, tr = first_good(c)
    delta = {}
    run_seq = tr.seq

    def total():
        return ref_step_losses(spec, p, run_seq, arch, loss, a0, delta).sum()

    for name, arr in p.items():
        assert rel_err(tr.grads[name], central_diff(total, arr, EPS)) < TOL, name
    assert rel_err(tr.da0, central_diff(total, a0, EPS)) < TOL
    T = tr.T

    def steps():
        return ref_step_losses(spec, p, run_seq, arch, loss, a0, delta).sum(axis=0)

    for lt in tr.layers:
        for name in lt.cell.state_names:
            key = (lt.layer, lt.direction, name)
            delta[key] = np.zeros((spec.n_a, m, T))
            J = central_diff(steps, delta[key], EPS)            # J[i, b, k, t] = dL<t>/ds<k>[i, b]
            ref = StateRef(lt.layer, lt.direction, name)
            assert rel_err(tr.grad(ref), J.sum(axis=3)) < TOL, key
            assert rel_err(tr.grad(ref, "last"), J[..., tr.last_step]) < TOL, key
            if name == "a":
                norms = np.sqrt(np.einsum("ibkt->tk", J * J))
                M = lt.influence
                assert M is not None and M.shape == (T, T)
                ok = ~np.isnan(M)
                assert rel_err(M[ok], norms[ok]) < TOL, key
                assert np.all(norms[~ok] == 0), key             # NaN only where L<t> can't reach a<k>
            del delta[key]
