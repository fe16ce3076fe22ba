"""Step Jacobians J<t> = da<t>/da<t-1> = diag(g'(z<t>)) Waa: their norms, and how far gradients reach.

local_gains: ||J<t>||_2 for every step (and batch element) at once, by a batched Lanczos iteration on
J^T J = Waa^T diag(g'^2) Waa (one matrix product per iteration for all steps), exact for n_a <= 40.
influence_matrix: ||dL<t>/da<k>|| for all k <= t with one matrix product per k.
"""
from __future__ import annotations

import numpy as np

# influence matrix: refuse work above this many multiply-adds (n_a^2 T^2 m / 2) or this many steps
INFLUENCE_MAX_FLOPS = 4e9
INFLUENCE_MAX_T = 3000


def local_gains(Waa: np.ndarray, gprime: np.ndarray, k: int = 40) -> np.ndarray:
    """||diag(g'(z<t>)) Waa||_2 for every (t, batch element): gprime (T, n_a, m) -> (T, m)."""
    T, n_a, m = gprime.shape
    if T == 0 or n_a == 0:
        return np.zeros((T, m))
    D2 = (gprime * gprime).transpose(1, 0, 2).reshape(n_a, T * m)   # (n_a, cols) diag entries squared
    finite = np.all(np.isfinite(D2), axis=0)
    D2 = np.where(finite[None, :], D2, 0.0)
    cols = T * m
    k = min(k, n_a)
    WaaT = Waa.T

    def apply(v):  # (J^T J) v for every column at once
        return WaaT @ (D2 * (Waa @ v))

    rng = np.random.default_rng(12345)
    q = rng.standard_normal((n_a, 1)) + np.zeros((1, cols))
    q /= np.linalg.norm(q, axis=0, keepdims=True)
    Q = np.zeros((k, n_a, cols))
    alpha = np.zeros((k, cols))
    beta = np.zeros((k, cols))
    scale = np.maximum(np.sum(Waa * Waa) * D2.max(axis=0, initial=0.0), 1e-300)
    with np.errstate(over="ignore", invalid="ignore"):
        for j in range(k):
            Q[j] = q
            w = apply(q)
            alpha[j] = np.einsum("ic,ic->c", q, w)
            # full reorthogonalisation against all earlier vectors (twice is enough)
            for _ in range(2):
                coef = np.einsum("jic,ic->jc", Q[: j + 1], w)
                w -= np.einsum("jic,jc->ic", Q[: j + 1], coef)
            b = np.linalg.norm(w, axis=0)
            beta[j] = b
            dead = b <= 1e-13 * scale  # the Krylov space is invariant: stop growing this column
            q = np.where(dead[None, :], 0.0, w / np.where(dead, 1.0, b)[None, :])
            beta[j] = np.where(dead, 0.0, b)
    # top eigenvalue of each column's k x k tridiagonal matrix
    Tm = np.zeros((cols, k, k))
    idx = np.arange(k)
    Tm[:, idx, idx] = alpha.T
    Tm[:, idx[:-1], idx[1:]] = beta[:-1].T
    Tm[:, idx[1:], idx[:-1]] = beta[:-1].T
    lam = np.linalg.eigvalsh(Tm)[:, -1]
    gains = np.sqrt(np.maximum(lam, 0.0))
    gains[~finite] = np.nan
    return gains.reshape(T, m)


def influence_cost(T: int, n_a: int, m: int) -> float:
    return 0.5 * n_a * n_a * T * T * m


def influence_too_big(T: int, n_a: int, m: int) -> str | None:
    """None when the influence matrix can be computed, else a message saying why not."""
    if T > INFLUENCE_MAX_T:
        return (f"the influence map is limited to {INFLUENCE_MAX_T} steps "
                f"(this sequence has {T}); shorten the sequence to see it")
    if influence_cost(T, n_a, m) > INFLUENCE_MAX_FLOPS:
        return (f"the influence map for T = {T}, n_a = {n_a} would take "
                f"{influence_cost(T, n_a, m):.1e} multiply-adds (limit {INFLUENCE_MAX_FLOPS:.0e}); "
                "use fewer steps or hidden units")
    return None


def influence_matrix(Waa: np.ndarray, gprime: np.ndarray, da_direct: np.ndarray) -> np.ndarray:
    """M[t, k] = ||dL<t>/da<k>||_F for k <= t (NaN above the diagonal). Shapes (T, n_a, m) in.

    Going back from step k to k-1 multiplies every column t >= k by J<k>^T at once:
    G[:, t] <- Waa^T (g'(z<k>) * G[:, t]), one (n_a x n_a) @ (n_a x (T-k) m) product per k.
    """
    T, n_a, m = gprime.shape
    msg = influence_too_big(T, n_a, m)
    if msg:
        raise ValueError(msg)
    M = np.full((T, T), np.nan)
    G = np.zeros((n_a, T, m))  # column t holds dL<t>/da<k> for the current k
    WaaT = np.ascontiguousarray(Waa.T)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(T - 1, -1, -1):
            G[:, k, :] = da_direct[k]                        # L<k> reaches a<k> through ŷ<k>
            block = G[:, k:, :]
            M[k:, k] = np.sqrt(np.einsum("itm,itm->t", block, block))
            if k > 0:
                block *= gprime[k][:, None, :]               # through g at step k
                G[:, k:, :] = (WaaT @ block.reshape(n_a, -1)).reshape(n_a, T - k, m)  # then Waa^T
    return M
