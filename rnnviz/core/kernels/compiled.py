"""The numba kernels themselves (imported only by kernels.load(), which compiles them off the GUI thread).

Each computes exactly what the NumPy code it replaces computes, in the same order of operations
where that order is elementwise (the LSTM's slopes, the optimizers: the same bits); the gated
cells' products are NumPy's own BLAS (gemm.py: the bits np.matmul gives) and tanh is _tanh below
(within 3 ulp of NumPy's), so the rest agrees to round-off. The gated cells' loops (lstm_*, gru_*) run a whole sequence
in one call: NumPy's step by step made ~10 calls of a few µs each per step, more than the step's work
at a batch of 32 (the adding problem's LSTM update went from 12 ms to 7 here, and to 5.3 once the
products were BLAS's).

All arrays are float64 and C-contiguous (the callers make sure); `nogil`: a kernel running in the
training worker leaves the interpreter to the window.
"""
from __future__ import annotations

import ctypes
import logging
import math

import llvmlite.binding as llvm
import numpy as np
from numba import carray, cfunc, njit, types

from . import gain_kernels  # noqa: F401 (kernels.load_gains warms it)
from .gain_kernels import gru_gram_mid, lanczos_step, lstm_gram_mid, tridiag_top  # noqa: F401 (the namespace)

JIT = dict(cache=True, nogil=True, error_model="numpy")   # IEEE: x / 0 is inf, as in NumPy (no check per division)
_log = logging.getLogger(__name__)


# ---------------------------------------------------------------- products by NumPy's BLAS
# (In this file, with the kernels that call them: numba's cache notices a change to a kernel's own
# file only, and a kernel cached against another file's older signature would crash.)
#
# A gated cell's whole-sequence loop below makes one small product per step (an LSTM's
# W_hh (4n, n) against the states (n, m)). Plain loops compiled by numba ran those at 16–23 GFlop/s;
# the BLAS NumPy is linked against (OpenBLAS in NumPy's wheels, MKL, …) runs them at 60–80 on this
# machine (the adding problem's 128 x 32 x 32: 12.4 µs a product, 3.3 µs by BLAS), and gives the
# bits np.matmul gives, so the compiled loops and the NumPy reference now share their products.
#
# The kernels call matmul / add_matmul_t / sum_outer (C-contiguous float64), which call the external
# symbol SYMBOL. Before any kernel is compiled or loaded from numba's cache, register() points that
# symbol at, in this order:
#   1. a small shim calling the ILP64 cblas_dgemm of NumPy's BLAS (scipy_cblas_dgemm64_, cblas_dgemm64_);
#   2. a shim calling an LP64 cblas_dgemm (a distribution's NumPy on the system's libblas);
#   3. plain loops (no BLAS found: a NumPy without one, or one threadpoolctl cannot see),
# so cached kernels link whichever is there. `source` says which (benchmarks and the log print it).
# SYMBOL's name goes with its signature: a new signature takes a new name.
SYMBOL = "rnnviz_gemm_rowmajor"  # C(M, N) = A(M, K) @ op(B) + beta C, row-major; op(B) = B (K, N) or B^T (N, K)
_ILP64, _LP64 = "rnnviz_cblas_dgemm_ilp64", "rnnviz_cblas_dgemm_lp64"
_GEMV = "rnnviz_cblas_dgemv"     # the same library's cblas_dgemv (its integers as its dgemm's)
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112

_f64p = types.CPointer(types.float64)
_i = types.int64
# (M, N, K, A, lda, B, ldb, B transposed (0/1), beta, C, ldc)
_sig = types.void(_i, _i, _i, _f64p, _i, _f64p, _i, _i, types.float64, _f64p, _i)
_gemm = types.ExternalFunction(SYMBOL, _sig)
source = "none"          # "BLAS <file> (<symbol>)" or "plain loops" once register() has run


def _cblas_sig(i):
    return types.void(types.int32, types.int32, types.int32, i, i, i, types.float64, _f64p, i, _f64p, i,
                      types.float64, _f64p, i)


def _blas_library() -> str | None:
    """The file of the BLAS NumPy is linked against (threadpoolctl finds it), or None."""
    try:
        from threadpoolctl import threadpool_info

        for lib in threadpool_info():
            if lib.get("user_api") == "blas" and lib.get("filepath"):
                return lib["filepath"]
    except Exception:  # noqa: BLE001 - threadpoolctl missing or unable to inspect
        return None
    return None


def _find_dgemm():
    """(file, symbol, ILP64?, gemv found?) of NumPy's BLAS's cblas_dgemm, its address registered under
    _ILP64 or _LP64 (and cblas_dgemv's, for one column, under _GEMV), or None. Runs at import: a shim
    below links against those names as it compiles."""
    path = _blas_library()
    try:
        lib = ctypes.CDLL(path) if path else None
    except OSError:
        lib = None
    for name, ilp64 in (("scipy_cblas_dgemm64_", True), ("cblas_dgemm64_", True), ("cblas_dgemm", False)):
        fn = getattr(lib, name, None) if lib is not None else None
        if fn is not None:
            llvm.add_symbol(_ILP64 if ilp64 else _LP64, ctypes.cast(fn, ctypes.c_void_p).value)
            gemv = getattr(lib, name.replace("dgemm", "dgemv"), None)
            if gemv is not None:
                llvm.add_symbol(_GEMV, ctypes.cast(gemv, ctypes.c_void_p).value)
            return path, name, ilp64, gemv is not None
    return None


def _cblas_gemv_sig(i):
    return types.void(types.int32, types.int32, i, i, types.float64, _f64p, i, _f64p, i, types.float64, _f64p, i)


# One column (m = 1: a text's BPTT in the window) is a matrix-vector product: dgemm with N = 1 streamed
# an 8 MB W_hh at half the speed of dgemv (615 µs against 297 for 2048 x 512), so the shims call dgemv.
_found = _find_dgemm()
_shim = None
if _found is not None and _found[2] and _found[3]:
    _dgemm_ilp64 = types.ExternalFunction(_ILP64, _cblas_sig(types.int64))
    _dgemv_ilp64 = types.ExternalFunction(_GEMV, _cblas_gemv_sig(types.int64))

    @cfunc(_sig, cache=True, nogil=True)
    def _via_ilp64(M, N, K, A, lda, B, ldb, tb, beta, C, ldc):
        if N == 1 and not tb:
            _dgemv_ilp64(_ROW_MAJOR, _NO_TRANS, M, K, 1.0, A, lda, B, ldb, beta, C, ldc)
        else:
            _dgemm_ilp64(_ROW_MAJOR, _NO_TRANS, _TRANS if tb else _NO_TRANS, M, N, K, 1.0, A, lda, B, ldb, beta,
                         C, ldc)

    _shim = _via_ilp64
elif _found is not None and _found[3]:
    _dgemm_lp64 = types.ExternalFunction(_LP64, _cblas_sig(types.int32))
    _dgemv_lp64 = types.ExternalFunction(_GEMV, _cblas_gemv_sig(types.int32))

    @cfunc(_sig, cache=True, nogil=True)
    def _via_lp64(M, N, K, A, lda, B, ldb, tb, beta, C, ldc):
        if N == 1 and not tb:
            _dgemv_lp64(_ROW_MAJOR, _NO_TRANS, np.int32(M), np.int32(K), 1.0, A, np.int32(lda), B, np.int32(ldb),
                        beta, C, np.int32(ldc))
        else:
            _dgemm_lp64(_ROW_MAJOR, _NO_TRANS, _TRANS if tb else _NO_TRANS, np.int32(M), np.int32(N), np.int32(K),
                        1.0, A, np.int32(lda), B, np.int32(ldb), beta, C, np.int32(ldc))

    _shim = _via_lp64
# (a BLAS with cblas_dgemm but no cblas_dgemv, if one exists, is not used: the plain loops below)


@cfunc(_sig, cache=True, nogil=True, error_model="numpy")
def _plain(M, N, K, A, lda, B, ldb, tb, beta, C, ldc):
    """C = A @ op(B) + beta C by loops, each entry summed over k = 0 .. K-1 in order."""
    a = carray(A, (M, lda))
    c = carray(C, (M, ldc))
    if tb:
        b = carray(B, (N, ldb))
        for i in range(M):
            ai, ci = a[i], c[i]
            for j in range(N):
                bj = b[j]
                s = 0.0
                for k in range(K):
                    s += ai[k] * bj[k]
                ci[j] = s if beta == 0.0 else beta * ci[j] + s
        return
    b = carray(B, (K, ldb))
    for i in range(M):
        ci = c[i]
        for j in range(N):
            ci[j] = 0.0 if beta == 0.0 else beta * ci[j]
        for k in range(K):
            w = a[i, k]
            bk = b[k]
            for j in range(N):
                ci[j] += w * bk[j]


def register() -> str:
    """Point SYMBOL at BLAS (or plain loops) for this process; idempotent. Returns `source`."""
    global source
    if source != "none":
        return source
    if _shim is not None:
        llvm.add_symbol(SYMBOL, _shim.address)
        source = f"BLAS {_found[0].rsplit('/', 1)[-1]} ({_found[1]})"
        if _agrees():
            return source
        _log.warning("%s gave a wrong product; the compiled kernels multiply by plain loops", source)
    llvm.add_symbol(SYMBOL, _plain.address)
    source = "plain loops"
    return source


@njit(cache=True, nogil=True)
def matmul(A, B, C):
    """C = A @ B for C-contiguous float64 A (M, K), B (K, N), C (M, N), through SYMBOL."""
    M, K = A.shape
    N = B.shape[1]
    if M == 0 or N == 0:
        return
    if K == 0:
        C[:] = 0.0
        return
    _gemm(M, N, K, A.ctypes, K, B.ctypes, N, 0, 0.0, C.ctypes, N)


@njit(cache=True, nogil=True)
def add_matmul_t(A, B, C):
    """C += A @ B^T for C-contiguous float64 A (M, K), B (N, K), C (M, N), through SYMBOL."""
    M, K = A.shape
    N = B.shape[0]
    if M == 0 or N == 0 or K == 0:
        return
    _gemm(M, N, K, A.ctypes, K, B.ctypes, K, 1, 1.0, C.ctypes, N)


@njit(cache=True, nogil=True)
def sum_outer(D, X, out):
    """out = sum_t D<t> X<t>^T for D (T, M, m), X (T, N, m) C-contiguous: a weight gradient summed
    over steps and the batch without the (M, T m) copy that one big product would need."""
    out[:] = 0.0
    for t in range(D.shape[0]):
        add_matmul_t(D[t], X[t], out)


def _agrees() -> bool:
    """A first product against NumPy's, before any kernel relies on the symbol (a library whose
    cblas_dgemm takes other integers would fail here, not in a training run)."""
    r = np.random.default_rng(0)
    A, B = r.standard_normal((5, 3)), r.standard_normal((3, 4))
    C = np.empty((5, 4))
    _check(A, B, C)
    return bool(np.allclose(C, A @ B, rtol=1e-12, atol=1e-14))


def _check(A, B, C):
    # a direct call of the shim's address: matmul itself may not be compiled yet (and must not be
    # compiled against a symbol that is about to change)
    call(llvm.address_of_symbol(SYMBOL), A, B, C)


def call(address: int, A: np.ndarray, B: np.ndarray, C: np.ndarray, b_transposed: bool = False,
         beta: float = 0.0) -> None:
    """C = A @ op(B) + beta C through the function at `address` (SYMBOL's signature), from Python:
    the registration's check, and the tests' way to reach each implementation."""
    i, p = ctypes.c_int64, ctypes.c_void_p
    fn = ctypes.CFUNCTYPE(None, i, i, i, p, i, p, i, i, ctypes.c_double, p, i)(address)
    N = B.shape[0] if b_transposed else B.shape[1]
    fn(A.shape[0], N, A.shape[1], A.ctypes.data, A.shape[1], B.ctypes.data, B.shape[1], int(b_transposed), beta,
       C.ctypes.data, C.shape[1])


register()               # before any kernel below links against SYMBOL


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


# ---------------------------------------------------------------- tanh, vectorizable
# libm's tanh (what math.tanh compiles to) is a call per element, 15 ns: the LSTM's 5 n m of them a
# step took 8 ms of an adding-problem update. This one is plain arithmetic that LLVM vectorizes
# (~2 ns, as NumPy's own SIMD tanh), within 3 ulp of NumPy's np.tanh (tests/core/test_kernels.py):
#     tanh |x| = e / (e + 2),  e = expm1(2|x|) = 2^k (expm1(r) + 1) - 1,  2|x| = k ln 2 + r, |r| <= ln2 / 2
# with expm1(r) by its Taylor series to r^15 (error < 1e-17 on that interval), the sign put back
# (tanh(-0) = -0), 1 from |x| >= 19 on (tanh rounds to 1 there) and NaN kept.
_LN2_HI = 6.93147180369123816490e-01     # fdlibm's split of ln 2: k * _LN2_HI is exact for k < 2^20
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
(_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13, _C14, _C15) = (
    1.0 / math.factorial(k) for k in range(2, 16))


@njit(inline="always", **JIT)
def _tanh(x):
    ax = abs(x)
    big = not (ax < 19.0)                 # (NaN too: put back at the end)
    y = 2.0 * (19.0 if big else ax)
    k = int(y * _INV_LN2 + 0.5)           # 0 .. 55
    kf = float(k)
    r = (y - kf * _LN2_HI) - kf * _LN2_LO
    p = _C15 * r + _C14
    p = p * r + _C13
    p = p * r + _C12
    p = p * r + _C11
    p = p * r + _C10
    p = p * r + _C9
    p = p * r + _C8
    p = p * r + _C7
    p = p * r + _C6
    p = p * r + _C5
    p = p * r + _C4
    p = p * r + _C3
    p = p * r + _C2
    em = r + (r * r) * p                  # expm1(r)
    s = float(1 << k)
    e = s * em + (s - 1.0)                # expm1(2|x|)
    t = 1.0 if big else e / (e + 2.0)
    t = math.copysign(t, x)
    return x if x != x else t


@njit(**JIT)
def tanh_into(x, out):
    """out = tanh(x) elementwise by _tanh (flat arrays; for the tests)."""
    for i in range(x.size):
        out[i] = _tanh(x[i])


# ---------------------------------------------------------------- the LSTM over a sequence
@njit(**JIT)
def lstm_forward(W, xp, b, z, a0, c0, gates, c, tc, a):
    """LSTMCell.forward's loop: xp (T, 4n, m) = W_ih x<t> + b_ih, b (4n,) = b_hh; the pre-activations
    z<t> = (xp<t> + b) + W_hh a<t-1> into z (T, 4n, m); gates (T, 4n, m) i f g o, c, tanh c, a (T, n, m).
    The gates as the NumPy code makes them, σ(z) = (tanh(z/2) + 1) / 2 and c̃ = tanh(z) + 0, with
    _tanh (within 3 ulp of np.tanh; the rest in NumPy's order of operations). Loops run along rows
    (a few arrays each, so that LLVM vectorizes them)."""
    T, G, m = z.shape
    n = G // 4
    tmp = np.empty((G, m))
    for t in range(T):
        prev_a = a[t - 1] if t > 0 else a0
        prev_c = c[t - 1] if t > 0 else c0
        matmul(W, prev_a, tmp)
        xt, zt, gt = xp[t], z[t], gates[t]
        for r in range(G):
            xr, zr, tr, gr, br = xt[r], zt[r], tmp[r], gt[r], b[r]
            if r < 2 * n or r >= 3 * n:
                for j in range(m):
                    v = (xr[j] + br) + tr[j]
                    zr[j] = v
                    gr[j] = (_tanh(v * 0.5) + 1.0) * 0.5
            else:
                for j in range(m):
                    v = (xr[j] + br) + tr[j]
                    zr[j] = v
                    gr[j] = _tanh(v) + 0.0
        ct, tct, at = c[t], tc[t], a[t]
        for k in range(n):
            ik, fk, gk, ok, pk, ck, tk, ak = gt[k], gt[n + k], gt[2 * n + k], gt[3 * n + k], prev_c[k], ct[k], tct[k], at[k]
            for j in range(m):
                cc = fk[j] * pk[j]
                cc = cc + ik[j] * gk[j]             # Γf c<t-1> + Γu c̃
                ck[j] = cc
                th = _tanh(cc)
                tk[j] = th
                ak[j] = ok[j] * th


@njit(**JIT)
def lstm_backward(Wt, gates, tc, c, c0, da_ext, carry_a, carry_c, da, dc, dzs):
    """LSTMCell.backward's loop with the slopes made on the way (LSTMCell.slopes' formulas, in their
    order of operations): from t = T-1 down, da<t> = da_ext<t> + W_hh^T dz<t+1>, dc<t> = A da<t> +
    Γf<t+1> dc<t+1>, dz<t> = [P dc<t>; Qo da<t>]; Wt = W_hh^T (n, 4n), C-contiguous, for the product;
    carry_a, carry_c (n, m) hold the gradients arriving at a<T>, c<T> on entry and at a<0>, c<0> on exit."""
    T, G, m = gates.shape
    n = G // 4
    for t in range(T - 1, -1, -1):
        gt, tct, dat, dct, dz = gates[t], tc[t], da[t], dc[t], dzs[t]
        prev_c = c[t - 1] if t > 0 else c0
        ext = da_ext[t]
        for k in range(n):
            ek, ca, cc, dak, dck, ok, thk = ext[k], carry_a[k], carry_c[k], dat[k], dct[k], gt[3 * n + k], tct[k]
            for j in range(m):
                d = ek[j] + ca[j]                     # dL/da<t>
                dak[j] = d
                th = thk[j]
                e = (ok[j] * (1 - th * th)) * d
                e += cc[j]                            # dL/dc<t>
                dck[j] = e
            ik, fk, gk, pk, zi, zf, zg = gt[k], gt[n + k], gt[2 * n + k], prev_c[k], dz[k], dz[n + k], dz[2 * n + k]
            for j in range(m):
                e = dck[j]
                i = ik[j]
                f = fk[j]
                g = gk[j]
                zi[j] = (i * (1 - i) * g) * e
                zf[j] = (f * (1 - f) * pk[j]) * e
                zg[j] = ((1 - g * g) * i) * e
                cc[j] = e * f                         # to c<t-1> through Γf
            zo = dz[3 * n + k]
            for j in range(m):
                o = ok[j]
                zo[j] = (o * (1 - o) * thk[j]) * dak[j]
        matmul(Wt, dz, carry_a)                       # to a<t-1>


# ---------------------------------------------------------------- the GRU over a sequence
@njit(**JIT)
def gru_forward(W, b, xp, pre, gates, hn, a0, a):
    """GRUCell.forward's loop in its order of operations: h<t> = W_hh a<t-1> + b_hh (b (3n,)),
    r, z = σ(x + h) = (tanh((x + h)/2) + 1) / 2, h_n = h<t>[2n:], n = tanh(r h_n + x_n),
    a<t> = (a<t-1> - n) z + n; xp (T, 3n, m) = W_ih x<t> + b_ih; pre, gates (T, 3n, m), hn, a (T, n, m)."""
    T, G, m = xp.shape
    n = G // 3
    hp = np.empty((G, m))
    for t in range(T):
        prev = a[t - 1] if t > 0 else a0
        matmul(W, prev, hp)
        xt, pt, gt, hnt, at = xp[t], pre[t], gates[t], hn[t], a[t]
        for r in range(2 * n):
            xr, hr, pr, gr, br = xt[r], hp[r], pt[r], gt[r], b[r]
            for j in range(m):
                v = xr[j] + (hr[j] + br)
                pr[j] = v
                gr[j] = (_tanh(v * 0.5) + 1.0) * 0.5
        for k in range(n):
            hr, br, rk, zk, xn, pn, gn, hk, ak, pk = (hp[2 * n + k], b[2 * n + k], gt[k], gt[n + k], xt[2 * n + k],
                                                      pt[2 * n + k], gt[2 * n + k], hnt[k], at[k], prev[k])
            for j in range(m):
                h = hr[j] + br
                hk[j] = h
                v = rk[j] * h
                v += xn[j]
                pn[j] = v
                nn = _tanh(v)
                gn[j] = nn
                ak[j] = (pk[j] - nn) * zk[j] + nn


@njit(**JIT)
def gru_backward(Wt, gates, hn, a, a0, da_ext, carry, da, dx, dh):
    """GRUCell.backward's loop with GRUCell.slopes' formulas made on the way, in their order: from
    t = T-1 down, da<t> = da_ext<t> + W_hh^T dh<t+1> + z<t+1> da<t+1>, dh<t> = R da<t>, dx<t> = dh<t>
    but for x_n: sn da<t>; Wt = W_hh^T (n, 3n), C-contiguous; carry (n, m) holds the gradient arriving at
    a<T> on entry and at a<0> on exit."""
    T, G, m = gates.shape
    n = G // 3
    for t in range(T - 1, -1, -1):
        gt, hnt, dat, dxt, dht, ext = gates[t], hn[t], da[t], dx[t], dh[t], da_ext[t]
        prev = a[t - 1] if t > 0 else a0
        for k in range(n):
            ek, ck, dk, rk, zk, nk, hk, pk = ext[k], carry[k], dat[k], gt[k], gt[n + k], gt[2 * n + k], hnt[k], prev[k]
            hr, hz, hnn, xr, xz, xn = dht[k], dht[n + k], dht[2 * n + k], dxt[k], dxt[n + k], dxt[2 * n + k]
            for j in range(m):
                d = ek[j] + ck[j]
                dk[j] = d
                r = rk[j]
                z = zk[j]
                nn = nk[j]
                sn = (1 - z) * (1 - nn * nn)
                vr = (sn * hk[j] * r * (1 - r)) * d
                vz = (z * (1 - z) * (pk[j] - nn)) * d
                hr[j] = vr
                hz[j] = vz
                hnn[j] = (sn * r) * d
                xr[j] = vr
                xz[j] = vz
                xn[j] = sn * d
        matmul(Wt, dht, carry)
        for k in range(n):
            ck, dk, zk = carry[k], dat[k], gt[n + k]
            for j in range(m):
                ck[j] += dk[j] * zk[j]                 # the direct path, times z


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
    """Compile (or load from the cache) every kernel for the types the callers pass (the local
    gains' kernels apart: gain_kernels.warm_up, kernels.load_gains)."""
    r = np.random.default_rng(0)
    x3, x2 = r.random((2, 4, 1)), r.random((4, 1))
    lstm_slopes(r.random((2, 8, 1)), x3.copy(), x3.copy(), x2.copy(), *(np.empty((2, k, 1)) for k in (2, 6, 2, 2)))
    W8 = r.random((8, 2))
    for m in (1, 8):
        s3, s2 = r.random((2, 2, m)), r.random((2, m))
        lstm_forward(W8, r.random((2, 8, m)), r.random(8), np.empty((2, 8, m)), s2, s2.copy(), np.empty((2, 8, m)),
                     s3.copy(), s3.copy(), s3.copy())
        lstm_backward(np.ascontiguousarray(W8.T), r.random((2, 8, m)), s3, s3.copy(), s2, s3.copy(), s2.copy(),
                      s2.copy(), np.empty((2, 2, m)), np.empty((2, 2, m)), np.empty((2, 8, m)))
    W, v2, v1 = r.random((4, 4)), r.random((2, 4)), r.random(4)
    vanilla_backward(W, v2, v2, v1.copy(), np.empty_like(v2), np.empty_like(v2))
    vanilla_back_columns(W, v2, v1.copy(), 1)
    ids_weight_grad(r.random((2, 3, 1)), np.zeros((2, 1), dtype=np.int64), np.zeros((2, 3)))
    W6 = r.random((6, 2))
    for m in (1, 8):
        s3, s2, x6 = r.random((2, 2, m)), r.random((2, m)), r.random((2, 6, m))
        gru_forward(W6, r.random(6), x6, np.empty_like(x6), np.empty_like(x6),
                    np.empty_like(s3), s2, np.empty_like(s3))
        gru_backward(np.ascontiguousarray(W6.T), x6, s3, s3.copy(), s2, s3.copy(), s2.copy(), np.empty_like(s3),
                     np.empty_like(x6), np.empty_like(x6))
    tanh_into(x2.reshape(-1), np.empty(x2.size))
    f = r.random(3)
    adagrad(f.copy(), f, f.copy(), 0.1)
    adam(f.copy(), f, f.copy(), f.copy(), 0.1, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-8)
