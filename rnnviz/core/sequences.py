"""Turn what the user typed into inputs x (n_x, m, T) and next-step targets.

Characters: vocabulary = sorted unique characters, x<t> one-hot, target = the next character, so a
text of length T+1 gives T steps. Numbers: a series of n values gives n_x = n_y = 1 and T = n-1 steps,
the target of step t being value t+1.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

KINDS = ("text", "numbers")

# check_steps(T): called with the number of steps as soon as it is known, before anything is built
# (core.settings.check_steps: a 30 MB text was turned into three 30-million-item tuples, 7.5 s,
# before its length was refused)
StepsCheck = Callable[[int], None] | None

# How invisible characters are shown in labels (the vocabulary keeps the real character).
_VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"}


def char_label(c: str) -> str:
    """A printable label for one character: spaces, tabs and newlines get visible symbols."""
    if c in _VISIBLE:
        return _VISIBLE[c]
    if not c.isprintable():
        return f"U+{ord(c):04X}"
    return c


# The decoder's start and end symbols (encoder–decoder): strings that no typed character can be.
START, END = "⟨s⟩", "⟨e⟩"


@dataclass(frozen=True, eq=False)
class SequenceData:
    """One input sequence made ready for the network (m = 1 unless stacked).

    Text is kept as token ids, never as a dense one-hot array (a 10,000-character text over 8,000
    distinct characters would be 640 MB); `x` and `y` build the dense arrays only when asked for.
    Numbers are dense values. Every step has an input token and a target token (None: no target).
    """

    kind: str                    # "text" or "numbers"
    source: str                  # what the user typed (the encoder's text for an encoder–decoder)
    tokens: tuple                # the T+1 characters or numbers of a next-step sequence
    vocab: tuple[str, ...]       # characters (and START, END) for text, () for numbers
    x_index: np.ndarray | None = None        # (m, T) input ids, text only; -1 feeds the zero vector
    target_index: np.ndarray | None = None   # (m, T) target ids, text only; -1 where there is none
    x_values: np.ndarray | None = None       # (n_x, m, T) inputs, numbers only
    y_values: np.ndarray | None = None       # (n_y, m, T) targets, numbers only
    input_tokens: tuple = ()     # (T,) what enters each step (for labels)
    target_tokens: tuple = ()    # (T,) each step's target, None where the step has none
    target: str | None = None    # the decoder's text, for an encoder–decoder
    n_source: int = 0            # encoder steps Tx of an encoder–decoder (0: one segment)
    a0: np.ndarray | None = None             # (n_a, m) an initial hidden state the input comes with
                                             # (the notes' test input), used when a⟨0⟩ is "given"

    @property
    def T(self) -> int:
        return int(self.x_index.shape[1] if self.x_index is not None else self.x_values.shape[2])

    @property
    def n_x(self) -> int:
        return len(self.vocab) if self.kind == "text" else int(self.x_values.shape[0])

    @property
    def n_y(self) -> int:
        return len(self.vocab) if self.kind == "text" else int(self.y_values.shape[0])

    @property
    def m(self) -> int:
        return int(self.x_index.shape[0] if self.x_index is not None else self.x_values.shape[1])

    @property
    def segments(self) -> tuple[tuple[int, int], ...]:
        """Natural-time (start, stop) of each segment: ((0, Tx), (Tx, T)) for an encoder–decoder."""
        if self.n_source:
            return ((0, self.n_source), (self.n_source, self.T))
        return ((0, self.T),)

    @cached_property
    def x(self) -> np.ndarray:
        """(n_x, m, T) inputs (one-hot for text: built on first use)."""
        if self.x_values is not None:
            return self.x_values
        return _one_hot(self.x_index, len(self.vocab))

    @cached_property
    def y(self) -> np.ndarray:
        """(n_y, m, T) targets as output-shaped arrays (one-hot for text: built on first use)."""
        if self.y_values is not None:
            return self.y_values
        return _one_hot(self.target_index, len(self.vocab))

    def input_label(self, t: int) -> str:
        """Label of x<t+1> (t is 0-based)."""
        return _token_label(self.input_tokens[t], self.kind)

    def target_label(self, t: int) -> str:
        """Label of the target of step t+1 (t is 0-based); '' where the step has none."""
        tok = self.target_tokens[t]
        return "" if tok is None else _token_label(tok, self.kind)

    def output_labels(self) -> list[str]:
        """Labels of the output rows: the vocabulary, or the single predicted value."""
        if self.kind == "text":
            return [char_label(c) for c in self.vocab]
        return ["value"] if self.n_y == 1 else [f"class {k}" for k in range(self.n_y)]

    def truncated(self, T: int) -> "SequenceData":
        """The first T steps (a one-to-one network reads one step)."""
        cut = (lambda a: None if a is None else np.ascontiguousarray(a[..., :T]))
        return replace(self, x_index=cut(self.x_index), target_index=cut(self.target_index),
                       x_values=cut(self.x_values), y_values=cut(self.y_values),
                       input_tokens=self.input_tokens[:T], target_tokens=self.target_tokens[:T],
                       tokens=self.tokens[:T + 1])


def _one_hot(ids: np.ndarray, n: int) -> np.ndarray:
    """(m, T) ids -> (n, m, T) one-hot (-1: a zero column)."""
    m, T = ids.shape
    out = np.zeros((n, m, T))
    b, t = np.nonzero(ids >= 0)
    out[ids[b, t], b, t] = 1.0
    return out


def _token_label(tok, kind: str) -> str:
    return char_label(tok) if kind == "text" else f"{tok:.4g}"


def _check_text(text, what: str = "the text") -> None:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string")


def text_sequence(text: str, vocab: tuple[str, ...] | None = None, check_steps: StepsCheck = None) -> SequenceData:
    """Characters -> one-hot inputs and next-character targets (as ids).

    `vocab` fixes the vocabulary (to reuse weights trained on another text); every character of the
    text must then be in it. check_steps: see StepsCheck.
    """
    _check_text(text)
    if len(text) == 0:
        raise ValueError("the text is empty: type at least two characters")
    if len(text) < 2:
        raise ValueError("the text has one character: type at least two, so there is a next one to predict")
    if check_steps is not None:
        check_steps(len(text) - 1)
    if vocab is None:
        vocab = tuple(sorted(set(text)))
    else:
        missing = sorted(set(text) - set(vocab))
        if missing:
            shown = " ".join(repr(c) for c in missing[:5])
            raise ValueError(f"characters not in the weights' vocabulary: {shown}")
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))
    return SequenceData("text", text, tuple(text), tuple(vocab), x_index=ids[None, :-1].copy(),
                        target_index=ids[None, 1:].copy(), input_tokens=tuple(text[:-1]),
                        target_tokens=tuple(text[1:]))


def check_target(target) -> None:
    """ValueError when an encoder–decoder's target text alone can't be used (the window shows it
    under the target box; pair_sequence makes the same check)."""
    _check_text(target, "the target text")
    if not target:
        raise ValueError("the target text is empty: type what the decoder should write (e.g. abc → cba)")


def pair_sequence(source: str, target: str, vocab: tuple[str, ...] | None = None,
                  check_steps: StepsCheck = None) -> SequenceData:
    """An encoder–decoder example: the encoder reads `source`; the decoder is fed START then the
    target's characters (teacher forcing) and must output the target followed by END.

    T = Tx + Ty steps with Tx = len(source), Ty = len(target) + 1; the vocabulary is the characters of
    both, sorted, then START and END."""
    _check_text(source, "the source text")
    check_target(target)
    if not source:
        raise ValueError("the source text is empty: type what the encoder reads")
    if check_steps is not None:
        check_steps(len(source) + len(target) + 1)
    if vocab is None:
        vocab = tuple(sorted(set(source) | set(target))) + (START, END)
    else:
        missing = sorted((set(source) | set(target)) - set(vocab))
        if missing or START not in vocab or END not in vocab:
            shown = " ".join(repr(c) for c in (missing or [START, END])[:5])
            raise ValueError(f"not in the weights' vocabulary: {shown}")
    index = {c: i for i, c in enumerate(vocab)}
    inputs = tuple(source) + (START,) + tuple(target)
    targets = (None,) * len(source) + tuple(target) + (END,)
    x = np.array([index[c] for c in inputs], dtype=np.int64)[None]
    y = np.array([-1 if c is None else index[c] for c in targets], dtype=np.int64)[None]
    return SequenceData("text", source, inputs + (END,), tuple(vocab), x_index=x, target_index=y,
                        input_tokens=inputs, target_tokens=targets, target=target, n_source=len(source))


_SPLIT = re.compile(r"\s*[,;]\s*|\s+")  # one comma/semicolon (with spaces around) or spaces


def _shown(item: str, most: int = 24) -> str:
    """An item quoted in a message, its start only when long: a message that quoted a pasted word of
    20,000 characters whole was 20,000 characters long (the window froze laying it out)."""
    if len(item) <= most:
        return repr(item)
    return f"{item[:most - 4]!r}… ({len(item):,} characters)"


_SEPARATORS = str.maketrans(",;", "  ")
_EMPTY_ITEM = re.compile(r"^[,;]|[,;]\s*[,;]")  # in the stripped text: nothing before a separator


def parse_numbers(source: str, check_steps: StepsCheck = None) -> np.ndarray:
    """'0.1, 0.5 -2 3e-2' -> array([0.1, 0.5, -2, 0.03]); commas, semicolons and spaces separate.

    Vectorised (100,000 numbers in ~50 ms, not a Python loop holding the GIL for a quarter of a second
    while the window waits): the items are the words once commas and semicolons are spaces, read by
    NumPy with Python's float(); only an error is looked for item by item. The reference, whose
    messages and results this gives, is _parse_numbers_by_item."""
    if not isinstance(source, str):
        raise ValueError("the numbers must be given as text")
    text = source.strip()
    items = text.translate(_SEPARATORS).split()
    if not items:
        raise ValueError(_EMPTY_SERIES)
    if check_steps is not None:             # before the items are read: n numbers make n - 1 steps
        check_steps(len(items) - 1)
    empty = _EMPTY_ITEM.search(text)   # (one trailing separator, as in "1, 2, 3,", is fine)
    if empty:
        raise _empty_item(len(text[:empty.start()].translate(_SEPARATORS).split()) + 1)
    values = np.empty(len(items))
    try:
        for i in range(0, len(items), _CHUNK):   # in chunks: a background parse never holds the GIL long
            values[i:i + _CHUNK] = np.array(items[i:i + _CHUNK], dtype=np.float64)
    except ValueError:
        values = None
    if values is None or not np.isfinite(values).all():
        _first_bad_item(items)
    if values.size < 2:
        raise ValueError(_ONE_NUMBER)
    return values


_CHUNK = 4096   # items read per NumPy call (~1 ms with the GIL held; the window's thread waits for it)
_EMPTY_SERIES = "the series is empty: type at least two numbers, e.g. 0.1, 0.5, -2"
_ONE_NUMBER = "the series has one number: type at least two, so there is a next one to predict"


def _empty_item(i: int) -> ValueError:
    return ValueError(f"item {i} is empty (no number between separators, as in '1,,2'): "
                      "type a number there or remove a comma")


def _item_value(i: int, s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"{_shown(s)} (item {i}) is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{_shown(s)} (item {i}) is not finite: NaN and infinity can't be inputs")
    return v


def _first_bad_item(items: list[str]) -> None:
    """Raise the message of the first item that is not a finite number."""
    for i, s in enumerate(items, 1):
        _item_value(i, s)


def _parse_numbers_by_item(source: str) -> np.ndarray:
    """The reference for parse_numbers (tests compare the two): split, then item by item."""
    if not isinstance(source, str):
        raise ValueError("the numbers must be given as text")
    items = _SPLIT.split(source.strip())
    if not any(items):
        raise ValueError(_EMPTY_SERIES)
    if items[-1] == "":
        items.pop()  # one trailing separator, as in "1, 2, 3,"
    if "" in items:
        raise _empty_item(items.index("") + 1)
    values = [_item_value(i, s) for i, s in enumerate(items, 1)]
    if len(values) < 2:
        raise ValueError(_ONE_NUMBER)
    return np.asarray(values, dtype=np.float64)


def number_sequence(source: str | np.ndarray, check_steps: StepsCheck = None) -> SequenceData:
    """A series of numbers -> x<t> = value t, target = value t+1 (n_x = n_y = 1)."""
    if isinstance(source, str):
        return _number_sequence(parse_numbers(source, check_steps), source)
    values = np.asarray(source, dtype=np.float64).ravel()
    if values.size < 2:
        raise ValueError("the series needs at least two numbers")
    if not np.all(np.isfinite(values)):
        raise ValueError("the series contains NaN or infinity")
    return _number_sequence(values, " ".join(f"{v:g}" for v in values))


def _number_sequence(values: np.ndarray, text: str) -> SequenceData:
    T = values.size - 1
    x = values[:-1].reshape(1, 1, T).copy()
    y = values[1:].reshape(1, 1, T).copy()
    toks = tuple(values.tolist())
    return SequenceData("numbers", text, toks, (), x_values=x, y_values=y, input_tokens=toks[:-1],
                        target_tokens=toks[1:])


def looks_numeric(source: str) -> bool:
    """True when the text reads as a series of at least two numbers."""
    try:
        parse_numbers(source)
    except ValueError:
        return False
    return True


_FIRST_ITEM = re.compile(r"\s*([^\s,;]{0,64})")


def _plainly_text(source: str) -> bool:
    """Whether parse_numbers is sure to fail, seen from the first item alone (not a finite number, or
    no item before a separator): a long text is then read as text without splitting all of it first."""
    m = _FIRST_ITEM.match(source)
    first, rest = m.group(1), source[m.end():m.end() + 1]
    if not first:
        return True                       # nothing, or a separator first: an empty item
    if rest and not (rest.isspace() or rest in ",;"):
        return False                      # a first item over 64 characters: parse_numbers decides
    try:
        return not np.isfinite(np.array([first], dtype=np.float64)).all()   # as parse_numbers reads it
    except ValueError:
        return True


def make_sequence(source: str, kind: str = "auto", check_steps: StepsCheck = None) -> SequenceData:
    """Parse typed input as `kind` ("text", "numbers" or "auto": numbers when it reads as numbers).
    check_steps: see StepsCheck."""
    if kind == "auto":
        if isinstance(source, str) and _plainly_text(source):
            return text_sequence(source, check_steps=check_steps)
        try:
            values = parse_numbers(source)   # (read once: the numbers are the sequence)
        except ValueError:
            return text_sequence(source, check_steps=check_steps)
        if check_steps is not None:
            check_steps(values.size - 1)
        return _number_sequence(values, source)
    if kind == "text":
        return text_sequence(source, check_steps=check_steps)
    if kind == "numbers":
        return number_sequence(source, check_steps)
    raise ValueError(f"unknown sequence kind {kind!r}; choose text, numbers or auto")
