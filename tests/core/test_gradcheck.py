"""Finite-difference checks of everything BPTT returns, in float64.

For every activation x loss x architecture and batch sizes 1 and 3, on random shapes:
- the forward losses equal an independent step-by-step reference;
- dL/dparam for all five weights and dL/da<0> equal central differences of L, computed by the
  reference in extended precision (so the differences keep 1e-7 even for gradients 1e-6 of L);
- dL/da<t> (total), dL<t>/da<t> (direct), dL<T>/da<t> (last step alone) and the influence matrix
  ||dL<t>/da<k>|| equal central differences of the reference with a<k> perturbed additively.
Relative error ||g - g_fd|| / max(||g||, ||g_fd||) < 1e-7. ReLU kinks are avoided: examples with some
|z| < 1e-3 are discarded (a perturbation of 1e-5 moves z by far less than that).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rnnviz.core import compute_trace

from .reference import central_diff, number_batch, random_params, ref_loss_steps, rel_err, text_batch

EPS = 1e-5   # central differences: truncation ~eps^2, round-off ~1e-16/eps, both far below 1e-7
TOL = 1e-7
TASKS = [("cross_entropy", "text"), ("mse", "numbers"), ("bce", "binary")]
ARCHS = ["many-to-many", "many-to-one", "one-to-many"]

shapes = st.tuples(
    st.integers(1, 5),          # T
    st.integers(1, 5),          # n_a
    st.integers(2, 5),          # vocabulary size (text only)
    st.integers(0, 2**32 - 1),  # seed
)
SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def make_case(loss, data, m, shape):
    T, n_a, n_vocab, seed = shape
    rng = np.random.default_rng(seed)
    if data == "text":
        seq = text_batch(rng, T, m, n_vocab)
    else:
        seq = number_batch(rng, T, m, binary=(data == "binary"))
    p = random_params(rng, seq.n_x, n_a, seq.n_y)
    a0 = rng.standard_normal((n_a, m)) * 0.5   # nonzero, so dL/da<0> is exercised fully
    return seq, p, a0


def kinks_far(trace) -> bool:
    return trace.activation == "tanh" or bool(np.min(np.abs(trace.z)) > 1e-3)


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("architecture", ARCHS)
@pytest.mark.parametrize("loss,data", TASKS)
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@SETTINGS
@given(shape=shapes)
def test_param_and_a0_gradients(activation, loss, data, architecture, m, shape):
    seq, p, a0 = make_case(loss, data, m, shape)
    tr = compute_trace(p, seq, activation, loss, architecture, a0=a0, gains=False)
    assume(kinks_far(tr))
    assert tr.finite

    # the engine's losses equal the step-by-step reference
    ref = ref_loss_steps(p, seq.x, seq.y, activation, loss, architecture, a0)
    np.testing.assert_allclose(tr.loss_steps, ref, rtol=1e-12, atol=1e-14)

    def total_loss():  # L of the extended-precision reference, equal to the engine's L (checked above)
        return ref_loss_steps(p, seq.x, seq.y, activation, loss, architecture, a0).sum()

    for name in ("Wax", "Waa", "Wya", "ba", "by"):
        fd = central_diff(total_loss, p[name], EPS)
        assert tr.grads[name].shape == p[name].shape
        assert rel_err(tr.grads[name], fd) < TOL, name
    fd0 = central_diff(total_loss, a0, EPS)
    assert rel_err(tr.da0, fd0) < TOL


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("architecture", ARCHS)
@pytest.mark.parametrize("loss,data", TASKS)
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@SETTINGS
@given(shape=shapes)
def test_hidden_state_gradients_and_influence(activation, loss, data, architecture, m, shape):
    seq, p, a0 = make_case(loss, data, m, shape)
    tr = compute_trace(p, seq, activation, loss, architecture, a0=a0, influence=True)
    assume(kinks_far(tr))
    T = seq.T
    delta = np.zeros((tr.n_a, m, T))

    def step_losses():  # (T,) L<t> summed over the batch, with a<k> shifted by delta
        return ref_loss_steps(p, seq.x, seq.y, activation, loss, architecture, a0, delta).sum(axis=0)

    J = central_diff(step_losses, delta, EPS)        # J[i, b, k, t] = dL<t>/da<k>[i, b]
    assert rel_err(tr.da, J.sum(axis=3)) < TOL                     # total dL/da<k>
    assert rel_err(tr.da_last, J[..., T - 1]) < TOL                # dL<T>/da<k>
    direct = np.stack([J[:, :, k, k] for k in range(T)], axis=2)
    assert rel_err(tr.da_direct, direct) < TOL                     # dL<k>/da<k> through ŷ<k>
    # influence[t, k] = ||dL<t>/da<k>|| for k <= t, NaN above the diagonal
    norms = np.sqrt(np.einsum("ibkt->tk", J * J))
    lower = np.tril(np.ones((T, T), dtype=bool))
    assert tr.influence is not None and tr.influence.shape == (T, T)
    assert np.all(np.isnan(tr.influence[~lower]))
    assert rel_err(tr.influence[lower], norms[lower]) < TOL
    # the future never influences the past: dL<t>/da<k> = 0 for k > t
    assert np.all(J[:, :, ~lower.T] == 0.0)
    # dz = da * g'(z), and g' is the activation's derivative
    np.testing.assert_allclose(tr.dz, tr.da * tr.gprime, rtol=0, atol=0)


def test_default_a0_is_zero_and_gradient_reaches_it():
    rng = np.random.default_rng(3)
    seq = text_batch(rng, 6, 1, 4)
    p = random_params(rng, seq.n_x, 4, seq.n_y)
    tr = compute_trace(p, seq)
    assert np.array_equal(tr.a0, np.zeros((4, 1)))
    a0 = np.zeros((4, 1))
    fd = central_diff(lambda: compute_trace(p, seq, a0=a0, gains=False).total_loss, a0, EPS)
    assert rel_err(tr.da0, fd) < TOL
