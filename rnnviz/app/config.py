"""The settings of a run and the pure function that computes it (Qt-free, so the CLI can use it).

Config holds everything that decides the trace; run_config(Config, imported weights) -> Trace.
AppState (state.py) keeps one Config and calls run_config, on or off the GUI thread.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from rnnviz.core import ARCHITECTURES, SequenceData, compute_trace, init_params, make_sequence
from rnnviz.core.activations import get_activation
from rnnviz.core.clipping import CLIP_MODES
from rnnviz.core.losses import check_loss, default_loss
from rnnviz.core.params import check_params, scale_to_radius, spectral_radius
from rnnviz.core.trace import Stopped, Trace, poll  # noqa: F401 - Stopped is part of run_config's contract

FORWARD = "forward"
BACKWARD = "backward"

# work (in multiply-adds, roughly) above which a recomputation runs off the GUI thread
ASYNC_COST = 2e7
MAX_HIDDEN = 2048
MAX_STEPS = 100_000
MAX_RADIUS = 100.0
MAX_SEED = 2**31 - 1   # the seed spin box's range (a C int); sessions and the CLI are held to it too


@dataclass(frozen=True)
class Config:
    """Everything that decides the trace. Immutable: change it with AppState.update_config(...)."""

    source: str = "hello world"
    kind: str = "auto"              # auto | text | numbers
    hidden: int = 16                # n_a
    activation: str = "tanh"        # tanh | relu
    loss: str = "auto"              # auto | cross_entropy | bce | mse
    architecture: str = "many-to-many"
    radius: float = 0.9             # spectral radius of Waa
    seed: int = 0
    flow: str = "total"             # what flows back in the animation: total L or last-step L<T>
    clip_mode: str = "none"         # none | norm | value
    clip_threshold: float = 5.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


@dataclass(frozen=True)
class ViewOptions:
    theme: str = "light"            # light | dark
    presentation: bool = False      # large fonts for projectors


def check_config(c: Config) -> None:
    """ValueError naming the first bad setting."""
    if not isinstance(c.hidden, int) or not 1 <= c.hidden <= MAX_HIDDEN:
        raise ValueError(f"the hidden size must be a whole number from 1 to {MAX_HIDDEN}, not {c.hidden}")
    if not math.isfinite(c.radius) or not 0 <= c.radius <= MAX_RADIUS:
        raise ValueError(f"the spectral radius must be between 0 and {MAX_RADIUS:g}, not {c.radius}")
    if not isinstance(c.seed, (int, np.integer)) or isinstance(c.seed, bool) or not 0 <= c.seed <= MAX_SEED:
        raise ValueError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {c.seed}")
    if c.flow not in ("total", "last"):
        raise ValueError(f"unknown gradient flow {c.flow!r}; choose total or last")
    if c.clip_mode not in CLIP_MODES:
        raise ValueError(f"unknown clipping {c.clip_mode!r}; choose one of {', '.join(CLIP_MODES)}")
    if c.clip_mode != "none" and not (math.isfinite(c.clip_threshold) and c.clip_threshold > 0):
        raise ValueError(f"the clipping threshold must be a positive number, not {c.clip_threshold}")


def build_params(c: Config, n_x: int, n_y: int, base: dict | None) -> dict:
    """The weights for this config: imported ones (Waa rescaled to the radius) or a seeded draw."""
    if base is not None:
        p = {k: v.copy() for k, v in base.items()}
        check_params(p, n_x, n_y)
        if not math.isclose(spectral_radius(p["Waa"]), c.radius, rel_tol=1e-9, abs_tol=1e-12):
            p["Waa"] = scale_to_radius(p["Waa"], c.radius)
        return p
    return init_params(n_x, c.hidden, n_y, seed=c.seed, radius=c.radius)


def prepare_run(c: Config, base: dict | None = None) -> tuple[SequenceData, str]:
    """(sequence, loss) after every check run_config makes, without computing: ValueError if it would fail."""
    check_config(c)
    seq = make_sequence(c.source, c.kind)
    if seq.T > MAX_STEPS:
        raise ValueError(f"the sequence has {seq.T:,} steps; rnnviz shows at most {MAX_STEPS:,}")
    if base is not None:
        n_x = np.shape(base["Wax"])[-1]
        if seq.kind == "text" and n_x != seq.n_x:
            raise ValueError(f"the imported weights take {n_x} inputs (one per character) but this text has "
                             f"{seq.n_x} different characters: use the characters the weights were made for, "
                             "or draw new random weights")
        check_params(base, seq.n_x, seq.n_y)
    loss = default_loss(seq.kind) if c.loss == "auto" else c.loss
    check_loss(loss, seq.kind, seq.y)
    get_activation(c.activation)
    if c.architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {c.architecture!r}; choose one of {', '.join(ARCHITECTURES)}")
    return seq, loss


def config_for_weights(c: Config, params: dict, radius: float | None = None) -> Config:
    """`c` made to run imported weights: hidden = their n_a, radius = rho(Waa) unless given.

    Checked as a run is (sizes, the radius, the fit to c's sequence), so weights that can't be
    shown are refused before anything uses them: the window's import and the CLI's --weights.
    """
    n_a = int(np.shape(params["Waa"])[0])
    if not 1 <= n_a <= MAX_HIDDEN:
        raise ValueError(f"the weights have n_a = {n_a} hidden units; rnnviz shows a hidden size "
                         f"of 1 to {MAX_HIDDEN}")
    rho = spectral_radius(np.asarray(params["Waa"], dtype=np.float64)) if radius is None else radius
    if not (math.isfinite(rho) and 0 <= rho <= MAX_RADIUS):
        raise ValueError(f"the weights' Waa has spectral radius {rho:.3g}; rnnviz works with 0 to "
                         f"{MAX_RADIUS:g} (the weights are too large to compute with)")
    out = replace(c, hidden=n_a, radius=float(rho))
    prepare_run(out, params)
    return out


def run_config(c: Config, base: dict | None = None, influence: bool = True, should_stop=None) -> Trace:
    """Pure: config (+ optional imported weights) -> trace. Raises ValueError on bad input.

    should_stop: a callable polled between the stages (background jobs: a newer request came);
    when it returns True, Stopped is raised.
    """
    seq, loss = prepare_run(c, base)
    poll(should_stop)
    p = build_params(c, seq.n_x, seq.n_y, base)
    poll(should_stop)
    return compute_trace(p, seq, c.activation, loss, c.architecture, influence=influence,
                         should_stop=should_stop)


def estimated_cost(c: Config) -> float:
    """Rough multiply-adds of run_config, to decide whether to compute off the GUI thread."""
    T = max(len(c.source), 1)
    return T * c.hidden * c.hidden * 90.0
