"""An independent reference for every model, written step by step from the formulas (PyTorch's
documentation of nn.RNN / nn.GRU / nn.LSTM), in extended precision, sharing no code with the engine.

ref_step_losses(spec, params, seq, architecture, loss, a0, delta) -> (m, T) per-step losses, where
`delta[(layer, direction, name)]` (n_a, m, T) is added to the state `name` of that layer-direction right
after it is computed at each step: finite differences over delta measure dL/ds<t> directly.
"""
from __future__ import annotations

import numpy as np

F = np.longdouble


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _cell_step(cell, act, W_ih, W_hh, b_ih, b_hh, x, a, c, dc=0):
    """One step of one cell (x (n_in, m), a, c (n_a, m)) -> (a, c); `dc` is added to the LSTM's c<t>
    before a<t> = Γo tanh(c<t>) is computed from it (c<t> is a node a<t> depends on)."""
    n = W_hh.shape[1]
    if cell == "rnn":
        z = W_ih @ x + b_ih + W_hh @ a + b_hh
        return (np.tanh(z) if act == "tanh" else np.maximum(z, 0)), c
    gi, gh = W_ih @ x + b_ih, W_hh @ a + b_hh
    if cell == "gru":
        r = _sig(gi[:n] + gh[:n])
        z = _sig(gi[n:2 * n] + gh[n:2 * n])
        nn = np.tanh(gi[2 * n:] + r * gh[2 * n:])
        return (1 - z) * nn + z * a, c
    g = gi + gh
    i, f, gg, o = _sig(g[:n]), _sig(g[n:2 * n]), np.tanh(g[2 * n:3 * n]), _sig(g[3 * n:])
    c = f * c + i * gg + dc
    return o * np.tanh(c), c


def _layer(spec, params, seg_bounds, l, d, inp, s0, delta):
    """Run one layer-direction over the whole timeline: inp (n_in, m, T) -> a (n_a, m, T)."""
    n_in, m, T = inp.shape
    n_a = spec.n_a
    a = np.zeros((n_a, m), dtype=F) if s0 is None else np.asarray(s0, dtype=F)
    c = np.zeros((n_a, m), dtype=F)
    out = np.zeros((n_a, m, T), dtype=F)
    steps = range(T) if d == 0 else range(T - 1, -1, -1)
    for t in steps:
        seg = next(s for s, (lo, hi) in enumerate(seg_bounds) if lo <= t < hi)
        w_ih, w_hh, b_ih, b_hh = spec.layer_names(seg, l, d)
        G = spec.gates * n_a
        W_ih, W_hh = (np.asarray(params[k], dtype=F) for k in (w_ih, w_hh))
        B_ih = np.asarray(params[b_ih], dtype=F).reshape(G, 1)
        B_hh = np.zeros((G, 1), dtype=F) if not b_hh else np.asarray(params[b_hh], dtype=F).reshape(G, 1)
        dc = delta[(l, d, "c")][:, :, t] if delta and (l, d, "c") in delta else 0
        a, c = _cell_step(spec.cell, spec.activation, W_ih, W_hh, B_ih, B_hh, inp[:, :, t], a, c, dc)
        if delta and (l, d, "a") in delta:
            a = a + delta[(l, d, "a")][:, :, t]
        out[:, :, t] = a
    return out


def ref_step_losses(spec, params, seq, architecture, loss, a0=None, delta=None):
    x = np.asarray(seq.x, dtype=F)
    y = np.asarray(seq.y, dtype=F)
    T = x.shape[2]
    bounds = list(seq.segments) if spec.encoder_decoder else [(0, T)]
    h = x
    for l in range(spec.layers):
        outs = [_layer(spec, params, bounds, l, d, h, a0 if (l == 0 and d == 0) else None, delta)
                for d in range(spec.dirs)]
        h = np.concatenate(outs, axis=0)
    Wy, by = np.asarray(params["Wya"], dtype=F), np.asarray(params["by"], dtype=F).reshape(-1, 1)
    L = np.zeros((x.shape[1], T), dtype=F)
    for t in range(T):
        logits = Wy @ h[:, :, t] + by
        yt = y[:, :, t]
        if loss == "cross_entropy":
            e = np.exp(logits - logits.max(axis=0))
            Lt = -np.sum(yt * np.log(e / e.sum(axis=0)), axis=0)
        elif loss == "bce":
            s = _sig(logits)
            Lt = -np.sum(yt * np.log(s) + (1 - yt) * np.log(1 - s), axis=0)
        else:
            Lt = np.sum((logits - yt) ** 2, axis=0) / logits.shape[0]
        counts = architecture != "many-to-one" or t == T - 1
        if architecture == "encoder-decoder":
            counts = t >= seq.n_source
        if counts:
            L[:, t] = Lt
    return L
