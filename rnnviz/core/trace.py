"""One forward pass + BPTT into a `Trace`: everything the views show, computed once.

A Trace holds, for every layer and direction (a LayerTrace), the states, gates and pre-activations of
every step, the total gradient reaching each state (dL/da<t>, dL/dc<t>), the gradient of the last
step's loss alone (dL<T>/d·), what arrives from above, each step's part of the weight gradients, the
local gains and the influence map; and for the model, ŷ, L<t>, the parameter gradients and the
segments of the timeline. A view names what it shows by reference, `trace.state(StateRef(layer=0,
direction=1, name="c"))`, in the notes' layout (n, m, T); steps are 0-based in code, shown 1-based.

The one-layer vanilla RNN's names (trace.a, trace.z, trace.da, trace.gprime, ...) remain as
properties of the top layer's forward direction (a, da, da_last: the top layer with its directions
stacked, forward first), so views written for it keep working.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .cells import Cell
from .model import Inputs, LayerRun, Model, ModelCache, RunGrads, flat
from .norms import sigma_max, spectral_radius
from .sequences import SequenceData
from .spec import ModelSpec

ARCHITECTURES = ("many-to-many", "many-to-one", "one-to-many", "one-to-one", "encoder-decoder")
ARCHITECTURE_HELP = {
    "many-to-many": "an output and a loss at every step (Tx = Ty)",
    "many-to-one": "the whole sequence in, one output and loss at the last step",
    "one-to-many": "one input starts it; each later input is the previous target (the notes' sampling, "
                   "with teacher forcing)",
    "one-to-one": "a single step: one input, one output (a plain neural network)",
    "encoder-decoder": "the encoder reads the source, its last state starts the decoder, which writes "
                       "the target (Tx ≠ Ty)",
}


def _nm(arr_tm: np.ndarray) -> np.ndarray:
    """time-major (T, n, m) -> the notes' layout (n, m, T), as a view."""
    return np.moveaxis(arr_tm, 0, -1)


def _tm(arr_nm: np.ndarray) -> np.ndarray:
    """the notes' layout (n, m, T) -> contiguous time-major (T, n, m)."""
    return np.ascontiguousarray(np.moveaxis(arr_nm, -1, 0))


@dataclass(frozen=True)
class StateRef:
    """What a view shows: layer (0 = bottom), direction (0 →, 1 ←) and the quantity's name:
    a state ("a", "c"), a gate ("i", "f", "g", "o"; "r", "z", "n"), a pre-activation ("z" for the
    vanilla cell, "z_<gate>" for a gated one) or the vanilla cell's "gprime"."""

    layer: int = 0
    direction: int = 0
    name: str = "a"


@dataclass(frozen=True)
class Segment:
    name: str          # "" (one sequence), "encoder" or "decoder"
    start: int
    stop: int

    @property
    def length(self) -> int:
        return self.stop - self.start


@dataclass
class LayerTrace:
    """One layer in one direction; arrays time-major (T, n, m), natural time order."""

    layer: int
    direction: int
    cell: Cell
    run: LayerRun
    grads: RunGrads              # the total loss L = sum_t L<t>
    grads_last: RunGrads         # the last step's loss L<T> alone
    local_gain: np.ndarray       # (T, m) ||ds<t>/ds<t-1>||_2
    influence: np.ndarray | None = None   # (T, T) ||dL<t>/da<k>||

    def quantity(self, name: str) -> np.ndarray:
        run = self.run
        if name in self.cell.state_names:
            return run.state(name)
        if name in self.cell.gate_names:
            return run.natural([c.gates[name] for c in run.caches])
        if name == "gprime" and "gprime" in run.caches[0].extra:
            return run.natural([c.extra["gprime"] for c in run.caches])
        if name == "z" and "z" in run.caches[0].pre:
            return run.natural([c.pre["z"] for c in run.caches])
        if name.startswith("z_") and name[2:] in self.cell.gate_names:
            return run.natural([c.pre[name[2:]] for c in run.caches])
        raise KeyError(f"a {self.cell.name} layer has no {name!r}")

    def grad(self, name: str = "a", flow: str = "total") -> np.ndarray:
        return (self.grads if flow == "total" else self.grads_last).ds[name]

    @property
    def s0(self) -> tuple:
        return self.run.caches[0].s0

    def a_prev(self) -> np.ndarray:
        """(T, n_a, m): the state each step started from."""
        return self.run.natural([c.prev("a") for c in self.run.caches])


@dataclass
class Trace:
    """The forward pass, the losses and BPTT of one sequence (or batch) through one model."""

    seq: SequenceData
    spec: ModelSpec
    params: dict                 # public names (spec.param_shapes), float64
    loss_name: str
    architecture: str
    layers: list[LayerTrace]     # spec.layer_dirs() order
    segments: tuple[Segment, ...]
    logits: np.ndarray           # notes' layout (n_y, m, T)
    y_hat: np.ndarray
    loss_steps: np.ndarray       # (m, T) per-step loss of each sequence
    step_weight: np.ndarray      # (T,) 1 where the loss counts
    input_weight: np.ndarray     # (T,) 1 where an input is fed
    fed_back: np.ndarray         # (T,) 1 where the input is the previous step's target (one-to-many, decoder)
    grads: dict                  # dL/dparam for every weight (public names), L = sum_t L<t>
    first_nonfinite: int | None       # first step (0-based) whose states, ŷ or loss are inf/NaN
    first_nonfinite_grad: int | None  # first step, going back from T, whose gradient is inf/NaN
    compute_seconds: float = 0.0
    influence_message: str | None = None  # why the influence maps were not computed
    extras: dict = field(default_factory=dict)
    inputs: Inputs | None = None     # what layer 0 read (ids for text: no dense one-hot)
    _x: np.ndarray | None = None
    gains_ready: bool = True     # False: the local gains are still to come (NaN until set_gains)

    # ---------------------------------------------------------------- the local gains, filled in later
    def set_gains(self, gains: dict) -> None:
        """Put in the local gains compute_gains computed: {(layer, direction): (T, m)}."""
        for lt in self.layers:
            lt.local_gain = gains[(lt.layer, lt.direction)]
        self.gains_ready = True
        self.__dict__.pop("_verdicts", None)     # the verdicts kept with it quoted the gains still to come

    # ---------------------------------------------------------------- what a view asks for
    def layer(self, layer: int = 0, direction: int = 0) -> LayerTrace:
        return self.layers[layer * self.spec.dirs + direction]

    def state(self, ref: StateRef) -> np.ndarray:
        """(n, m, T) values of `ref` at every step."""
        return _nm(self.layer(ref.layer, ref.direction).quantity(ref.name))

    def grad(self, ref: StateRef, flow: str = "total") -> np.ndarray:
        """(n, m, T) dL/ds<t> (flow "total") or dL<T>/ds<t> (flow "last") for a state ("a", "c")."""
        return _nm(self.layer(ref.layer, ref.direction).grad(ref.name, flow))

    def grad_norm(self, ref: StateRef, flow: str = "total") -> np.ndarray:
        """(T,) ||dL/ds<t>|| over units and batch, without overflow."""
        return _step_norms(self.grad(ref, flow))

    @property
    def top(self) -> LayerTrace:
        """The top layer's forward direction: what the vanilla names below refer to."""
        return self.layer(self.spec.layers - 1, 0)

    @property
    def cell(self) -> Cell:
        return self.top.cell

    # ---------------------------------------------------------------- sizes
    @property
    def T(self) -> int:
        return int(self.loss_steps.shape[1])

    @property
    def n_a(self) -> int:
        return self.spec.n_a

    @property
    def n_x(self) -> int:
        return self.spec.n_x

    @property
    def n_y(self) -> int:
        return int(self.y_hat.shape[0])

    @property
    def m(self) -> int:
        return int(self.loss_steps.shape[0])

    @property
    def activation(self) -> str:
        return self.spec.activation

    # ---------------------------------------------------------------- losses
    @property
    def loss(self) -> np.ndarray:
        """(T,) per-step loss L<t>, summed over the batch."""
        return self.loss_steps.sum(axis=0)

    @property
    def total_loss(self) -> float:
        return float(np.sum(self.loss))

    @property
    def finite(self) -> bool:
        return self.first_nonfinite is None and self.first_nonfinite_grad is None

    @property
    def last_step(self) -> int:
        """The step whose loss is 'L<T>': the last one where the loss counts (0-based)."""
        on = np.flatnonzero(self.step_weight != 0)
        return int(on[-1]) if on.size else self.T - 1

    # ---------------------------------------------------------------- the vanilla names
    def _stacked(self, pick) -> np.ndarray:
        top = self.spec.layers - 1
        parts = [pick(self.layer(top, d)) for d in range(self.spec.dirs)]
        return _nm(parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1))

    @property
    def x(self) -> np.ndarray:
        """(n_x, m, T) the inputs as fed (one-hot built on first use for text)."""
        if self._x is None:
            self._x = self.seq.x * self.input_weight[None, None, :]
        return self._x

    @property
    def y(self) -> np.ndarray:
        return self.seq.y

    @property
    def a(self) -> np.ndarray:
        return self._stacked(lambda L: L.quantity("a"))

    @property
    def da(self) -> np.ndarray:
        """total dL/da<t> of the top layer (directions stacked)."""
        return self._stacked(lambda L: L.grad("a"))

    @property
    def da_last(self) -> np.ndarray:
        """dL<T>/da<t>: the last step's loss alone."""
        return self._stacked(lambda L: L.grad("a", "last"))

    @property
    def da_direct(self) -> np.ndarray:
        """dL<t>/da<t> through ŷ<t> only (top layer)."""
        return self._stacked(lambda L: L.grads.da_ext)

    @property
    def z(self) -> np.ndarray:
        return _nm(self.top.quantity("z"))

    @property
    def gprime(self) -> np.ndarray:
        return _nm(self.top.quantity("gprime"))

    @property
    def dz(self) -> np.ndarray:
        return _nm(self.top.grads.dxproj)

    @property
    def a0(self) -> np.ndarray:
        """The first layer's initial hidden state a<0> (n_a, m)."""
        return self.layer(0, 0).s0[0]

    @property
    def da0(self) -> np.ndarray:
        """dL/da<0> of the first layer."""
        return self.layer(0, 0).grads.ds0[0]

    @property
    def a_start(self) -> np.ndarray:
        """(n_a·dirs, m) the top layer's initial hidden states, directions stacked like `a` (a<0> for one
        forward layer; the backward direction starts from a<T+1> = 0)."""
        top = self.spec.layers - 1
        parts = [self.layer(top, d).s0[0] for d in range(self.spec.dirs)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)

    @property
    def local_gain(self) -> np.ndarray:
        """(m, T) of the top layer's forward direction."""
        return self.top.local_gain.T

    @property
    def influence(self) -> np.ndarray | None:
        return self.top.influence

    def recurrent_blocks(self) -> list[np.ndarray]:
        """The (n_a, n_a) blocks of W_hh of the top layer's forward direction, in its last segment:
        Waa for the vanilla RNN, one per gate for the GRU (r, z, n) and the LSTM (i, f, g, o)."""
        W, n = self.top.run.params[-1]["W_hh"], self.spec.n_a
        return [W[k * n:(k + 1) * n] for k in range(W.shape[0] // n)]

    @cached_property
    def sigma_max(self) -> float:
        """||Waa||_2 (the largest over a gated cell's blocks). Computed once, by compute_trace (off the
        GUI thread: an SVD of a 2048 x 2048 block takes seconds)."""
        return max(sigma_max(W) for W in self.recurrent_blocks())

    @cached_property
    def rho(self) -> float:
        """The spectral radius of Waa (the largest over a gated cell's blocks). Computed once, by
        compute_trace (an eigendecomposition of a 2048 x 2048 block held the window up 0.6-1 s)."""
        return max(spectral_radius(W) for W in self.recurrent_blocks())

    @property
    def gamma(self) -> float:
        """An upper bound on the activation's slope |g'| (Pascanu et al.'s γ)."""
        from .activations import get_activation
        return get_activation(self.spec.activation).gamma

    @property
    def da_norm(self) -> np.ndarray:
        """(T,) ||dL/da<t>||."""
        return _step_norms(self.da)

    @property
    def da_last_norm(self) -> np.ndarray:
        """(T,) ||dL<T>/da<t>||."""
        return _step_norms(self.da_last)

    def pascanu_bound(self) -> np.ndarray:
        """(T,) the envelope (gamma sigma_max)^(T-t): ||da<T>/da<t>|| can be no larger (vanilla)."""
        t = np.arange(1, self.T + 1)
        with np.errstate(over="ignore"):
            return (self.gamma * self.sigma_max) ** (self.T - t).astype(float)

    # ---------------------------------------------------------------- what each step adds to the weights
    def weight_names(self, layer: int | None = None, direction: int = 0) -> tuple[str, str, str]:
        """Public names of (W_ih, W_hh, b) of a layer-direction (last segment): Wax, Waa, ba for the notes."""
        layer = self.spec.layers - 1 if layer is None else layer
        w_ih, w_hh, b_ih, _ = self.spec.layer_names(len(self.spec.segments) - 1, layer, direction)
        return w_ih, w_hh, b_ih

    def step_contributions(self, layer: int | None = None, direction: int = 0, flow: str = "total"
                           ) -> dict[str, np.ndarray]:
        """(T,) Frobenius norm of each step's contribution to W_ih, W_hh and the bias of one
        layer-direction (the top forward one by default), keyed by their public names.

        ||dz<t> v<t>^T||_F^2 = sum over batch pairs of (dz^T dz) * (v^T v), without forming the matrix."""
        L = self.top if layer is None else self.layer(layer, direction)
        g = L.grads if flow == "total" else L.grads_last
        w_ih, w_hh, b = self.weight_names(L.layer, L.direction)
        dx, sx = _scaled_steps(_nm(g.dxproj))     # each step divided by its largest |entry|: no overflow
        dh, sh = _scaled_steps(_nm(g.dhproj))
        with np.errstate(over="ignore", invalid="ignore"):
            gx = np.einsum("imt,int->tmn", dx, dx)
            gh = np.einsum("imt,int->tmn", dh, dh)
            out = {}
            for name, (gz, sz), (gv, sv) in ((w_ih, (gx, sx), self._input_gram(L.layer)),
                                             (w_hh, (gh, sh), _gram(_nm(L.a_prev())))):
                out[name] = sz * sv * np.sqrt(np.maximum(np.sum(gz * gv, axis=(1, 2)), 0.0))
            out[b] = sx * np.sqrt(np.einsum("tmn->t", gx))
        return out

    def _input_gram(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """x<t>_i . x<t>_j of what a layer reads, as _gram; for token ids: whether the tokens agree."""
        if layer == 0 and self.inputs is not None and self.inputs.ids is not None:
            ids = self.inputs.ids
            same = (ids[:, :, None] == ids[:, None, :]) & (ids[:, :, None] >= 0)
            return same.astype(float), np.ones(ids.shape[0])
        return _gram(_nm(self._layer_input(layer)))

    def _layer_input(self, layer: int) -> np.ndarray:
        """(T, n_in, m) what a layer reads (layer 0: the inputs as fed)."""
        if layer == 0:
            return _tm(self.x)
        below = [self.layer(layer - 1, d).quantity("a") for d in range(self.spec.dirs)]
        return below[0] if len(below) == 1 else np.concatenate(below, axis=1)

    def partial_grads(self, t: int, layer: int | None = None, direction: int = 0, flow: str = "total"
                      ) -> dict[str, np.ndarray]:
        """W_ih, W_hh and bias gradients summed over steps t..T-1 (0-based): what BPTT has gathered on
        reaching step t (the top forward layer-direction by default; public names)."""
        L = self.top if layer is None else self.layer(layer, direction)
        g = L.grads if flow == "total" else L.grads_last
        w_ih, w_hh, b = self.weight_names(L.layer, L.direction)
        dx = np.ascontiguousarray(g.dxproj[t:])
        dh = np.ascontiguousarray(g.dhproj[t:])
        ap = np.ascontiguousarray(L.a_prev()[t:])
        with np.errstate(over="ignore", invalid="ignore"):
            if L.layer == 0 and self.inputs is not None:
                d_ih = self.inputs.weight_grad(dx, t, self.T) if self.inputs.ids is not None else \
                    flat(dx) @ flat(np.ascontiguousarray(_tm(self.x)[t:])).T
            else:
                d_ih = flat(dx) @ flat(np.ascontiguousarray(self._layer_input(L.layer)[t:])).T
            return {w_ih: d_ih, w_hh: flat(dh) @ flat(ap).T, b: flat(dx).sum(axis=1, keepdims=True)}


GAINS_PENDING = "computing local gains…"     # what a view says where a gain will be


class Stopped(Exception):
    """compute_trace stopped because its should_stop() said so (a newer request superseded it)."""


def poll(should_stop) -> None:
    if should_stop is not None and should_stop():
        raise Stopped


def _scaled_steps(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(v / s, s) with s (T,) the largest |entry| of each step v[:, :, t] (1 where that is 0 or not
    finite), so that finite values near 1e200 (ReLU blowing up) do not overflow when squared."""
    with np.errstate(invalid="ignore"):
        s = np.max(np.abs(v), axis=(0, 1)) if v.size else np.zeros(v.shape[-1])
    s = np.where(np.isfinite(s) & (s > 0), s, 1.0)
    return v / s, s


def _gram(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((T, m, m) Gram matrices of v<t> / s<t>, s (T,)): the step's largest |entry| s kept apart, so
    that sqrt(gram) * s stays finite for finite v near 1e200."""
    u, s = _scaled_steps(v)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.einsum("imt,int->tmn", u, u), s


def _step_norms(v: np.ndarray) -> np.ndarray:
    """(T,) Frobenius norm of v[:, :, t] without overflow; inf / NaN entries stay inf / NaN."""
    u, s = _scaled_steps(v)
    return s * np.sqrt(np.einsum("imt,imt->t", u, u))


def _first_bad(arrays: list[np.ndarray], reverse: bool = False) -> int | None:
    """First (or last) step at which any of the time-major arrays holds inf/NaN."""
    ok = None
    for arr in arrays:
        good = np.isfinite(arr).reshape(arr.shape[0], -1).all(axis=1)
        ok = good if ok is None else ok & good
    if ok is None or ok.all():
        return None
    bad = np.flatnonzero(~ok)
    return int(bad[-1] if reverse else bad[0])


__all__ = ["ARCHITECTURES", "ARCHITECTURE_HELP", "LayerTrace", "Segment", "StateRef", "Stopped", "Trace", "poll"]
