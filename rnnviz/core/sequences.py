"""Turn what the user typed into inputs x (n_x, m, T) and next-step targets.

Characters: vocabulary = sorted unique characters, x<t> one-hot, target = the next character, so a
text of length T+1 gives T steps. Numbers: a series of n values gives n_x = n_y = 1 and T = n-1 steps,
the target of step t being value t+1.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

KINDS = ("text", "numbers")

# How invisible characters are shown in labels (the vocabulary keeps the real character).
_VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"}


def char_label(c: str) -> str:
    """A printable label for one character: spaces, tabs and newlines get visible symbols."""
    if c in _VISIBLE:
        return _VISIBLE[c]
    if not c.isprintable():
        return f"U+{ord(c):04X}"
    return c


@dataclass(frozen=True)
class SequenceData:
    """One input sequence made ready for the network (m = 1 unless stacked)."""

    kind: str                    # "text" or "numbers"
    source: str                  # what the user typed
    tokens: tuple                # the T+1 characters or numbers
    vocab: tuple[str, ...]       # characters for text, () for numbers
    x: np.ndarray                # (n_x, m, T) inputs
    y: np.ndarray                # (n_y, m, T) targets as output-shaped arrays (one-hot for text)
    target_index: np.ndarray | None = field(default=None)  # (m, T) class indices, text only

    @property
    def T(self) -> int:
        return int(self.x.shape[2])

    @property
    def n_x(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_y(self) -> int:
        return int(self.y.shape[0])

    @property
    def m(self) -> int:
        return int(self.x.shape[1])

    def input_label(self, t: int) -> str:
        """Label of x<t+1> (t is 0-based)."""
        return _token_label(self.tokens[t], self.kind)

    def target_label(self, t: int) -> str:
        """Label of the target of step t+1 (t is 0-based)."""
        return _token_label(self.tokens[t + 1], self.kind)

    def output_labels(self) -> list[str]:
        """Labels of the output rows: the vocabulary, or the single predicted value."""
        if self.kind == "text":
            return [char_label(c) for c in self.vocab]
        return ["value"]


def _token_label(tok, kind: str) -> str:
    return char_label(tok) if kind == "text" else f"{tok:.4g}"


def text_sequence(text: str, vocab: tuple[str, ...] | None = None) -> SequenceData:
    """Characters -> one-hot inputs and next-character targets.

    `vocab` fixes the vocabulary (to reuse weights trained on another text); every character of the
    text must then be in it.
    """
    if not isinstance(text, str):
        raise ValueError("the text must be a string")
    if len(text) == 0:
        raise ValueError("the text is empty: type at least two characters")
    if len(text) < 2:
        raise ValueError("the text has one character: type at least two, so there is a next one to predict")
    if vocab is None:
        vocab = tuple(sorted(set(text)))
    else:
        missing = sorted(set(text) - set(vocab))
        if missing:
            shown = " ".join(repr(c) for c in missing[:5])
            raise ValueError(f"characters not in the weights' vocabulary: {shown}")
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))
    T, n = len(text) - 1, len(vocab)
    x = np.zeros((n, 1, T))
    x[ids[:-1], 0, np.arange(T)] = 1.0  # one-hot x<t>
    y = np.zeros((n, 1, T))
    y[ids[1:], 0, np.arange(T)] = 1.0
    return SequenceData("text", text, tuple(text), tuple(vocab), x, y, ids[1:][None, :])


_SPLIT = re.compile(r"\s*[,;]\s*|\s+")  # one comma/semicolon (with spaces around) or spaces


def parse_numbers(source: str) -> np.ndarray:
    """'0.1, 0.5 -2 3e-2' -> array([0.1, 0.5, -2, 0.03]); commas, semicolons and spaces separate."""
    if not isinstance(source, str):
        raise ValueError("the numbers must be given as text")
    items = _SPLIT.split(source.strip())
    if not any(items):
        raise ValueError("the series is empty: type at least two numbers, e.g. 0.1, 0.5, -2")
    if items[-1] == "":
        items.pop()  # one trailing separator, as in "1, 2, 3,"
    if "" in items:
        i = items.index("") + 1
        raise ValueError(f"item {i} is empty (no number between separators, as in '1,,2'): "
                         "type a number there or remove a comma")
    values = []
    for i, s in enumerate(items, 1):
        try:
            v = float(s)
        except ValueError:
            raise ValueError(f"{s!r} (item {i}) is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"{s!r} (item {i}) is not finite: NaN and infinity can't be inputs")
        values.append(v)
    if len(values) < 2:
        raise ValueError("the series has one number: type at least two, so there is a next one to predict")
    return np.asarray(values, dtype=np.float64)


def number_sequence(source: str | np.ndarray) -> SequenceData:
    """A series of numbers -> x<t> = value t, target = value t+1 (n_x = n_y = 1)."""
    if isinstance(source, str):
        values = parse_numbers(source)
        text = source
    else:
        values = np.asarray(source, dtype=np.float64).ravel()
        if values.size < 2:
            raise ValueError("the series needs at least two numbers")
        if not np.all(np.isfinite(values)):
            raise ValueError("the series contains NaN or infinity")
        text = " ".join(f"{v:g}" for v in values)
    T = values.size - 1
    x = values[:-1].reshape(1, 1, T).copy()
    y = values[1:].reshape(1, 1, T).copy()
    return SequenceData("numbers", text, tuple(float(v) for v in values), (), x, y, None)


def looks_numeric(source: str) -> bool:
    """True when the text reads as a series of at least two numbers."""
    try:
        parse_numbers(source)
    except ValueError:
        return False
    return True


def make_sequence(source: str, kind: str = "auto") -> SequenceData:
    """Parse typed input as `kind` ("text", "numbers" or "auto": numbers when it reads as numbers)."""
    if kind == "auto":
        kind = "numbers" if looks_numeric(source) else "text"
    if kind == "text":
        return text_sequence(source)
    if kind == "numbers":
        return number_sequence(source)
    raise ValueError(f"unknown sequence kind {kind!r}; choose text, numbers or auto")
