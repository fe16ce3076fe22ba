"""`rnnviz train`: its options (Qt-free; the run itself is rnnviz.app.train_headless)."""
from __future__ import annotations

import argparse

from rnnviz.core.optimizers import OPTIMIZERS
from rnnviz.core.sampling import MAX_SAMPLE
from rnnviz.core.settings import MAX_HIDDEN
from rnnviz.core.tasks import MAX_TASK_LENGTH

TRAIN_EPILOG = """\
what to train on (one of):
  --text TEXT / --file PATH     characters: predict the next one, in windows of --seq-length with the
                                hidden state carried between windows (min-char-rnn)
  --numbers "X1 X2 ..." / --numbers-file PATH   a series: predict the next value (MSE)
  --task names                  the course's Dinosaur Island: a built-in list of dinosaur genus names
  --task adding --length T      two marked numbers among T: predict their sum (baseline MSE 0.167)
  --task copy --length T        remember 5 symbols over T blank steps, then write them out

defaults per task (each can be overridden):
  text      Adagrad, --lr 0.1, --seq-length 25, --clip-value 5, --hidden 100   (min-char-rnn's recipe)
  names     SGD, --lr 0.01, --clip-value 5, --hidden 50, --batch 1            (the course's)
  numbers, adding, copy   Adam, --lr 0.01, --clip-norm 1, --hidden 32, --batch 32, --length 50 / 20

files written into DIR:
  params.npz    the weights after the last update, in the model's names (the notes' Wax Waa Wya ba by
                for one vanilla layer, PyTorch's state_dict names otherwise; text weights also carry
                `vocab`): `rnnviz export --weights DIR/params.npz` shows them, `train --weights`
                continues from them
  train.csv     one row per update: update (from 1), loss (that update's loss, before the update; a
                batch's mean: for the adding problem the mean squared error of the final prediction),
                smooth_loss (0.999 / 0.001 as min-char-rnn), grad_norm (before clipping), clipped
                (1 where clipping changed the gradient), reach (||dL/da<1>|| / ||dL/da<T>||)
  train.png, train.svg   the loss, gradient norm and reach curves (the window's Training panel, Curves tab)
  samples.txt   text sampled from the model (names for --task names), or its answers to a few examples
Ctrl-C stops after the update being made and writes these files for the updates done so far (exit 130);
a second Ctrl-C quits without writing them.

examples:
  rnnviz train --file input.txt --steps 5000 --out run1          (min-char-rnn on a text)
  rnnviz train --task names --steps 20000 --out dinos
  rnnviz train --task adding --length 100 --cell lstm --steps 1500 --out add
  rnnviz train --task adding --length 100 --cell rnn --steps 1500 --out add-rnn   (stays near 0.167)
  rnnviz train --file input.txt --weights run1/params.npz --steps 5000 --out run2  (continue)"""


# the Training panel's ranges (rnnviz/app/panels/train_panel.py), which the window's sessions hold too
MAX_UPDATES = 10_000_000        # its "Max updates"
MAX_BATCH = 1024                # its "Batch"
MAX_WINDOW = 100_000            # a text's window (the panel: 10,000) can't be longer than a sequence
TASK_LENGTHS = (2, MAX_TASK_LENGTH)   # its "T" (the adding problem's length, the copy task's delay)


def _at_most(positive_int, hi: int):
    """A whole number from 1 to hi (argparse type), in the CLI's words."""
    def parse(s: str) -> int:
        v = positive_int(s)
        if v > hi:
            raise argparse.ArgumentTypeError(f"{v:,} is more than {hi:,}")
        return v
    return parse


def add_train_parser(sub, positive_int, seed, layers, finite, choices, whole_in) -> argparse.ArgumentParser:
    """The `train` subcommand on the CLI's subparsers; the type helpers are the CLI's own."""
    activations, losses, architectures, cells = choices
    t = sub.add_parser("train", help="train the network and write its weights, history and samples",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=TRAIN_EPILOG,
                       description="Train an RNN (vanilla, GRU, LSTM; stacked, bidirectional) on a text, a "
                                   "series or a task, without a screen.")
    t.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", metavar="TEXT", help="a text to learn (predict each next character)")
    src.add_argument("--file", "--text-file", dest="file", metavar="PATH", help="the text of a UTF-8 file")
    src.add_argument("--numbers", metavar='"X1 X2 ..."', help="a series of numbers to learn (predict the next)")
    src.add_argument("--numbers-file", metavar="PATH", help="a series from a UTF-8 file")
    src.add_argument("--task", choices=("adding", "copy", "names"), help="a built-in task (see below)")
    t.add_argument("--length", type=whole_in(*TASK_LENGTHS), metavar="T",
                   help=f"the task's sequence length T, {TASK_LENGTHS[0]} to {TASK_LENGTHS[1]} (default adding: 50, "
                        "copy: a delay of 20)")
    t.add_argument("--optimizer", choices=OPTIMIZERS, help="update rule (default: per task, see below)")
    t.add_argument("--lr", type=finite(0.0, 10.0, strict_lo=True), metavar="LR", help="learning rate")
    t.add_argument("--seq-length", type=_at_most(positive_int, MAX_WINDOW), metavar="L",
                   help="truncated BPTT window for text and series (default 25; a text shorter than L is one window)")
    t.add_argument("--batch", type=_at_most(positive_int, MAX_BATCH), metavar="M",
                   help=f"sequences per update for the tasks, 1 to {MAX_BATCH}")
    clip = t.add_mutually_exclusive_group()
    clip.add_argument("--clip-value", type=finite(0.0, 1e300, strict_lo=True), metavar="C",
                      help="clip every gradient entry to [-C, C] (min-char-rnn: 5)")
    clip.add_argument("--clip-norm", type=finite(0.0, 1e300, strict_lo=True), metavar="THETA",
                      help="rescale the gradient to norm THETA when larger (Pascanu et al.)")
    clip.add_argument("--no-clip", action="store_true", help="no gradient clipping")
    t.add_argument("--steps", type=_at_most(positive_int, MAX_UPDATES), default=1000, metavar="N",
                   help=f"updates to run, 1 to {MAX_UPDATES:,} (default 1000)")
    t.add_argument("--seed", type=seed, metavar="S", help="seed of the initial weights and of the tasks' data "
                                                          "(default 0)")
    t.add_argument("--weights", metavar="FILE.npz", help="start from these weights (e.g. a previous params.npz)")
    t.add_argument("--hidden", type=whole_in(1, MAX_HIDDEN), metavar="N",
                   help=f"hidden size n_a, 1 to {MAX_HIDDEN} (default: per task)")
    t.add_argument("--activation", choices=activations, help="the vanilla cell's g (default tanh)")
    t.add_argument("--radius", type=finite(0.0, 100.0), metavar="R", help="spectral radius of the initial "
                                                                          "recurrent weights (default 0.9)")
    t.add_argument("--cell", choices=cells, help="rnn (vanilla), gru or lstm (default rnn)")
    t.add_argument("--layers", type=layers, metavar="N", help="stacked layers (default 1)")
    t.add_argument("--bidirectional", action="store_true", default=None, help="both directions in every layer "
                                                                             "(can't sample text)")
    t.add_argument("--forget-bias", type=finite(-100.0, 100.0), metavar="B", help="the LSTM forget gate's "
                                                                                "initial bias (default 1)")
    t.add_argument("--loss", choices=losses, help="for --text/--numbers (default auto)")
    t.add_argument("--architecture", choices=architectures, help="for --text/--numbers (default many-to-many)")
    t.add_argument("--target", metavar="TEXT", help="the decoder's text for --architecture encoder-decoder")
    t.add_argument("--temperature", type=finite(0.0, 100.0, strict_lo=True), default=1.0, metavar="T",
                   help="for samples.txt: below 1 safer, above 1 wilder (default 1)")
    t.add_argument("--sample-length", type=_at_most(positive_int, MAX_SAMPLE), default=200, metavar="N",
                   help=f"characters per sample in samples.txt, 1 to {MAX_SAMPLE} (default 200)")
    return t
