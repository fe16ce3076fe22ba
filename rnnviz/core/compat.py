"""The seed notes' functions, with their exact signatures, shapes, keys and cache structure.

A student's own `rnn_cell_forward` can be mixed with ours and checked against it. They are thin
wrappers over the engine (`rnn.py`), not a second copy of the math, and run at the engine's speed.
The notes' cell is the tanh cell with a softmax read-out.
"""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, softmax
from .rnn import backprop_hidden, matmul_steps, rnn_forward_tm

_TANH = ACTIVATIONS["tanh"]


def _params(parameters: dict):
    return (np.asarray(parameters[k]) for k in ("Wax", "Waa", "Wya", "ba", "by"))


def rnn_cell_forward(xt, a_prev, parameters):
    """One step: returns a_next (n_a, m), yt_pred (n_y, m), cache = (a_next, a_prev, xt, parameters)."""
    Wax, Waa, Wya, ba, by = _params(parameters)
    cache_tm = rnn_forward_tm(Wax, Waa, ba, np.asarray(xt, dtype=float)[None], np.asarray(a_prev, dtype=float), _TANH)
    a_next = cache_tm.a[0]
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)


def rnn_forward(x, a0, parameters):
    """x (n_x, m, T_x) -> a (n_a, m, T_x), y_pred (n_y, m, T_x), caches = (list of step caches, x)."""
    Wax, Waa, Wya, ba, by = _params(parameters)
    x = np.asarray(x, dtype=float)
    x_tm = np.ascontiguousarray(np.moveaxis(x, -1, 0))
    cache_tm = rnn_forward_tm(Wax, Waa, ba, x_tm, np.asarray(a0, dtype=float), _TANH)
    logits = matmul_steps(Wya, cache_tm.a) + by[None]
    y_pred = np.moveaxis(softmax(logits, axis=1), 0, -1)
    a_tm = cache_tm.a
    prev = [a0] + [a_tm[t] for t in range(a_tm.shape[0] - 1)]
    caches = [(a_tm[t], prev[t], x[:, :, t], parameters) for t in range(a_tm.shape[0])]
    return np.moveaxis(a_tm, 0, -1), y_pred, (caches, x)


def rnn_cell_backward(da_next, cache):
    """One step back: {"dxt", "da_prev", "dWax", "dWaa", "dba"}."""
    (a_next, a_prev, xt, parameters) = cache
    Wax, Waa, *_ = _params(parameters)
    a_next = np.asarray(a_next, dtype=float)
    gprime = _TANH.derivative(None, a_next)[None]                # 1 - tanh^2
    _, dz, da_prev = backprop_hidden(Waa, gprime, np.asarray(da_next, dtype=float)[None])
    dtanh = dz[0]
    return {
        "dxt": np.dot(Wax.T, dtanh),
        "da_prev": da_prev,
        "dWax": np.dot(dtanh, np.asarray(xt).T),
        "dWaa": np.dot(dtanh, np.asarray(a_prev).T),
        "dba": np.sum(dtanh, axis=-1, keepdims=True),
    }


def rnn_backward(da, caches):
    """da (n_a, m, T_x) upstream gradients -> {"dx", "da0", "dWax", "dWaa", "dba"}."""
    (step_caches, x) = caches
    (a1, a0, x1, parameters) = step_caches[0]
    Wax, Waa, *_ = _params(parameters)
    a_tm = np.stack([c[0] for c in step_caches])                # (T, n_a, m)
    a_prev_tm = np.concatenate([np.asarray(a0, dtype=float)[None], a_tm[:-1]])
    x_tm = np.ascontiguousarray(np.moveaxis(np.asarray(x, dtype=float), -1, 0))
    gprime = 1.0 - a_tm * a_tm
    da_tm = np.ascontiguousarray(np.moveaxis(np.asarray(da, dtype=float), -1, 0))
    _, dz, da0 = backprop_hidden(Waa, gprime, da_tm)
    T, n_a, m = dz.shape
    dzf = dz.transpose(1, 0, 2).reshape(n_a, T * m)
    return {
        "dx": np.moveaxis(matmul_steps(Wax.T, dz), 0, -1),
        "da0": da0,
        "dWax": dzf @ x_tm.transpose(1, 0, 2).reshape(x_tm.shape[1], T * m).T,
        "dWaa": dzf @ a_prev_tm.transpose(1, 0, 2).reshape(n_a, T * m).T,
        "dba": dzf.sum(axis=1, keepdims=True),
    }
