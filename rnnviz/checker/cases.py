"""The inputs each of the notes' eight functions is called with: the notebook's own examples
(np.random.seed(1); n_x = 3, m = 10, T_x = 4 (7 for the LSTM's forward), n_a = 5, n_y = 2, drawn in
the notebook's order), and optionally the window's current sequence and weights.

A backward function is given OUR forward's caches, so a wrong forward does not make its backward
look wrong too; each case says which of our functions gives the reference answer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core import compat

RNN = ("rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward")
LSTM = ("lstm_cell_forward", "lstm_forward", "lstm_cell_backward", "lstm_backward")
FUNCTIONS = RNN + LSTM


@dataclass
class Case:
    function: str
    args: tuple           # the arguments, NumPy arrays inside tuples / lists / dicts
    label: str            # "the notes' example", "your sequence"

    def reference(self):
        """Our answer for these arguments."""
        return getattr(compat, self.function)(*self.args)


def _rnn_params(order=("Waa", "Wax")):
    shapes = {"Waa": (5, 5), "Wax": (5, 3)}
    p = {k: np.random.randn(*shapes[k]) for k in order}
    p["Wya"] = np.random.randn(2, 5)
    p["ba"] = np.random.randn(5, 1)
    p["by"] = np.random.randn(2, 1)
    return p


def _lstm_params(readout=True):
    p = {}
    for w, b in (("Wf", "bf"), ("Wi", "bi"), ("Wo", "bo"), ("Wc", "bc")):
        p[w] = np.random.randn(5, 5 + 3)
        p[b] = np.random.randn(5, 1)
    if readout:
        p["Wy"] = np.random.randn(2, 5)
        p["by"] = np.random.randn(2, 1)
    else:
        p["Wy"], p["by"] = np.ones((2, 5)) * 0.1, np.zeros((2, 1))
    return p


def notes_cases() -> list[Case]:
    """One case per function, with the notebook's draws."""
    out = []
    np.random.seed(1)
    xt, a_prev = np.random.randn(3, 10), np.random.randn(5, 10)
    out.append(Case("rnn_cell_forward", (xt, a_prev, _rnn_params()), "the notes' example"))
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
    out.append(Case("rnn_forward", (x, a0, _rnn_params()), "the notes' example"))
    np.random.seed(1)
    xt, a_prev = np.random.randn(3, 10), np.random.randn(5, 10)
    p = _rnn_params(order=("Wax", "Waa"))
    _, _, cache = compat.rnn_cell_forward(xt, a_prev, p)
    out.append(Case("rnn_cell_backward", (np.random.randn(5, 10), cache), "the notes' example"))
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
    p = _rnn_params(order=("Wax", "Waa"))
    _, _, caches = compat.rnn_forward(x, a0, p)
    out.append(Case("rnn_backward", (np.random.randn(5, 10, 4), caches), "the notes' example"))
    np.random.seed(1)
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    out.append(Case("lstm_cell_forward", (xt, a_prev, c_prev, _lstm_params()), "the notes' example"))
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    out.append(Case("lstm_forward", (x, a0, _lstm_params()), "the notes' example"))
    np.random.seed(1)
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    p = _lstm_params()
    _, _, _, cache = compat.lstm_cell_forward(xt, a_prev, c_prev, p)
    out.append(Case("lstm_cell_backward", (np.random.randn(5, 10), np.random.randn(5, 10), cache),
                    "the notes' example"))
    np.random.seed(1)
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    p = _lstm_params(readout=False)
    _, _, _, caches = compat.lstm_forward(x, a0, p)
    out.append(Case("lstm_backward", (np.random.randn(5, 10, 4), caches), "the notes' example"))
    return out


def trace_cases(trace) -> list[Case]:
    """The window's sequence and weights, for the vanilla RNN the notes' functions describe (one
    layer, one direction, tanh): forward on x, backward with da = Wya^T (ŷ - y), as BPTT feeds it."""
    if trace is None or not trace.spec.notes_naming or trace.activation != "tanh" or trace.loss_name != "cross_entropy":
        return []
    p = {k: np.array(v) for k, v in trace.params.items()}
    x = np.array(trace.x)
    a0 = np.array(trace.a0)
    _, y_pred, caches = compat.rnn_forward(x, a0, p)
    da = np.einsum("ya,ymt->amt", p["Wya"], (y_pred - trace.y) * trace.step_weight[None, None, :])
    return [Case("rnn_forward", (x, a0, p), "your sequence"), Case("rnn_backward", (da, caches), "your sequence")]
