"""The one interface every recurrent cell provides (vanilla, GRU, LSTM). Time-major arrays: (T, n, m).

A cell owns the recurrence of ONE layer in ONE direction over a whole sequence. The model around it
(model.py) projects the inputs for every step at once and hands them in, so a cell only loops over
what is truly sequential:

    forward(p, xproj, s0)            xproj<t> = W_ih x<t> + b_ih for every step  ->  CellCache
    backward(p, cache, da_ext, ds_T) gradients reaching every state, the pre-activations, s<0>
    jvp(p, g, v) / vjp(p, g, u)      J<t> v and J<t>^T u, J<t> = ds<t>/ds<t-1>, for any batch of columns
    step_back(p, g, u)               one step of BPTT for columns: (J<t>^T u, dL/dxproj<t>)

Per-layer parameters use PyTorch's layout (W_ih (G n_a, n_in), W_hh (G n_a, n_a), b_ih and b_hh as
(G n_a, 1) columns, G gates stacked in PyTorch's order), so that a state_dict maps onto them unchanged.
The weight gradients are single products after the loop, made by the model from the returned
dxproj (dL/d(W_ih x + b_ih)) and dhproj (dL/d(W_hh a<t-1> + b_hh)); they differ only for the GRU.

Jacobian products work on "unit-first" arrays: v has shape (n_s, *cols) where n_s is the size of the
whole state (n_a; 2 n_a for the LSTM's [a; c]) and `cols` any trailing axes (all (step, batch)
pairs for the local gains, (targets, batch) for the influence map); `g` holds the step's gates from
`jac_data`, shaped to broadcast against v's trailing axes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..norms import scale_to_radius


@dataclass
class CellCache:
    """Everything one layer-direction computed in its forward pass, in processing order."""

    states: dict[str, np.ndarray]        # "a" (and "c"): (T, n_a, m), s<1..T>
    gates: dict[str, np.ndarray]         # gate activations, (T, n_a, m) each ({} for vanilla)
    pre: dict[str, np.ndarray]           # pre-activations, (T, n_a, m) each
    s0: tuple[np.ndarray, ...]           # initial states (n_a, m), in state_names order
    extra: dict[str, np.ndarray] = field(default_factory=dict)   # cell-private (g'(z), tanh c, W_hn a + b_hn)
    prev_states: dict[str, np.ndarray] | None = None   # s<t-1> per step when given (else s0 then s<1..T-1>)

    @property
    def T(self) -> int:
        return int(self.states["a"].shape[0])

    def prev(self, name: str = "a") -> np.ndarray:
        """(T, n_a, m): s<t-1> for every step."""
        if self.prev_states is not None:
            return self.prev_states[name]
        i = list(self.states).index(name)
        return np.concatenate([self.s0[i][None], self.states[name][:-1]], axis=0)

    def final(self) -> tuple[np.ndarray, ...]:
        """The last states, to start a following segment (the decoder from the encoder)."""
        return tuple(v[-1] if v.shape[0] else s for v, s in zip(self.states.values(), self.s0))


@dataclass
class CellGrads:
    ds: dict[str, np.ndarray]            # total dL/ds<t> for every state: (T, n_a, m)
    dxproj: np.ndarray                   # (T, G n_a, m) dL/d(W_ih x<t> + b_ih)
    dhproj: np.ndarray                   # (T, G n_a, m) dL/d(W_hh a<t-1> + b_hh)
    ds0: tuple[np.ndarray, ...]          # gradient reaching s<0>


def wmul(W: np.ndarray, v: np.ndarray) -> np.ndarray:
    """W @ v over the unit axis of a unit-first array: (k, n) x (n, *cols) -> (k, *cols)."""
    return (W @ v.reshape(v.shape[0], -1)).reshape((W.shape[0],) + v.shape[1:])


class Buffers:
    """Arrays reused from one call to the next while their shapes stay: a Lanczos iteration's
    products at T = 1000 are megabytes each, and a fresh one costs its page faults (W @ q into a new
    4 MB array took 4.6 ms here, into a kept one 1.9 ms). What a call returns from these is valid
    until the next call."""

    def __init__(self):
        self._arrays: list[np.ndarray] = []

    def __call__(self, *shapes: tuple[int, ...]) -> list[np.ndarray]:
        if [a.shape for a in self._arrays] != [tuple(s) for s in shapes]:
            self._arrays = [np.empty(s) for s in shapes]
        return self._arrays


def unit_first(arr_tm: np.ndarray, t: int | None = None) -> np.ndarray:
    """A time-major (T, n, m) array as (n, T, m) (all steps), or step t as (n, 1, m)."""
    if t is None:
        return np.ascontiguousarray(arr_tm.transpose(1, 0, 2))
    return arr_tm[t][:, None, :]


class Cell:
    """Base of the three cells: sizes and names. See the module docstring for the contract."""

    name = "cell"
    n_gates = 1
    state_names: tuple[str, ...] = ("a",)
    gate_names: tuple[str, ...] = ()
    # gate name -> (course symbol, meaning), for the views and the equations
    gate_titles: dict[str, tuple[str, str]] = {}

    @property
    def n_states(self) -> int:
        return len(self.state_names)

    def state_size(self, n_a: int) -> int:
        return n_a * self.n_states

    # -- to be provided by each cell
    def forward(self, p: dict, xproj: np.ndarray, s0: tuple) -> CellCache:  # pragma: no cover
        raise NotImplementedError

    def backward(self, p: dict, cache: CellCache, da_ext: np.ndarray, ds_final=None) -> CellGrads:  # pragma: no cover
        raise NotImplementedError

    def jac_data(self, cache: CellCache, t: int | None = None) -> dict:  # pragma: no cover
        raise NotImplementedError

    def jvp(self, p: dict, g: dict, v: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def step_back(self, p: dict, g: dict, u: np.ndarray):  # pragma: no cover
        """One step of BPTT for columns u = dL/ds<t> (unit-first): (dL/ds<t-1>, dL/dxproj<t>)."""
        raise NotImplementedError

    def vjp(self, p: dict, g: dict, u: np.ndarray) -> np.ndarray:
        """J<t>^T u."""
        return self.step_back(p, g, u)[0]

    def gram(self, p: dict):
        """A function (g, q) -> G<t> q for a symmetric G<t> with the eigenvalues of J<t>^T J<t>, when
        the cell has one cheaper than J^T (J q); None: the local gains use vjp(jvp(q))."""
        return None

    def _compiled_gram(self, p: dict):
        """What a gated cell's compiled gram needs: (the kernels, W_hh, W_hh^T, the buffers of its
        products), or None before the local gains' kernels are loaded."""
        from .. import kernels

        fast = kernels.gains_ready()
        if fast is None:
            return None
        W = np.ascontiguousarray(p["W_hh"], dtype=np.float64)
        return fast, W, np.ascontiguousarray(W.T), Buffers()

    def init_recurrent(self, rng: np.random.Generator, n_a: int, radius: float | None) -> np.ndarray:
        """W_hh: each gate's (n_a, n_a) block ~ N(0, 1/n_a), rescaled to spectral radius `radius`."""
        blocks = []
        for _ in range(self.n_gates):
            W = rng.standard_normal((n_a, n_a)) / np.sqrt(n_a)
            blocks.append(W if radius is None else scale_to_radius(W, radius))
        return np.concatenate(blocks, axis=0)

    def init_biases(self, n_a: int, forget_bias: float) -> tuple[np.ndarray, np.ndarray]:
        """(b_ih, b_hh) as columns; zero except where a cell says otherwise (the LSTM's forget gate)."""
        return np.zeros((self.n_gates * n_a, 1)), np.zeros((self.n_gates * n_a, 1))


def _zero_carry(s0: tuple, ds_final) -> list[np.ndarray]:
    """The gradient arriving at the last states from outside (a following segment), or zeros."""
    if ds_final is None:
        return [np.zeros_like(s, dtype=np.float64) for s in s0]
    return [np.array(d, dtype=np.float64) for d in ds_final]
