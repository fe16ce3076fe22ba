"""`rnnviz train`: build the task and the model from the options, train, write the files.

The options are checked completely before the first update (a bad one is one line on stderr and
exit 2 from argparse, or 1 here); training runs with a progress line on stderr when it is a
terminal; the files are written into a hidden staging folder inside DIR and moved into place at the
end, so a failed write leaves DIR as it was. A run that diverges writes its last finite weights
and the history so far, says so, and exits with 1. Ctrl-C stops after the update being made and
writes what was trained so far (the weights after the last whole update and its history), says so,
and exits with 130; a second Ctrl-C while the files are made quits without writing them.
"""
from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from rnnviz.app.ctrl_c import CtrlC
from rnnviz.app.headless import ExportError, Progress, check_model_options, ensure_app, write_staged
from rnnviz.core.params import init_model_params, model_radius
from rnnviz.core.sampling import sample
from rnnviz.core.sequences import text_sequence
from rnnviz.core.settings import MAX_RADIUS, Config, check_hidden, check_size, make_run_sequence, prepare_run
from rnnviz.core.spec import ModelSpec
from rnnviz.core.tasks import RECIPES, AddingTask, CopyTask, NamesTask, SequenceTask, reads_its_targets
from rnnviz.core.training import COLUMNS, Trainer, TrainSettings, compiles_first
from rnnviz.io.atomic import check_writable_dir
from rnnviz.io.sources import read_source
from rnnviz.io.tables import write_csv
from rnnviz.io.npz import save_npz
from rnnviz.io.weights import load_weights



def build_task(args):
    """(task, recipe name) from the options; ValueError for anything wrong."""
    if args.task is None and args.length is not None:
        raise ValueError("--length is the length of a --task (adding, copy): for a text, --seq-length sets the window")
    if args.task == "names" and args.length is not None:
        raise ValueError("--length is the length of the adding problem or the copy task's delay; the names "
                         "task reads whole names")
    if args.task is not None and args.seq_length is not None:
        raise ValueError("--seq-length is the window of a --text or a series (truncated BPTT); the "
                         + ("names task reads whole names" if args.task == "names" else
                            f"{args.task} task's sequences are --length steps long"))
    if args.task in ("adding", "copy", "names"):
        recipe = RECIPES[args.task]
        for opt in ("loss", "architecture", "target"):
            if getattr(args, opt) is not None:
                raise ValueError(f"--{opt} is for --text / --numbers; the {args.task} task sets its own")
        batch = args.batch or recipe[5]
        seed = args.seed or 0
        if args.task == "names":
            return NamesTask(batch=batch, seed=seed), "names"
        T = args.length or recipe[6]
        return (AddingTask(T, batch, seed) if args.task == "adding" else CopyTask(T, batch, seed)), args.task
    if args.batch is not None:
        raise ValueError("--batch is for the tasks (adding, copy, names); a text trains one window at a time")
    if args.text is not None or args.file is not None:
        source, kind = (args.text, "text") if args.text is not None else (read_source(args.file, "text"), "text")
    else:
        source = args.numbers if args.numbers is not None else read_source(args.numbers_file, "numbers")
        kind = "numbers"
    arch = args.architecture or "many-to-many"
    if arch == "encoder-decoder" and not args.target:
        raise ValueError("--architecture encoder-decoder needs --target TEXT: what the decoder should write")
    if args.target and arch != "encoder-decoder":
        raise ValueError("--target is the decoder's text: use it with --architecture encoder-decoder")
    where = args.file or args.numbers_file
    if kind == "text" and arch == "many-to-many" and args.loss in (None, "auto", "cross_entropy"):
        # a character model, as the Train panel's text file: windows of --seq-length characters, so the
        # text may be as long as a file rnnviz reads (min-char-rnn's input.txt is 1 MB), not only as long
        # as the views show (MAX_STEPS)
        try:
            seq = text_sequence(source)
        except ValueError as e:
            raise ValueError(f"{where}: {e}" if where else str(e)) from None
        return SequenceTask(seq, "cross_entropy", arch, args.seq_length or 25), "text"
    config = Config(source=source, kind=kind, loss=args.loss or "auto", architecture=arch, target=args.target or "")
    try:
        seq, loss = prepare_run(config)
    except ValueError as e:
        raise ValueError(f"{where}: {e}" if where else str(e)) from None
    return SequenceTask(seq, loss, arch, args.seq_length or 25), ("text" if seq.kind == "text" else "numbers")


def text_weights(task) -> bool:
    """Whether the weights read characters (and so carry their vocabulary)."""
    return isinstance(task, NamesTask) or (isinstance(task, SequenceTask) and task.seq.kind == "text"
                                           and not task.seq.n_source)


def build_trainer(args, task, recipe: str) -> Trainer:
    opt, lr, mode, thr, hidden, _batch, _len = RECIPES[recipe]
    if args.clip_value is not None:
        mode, thr = "value", args.clip_value
    elif args.clip_norm is not None:
        mode, thr = "norm", args.clip_norm
    elif args.no_clip:
        mode = "none"
    settings = TrainSettings(args.optimizer or opt, args.lr or lr, mode, thr, snapshot_every=0)
    activation = args.activation or "tanh"
    if args.weights is not None:       # "" too: an empty name is an error, not "no weights"
        if args.radius is not None:
            raise ValueError(f"--radius sets the initial random weights; --weights {args.weights} gives them: "
                             "leave out one")
        w = load_weights(args.weights, args.cell)
        if isinstance(task, SequenceTask) and task.seq.kind == "text" and w.vocab is not None \
                and not task.seq.n_source and w.vocab != task.vocab:
            try:  # the weights' characters, in their order
                task = SequenceTask(text_sequence(task.seq.source, w.vocab), task.loss, task.architecture, task.window)
            except ValueError as e:
                raise ValueError(f"{args.weights} doesn't fit the text: {e}") from None
        if isinstance(task, NamesTask) and w.vocab is not None and w.vocab != task.vocab:
            raise ValueError(f"{args.weights} was made for other characters than the names' a-z and line break")
        if (w.n_x, w.n_y) != (task.n_x, task.n_y):
            raise ValueError(f"{args.weights} has {w.n_x} inputs and {w.n_y} outputs; this task needs {task.n_x} "
                             f"and {task.n_y}")
        for opt_name, have, name in (("hidden", w.n_a, "n_a"), ("layers", w.spec.layers, "layers"),
                                     ("bidirectional", w.spec.bidirectional, "bidirectional")):
            if getattr(args, opt_name, None) not in (None, have):
                raise ValueError(f"--{opt_name.replace('_', '-')} contradicts {args.weights} ({name} = {have})")
        spec = replace(w.spec, activation=activation)
        params = w.params
        check_model_options(args, spec.cell, "--weights")
        rho = model_radius(spec, params)
        if not (math.isfinite(rho) and rho <= MAX_RADIUS):   # as `export --weights` and the window's import
            raise ValueError(f"{args.weights} can't be used: the weights' recurrent matrix has spectral radius "
                             f"{rho:.3g}; rnnviz works with 0 to {MAX_RADIUS:g} (the weights are too large to "
                             "compute with)")
    else:
        n_a = hidden if args.hidden is None else args.hidden
        check_hidden(n_a)
        spec = ModelSpec(args.cell or "rnn", activation, task.n_x, n_a, task.n_y, args.layers or 1,
                         bool(args.bidirectional), task.architecture == "encoder-decoder")
        spec.check()
        check_model_options(args, spec.cell, None)
        check_update_size(spec, task)
        params = init_model_params(spec, seed=args.seed or 0, radius=0.9 if args.radius is None else args.radius,
                                   forget_bias=1.0 if args.forget_bias is None else args.forget_bias)
    if spec.encoder_decoder != (task.architecture == "encoder-decoder"):
        raise ValueError(f"{args.weights} holds an encoder–decoder: train it with --architecture encoder-decoder"
                         if spec.encoder_decoder else f"{args.weights} is not an encoder–decoder")
    return Trainer(spec, params, task, settings)


def check_update_size(spec: ModelSpec, task) -> None:
    """ValueError (saying what would fit) when the model's weights or one update's trace would take
    more memory than rnnviz computes with: the window's limits (core.settings.check_size), applied to
    the steps and sequences of one update (a window of the text, a batch of the task)."""
    b = task.batch(0)
    check_size(spec, SimpleNamespace(T=int(b.targets.shape[0]), m=int(b.targets.shape[-1])))


def samples_text(tr: Trainer, args) -> str:
    """samples.txt: generated text or names, or the model's answers to a few fresh examples."""
    try:
        return _samples_text(tr, args)
    except ValueError as e:        # weights that overflow (a run that diverged): say so
        return f"# {tr.spec.title()} after {tr.updates:,} updates: no samples ({e})\n"


def _samples_text(tr: Trainer, args) -> str:
    from rnnviz.core.model import Model

    task, spec, T = tr.task, tr.spec, args.temperature
    lines = [f"# {spec.title()} after {tr.updates:,} updates on the {task.title}"]
    can_sample = not spec.bidirectional and not spec.encoder_decoder
    if isinstance(task, NamesTask) and can_sample:
        lines.append(f"# 10 names sampled at temperature {T:g} (seeds 0-9), each from x<1> = 0 as the course's sample")
        for s in range(10):
            lines.append(sample(spec, tr.params, task.vocab, "", 50, T, seed=s, zero_first=True, stop="\n").text.strip())
    elif isinstance(task, SequenceTask) and task.seq.kind == "text" and not task.seq.n_source and can_sample:
        first = task.seq.source[0]
        lines.append(f"# 3 samples of {args.sample_length} characters at temperature {T:g} (seeds 0-2) after "
                     f"{first!r}, then the likeliest character each time (argmax)")
        for s in range(3):
            lines += ["", first + sample(spec, tr.params, task.vocab, first, args.sample_length, T, seed=s).text]
        lines += ["", first + sample(spec, tr.params, task.vocab, first, args.sample_length, argmax=True).text]
    elif isinstance(task, (AddingTask, CopyTask)):
        batch = task.batch(10**9)                 # examples never trained on
        logits = Model(spec, tr.params).forward(batch.inputs).logits
        if isinstance(task, AddingTask):
            x = batch.inputs.values
            lines.append("# fresh examples: the two marked numbers, their sum, the network's answer")
            for i in range(min(10, task.m)):
                a, b = x[np.flatnonzero(x[:, 1, i]), 0, i]
                lines.append(f"{a:.3f} + {b:.3f} = {a + b:.3f}   answer {logits[-1, 0, i]:.3f}")
        else:
            sym = "".join(task.vocab)
            lines.append("# fresh examples: the symbols to remember, what the network wrote at the end")
            for i in range(min(10, task.m)):
                want = "".join(sym[j] for j in batch.inputs.ids[:task.K, i])
                got = "".join(sym[j] for j in logits[-task.K:, :, i].argmax(axis=1))
                lines.append(f"{want}  ->  {got}" + ("   (right)" if want == got else ""))
    else:
        why = ("a bidirectional model reads both directions and can't write one character at a time"
               if spec.bidirectional else "an encoder–decoder or a series has no free-running samples here")
        lines.append(f"# no samples: {why}; train.csv has the losses")
    return "\n".join(lines) + "\n"


def write_outputs(tr: Trainer, folder: Path, args) -> list[str]:
    from rnnviz.app.export import save_png, save_svg
    from rnnviz.app.headless import close_views
    from rnnviz.app.views.train_plots import Series, TrainPlotsView

    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in tr.params.items()}
    if text_weights(tr.task):
        arrays["vocab"] = np.array(tr.task.vocab)     # the characters of the input rows, in order
    save_npz(folder / "params.npz", arrays)
    h = tr.history
    cols = [h.column(c).tolist() for c in COLUMNS]
    cols[COLUMNS.index("clipped")] = [int(v) for v in cols[COLUMNS.index("clipped")]]
    rows = [[i + 1] + [c[i] for c in cols] for i in range(h.n)]
    write_csv(folder / "train.csv", ["update"] + list(COLUMNS), rows)
    ensure_app()
    view = TrainPlotsView(None)
    try:
        view.resize(1200, 800)
        view.set_series([Series(tr.spec.title(), *(h.column(c) for c in COLUMNS))], tr.task.baseline,
                        f"{tr.spec.title()} on the {tr.task.title}: {tr.updates:,} updates")
        save_png(view, folder / "train.png")
        save_svg(view, folder / "train.svg")
    finally:
        close_views([view])
    (folder / "samples.txt").write_text(samples_text(tr, args), encoding="utf-8")
    return sorted(p.name for p in folder.iterdir())


def run_train(args, progress: Progress | None = None, ctrl_c: CtrlC | None = None) -> tuple[list[str], str]:
    """Train and write; (file names, a divergence message or ""). ExportError for what the user can fix.
    ctrl_c (the CLI's): training stops after the update being made once it says so (`ctrl_c.asked`);
    what was trained so far is then written."""
    progress = progress or Progress()
    ctrl_c = ctrl_c or CtrlC()
    created = not os.path.lexists(args.out)
    try:
        out = check_writable_dir(args.out)
        task, recipe = build_task(args)
        tr = build_trainer(args, task, recipe)
    except ValueError as e:
        _remove_if_made(args.out, created)
        raise ExportError(str(e)) from None
    except KeyboardInterrupt:
        _remove_if_made(args.out, created)
        raise
    ctrl_c.worth_keeping = lambda: tr.updates > 0
    peeks = reads_its_targets(task, tr.spec.bidirectional)
    if peeks:
        progress.note(peeks)
    try:
        return _train_and_write(tr, out, args, progress, ctrl_c)
    except KeyboardInterrupt:
        _remove_if_made(args.out, created)      # (only an empty folder: nothing was written)
        raise


def _remove_if_made(folder, created: bool) -> None:
    if created:
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _train_and_write(tr: Trainer, out: Path, args, progress: Progress, ctrl_c: CtrlC) -> tuple[list[str], str]:
    try:
        message = ""
        if compiles_first(tr.updates, args.steps):
            progress("preparing the compiled training loops (the first time on this machine, some seconds)…")
        for (p,) in tr.train(args.steps, should_stop=ctrl_c, frame_seconds=0.2, with_params=False):
            loss = p.rows["loss"][-1] if len(p.rows["loss"]) else float("nan")
            progress(f"update {p.updates:,} of {args.steps:,} · {p.updates_per_s:,.0f} updates/s · loss {loss:.4g}")
            message = p.message if p.done == "diverged" else ""
        if ctrl_c.asked:
            if tr.updates == 0:
                raise KeyboardInterrupt
            progress(f"stopped after update {tr.updates:,}: writing what was trained (Ctrl-C again: write nothing)…")
        # once the files start going into place Ctrl-C waits: all of them land (or a failure says so)
        names = write_staged(out, "train", lambda stage: write_outputs(tr, stage, args),
                             moving=lambda: setattr(ctrl_c, "moving", True))
    finally:
        progress.clear()
    ctrl_c.updates_written = tr.updates
    return names, message


def run_train_command(args) -> int:
    try:
        with CtrlC() as ctrl_c:
            names, message = run_train(args, ctrl_c=ctrl_c)
    except ExportError as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnviz: error: interrupted; nothing was written", file=sys.stderr)
        return 130
    if ctrl_c.asked:
        n = ctrl_c.updates_written
        print(f"rnnviz: interrupted: stopped after {n:,} of {args.steps:,} update{'s' if args.steps != 1 else ''}; "
              f"wrote {', '.join(names)} into {args.out}", file=sys.stderr)
        return 130
    if message:
        print(f"rnnviz: training stopped: {message}; wrote {len(names)} files into {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {len(names)} files into {args.out}")
    return 0
