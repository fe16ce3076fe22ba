"""`rnnviz export`: everything the CLI writes, computed and drawn without a screen.

Inputs are resolved and checked first (sequence or sequence file, session, weights, folder), then the
trace is computed by AppState exactly as in the window, the window's own views are rendered offscreen
(one at a time, each deleted once its files are written, so later steps never repaint it), and all
files are written into a hidden staging folder inside DIR that is moved into place only when
everything succeeded: a failure leaves DIR as it was. On a terminal, one line on stderr says what
is being done (computing, figure k of n, GIF frame i of n).
"""
from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from rnnviz.core import make_sequence
from rnnviz.interrupts import INTERRUPTS
from rnnviz.core.settings import check_sequence_size
from rnnviz.io.atomic import check_writable_dir
from rnnviz.io.session import load_session
from rnnviz.io.sources import read_source
from rnnviz.io.tables import save_grads_npz, save_trace_npz
from rnnviz.io.weights import check_fits, load_weights, save_params

# (module, class) of the figures, in file order; the window uses the same classes
FIGURES = (
    ("rnnviz.app.views.graph_view", "GraphView"),
    ("rnnviz.app.views.heatmap_view", "HiddenHeatmapView"),
    ("rnnviz.app.views.output_view", "OutputView"),
    ("rnnviz.app.views.loss_view", "LossView"),
    ("rnnviz.app.views.gradient_view", "GradientView"),
    ("rnnviz.app.views.influence_view", "InfluenceView"),
)
CELL_VIEW = ("rnnviz.app.views.gate_view", "CellView")
FIGURE_SIZE = (1200, 700)   # logical pixels; --scale multiplies them
GRAPH_SIZE = (1400, 560)


_APP = None  # kept alive until exit: Qt objects must not outlive the application


class ExportError(Exception):
    """A problem with the user's input or folder: reported in one line, never a traceback."""


class Progress:
    """One line on stderr, rewritten in place, only when stderr is a terminal (never in pipes or logs)."""

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._shown = False

    def __call__(self, message: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K" + message)
            self.stream.flush()
            self._shown = True

    def note(self, message: str) -> None:
        """A line that stays (always printed)."""
        self.clear()
        print(f"rnnviz: note: {message}", file=self.stream)

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def close_views(views) -> None:
    """Delete the offscreen widgets while the application still runs (avoids a crash at exit)."""
    from PySide6.QtWidgets import QApplication

    for v in views:
        v.figure_widget().close()
        v.deleteLater()
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def ensure_app():
    """A QApplication, offscreen when there is no display."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    global _APP
    _APP = QApplication.instance() or QApplication(["rnnviz"])
    if not _APP.property("rnnviz_quiet"):
        _APP.setProperty("rnnviz_quiet", True)
        previous = qInstallMessageHandler(None)

        def quiet(mode, context, message):
            # the offscreen platform says so for every widget laid out without a screen: harmless
            if "propagateSizeHints" in message:
                return
            if previous is not None:
                previous(mode, context, message)
            else:
                sys.stderr.write(message + "\n")

        qInstallMessageHandler(quiet)
    return _APP


def _source(args) -> tuple[str, str] | None:
    """(source, kind) from --text/--numbers or their -file forms; None for a session."""
    for opt, kind in (("text", "text"), ("numbers", "numbers")):
        if getattr(args, opt, None) is not None:
            return getattr(args, opt), kind
        path = getattr(args, f"{opt}_file", None)
        if path is not None:
            return read_source(path, kind), kind
    return None


def resolve(args):
    """(Config, base params or None, radius for them, cursor position or None) from the options."""
    from rnnviz.app.config import Config, config_for_weights, make_run_sequence

    settings, params, position = Config().to_dict(), None, None
    src = _source(args)
    example = getattr(args, "example", None)
    if example is not None:   # a built-in example, as the window's button (the notes' one: its weights and a⟨0⟩)
        from rnnviz.io import examples

        settings.update(examples.settings(example))
        params = examples.params(example)
        if params is not None:
            _keep_the_examples_model(args, example)
    elif src is None:
        s = load_session(args.session)
        settings.update(s.settings)
        params, position = s.params, s.position
    else:
        settings.update(source=src[0], kind=src[1])
    for opt in ("hidden", "activation", "radius", "seed", "loss", "architecture", "flow", "cell", "layers",
                "bidirectional", "forget_bias", "target"):
        if getattr(args, opt, None) is not None:
            settings[opt] = getattr(args, opt)
    if settings.get("architecture") == "encoder-decoder" and not settings.get("target"):
        raise ValueError("--architecture encoder-decoder needs --target TEXT: what the decoder should write")
    if settings.get("target") and settings.get("architecture") != "encoder-decoder":
        raise ValueError("--target is the decoder's text: use it with --architecture encoder-decoder")
    if getattr(args, "sequence", None) is not None:
        settings["example"] = args.sequence - 1
    for opt, mode in (("clip_norm", "norm"), ("clip_value", "value")):
        if getattr(args, opt, None) is not None:
            settings.update(clip_mode=mode, clip_threshold=getattr(args, opt))
    file = getattr(args, "text_file", None) or getattr(args, "numbers_file", None)
    try:
        seq = make_run_sequence(Config.from_dict(settings))
        check_sequence_size(seq)
    except ValueError as e:
        raise ValueError(f"{file}: {e}" if file else str(e)) from None
    if getattr(args, "sequence", None) is not None and args.sequence > seq.m:
        raise ValueError(f"--sequence {args.sequence}: the input has {seq.m} sequence{'s' if seq.m > 1 else ''}"
                         + (" (--sequence picks one of a batch, such as --example notes' m = 10)" if seq.m == 1 else ""))
    if args.weights is not None:       # "" too: an empty name is an error, not "no weights"
        if getattr(args, "seed", None) is not None:
            raise ValueError(f"--seed draws random weights; --weights {args.weights} gives them: leave out one")
        w = load_weights(args.weights, getattr(args, "cell", None))
        try:
            check_fits(w, seq)
        except ValueError as e:
            raise ValueError(f"{args.weights} doesn't fit the sequence: {e}") from None
        if args.hidden is not None and args.hidden != w.n_a:
            raise ValueError(f"--hidden {args.hidden} contradicts {args.weights}, whose recurrent weights have "
                             f"n_a = {w.n_a}")
        for opt, have in (("layers", w.spec.layers), ("bidirectional", w.spec.bidirectional)):
            if getattr(args, opt, None) not in (None, have):
                raise ValueError(f"--{opt} contradicts {args.weights}, which holds a {w.spec.title()}")
        params = w.params
        try:  # the window's import makes the same checks (too many hidden units, an infinite radius)
            config = config_for_weights(Config.from_dict(settings), params, args.radius)
        except ValueError as e:
            raise ValueError(f"{args.weights} can't be used: {e}") from None
        check_model_options(args, config.cell, "--weights")
        return config, params, position
    config = Config.from_dict(settings)
    if params is not None:   # a session's weights: its own model (an example's: its own radius, unless --radius)
        config = config_for_weights(config, params, args.radius if example is not None else config.radius)
    check_model_options(args, config.cell, None if params is None else ("--example" if example else "--session"))
    return config, params, position


def check_model_options(args, cell: str, weights_from: str | None) -> None:
    """Refuse, in words, model options that would be silently ignored: the forget gate's bias of a
    cell without one (or of weights given by a file), a ReLU for a gated cell (GRU and LSTM use
    σ and tanh). `cell` is the model's; `weights_from` the option whose weights are used, if any.
    Shared by `export` and `train`."""
    fb = getattr(args, "forget_bias", None)
    if fb is not None and cell != "lstm":
        raise ValueError(f"--forget-bias is the LSTM forget gate's initial bias; this model is "
                         f"{_CELL_NAMES[cell]}: use it with --cell lstm")
    if fb is not None and weights_from:
        raise ValueError(f"--forget-bias sets the initial bias of random weights; {weights_from} gives the weights "
                         "(their forget gate's bias with them): leave out one")
    if getattr(args, "activation", None) == "relu" and cell != "rnn":
        raise ValueError(f"--activation relu is the vanilla cell's g; {_CELL_NAMES[cell]} computes with σ and "
                         "tanh: use it with --cell rnn")


_CELL_NAMES = {"rnn": "a vanilla RNN", "gru": "a GRU", "lstm": "an LSTM"}


def _keep_the_examples_model(args, example: str) -> None:
    """An example that comes with its weights (the notes') fixes the model: options that would need
    other weights are refused in words (--weights replaces them; --radius rescales their Waa)."""
    if getattr(args, "weights", None):
        return
    fixed = {"hidden": 5, "activation": "tanh", "cell": "rnn", "layers": 1, "bidirectional": False,
             "architecture": "many-to-many"}
    for opt, value in fixed.items():
        given = getattr(args, opt, None)
        if given is not None and given != value:
            flag = "--" + opt.replace("_", "-")
            raise ValueError(f"{flag} {'' if isinstance(given, bool) else given}".rstrip()
                             + f": --example {example} is the notes' one-layer tanh RNN with their weights "
                             f"(n_a = 5); give --weights FILE.npz for another model on the notes' input")
    if getattr(args, "seed", None) is not None:
        raise ValueError(f"--seed: --example {example} comes with the notes' weights, not random ones")


def compute(config, params):
    """The window's AppState on this config, computed synchronously; ValueError on bad input."""
    from rnnviz.app.state import AppState, check_config

    check_config(config)
    state = AppState(config)
    state.async_threshold = float("inf")
    if params is not None:
        state.set_base_params(params, config.radius)
    else:
        state.set_config(config)
    if state.input_error or state.trace is None:
        raise ValueError(state.input_error or "the trace could not be computed")
    return state


def figure_classes() -> list:
    """The figure view classes that exist in this build."""
    out = []
    for module, cls in FIGURES:
        try:
            out.append(getattr(importlib.import_module(module), cls))
        except (ImportError, AttributeError):
            print(f"rnnviz: note: the {cls} figure is not available in this build; skipped", file=sys.stderr)
    return out


def figure_plan(trace, classes) -> list[tuple]:
    """What the export draws for this model: (view class, (layer, direction) to select or None,
    options) per figure, in file order. The one-layer vanilla RNN gets the six figures it always had;
    other models follow their layers, directions and cell: a heatmap of a<t> for every layer-direction
    (hidden_states for the top layer's forward one, hidden_states_l0, hidden_states_l1_reverse, ...),
    of c<t> too for the LSTM (cell_states...), of every gate and the candidate of the top layer
    (forward_gate, update_gate, output_gate, candidate; reset_gate, keep_gate), the Cell view (cell)
    of the top layer at the cursor's step, and the gradients of all layers as curves
    (gradients_all_layers) beside the top layer's own."""
    from rnnviz.app.views import quantities as Q

    spec = trace.spec
    top = (spec.layers - 1, 0)
    states = spec.make_cell().state_names
    plan = []
    for cls in classes:
        name = cls.__name__
        if name == "HiddenHeatmapView" and not spec.notes_naming:
            maps = [(top, q.name) for q in Q.heatmap_order(spec.cell, spec.activation)]
            maps += [(ld, k) for ld in spec.layer_dirs()[::-1] if ld != top for k in states]
            plan += [(cls, ld, {"quantity": k}) for ld, k in maps]
            continue
        if name == "GradientView" and not spec.notes_naming:
            try:
                plan.append((getattr(importlib.import_module(CELL_VIEW[0]), CELL_VIEW[1]), top, {}))
            except (ImportError, AttributeError):
                print("rnnviz: note: the CellView figure is not available in this build; skipped", file=sys.stderr)
        plan.append((cls, top, {}))
        if name == "GradientView" and len(spec.layer_dirs()) > 1:
            plan.append((cls, top, {"all_layers": True}))
    return plan


def write_figure(view_cls, state, folder: Path, scale: float, select: tuple | None = None,
                 options: dict | None = None) -> None:
    """One figure as .png, .svg and .csv, from a view made for it (on layer-direction `select`, with
    `options`: a heatmap's quantity, the gradients of all layers) and deleted afterwards."""
    from rnnviz.app.export import save_csv, save_png, save_svg

    if select is not None:
        state.select(*select)
    v = view_cls(state)
    options = options or {}
    if "quantity" in options:
        v.choose_quantity(options["quantity"])
    if options.get("all_layers"):
        v.show_all_layers(True)
    try:
        v.figure_widget().resize(*(GRAPH_SIZE if v.figure_name == "graph" else FIGURE_SIZE))
        if hasattr(v, "fit_all"):
            v.fit_all()
        save_png(v, folder / f"{v.figure_name}.png", scale)
        save_svg(v, folder / f"{v.figure_name}.svg")
        save_csv(v, folder / f"{v.figure_name}.csv")
    finally:
        close_views([v])


def write_all(state, folder: Path, args, progress: Progress) -> list[str]:
    from rnnviz.app.export_anim import AnimOptions, export_animation

    tr = state.trace
    save_params(folder / "params.npz", tr.params)
    save_grads_npz(folder / "grads.npz", tr.grads)
    if state.clip is not None and state.clip.mode != "none":
        save_grads_npz(folder / "grads_clipped.npz", state.clip.grads)
    save_trace_npz(folder / "trace.npz", tr)
    classes = figure_classes()
    if tr.influence is None and any(c.__name__ == "InfluenceView" for c in classes):
        progress.note(f"no influence map (influence.png, .svg, .csv not written): {tr.influence_message}")
        classes = [c for c in classes if c.__name__ != "InfluenceView"]
    plan = figure_plan(tr, classes)
    for k, (view_cls, select, options) in enumerate(plan):
        INTERRUPTS.check()          # between two figures: a Ctrl-C since stops here, outside Qt's paints
        progress(f"figure {k + 1} of {len(plan)}: {view_cls.__name__}")
        write_figure(view_cls, state, folder, args.scale, select, options)
    state.select(tr.spec.layers - 1, 0)
    options = AnimOptions(args.gif_passes, args.gif_content, args.gif_frames)
    INTERRUPTS.check()

    def frame(i: int, n: int) -> None:        # (before each frame, in the GIF writer's own loop)
        INTERRUPTS.check()
        progress(f"bptt.gif: frame {i + 1} of {n}")

    export_animation(folder / "bptt.gif", state, options, frame)
    return sorted(p.name for p in folder.iterdir())


def run_export(args, progress: Progress | None = None) -> list[str]:
    """Do the whole export; ExportError for anything the user can fix. Returns the file names."""
    progress = progress or Progress()
    try:
        return _export(args, progress)
    finally:
        progress.clear()   # also on Ctrl-C: the error line starts on a clean line


def overflow_note(tr, progress: Progress) -> None:
    """A run that overflows is written as it is (inf/NaN are its values; the figures mark them), and
    said on stderr: an exit 0 and a line of "wrote 22 files" were all a reviewer saw."""
    if tr.first_nonfinite is not None:
        where = f"the forward pass overflowed to inf/NaN at step {tr.first_nonfinite + 1}"
    elif tr.first_nonfinite_grad is not None:
        where = f"the gradient overflowed to inf/NaN at step {tr.first_nonfinite_grad + 1} on the way back"
    else:
        return
    progress.note(f"{where}; the files hold the inf/NaN values as computed and the figures mark them")


def _export(args, progress: Progress) -> list[str]:
    created = not os.path.lexists(args.out)
    try:
        out = check_writable_dir(args.out)
        config, params, position = resolve(args)
        progress("computing the forward pass and BPTT")
        ensure_app()
        with INTERRUPTS.raising():          # NumPy only: Ctrl-C stops it at once
            state = compute(config, params)
    except ValueError as e:
        if created:  # a refused input leaves no trace: not even the folder it made
            with contextlib.suppress(OSError):
                os.rmdir(args.out)
        raise ExportError(str(e)) from None
    overflow_note(state.trace, progress)
    # figures show the finished backward pass (or the session's cursor)
    state.set_position(position if position is not None else state.n_positions - 1)
    INTERRUPTS.check()
    return write_staged(out, "export", lambda stage: write_all(state, stage, args, progress))


def write_staged(out: Path, what: str, write, moving=None) -> list[str]:
    """write(stage) -> the file names it wrote into a fresh folder inside `out`; then each file is moved
    into place (one rename each: a reader never sees half a file) and the folder goes. `moving()`, if
    given, is called just before the first move. ExportError for what the user can fix."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".rnnviz-{what}-", dir=out))
    except OSError as e:
        raise ExportError(f"can't write into {out}: {e.strerror or e}") from None
    try:
        names = write(stage)
        if moving is not None:
            moving()
        for name in names:
            os.replace(stage / name, out / name)
    except (ValueError, OSError) as e:
        raise ExportError(str(e) if isinstance(e, ValueError) else f"can't write into {out}: {e}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return names
