"""The weights files the built-in lessons show, made reproducibly with rnnviz's own training (the same
code as `main.py train`): run it from the repository's root to write them again.

    .venv/bin/python resources/lessons/weights/make_weights.py [--check]

01-hello-world.npz   lesson 1's last page: the lesson's vanilla tanh RNN (n_a = 8, seed 0, ρ = 0.9 at
                     the start) after 300 updates of Adam (learning rate 0.01) on "hello world", every
                     step's next character (min-char-rnn's windows of 25 steps, clipped to ±5)

--check: train into a temporary folder and compare with the files here (exit 1 when they differ).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

FILES = {
    "01-hello-world.npz": ["--text", "hello world", "--hidden", "8", "--activation", "tanh", "--radius", "0.9",
                           "--seed", "0", "--optimizer", "adam", "--lr", "0.01", "--steps", "300",
                           "--clip-value", "5"],
}


def train(name: str, folder: Path) -> Path:
    """The file `name` trained into `folder` (its params.npz)."""
    from rnnviz.cli import main
    out = folder / Path(name).stem
    if main(["train", "--out", str(out), *FILES[name]]) != 0:
        raise SystemExit(f"training {name} failed")
    return out / "params.npz"


def same(a: Path, b: Path) -> bool:
    x, y = np.load(a, allow_pickle=False), np.load(b, allow_pickle=False)
    if set(x.files) != set(y.files):
        return False
    # equal here; another CPU's BLAS may sum in another order, and 300 updates carry that a little way
    return all(np.array_equal(x[k], y[k]) if x[k].dtype.kind == "U" else np.allclose(x[k], y[k], rtol=1e-5, atol=1e-7)
               for k in x.files)


def main(argv: list[str]) -> int:
    from rnnviz.io.atomic import write_bytes_atomic
    check = "--check" in argv
    with tempfile.TemporaryDirectory() as tmp:
        for name in FILES:
            made = train(name, Path(tmp))
            if check:
                if not same(made, HERE / name):
                    print(f"{name} differs from what this script trains", file=sys.stderr)
                    return 1
            else:
                write_bytes_atomic(HERE / name, made.read_bytes())
                print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
