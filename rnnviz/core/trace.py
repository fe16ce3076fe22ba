"""One forward pass + BPTT into a `Trace`: everything the views show, computed once.

Public arrays use the notes' layout, (n, m, T); steps are 0-based in code and shown 1-based.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .jacobians import influence_matrix, influence_too_big, local_gains
from .losses import check_loss, default_loss, output_loss
from .params import PARAM_NAMES, Params, as_float64, check_params, sigma_max, spectral_radius
from .rnn import _flat, backprop_hidden, matmul_steps, rnn_forward_tm, weight_grads
from .sequences import SequenceData

ARCHITECTURES = ("many-to-many", "many-to-one", "one-to-many")
ARCHITECTURE_HELP = {
    "many-to-many": "an output and a loss at every step (Tx = Ty)",
    "many-to-one": "the whole sequence in, one output and loss at the last step",
    "one-to-many": "only the first input is fed; the network must produce the rest",
}


def _nm(arr_tm: np.ndarray) -> np.ndarray:
    """time-major (T, n, m) -> the notes' layout (n, m, T), as a view."""
    return np.moveaxis(arr_tm, 0, -1)


def _tm(arr_nm: np.ndarray) -> np.ndarray:
    """the notes' layout (n, m, T) -> contiguous time-major (T, n, m)."""
    return np.ascontiguousarray(np.moveaxis(arr_nm, -1, 0))


@dataclass
class Trace:
    """The forward pass, the losses and BPTT of one sequence through one set of weights."""

    seq: SequenceData
    params: Params
    activation: str
    loss_name: str
    architecture: str
    # forward, notes' layout (n, m, T)
    x: np.ndarray
    z: np.ndarray
    a: np.ndarray
    a0: np.ndarray            # (n_a, m)
    logits: np.ndarray
    y_hat: np.ndarray
    y: np.ndarray             # targets, output-shaped
    loss_steps: np.ndarray    # (m, T) per-step loss of each sequence
    step_weight: np.ndarray   # (T,) 1 where the loss counts
    input_weight: np.ndarray  # (T,) 1 where the input is fed
    # backward
    da_direct: np.ndarray     # (n_a, m, T) dL<t>/da<t> through ŷ<t> only
    da: np.ndarray            # (n_a, m, T) total dL/da<t>, from ŷ<t> plus from a<t+1>
    dz: np.ndarray            # (n_a, m, T) dL/dz<t>
    da_last: np.ndarray       # (n_a, m, T) dL<T>/da<t>: the last step's loss alone
    da0: np.ndarray           # (n_a, m) gradient reaching a<0>
    grads: dict               # dL/dparam for every weight, L = sum_t L<t>
    # diagnostics
    gprime: np.ndarray        # (n_a, m, T) g'(z<t>)
    local_gain: np.ndarray    # (m, T) ||diag(g'(z<t>)) Waa||_2
    sigma_max: float          # ||Waa||_2
    rho: float                # spectral radius of Waa
    gamma: float              # bound on |g'|
    first_nonfinite: int | None       # first step (0-based) whose a, ŷ or loss is inf/NaN
    first_nonfinite_grad: int | None  # first step, going back from T, whose gradient is inf/NaN
    compute_seconds: float = 0.0
    influence: np.ndarray | None = None   # (T, T) ||dL<t>/da<k>||, k <= t, when asked for
    influence_message: str | None = None  # why it was not computed
    extras: dict = field(default_factory=dict)

    # sizes
    @property
    def T(self) -> int:
        return int(self.a.shape[2])

    @property
    def n_a(self) -> int:
        return int(self.a.shape[0])

    @property
    def n_x(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_y(self) -> int:
        return int(self.y_hat.shape[0])

    @property
    def m(self) -> int:
        return int(self.a.shape[1])

    # losses
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

    # gradient sizes for the views (Frobenius norm over units and batch)
    @property
    def da_norm(self) -> np.ndarray:
        """(T,) ||dL/da<t>||."""
        return _step_norms(self.da)

    @property
    def da_last_norm(self) -> np.ndarray:
        """(T,) ||dL<T>/da<t>||."""
        return _step_norms(self.da_last)

    def pascanu_bound(self) -> np.ndarray:
        """(T,) the envelope (gamma sigma_max)^(T-t): ||da<T>/da<t>|| can be no larger."""
        t = np.arange(1, self.T + 1)
        with np.errstate(over="ignore"):
            return (self.gamma * self.sigma_max) ** (self.T - t).astype(float)

    def step_contributions(self) -> dict[str, np.ndarray]:
        """(T,) Frobenius norm of each step's contribution to dWax, dWaa, dba.

        ||dz<t> v<t>^T||_F^2 = sum over batch pairs of (dz^T dz) * (v^T v), without forming the matrix.
        """
        a_prev = np.concatenate([self.a0[:, :, None], self.a[:, :, :-1]], axis=2)
        dz, sz = _scaled_steps(self.dz)   # each step divided by its largest |entry|: no overflow
        with np.errstate(over="ignore", invalid="ignore"):
            gz = np.einsum("imt,int->tmn", dz, dz)
            out = {}
            for name, v in (("Wax", self.x), ("Waa", a_prev)):
                v, sv = _scaled_steps(v)
                gv = np.einsum("imt,int->tmn", v, v)
                out[name] = sz * sv * np.sqrt(np.maximum(np.sum(gz * gv, axis=(1, 2)), 0.0))
            out["ba"] = sz * np.sqrt(np.einsum("tmn->t", gz))
        return out

    def partial_grads(self, t: int) -> dict[str, np.ndarray]:
        """dWax, dWaa, dba summed over steps t..T-1 (0-based): what BPTT has gathered on reaching step t."""
        dz = _tm(self.dz[:, :, t:])
        x = _tm(self.x[:, :, t:])
        a_prev = np.concatenate([self.a0[:, :, None], self.a[:, :, :-1]], axis=2)[:, :, t:]
        dzf = _flat(dz)
        with np.errstate(over="ignore", invalid="ignore"):
            return {
                "Wax": dzf @ _flat(x).T,
                "Waa": dzf @ _flat(_tm(a_prev)).T,
                "ba": dzf.sum(axis=1, keepdims=True),
            }


def _first_bad(arr_tm: np.ndarray, reverse: bool = False) -> int | None:
    ok = np.isfinite(arr_tm).reshape(arr_tm.shape[0], -1).all(axis=1)
    if ok.all():
        return None
    bad = np.flatnonzero(~ok)
    return int(bad[-1] if reverse else bad[0])


class Stopped(Exception):
    """compute_trace stopped because its should_stop() said so (a newer request superseded it)."""


def poll(should_stop) -> None:
    if should_stop is not None and should_stop():
        raise Stopped


def compute_trace(
    params: Params,
    seq: SequenceData,
    activation: str = "tanh",
    loss: str | None = None,
    architecture: str = "many-to-many",
    a0: np.ndarray | None = None,
    influence: bool = False,
    gains: bool = True,
    should_stop=None,
) -> Trace:
    """Forward pass, losses and full BPTT for `seq` through `params` (float64).

    should_stop: None or a callable polled between the stages; True raises Stopped."""
    t_start = time.perf_counter()
    act = get_activation(activation)
    loss = loss or default_loss(seq.kind)
    check_loss(loss, seq.kind, seq.y)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of {', '.join(ARCHITECTURES)}")
    n_x, n_a, n_y = check_params(params, seq.n_x, seq.n_y)  # clear messages before any conversion
    p = as_float64(params)
    T, m = seq.T, seq.m
    if a0 is None:
        a0 = np.zeros((n_a, m))
    a0 = np.asarray(a0, dtype=np.float64)
    if a0.shape != (n_a, m):
        raise ValueError(f"a<0> has shape {a0.shape}, expected ({n_a}, {m})")

    step_weight = np.ones(T)
    input_weight = np.ones(T)
    if architecture == "many-to-one":
        step_weight[:-1] = 0.0
    elif architecture == "one-to-many":
        input_weight[1:] = 0.0

    x_tm = _tm(seq.x) * input_weight[:, None, None]
    y_tm = _tm(seq.y)
    cache = rnn_forward_tm(p["Wax"], p["Waa"], p["ba"], x_tm, a0, act)
    poll(should_stop)
    with np.errstate(over="ignore", invalid="ignore"):
        logits = matmul_steps(p["Wya"], cache.a) + p["by"][None]
    y_hat, L, dlogits = output_loss(loss, logits, y_tm, step_weight)
    with np.errstate(over="ignore", invalid="ignore"):
        da_direct = matmul_steps(p["Wya"].T, dlogits)           # dL<t>/da<t> through ŷ<t>
    da, dz, da0 = backprop_hidden(p["Waa"], cache.gprime, da_direct)
    grads = weight_grads(cache, dz)
    with np.errstate(over="ignore", invalid="ignore"):
        grads["Wya"] = _flat(dlogits) @ _flat(cache.a).T
        grads["by"] = _flat(dlogits).sum(axis=1, keepdims=True)
    grads = {k: grads[k] for k in PARAM_NAMES}
    # the last step's loss alone: the same recurrence, fed only at step T
    last_direct = np.zeros_like(da_direct)
    last_direct[-1] = da_direct[-1]
    da_last, _, _ = backprop_hidden(p["Waa"], cache.gprime, last_direct)
    poll(should_stop)

    if gains:
        lg = local_gains(p["Waa"], cache.gprime).T
    else:
        lg = np.full((m, T), np.nan)
    poll(should_stop)
    infl, infl_msg = None, None
    if influence:
        infl_msg = influence_too_big(T, n_a, m)
        if infl_msg is None:
            infl = influence_matrix(p["Waa"], cache.gprime, da_direct)
    poll(should_stop)

    return Trace(
        seq=seq, params=p, activation=activation, loss_name=loss, architecture=architecture,
        x=_nm(x_tm), z=_nm(cache.z), a=_nm(cache.a), a0=a0, logits=_nm(logits), y_hat=_nm(y_hat),
        y=seq.y, loss_steps=L.T, step_weight=step_weight, input_weight=input_weight,
        da_direct=_nm(da_direct), da=_nm(da), dz=_nm(dz), da_last=_nm(da_last), da0=da0, grads=grads,
        gprime=_nm(cache.gprime), local_gain=lg, sigma_max=sigma_max(p["Waa"]),
        rho=spectral_radius(p["Waa"]), gamma=act.gamma,
        first_nonfinite=_first_bad(np.concatenate([cache.a, y_hat, L[:, None, :]], axis=1)),
        first_nonfinite_grad=_first_bad(da, reverse=True),
        compute_seconds=time.perf_counter() - t_start,
        influence=infl, influence_message=infl_msg,
    )


def _scaled_steps(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(v / s, s) with s (T,) the largest |entry| of each step v[:, :, t] (1 where that is 0 or not
    finite), so that finite values near 1e200 (ReLU blowing up) do not overflow when squared."""
    with np.errstate(invalid="ignore"):
        s = np.max(np.abs(v), axis=(0, 1)) if v.size else np.zeros(v.shape[-1])
    s = np.where(np.isfinite(s) & (s > 0), s, 1.0)
    return v / s, s


def _step_norms(v: np.ndarray) -> np.ndarray:
    """(T,) Frobenius norm of v[:, :, t] without overflow; inf / NaN entries stay inf / NaN."""
    u, s = _scaled_steps(v)
    return s * np.sqrt(np.einsum("imt,imt->t", u, u))
