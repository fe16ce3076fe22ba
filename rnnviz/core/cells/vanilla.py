"""The vanilla cell of the notes: z<t> = Waa a<t-1> + Wax x<t> + ba, a<t> = g(z<t>), g = tanh or ReLU.

In the cell's layout Wax is W_ih, Waa is W_hh and ba = b_ih + b_hh. Only the recurrence loops in
Python; every array is preallocated and the loop body is three ufunc calls.
"""
from __future__ import annotations

import numpy as np

from .. import kernels
from ..activations import get_activation
from .base import Buffers, Cell, CellCache, CellGrads, _zero_carry, unit_first, wmul


class VanillaCell(Cell):
    name = "rnn"
    n_gates = 1
    state_names = ("a",)
    gate_names = ()

    def __init__(self, activation: str = "tanh"):
        self.act = get_activation(activation)
        self.activation = self.act.name

    def forward(self, p: dict, xproj: np.ndarray, s0: tuple) -> CellCache:
        """Overflow is not an error: values become inf/NaN and the caller records where."""
        Waa = p["W_hh"]
        (a0,) = s0
        T, n_a, m = xproj.shape
        with np.errstate(over="ignore", invalid="ignore"):
            z = xproj + p["b_hh"][None]       # Wax x<t> + ba for every step (a new array: xproj stays)
            a = np.empty_like(z)
            tmp = np.empty((n_a, m))
            prev = np.asarray(a0, dtype=np.float64)
            dot, add = np.dot, np.add
            if self.activation == "tanh":
                for zt, at in zip(z, a):      # iterating hands out per-step views without indexing
                    dot(Waa, prev, out=tmp)   # Waa a<t-1>
                    add(zt, tmp, out=zt)      # z<t> = Waa a<t-1> + Wax x<t> + ba
                    np.tanh(zt, out=at)       # a<t> = g(z<t>)
                    prev = at
            else:
                fwd = self.act.forward
                for zt, at in zip(z, a):
                    dot(Waa, prev, out=tmp)
                    add(zt, tmp, out=zt)
                    fwd(zt, out=at)
                    prev = at
            gprime = self.act.derivative(z, a)
        return CellCache({"a": a}, {}, {"z": z}, (np.asarray(a0, dtype=np.float64),), {"gprime": gprime})

    def backward(self, p: dict, cache: CellCache, da_ext: np.ndarray, ds_final=None) -> CellGrads:
        """da<t> = da_ext<t> + Waa^T dz<t+1>,  dz<t> = da<t> * g'(z<t>).

        With one column (training min-char-rnn's way) the loop runs compiled when the kernels are
        loaded; for a batch BLAS's products win. The forward stays NumPy's: its tanh is vectorized,
        numba's calls libm once per number (3x slower at n_a = 100)."""
        gprime = cache.extra["gprime"]
        T, n_a, m = gprime.shape
        da = np.empty((T, n_a, m))
        dz = np.empty((T, n_a, m))
        WaaT = np.ascontiguousarray(p["W_hh"].T)
        (carry,) = _zero_carry(cache.s0, ds_final)
        fast = kernels.ready() if m == 1 else None
        if fast is not None:           # the same loop compiled (kernels/compiled.py), one column as (T, n_a)
            c1 = np.array(carry, dtype=np.float64).reshape(n_a)
            fast.vanilla_backward(np.ascontiguousarray(p["W_hh"], dtype=np.float64),
                                  np.ascontiguousarray(gprime).reshape(T, n_a),
                                  np.ascontiguousarray(da_ext, dtype=np.float64).reshape(T, n_a), c1,
                                  da.reshape(T, n_a), dz.reshape(T, n_a))
            return CellGrads({"a": da}, dz, dz, (c1.reshape(n_a, 1),))
        dot, add, mul = np.dot, np.add, np.multiply
        with np.errstate(over="ignore", invalid="ignore"):
            for dd, g, dat, dzt in zip(da_ext[::-1], gprime[::-1], da[::-1], dz[::-1]):
                add(dd, carry, out=dat)       # from ŷ<t> (or the layer above) plus from a<t+1>
                mul(dat, g, out=dzt)          # (n_a, m) backprop through g
                carry = dot(WaaT, dzt)        # Waa^T dz<t>: the part that flows on to a<t-1>
        return CellGrads({"a": da}, dz, dz, (carry,))

    # ---- step Jacobian J<t> = diag(g'(z<t>)) Waa
    def jac_data(self, cache: CellCache, t: int | None = None) -> dict:
        return {"gprime": unit_first(cache.extra["gprime"], t)}

    def jvp(self, p: dict, g: dict, v: np.ndarray) -> np.ndarray:
        return g["gprime"] * wmul(p["W_hh"], v)

    def gram(self, p: dict):
        """J J^T = D (Waa Waa^T) D with D = diag(g'(z<t>)): one product per Lanczos step instead of two
        (J J^T and J^T J have the same eigenvalues)."""
        Waa = np.asarray(p["W_hh"])
        with np.errstate(over="ignore", invalid="ignore"):
            M = Waa @ Waa.T

        buffers = Buffers()

        def apply(g: dict, q: np.ndarray) -> np.ndarray:
            gp = g["gprime"]                    # (n_a, columns), as q: the local gains' layout
            scaled, out = buffers(q.shape, q.shape)
            np.multiply(gp, q, out=scaled)
            np.matmul(M, scaled, out=out)
            return np.multiply(gp, out, out=out)
        return apply

    def step_back(self, p: dict, g: dict, u: np.ndarray):
        dz = g["gprime"] * u                    # through g
        return wmul(p["W_hh"].T, dz), dz        # (to a<t-1>, dL/dz<t>)
