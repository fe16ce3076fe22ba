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
    return arr.transpose(1, 0, 2).reshape(n, T * m)


def _unflat(mat: np.ndarray, T: int, m: int) -> np.ndarray:
    """(n, T*m) -> (T, n, m)."""
    return np.ascontiguousarray(mat.reshape(mat.shape[0], T, m).transpose(1, 0, 2))


def matmul_steps(W: np.ndarray, arr: np.ndarray) -> np.ndarray:
    """W @ arr[t] for every t at once: (k, n) x (T, n, m) -> (T, k, m)."""
    T, _, m = arr.shape
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
        prev = a0
        fwd = act.forward
        for t in range(T):
            zt = z[t]
            np.dot(Waa, prev, out=tmp)    # Waa a<t-1>
            zt += tmp
            fwd(zt, out=a[t])             # a<t> = g(z<t>)
            prev = a[t]
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
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(stop - 1, -1, -1):
            dat = da[t]
            np.add(da_direct[t], carry, out=dat)      # from ŷ<t> plus from a<t+1>
            np.multiply(dat, gprime[t], out=dz[t])     # (n_a, m) backprop through g
            np.dot(WaaT, dz[t], out=carry)             # Waa^T dz<t>: the part that flows on to a<t-1>
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
