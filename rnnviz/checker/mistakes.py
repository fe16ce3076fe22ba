"""Common mistakes, recognised from the numbers: each is the notes' function written with that one
mistake; when a student's output equals a mistake's output (and not ours), the hint names it.

Written plainly, as a student would, on purpose: these are the wrong answers, not the engine.
"""
from __future__ import annotations

import numpy as np


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, axis=0):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---- the vanilla RNN ------------------------------------------------------------------------------
def _rnn_cell(xt, a_prev, P, *, softmax_axis=0, ba=True):
    z = P["Wax"] @ xt + P["Waa"] @ a_prev + (P["ba"] if ba else 0)
    a = np.tanh(z)
    return a, _softmax(P["Wya"] @ a + P["by"], softmax_axis)


def rnn_cell_forward_variant(**bug):
    def f(xt, a_prev, P):
        a, y = _rnn_cell(xt, a_prev, P, **bug)
        return a, y, (a, a_prev, xt, P)
    return f


def rnn_forward_variant(**bug):
    def f(x, a0, P):
        T = x.shape[2]
        a, y, caches, prev = np.zeros((a0.shape[0], x.shape[1], T)), None, [], a0
        ys = []
        for t in range(T):
            at, yt = _rnn_cell(x[:, :, t], prev, P, **bug)
            a[:, :, t] = at
            ys.append(yt)
            caches.append((at, prev, x[:, :, t], P))
            prev = at
        y = np.stack(ys, axis=2)
        return a, y, (caches, x)
    return f


def _rnn_cell_back(da_next, cache, at_prev=False):
    a_next, a_prev, xt, P = cache
    dtanh = (1 - (a_prev if at_prev else a_next) ** 2) * da_next
    return {"dxt": P["Wax"].T @ dtanh, "da_prev": P["Waa"].T @ dtanh, "dWax": dtanh @ xt.T,
            "dWaa": dtanh @ a_prev.T, "dba": dtanh.sum(axis=-1, keepdims=True)}


def rnn_cell_backward_variant(**bug):
    return lambda da_next, cache: _rnn_cell_back(da_next, cache, **bug)


def rnn_backward_variant(carry=True, at_prev=False):
    def f(da, caches):
        steps, x = caches
        n_a, m, T = da.shape
        out = {"dx": np.zeros((x.shape[0], m, T)), "dWax": 0, "dWaa": 0, "dba": 0}
        prev = np.zeros((n_a, m))
        for t in reversed(range(T)):
            g = _rnn_cell_back(da[:, :, t] + (prev if carry else 0), steps[t], at_prev)
            prev = g["da_prev"]
            out["dx"][:, :, t] = g["dxt"]
            for k in ("dWax", "dWaa", "dba"):
                out[k] = out[k] + g[k]
        out["da0"] = prev
        return out
    return f


# ---- the LSTM -------------------------------------------------------------------------------------
def _lstm_cell(xt, a_prev, c_prev, P, *, forget=True, concat_xa=False, softmax_axis=0):
    concat = np.concatenate((xt, a_prev) if concat_xa else (a_prev, xt), axis=0)
    f = _sig(P["Wf"] @ concat + P["bf"])
    i = _sig(P["Wi"] @ concat + P["bi"])
    cc = np.tanh(P["Wc"] @ concat + P["bc"])
    c = (f * c_prev if forget else c_prev) + i * cc
    o = _sig(P["Wo"] @ concat + P["bo"])
    a = o * np.tanh(c)
    return a, c, _softmax(P["Wy"] @ a + P["by"], softmax_axis), (a, c, a_prev, c_prev, f, i, cc, o, xt, P)


def lstm_cell_forward_variant(**bug):
    return lambda xt, a_prev, c_prev, P: _lstm_cell(xt, a_prev, c_prev, P, **bug)


def lstm_forward_variant(**bug):
    def f(x, a0, P):
        T, m = x.shape[2], x.shape[1]
        n_a, n_y = a0.shape[0], P["Wy"].shape[0]
        a, c, y = np.zeros((n_a, m, T)), np.zeros((n_a, m, T)), np.zeros((n_y, m, T))
        prev_a, prev_c, caches = a0, np.zeros_like(a0), []
        for t in range(T):
            prev_a, prev_c, yt, cache = _lstm_cell(x[:, :, t], prev_a, prev_c, P, **bug)
            a[:, :, t], c[:, :, t], y[:, :, t] = prev_a, prev_c, yt
            caches.append(cache)
        return a, y, c, (caches, x)
    return f


def _lstm_cell_back(da_next, dc_next, cache):
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, P = cache
    n_a = a_next.shape[0]
    tc = np.tanh(c_next)
    dot = da_next * tc * ot * (1 - ot)
    dc = dc_next + ot * (1 - tc ** 2) * da_next
    dcct, dit, dft = dc * it * (1 - cct ** 2), dc * cct * it * (1 - it), dc * c_prev * ft * (1 - ft)
    concat = np.concatenate((a_prev, xt), axis=0).T
    g = {"dWf": dft @ concat, "dWi": dit @ concat, "dWc": dcct @ concat, "dWo": dot @ concat,
         "dbf": dft.sum(axis=1, keepdims=True), "dbi": dit.sum(axis=1, keepdims=True),
         "dbc": dcct.sum(axis=1, keepdims=True), "dbo": dot.sum(axis=1, keepdims=True)}
    parts = (("Wf", dft), ("Wi", dit), ("Wc", dcct), ("Wo", dot))
    g["da_prev"] = sum(P[w][:, :n_a].T @ d for w, d in parts)
    g["dxt"] = sum(P[w][:, n_a:].T @ d for w, d in parts)
    g["dc_prev"] = dc * ft
    return g


def lstm_backward_variant(carry=True):
    def f(da, caches):
        steps, x = caches
        n_a, m, T = da.shape
        out = {k: 0 for k in ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo")}
        out["dx"] = np.zeros((x.shape[0], m, T))
        pa, pc = np.zeros((n_a, m)), np.zeros((n_a, m))
        for t in reversed(range(T)):
            g = _lstm_cell_back(da[:, :, t] + (pa if carry else 0), pc if carry else np.zeros((n_a, m)), steps[t])
            pa, pc = g["da_prev"], g["dc_prev"]
            out["dx"][:, :, t] = g["dxt"]
            for k in ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"):
                out[k] = out[k] + g[k]
        out["da0"] = pa if carry else g["da_prev"]
        return out
    return f


# function -> [(hint, the function written with that mistake)]
MISTAKES = {
    "rnn_cell_forward": [
        ("ba is missing: a_next = tanh(Wax·xt + Waa·a_prev + ba)", rnn_cell_forward_variant(ba=False)),
        ("softmax normalises the wrong axis: each column (one example) must sum to 1 — take max and sum "
         "over axis 0", rnn_cell_forward_variant(softmax_axis=1)),
    ],
    "rnn_forward": [
        ("ba is missing: a_next = tanh(Wax·xt + Waa·a_prev + ba)", rnn_forward_variant(ba=False)),
        ("softmax normalises the wrong axis: each column (one example) must sum to 1 — take max and sum "
         "over axis 0", rnn_forward_variant(softmax_axis=1)),
    ],
    "rnn_cell_backward": [
        ("tanh′ is taken at a⟨t−1⟩: the derivative of this step is (1 − a_next²), at its own output",
         rnn_cell_backward_variant(at_prev=True)),
    ],
    "rnn_backward": [
        ("the gradient carried back from the next step is missing: call rnn_cell_backward(da[:, :, t] + "
         "da_prevt, caches[t]) and keep da_prevt = gradients['da_prev']", rnn_backward_variant(carry=False)),
        ("tanh′ is taken at a⟨t−1⟩: the derivative of each step is (1 − a_next²), at its own output",
         rnn_backward_variant(at_prev=True)),
    ],
    "lstm_cell_forward": [
        ("c_next must keep c_prev through the forget gate: c_next = ft * c_prev + it * cct",
         lstm_cell_forward_variant(forget=False)),
        ("concat is [xt; a_prev]: the course's weights act on concat = [a_prev; xt] (a_prev first)",
         lstm_cell_forward_variant(concat_xa=True)),
        ("softmax normalises the wrong axis: each column must sum to 1 (axis 0)",
         lstm_cell_forward_variant(softmax_axis=1)),
    ],
    "lstm_forward": [
        ("c_next must keep c_prev through the forget gate: c_next = ft * c_prev + it * cct",
         lstm_forward_variant(forget=False)),
        ("concat is [xt; a_prev]: the course's weights act on concat = [a_prev; xt] (a_prev first)",
         lstm_forward_variant(concat_xa=True)),
    ],
    "lstm_backward": [
        ("da_prev and dc_prev are not carried from one step to the next: call lstm_cell_backward(da[:, :, t] "
         "+ da_prevt, dc_prevt, caches[t]) and keep both (the course's printed expected output was made "
         "this way, a known erratum)", lstm_backward_variant(carry=False)),
    ],
}
