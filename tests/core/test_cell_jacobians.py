"""Each cell's step Jacobian J<t> = ds<t>/ds<t-1> (s = a, or [a; c] for the LSTM): J v and J^T u
against central differences of the cell's own step, adjointness, and the local gains ||J<t>||_2
against a dense SVD of the finite-difference Jacobian."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core.cells import make_cell
from rnnviz.core.cells.base import unit_first
from rnnviz.core.jacobians import cell_gains
from rnnviz.core.params import init_model_params
from rnnviz.core.spec import ModelSpec

CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("gru", "tanh"), ("lstm", "tanh")]


def setup(cell, act, n_a=5, n_x=3, T=6, m=2, seed=0):
    rng = np.random.default_rng(seed)
    spec = ModelSpec(cell, act, n_x, n_a, 2)
    p = init_model_params(spec, seed=seed, radius=1.3)
    c = make_cell(cell, act)
    from rnnviz.core.params import layer_params as lp
    lay = lp(spec, p, 0, 0, 0)
    lay["b_hh"] = lay["b_hh"] + rng.standard_normal(lay["b_hh"].shape) * 0.3
    xproj = np.einsum("gi,tim->tgm", lay["W_ih"], rng.standard_normal((T, n_x, m))) + lay["b_ih"][None]
    s0 = tuple(rng.standard_normal((n_a, m)) * 0.5 for _ in c.state_names)
    return c, lay, xproj, s0, c.forward(lay, xproj, s0)


def step_state(c, lay, xproj_t, s_prev):
    """s<t> from s<t-1> (a flat (n_s, m) array) through one step of the cell's own forward."""
    n_a = lay["W_hh"].shape[1]
    parts = tuple(s_prev[k * n_a:(k + 1) * n_a] for k in range(c.n_states))
    cache = c.forward(lay, xproj_t[None], parts)
    return np.concatenate([cache.states[k][0] for k in c.state_names])


def fd_jacobian(c, lay, xproj, cache, t, b, eps=1e-6):
    n_a = lay["W_hh"].shape[1]
    prev = np.concatenate([cache.prev(k)[t] for k in c.state_names])       # (n_s, m)
    n_s = prev.shape[0]
    J = np.zeros((n_s, n_s))
    for j in range(n_s):
        up, dn = prev.copy(), prev.copy()
        up[j, b] += eps
        dn[j, b] -= eps
        J[:, j] = (step_state(c, lay, xproj[t], up)[:, b] - step_state(c, lay, xproj[t], dn)[:, b]) / (2 * eps)
    return J


@pytest.mark.parametrize("cell,act", CELLS)
def test_jvp_vjp_and_gains_against_finite_differences(cell, act):
    c, lay, xproj, s0, cache = setup(cell, act)
    T, m = cache.T, cache.states["a"].shape[2]
    n_s = c.state_size(lay["W_hh"].shape[1])
    rng = np.random.default_rng(1)
    gains = cell_gains(c, lay, cache)
    for t in range(T):
        g = c.jac_data(cache, t)                                       # (n, 1, m) against (n_s, C, m)
        for b in range(m):
            J = fd_jacobian(c, lay, xproj, cache, t, b)
            v = rng.standard_normal((n_s, 3, m))
            Jv = c.jvp(lay, g, v)
            np.testing.assert_allclose(Jv[:, :, b], J @ v[:, :, b], rtol=1e-6, atol=1e-8)
            JTu = c.vjp(lay, g, v)
            np.testing.assert_allclose(JTu[:, :, b], J.T @ v[:, :, b], rtol=1e-6, atol=1e-8)
            assert gains[t, b] == pytest.approx(np.linalg.norm(J, 2), rel=1e-7)
    # all steps at once (the layout the local gains use) equal step by step
    gall = c.jac_data(cache)
    v = rng.standard_normal((n_s, T, m))
    per = np.stack([c.jvp(lay, c.jac_data(cache, t), v[:, t:t + 1])[:, 0] for t in range(T)], axis=1)
    np.testing.assert_allclose(c.jvp(lay, gall, v), per, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np.sum(v * c.jvp(lay, gall, v[::-1])), np.sum(c.vjp(lay, gall, v) * v[::-1]),
                               rtol=1e-12)   # <u, J w> = <J^T u, w>
