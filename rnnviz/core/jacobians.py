"""Step Jacobians J<t> = ds<t>/ds<t-1> of any cell: their norms, and how far gradients reach.

Nothing here knows a cell's formula: a cell provides J v, J^T u and one BPTT step for many columns at
once (cells/base.py), and this module builds on them.

local_gains: ||J<t>||_2 for every step (and batch element) at once, by a batched Lanczos iteration on
J^T J (one J v and one J^T u product per iteration for all steps), to ~1e-13 relative. Once the
compiled kernels are loaded, each iteration's elementwise work (the recurrence, a gated cell's slopes
around its two products) is one pass (kernels/gain_kernels.py: lanczos_step, the gram kernels), the tridiagonal's top eigenvalue is
compiled too and checked every CHECK_COMPILED iterations: at T = 1000, n_a = 128 the gains took
150 / 530 ms (vanilla / LSTM) and take about 45 / 260 (benchmarks/bench_engine.py). The iteration
itself is the floor: ~30 per column, each one or two batched products with W_hh.
influence_maps: ||dL<t>/da<k>|| for every pair (t, k) and every layer-direction, by one backward
sweep per block of targets t, carrying all of them as columns.
"""
from __future__ import annotations

import numpy as np

from . import kernels
from .cells import VanillaCell, unit_first
from .activations import ACTIVATIONS

# influence maps: refuse work above this many multiply-adds or this many steps
INFLUENCE_MAX_FLOPS = 4e9
INFLUENCE_MAX_T = 3000
CHECK_COMPILED = 4       # Ritz values checked every 4 iterations once the kernels are loaded (else 8)
_BUFFER = 4e6            # floats held for the targets carried down through the layers


# ----------------------------------------------------------------------------- local gains
def lanczos_top(apply, n_s: int, cols: int, tol: float = 1e-13, max_iter: int = 400, check: int | None = None,
                q0: np.ndarray | None = None) -> np.ndarray:
    """Top eigenvalue of symmetric PSD operators A_c (one per column c), given `apply(Q, live)` ->
    A Q for an (n_s, k) block Q of the columns `live` (an index array).

    The plain three-term recurrence is enough: losing orthogonality only duplicates converged Ritz
    values, it never moves the top one. Columns stop when the top Ritz value has settled to `tol`."""
    out = np.zeros(cols)
    if cols == 0 or n_s == 0:
        return out
    live = np.arange(cols)
    if q0 is None:
        q0 = np.random.default_rng(12345).standard_normal(n_s)
    q = np.repeat((q0 / np.linalg.norm(q0))[:, None], cols, axis=1)
    q_prev = np.zeros_like(q)
    b_prev = np.zeros(cols)
    alphas, betas = [], []
    theta = np.zeros(cols)
    top = np.zeros(cols)                                    # largest Rayleigh quotient so far (<= the answer)
    fast = kernels.gains_ready()
    if check is None:       # how often the Ritz values are checked: compiled, a check costs little
        check = CHECK_COMPILED if fast is not None else 8
    for j in range(1, max_iter + 1):
        w = apply(q, live)
        if fast is not None:                                # the recurrence in one pass (kernels/gain_kernels.py)
            a, b = np.empty(live.size), np.empty(live.size)
            fast.lanczos_step(q, np.ascontiguousarray(w, dtype=np.float64), q_prev, b_prev, top, a, b)
            q_prev, q = q, q_prev                           # q<j+1> came into q<j-1>'s memory
        else:
            a = np.einsum("ic,ic->c", q, w)
            top = np.maximum(top, a)
            w -= a * q
            w -= b_prev * q_prev
            b = np.sqrt(np.einsum("ic,ic->c", w, w))
            dead = b <= 1e-13 * top                         # invariant Krylov space: the answer is exact
            b = np.where(dead, 0.0, b)
            np.divide(w, np.where(dead, 1.0, b), out=q_prev)   # q<j-1> is spent: its memory takes q<j+1>
            q_prev, q = q, q_prev
            q[:, dead] = 0.0
        over = ~(np.isfinite(a) & np.isfinite(b))
        if over.any():      # ||J||^2 beyond the float range (weights near 1e154 and up): the gain is inf
            out[live[over]] = np.inf
            keep = ~over
            live, theta, q, q_prev, a, b, top = (live[keep], theta[keep], _cols(q, keep), _cols(q_prev, keep),
                                                 a[keep], b[keep], top[keep])
            b_prev = b_prev[keep]
            alphas = [v[keep] for v in alphas]
            betas = [v[keep] for v in betas]
            if live.size == 0:
                break
        alphas.append(a)
        betas.append(b)
        b_prev = b
        if j % check and j != max_iter and j < n_s + 2:
            continue
        new = _tridiag_top(np.array(alphas), np.array(betas[:-1]), theta)
        done = (np.abs(new - theta) <= tol * new) | np.all(np.array(betas[-check:]) == 0, axis=0)
        done |= j == max_iter
        theta = new
        if done.any():
            out[live[done]] = theta[done]
            keep = ~done
            live, theta, q, q_prev, b_prev, top = (live[keep], theta[keep], _cols(q, keep), _cols(q_prev, keep),
                                                   b_prev[keep], top[keep])
            alphas = [v[keep] for v in alphas]
            betas = [v[keep] for v in betas]
        if live.size == 0:
            break
    return out


def _cols(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The columns `keep` (a mask) of x, C-contiguous (x[:, keep] is not: every product and pass over
    it would then stride)."""
    return x.compress(keep, axis=1)


def _tridiag_top(alpha: np.ndarray, beta: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Largest eigenvalue of each symmetric tridiagonal (diagonal alpha (k, c), off-diagonal beta
    (k-1, c)) by bisection on Sturm counts: x is above every eigenvalue iff all pivots of T - xI
    are negative. The bracket starts at [max(alpha, lower), Gershgorin], at most 3x wide, and is
    narrowed to just above `lower` (the previous estimate) when that already bounds the top."""
    k, cols = alpha.shape
    fast = kernels.gains_ready()
    if fast is not None:                                    # the same bisection, column by column, compiled
        out = np.empty(cols)
        fast.tridiag_top(np.ascontiguousarray(alpha, dtype=np.float64), np.ascontiguousarray(beta, dtype=np.float64),
                         np.ascontiguousarray(lower, dtype=np.float64), out)
        return out
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


def cell_gains(cell, p: dict, cache, tol: float = 1e-13, chunk: int = 4096, poll=None, progress=None) -> np.ndarray:
    """||J<t>||_2 for every step and batch element of one segment's cache, processing order: (T, m).

    `poll()`, if given, is called before every product (it raises to stop: a newer request came);
    `progress(done, total)` after each chunk of columns (steps x batch)."""
    jd = cell.jac_data(cache)                                   # arrays (n, T, m)
    T, m = cache.T, cache.states["a"].shape[2]
    n_s = cell.state_size(cache.states["a"].shape[1])
    cols = T * m
    if cols == 0:
        return np.zeros((T, m))
    flat = {k: v.reshape(v.shape[0], cols) for k, v in jd.items()}
    finite = np.ones(cols, dtype=bool)
    for v in flat.values():
        finite &= np.all(np.isfinite(v), axis=0)
    flat = {k: np.where(finite[None], v, 0.0) for k, v in flat.items()}
    gains = np.empty(cols)
    gram = cell.gram(p)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for c0 in range(0, cols, chunk):
            part = {k: v[:, c0:c0 + chunk] for k, v in flat.items()}
            sliced = {}

            def apply(q, live, part=part, sliced=sliced):
                if poll is not None:
                    poll()
                key = (live.size, int(live[0]), int(live[-1]))
                if sliced.get("key") != key:
                    sliced["key"], sliced["g"] = key, {k: np.take(v, live, axis=1) for k, v in part.items()}
                g = sliced["g"]
                return gram(g, q) if gram is not None else cell.vjp(p, g, cell.jvp(p, g, q))

            n_cols = next(iter(part.values())).shape[1]
            gains[c0:c0 + n_cols] = np.sqrt(np.maximum(lanczos_top(apply, n_s, n_cols, tol), 0.0))
            if progress is not None:
                progress(c0 + n_cols, cols)
    gains[~finite] = np.nan
    return gains.reshape(T, m)


def local_gains(Waa: np.ndarray, gprime: np.ndarray, tol: float = 1e-13, chunk: int = 4096,
                max_iter: int = 400) -> np.ndarray:
    """||diag(g'(z<t>)) Waa||_2 for every (t, batch element): gprime (T, n_a, m) -> (T, m).
    (The vanilla cell's gains from its g'(z) alone, as the earlier engine computed them.)"""
    from .cells.base import CellCache

    cell = VanillaCell("tanh")
    T, n_a, m = gprime.shape
    cache = CellCache({"a": np.zeros((T, n_a, m))}, {}, {}, (np.zeros((n_a, m)),), {"gprime": gprime})
    return cell_gains(cell, {"W_hh": np.ascontiguousarray(Waa)}, cache, tol, chunk)


def run_gains(cell, run, poll=None, progress=None) -> np.ndarray:
    """(T, m) local gains of a model.LayerRun, natural time order (poll, progress: as cell_gains; the
    progress counts columns over the run's segments)."""
    parts, done = [], 0
    for p, c in zip(run.params, run.caches):
        report = None if progress is None else (lambda k, _n, base=done: progress(base + k))
        parts.append(cell_gains(cell, p, c, poll=poll, progress=report))
        done += c.T * c.states["a"].shape[2]
    return run.natural(parts)


# ----------------------------------------------------------------------------- influence
def influence_cost(T: int, n_a: int, m: int, layer_dirs: int = 1, gates: int = 1) -> float:
    return 0.5 * n_a * n_a * gates * T * T * m * layer_dirs


def influence_too_big(T: int, n_a: int, m: int, layer_dirs: int = 1, gates: int = 1) -> str | None:
    """None when the influence maps can be computed, else a message saying why not."""
    if T > INFLUENCE_MAX_T:
        return (f"the influence map is limited to {INFLUENCE_MAX_T} steps "
                f"(this sequence has {T}); shorten the sequence to see it")
    cost = influence_cost(T, n_a, m, layer_dirs, gates)
    if cost > INFLUENCE_MAX_FLOPS:
        return (f"the influence map for T = {T}, n_a = {n_a}" + (f" x {layer_dirs} layer-directions" if layer_dirs > 1 else "")
                + f" would take {cost:.1e} multiply-adds (limit {INFLUENCE_MAX_FLOPS:.0e}); use fewer steps or hidden units")
    return None


def influence_maps(model, cache, dlogits: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """M[(l, d)][t, k] = ||dL<t>/da<k>||_F of layer l, direction d (NaN where L<t> can't reach).

    dlogits (T, n_y, m) holds each step's own loss gradient dL<t>/dlogits<t>. For a block of targets
    t, every layer-direction is swept once with the block as columns: going back one step applies
    J^T to all of them at once, and what reaches a layer's input goes down to the layer below."""
    spec, cell = model.spec, model.cell
    T, n_a, m = cache.logits.shape[0], spec.n_a, cache.logits.shape[2]
    d_top = np.einsum("yo,tym->tom", np.asarray(model.params["Wya"]), dlogits)   # (T, dirs n_a, m)
    maps = {ld: np.full((T, T), np.nan) for ld in spec.layer_dirs()}
    one_way = spec.dirs == 1
    n_in_max = max(spec.n_in(l) for l in range(1, spec.layers)) if spec.layers > 1 else 1
    C = T if spec.layers == 1 else int(max(1, min(T, _BUFFER // max(1, T * n_in_max * m))))
    n_s = cell.state_size(n_a)
    with np.errstate(over="ignore", invalid="ignore"):
        for c0 in range(0, T, C):
            c1 = min(T, c0 + C)
            E = None                                    # (T, n_out, C', m) reaching the current layer
            for l in range(spec.layers - 1, -1, -1):
                below = np.zeros((T, spec.n_in(l), c1 - c0, m)) if l > 0 else None
                for d in range(spec.dirs):
                    run = cache.run(l, d)
                    M = maps[(l, d)]
                    steps = range(c1 - 1, -1, -1) if one_way else (range(T - 1, -1, -1) if d == 0 else range(T))
                    carry = np.zeros((n_s, c1 - c0, m))
                    for k in steps:
                        seg, j = _locate(run, k)
                        lo = max(0, k - c0) if one_way else 0   # one way: L<t> reaches a<k> only for t >= k
                        u = carry[:, lo:]
                        if E is None:                   # top layer: L<k> enters at step k only
                            if c0 <= k < c1:
                                u[:n_a, k - c0 - lo] += d_top[k, d * n_a:(d + 1) * n_a]
                        else:
                            u[:n_a] += E[k, d * n_a:(d + 1) * n_a, lo:]
                        M[c0 + lo:c1, k] = np.sqrt(np.einsum("icm,icm->c", u[:n_a], u[:n_a]))
                        p = run.params[seg]
                        back, dxp = cell.step_back(p, cell.jac_data(run.caches[seg], j), u)
                        carry[:, lo:] = back
                        if below is not None:
                            below[k, :, lo:] += _wmul_cols(p["W_ih"].T, dxp)
                E = below
    if not one_way:           # the top layer's forward direction can't reach later losses, nor ← earlier ones
        t, k = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
        top = spec.layers - 1
        maps[(top, 0)][k > t] = np.nan
        maps[(top, 1)][k < t] = np.nan
    return maps


def _wmul_cols(W: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (W @ v.reshape(v.shape[0], -1)).reshape((W.shape[0],) + v.shape[1:])


def _locate(run, k: int) -> tuple[int, int]:
    """(segment, processing index within its cache) of natural step k."""
    for s, (a, b) in enumerate(run.bounds):
        if a <= k < b:
            return s, ((b - 1 - k) if run.direction else (k - a))
    raise IndexError(k)


def influence_matrix(Waa: np.ndarray, gprime: np.ndarray, da_direct: np.ndarray) -> np.ndarray:
    """The one-layer vanilla RNN's map from g'(z) (T, n_a, m) and dL<t>/da<t> through ŷ<t> (T, n_a, m):
    M[t, k] = ||dL<t>/da<k>||_F for k <= t (NaN above the diagonal)."""
    T, n_a, m = gprime.shape
    msg = influence_too_big(T, n_a, m)
    if msg:
        raise ValueError(msg)
    cell = VanillaCell("tanh")
    M = np.full((T, T), np.nan)
    G = np.zeros((n_a, T, m))
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(T - 1, -1, -1):
            G[:, k, :] = da_direct[k]
            M[k:, k] = np.sqrt(np.einsum("itm,itm->t", G[:, k:], G[:, k:]))
            if k > 0:
                G[:, k:] = cell.vjp({"W_hh": Waa}, {"gprime": unit_first(gprime, k)}, G[:, k:])
    return M


__all__ = ["ACTIVATIONS", "INFLUENCE_MAX_FLOPS", "INFLUENCE_MAX_T", "cell_gains", "influence_cost",
           "influence_maps", "influence_matrix", "influence_too_big", "lanczos_top", "local_gains", "run_gains"]
