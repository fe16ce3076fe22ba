"""Step Jacobians and what the trace derives from them, against explicit per-step matrices."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core import compute_trace
from rnnviz.core.jacobians import INFLUENCE_MAX_T, influence_matrix, local_gains

from .reference import number_batch, random_params, text_batch


def exact_gains(Waa, gprime):
    """||diag(g'(z<t>)) Waa||_2 by a dense SVD per step and batch element: (T, n_a, m) -> (T, m)."""
    T, n_a, m = gprime.shape
    return np.array([[np.linalg.norm(gprime[t, :, b][:, None] * Waa, 2) for b in range(m)]
                     for t in range(T)])


@pytest.mark.parametrize("n_a,m", [(1, 1), (3, 2), (17, 1), (40, 3), (64, 2), (128, 1), (300, 1)])
@pytest.mark.parametrize("kind", ["tanh", "relu", "spread"])
def test_local_gains_equal_the_exact_norm(n_a, m, kind):
    rng = np.random.default_rng(n_a * 7 + m)
    T = 30
    Waa = rng.standard_normal((n_a, n_a)) / np.sqrt(n_a)
    if kind == "tanh":       # 1 - tanh^2 of typical pre-activations
        gprime = 1 - np.tanh(rng.standard_normal((T, n_a, m)) * 1.5) ** 2
    elif kind == "relu":     # 0/1 masks, some steps all zero
        gprime = (rng.random((T, n_a, m)) < 0.5).astype(float)
        gprime[3] = 0.0
    else:                    # entries spread over decades: ill-conditioned D
        gprime = 10.0 ** rng.uniform(-6, 0, (T, n_a, m))
    got = local_gains(Waa, gprime)
    want = exact_gains(Waa, gprime)
    assert got.shape == (T, m)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    if n_a > 64:
        return
    # many columns at once (the bisection path, in small chunks) give the same answer
    many = np.concatenate([gprime] * 40)
    np.testing.assert_allclose(local_gains(Waa, many, chunk=700), np.concatenate([want] * 40),
                               rtol=1e-12, atol=1e-300)


def test_local_gains_mark_non_finite_steps():
    rng = np.random.default_rng(1)
    Waa = rng.standard_normal((5, 5))
    gprime = rng.random((6, 5, 2))
    gprime[2, 1, 0] = np.nan
    gprime[4, 0, 1] = np.inf
    got = local_gains(Waa, gprime)
    assert np.isnan(got[2, 0]) and np.isnan(got[4, 1])
    ok = np.isfinite(gprime).all(axis=1)
    np.testing.assert_allclose(got[ok], exact_gains(Waa, np.where(np.isfinite(gprime), gprime, 0.0))[ok], rtol=1e-12)


def small_trace(activation="tanh", loss="cross_entropy", architecture="many-to-many", m=2, T=9, n_a=6,
                influence=True):
    rng = np.random.default_rng(5)
    seq = text_batch(rng, T, m, 4) if loss == "cross_entropy" else number_batch(rng, T, m)
    p = random_params(rng, seq.n_x, n_a, seq.n_y, radius=1.3)
    a0 = rng.standard_normal((n_a, m))
    return compute_trace(p, seq, activation, loss, architecture, a0=a0, influence=influence)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_trace_gains_sigma_rho_and_bound(activation):
    tr = small_trace(activation)
    Waa = tr.params["Waa"]
    gp = np.moveaxis(tr.gprime, -1, 0)
    np.testing.assert_allclose(tr.local_gain, exact_gains(Waa, gp).T, rtol=1e-12)
    assert tr.local_gain.shape == (tr.m, tr.T)
    assert tr.sigma_max == pytest.approx(np.linalg.norm(Waa, 2), rel=1e-14)
    assert tr.rho == pytest.approx(np.max(np.abs(np.linalg.eigvals(Waa))), rel=1e-14)
    assert tr.gamma == 1.0
    t = np.arange(1, tr.T + 1)
    np.testing.assert_allclose(tr.pascanu_bound(), (tr.gamma * tr.sigma_max) ** (tr.T - t), rtol=1e-14)
    assert tr.pascanu_bound()[-1] == 1.0
    # the local gain never exceeds gamma * sigma_max
    assert np.all(tr.local_gain <= tr.gamma * tr.sigma_max * (1 + 1e-12))


def explicit_step_grads(tr):
    """Per-step dWax, dWaa, dba as explicit matrices, summed over the batch."""
    a_prev = np.concatenate([tr.a0[:, :, None], tr.a[:, :, :-1]], axis=2)
    out = []
    for t in range(tr.T):
        dz = tr.dz[:, :, t]
        out.append({"Wax": dz @ tr.x[:, :, t].T, "Waa": dz @ a_prev[:, :, t].T,
                    "ba": dz.sum(axis=1, keepdims=True)})
    return out


@pytest.mark.parametrize("architecture", ["many-to-many", "many-to-one", "one-to-many"])
def test_step_contributions_and_partial_grads(architecture):
    tr = small_trace(architecture=architecture)
    steps = explicit_step_grads(tr)
    contrib = tr.step_contributions()
    for k in ("Wax", "Waa", "ba"):
        want = np.array([np.linalg.norm(s[k]) for s in steps])
        np.testing.assert_allclose(contrib[k], want, rtol=1e-12, atol=1e-15)
        # partial_grads(0) is the full gradient, partial_grads(t) the sum of steps t..T-1
        np.testing.assert_allclose(tr.partial_grads(0)[k], tr.grads[k], rtol=1e-13, atol=1e-15)
        for t in (1, tr.T // 2, tr.T - 1):
            np.testing.assert_allclose(tr.partial_grads(t)[k], sum(s[k] for s in steps[t:]),
                                       rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(sum(s[k] for s in steps), tr.grads[k], rtol=1e-12, atol=1e-15)
    if architecture == "one-to-many":   # teacher forcing: each later input is the previous target
        assert np.array_equal(tr.fed_back, np.r_[0.0, np.ones(tr.T - 1)])
        np.testing.assert_array_equal(tr.x[:, :, 1:], tr.y[:, :, :-1])
        assert np.all(contrib["Wax"][1:] > 0)


def test_influence_equals_explicit_jacobian_products():
    tr = small_trace(T=12, n_a=5, m=2, loss="mse")
    Waa = tr.params["Waa"]
    J = [np.stack([tr.gprime[:, b, t][:, None] * Waa for b in range(tr.m)]) for t in range(tr.T)]
    want = np.full((tr.T, tr.T), np.nan)
    for t in range(tr.T):
        g = tr.da_direct[:, :, t].T[:, :, None]          # (m, n_a, 1): dL<t>/da<t>
        want[t, t] = np.linalg.norm(g)
        for k in range(t - 1, -1, -1):
            g = np.transpose(J[k + 1], (0, 2, 1)) @ g   # dL<t>/da<k> = J<k+1>^T dL<t>/da<k+1>
            want[t, k] = np.linalg.norm(g)
    np.testing.assert_allclose(tr.influence, want, rtol=1e-12, atol=1e-300)
    # summing dL<t>/da<k> over t (as vectors) gives the total gradient da
    da_sum = np.zeros_like(tr.da)
    for t in range(tr.T):
        g = tr.da_direct[:, :, t]
        da_sum[:, :, t] += g
        for k in range(t - 1, -1, -1):
            g = np.einsum("bij,ib->jb", J[k + 1], g)
            da_sum[:, :, k] += g
    np.testing.assert_allclose(tr.da, da_sum, rtol=1e-12, atol=1e-15)


def test_influence_refused_past_the_cap_with_a_message():
    rng = np.random.default_rng(0)
    seq = number_batch(rng, INFLUENCE_MAX_T + 1, 1)
    p = random_params(rng, 1, 2, 1)
    tr = compute_trace(p, seq, influence=True, gains=False)
    assert tr.influence is None
    assert str(INFLUENCE_MAX_T) in tr.influence_message and "steps" in tr.influence_message
    with pytest.raises(ValueError, match="limited"):
        influence_matrix(p["Waa"], np.moveaxis(tr.gprime, -1, 0), np.moveaxis(tr.da_direct, -1, 0))
    # not asked for: no matrix and no message
    tr = compute_trace(p, seq, gains=False)
    assert tr.influence is None and tr.influence_message is None


def test_da_last_is_a_single_source_and_da_direct_is_masked():
    tr = small_trace(architecture="many-to-one", influence=False)
    # many-to-one: only L<T> counts, so the total gradient is the last step's gradient
    np.testing.assert_array_equal(tr.da, tr.da_last)
    assert np.all(tr.da_direct[:, :, :-1] == 0) and np.all(tr.loss_steps[:, :-1] == 0)
    tr = small_trace(influence=False)
    np.testing.assert_allclose(tr.da_last[:, :, -1], tr.da_direct[:, :, -1])
    np.testing.assert_allclose(tr.da_last_norm, np.linalg.norm(tr.da_last.reshape(-1, tr.T), axis=0))
    np.testing.assert_allclose(tr.da_norm, np.linalg.norm(tr.da.reshape(-1, tr.T), axis=0))
