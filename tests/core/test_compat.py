"""The notes' functions: exact values, shapes, keys and caches, and mixing with a student's own code."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core import compat, compute_trace
from rnnviz.core.sequences import text_sequence


# ---- the notes' implementation, verbatim (what a student writes) ---------------------------------
def softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def rnn_cell_forward(xt, a_prev, parameters):
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba)
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def rnn_forward(x, a0, parameters):
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a = np.zeros([n_a, m, T_x])
    y_pred = np.zeros([n_y, m, T_x])
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    caches = (caches, x)
    return a, y_pred, caches


def rnn_cell_backward(da_next, cache):
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    dtanh = (1 - a_next ** 2) * da_next
    dxt = np.dot(Wax.T, dtanh)
    dWax = np.dot(dtanh, xt.T)
    da_prev = np.dot(Waa.T, dtanh)
    dWaa = np.dot(dtanh, a_prev.T)
    dba = np.sum(dtanh, keepdims=True, axis=-1)
    return {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def rnn_backward(da, caches):
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        dxt, da_prevt, dWaxt, dWaat, dbat = (gradients[k] for k in ("dxt", "da_prev", "dWax", "dWaa", "dba"))
        dx[:, :, t] = dxt
        dWax += dWaxt
        dWaa += dWaat
        dba += dbat
    da0 = da_prevt
    return {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}


# ---- the notes' examples ---------------------------------------------------------------------------
def cell_example():
    np.random.seed(1)
    xt = np.random.randn(3, 10)
    a_prev = np.random.randn(5, 10)
    Waa = np.random.randn(5, 5)
    Wax = np.random.randn(5, 3)
    Wya = np.random.randn(2, 5)
    ba = np.random.randn(5, 1)
    by = np.random.randn(2, 1)
    return xt, a_prev, {"Waa": Waa, "Wax": Wax, "Wya": Wya, "ba": ba, "by": by}


def sequence_example(T_x=4):
    rng = np.random.RandomState(2)
    x = rng.randn(3, 10, T_x)
    a0 = rng.randn(5, 10)
    parameters = {"Waa": rng.randn(5, 5), "Wax": rng.randn(5, 3), "Wya": rng.randn(2, 5),
                  "ba": rng.randn(5, 1), "by": rng.randn(2, 1)}
    da = rng.randn(5, 10, T_x)
    return x, a0, parameters, da


CLOSE = dict(rtol=1e-13, atol=1e-14)


def test_cell_forward_matches_the_notes_value():
    xt, a_prev, parameters = cell_example()
    a_next, yt_pred, cache = compat.rnn_cell_forward(xt, a_prev, parameters)
    expected = [0.59584544, 0.18141802, 0.61311866, 0.99808218, 0.85016201,
                0.99980978, -0.18887155, 0.99815551, 0.6531151, 0.82872037]
    np.testing.assert_allclose(a_next[4], expected, atol=5e-9)
    assert a_next.shape == (5, 10) and yt_pred.shape == (2, 10)
    np.testing.assert_allclose(yt_pred.sum(axis=0), 1.0, rtol=1e-15)
    ref_a, ref_y, _ = rnn_cell_forward(xt, a_prev, parameters)
    np.testing.assert_allclose(a_next, ref_a, **CLOSE)
    np.testing.assert_allclose(yt_pred, ref_y, **CLOSE)
    # the cache is (a_next, a_prev, xt, parameters), holding the caller's own objects
    assert isinstance(cache, tuple) and len(cache) == 4
    assert cache[0] is a_next and cache[1] is a_prev and cache[2] is xt and cache[3] is parameters


def test_forward_shapes_cache_structure_and_values():
    x, a0, parameters, _ = sequence_example()
    a, y_pred, caches = compat.rnn_forward(x, a0, parameters)
    ref_a, ref_y, ref_caches = rnn_forward(x, a0, parameters)
    assert a.shape == (5, 10, 4) and y_pred.shape == (2, 10, 4)
    np.testing.assert_allclose(a, ref_a, **CLOSE)
    np.testing.assert_allclose(y_pred, ref_y, **CLOSE)
    step_caches, xc = caches
    assert isinstance(caches, tuple) and isinstance(step_caches, list) and xc is x
    assert len(step_caches) == 4
    assert step_caches[0][1] is a0
    for t, (a_next, a_prev, xt, p) in enumerate(step_caches):
        ref_next, ref_prev, ref_xt, _ = ref_caches[0][t]
        np.testing.assert_allclose(a_next, ref_next, **CLOSE)
        np.testing.assert_allclose(a_prev, ref_prev, **CLOSE)
        assert np.array_equal(xt, ref_xt) and p is parameters
        assert a_next.shape == (5, 10) and a_prev.shape == (5, 10) and xt.shape == (3, 10)


def test_cell_backward_keys_shapes_values():
    xt, a_prev, parameters = cell_example()
    da_next = np.random.RandomState(3).randn(5, 10)
    _, _, cache = rnn_cell_forward(xt, a_prev, parameters)
    ours = compat.rnn_cell_backward(da_next, cache)
    ref = rnn_cell_backward(da_next, cache)
    assert set(ours) == {"dxt", "da_prev", "dWax", "dWaa", "dba"}
    for k in ref:
        assert ours[k].shape == ref[k].shape, k
        np.testing.assert_allclose(ours[k], ref[k], **CLOSE)


def test_backward_keys_shapes_values():
    x, a0, parameters, da = sequence_example()
    _, _, caches = rnn_forward(x, a0, parameters)
    ours = compat.rnn_backward(da, caches)
    ref = rnn_backward(da, caches)
    assert set(ours) == {"dx", "da0", "dWax", "dWaa", "dba"}
    shapes = {"dx": (3, 10, 4), "da0": (5, 10), "dWax": (5, 3), "dWaa": (5, 5), "dba": (5, 1)}
    for k, shape in shapes.items():
        assert ours[k].shape == shape, k
        np.testing.assert_allclose(ours[k], ref[k], **CLOSE)


@pytest.mark.parametrize("direction", ["student forward, our backward", "our forward, student backward"])
def test_mixing_a_students_functions_with_ours(direction):
    x, a0, parameters, da = sequence_example(T_x=6)
    if direction == "student forward, our backward":
        fwd, bwd, cell_fwd, cell_bwd = rnn_forward, compat.rnn_backward, rnn_cell_forward, compat.rnn_cell_backward
    else:
        fwd, bwd, cell_fwd, cell_bwd = compat.rnn_forward, rnn_backward, compat.rnn_cell_forward, rnn_cell_backward
    _, _, caches = fwd(x, a0, parameters)
    got = bwd(da, caches)
    want = rnn_backward(da, rnn_forward(x, a0, parameters)[2])
    for k in want:
        np.testing.assert_allclose(got[k], want[k], **CLOSE)
    # one cell: the cache of one side's forward feeds the other side's backward
    _, _, cache = cell_fwd(x[:, :, 0], a0, parameters)
    got = cell_bwd(da[:, :, 0], cache)
    want = rnn_cell_backward(da[:, :, 0], rnn_cell_forward(x[:, :, 0], a0, parameters)[2])
    for k in want:
        np.testing.assert_allclose(got[k], want[k], **CLOSE)


def test_compat_backward_gives_the_engine_gradients():
    # the notes' rnn_backward, fed da = Wya^T (ŷ - y), gives the trace's dWax, dWaa, dba
    seq = text_sequence("hello world, hello rnn")
    rng = np.random.default_rng(0)
    n, n_a = seq.n_x, 7
    p = {"Wax": rng.standard_normal((n_a, n)), "Waa": rng.standard_normal((n_a, n_a)) / 3,
         "Wya": rng.standard_normal((n, n_a)), "ba": rng.standard_normal((n_a, 1)),
         "by": rng.standard_normal((n, 1))}
    tr = compute_trace(p, seq, "tanh", "cross_entropy")
    a, y_pred, caches = compat.rnn_forward(seq.x, np.zeros((n_a, 1)), p)
    np.testing.assert_allclose(a, tr.a, **CLOSE)
    np.testing.assert_allclose(y_pred, tr.y_hat, **CLOSE)
    da = np.einsum("ya,ymt->amt", p["Wya"], y_pred - seq.y)
    g = compat.rnn_backward(da, caches)
    for k in ("Wax", "Waa", "ba"):
        np.testing.assert_allclose(g["d" + k], tr.grads[k], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g["da0"], tr.da0, rtol=1e-12, atol=1e-14)


def test_compat_accepts_lists_and_a_single_step():
    xt, a_prev, parameters = cell_example()
    a_next, _, _ = compat.rnn_cell_forward(xt.tolist(), a_prev.tolist(), parameters)
    np.testing.assert_allclose(a_next, rnn_cell_forward(xt, a_prev, parameters)[0], **CLOSE)
    a, y, caches = compat.rnn_forward(xt[:, :, None], a_prev, parameters)
    assert a.shape == (5, 10, 1) and len(caches[0]) == 1
