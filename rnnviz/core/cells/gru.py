"""The GRU cell as PyTorch computes it (gate order r, z, n), in the course's symbols alongside:

    Γr = r = σ(x_r + h_r)                  reset (relevance) gate
    z  = σ(x_z + h_z)                       keep gate; the course's update gate is Γu = 1 − z
    c̃  = n = tanh(x_n + r ⊙ h_n)            candidate
    a<t> = (1 − z) ⊙ n + z ⊙ a<t-1>          (the course: c<t> = Γu ⊙ c̃ + (1 − Γu) ⊙ c<t-1>)
    x_* = W_i* x<t> + b_i*,  h_* = W_h* a<t-1> + b_h*

PyTorch's variant (and so ours) applies r after the product, r ⊙ (W_hn a<t-1> + b_hn); the course's
GRU applies it before, W_c [Γr ⊙ c<t-1>, x<t>]. The equations the app shows say so. The direct path
a<t-1> -> a<t> passes the gradient times z: along a chain of steps, the product of the keep gates.
"""
from __future__ import annotations

import numpy as np

from .. import kernels
from .base import Cell, CellCache, CellGrads, _zero_carry, unit_first, wmul
from .lstm import _sig


class GRUCell(Cell):
    name = "gru"
    n_gates = 3
    state_names = ("a",)
    gate_names = ("r", "z", "n")
    gate_titles = {
        "r": ("Γr", "reset gate: how much of W_hn a<t-1> enters the candidate"),
        "z": ("1 − Γu", "keep gate z: how much of a<t-1> is kept (the course's Γu = 1 − z)"),
        "n": ("c̃", "candidate value"),
    }

    def forward(self, p: dict, xproj: np.ndarray, s0: tuple) -> CellCache:
        W, b = p["W_hh"], p["b_hh"]
        (a0,) = s0
        a0 = np.asarray(a0, dtype=np.float64)
        T, G, m = xproj.shape
        n = G // 3
        fast = kernels.sequence_kernels(n, m)
        if fast is not None:                     # the same loop compiled (kernels/compiled.py)
            f64 = np.float64
            W = np.ascontiguousarray(W, dtype=f64)
            pre, gates, hn, a = np.empty((T, G, m)), np.empty((T, G, m)), np.empty((T, n, m)), np.empty((T, n, m))
            fast.gru_forward(W, np.ascontiguousarray(np.reshape(b, -1), dtype=f64),
                             np.ascontiguousarray(xproj, dtype=f64), pre, gates, hn, np.ascontiguousarray(a0), a)
            return self._cache(pre, gates, hn, a, a0)
        with np.errstate(over="ignore", invalid="ignore"):
            pre = np.empty((T, G, m))            # pre-activations of r, z, n
            gates = np.empty((T, G, m))
            hn = np.empty((T, n, m))             # W_hn a<t-1> + b_hn, needed going back
            a = np.empty((T, n, m))
            hp = np.empty((G, m))
            prev = a0
            for xt, pt, gt, hnt, at in zip(xproj, pre, gates, hn, a):
                np.dot(W, prev, out=hp)
                hp += b
                np.add(xt[:2 * n], hp[:2 * n], out=pt[:2 * n])        # r, z pre-activations
                _sig(pt[:2 * n], gt[:2 * n])
                hnt[...] = hp[2 * n:]
                np.multiply(gt[:n], hnt, out=pt[2 * n:])               # r ⊙ h_n
                pt[2 * n:] += xt[2 * n:]                               # + x_n
                np.tanh(pt[2 * n:], out=gt[2 * n:])                    # n
                np.subtract(prev, gt[2 * n:], out=at)                  # a<t-1> − n
                at *= gt[n:2 * n]
                at += gt[2 * n:]                                       # a = n + z (a<t-1> − n)
                prev = at
        return self._cache(pre, gates, hn, a, a0)

    def _cache(self, pre, gates, hn, a, a0) -> CellCache:
        n = a.shape[1]
        names = self.gate_names
        gd = {k: gates[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        pd = {k: pre[:, i * n:(i + 1) * n] for i, k in enumerate(names)}
        return CellCache({"a": a}, gd, pd, (a0,), {"gates": gates, "hn": hn})

    @staticmethod
    def slopes(cache: CellCache) -> dict:
        """The local derivatives BPTT multiplies by, every step at once (T, ., m), made once per cache:
        R = [sn h_n Γr'; z' (a<t-1> - n); sn Γr] (da<t> -> dh of r, z, n), sn = (1 - z) tanh'(n's
        pre-activation) (da -> dx_n), and z (the direct path)."""
        sl = cache.extra.get("slopes")
        if sl is None:
            G, hn = cache.extra["gates"], cache.extra["hn"]
            n = G.shape[1] // 3
            r, z, nn = G[:, :n], G[:, n:2 * n], G[:, 2 * n:]
            with np.errstate(over="ignore", invalid="ignore"):
                sn = (1 - z) * (1 - nn * nn)
                R = np.concatenate([sn * hn * r * (1 - r), z * (1 - z) * (cache.prev("a") - nn), sn * r], axis=1)
            sl = {"R": R, "sn": sn, "z": np.ascontiguousarray(z)}
            cache.extra["slopes"] = sl
        return sl

    def backward(self, p: dict, cache: CellCache, da_ext: np.ndarray, ds_final=None) -> CellGrads:
        n, m = cache.states["a"].shape[1:]
        fast = kernels.sequence_kernels(n, m) if cache.prev_states is None else None
        if fast is not None:                     # the same loop compiled, the slopes made on the way
            f64 = np.float64
            gates = np.ascontiguousarray(cache.extra["gates"], dtype=f64)
            T, G, m = gates.shape
            W = np.ascontiguousarray(p["W_hh"], dtype=f64)
            (carry,) = (np.ascontiguousarray(v) for v in _zero_carry(cache.s0, ds_final))
            da, dx, dh = np.empty((T, G // 3, m)), np.empty((T, G, m)), np.empty((T, G, m))
            fast.gru_backward(np.ascontiguousarray(W.T), gates, np.ascontiguousarray(cache.extra["hn"], dtype=f64),
                              np.ascontiguousarray(cache.states["a"], dtype=f64),
                              np.ascontiguousarray(cache.s0[0], dtype=f64), np.ascontiguousarray(da_ext, dtype=f64),
                              carry, da, dx, dh)
            return CellGrads({"a": da}, dx, dh, (carry,))
        sl = self.slopes(cache)
        R, sn, Z = sl["R"], sl["sn"], sl["z"]
        T, G, m = R.shape
        n = G // 3
        WT = np.ascontiguousarray(p["W_hh"].T)
        da = np.empty((T, n, m))
        dh = np.empty((T, G, m))
        (carry,) = _zero_carry(cache.s0, ds_final)
        mul = np.multiply
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(T - 1, -1, -1):
                dat, dht = da[t], dh[t]
                np.add(da_ext[t], carry, out=dat)
                mul(R[t].reshape(3, n, m), dat, out=dht.reshape(3, n, m))   # dh of r, z, n
                carry = WT @ dht
                carry += dat * Z[t]                                        # the direct path z
            dx = dh.copy()
            mul(sn, da, out=dx[:, 2 * n:])                 # x_n's gradient: without the reset gate
        return CellGrads({"a": da}, dx, dh, (carry,))

    # ---- step Jacobian: the same slopes, unit-first
    def jac_data(self, cache: CellCache, t: int | None = None) -> dict:
        sl = self.slopes(cache)
        R = unit_first(sl["R"], t)
        n = R.shape[0] // 3
        return {"z": unit_first(sl["z"], t), "sn": unit_first(sl["sn"], t), "Rr": R[:n], "Rz": R[n:2 * n],
                "Rn": R[2 * n:]}

    def jvp(self, p: dict, g: dict, v: np.ndarray) -> np.ndarray:
        n = v.shape[0]
        dh = wmul(p["W_hh"], v)
        out = g["z"] * v
        out += g["Rr"] * dh[:n]
        out += g["Rz"] * dh[n:2 * n]
        out += g["Rn"] * dh[2 * n:]
        return out

    def gram(self, p: dict):
        """J^T J v with its elementwise part in one compiled pass (kernels/gain_kernels.py) once the
        kernels are loaded; None before (the gains then use vjp(jvp(v)), the reference)."""
        parts = self._compiled_gram(p)
        if parts is None:
            return None
        fast, W, WT, buffers = parts

        def apply(g: dict, v: np.ndarray) -> np.ndarray:
            v = np.ascontiguousarray(v, dtype=np.float64)
            n, cols = v.shape
            dh, dhp, zu, out = buffers((3 * n, cols), (3 * n, cols), (n, cols), (n, cols))
            np.matmul(W, v, out=dh)
            c = np.ascontiguousarray
            fast.gru_gram_mid(dh, v, c(g["z"]), c(g["Rr"]), c(g["Rz"]), c(g["Rn"]), dhp, zu)
            np.matmul(WT, dhp, out=out)
            out += zu
            return out
        return apply

    def step_back(self, p: dict, g: dict, u: np.ndarray):
        n = u.shape[0]
        dhp = np.empty((3 * n,) + u.shape[1:])
        np.multiply(g["Rr"], u, out=dhp[:n])
        np.multiply(g["Rz"], u, out=dhp[n:2 * n])
        np.multiply(g["Rn"], u, out=dhp[2 * n:])
        dxp = dhp.copy()
        np.multiply(g["sn"], u, out=dxp[2 * n:])        # x_n's gradient: without the reset gate
        back = wmul(p["W_hh"].T, dhp)
        back += u * g["z"]
        return back, dxp
