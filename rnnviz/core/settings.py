"""The settings of a run (Config) and the pure function that computes it: run_config(Config, weights)
-> Trace. Qt-free and file-free, so the window, the CLI and sessions share one definition of what a
run is; a session stores Config's fields, typed by Config.field_types().
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from .activations import get_activation
from .cells import CELLS
from .clipping import CLIP_MODES
from .compute import compute_trace, model_spec
from .losses import check_loss, default_loss, one_hot
from .notes_example import example as batch_example
from .notes_example import notes_sequence
from .params import check_model_params, init_model_params, model_radius, rescale_radius
from .sequences import SequenceData, make_sequence, pair_sequence, text_sequence
from .spec import MAX_LAYERS, ModelSpec
from .trace import ARCHITECTURES, Stopped, Trace, poll  # noqa: F401 - Stopped: run_config's contract

# work (in multiply-adds, roughly) above which a recomputation runs off the GUI thread
ASYNC_COST = 2e7
MAX_HIDDEN = 2048
MAX_STEPS = 100_000
MAX_SEED = 2**31 - 1          # the seed spin box's range (a C int); sessions and the CLI are held to it too
MAX_RADIUS = 100.0
A0_MODES = ("zero", "given")
MAX_BATCH = 10_000
MAX_OUTPUTS = 10_000_000      # steps x output units x batch: each (T, n_y, m) array stays under 80 MB
# The model's weights: a 4-layer bidirectional LSTM of 2048 units has 336 million (2.5 GB, and as much
# again for their gradients); 40 million (320 MB) still holds a 2048-unit LSTM layer or a 2-layer GRU
MAX_WEIGHTS = 40_000_000
# The trace's memory at its peak, about TRACE_BYTES_PER_VALUE bytes per state value (steps x batch x
# units x layers x directions) and gate (measured: 150 for the vanilla cell, 134-154 per gate for GRU
# and LSTM): 1.5 GB holds 100,000 steps of 100 vanilla units, or 10,000 of 250 LSTM units
MAX_TRACE_BYTES = 1.5 * 2**30
TRACE_BYTES_PER_VALUE = 150


@dataclass(frozen=True)
class Config:
    """Everything that decides the trace. Immutable: change it with AppState.update_config(...)."""

    source: str = "hello world"
    kind: str = "auto"              # auto | text | numbers
    hidden: int = 16                # n_a
    activation: str = "tanh"        # tanh | relu (the vanilla cell's g)
    loss: str = "auto"              # auto | cross_entropy | bce | mse
    architecture: str = "many-to-many"
    radius: float = 0.9             # spectral radius of every recurrent block
    seed: int = 0
    flow: str = "total"             # what flows back in the animation: total L or last-step L<T>
    clip_mode: str = "none"         # none | norm | value
    clip_threshold: float = 5.0
    cell: str = "rnn"               # rnn | gru | lstm
    layers: int = 1
    bidirectional: bool = False
    forget_bias: float = 1.0        # the LSTM forget gate's initial bias
    target: str = ""                # the decoder's text (encoder–decoder)
    vocab: str = ""                 # the characters the weights were made for ("": the text's own)
    a0: str = "zero"                # zero | given: a⟨0⟩ = 0, or the one the input comes with (the notes')
    example: int = 0                # which sequence of a batch (m > 1) the views show, 0-based

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)

    @classmethod
    def field_types(cls) -> dict[str, type]:
        """Each setting's type (str, int, float, bool), for checking a session's JSON."""
        return {f.name: {"str": str, "int": int, "float": float, "bool": bool}[f.type] for f in fields(cls)}

    @property
    def encoder_decoder(self) -> bool:
        return self.architecture == "encoder-decoder"


def _whole(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def check_hidden(n_a) -> None:
    """ValueError unless n_a is a hidden size rnnviz computes with: the one rule for the window's
    settings, sessions, `export` and `train` (whose --hidden has no Config to check)."""
    if not _whole(n_a) or not 1 <= n_a <= MAX_HIDDEN:
        raise ValueError(f"the hidden size must be a whole number from 1 to {MAX_HIDDEN}, not {n_a}")


def check_config(c: Config) -> None:
    """ValueError naming the first bad setting."""
    check_hidden(c.hidden)
    if not math.isfinite(c.radius) or not 0 <= c.radius <= MAX_RADIUS:
        raise ValueError(f"the spectral radius must be between 0 and {MAX_RADIUS:g}, not {c.radius}")
    if not _whole(c.seed) or not 0 <= c.seed <= MAX_SEED:
        raise ValueError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {c.seed}")
    if c.flow not in ("total", "last"):
        raise ValueError(f"unknown gradient flow {c.flow!r}; choose total or last")
    if c.clip_mode not in CLIP_MODES:
        raise ValueError(f"unknown clipping {c.clip_mode!r}; choose one of {', '.join(CLIP_MODES)}")
    if c.clip_mode != "none" and not (math.isfinite(c.clip_threshold) and c.clip_threshold > 0):
        raise ValueError(f"the clipping threshold must be a positive number, not {c.clip_threshold}")
    if c.cell not in CELLS:
        raise ValueError(f"unknown cell {c.cell!r}; choose one of {', '.join(CELLS)}")
    if not _whole(c.layers) or not 1 <= c.layers <= MAX_LAYERS:
        raise ValueError(f"the number of layers must be from 1 to {MAX_LAYERS}, not {c.layers}")
    if not isinstance(c.bidirectional, (bool, np.bool_)):
        raise ValueError(f"bidirectional must be true or false, not {c.bidirectional!r}")
    if not math.isfinite(c.forget_bias) or abs(c.forget_bias) > 100:
        raise ValueError(f"the forget-gate bias must be between -100 and 100, not {c.forget_bias}")
    if c.a0 not in A0_MODES:
        raise ValueError(f"unknown a⟨0⟩ {c.a0!r}; choose one of {', '.join(A0_MODES)}")
    if not _whole(c.example) or not 0 <= c.example < MAX_BATCH:
        raise ValueError(f"the example shown must be a whole number from 1 to {MAX_BATCH}, not {c.example}")
    if c.architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {c.architecture!r}; choose one of {', '.join(ARCHITECTURES)}")
    if c.encoder_decoder and c.bidirectional:
        ModelSpec(bidirectional=True, encoder_decoder=True).check()     # its message says why
    if not isinstance(c.vocab, str) or len(set(c.vocab)) != len(c.vocab):
        raise ValueError("the vocabulary must list each character once")


def make_run_sequence(c: Config) -> SequenceData:
    """The sequence this config runs: the typed text or numbers, a source → target pair, or (kind
    "notes") the notes' test input. One longer than MAX_STEPS is refused (check_steps) as soon as its
    length is known, before its tokens and vocabulary are built."""
    if c.kind == "notes":
        if c.encoder_decoder:
            raise ValueError("the notes' test input is one batch of sequences, not a source → target pair")
        return notes_sequence()
    if c.encoder_decoder:
        if c.kind == "numbers":
            raise ValueError("an encoder–decoder reads and writes text: type a source and a target text")
        return pair_sequence(c.source, c.target, check_steps=check_steps)
    if c.vocab and c.kind != "numbers":
        seq = make_sequence(c.source, c.kind, check_steps)
        if seq.kind == "text":       # the trained (or imported) weights' characters, in their order
            return text_sequence(c.source, tuple(c.vocab))
        return seq
    return make_sequence(c.source, c.kind, check_steps)


def spec_of(c: Config, seq: SequenceData) -> ModelSpec:
    return ModelSpec(c.cell, c.activation, seq.n_x, c.hidden, seq.n_y, c.layers, c.bidirectional, c.encoder_decoder)


def _largest_hidden(fits) -> int:
    """The largest hidden size from 1 to MAX_HIDDEN for which fits(n_a) holds (0 if none); fits grows with n_a."""
    lo, hi = 0, MAX_HIDDEN
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
    return lo


def check_size(spec: ModelSpec, seq: SequenceData) -> None:
    """ValueError if the model's weights or its trace would hold more than rnnviz computes with
    (MAX_WEIGHTS, MAX_TRACE_BYTES), saying which hidden size would fit: such a run would take
    gigabytes and minutes, and a machine's memory with them, before it showed anything."""
    def weights(n_a: int) -> int:
        return replace(spec, n_a=n_a).param_count()

    def trace_bytes(n_a: int) -> float:
        return float(TRACE_BYTES_PER_VALUE) * spec.gates * seq.T * seq.m * n_a * spec.layers * spec.dirs

    what = f"a {spec.title()} of {spec.n_a:,} units"
    n = weights(spec.n_a)
    if n > MAX_WEIGHTS:
        fit = _largest_hidden(lambda n_a: weights(n_a) <= MAX_WEIGHTS)
        raise ValueError(f"{what} has {n / 1e6:,.0f} million weights ({n * 8 / 2**30:.1f} GB); rnnviz computes "
                         f"with at most {MAX_WEIGHTS / 1e6:.0f} million: "
                         + (f"choose at most {fit:,} hidden units, or fewer layers or directions" if fit
                            else "choose fewer layers or directions"))
    need = trace_bytes(spec.n_a)
    if need > MAX_TRACE_BYTES:
        fit = _largest_hidden(lambda n_a: trace_bytes(n_a) <= MAX_TRACE_BYTES)
        steps = f"{seq.T:,} steps" + (f" × {seq.m:,} sequences" if seq.m > 1 else "")
        raise ValueError(f"{steps} of {what} need about {need / 2**30:.1f} GB of memory; rnnviz holds up to "
                         f"{MAX_TRACE_BYTES / 2**30:.1f} GB: "
                         + (f"choose at most {fit:,} hidden units, or a shorter sequence" if fit
                            else "use a shorter sequence or fewer layers or directions"))


def check_steps(T: int) -> None:
    """ValueError if a sequence of T steps is longer than rnnviz shows (make_run_sequence asks before
    it builds the sequence)."""
    if T > MAX_STEPS:
        raise ValueError(f"the sequence has {T:,} steps; rnnviz shows at most {MAX_STEPS:,}")


def check_sequence_size(seq: SequenceData) -> None:
    """ValueError if the sequence has more steps, or steps × outputs, than rnnviz holds."""
    check_steps(seq.T)
    if seq.T * seq.n_y * seq.m > MAX_OUTPUTS:
        raise ValueError(f"{seq.T:,} steps × {seq.n_y:,} outputs (one per distinct character) is more than "
                         f"rnnviz holds ({MAX_OUTPUTS:,} predictions): use a shorter text or fewer distinct "
                         "characters")


def prepare_run(c: Config, base: dict | None = None) -> tuple[SequenceData, str]:
    """(sequence, loss) after every check run_config makes, without computing: ValueError if it would fail."""
    check_config(c)
    seq = make_run_sequence(c)
    check_sequence_size(seq)
    get_activation(c.activation)
    spec = spec_of(c, seq) if base is None else model_spec(base, seq, c.activation, c.architecture, c.cell,
                                                          c.layers, c.bidirectional)
    check_size(spec, seq)
    if base is not None:
        if seq.kind == "text" and spec.notes_naming and np.shape(base["Wax"])[-1] != seq.n_x:
            raise ValueError(f"the imported weights take {np.shape(base['Wax'])[-1]} inputs (one per character) "
                             f"but this text has {seq.n_x} different characters: use the characters the weights "
                             "were made for, or draw new random weights")
        check_model_params(spec, base)
    if c.a0 == "given":
        if seq.a0 is None:
            raise ValueError("this sequence comes with no a⟨0⟩: choose a⟨0⟩ = 0 (the notes' test input gives one)")
        n_a = int(np.shape(base[spec.layer_names(0, 0, 0)[1]])[1]) if base is not None else c.hidden
        if seq.a0.shape[0] != n_a:
            raise ValueError(f"the given a⟨0⟩ has {seq.a0.shape[0]} units but the model has n_a = {n_a}: "
                             f"choose a⟨0⟩ = 0 or a hidden size of {seq.a0.shape[0]}")
    if c.example >= seq.m:
        raise ValueError(f"example {c.example + 1} does not exist: this input has {seq.m} sequence(s)")
    auto = "cross_entropy" if one_hot(seq.y_values) else default_loss(seq.kind)
    loss = auto if c.loss == "auto" else c.loss
    check_loss(loss, seq.kind, seq.y_values)
    return seq, loss


def build_params(c: Config, seq: SequenceData, base: dict | None) -> dict:
    """The weights for this config: imported ones (recurrent blocks rescaled to the radius) or a seeded draw."""
    spec = spec_of(c, seq) if base is None else model_spec(base, seq, c.activation, c.architecture, c.cell,
                                                          c.layers, c.bidirectional)
    if base is not None:
        p = {k: np.array(v, dtype=np.float64) for k, v in base.items()}
        if not math.isclose(model_radius(spec, p), c.radius, rel_tol=1e-9, abs_tol=1e-12):
            p = rescale_radius(spec, p, c.radius)
        return p
    return init_model_params(spec, seed=c.seed, radius=c.radius, forget_bias=c.forget_bias)


def config_for_weights(c: Config, params: dict, radius: float | None = None) -> Config:
    """`c` made to run imported weights: their cell, layers, directions and hidden size, and the radius
    of their recurrent blocks unless given. Checked as a run is (sizes, the radius, the fit to c's
    sequence), so weights that can't be shown are refused before anything uses them: the window's
    import, sessions and the CLI's --weights."""
    from .naming import read_model

    spec, params, _ = read_model(params, "the weights")
    if not 1 <= spec.n_a <= MAX_HIDDEN:
        raise ValueError(f"the weights have n_a = {spec.n_a} hidden units; rnnviz shows a hidden size "
                         f"of 1 to {MAX_HIDDEN}")
    rho = model_radius(spec, params) if radius is None else radius
    if not (math.isfinite(rho) and 0 <= rho <= MAX_RADIUS):
        raise ValueError(f"the weights' recurrent matrix has spectral radius {rho:.3g}; rnnviz works with 0 to "
                         f"{MAX_RADIUS:g} (the weights are too large to compute with)")
    arch = "encoder-decoder" if spec.encoder_decoder else (
        c.architecture if c.architecture != "encoder-decoder" else "many-to-many")
    out = replace(c, hidden=spec.n_a, radius=float(rho), cell=spec.cell, layers=spec.layers,
                  bidirectional=spec.bidirectional, architecture=arch)
    prepare_run(out, params)
    return out


def run_config(c: Config, base: dict | None = None, influence: bool = True, should_stop=None,
               gains: bool = True) -> Trace:
    """Pure: config (+ optional imported weights) -> trace. Raises ValueError on bad input.

    should_stop: a callable polled between the stages (background jobs: a newer request came);
    when it returns True, Stopped is raised. gains=False: the trace comes without its local gains
    (trace.gains_ready False; compute.compute_gains fills them in), and a batch's own trace
    (extras["batch"], which no view reads the gains of) has none either."""
    seq, loss = prepare_run(c, base)
    poll(should_stop)
    p = build_params(c, seq, base)
    poll(should_stop)
    a0 = seq.a0 if c.a0 == "given" else None
    kw = dict(cell=c.cell, layers=c.layers, bidirectional=c.bidirectional, should_stop=should_stop, gains=gains)
    tr = compute_trace(p, seq, c.activation, loss, c.architecture, a0=a0, influence=influence and seq.m == 1, **kw)
    if seq.m == 1:
        return tr
    # a batch: the views show one of its sequences. Each runs independently of the others, so the
    # sequence alone gives exactly its part of the batch (states, outputs, losses, dL/da<t>); its weight
    # gradients are its share of the batch's, which are their sum. The batch's own trace rides along.
    one = batch_example(seq, c.example)
    shown = compute_trace(p, one, c.activation, loss, c.architecture, a0=one.a0 if a0 is not None else None,
                          influence=influence, **kw)
    shown.extras["batch"] = tr
    shown.extras["example"] = c.example
    return shown


GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def estimated_cost(c: Config) -> float:
    """Rough multiply-adds of run_config, to decide whether to compute off the GUI thread: the
    recurrence (forward, two backward passes, local gains) plus the read-out over every output."""
    T = max(len(c.source) + (len(c.target) + 1 if c.encoder_decoder else 0), 1)
    n_y = max(len(set(c.source) | set(c.target) | set(c.vocab)), 1) if c.kind != "numbers" else 1
    dirs = 2 if c.bidirectional else 1
    rec = 90.0 * GATES.get(c.cell, 4) * c.hidden * c.hidden * c.layers * dirs
    readout = 30.0 * n_y * (c.hidden * dirs + 1)
    return T * (rec + readout)
