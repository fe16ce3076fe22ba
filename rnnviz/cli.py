"""Command line: `rnnviz` opens the window; `rnnviz export ...` writes figures and data headless.

Qt-free at import time: the export's figures are drawn by rnnviz.app.headless, imported only when
an export actually runs (tests/test_imports.py checks this module loads no Qt).
"""
from __future__ import annotations

import argparse
import math
import sys

EXAMPLES = """\
examples:
  rnnviz                                   open the window (restores the last session)
  rnnviz gui --text "hello world"          open the window on this text
  rnnviz export --out figs --text "hello world" --hidden 32 --scale 2
  rnnviz export --out figs --numbers "0.1 0.5 0.9 0.5 0.1" --activation relu --radius 1.2
  rnnviz export --out again --text "hello world" --weights figs/params.npz
  rnnviz export --out figs --session lesson.rnnviz

`rnnviz export --help` lists what the export writes and every option."""

EXPORT_EPILOG = """\
files written into DIR (each atomically: a failed export leaves no partial file):
  params.npz      the weights Wax (n_a,n_x), Waa (n_a,n_a), Wya (n_y,n_a), ba (n_a,1), by (n_y,1)
  grads.npz       dL/dparam under the same names, L = sum over t of L<t>
  trace.npz       x (n_x,T), targets (T,), a (n_a,T), y_hat (n_y,T), loss (T,),
                  da (n_a,T) total dL/da<t>, da_last (n_a,T) = dL<T>/da<t>
  graph, hidden_states, outputs, losses, gradients   each as .png and .svg (the window's figures)
  losses.csv, gradients.csv                          a header and one row per step
  bptt.gif        the backward pass, one frame per step (sampled evenly past 300 steps)

examples:
  rnnviz export --out figs --text "hello world"
  rnnviz export --out figs --text "the cat sat on the mat" --hidden 64 --radius 1.5 --scale 2
  rnnviz export --out figs --numbers "0 0.5 1 0.5 0 -0.5 -1" --activation tanh --loss mse
  rnnviz export --out figs2 --text "hello world" --weights figs/params.npz   (same trace again)
  rnnviz export --out figs --session ~/lesson.rnnviz --scale 3"""

ACTIVATIONS = ("tanh", "relu")
LOSSES = ("auto", "cross_entropy", "bce", "mse")
ARCHITECTURES = ("many-to-many", "many-to-one", "one-to-many")
MAX_SCALE = 8.0


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line (no usage dump) and exits with 2."""

    def error(self, message: str):
        self.exit(2, f"rnnviz: error: {message} (see `{self.prog} --help`)\n")


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
               description="See inside a vanilla recurrent neural network: the unrolled graph, hidden "
                           "states, outputs, losses and backpropagation through time. Without a "
                           "command, opens the window.")
    sub = p.add_subparsers(dest="command", metavar="{gui,export}", parser_class=Parser)
    g = sub.add_parser("gui", help="open the window (the default)",
                       description="Open the rnnviz window.")
    g.add_argument("--text", help="start on this text instead of the last session")
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
    src.add_argument("--session", metavar="FILE", help="a .rnnviz session saved by the window (its sequence, "
                                                        "settings and weights; options below override them)")
    e.add_argument("--hidden", type=_positive_int, metavar="N", help="hidden size n_a (default 16)")
    e.add_argument("--activation", choices=ACTIVATIONS, help="g in a<t> = g(Waa a<t-1> + Wax x<t> + ba) "
                                                             "(default tanh)")
    e.add_argument("--radius", type=_finite(0.0, 100.0), metavar="R",
                   help="spectral radius of Waa, 0..100: below 1 gradients vanish, above 1 they can explode "
                        "(default 0.9; with --weights: that of the file's Waa)")
    e.add_argument("--seed", type=_seed, metavar="S", help="random seed of the initial weights (default 0)")
    e.add_argument("--weights", metavar="FILE.npz",
                   help="weights to use instead of random ones: Wax, Waa, Wya, ba, by (the notes' names) or "
                        "PyTorch nn.RNN's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 plus Wya, by")
    e.add_argument("--scale", type=_finite(0.0, MAX_SCALE, strict_lo=True), default=1.0, metavar="K",
                   help="pixel scale of the PNGs: 2 for slides, 4 for posters (default 1)")
    e.add_argument("--loss", choices=LOSSES, help="per-step loss (default auto: cross-entropy for text, "
                                                  "MSE for numbers)")
    e.add_argument("--architecture", choices=ARCHITECTURES, help="where inputs and losses are "
                                                                 "(default many-to-many)")
    return p


def run_gui(args) -> int:
    from rnnviz.app.main_window import run_app

    return run_app(text=getattr(args, "text", None))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        return run_gui(args)
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
