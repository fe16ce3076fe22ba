"""The seed notes' functions, with their exact signatures, shapes, keys and cache structure.

RNN:  rnn_cell_forward, rnn_forward, rnn_cell_backward, rnn_backward (parameters Wax Waa Wya ba by);
LSTM: lstm_cell_forward, lstm_forward, lstm_cell_backward, lstm_backward (parameters Wf bf Wi bi Wc bc
      Wo bo Wy by acting on concat = [a<t-1>; x<t>]; c<0> = 0; cache (a_next, c_next, a_prev, c_prev,
      ft, it, cct, ot, xt, parameters); caches (list of caches, x); lstm_backward takes T_x from da).

A student's own functions can be mixed with ours and checked against them: ours read only what the
caches hold. They are thin wrappers over the engine's cells (cells/vanilla.py, cells/lstm.py), not a
second copy of the math, and run at the engine's speed. The notes' RNN cell is the tanh cell with a
softmax read-out.

About the course's printed results: the notebook's expected output of lstm_backward was made by an
implementation that does not carry da_prev and dc_prev from one step to the next (a known erratum);
these functions carry them, as backpropagation through time requires, so their lstm_backward values
differ from that printout while lstm_cell_backward's agree.
"""
from __future__ import annotations

import numpy as np

from .activations import softmax
from .blas import single_threaded
from .cells import LSTMCell, VanillaCell
from .cells.base import CellCache
from .model import flat, matmul_steps

_RNN, _LSTM = VanillaCell("tanh"), LSTMCell()


def _f(a) -> np.ndarray:
    return np.asarray(a, dtype=float)


# ----------------------------------------------------------------------------- the RNN
def _rnn_params(parameters: dict):
    return (np.asarray(parameters[k]) for k in ("Wax", "Waa", "Wya", "ba", "by"))


def _rnn_forward_tm(Wax, Waa, ba, x_tm, a0):
    n_a = Waa.shape[0]
    xproj = matmul_steps(_f(Wax), x_tm) + _f(ba)[None]
    return _RNN.forward({"W_hh": _f(Waa), "b_hh": np.zeros((n_a, 1))}, xproj, (_f(a0),))


@single_threaded
def rnn_cell_forward(xt, a_prev, parameters):
    """One step: returns a_next (n_a, m), yt_pred (n_y, m), cache = (a_next, a_prev, xt, parameters)."""
    Wax, Waa, Wya, ba, by = _rnn_params(parameters)
    a_next = _rnn_forward_tm(Wax, Waa, ba, _f(xt)[None], a_prev).states["a"][0]
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


@single_threaded
def rnn_forward(x, a0, parameters):
    """x (n_x, m, T_x) -> a (n_a, m, T_x), y_pred (n_y, m, T_x), caches = (list of step caches, x)."""
    Wax, Waa, Wya, ba, by = _rnn_params(parameters)
    x = _f(x)
    x_tm = np.ascontiguousarray(np.moveaxis(x, -1, 0))
    a_tm = _rnn_forward_tm(Wax, Waa, ba, x_tm, a0).states["a"]
    y_pred = np.moveaxis(softmax(matmul_steps(_f(Wya), a_tm) + _f(by)[None], axis=1), 0, -1)
    prev = [a0] + [a_tm[t] for t in range(a_tm.shape[0] - 1)]
    caches = [(a_tm[t], prev[t], x[:, :, t], parameters) for t in range(a_tm.shape[0])]
    return np.moveaxis(a_tm, 0, -1), y_pred, (caches, x)


def _rnn_back(Waa, a_tm, a0, da_tm):
    """dz (T, n_a, m) and the gradient reaching a<0>, from the cached states alone."""
    n_a = Waa.shape[0]
    cache = CellCache({"a": a_tm}, {}, {}, (_f(a0),), {"gprime": 1.0 - a_tm * a_tm})   # tanh' = 1 - a^2
    g = _RNN.backward({"W_hh": _f(Waa), "b_hh": np.zeros((n_a, 1))}, cache, da_tm)
    return g.dxproj, g.ds0[0]


@single_threaded
def rnn_cell_backward(da_next, cache):
    """One step back: {"dxt", "da_prev", "dWax", "dWaa", "dba"}."""
    (a_next, a_prev, xt, parameters) = cache
    Wax, Waa, *_ = _rnn_params(parameters)
    dz, da_prev = _rnn_back(Waa, _f(a_next)[None], a_prev, _f(da_next)[None])
    dtanh = dz[0]
    return {"dxt": np.dot(Wax.T, dtanh), "da_prev": da_prev, "dWax": np.dot(dtanh, _f(xt).T),
            "dWaa": np.dot(dtanh, _f(a_prev).T), "dba": np.sum(dtanh, axis=-1, keepdims=True)}


@single_threaded
def rnn_backward(da, caches):
    """da (n_a, m, T_x) upstream gradients -> {"dx", "da0", "dWax", "dWaa", "dba"}."""
    (step_caches, x) = caches
    (a1, a0, x1, parameters) = step_caches[0]
    Wax, Waa, *_ = _rnn_params(parameters)
    a_tm = np.stack([_f(c[0]) for c in step_caches])                 # (T, n_a, m)
    a_prev_tm = np.concatenate([_f(a0)[None], a_tm[:-1]])
    x_tm = np.ascontiguousarray(np.moveaxis(_f(x), -1, 0))
    dz, da0 = _rnn_back(Waa, a_tm, a0, np.ascontiguousarray(np.moveaxis(_f(da), -1, 0)))
    dzf = flat(dz)
    return {"dx": np.moveaxis(matmul_steps(Wax.T, dz), 0, -1), "da0": da0,
            "dWax": dzf @ flat(x_tm).T, "dWaa": dzf @ flat(a_prev_tm).T, "dba": dzf.sum(axis=1, keepdims=True)}


# ----------------------------------------------------------------------------- the LSTM
_GATES = ("Wi", "Wf", "Wc", "Wo")          # the engine's order i, f, g (= c̃), o
_BIASES = ("bi", "bf", "bc", "bo")


def _lstm_params(parameters: dict, n_a: int):
    """The course's Wf Wi Wc Wo (n_a, n_a + n_x) on [a; x] -> the cell's W_hh, W_ih, biases."""
    W = np.concatenate([_f(parameters[k]) for k in _GATES])          # (4 n_a, n_a + n_x)
    b = np.concatenate([_f(parameters[k]).reshape(n_a, 1) for k in _BIASES])
    p = {"W_hh": np.ascontiguousarray(W[:, :n_a]), "b_hh": np.zeros((4 * n_a, 1))}
    return p, np.ascontiguousarray(W[:, n_a:]), b


def _readout(parameters, a_tm):
    return softmax(matmul_steps(_f(parameters["Wy"]), a_tm) + _f(parameters["by"])[None], axis=1)


@single_threaded
def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One step: a_next, c_next (n_a, m), yt_pred (n_y, m), cache = (a_next, c_next, a_prev, c_prev,
    ft, it, cct, ot, xt, parameters)."""
    n_a = np.shape(a_prev)[0]
    p, W_ih, b = _lstm_params(parameters, n_a)
    cache = _LSTM.forward(p, (W_ih @ _f(xt) + b)[None], (_f(a_prev), _f(c_prev)))
    g = {k: v[0] for k, v in cache.gates.items()}
    a_next, c_next = cache.states["a"][0], cache.states["c"][0]
    yt_pred = _readout(parameters, a_next[None])[0]
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, g["f"], g["i"], g["g"], g["o"], xt, parameters)


@single_threaded
def lstm_forward(x, a0, parameters):
    """x (n_x, m, T_x) -> a (n_a, m, T_x), y (n_y, m, T_x), c (n_a, m, T_x), caches = (list, x); c<0> = 0."""
    n_a = np.shape(a0)[0]
    p, W_ih, b = _lstm_params(parameters, n_a)
    x = _f(x)
    x_tm = np.ascontiguousarray(np.moveaxis(x, -1, 0))
    cache = _LSTM.forward(p, matmul_steps(W_ih, x_tm) + b[None], (_f(a0), np.zeros_like(_f(a0))))
    a_tm, c_tm = cache.states["a"], cache.states["c"]
    gates = cache.gates
    T = a_tm.shape[0]
    a_prev = [a0] + [a_tm[t] for t in range(T - 1)]
    c_prev = [np.zeros_like(_f(a0))] + [c_tm[t] for t in range(T - 1)]
    caches = [(a_tm[t], c_tm[t], a_prev[t], c_prev[t], gates["f"][t], gates["i"][t], gates["g"][t],
               gates["o"][t], x[:, :, t], parameters) for t in range(T)]
    return (np.moveaxis(a_tm, 0, -1), np.moveaxis(_readout(parameters, a_tm), 0, -1), np.moveaxis(c_tm, 0, -1),
            (caches, x))


def _lstm_back(step_caches, da_tm, dc_last=None):
    """The cell's backward over the cached steps: (dz (T, 4 n_a, m), (da0, dc0), W_ih, concat (T, n_a + n_x, m))."""
    (a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = step_caches[0]
    n_a = np.shape(a1)[0]
    p, W_ih, _ = _lstm_params(parameters, n_a)
    st = [tuple(_f(v) for v in c[:9]) for c in step_caches]
    a, c, ap, cp, f, i, g, o, xs = (np.stack(col) for col in zip(*st))
    gates = np.concatenate([i, f, g, o], axis=1)                   # (T, 4 n_a, m)
    # each step's own a<t-1>, c<t-1> from its cache (a student's caches need not chain exactly)
    cache = CellCache({"a": a, "c": c}, {}, {}, (ap[0], cp[0]), {"gates": gates, "tanh_c": np.tanh(c)},
                      prev_states={"a": ap, "c": cp})
    ds_final = None if dc_last is None else (np.zeros_like(a[-1]), _f(dc_last))
    grads = _LSTM.backward(p, cache, da_tm, ds_final)
    return grads.dxproj, grads.ds0, W_ih, np.concatenate([ap, xs], axis=1)


def _lstm_weight_grads(dz, concat, n_a):
    out = {}
    dzf, cf = flat(dz), flat(concat)
    for k, (w, b) in enumerate(zip(_GATES, _BIASES)):
        blk = dzf[k * n_a:(k + 1) * n_a]
        out["d" + w] = blk @ cf.T
        out["d" + b] = blk.sum(axis=1, keepdims=True)
    return out


@single_threaded
def lstm_cell_backward(da_next, dc_next, cache):
    """One step back: {"dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"}."""
    n_a = np.shape(cache[0])[0]
    dz, (da_prev, dc_prev), W_ih, concat = _lstm_back([cache], _f(da_next)[None], dc_next)
    out = {"dxt": W_ih.T @ dz[0], "da_prev": da_prev, "dc_prev": dc_prev}
    w = _lstm_weight_grads(dz, concat, n_a)
    for k in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"):
        out[k] = w[k]
    return out


@single_threaded
def lstm_backward(da, caches):
    """da (n_a, m, T_x) -> {"dx", "da0", "dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"}.
    T_x is taken from da (the first T_x cached steps); dc<T_x> and the carried da start at 0."""
    (step_caches, x) = caches
    da = _f(da)
    T_x = da.shape[2]
    n_a = da.shape[0]
    dz, (da0, _), W_ih, concat = _lstm_back(step_caches[:T_x], np.ascontiguousarray(np.moveaxis(da, -1, 0)))
    out = {"dx": np.moveaxis(matmul_steps(W_ih.T, dz), 0, -1), "da0": da0}
    w = _lstm_weight_grads(dz, concat, n_a)
    for k in ("dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"):
        out[k] = w[k]
    return out


def course_lstm_parameters(params: dict, n_a: int, prefix: str = "", layer: int = 0) -> dict:
    """The engine's LSTM weights (PyTorch's weight_ih_l0 (4 n_a, n_x), weight_hh_l0 (4 n_a, n_a),
    bias_ih_l0 and bias_hh_l0 (4 n_a,), gates in the order i, f, g, o; read-out Wya, by) in the course's
    layout: Wf Wi Wc Wo (n_a, n_a + n_x) acting on [a<t-1>; x<t>], bf bi bc bo (n_a, 1) (b_ih + b_hh),
    Wy (n_y, n_a), by (n_y, 1). The inverse of _lstm_params: lstm_forward on them is the engine's LSTM."""
    suf = f"_l{layer}"
    W_ih = _f(params[f"{prefix}weight_ih{suf}"])
    W_hh = _f(params[f"{prefix}weight_hh{suf}"])
    b = _f(params[f"{prefix}bias_ih{suf}"]).reshape(-1) + _f(params[f"{prefix}bias_hh{suf}"]).reshape(-1)
    if W_ih.shape[0] != 4 * n_a or W_hh.shape != (4 * n_a, n_a) or b.shape != (4 * n_a,):
        raise ValueError(f"these are not the weights of an LSTM with n_a = {n_a}")
    out = {}
    for k, (w, bb) in enumerate(zip(_GATES, _BIASES)):
        rows = slice(k * n_a, (k + 1) * n_a)
        out[w] = np.concatenate([W_hh[rows], W_ih[rows]], axis=1)
        out[bb] = b[rows].reshape(n_a, 1).copy()
    out["Wy"] = _f(params["Wya"]).copy()
    out["by"] = _f(params["by"]).reshape(-1, 1).copy()
    return out
