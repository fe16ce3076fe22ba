"""The course's LSTM functions: the notebook's own example values, shapes, keys and caches, mixing
with a student's implementation both ways, and finite differences of lstm_backward.

The notebook prints lstm_backward's "expected output" from an implementation that does not carry
da_prev and dc_prev between steps (a known erratum); with the carry that BPTT needs, its example
gives the values checked in test_backward_values_with_the_carry (published alongside the erratum)."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core import compat

from .reference import central_diff, rel_err


# ---- what a student writes (the course's equations), verbatim in style -------------------------
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    Wf, bf, Wi, bi = parameters["Wf"], parameters["bf"], parameters["Wi"], parameters["bi"]
    Wc, bc, Wo, bo = parameters["Wc"], parameters["bc"], parameters["Wo"], parameters["bo"]
    Wy, by = parameters["Wy"], parameters["by"]
    concat = np.concatenate((a_prev, xt), axis=0)
    ft = sigmoid(np.dot(Wf, concat) + bf)
    it = sigmoid(np.dot(Wi, concat) + bi)
    cct = np.tanh(np.dot(Wc, concat) + bc)
    c_next = ft * c_prev + it * cct
    ot = sigmoid(np.dot(Wo, concat) + bo)
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(np.dot(Wy, a_next) + by)
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)


def lstm_forward(x, a0, parameters):
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape
    a, c, y = np.zeros((n_a, m, T_x)), np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x))
    a_next, c_next = a0, np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t], y[:, :, t], c[:, :, t] = a_next, yt, c_next
        caches.append(cache)
    return a, y, c, (caches, x)


def lstm_cell_backward(da_next, dc_next, cache):
    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache
    n_a, m = a_next.shape
    dot = da_next * np.tanh(c_next) * ot * (1 - ot)
    dcct = (dc_next * it + ot * (1 - np.tanh(c_next) ** 2) * it * da_next) * (1 - cct ** 2)
    dit = (dc_next * cct + ot * (1 - np.tanh(c_next) ** 2) * cct * da_next) * it * (1 - it)
    dft = (dc_next * c_prev + ot * (1 - np.tanh(c_next) ** 2) * c_prev * da_next) * ft * (1 - ft)
    concat = np.concatenate((a_prev, xt), axis=0).T
    g = {"dWf": dft @ concat, "dWi": dit @ concat, "dWc": dcct @ concat, "dWo": dot @ concat,
         "dbf": dft.sum(axis=1, keepdims=True), "dbi": dit.sum(axis=1, keepdims=True),
         "dbc": dcct.sum(axis=1, keepdims=True), "dbo": dot.sum(axis=1, keepdims=True)}
    P = parameters
    g["da_prev"] = (P["Wf"][:, :n_a].T @ dft + P["Wi"][:, :n_a].T @ dit + P["Wc"][:, :n_a].T @ dcct
                    + P["Wo"][:, :n_a].T @ dot)
    g["dc_prev"] = dc_next * ft + ot * (1 - np.tanh(c_next) ** 2) * ft * da_next
    g["dxt"] = (P["Wf"][:, n_a:].T @ dft + P["Wi"][:, n_a:].T @ dit + P["Wc"][:, n_a:].T @ dcct
                + P["Wo"][:, n_a:].T @ dot)
    return g


def lstm_backward(da, caches):
    (caches, x) = caches
    (a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    out = {k: np.zeros((n_a, n_a + n_x)) for k in ("dWf", "dWi", "dWc", "dWo")}
    out.update({k: np.zeros((n_a, 1)) for k in ("dbf", "dbi", "dbc", "dbo")})
    da_prevt, dc_prevt = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])
        da_prevt, dc_prevt = g["da_prev"], g["dc_prev"]
        dx[:, :, t] = g["dxt"]
        for k in out:
            out[k] = out[k] + g[k]
    return dict(out, dx=dx, da0=da_prevt)


# ---- the notebook's examples --------------------------------------------------------------------
def parameters_draw(readout=True):
    d = {}
    for w, b in (("Wf", "bf"), ("Wi", "bi"), ("Wo", "bo"), ("Wc", "bc")):
        d[w] = np.random.randn(5, 5 + 3)
        d[b] = np.random.randn(5, 1)
    if readout:
        d["Wy"] = np.random.randn(2, 5)
        d["by"] = np.random.randn(2, 1)
    else:        # the notebook's backward example reuses Wy, by of an earlier cell: no draw
        d["Wy"], d["by"] = np.ones((2, 5)), np.zeros((2, 1))
    return d


def cell_example():
    np.random.seed(1)
    xt = np.random.randn(3, 10)
    a_prev = np.random.randn(5, 10)
    c_prev = np.random.randn(5, 10)
    return xt, a_prev, c_prev, parameters_draw()


def sequence_example(readout=True):
    np.random.seed(1)
    x = np.random.randn(3, 10, 7)
    a0 = np.random.randn(5, 10)
    return x, a0, parameters_draw(readout)


A = dict(atol=5e-9)


def test_cell_forward_prints_the_notebooks_values():
    xt, a_prev, c_prev, parameters = cell_example()
    a_next, c_next, yt, cache = compat.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    np.testing.assert_allclose(a_next[4], [-0.66408471, 0.0036921, 0.02088357, 0.22834167, -0.85575339, 0.00138482,
                                           0.76566531, 0.34631421, -0.00215674, 0.43827275], **A)
    np.testing.assert_allclose(c_next[2], [0.63267805, 1.00570849, 0.35504474, 0.20690913, -1.64566718, 0.11832942,
                                           0.76449811, -0.0981561, -0.74348425, -0.26810932], **A)
    np.testing.assert_allclose(yt[1], [0.79913913, 0.15986619, 0.22412122, 0.15606108, 0.97057211, 0.31146381,
                                       0.00943007, 0.12666353, 0.39380172, 0.07828381], **A)
    np.testing.assert_allclose(cache[1][3], [-0.16263996, 1.03729328, 0.72938082, -0.54101719, 0.02752074,
                                             -0.30821874, 0.07651101, -1.03752894, 1.41219977, -0.37647422], **A)
    assert len(cache) == 10 and a_next.shape == c_next.shape == (5, 10) and yt.shape == (2, 10)
    assert cache[2] is a_prev and cache[3] is c_prev and cache[8] is xt and cache[9] is parameters
    ref = lstm_cell_forward(xt, a_prev, c_prev, parameters)
    for ours, theirs in zip(cache[:8], ref[3][:8]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-14)


def test_forward_prints_the_notebooks_values():
    x, a0, parameters = sequence_example()
    a, y, c, caches = compat.lstm_forward(x, a0, parameters)
    assert a.shape == (5, 10, 7) and y.shape == (2, 10, 7) and c.shape == (5, 10, 7)
    assert abs(a[4][3][6] - 0.17211776753291672) < 1e-12
    assert abs(y[1][4][3] - 0.9508734618501101) < 1e-12
    assert abs(c[1][2][1] - (-0.8555449167181981)) < 1e-12
    np.testing.assert_allclose(caches[1][1][1], [0.82797464, 0.23009474, 0.76201118, -0.22232814, -0.20075807,
                                                 0.18656139, 0.41005165], **A)
    assert len(caches) == 2 and len(caches[0]) == 7 and caches[1] is x
    ra, ry, rc, _ = lstm_forward(x, a0, parameters)
    for ours, theirs in ((a, ra), (y, ry), (c, rc)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-14)


def test_cell_backward_prints_the_notebooks_values():
    xt, a_prev, c_prev, parameters = cell_example()
    _, _, _, cache = compat.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    da_next = np.random.randn(5, 10)
    dc_next = np.random.randn(5, 10)
    g = compat.lstm_cell_backward(da_next, dc_next, cache)
    want = {("dxt", 1, 2): 3.2305591151091884, ("da_prev", 2, 3): -0.06396214197109239,
            ("dc_prev", 2, 3): 0.7975220387970015, ("dWf", 3, 1): -0.14795483816449725,
            ("dWi", 1, 2): 1.0574980552259903, ("dWc", 3, 1): 2.3045621636876668,
            ("dWo", 1, 2): 0.3313115952892108}
    for (k, i, j), v in want.items():
        assert abs(g[k][i][j] - v) < 1e-12, k
    for k, v in (("dbf", 0.18864637), ("dbi", -0.40142491), ("dbc", 0.25587763), ("dbo", 0.13893342)):
        assert abs(g[k][4][0] - v) < 5e-9, k
    assert set(g) == {"dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"}
    shapes = {"dxt": (3, 10), "da_prev": (5, 10), "dc_prev": (5, 10), "dWf": (5, 8), "dbf": (5, 1)}
    for k, s in shapes.items():
        assert g[k].shape == s
    ref = lstm_cell_backward(da_next, dc_next, cache)
    for k in ref:
        np.testing.assert_allclose(g[k], ref[k], rtol=1e-12, atol=1e-13)


def test_backward_values_with_the_carry():
    x, a0, parameters = sequence_example(readout=False)
    _, _, _, caches = compat.lstm_forward(x, a0, parameters)
    da = np.random.randn(5, 10, 4)              # T_x = 4 of the 7 cached steps, as in the notebook
    g = compat.lstm_backward(da, caches)
    assert g["dx"].shape == (3, 10, 4) and g["da0"].shape == (5, 10) and g["dWf"].shape == (5, 8)
    np.testing.assert_allclose(g["dx"][1][2], [0.00218254, 0.28205375, -0.48292508, -0.43281115], **A)
    for (k, i, j), v in {("da0", 2, 3): 0.312770310257, ("dWf", 3, 1): -0.0809802310938,
                         ("dWi", 1, 2): 0.40512433093, ("dWc", 3, 1): -0.0793746735512,
                         ("dWo", 1, 2): 0.038948775763}.items():
        assert abs(g[k][i][j] - v) < 5e-12, k
    for k, v in (("dbf", -0.15745657), ("dbi", -0.50848333), ("dbc", -0.42510818), ("dbo", -0.17958196)):
        assert abs(g[k][4][0] - v) < 5e-9, k
    ref = lstm_backward(da, caches)
    for k in ref:
        np.testing.assert_allclose(g[k], ref[k], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("direction", ["student forward, our backward", "our forward, student backward"])
def test_mixing_a_students_functions_with_ours(direction):
    x, a0, parameters = sequence_example()
    da = np.random.RandomState(5).randn(5, 10, 7)
    if direction == "student forward, our backward":
        fwd, bwd, cfwd, cbwd = lstm_forward, compat.lstm_backward, lstm_cell_forward, compat.lstm_cell_backward
    else:
        fwd, bwd, cfwd, cbwd = compat.lstm_forward, lstm_backward, compat.lstm_cell_forward, lstm_cell_backward
    got = bwd(da, fwd(x, a0, parameters)[3])
    want = lstm_backward(da, lstm_forward(x, a0, parameters)[3])
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-13)
    c0 = np.random.RandomState(6).randn(5, 10)
    _, _, _, cache = cfwd(x[:, :, 0], a0, c0, parameters)
    got = cbwd(da[:, :, 0], c0, cache)
    want = lstm_cell_backward(da[:, :, 0], c0, lstm_cell_forward(x[:, :, 0], a0, c0, parameters)[3])
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-13)


def test_backward_is_the_gradient_of_sum_da_times_a():
    """lstm_backward(da) is the gradient of J = sum_t <da<t>, a<t>>: central differences in float64."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 5))
    a0 = rng.standard_normal((4, 2))
    P = {w: rng.standard_normal((4, 7)) * 0.5 for w in ("Wf", "Wi", "Wc", "Wo")}
    P.update({b: rng.standard_normal((4, 1)) * 0.3 for b in ("bf", "bi", "bc", "bo")})
    P.update(Wy=rng.standard_normal((2, 4)), by=np.zeros((2, 1)))
    da = rng.standard_normal((4, 2, 5))

    def J():
        return float(np.sum(da * compat.lstm_forward(x, a0, P)[0]))

    g = compat.lstm_backward(da, compat.lstm_forward(x, a0, P)[3])
    for k in ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo"):
        assert rel_err(g["d" + k], central_diff(J, P[k], 1e-6)) < 1e-7, k
    assert rel_err(g["da0"], central_diff(J, a0, 1e-6)) < 1e-7
    assert rel_err(g["dx"], central_diff(J, x, 1e-6)) < 1e-7
