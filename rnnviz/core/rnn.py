"""The vanilla RNN cell over a whole sequence, forward and backward. Time-major arrays: (T, n, m).

    z<t> = Waa a<t-1> + Wax x<t> + ba,   a<t> = g(z<t>),   a<0> given (zeros by default)

Speed: Wax x<t> + ba is one product for all steps, arrays are preallocated, only the recurrence loops
in Python, and the weight gradients are single products after the loop (see benchmarks/bench_engine.py).
A new cell (GRU, LSTM) provides the same two functions with its own cache.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation


@dataclass
class CellCache:
    x: np.ndarray        # (T, n_x, m)
    a0: np.ndarray       # (n_a, m)
    z: np.ndarray        # (T, n_a, m) pre-activations
    a: np.ndarray        # (T, n_a, m) hidden states a<1..T>
    gprime: np.ndarray   # (T, n_a, m) g'(z<t>)

    @property
    def a_prev(self) -> np.ndarray:
        """(T, n_a, m): a<t-1> for every step."""
        return np.concatenate([self.a0[None], self.a[:-1]], axis=0)


def _flat(arr: np.ndarray) -> np.ndarray:
    """(T, n, m) -> (n, T*m): all steps side by side, for one matrix product."""
    T, n, m = arr.shape
    if m == 1:
        return arr.reshape(T, n).T    # a view: BLAS reads the transpose without a copy
    return arr.transpose(1, 0, 2).reshape(n, T * m)


def _unflat(mat: np.ndarray, T: int, m: int) -> np.ndarray:
    """(n, T*m) -> (T, n, m)."""
    return np.ascontiguousarray(mat.reshape(mat.shape[0], T, m).transpose(1, 0, 2))


def matmul_steps(W: np.ndarray, arr: np.ndarray) -> np.ndarray:
    """W @ arr[t] for every t at once: (k, n) x (T, n, m) -> (T, k, m)."""
    T, n, m = arr.shape
    if m == 1:  # (T, n) @ W^T is already time-major and contiguous
        return (arr.reshape(T, n) @ W.T).reshape(T, -1, 1)
    return _unflat(W @ _flat(arr), T, m)


def rnn_forward_tm(Wax, Waa, ba, x: np.ndarray, a0: np.ndarray, act: Activation) -> CellCache:
    """Forward pass. Overflow is not an error: values become inf/NaN and the caller records where."""
    T, _, m = x.shape
    n_a = Waa.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        z = matmul_steps(Wax, x)          # (T, n_a, m) every Wax x<t> in one product
        z += ba[None]                     # + ba, broadcast over steps and batch
        a = np.empty_like(z)
        tmp = np.empty((n_a, m))
        prev = np.asarray(a0, dtype=z.dtype)
        dot, add, fwd = np.dot, np.add, act.forward
        # iterating the arrays hands out the per-step views without indexing in Python
        for zt, at in zip(z, a):
            dot(Waa, prev, out=tmp)       # Waa a<t-1>
            add(zt, tmp, out=zt)          # z<t> = Waa a<t-1> + Wax x<t> + ba
            fwd(zt, out=at)               # a<t> = g(z<t>)
            prev = at
        gprime = act.derivative(z, a)
    return CellCache(x, a0, z, a, gprime)


def backprop_hidden(Waa: np.ndarray, gprime: np.ndarray, da_direct: np.ndarray, last: int | None = None):
    """BPTT through the recurrence.

    da_direct (T, n_a, m): gradient reaching a<t> from its own output ŷ<t>.
    Returns (da, dz, da0): da<t> = da_direct<t> + Waa^T dz<t+1> (the total gradient at a<t>),
    dz<t> = da<t> * g'(z<t>), and the gradient reaching a<0>. With `last`, only the steps up to `last`
    (0-based) are visited, as needed for the gradient of the loss at step `last` alone.
    """
    T, n_a, m = gprime.shape
    stop = T if last is None else last + 1
    da = np.zeros((T, n_a, m))
    dz = np.zeros((T, n_a, m))
    WaaT = np.ascontiguousarray(Waa.T)
    carry = np.zeros((n_a, m))
    dot, add, mul = np.dot, np.add, np.multiply
    with np.errstate(over="ignore", invalid="ignore"):
        for dd, g, dat, dzt in zip(da_direct[stop - 1::-1], gprime[stop - 1::-1], da[stop - 1::-1],
                                   dz[stop - 1::-1]):
            add(dd, carry, out=dat)       # from ŷ<t> plus from a<t+1>
            mul(dat, g, out=dzt)          # (n_a, m) backprop through g
            dot(WaaT, dzt, out=carry)     # Waa^T dz<t>: the part that flows on to a<t-1>
    return da, dz, carry


def weight_grads(cache: CellCache, dz: np.ndarray) -> dict[str, np.ndarray]:
    """dWax, dWaa, dba as single products over all steps (the sum of every step's contribution)."""
    dzf = _flat(dz)
    with np.errstate(over="ignore", invalid="ignore"):
        return {
            "Wax": dzf @ _flat(cache.x).T,
            "Waa": dzf @ _flat(cache.a_prev).T,
            "ba": dzf.sum(axis=1, keepdims=True),
        }
