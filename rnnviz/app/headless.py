"""`rnnviz export`: everything the CLI writes, computed and drawn without a screen.

Inputs are resolved and checked first (sequence, session, weights, folder), then the trace is
computed by AppState exactly as in the window, the window's own views are rendered offscreen, and
all files are written into a hidden staging folder inside DIR that is moved into place only when
everything succeeded: a failure leaves DIR as it was.
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
from rnnviz.io.atomic import check_writable_dir
from rnnviz.io.session import load_session
from rnnviz.io.tables import gradient_table, loss_table, save_grads_npz, save_trace_npz, write_csv
from rnnviz.io.weights import check_fits, load_weights, save_params

# (module, class) of the figures, in file order; the window uses the same classes
FIGURES = (
    ("rnnviz.app.views.graph_view", "GraphView"),
    ("rnnviz.app.views.heatmap_view", "HiddenHeatmapView"),
    ("rnnviz.app.views.output_view", "OutputView"),
    ("rnnviz.app.views.loss_view", "LossView"),
    ("rnnviz.app.views.gradient_view", "GradientView"),
)
FIGURE_SIZE = (1200, 700)   # logical pixels; --scale multiplies them
GRAPH_SIZE = (1400, 560)


_APP = None  # kept alive until exit: Qt objects must not outlive the application


def close_views(views) -> None:
    """Delete the offscreen widgets while the application still runs (avoids a crash at exit)."""
    from PySide6.QtWidgets import QApplication

    for v in views:
        v.figure_widget().close()
        v.deleteLater()
    QApplication.sendPostedEvents()
    QApplication.processEvents()


class ExportError(Exception):
    """A problem with the user's input or folder: reported in one line, never a traceback."""


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


def resolve(args):
    """(Config, base params or None, radius for them, cursor position or None) from the options."""
    from rnnviz.app.config import Config, config_for_weights

    settings, params, position = Config().to_dict(), None, None
    if args.session:
        s = load_session(args.session)
        settings.update(s.settings)
        params, position = s.params, s.position
    elif args.text is not None:
        settings.update(source=args.text, kind="text")
    else:
        settings.update(source=args.numbers, kind="numbers")
    for opt in ("hidden", "activation", "radius", "seed", "loss", "architecture"):
        if getattr(args, opt) is not None:
            settings[opt] = getattr(args, opt)
    seq = make_sequence(settings["source"], settings.get("kind", "auto"))
    if args.weights:
        w = load_weights(args.weights)
        try:
            check_fits(w, seq)
        except ValueError as e:
            raise ValueError(f"{args.weights} doesn't fit the sequence: {e}") from None
        if args.hidden is not None and args.hidden != w.n_a:
            raise ValueError(f"--hidden {args.hidden} contradicts {args.weights}, whose Waa has n_a = {w.n_a}")
        params = w.params
        try:  # the window's import makes the same checks (too many hidden units, an infinite radius)
            settings["radius"] = config_for_weights(Config.from_dict(settings), params, args.radius).radius
        except ValueError as e:
            raise ValueError(f"{args.weights} can't be used: {e}") from None
    if params is not None:
        settings["hidden"] = int(params["Waa"].shape[0])
    return Config.from_dict(settings), params, position


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


def make_views(state) -> list:
    """The figure views that exist in this build, sized for export (never shown on screen)."""
    views = []
    for module, cls in FIGURES:
        try:
            view_cls = getattr(importlib.import_module(module), cls)
        except (ImportError, AttributeError):
            print(f"rnnviz: note: the {cls} figure is not available in this build; skipped", file=sys.stderr)
            continue
        v = view_cls(state)
        v.figure_widget().resize(*(GRAPH_SIZE if v.figure_name == "graph" else FIGURE_SIZE))
        views.append(v)
    return views


def write_all(state, views, folder: Path, scale: float) -> list[str]:
    from rnnviz.app.export import save_png, save_svg
    from rnnviz.app.export_anim import export_animation_gif

    tr = state.trace
    save_params(folder / "params.npz", tr.params)
    save_grads_npz(folder / "grads.npz", tr)
    save_trace_npz(folder / "trace.npz", tr)
    write_csv(folder / "losses.csv", *loss_table(tr))
    write_csv(folder / "gradients.csv", *gradient_table(tr))
    for v in views:
        if hasattr(v, "fit_all"):
            v.fit_all()
        save_png(v, folder / f"{v.figure_name}.png", scale)
        save_svg(v, folder / f"{v.figure_name}.svg")
    graph = next((v for v in views if v.figure_name == "graph"), None)
    if graph is not None:
        export_animation_gif(state, graph, folder / "bptt.gif")
    return sorted(p.name for p in folder.iterdir())


def run_export(args) -> list[str]:
    """Do the whole export; ExportError for anything the user can fix. Returns the file names."""
    created = not os.path.lexists(args.out)
    try:
        out = check_writable_dir(args.out)
        config, params, position = resolve(args)
        ensure_app()
        state = compute(config, params)
    except ValueError as e:
        if created:  # a refused input leaves no trace: not even the folder it made
            with contextlib.suppress(OSError):
                os.rmdir(args.out)
        raise ExportError(str(e)) from None
    # figures show the finished backward pass (or the session's cursor)
    state.set_position(position if position is not None else state.n_positions - 1)
    views = make_views(state)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".rnnviz-export-", dir=out))
    except OSError as e:
        raise ExportError(f"can't write into {out}: {e.strerror or e}") from None
    try:
        names = write_all(state, views, stage, args.scale)
        for name in names:
            os.replace(stage / name, out / name)
    except (ValueError, OSError) as e:
        raise ExportError(str(e) if isinstance(e, ValueError) else f"can't write into {out}: {e}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        close_views(views)
    return names
