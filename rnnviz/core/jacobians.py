"""Step Jacobians J<t> = da<t>/da<t-1> = diag(g'(z<t>)) Waa: their norms, and how far gradients reach.

local_gains: ||J<t>||_2 for every step (and batch element) at once, by a batched Lanczos iteration on
J^T J = Waa^T diag(g'^2) Waa (one matrix product per iteration for all steps), to ~1e-14 relative.
influence_matrix: ||dL<t>/da<k>|| for all k <= t with one matrix product per k.
"""
from __future__ import annotations

import numpy as np

# influence matrix: refuse work above this many multiply-adds (n_a^2 T^2 m / 2) or this many steps
INFLUENCE_MAX_FLOPS = 4e9
INFLUENCE_MAX_T = 3000


def local_gains(Waa: np.ndarray, gprime: np.ndarray, tol: float = 1e-14, chunk: int = 4096,
                max_iter: int = 400) -> np.ndarray:
    """||diag(g'(z<t>)) Waa||_2 for every (t, batch element): gprime (T, n_a, m) -> (T, m).

    ||D Waa||_2^2 is the top eigenvalue of J^T J = Waa^T D^2 Waa. Lanczos finds it for every column
    (step, batch element) at once, one pair of (n_a x n_a) @ (n_a x columns) products per iteration.
    The plain three-term recurrence is enough: losing orthogonality only duplicates converged Ritz
    values, it never moves the top one. Columns stop when the top Ritz value has settled to `tol`
    (relative); columns are processed in chunks so memory stays ~ 4 n_a x chunk floats.
    """
    T, n_a, m = gprime.shape
    if T == 0 or n_a == 0:
        return np.zeros((T, m))
    D2 = (gprime * gprime).transpose(1, 0, 2).reshape(n_a, T * m)   # (n_a, cols) diag entries squared
    finite = np.all(np.isfinite(D2), axis=0)
    D2 = np.where(finite[None, :], D2, 0.0)
    lam = np.empty(T * m)
    Waa = np.ascontiguousarray(Waa)
    WaaT = np.ascontiguousarray(Waa.T)
    q0 = np.random.default_rng(12345).standard_normal(n_a)
    q0 /= np.linalg.norm(q0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for c0 in range(0, T * m, chunk):
            lam[c0:c0 + chunk] = _lanczos_top(Waa, WaaT, D2[:, c0:c0 + chunk], q0, tol, max_iter)
    gains = np.sqrt(np.maximum(lam, 0.0))
    gains[~finite] = np.nan
    return gains.reshape(T, m)


def _lanczos_top(Waa, WaaT, D2, q0, tol, max_iter, check=8):
    """Top eigenvalue of Waa^T diag(D2[:, c]) Waa for every column c."""
    n_a, cols = D2.shape
    out = np.zeros(cols)
    live = np.arange(cols)                                   # columns still iterating
    q = np.repeat(q0[:, None], cols, axis=1)
    q_prev = np.zeros_like(q)
    b_prev = np.zeros(cols)
    alphas, betas = [], []
    theta = np.zeros(cols)
    scale = np.sum(Waa * Waa) * D2.max(axis=0, initial=0.0)  # >= the eigenvalue: for breakdown tests
    for j in range(1, max_iter + 1):
        w = WaaT @ (D2 * (Waa @ q))                          # (J^T J) q for every column
        a = np.einsum("ic,ic->c", q, w)
        w -= a * q
        w -= b_prev * q_prev
        b = np.sqrt(np.einsum("ic,ic->c", w, w))
        dead = b <= 1e-13 * scale                            # invariant Krylov space: the answer is exact
        b = np.where(dead, 0.0, b)
        q_prev, q = q, w / np.where(dead, 1.0, b)
        q[:, dead] = 0.0
        alphas.append(a)
        betas.append(b)
        b_prev = b
        if j % check and j != max_iter and j < n_a + 2:
            continue
        new = _tridiag_top(np.array(alphas), np.array(betas[:-1]), theta)
        done = (np.abs(new - theta) <= tol * new) | np.all(np.array(betas[-check:]) == 0, axis=0)
        done |= j == max_iter
        theta = new
        if done.any():
            out[live[done]] = theta[done]
            keep = ~done
            live, theta, q, q_prev, b_prev, D2, scale = (
                live[keep], theta[keep], q[:, keep], q_prev[:, keep], b_prev[keep], D2[:, keep], scale[keep])
            alphas = [v[keep] for v in alphas]
            betas = [v[keep] for v in betas]
        if live.size == 0:
            break
    return out


def _tridiag_top(alpha: np.ndarray, beta: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Largest eigenvalue of each symmetric tridiagonal (diagonal alpha (k, c), off-diagonal beta
    (k-1, c)) by bisection on Sturm counts: x is above every eigenvalue iff all pivots of T - xI
    are negative. The bracket starts at [max(alpha, lower), Gershgorin], at most 3x wide, and is
    narrowed to just above `lower` (the previous estimate) when that already bounds the top."""
    k, cols = alpha.shape
    # few or small matrices: LAPACK on the dense matrices beats the Python-level bisection
    if 0.8 * k * k <= 330 or cols * (0.8 * k * k - 330) <= 330000:
        Tm = np.zeros((cols, k, k))
        idx = np.arange(k)
        Tm[:, idx, idx] = alpha.T
        Tm[:, idx[:-1], idx[1:]] = beta.T
        Tm[:, idx[1:], idx[:-1]] = beta.T
        return np.linalg.eigvalsh(Tm)[:, -1]
    ab = np.abs(beta)
    radius = np.zeros_like(alpha)
    radius[:-1] += ab
    radius[1:] += ab
    hi = np.max(alpha + radius, axis=0)
    lo = np.maximum(np.max(alpha, axis=0), np.minimum(lower, hi))
    b2 = beta * beta

    def above(x):  # True where x exceeds every eigenvalue
        d = alpha[0] - x
        ok = d < 0
        for i in range(1, k):
            d = alpha[i] - x - b2[i - 1] / np.where(d == 0, -1e-300, d)
            ok &= d < 0
        return ok

    guess = lo * (1 + 1e-9) + 1e-300
    hi = np.where(above(guess) & (guess < hi), guess, hi)
    for _ in range(60):
        if np.all(hi - lo <= 2e-16 * hi):
            break
        x = 0.5 * (lo + hi)
        up = above(x)
        hi = np.where(up, x, hi)
        lo = np.where(up, lo, x)
    return hi


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
