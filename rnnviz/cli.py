"""Command line: `rnnviz` opens the window; `rnnviz export ...` writes figures and data headless.

Qt-free at import time: the export's figures are drawn by rnnviz.app.headless, imported only when
an export actually runs (tests/test_imports.py checks this module loads no Qt).
"""
from __future__ import annotations

import argparse
import math
import os
import sys

from rnnviz.interrupts import INTERRUPTS

EXAMPLES = """\
examples:
  rnnviz                                   open the window (restores the last session)
  rnnviz gui --text "hello world"          open the window on this text
  rnnviz export --out figs --text "hello world" --hidden 32 --scale 2
  rnnviz export --out figs --numbers "0.1 0.5 0.9 0.5 0.1" --activation relu --radius 1.2
  rnnviz export --out again --text "hello world" --weights figs/params.npz
  rnnviz export --out figs --session lesson.rnnviz
  rnnviz train --out run --file input.txt --steps 5000     (min-char-rnn; see `rnnviz train --help`)

`rnnviz export --help` lists what the export writes and every option."""

EXPORT_EPILOG = """\
files written into DIR (each atomically: a failed export leaves no partial file):
  params.npz        the weights. A one-layer vanilla RNN: the notes' Wax (n_a,n_x), Waa (n_a,n_a),
                    Wya (n_y,n_a), ba (n_a,1), by (n_y,1). Every other model: PyTorch's state_dict
                    names and shapes, weight_ih_l{k} (G*n_a,n_in), weight_hh_l{k} (G*n_a,n_a),
                    bias_ih_l{k}, bias_hh_l{k} (G*n_a,), suffix _reverse for the backward direction,
                    prefixes encoder. / decoder.; G = 1 (rnn), 3 (gru: r z n), 4 (lstm: i f g o);
                    plus the read-out Wya (n_y, n_a*directions), by (n_y,1)
  grads.npz         dL/dparam under the same names, L = sum over t of L<t> (before any clipping)
  grads_clipped.npz the same after --clip-norm / --clip-value (only with clipping, also a session's)
  trace.npz         x (n_x,T), targets (T,; -1: no target at that step), y_hat (n_y,T), loss (T,), and
                    the top layer's a (n_a*dirs,T), da (n_a*dirs,T) total dL/da<t>, da_last = dL<T>/da<t>
                    (directions stacked, forward first); then for every layer k and direction:
                    lk.NAME and lk_reverse.NAME, each (n_a,T), NAME one of a, c (lstm), the gates
                    (rnn: z, the pre-activation; gru: r z n; lstm: i f g o), da, dc, da_last, dc_last
  FIGURE.png, FIGURE.svg, FIGURE.csv for each figure (the window's own views; the same CSV columns
  as the window's "Export data as CSV"; step is 1-based, one row per step):
    graph           the unrolled graph at the end of BPTT (or a session's cursor); --flow decides
                    which gradient it shows.  CSV: step, x<t>, ||a<t>||, prediction, y<t>, L<t>,
                    ||dL/da<t>||, ||dL<T>/da<t>||
    hidden_states   heatmap of a<t>.  CSV: step, x<t>, a<t>[1] ... a<t>[n_a]
    outputs         y_hat<t>.  CSV: step, x<t>, y<t>, scored, then for text: prediction,
                    y_hat<t>[y<t>] and y_hat<t>[c] for every character c (up to 5 million cells);
                    the same for classes (the notes' batch: y_hat<t>[class 0], y_hat<t>[class 1]);
                    for numbers: y_hat<t>
    losses          L<t> per step.  CSV: step, x<t>, y<t>, scored, L<t>, L<1>+...+L<t>
    gradients       gradient size through time, the verdict (and the clipping).  CSV: step,
                    ||dL/da<t>||, ||dL<T>/da<t>||, ||dL<T>/da<T>|| (gamma sigma_max)^(T-t),
                    ||da<t>/da<t-1>||_2, ||dWax<t>||_F, ||dWaa<t>||_F, ||dba<t>||
    influence       ||dL<t>/da<k>|| for k <= t.  CSV: a row per loss step t: t, ||dL<t>/da<1>||, ...,
                    ||dL<t>/da<T>|| (empty for k > t).  Not written when the map is too big to
                    compute (over 3000 steps, or too many units): a note on stderr says so
    other models than the one-layer vanilla RNN add hidden_states_l{k}[_reverse] (a<t> of every other
    layer-direction), cell_states[_l{k}[_reverse]] (c<t>, LSTM), the top layer's gates (gru:
    reset_gate, keep_gate; lstm: forget_gate, update_gate, output_gate) and candidate, cell (the
    cell's values at the cursor's step) and gradients_all_layers (more than one layer or direction)
  bptt.gif          the animation: --gif-passes, --gif-content, at most --gif-frames frames
                    (steps sampled evenly), one global palette, only the changed part per frame

x<t> is the input at step t, y<t> the target, scored 1 where L<t> counts, prediction the most likely
character (text) or y_hat<t> (numbers). On a terminal, one line on stderr shows the progress.

examples:
  rnnviz export --out figs --text "hello world"
  rnnviz export --out figs --text "the cat sat on the mat" --hidden 64 --radius 1.5 --scale 2
  rnnviz export --out figs --numbers "0 0.5 1 0.5 0 -0.5 -1" --activation tanh --loss mse
  rnnviz export --out figs --numbers-file series.txt --gif-passes both --gif-content full
  rnnviz export --out figs --text-file poem.txt --flow last --clip-norm 5
  rnnviz export --out figs2 --text "hello world" --weights figs/params.npz   (same trace again)
  rnnviz export --out lstm --text "the cat sat on the mat" --cell lstm --layers 2 --bidirectional
  rnnviz export --out rev --text "abcde" --target "edcba" --architecture encoder-decoder --cell gru
  rnnviz export --out torch --text "hello world" --weights state_dict.npz   (an nn.LSTM's, as saved)
  rnnviz export --out figs --session ~/lesson.rnnviz --scale 3
  rnnviz export --out notes --example notes --sequence 4   (the notes' batch, its 4th sequence)"""

ACTIVATIONS = ("tanh", "relu")
LOSSES = ("auto", "cross_entropy", "bce", "mse")
ARCHITECTURES = ("many-to-many", "many-to-one", "one-to-many", "one-to-one", "encoder-decoder")
CELLS = ("rnn", "gru", "lstm")
MAX_LAYERS = 4
FLOWS = ("total", "last")
GIF_PASSES = ("forward", "backward", "both")     # = rnnviz.app.export_anim.PASSES (no Qt imported here)
GIF_CONTENTS = ("graph", "full")
GIF_FRAMES = (2, 1000, 100)                      # min, max, default
MAX_SCALE = 8.0
MIN_SCALE = 0.25                                 # below it a 1200 x 700 figure is a few pixels: junk


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line (no usage dump) and exits with 2."""

    def error(self, message: str):
        self.exit(2, f"rnnviz: error: {message} (see `{self.prog} --help`)\n")

    def _print_message(self, message, file=None):
        # argparse drops an OSError of its write: with unbuffered output (PYTHONUNBUFFERED) `--help`
        # into a closed pipe then ended 0, buffered 141 (the flush failed later). A closed pipe is
        # EXIT_BROKEN_PIPE either way (main).
        if message:
            (file or sys.stderr).write(message)


def _positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{v} must be at least 1")
    return v


def _seed(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
    from rnnviz.app.config import MAX_SEED  # Qt-free

    if not 0 <= v <= MAX_SEED:
        why = "negative" if v < 0 else "too large"
        raise argparse.ArgumentTypeError(f"{v} is {why}; a seed is a whole number from 0 to {MAX_SEED}")
    return v


def _example(s: str) -> str:
    from rnnviz.io.examples import find, slug

    try:
        return slug(find(s)["name"])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _layers(s: str) -> int:
    v = _positive_int(s)
    if v > MAX_LAYERS:
        raise argparse.ArgumentTypeError(f"{v} layers: rnnviz shows 1 to {MAX_LAYERS}")
    return v


def _whole_in(lo: int, hi: int):
    """A whole number from lo to hi (argparse type); one message for either side, naming the range."""
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is out of range (from {lo} to {hi})")
        return v
    return parse


_frames = _whole_in(*GIF_FRAMES[:2])


def _finite(lo: float, hi: float, strict_lo: bool = False):
    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{s!r} is not a number") from None
        if not math.isfinite(v) or v > hi or (v <= lo if strict_lo else v < lo):
            raise argparse.ArgumentTypeError(
                f"{s} is out of range ({'more than' if strict_lo else 'from'} {lo:g} to {hi:g})")
        return v
    return parse


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="rnnviz", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
               description="See inside a recurrent neural network (vanilla, GRU, LSTM): the unrolled graph, hidden "
                           "states, outputs, losses and backpropagation through time. Without a "
                           "command, opens the window.")
    sub = p.add_subparsers(dest="command", metavar="{gui,export,train,check,lesson}", parser_class=Parser)
    g = sub.add_parser("gui", help="open the window (the default)",
                       description="Open the rnnviz window.")
    g.add_argument("--text", help="start on this text instead of the last session")
    g.add_argument("--lesson", metavar="NAME", help="open a lesson (a built-in one's name, e.g. vanishing, "
                                                    "or a lesson file)")
    g.add_argument("--page", type=_positive_int, default=1, metavar="K", help="the lesson's page to open (default 1)")
    e = sub.add_parser("export", help="write figures and data without a screen",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXPORT_EPILOG,
                       description="Run the RNN on a sequence and write its weights, gradients, trace, "
                                   "figures (PNG, SVG), tables (CSV) and the BPTT animation (GIF) into "
                                   "a folder. Needs no screen.")
    e.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    src = e.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", metavar="TEXT", help='a text; the RNN predicts each next character ("hello world")')
    src.add_argument("--numbers", metavar='"X1 X2 ..."',
                     help='a series of numbers separated by spaces or commas; the RNN predicts the next one')
    src.add_argument("--text-file", metavar="PATH", help="the text of a UTF-8 file (one final line break is "
                                                         "dropped): for texts too long for the command line")
    src.add_argument("--numbers-file", metavar="PATH", help="numbers from a UTF-8 file, separated by spaces, "
                                                            "commas or lines (up to 100,000 of them)")
    src.add_argument("--session", metavar="FILE", help="a .rnnviz session saved by the window (its sequence, "
                                                        "settings and weights; options below override them)")
    from rnnviz.io.examples import names as example_names

    src.add_argument("--example", metavar="NAME", type=_example,
                     help="a built-in example, as the window's buttons: notes (the course notes' test input: a "
                          "batch of m = 10 sequences of 3-vectors, the notes' weights and a<0>), "
                          + ", ".join(n for n in example_names() if n != "notes"))
    e.add_argument("--sequence", type=_positive_int, metavar="K",
                   help="which sequence of a batch the figures and trace.npz show (--example notes: 1..10; "
                        "default 1)")
    from rnnviz.core.settings import MAX_HIDDEN

    e.add_argument("--hidden", type=_whole_in(1, MAX_HIDDEN), metavar="N",
                   help=f"hidden size n_a, 1 to {MAX_HIDDEN} (default 16)")
    e.add_argument("--activation", choices=ACTIVATIONS, help="g in a<t> = g(Waa a<t-1> + Wax x<t> + ba) "
                                                             "(default tanh)")
    e.add_argument("--radius", type=_finite(0.0, 100.0), metavar="R",
                   help="spectral radius of Waa, 0..100: below 1 gradients vanish, above 1 they can explode "
                        "(default 0.9; with --weights: that of the file's Waa)")
    e.add_argument("--seed", type=_seed, metavar="S", help="random seed of the initial weights (default 0)")
    e.add_argument("--cell", choices=CELLS, help="the recurrent cell: rnn (vanilla), gru or lstm (default rnn)")
    e.add_argument("--layers", type=_layers, metavar="N", help=f"stacked layers, 1..{MAX_LAYERS} (default 1)")
    e.add_argument("--bidirectional", action="store_true", default=None,
                   help="every layer runs forward and backward in time; ŷ<t> reads [a→<t>; a←<t>]")
    e.add_argument("--forget-bias", type=_finite(-100.0, 100.0), metavar="B",
                   help="the LSTM forget gate's initial bias (default 1: Γf starts near σ(1) = 0.73)")
    e.add_argument("--target", metavar="TEXT", help="the decoder's text for --architecture encoder-decoder "
                                                    "(the encoder reads --text): e.g. --text abc --target cba")
    e.add_argument("--weights", metavar="FILE.npz",
                   help="weights to use instead of random ones: the notes' Wax, Waa, Wya, ba, by, or a PyTorch "
                        "nn.RNN / nn.GRU / nn.LSTM state_dict saved with numpy.savez (any layers, _reverse, "
                        "encoder./decoder.) plus Wya, by; the model's shape is read from the file")
    e.add_argument("--scale", type=_finite(MIN_SCALE, MAX_SCALE), default=1.0, metavar="K",
                   help=f"pixel scale of the PNGs, {MIN_SCALE:g} to {MAX_SCALE:g}: 2 for slides, 4 for posters "
                        "(default 1)")
    e.add_argument("--loss", choices=LOSSES, help="per-step loss (default auto: cross-entropy for text, "
                                                  "MSE for numbers)")
    e.add_argument("--architecture", choices=ARCHITECTURES, help="where inputs and losses are "
                                                                 "(default many-to-many)")
    e.add_argument("--flow", choices=FLOWS, help="what flows back in the graph, the Gradients figure and the "
                                                 "GIF: total (L = sum of L<t>) or last (L<T> only; default total)")
    clip = e.add_mutually_exclusive_group()
    clip.add_argument("--clip-norm", type=_finite(0.0, 1e300, strict_lo=True), metavar="THETA",
                      help="clip the gradients' global norm to THETA (Pascanu et al.); writes grads_clipped.npz")
    clip.add_argument("--clip-value", type=_finite(0.0, 1e300, strict_lo=True), metavar="C",
                      help="clip every gradient entry to [-C, C] (min-char-rnn); writes grads_clipped.npz")
    e.add_argument("--gif-passes", choices=GIF_PASSES, default="backward",
                   help="which passes bptt.gif animates (default backward)")
    e.add_argument("--gif-content", choices=GIF_CONTENTS, default="graph",
                   help="graph: the unrolled graph only; full: the graph with the Gradients plot and the "
                        "verdict beside it (default graph)")
    e.add_argument("--gif-frames", type=_frames, default=GIF_FRAMES[2], metavar="N",
                   help=f"at most N frames in bptt.gif, {GIF_FRAMES[0]}..{GIF_FRAMES[1]}; longer sequences "
                        f"are sampled evenly (default {GIF_FRAMES[2]})")
    from rnnviz.cli_train import add_train_parser

    add_train_parser(sub, _positive_int, _seed, _layers, _finite, (ACTIVATIONS, LOSSES, ARCHITECTURES, CELLS),
                     _whole_in)
    from rnnviz.checker.report import add_parser as add_check
    from rnnviz.lessons.cli_args import add_parser as add_lesson

    add_check(sub)
    add_lesson(sub)
    return p


def run_gui(args) -> int:
    lesson = None
    if getattr(args, "lesson", None) is not None:   # "" too: an error, not the window without a lesson
        from rnnviz.lessons import LessonError, find_lesson

        try:
            lesson = find_lesson(args.lesson)
        except LessonError as e:
            print(f"rnnviz: error: {e}", file=sys.stderr)
            return 1
        if args.page > len(lesson.pages):
            print(f"rnnviz: error: the lesson {lesson.title!r} has {len(lesson.pages)} pages, not {args.page}",
                  file=sys.stderr)
            return 1
    from rnnviz.app.main_window import run_app

    return run_app(text=getattr(args, "text", None), lesson=lesson, page=getattr(args, "page", 1))


def run_lesson(args) -> int:
    from rnnviz.app.slides_cli import run_lesson_export

    removed: list[str] = []
    try:
        written = run_lesson_export(args, removed)
    except ValueError as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        print(f"rnnviz: error: interrupted{': ' + str(e) if str(e) else ''}", file=sys.stderr)
        return 130
    from rnnviz.app.lessons.slide_files import removed_note

    print(f"wrote {len(written) - 1} slides and slides.txt into {args.out}" + removed_note(removed))
    return 0


EXIT_BROKEN_PIPE = 141      # 128 + SIGPIPE, what a shell reports for a command ended by a closed pipe
HEADLESS = ("export", "lesson", "train")     # the commands that take Ctrl-C at safe points


def main(argv: list[str] | None = None) -> int:
    """Every command; a reader that closes the pipe early (`rnnviz check f.py --json | head -3`) ends
    the command quietly with EXIT_BROKEN_PIPE instead of a BrokenPipeError traceback."""
    words = sys.argv[1:] if argv is None else argv
    command = next((w for w in words if not w.startswith("-")), None)
    headless = command in HEADLESS
    if headless:                # Ctrl-C from now on is taken at a safe point (rnnviz/interrupts.py)
        INTERRUPTS.install()
    try:
        try:
            return _main(argv)
        finally:
            if headless:
                INTERRUPTS.uninstall()
            sys.stdout.flush()      # buffered output meets the closed pipe here, inside the guard
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)   # Python's flush at exit must not fail again
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):
                pass
        os.close(devnull)
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:                   # (the top parser would point at `rnnviz --help`, not the command's own)
        where = f"rnnviz {args.command}" if getattr(args, "command", None) else "rnnviz"
        parser.exit(2, f"rnnviz: error: unrecognized arguments: {' '.join(extra)} (see `{where} --help`)\n")
    if args.command in (None, "gui"):
        return run_gui(args)
    if args.command == "train":
        from rnnviz.app.train_headless import run_train_command

        return run_train_command(args)
    if args.command == "check":
        from rnnviz.checker.report import run as run_check

        return run_check(args)
    if args.command == "lesson":
        return run_lesson(args)
    from rnnviz.app.headless import ExportError, run_export

    try:
        written = run_export(args)
    except ExportError as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnviz: error: interrupted; nothing was written", file=sys.stderr)
        return 130
    print(f"wrote {len(written)} files into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
