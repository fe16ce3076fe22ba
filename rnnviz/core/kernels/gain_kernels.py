"""numba kernels for the local gains ||J<t>||_2 (core/jacobians.py): one pass over the columns where
NumPy made eight.

The batched Lanczos iteration there carries thousands of columns (steps x batch) of a few hundred
rows. Per iteration it did one or two BLAS products and some ten elementwise NumPy calls, each a
pass over memory and a new array: at T = 1000, n_a = 128 those calls took more time than the
products (an LSTM's 3.6 ms against 3.0 ms an iteration). Here the elementwise work of an iteration
is one pass; the products stay NumPy's (BLAS: batched, 40 GFlop/s, where a loop here makes 5).

Every kernel performs the NumPy reference's operations in the same order per element (no fused
multiply-add: numba's default), so the values agree to the bit or to round-off
(tests/core/test_gain_kernels.py). Arrays are float64, C-contiguous, unit-first: (rows, columns).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

JIT = dict(cache=True, nogil=True, error_model="numpy")


@njit(**JIT)
def lanczos_step(q, w, q_prev, b_prev, top, a, b):
    """One Lanczos step's three-term recurrence for every column at once, w = A q given:
    a = q . w;  top = max(top, a);  w -= a q;  w -= b_prev q_prev;  b = ||w||;
    where b <= 1e-13 top (an invariant Krylov space) b = 0 and the next vector is 0, else w / b;
    the next vector is written over q_prev (spent by then). a, b: (cols,) outputs; top in place."""
    n, cols = q.shape
    for j in range(cols):
        a[j] = 0.0
        b[j] = 0.0
    for k in range(n):
        qk, wk = q[k], w[k]
        for j in range(cols):
            a[j] += qk[j] * wk[j]
    for j in range(cols):
        top[j] = max(top[j], a[j])
    for k in range(n):
        qk, wk, pk = q[k], w[k], q_prev[k]
        for j in range(cols):
            v = wk[j] - a[j] * qk[j]
            v = v - b_prev[j] * pk[j]
            wk[j] = v
            b[j] += v * v
    for j in range(cols):
        b[j] = math.sqrt(b[j])
        if b[j] <= 1e-13 * top[j]:
            b[j] = 0.0
    for k in range(n):
        wk, pk = w[k], q_prev[k]
        for j in range(cols):
            pk[j] = wk[j] / b[j] if b[j] != 0.0 else 0.0


@njit(**JIT)
def tridiag_top(alpha, beta, lower, out):
    """Largest eigenvalue of each symmetric tridiagonal (alpha (k, cols) diagonal, beta (k-1, cols)
    off-diagonal), by bisection on Sturm counts as jacobians._tridiag_top: x is above every eigenvalue
    iff all pivots of T - xI are negative. The bracket [max(alpha, lower), Gershgorin] is narrowed to
    just above `lower` (the previous estimate) when that already bounds the top, then halved until
    2e-16 relative. The pivots' recurrence is a chain of divisions: it runs across the columns (each
    row for all columns at once, which vectorizes), not down one column at a time."""
    k, cols = alpha.shape
    hi, lo = np.empty(cols), np.empty(cols)
    for j in range(cols):
        hi[j] = -np.inf
        lo[j] = -np.inf
    for i in range(k):
        for j in range(cols):
            r = 0.0
            if i > 0:
                r += abs(beta[i - 1, j])
            if i < k - 1:
                r += abs(beta[i, j])
            hi[j] = max(hi[j], alpha[i, j] + r)
            lo[j] = max(lo[j], alpha[i, j])
    b2 = beta * beta
    x, d = np.empty(cols), np.empty(cols)
    ok = np.empty(cols, dtype=np.bool_)
    for j in range(cols):
        lo[j] = max(lo[j], min(lower[j], hi[j]))
        x[j] = lo[j] * (1 + 1e-9) + 1e-300
    _above(alpha, b2, x, d, ok)
    for j in range(cols):
        if ok[j] and x[j] < hi[j]:
            hi[j] = x[j]
    for _ in range(60):
        settled = True
        for j in range(cols):
            x[j] = 0.5 * (lo[j] + hi[j])
            if not hi[j] - lo[j] <= 2e-16 * hi[j]:
                settled = False
        if settled:
            break
        _above(alpha, b2, x, d, ok)
        for j in range(cols):
            if hi[j] - lo[j] <= 2e-16 * hi[j]:
                continue
            if ok[j]:
                hi[j] = x[j]
            else:
                lo[j] = x[j]
    for j in range(cols):
        out[j] = hi[j]


@njit(inline="always", **JIT)
def _above(alpha, b2, x, d, ok):
    """ok[j]: whether x[j] exceeds every eigenvalue of tridiagonal j (all pivots of T - x I negative)."""
    k, cols = alpha.shape
    for j in range(cols):
        d[j] = alpha[0, j] - x[j]
        ok[j] = d[j] < 0
    for i in range(1, k):
        for j in range(cols):
            dj = d[j]
            dj = alpha[i, j] - x[j] - b2[i - 1, j] / (dj if dj != 0 else -1e-300)
            d[j] = dj
            ok[j] = ok[j] and dj < 0


@njit(**JIT)
def lstm_gram_mid(dz, qc, f, A, Pi, Pf, Pg, Qo, dz2, back_c):
    """The elementwise part of an LSTM's J^T J q, q = [qa; qc] (cells/lstm.py jvp then step_back):
    given dz = W_hh qa (4n, cols), J q = [A dc + Qo dz_o; dc] with dc = f qc + Pi dz_i + Pf dz_f + Pg dz_g;
    then J^T of that: dz2 = [Pi; Pf; Pg] dc2, Qo (Jq)_a with dc2 = A (Jq)_a + dc, and back_c = dc2 f
    (the caller adds back_a = W_hh^T dz2)."""
    n, cols = qc.shape
    for k in range(n):
        for j in range(cols):
            dc = f[k, j] * qc[k, j]
            dc += Pi[k, j] * dz[k, j]
            dc += Pf[k, j] * dz[n + k, j]
            dc += Pg[k, j] * dz[2 * n + k, j]
            oa = A[k, j] * dc
            oa += Qo[k, j] * dz[3 * n + k, j]
            dc2 = A[k, j] * oa
            dc2 += dc
            dz2[k, j] = Pi[k, j] * dc2
            dz2[n + k, j] = Pf[k, j] * dc2
            dz2[2 * n + k, j] = Pg[k, j] * dc2
            dz2[3 * n + k, j] = Qo[k, j] * oa
            back_c[k, j] = dc2 * f[k, j]


@njit(**JIT)
def gru_gram_mid(dh, v, z, Rr, Rz, Rn, dhp, zu):
    """The elementwise part of a GRU's J^T J v (cells/gru.py jvp then step_back): given dh = W_hh v
    (3n, cols), u = J v = z v + Rr dh_r + Rz dh_z + Rn dh_n; then dhp = [Rr; Rz; Rn] u and zu = u z
    (the caller forms W_hh^T dhp + zu)."""
    n, cols = v.shape
    for k in range(n):
        for j in range(cols):
            u = z[k, j] * v[k, j]
            u += Rr[k, j] * dh[k, j]
            u += Rz[k, j] * dh[n + k, j]
            u += Rn[k, j] * dh[2 * n + k, j]
            dhp[k, j] = Rr[k, j] * u
            dhp[n + k, j] = Rz[k, j] * u
            dhp[2 * n + k, j] = Rn[k, j] * u
            zu[k, j] = u * z[k, j]


def warm_up() -> None:
    r = np.random.default_rng(0)
    q, w = r.random((3, 4)), r.random((3, 4))
    lanczos_step(q, w, q.copy(), r.random(4), np.zeros(4), np.empty(4), np.empty(4))
    tridiag_top(r.random((3, 4)), r.random((2, 4)), np.zeros(4), np.empty(4))
    x1, x4 = r.random((2, 3)), r.random((8, 3))
    lstm_gram_mid(x4, x1, x1, x1, x1, x1, x1, x1, np.empty((8, 3)), np.empty((2, 3)))
    gru_gram_mid(r.random((6, 3)), x1, x1, x1, x1, x1, np.empty((6, 3)), np.empty((2, 3)))
