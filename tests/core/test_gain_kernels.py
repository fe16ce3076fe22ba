"""The local gains' compiled path (kernels/gain_kernels.py, the cells' gram) against the NumPy reference
and against dense SVDs of the explicit step Jacobians: every cell, one column and several, chunked,
ill-conditioned, non-finite; the tridiagonal solver and the Lanczos recurrence on their own."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core import kernels
from rnnviz.core.cells import make_cell
from rnnviz.core.jacobians import _tridiag_top, cell_gains, lanczos_top

from .kernel_modes import compiled_mode
from .test_cell_jacobians import setup

CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("gru", "tanh"), ("lstm", "tanh")]


def fast():
    with compiled_mode(True):
        return kernels.ready()


def explicit_jacobians(c, lay, cache):
    """J<t> for every (t, b) as dense matrices, from J v on the unit vectors (the cell's own formula)."""
    T, m = cache.T, cache.states["a"].shape[2]
    n_s = c.state_size(lay["W_hh"].shape[1])
    out = np.empty((T, m, n_s, n_s))
    for t in range(T):
        g = c.jac_data(cache, t)
        for j in range(n_s):
            e = np.zeros((n_s, 1, m))
            e[j] = 1.0
            out[t, :, :, j] = c.jvp(lay, g, e)[:, 0, :].T
    return out


@pytest.mark.parametrize("cell,act", CELLS)
@pytest.mark.parametrize("n_a,T,m", [(1, 4, 1), (5, 9, 3), (24, 40, 1), (40, 12, 2)])
def test_compiled_gains_equal_numpy_and_the_dense_norm(cell, act, n_a, T, m):
    c, lay, _x, _s0, cache = setup(cell, act, n_a=n_a, T=T, m=m, seed=n_a + T)
    with compiled_mode(False):
        ref = cell_gains(c, lay, cache)
    with compiled_mode(True):
        assert c.gram(lay) is not None or cell == "rnn"   # the gated cells' compiled J^T J is in use
        got = cell_gains(c, lay, cache)
        chunked = cell_gains(c, lay, cache, chunk=7)
    want = np.linalg.norm(explicit_jacobians(c, lay, cache), 2, axis=(2, 3))
    np.testing.assert_allclose(ref, want, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(chunked, want, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("cell,act", [("gru", "tanh"), ("lstm", "tanh")])
def test_the_compiled_gram_is_the_cells_own_jt_j(cell, act):
    c, lay, _x, _s0, cache = setup(cell, act, n_a=7, T=11, m=3, seed=4)
    n_s = c.state_size(7)
    g = {k: np.ascontiguousarray(v.reshape(v.shape[0], -1)) for k, v in c.jac_data(cache).items()}
    q = np.random.default_rng(0).standard_normal((n_s, 33))
    with compiled_mode(False):
        want = c.vjp(lay, g, c.jvp(lay, g, q))
    with compiled_mode(True):
        apply = c.gram(lay)
        got = apply(g, q).copy()
        again = apply(g, q[:, :20])           # a new shape: new buffers, the same values
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(again, want[:, :20], rtol=1e-13, atol=1e-15)


def test_compiled_gains_mark_non_finite_steps():
    c, lay, _x, _s0, cache = setup("lstm", "tanh", n_a=4, T=6, m=2)
    cache.extra["gates"][2, 1, 0] = np.nan
    with compiled_mode(False):
        ref = cell_gains(c, lay, cache)
    with compiled_mode(True):
        got = cell_gains(c, lay, cache)
    assert np.isnan(got[2, 0]) and np.isnan(ref[2, 0])
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_huge_weights_give_inf_gains_on_both_paths():
    c, lay, _x, _s0, cache = setup("rnn", "tanh", n_a=3, T=4, m=1)
    lay = dict(lay, W_hh=lay["W_hh"] * 1e200)
    for on in (False, True):
        with compiled_mode(on):
            assert np.all(np.isinf(cell_gains(c, lay, cache)))


@pytest.mark.parametrize("k,cols", [(1, 5), (2, 9), (17, 40), (60, 300)])
def test_compiled_tridiagonal_top_equals_the_reference(k, cols):
    rng = np.random.default_rng(k)
    alpha = rng.uniform(0, 3, (k, cols))
    beta = rng.standard_normal((k - 1, cols)) * 0.7
    beta[:, :3] = 0.0 if k > 1 else beta[:, :3]               # diagonal matrices
    if k > 3:
        beta[1, 3] = 0.0                                       # a split matrix
    want = np.array([np.linalg.eigvalsh(np.diag(alpha[:, j]) + np.diag(beta[:, j], 1) + np.diag(beta[:, j], -1))[-1]
                     for j in range(cols)])
    lower = want * rng.choice([0.0, 0.5, 1 - 1e-12, 1.0], cols)    # previous estimates, from none to exact
    with compiled_mode(False):
        ref = _tridiag_top(alpha, beta, lower)
    out = np.empty(cols)
    fast().tridiag_top(alpha, np.ascontiguousarray(beta), lower, out)
    np.testing.assert_allclose(ref, want, rtol=1e-13)
    np.testing.assert_allclose(out, want, rtol=1e-13)


def test_compiled_lanczos_step_is_the_three_term_recurrence():
    rng = np.random.default_rng(2)
    q, w, qp = (rng.standard_normal((30, 50)) for _ in range(3))
    q[:, 7] /= np.linalg.norm(q[:, 7])
    w[:, 7] = 0.5 * q[:, 7]                                   # an invariant direction: the next vector is 0
    bp = rng.random(50)
    bp[7] = 0.0
    top0 = rng.random(50)
    a_want = np.sum(q * w, axis=0)
    w_want = w - a_want * q - bp * qp
    b_want = np.linalg.norm(w_want, axis=0)
    assert b_want[7] < 1e-15
    b_want[7] = 0.0
    a, b, w2, qp2, top = np.empty(50), np.empty(50), w.copy(), qp.copy(), top0.copy()
    fast().lanczos_step(q, w2, qp2, bp, top, a, b)
    np.testing.assert_allclose(a, a_want, rtol=1e-13)
    np.testing.assert_allclose(top, np.maximum(top0, a_want), rtol=1e-13)
    np.testing.assert_allclose(w2[:, :7], w_want[:, :7], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(b, b_want, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(qp2[:, :7], w_want[:, :7] / b_want[:7], rtol=1e-12)    # the next vector
    assert np.all(qp2[:, 7] == 0.0)


def test_lanczos_on_both_paths_finds_the_top_eigenvalue_of_psd_matrices():
    rng = np.random.default_rng(3)
    mats = []
    for j in range(25):
        B = rng.standard_normal((20, 20)) * 10.0 ** rng.uniform(-3, 3)
        mats.append(B @ B.T)
    mats = np.array(mats)
    want = np.linalg.eigvalsh(mats)[:, -1]

    def apply(Q, live):
        return np.einsum("cij,jc->ic", mats[live], Q)

    for on in (False, True):
        with compiled_mode(on):
            np.testing.assert_allclose(lanczos_top(apply, 20, 25), want, rtol=1e-12)


def test_cell_without_compiled_gram_falls_back():
    c = make_cell("lstm", "tanh")
    with compiled_mode(False):
        assert c.gram({"W_hh": np.zeros((8, 2))}) is None
