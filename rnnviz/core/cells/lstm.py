"""The LSTM cell, in PyTorch's gate order (i, f, g, o) with the course's names alongside:

    Γu = i = σ(z_i)   update (input) gate        c̃<t> = g = tanh(z_g)   candidate
    Γf = f = σ(z_f)   forget gate                Γo = o = σ(z_o)       output gate
    c<t> = Γf ⊙ c<t-1> + Γu ⊙ c̃<t>,    a<t> = Γo ⊙ tanh(c<t>)
    z<t> = W_ih x<t> + b_ih + W_hh a<t-1> + b_hh  (4 n_a rows: i, f, g, o)

The course writes the same with Wf, Wi, Wc, Wo acting on [a<t-1>; x<t>]; compat.py converts.
The state is s<t> = [a<t>; c<t>]: gradients flow back through both, and the step Jacobian is
(2 n_a x 2 n_a). The forget gate's bias starts at `forget_bias` (1 by default), so that c<t> is kept.
"""
from __future__ import annotations

import numpy as np

from .. import kernels
from ..activations import sigmoid
from .base import Cell, CellCache, CellGrads, _zero_carry, unit_first, wmul


def _sig(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """σ(z) = (1 + tanh(z/2)) / 2 in place: no overflow for large |z|, two ufuncs."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


class LSTMCell(Cell):
    name = "lstm"
    n_gates = 4
    state_names = ("a", "c")
    gate_names = ("i", "f", "g", "o")
    gate_titles = {
        "i": ("Γu", "update (input) gate: how much of c̃ is written"),
        "f": ("Γf", "forget gate: how much of c<t-1> is kept"),
        "g": ("c̃", "candidate value"),
        "o": ("Γo", "output gate: how much of tanh(c) is shown as a"),
    }

    def init_biases(self, n_a: int, forget_bias: float):
        b_ih, b_hh = super().init_biases(n_a, forget_bias)
        b_ih[n_a:2 * n_a] = forget_bias     # Γf starts near σ(forget_bias): keep the cell state
        return b_ih, b_hh

    def forward(self, p: dict, xproj: np.ndarray, s0: tuple) -> CellCache:
        W = p["W_hh"]
        a0, c0 = (np.asarray(s, dtype=np.float64) for s in s0)
        T, G, m = xproj.shape
        n = G // 4
        fast = kernels.sequence_kernels(n, m)
        if fast is not None:                     # the same loop compiled (kernels/compiled.py)
            return self._forward_compiled(fast, p, xproj, a0, c0)
        with np.errstate(over="ignore", invalid="ignore"):
            z = xproj + p["b_hh"][None]          # (T, 4n, m) input part of every step, + b_hh
            gates = np.empty_like(z)             # i, f, g, o after their nonlinearity
            c = np.empty((T, n, m))
            tc = np.empty((T, n, m))             # tanh(c<t>)
            a = np.empty((T, n, m))
            tmp = np.empty((G, m))
            ig = np.empty((n, m))
            # σ(z) = (1 + tanh(z/2)) / 2 for Γu, Γf, Γo and c̃ = tanh(z) in the same three calls:
            # rows i f o are halved, tanh'd, +1 and halved; rows g are x1, tanh'd, +0 and x1 (exact)
            half = np.full((G, 1), 0.5)
            half[2 * n:3 * n] = 1.0
            one = np.ones((G, 1))
            one[2 * n:3 * n] = 0.0
            prev_a, prev_c = a0, c0
            dot, add, mul, tanh = np.dot, np.add, np.multiply, np.tanh
            gi, gf, gg, go = (gates[:, k * n:(k + 1) * n] for k in range(4))
            for zt, gt, it, ft, gtt, ot, ct, tct, at in zip(z, gates, gi, gf, gg, go, c, tc, a):
                dot(W, prev_a, out=tmp)
                add(zt, tmp, out=zt)             # z<t> = W_ih x + b_ih + W_hh a<t-1> + b_hh
                mul(zt, half, out=gt)
                tanh(gt, out=gt)
                add(gt, one, out=gt)
                mul(gt, half, out=gt)
                mul(ft, prev_c, out=ct)          # Γf ⊙ c<t-1>
                mul(it, gtt, out=ig)
                add(ct, ig, out=ct)              # + Γu ⊙ c̃<t>
                tanh(ct, out=tct)
                mul(ot, tct, out=at)             # a<t> = Γo ⊙ tanh(c<t>)
                prev_a, prev_c = at, ct
        names = self.gate_names
        gd = {k: gates[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        pre = {k: z[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        return CellCache({"a": a, "c": c}, gd, pre, (a0, c0), {"tanh_c": tc, "gates": gates})

    def _forward_compiled(self, fast, p: dict, xproj: np.ndarray, a0: np.ndarray, c0: np.ndarray) -> CellCache:
        T, G, m = xproj.shape
        n = G // 4
        f64 = np.float64
        W = np.ascontiguousarray(p["W_hh"], dtype=f64)
        z, gates = np.empty((T, G, m)), np.empty((T, G, m))
        c, tc, a = np.empty((T, n, m)), np.empty((T, n, m)), np.empty((T, n, m))
        fast.lstm_forward(W, np.ascontiguousarray(xproj, dtype=f64),
                          np.ascontiguousarray(np.reshape(p["b_hh"], -1), dtype=f64), z,
                          np.ascontiguousarray(a0), np.ascontiguousarray(c0), gates, c, tc, a)
        names = self.gate_names
        gd = {k: gates[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        pre = {k: z[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        return CellCache({"a": a, "c": c}, gd, pre, (a0, c0), {"tanh_c": tc, "gates": gates})

    @staticmethod
    def slopes(cache: CellCache) -> dict:
        """The local derivatives BPTT multiplies by, for every step at once (T, ., m), made once per
        cache: A = Γo tanh'(c) (dc<t> -> da<t>), P = [Γu' c̃; Γf' c<t-1>; c̃' Γu] (dc -> dz of i, f, g)
        and Qo = Γo' tanh(c) (da -> dz of o), where ' is the gate's slope."""
        sl = cache.extra.get("slopes")
        fast = kernels.ready() if sl is None and cache.prev_states is None else None
        if fast is not None:
            G = np.ascontiguousarray(cache.extra["gates"], dtype=np.float64)
            T, G4, m = G.shape
            n = G4 // 4
            sl = {"A": np.empty((T, n, m)), "P": np.empty((T, 3 * n, m)), "Qo": np.empty((T, n, m)),
                  "f": np.empty((T, n, m))}
            c = np.ascontiguousarray(cache.states["c"], dtype=np.float64)
            fast.lstm_slopes(G, np.ascontiguousarray(cache.extra["tanh_c"], dtype=np.float64), c,
                             np.ascontiguousarray(cache.s0[1], dtype=np.float64), sl["A"], sl["P"], sl["Qo"], sl["f"])
            cache.extra["slopes"] = sl
        elif sl is None:
            G, tc = cache.extra["gates"], cache.extra["tanh_c"]
            n = G.shape[1] // 4
            i, f, g, o = G[:, :n], G[:, n:2 * n], G[:, 2 * n:3 * n], G[:, 3 * n:]
            with np.errstate(over="ignore", invalid="ignore"):
                P = np.concatenate([i * (1 - i) * g, f * (1 - f) * cache.prev("c"), (1 - g * g) * i], axis=1)
                sl = {"A": o * (1 - tc * tc), "P": P, "Qo": o * (1 - o) * tc, "f": np.ascontiguousarray(f)}
            cache.extra["slopes"] = sl
        return sl

    def backward(self, p: dict, cache: CellCache, da_ext: np.ndarray, ds_final=None) -> CellGrads:
        n, m = cache.states["a"].shape[1:]
        fast = kernels.sequence_kernels(n, m) if cache.prev_states is None else None
        if fast is not None:                     # the same loop compiled, the slopes made on the way
            return self._backward_compiled(fast, p, cache, da_ext, ds_final)
        sl = self.slopes(cache)
        A, P, Qo, F = sl["A"], sl["P"], sl["Qo"], sl["f"]
        T, G3, m = P.shape
        n = G3 // 3
        WT = np.ascontiguousarray(p["W_hh"].T)
        da = np.empty((T, n, m))
        dc = np.empty((T, n, m))
        dzs = np.empty((T, 4 * n, m))
        carry_a, carry_c = _zero_carry(cache.s0, ds_final)
        add, mul, dot = np.add, np.multiply, np.dot
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(T - 1, -1, -1):
                dat, dct, dz = da[t], dc[t], dzs[t]
                add(da_ext[t], carry_a, out=dat)                 # dL/da<t>: from above plus from a<t+1>
                mul(A[t], dat, out=dct)
                dct += carry_c                                   # dL/dc<t>: through a<t>, and from c<t+1>
                mul(P[t].reshape(3, n, m), dct, out=dz[:3 * n].reshape(3, n, m))   # dz of Γu, Γf, c̃
                mul(Qo[t], dat, out=dz[3 * n:])                  # dz of Γo
                carry_a = dot(WT, dz)                            # to a<t-1>
                carry_c = dct * F[t]                             # to c<t-1> through Γf
        return CellGrads({"a": da, "c": dc}, dzs, dzs, (carry_a, carry_c))

    def _backward_compiled(self, fast, p: dict, cache: CellCache, da_ext: np.ndarray, ds_final) -> CellGrads:
        f64 = np.float64
        gates = np.ascontiguousarray(cache.extra["gates"], dtype=f64)
        T, G, m = gates.shape
        n = G // 4
        W = np.ascontiguousarray(p["W_hh"], dtype=f64)
        carry_a, carry_c = (np.ascontiguousarray(v) for v in _zero_carry(cache.s0, ds_final))
        da, dc, dzs = np.empty((T, n, m)), np.empty((T, n, m)), np.empty((T, G, m))
        fast.lstm_backward(np.ascontiguousarray(W.T), gates, np.ascontiguousarray(cache.extra["tanh_c"], dtype=f64),
                           np.ascontiguousarray(cache.states["c"], dtype=f64), np.ascontiguousarray(cache.s0[1], dtype=f64),
                           np.ascontiguousarray(da_ext, dtype=f64), carry_a, carry_c, da, dc, dzs)
        return CellGrads({"a": da, "c": dc}, dzs, dzs, (carry_a, carry_c))

    # ---- step Jacobian of s = [a; c]: the same slopes, unit-first
    def jac_data(self, cache: CellCache, t: int | None = None) -> dict:
        sl = self.slopes(cache)
        n = sl["A"].shape[1]
        P = unit_first(sl["P"], t)
        return {"f": unit_first(sl["f"], t), "A": unit_first(sl["A"], t), "Pi": P[:n], "Pf": P[n:2 * n],
                "Pg": P[2 * n:], "Qo": unit_first(sl["Qo"], t)}

    def jvp(self, p: dict, g: dict, v: np.ndarray) -> np.ndarray:
        n = v.shape[0] // 2
        dz = wmul(p["W_hh"], v[:n])                                     # (4n, ...)
        out = np.empty(v.shape)
        dc = out[n:]
        np.multiply(g["f"], v[n:], out=dc)                              # Γf ⊙ dc<t-1>
        dc += g["Pi"] * dz[:n]
        dc += g["Pf"] * dz[n:2 * n]
        dc += g["Pg"] * dz[2 * n:3 * n]
        np.multiply(g["A"], dc, out=out[:n])
        out[:n] += g["Qo"] * dz[3 * n:]
        return out

    def gram(self, p: dict):
        """J^T J q with its elementwise part in one compiled pass (kernels/gain_kernels.py) once the
        kernels are loaded; None before (the gains then use vjp(jvp(q)), the reference)."""
        parts = self._compiled_gram(p)
        if parts is None:
            return None
        fast, W, WT, buffers = parts

        def apply(g: dict, q: np.ndarray) -> np.ndarray:
            q = np.ascontiguousarray(q, dtype=np.float64)
            n, cols = q.shape[0] // 2, q.shape[1]
            dz, dz2, out = buffers((4 * n, cols), (4 * n, cols), (2 * n, cols))
            np.matmul(W, q[:n], out=dz)
            c = np.ascontiguousarray
            fast.lstm_gram_mid(dz, q[n:], c(g["f"]), c(g["A"]), c(g["Pi"]), c(g["Pf"]), c(g["Pg"]), c(g["Qo"]),
                               dz2, out[n:])
            np.matmul(WT, dz2, out=out[:n])
            return out
        return apply

    def step_back(self, p: dict, g: dict, u: np.ndarray):
        n = u.shape[0] // 2
        dc = g["A"] * u[:n]
        dc += u[n:]                                                     # dL/dc<t> in total
        dz = np.empty((4 * n,) + u.shape[1:])
        np.multiply(g["Pi"], dc, out=dz[:n])
        np.multiply(g["Pf"], dc, out=dz[n:2 * n])
        np.multiply(g["Pg"], dc, out=dz[2 * n:3 * n])
        np.multiply(g["Qo"], u[:n], out=dz[3 * n:])
        back = np.empty(u.shape)
        back[:n] = wmul(p["W_hh"].T, dz)
        np.multiply(dc, g["f"], out=back[n:])
        return back, dz


__all__ = ["LSTMCell", "sigmoid"]
