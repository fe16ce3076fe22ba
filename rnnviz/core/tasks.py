"""What a network is trained on: a task hands out the data of every update, reproducibly.

    text      a typed text or a file, in min-char-rnn's windows: window k reads characters
              p .. p+L-1 and predicts p+1 .. p+L; p starts at 0 and moves on by L; the hidden state
              is carried from one window to the next and reset to 0 (with p = 0) when the next window
              would run past the end, exactly as min-char-rnn (`if p+seq_length+1 >= len(data)`).
              Any other typed sequence (numbers, many-to-one, an encoder–decoder pair) is one window.
    names     the course's Dinosaur Island: one name per update (a batch of names), x<1> = 0, then the
              name's letters; targets the letters and '\\n'. The hidden state is carried between names
              as the course's model() does (batch 1), else reset.
    adding    two marked numbers among T random ones in [0, 1): predict their sum at the last step
              (MSE; always answering 1 scores 1/6 = 0.167, the baseline). Inputs (value, marker).
    copy      K symbols (of 8), T blanks, a delimiter, K blanks: output the K symbols at the end
              (mean cross-entropy per step; the memoryless baseline is K ln 8 / (T + 2K)).

Every batch is a pure function of (task, update index): a session needs to save only the count.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .compute import step_masks
from .model import Inputs
from .sequences import SequenceData, text_sequence

TASKS = ("text", "names", "adding", "copy")
TASK_TITLES = {"text": "text (typed or a file)", "names": "dinosaur names", "adding": "adding problem",
               "copy": "copy (memory) task"}
TASK_KINDS = ("text", "file", "names", "adding", "copy")     # (the Train panel's: a file is a text task)
NAMES_FILE = Path(__file__).resolve().parents[2] / "resources" / "names" / "dinosaurs.txt"
COPY_SYMBOLS = 8
COPY_K = 5
MAX_TASK_LENGTH = 2000
MAX_TASK_BATCH = 1024       # the Train panel's, train --batch's and a lesson's largest batch: a session's
# task takes no more (a hand-edited batch of 10^7 was an update of gigabytes, a copy task's K of 10^8 too)


# each task's default recipe: optimizer, learning rate, clipping, threshold, hidden size, batch, length
RECIPES = {
    "text": ("adagrad", 0.1, "value", 5.0, 100, 1, None),     # min-char-rnn's
    "names": ("sgd", 0.01, "value", 5.0, 50, 1, None),        # the course's Dinosaur Island
    "numbers": ("adam", 0.01, "norm", 1.0, 32, 1, None),
    "adding": ("adam", 0.01, "norm", 1.0, 32, 32, 50),
    "copy": ("adam", 0.01, "norm", 1.0, 32, 32, 20),
}


@dataclass
class TaskChoice:
    """What the Train panel (and a session) chose to train on; Trainer tasks are built from it."""
    kind: str = "text"          # text (the typed sequence) | file | names | adding | copy
    length: int = 50            # T of the adding problem, the copy task's delay
    batch: int = 32
    window: int = 25            # truncated BPTT window for texts and series
    file_path: str = ""
    file_text: str = ""
    seed: int = 0


@dataclass
class Batch:
    inputs: Inputs
    targets: np.ndarray             # class ids (T, m) (-1: no target) or values (T, n_y, m)
    weight: np.ndarray              # (T,) what each step's loss counts for (the mean is taken by it)
    reset: bool = True              # start from zero states (else the carried ones)
    bounds: list | None = None      # segments of an encoder–decoder


class Task:
    kind = "task"
    loss = "cross_entropy"
    architecture = "many-to-many"
    carries = False
    vocab: tuple[str, ...] = ()
    n_x = n_y = 1
    m = 1

    def batch(self, k: int) -> Batch:  # pragma: no cover - every task provides it
        raise NotImplementedError

    @property
    def baseline(self) -> float:
        """The loss of the best guess that ignores the inputs (a uniform guess for characters)."""
        raise NotImplementedError  # pragma: no cover

    def describe(self) -> dict:
        """JSON-able: what rebuilds this task (with make_task)."""
        raise NotImplementedError  # pragma: no cover

    @property
    def title(self) -> str:
        return TASK_TITLES[self.kind]


class SequenceTask(Task):
    """A typed sequence (text, numbers, a source → target pair) with its loss and architecture;
    plain next-step sequences train in windows of `window` steps as in min-char-rnn."""

    kind = "text"

    def __init__(self, seq: SequenceData, loss: str, architecture: str = "many-to-many", window: int = 25):
        if window < 1:
            raise ValueError(f"the window must be at least 1 step, not {window}")
        self.seq, self.loss, self.architecture = seq, loss, architecture
        self.vocab = tuple(seq.vocab)
        self.n_x, self.n_y = seq.n_x, seq.n_y
        self.windowed = architecture == "many-to-many" and not seq.n_source
        self.carries = self.windowed
        n = seq.T + 1                                   # len(data) in min-char-rnn's loop
        self.L = min(window, seq.T) if self.windowed else seq.T
        self.window = window
        # windows p = 0, L, 2L, ... while p + L + 1 < len(data); p = 0 is always read
        self.n_windows = max(1, -(-(n - self.L - 1) // self.L)) if self.windowed else 1
        self._weight_all, _ = step_masks(seq, architecture)
        self._ids = seq.kind == "text"

    def batch(self, k: int) -> Batch:
        j = k % self.n_windows
        a, b = j * self.L, j * self.L + self.L
        seq = self.seq
        weight = self._weight_all[a:b]
        if self._ids:
            x = np.ascontiguousarray(seq.x_index[:, a:b].T)
            inputs = Inputs(None, x, seq.n_x)
            targets = np.ascontiguousarray(seq.target_index[:, a:b].T)
            if self.loss != "cross_entropy":
                targets = np.ascontiguousarray(seq.y[:, :, a:b].transpose(2, 0, 1))
        else:
            inputs = Inputs(np.ascontiguousarray(seq.x_values[:, :, a:b].transpose(2, 0, 1)), None, seq.n_x)
            targets = np.ascontiguousarray(seq.y_values[:, :, a:b].transpose(2, 0, 1))
        return Batch(inputs, targets, weight, reset=(j == 0), bounds=list(seq.segments) if seq.n_source else None)

    @property
    def baseline(self) -> float:
        """T ln V for characters (min-char-rnn's starting smooth loss); the variance for numbers; for
        characters under MSE, the mean variance of the one-hot targets (the best constant guess is each
        character's frequency: Σ p(1 − p) / V a step)."""
        steps = float(self._weight_all[:self.L].sum())
        if self.loss == "cross_entropy":
            return steps * math.log(self.n_y)
        if self.loss == "bce":
            return steps * self.n_y * math.log(2)
        y = self.seq.y_values
        if y is None:
            ids = self.seq.target_index
            ids = ids[ids >= 0] if ids is not None else np.zeros(0, dtype=int)
            if not ids.size:
                return float("nan")
            p = np.bincount(ids, minlength=self.n_y) / ids.size
            return steps * float(np.sum(p * (1 - p))) / self.n_y
        with np.errstate(over="ignore", invalid="ignore"):     # numbers near ±1e308: no baseline, no warning
            v = steps * float(np.var(y))
        return v if math.isfinite(v) else float("nan")

    def describe(self) -> dict:
        return {"kind": "text", "window": self.window, "loss": self.loss, "architecture": self.architecture}

    @property
    def title(self) -> str:
        if self.seq.n_source:
            return "source → target pair"
        return "text" if self.seq.kind == "text" else "series"


def reads_its_targets(task: Task, bidirectional: bool) -> str:
    """Why a bidirectional model's loss says nothing on `task` ("" when it does). Where each step's
    target is the next step's input (the next character of a text or a name; one-to-many feeds the
    last target in), the backward direction has read the very thing it is asked to predict: the loss
    falls to about 0 in a few updates without the model learning to predict anything."""
    if not bidirectional or task.kind == "copy" or task.architecture not in ("many-to-many", "one-to-many"):
        return ""
    if isinstance(task, SequenceTask) and task.seq.n_source:
        return ""
    what = "character" if task.kind == "names" or getattr(getattr(task, "seq", None), "kind", "") == "text" else "value"
    return (f"a bidirectional model reads each step's target, the next {what}, through its backward "
            f"direction: its loss falls to about 0 without it learning to predict (and it cannot sample). "
            f"Turn bidirectional off to train a predictor.")


def load_names(path: Path = NAMES_FILE) -> list[str]:
    return [ln.strip().lower() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


class NamesTask(Task):
    """Dinosaur Island: names shuffled once by `seed`; update k reads names k m .. k m + m - 1."""

    kind = "names"

    def __init__(self, names: list[str] | None = None, batch: int = 1, seed: int = 0, shuffle: bool = True):
        names = [n for n in (names if names is not None else load_names()) if n]
        if not names:
            raise ValueError("the list of names is empty")
        if not 1 <= batch <= MAX_TASK_BATCH:
            raise ValueError(f"the batch must hold 1 to {MAX_TASK_BATCH:,} names, not {batch}")
        self.seed, self.m = int(seed), int(batch)
        order = np.random.default_rng(self.seed).permutation(len(names)) if shuffle else range(len(names))
        self.names = [names[i] for i in order]
        self.vocab = tuple(sorted(set("".join(self.names)) | {"\n"}))
        self.n_x = self.n_y = len(self.vocab)
        self._ix = {c: i for i, c in enumerate(self.vocab)}
        self.carries = self.m == 1

    def batch(self, k: int) -> Batch:
        m = self.m
        picked = [self.names[(k * m + i) % len(self.names)] for i in range(m)]
        T = max(len(n) for n in picked) + 1
        x = np.full((T, m), -1, dtype=np.int64)
        y = np.full((T, m), -1, dtype=np.int64)
        for i, name in enumerate(picked):
            ids = [self._ix[c] for c in name]
            x[1:len(ids) + 1, i] = ids                  # x<1> = 0 (the course's None), then the letters
            y[:len(ids), i] = ids
            y[len(ids), i] = self._ix["\n"]             # ... and the name ends
        return Batch(Inputs(None, x, self.n_x), y, np.full(T, 1.0 / m), reset=not self.carries)

    @property
    def baseline(self) -> float:
        steps = np.mean([len(n) + 1 for n in self.names])
        return float(steps * math.log(self.n_y))

    def shown_text(self, limit: int = 400) -> str:
        """Names joined by line breaks, enough of them to use every character of the vocabulary."""
        out, seen = [], set()
        for n in self.names:
            out.append(n)
            seen |= set(n)
            if len(seen) + 1 >= len(self.vocab) and sum(map(len, out)) >= min(limit, 60):
                break
        return "\n".join(out) + "\n"

    def describe(self) -> dict:
        return {"kind": "names", "batch": self.m, "seed": self.seed}


class AddingTask(Task):
    kind = "adding"
    loss = "mse"
    architecture = "many-to-one"
    n_x, n_y = 2, 1

    def __init__(self, T: int = 50, batch: int = 32, seed: int = 0):
        if not 2 <= T <= MAX_TASK_LENGTH:
            raise ValueError(f"the adding problem needs a length T from 2 to {MAX_TASK_LENGTH}, not {T}")
        if not 1 <= batch <= MAX_TASK_BATCH:
            raise ValueError(f"the batch must hold 1 to {MAX_TASK_BATCH:,} sequences, not {batch}")
        self.T, self.m, self.seed = int(T), int(batch), int(seed)

    def batch(self, k: int) -> Batch:
        T, m = self.T, self.m
        rng = np.random.default_rng([self.seed, k])
        x = np.zeros((T, 2, m))
        x[:, 0] = rng.random((T, m))
        half = T // 2
        first = rng.integers(0, half, m)                 # one marker in each half
        second = rng.integers(half, T, m)
        cols = np.arange(m)
        x[first, 1, cols] = 1.0
        x[second, 1, cols] = 1.0
        y = np.zeros((T, 1, m))
        y[-1, 0] = x[first, 0, cols] + x[second, 0, cols]
        weight = np.zeros(T)
        weight[-1] = 1.0 / m                             # the batch's mean squared error at step T
        return Batch(Inputs(x, None, 2), y, weight)

    @property
    def baseline(self) -> float:
        return 1.0 / 6.0                                 # Var(u1 + u2), u ~ U(0, 1): always answer 1

    def describe(self) -> dict:
        return {"kind": "adding", "T": self.T, "batch": self.m, "seed": self.seed}


class CopyTask(Task):
    """Symbols 1..8 are the data, 0 the blank, 9 the delimiter (Arjovsky et al.'s copy memory)."""

    kind = "copy"
    n_x = n_y = COPY_SYMBOLS + 2

    def __init__(self, T: int = 20, batch: int = 32, seed: int = 0, K: int = COPY_K):
        if not 1 <= T <= MAX_TASK_LENGTH:
            raise ValueError(f"the copy task needs a delay T from 1 to {MAX_TASK_LENGTH}, not {T}")
        if not 1 <= batch <= MAX_TASK_BATCH:
            raise ValueError(f"the batch must hold 1 to {MAX_TASK_BATCH:,} sequences, not {batch}")
        if not 1 <= K <= MAX_TASK_LENGTH:
            raise ValueError(f"the copy task copies 1 to {MAX_TASK_LENGTH} symbols, not {K}")
        self.T, self.m, self.seed, self.K = int(T), int(batch), int(seed), int(K)
        self.vocab = ("_",) + tuple("abcdefgh") + (":",)

    def batch(self, k: int) -> Batch:
        T, m, K = self.T, self.m, self.K
        n = T + 2 * K
        rng = np.random.default_rng([self.seed, k])
        sym = rng.integers(1, COPY_SYMBOLS + 1, (K, m))
        x = np.zeros((n, m), dtype=np.int64)
        x[:K] = sym
        x[K + T - 1] = COPY_SYMBOLS + 1                  # the delimiter: now write them out
        y = np.zeros((n, m), dtype=np.int64)
        y[-K:] = sym
        return Batch(Inputs(None, x, self.n_x), y, np.full(n, 1.0 / (n * m)))

    @property
    def baseline(self) -> float:
        return self.K * math.log(COPY_SYMBOLS) / (self.T + 2 * self.K)

    def describe(self) -> dict:
        return {"kind": "copy", "T": self.T, "batch": self.m, "seed": self.seed, "K": self.K}


def make_task(d: dict, seq: SequenceData | None = None, loss: str = "cross_entropy") -> Task:
    """The task describe() gave (the text task needs its sequence)."""
    kind = d.get("kind")
    if kind == "text":
        if seq is None:
            raise ValueError("the text task needs its text")
        return SequenceTask(seq, d.get("loss", loss), d.get("architecture", "many-to-many"), int(d.get("window", 25)))
    if kind == "names":
        return NamesTask(batch=int(d.get("batch", 1)), seed=int(d.get("seed", 0)))
    if kind == "adding":
        return AddingTask(int(d.get("T", 50)), int(d.get("batch", 32)), int(d.get("seed", 0)))
    if kind == "copy":
        return CopyTask(int(d.get("T", 20)), int(d.get("batch", 32)), int(d.get("seed", 0)), int(d.get("K", COPY_K)))
    raise ValueError(f"unknown task {kind!r}; choose one of {', '.join(TASKS)}")


def text_task(text: str, window: int = 25) -> SequenceTask:
    return SequenceTask(text_sequence(text), "cross_entropy", "many-to-many", window)
