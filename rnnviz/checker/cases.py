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


def describes(trace) -> str | None:
    """Which of the notes' models the window's trace is: "rnn" (one layer, one direction, tanh, softmax
    outputs: the rnn_* functions), "lstm" (the same with an LSTM cell: the lstm_* functions), or None."""
    if trace is None or trace.loss_name != "cross_entropy":
        return None
    spec = trace.spec
    if spec.notes_naming and trace.activation == "tanh":
        return "rnn"
    if spec.cell == "lstm" and spec.layers == 1 and not spec.bidirectional and not spec.encoder_decoder:
        return "lstm"
    return None


def _upstream(Wy, y_pred, trace) -> np.ndarray:
    """da (n_a, m, T): the gradient reaching each a⟨t⟩ from its own output, Wy^T (ŷ⟨t⟩ − y⟨t⟩) where the
    loss counts (softmax with cross-entropy); BPTT adds what comes back through a⟨t+1⟩ (and c⟨t+1⟩)."""
    return np.einsum("ya,ymt->amt", Wy, (y_pred - trace.y) * trace.step_weight[None, None, :])


def _same(ours, shown) -> bool:
    shown = np.asarray(shown)
    return ours.shape == shown.shape and bool(np.allclose(ours, shown, rtol=1e-9, atol=1e-12, equal_nan=True))


def trace_cases(trace) -> list[Case]:
    """The window's sequence and weights, for the models the notes' functions describe (describes()):
    forward on x and a⟨0⟩ (c⟨0⟩ = 0), backward on our forward's caches with da = Wy^T (ŷ − y), as BPTT
    feeds it. An LSTM's weights go to the course's layout (compat.course_lstm_parameters); its cases are
    kept only when our lstm_forward on them gives the window's a⟨t⟩, c⟨t⟩ and ŷ⟨t⟩."""
    kind = describes(trace)
    if kind is None:
        return []
    x = np.array(trace.x)
    a0 = np.array(trace.a0)
    if kind == "rnn":
        p = {k: np.array(v) for k, v in trace.params.items()}
        _, y_pred, caches = compat.rnn_forward(x, a0, p)
        da = _upstream(p["Wya"], y_pred, trace)
        return [Case("rnn_forward", (x, a0, p), "your sequence"), Case("rnn_backward", (da, caches), "your sequence")]
    p = compat.course_lstm_parameters(trace.params, trace.n_a)
    a, y_pred, c, caches = compat.lstm_forward(x, a0, p)
    lt = trace.layer(0, 0)
    c_shown = np.moveaxis(lt.quantity("c"), 0, -1)
    if np.any(lt.s0[1]) or not (_same(a, trace.a) and _same(c, c_shown) and _same(y_pred, trace.y_hat)):
        return []
    da = _upstream(p["Wy"], y_pred, trace)
    return [Case("lstm_forward", (x, a0, p), "your sequence"), Case("lstm_backward", (da, caches), "your sequence")]
