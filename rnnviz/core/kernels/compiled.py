"""The numba kernels themselves (imported only by kernels.load(), which compiles them off the GUI thread).

Each computes exactly what the NumPy code it replaces computes, in the same order of operations
where that order is elementwise (the LSTM's slopes, the optimizers: the same bits); products are
plain loops here (summed in a fixed order, not BLAS's), so they agree to round-off.

All arrays are float64 and C-contiguous (the callers make sure); `nogil`: a kernel running in the
training worker leaves the interpreter to the window.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

JIT = dict(cache=True, nogil=True, error_model="numpy")   # IEEE: x / 0 is inf, as in NumPy (no check per division)


# ---------------------------------------------------------------- the LSTM's local slopes
@njit(**JIT)
def lstm_slopes(gates, tc, c, c0, A, P, Qo, F):
    """LSTMCell.slopes in one pass: A = Γo (1 - tanh² c), P = [Γu(1-Γu) c̃; Γf(1-Γf) c<t-1>; (1-c̃²) Γu],
    Qo = Γo(1-Γo) tanh c, F = Γf; gates (T, 4n, m) i f g o, tc = tanh c and c (T, n, m), c0 (n, m)."""
    T, G, m = gates.shape
    n = G // 4
    for t in range(T):
        for k in range(n):
            for j in range(m):
                i = gates[t, k, j]
                f = gates[t, n + k, j]
                g = gates[t, 2 * n + k, j]
                o = gates[t, 3 * n + k, j]
                cp = c[t - 1, k, j] if t > 0 else c0[k, j]
                th = tc[t, k, j]
                P[t, k, j] = i * (1 - i) * g
                P[t, n + k, j] = f * (1 - f) * cp
                P[t, 2 * n + k, j] = (1 - g * g) * i
                A[t, k, j] = o * (1 - th * th)
                Qo[t, k, j] = o * (1 - o) * th
                F[t, k, j] = f


# ---------------------------------------------------------------- the vanilla cell's BPTT
@njit(**JIT)
def vanilla_backward(W, gp, da_ext, carry, da, dz):
    """One column (m = 1; the arrays' unit axis last and contiguous, so that the products vectorize):
    da<t> = da_ext<t> + Waa^T dz<t+1>, dz<t> = da<t> g'(z<t>), from t = T-1 down; gp da_ext da dz (T, n);
    `carry` (n,) holds the gradient arriving at a<T> on entry and Waa^T dz<1> (what reaches a<0>) on exit."""
    T, n = gp.shape
    for t in range(T - 1, -1, -1):
        for i in range(n):
            d = da_ext[t, i] + carry[i]
            da[t, i] = d
            dz[t, i] = d * gp[t, i]
            carry[i] = 0.0
        for i in range(n):                       # carry = Waa^T dz<t>, a row of Waa at a time
            d = dz[t, i]
            for k in range(n):
                carry[k] += W[i, k] * d


@njit(**JIT)
def vanilla_back_columns(W, gp, u, t_last):
    """u <- Waa^T (g'(z<t>) u) for t = t_last .. 1 (J<t>^T u: steps of BPTT for one column u (n,));
    gp (T, n)."""
    n = u.shape[0]
    dz = np.empty(n)
    for t in range(t_last, 0, -1):
        for i in range(n):
            dz[i] = gp[t, i] * u[i]
            u[i] = 0.0
        for i in range(n):
            d = dz[i]
            for k in range(n):
                u[k] += W[i, k] * d


# ---------------------------------------------------------------- the one-hot input's weight gradient
@njit(**JIT)
def ids_weight_grad(dxproj, ids, out):
    """out[x] += dxproj<t>[:, b] for every (t, b) that read token x = ids[t, b] >= 0, in (t, b) order
    (Inputs.weight_grad's sums, row by row in the same order); dxproj (T, G, m), ids (T, m), out (n_x, G)."""
    T, G, m = dxproj.shape
    for t in range(T):
        for b in range(m):
            x = ids[t, b]
            if 0 <= x < out.shape[0]:
                for g in range(G):
                    out[x, g] += dxproj[t, g, b]


# ---------------------------------------------------------------- optimizers, in place, one weight at a time
@njit(**JIT)
def adagrad(p, g, mem, lr):
    """mem += g²; p += -lr g / sqrt(mem + 1e-8) (min-char-rnn's lines), flat arrays."""
    for i in range(p.size):
        gi = g[i]
        mi = mem[i] + gi * gi
        mem[i] = mi
        p[i] += -lr * gi / math.sqrt(mi + 1e-8)


@njit(**JIT)
def adam(p, g, m, v, lr, b1, one_b1, b2, one_b2, bc1, bc2, eps):
    """m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= lr (m / bc1) / (sqrt(v / bc2) + eps)."""
    for i in range(p.size):
        gi = g[i]
        mi = m[i] * b1
        mi += one_b1 * gi
        vi = v[i] * b2
        vi += one_b2 * (gi * gi)
        m[i] = mi
        v[i] = vi
        p[i] -= lr * (mi / bc1) / (math.sqrt(vi / bc2) + eps)


def warm_up() -> None:
    """Compile (or load from the cache) every kernel for the types the callers pass."""
    r = np.random.default_rng(0)
    x3, x2 = r.random((2, 4, 1)), r.random((4, 1))
    lstm_slopes(r.random((2, 8, 1)), x3.copy(), x3.copy(), x2.copy(), *(np.empty((2, k, 1)) for k in (2, 6, 2, 2)))
    W, v2, v1 = r.random((4, 4)), r.random((2, 4)), r.random(4)
    vanilla_backward(W, v2, v2, v1.copy(), np.empty_like(v2), np.empty_like(v2))
    vanilla_back_columns(W, v2, v1.copy(), 1)
    ids_weight_grad(r.random((2, 3, 1)), np.zeros((2, 1), dtype=np.int64), np.zeros((2, 3)))
    f = r.random(3)
    adagrad(f.copy(), f, f.copy(), 0.1)
    adam(f.copy(), f, f.copy(), f.copy(), 0.1, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-8)
