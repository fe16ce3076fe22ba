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
        with np.errstate(over="ignore", invalid="ignore"):
            z = xproj + p["b_hh"][None]          # (T, 4n, m) input part of every step, + b_hh
            gates = np.empty_like(z)             # i, f, g, o after their nonlinearity
            c = np.empty((T, n, m))
            tc = np.empty((T, n, m))             # tanh(c<t>)
            a = np.empty((T, n, m))
            tmp = np.empty((G, m))
            prev_a, prev_c = a0, c0
            dot, add, mul, tanh = np.dot, np.add, np.multiply, np.tanh
            for zt, gt, ct, tct, at in zip(z, gates, c, tc, a):
                dot(W, prev_a, out=tmp)
                add(zt, tmp, out=zt)             # z<t> = W_ih x + b_ih + W_hh a<t-1> + b_hh
                _sig(zt, gt)                     # σ of all four (g is redone with tanh below)
                tanh(zt[2 * n:3 * n], out=gt[2 * n:3 * n])
                mul(gt[n:2 * n], prev_c, out=ct)             # Γf ⊙ c<t-1>
                ct += gt[:n] * gt[2 * n:3 * n]               # + Γu ⊙ c̃<t>
                tanh(ct, out=tct)
                mul(gt[3 * n:], tct, out=at)                 # a<t> = Γo ⊙ tanh(c<t>)
                prev_a, prev_c = at, ct
        names = self.gate_names
        gd = {k: gates[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        pre = {k: z[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        return CellCache({"a": a, "c": c}, gd, pre, (a0, c0), {"tanh_c": tc, "gates": gates})

    def backward(self, p: dict, cache: CellCache, da_ext: np.ndarray, ds_final=None) -> CellGrads:
        gates, tc = cache.extra["gates"], cache.extra["tanh_c"]
        T, G, m = gates.shape
        n = G // 4
        c_prev = cache.prev("c")
        WT = np.ascontiguousarray(p["W_hh"].T)
        da = np.empty((T, n, m))
        dc = np.empty((T, n, m))
        dzs = np.empty((T, G, m))
        carry_a, carry_c = _zero_carry(cache.s0, ds_final)
        tmp = np.empty((n, m))
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(T - 1, -1, -1):
                g, dz, dat, dct = gates[t], dzs[t], da[t], dc[t]
                i, f, gg, o = g[:n], g[n:2 * n], g[2 * n:3 * n], g[3 * n:]
                np.add(da_ext[t], carry_a, out=dat)          # dL/da<t>: from above plus from a<t+1>
                # dL/dc<t> = from c<t+1> (through Γf) + da<t> Γo tanh'(c<t>)
                np.multiply(tc[t], tc[t], out=tmp)
                np.subtract(1.0, tmp, out=tmp)
                tmp *= o
                tmp *= dat
                np.add(carry_c, tmp, out=dct)
                # pre-activation gradients of the four gates
                dz[3 * n:] = dat * tc[t] * o * (1.0 - o)                 # Γo
                dz[:n] = dct * gg * i * (1.0 - i)                        # Γu
                dz[n:2 * n] = dct * c_prev[t] * f * (1.0 - f)            # Γf
                dz[2 * n:3 * n] = dct * i * (1.0 - gg * gg)              # c̃
                carry_a = WT @ dz                                        # to a<t-1>
                carry_c = dct * f                                        # to c<t-1>
        return CellGrads({"a": da, "c": dc}, dzs, dzs, (carry_a, carry_c))

    # ---- step Jacobian of s = [a; c]: the gates' slopes are multiplied out once per column set
    def jac_data(self, cache: CellCache, t: int | None = None) -> dict:
        G, tc = unit_first(cache.extra["gates"], t), unit_first(cache.extra["tanh_c"], t)
        n = G.shape[0] // 4
        i, f, g, o = G[:n], G[n:2 * n], G[2 * n:3 * n], G[3 * n:]
        c_prev = unit_first(cache.prev("c"), t)
        A = o * (1 - tc * tc)                                   # dc<t> -> da<t>
        return {"f": f, "A": A,
                "Pi": i * (1 - i) * g,                          # dz_i -> dc
                "Pf": f * (1 - f) * c_prev,                     # dz_f -> dc
                "Pg": (1 - g * g) * i,                          # dz_g -> dc
                "Qo": o * (1 - o) * tc}                         # dz_o -> da

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
