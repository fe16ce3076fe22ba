"""The notes' test input as a built-in example: the batch rnn_forward is checked on in the notebook.

    np.random.seed(1)
    x_tmp = np.random.randn(3, 10, 4)        # n_x = 3, m = 10, T_x = 4
    a0_tmp = np.random.randn(5, 10)          # n_a = 5: a⟨0⟩ is given
    parameters_tmp: Waa (5, 5), Wax (5, 3), Wya (2, 5), ba (5, 1), by (2, 1), drawn in that order

The notes give no targets (their rnn_forward has no loss); so that the window can show a loss and
BPTT, rnnviz draws one class (0 or 1) per example and step from the same stream right after (the
notes' numbers are unchanged by it). The inputs are real-valued vectors, not one-hot characters.

SequenceData.example(b) is sequence b of the batch alone (m = 1), with its own a⟨0⟩ column: what the
window's views show (each example of a batch runs independently of the others).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .sequences import SequenceData

NOTES_SOURCE = "the notes' test input: np.random.seed(1); n_x = 3, m = 10, T_x = 4, n_a = 5, n_y = 2"
N_X, M, T_X, N_A, N_Y = 3, 10, 4, 5, 2


def _draw() -> tuple[np.ndarray, np.ndarray, dict, np.ndarray]:
    """(x, a0, parameters, target classes (m, T)) exactly as the notebook draws them."""
    state = np.random.get_state()
    try:
        np.random.seed(1)
        x = np.random.randn(N_X, M, T_X)
        a0 = np.random.randn(N_A, M)
        p = {"Waa": np.random.randn(N_A, N_A), "Wax": np.random.randn(N_A, N_X), "Wya": np.random.randn(N_Y, N_A),
             "ba": np.random.randn(N_A, 1), "by": np.random.randn(N_Y, 1)}
        classes = np.random.randint(0, N_Y, (M, T_X))
    finally:
        np.random.set_state(state)      # nobody else's random stream is disturbed
    return x, a0, p, classes


def notes_params() -> dict:
    """The notes' parameters_tmp (the notes' names: Wax, Waa, Wya, ba, by)."""
    return _draw()[2]


def notes_sequence() -> SequenceData:
    """The batch: dense inputs (3, 10, 4), one-hot targets (2, 10, 4) with their classes as target_index
    (m, T) (what a view of a classification reads), and the notes' a⟨0⟩ (5, 10)."""
    x, a0, _, classes = _draw()
    y = np.zeros((N_Y, M, T_X))
    b, t = np.meshgrid(np.arange(M), np.arange(T_X), indexing="ij")
    y[classes, b, t] = 1.0
    return SequenceData("numbers", NOTES_SOURCE, tuple(float(v) for v in x[0, 0]), (),
                        x_values=x, y_values=y, target_index=classes.astype(np.int64), input_tokens=tuple(float(v) for v in x[0, 0]),
                        target_tokens=tuple(float(c) for c in classes[0]), a0=a0)


def example(seq: SequenceData, b: int) -> SequenceData:
    """Sequence b (0-based) of a batch alone: m = 1, its labels and its own a⟨0⟩ column."""
    if not 0 <= b < seq.m:
        raise ValueError(f"example {b + 1} does not exist: the batch has {seq.m} sequences")
    one = (lambda a: None if a is None else np.ascontiguousarray(a[:, b:b + 1]))
    ids = (lambda a: None if a is None else np.ascontiguousarray(a[b:b + 1]))
    x = None if seq.x_values is None else seq.x_values[0, b]
    y = seq.y_values
    targets = seq.target_tokens
    if y is not None and y.shape[0] > 1 and np.all((y == 0) | (y == 1)):
        targets = tuple(float(np.argmax(y[:, b, t])) for t in range(seq.T))   # the class of each step
    return replace(seq, x_index=ids(seq.x_index), target_index=ids(seq.target_index), x_values=one(seq.x_values),
                   y_values=one(seq.y_values), a0=one(seq.a0),
                   input_tokens=seq.input_tokens if x is None else tuple(float(v) for v in x),
                   target_tokens=targets)
