"""What the unrolled graph shows at every step, picked from a Trace once per trace (no Qt, no math of
its own beyond choosing and formatting values): labels, colour bytes, top predictions, norms, ranges.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnviz.app import colors
from rnnviz.app import flow as F
from rnnviz.app.views.graph_layout import fmt_sci, subsample_units
from rnnviz.core.trace import Trace

N_STRIP = 32   # at most this many units in the a<t> strip


@dataclass
class GraphData:
    trace: Trace
    T: int
    mode: str                  # "classes" (top-3), "binary" (p of 1) or "value" (mse)
    units: list[int]           # units shown in the a<t> strip
    a_limit: float             # symmetric colour limit of a<t> over the whole trace
    a_rgba: np.ndarray         # (T+1, K, 4) uint8: strip colours, row 0 is a<0>
    a_norm: np.ndarray         # (T+1,) ||a<t>||, row 0 is a<0>
    top_idx: np.ndarray        # (T, 3) best classes (mode "classes")
    top_p: np.ndarray          # (T, 3) their probabilities
    target: np.ndarray         # (T,) target class (classes) or target value
    y_hat0: np.ndarray         # (n_y, T) outputs of sequence 0
    loss: np.ndarray           # (T,) L<t>
    has_output: np.ndarray     # (T,) bool: ŷ<t> and L<t> exist (many-to-one: last step only)
    has_input: np.ndarray      # (T,) bool: x<t> is fed (one-to-many: first step only)
    da_norm: np.ndarray        # (T,) ||dL/da<t>||
    da_last_norm: np.ndarray   # (T,) ||dL<T>/da<t>||
    flow: str                  # "total" or "last": which of the two the backward animation shows
    g_range: tuple[float, float]  # log10 range of the flowing gradient over all steps
    labels: list[str]          # output class labels
    a_bad_from: int | None     # first step (0-based) whose a<t> is inf/NaN (the loss can overflow alone)
    silent_note: str           # why nothing flows back from L<T> ('' when something does, or flow is L)

    @classmethod
    def from_trace(cls, tr: Trace, flow: str = "total") -> "GraphData":
        T, seq = tr.T, tr.seq
        a_all = np.concatenate([tr.a_start[:, :1], tr.a[:, 0, :]], axis=1)   # (n_a, T+1), sequence 0
        units = subsample_units(tr.n_a, N_STRIP)
        lim = colors.signed_limit(tr.a)
        with np.errstate(invalid="ignore"):
            frac = np.clip((a_all[units].T / lim + 1.0) / 2.0, 0.0, 1.0)   # (T+1, K)
        rgba = colors.diverging().map(np.nan_to_num(frac, nan=0.5).ravel(), mode="byte")
        rgba = np.asarray(rgba, dtype=np.uint8).reshape(T + 1, len(units), 4).copy()
        rgba[~np.isfinite(a_all[units].T)] = (150, 150, 150, 255)   # overflowed units in grey
        with np.errstate(over="ignore", invalid="ignore"):   # scaled by the largest entry: 1e200 squares to inf
            scale = np.max(np.abs(a_all), axis=0)
            scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
            a_norm = scale * np.sqrt(np.sum((a_all / scale) ** 2, axis=0))
        a_bad = np.flatnonzero(~np.isfinite(tr.a).all(axis=(0, 1)))   # steps whose a<t> overflowed
        y0 = tr.y_hat[:, 0, :]
        if tr.loss_name == "mse":
            mode = "value"
        elif tr.n_y == 1:
            mode = "binary"
        else:
            mode = "classes"
        k = min(3, tr.n_y)
        safe = np.nan_to_num(y0, nan=-1.0)
        top_idx = np.argsort(-safe, axis=0, kind="stable")[:k].T      # (T, k)
        top_p = np.take_along_axis(y0.T, top_idx, axis=1)
        if seq.target_index is not None:
            target = seq.target_index[0].astype(float)
        else:
            target = tr.y[0, 0, :].astype(float)
        da_norm, da_last = tr.da_norm, tr.da_last_norm
        flowing = da_norm if flow == "total" else da_last
        return cls(
            trace=tr, T=T, mode=mode, units=units, a_limit=lim, a_rgba=rgba, a_norm=a_norm,
            top_idx=top_idx, top_p=top_p, target=target, y_hat0=y0, loss=tr.loss,
            has_output=tr.step_weight > 0, has_input=tr.input_weight > 0,
            da_norm=da_norm, da_last_norm=da_last, flow=flow, g_range=colors.log_range(flowing),
            labels=seq.output_labels(),
            a_bad_from=int(a_bad[0]) if a_bad.size else None,
            silent_note=F.silent_note(tr, flow, short=True),
        )

    # ---------------------------------------------------------------- per-step values
    def grad(self, t: int) -> float:
        """The size of the gradient the animation shows at a<t>."""
        return float((self.da_norm if self.flow == "total" else self.da_last_norm)[t])

    @property
    def grad_symbol(self) -> str:
        return f"‖{F.grad_symbol(self.flow, 'a')}‖"

    def input_text(self, t: int) -> str:
        if not self.has_input[t]:
            return "0"
        return self.trace.seq.input_label(t)

    def target_text(self, t: int) -> str:
        return self.trace.seq.target_label(t)

    def top_prediction(self, t: int) -> str:
        """The best guess at step t: a class label, a value, or p(1)."""
        if self.mode == "value":
            return fmt_sci(float(self.y_hat0[0, t]))
        if self.mode == "binary":
            return f"p(1)={float(self.y_hat0[0, t]):.3f}"
        return self.labels[int(self.top_idx[t, 0])]

    def target_in_top(self, t: int) -> bool:
        return int(self.target[t]) in self.top_idx[t].tolist()

    def target_p(self, t: int) -> float:
        return float(self.y_hat0[int(self.target[t]), t])

    def bad_forward(self, t: int) -> bool:
        """a<t> is inf/NaN (the forward pass blew up at or before step t)."""
        fb = self.a_bad_from
        return fb is not None and t >= fb

    def bad_grad(self, t: int) -> bool:
        g = self.grad(t)
        return not math.isfinite(g)

    # ---------------------------------------------------------------- export
    @staticmethod
    def csv_header() -> list[str]:
        return ["t", "input", "norm_a", "top_prediction", "target", "loss", "norm_dL_da", "norm_dLT_da"]

    def csv(self) -> tuple[list[str], list[list]]:
        header = self.csv_header()
        rows = []
        for t in range(self.T):
            out = self.has_output[t]
            rows.append([
                t + 1, self.input_text(t), float(self.a_norm[t + 1]),
                self.top_prediction(t) if out else "", self.target_text(t) if out else "",
                float(self.loss[t]) if out else "", float(self.da_norm[t]), float(self.da_last_norm[t]),
            ])
        return header, rows


def _vec(v: np.ndarray, small: int = 8) -> str:
    """A whole vector for small sizes, else its norm and leading entries."""
    v = np.asarray(v, dtype=float).ravel()
    if v.size <= small:
        return "[" + ", ".join(f"{x:.3g}" for x in v) + "]"
    with np.errstate(over="ignore", invalid="ignore"):
        n = float(np.sqrt(np.sum(v * v)))
    lead = ", ".join(f"{x:.3g}" for x in v[:4])
    return f"‖·‖ = {fmt_sci(n)}, n = {v.size}: [{lead}, …]"


def _cell_lines(tr, s: int) -> list[str]:
    """The a-node's equation and values in the top layer's cell: the notes' z for a vanilla cell, the
    other states and the gates for an LSTM or a GRU (which have no single pre-activation z)."""
    t, top = s - 1, tr.top
    cell = top.cell
    if cell.name == "rnn":
        return [f"a⟨{s}⟩ = g(Waa a⟨{s - 1}⟩ + Wax x⟨{s}⟩ + ba)", f"a = {_vec(tr.a[:, 0, t])}",
                f"z = {_vec(tr.z[:, 0, t])}"]
    where = "top layer" + (", gates of the forward direction" if tr.spec.dirs == 2 else "")
    lines = [f"a⟨{s}⟩: the hidden state of the {cell.name.upper()} cell ({where})", f"a = {_vec(tr.a[:, 0, t])}"]
    for name in [n for n in cell.state_names if n != "a"] + list(cell.gate_names):
        values = top.quantity(name)[t]        # (n_a, m) at step t
        lines.append(f"{name} = {_vec(values[:, 0])}")
    return lines


def _gain_name(tr) -> str:
    return "local gain ‖diag(g′(z)) Waa‖₂" if tr.cell.name == "rnn" else "local gain ‖∂s⟨t⟩/∂s⟨t−1⟩‖₂"


def tooltip(d: GraphData, kind: str, t: int) -> str:
    """Plain-text tooltip for node `kind` at step t (0-based, -1 for a<0>)."""
    tr, s = d.trace, t + 1
    if kind == "a" and t == -1:
        return f"a⟨0⟩ (initial hidden state)\n{_vec(tr.a_start[:, 0])}\n‖∂L/∂a⟨0⟩‖ = {fmt_sci(float(np.linalg.norm(tr.da0)))}"
    if kind == "x":
        if not d.has_input[t]:
            return f"x⟨{s}⟩ = 0 (one-to-many: only x⟨1⟩ is fed)"
        return f"x⟨{s}⟩ = {d.trace.seq.input_label(t)!s}\n{_vec(tr.x[:, 0, t])}"
    if kind == "a":
        lines = _cell_lines(tr, s) + [
                 f"‖∂L/∂a⟨{s}⟩‖ = {fmt_sci(float(d.da_norm[t]))}",
                 f"‖∂L⟨T⟩/∂a⟨{s}⟩‖ = {fmt_sci(float(d.da_last_norm[t]))}",
                 f"{_gain_name(tr)} = {fmt_sci(float(tr.local_gain[0, t]))}"]
        if len(d.units) < tr.n_a:
            lines.append(f"strip shows {len(d.units)} of {tr.n_a} units")
        if d.bad_forward(t):
            lines.append("not finite: the forward pass overflowed")
        return "\n".join(lines)
    if kind == "y":
        lines = [f"ŷ⟨{s}⟩ target {d.target_text(t)}"]
        if d.mode == "classes":
            lines += [f"{d.labels[int(i)]}: {float(p):.3f}" for i, p in zip(d.top_idx[t], d.top_p[t])]
            lines.append(f"p(target {d.target_text(t)}) = {d.target_p(t):.3g}")
        else:
            lines.append(f"ŷ = {_vec(d.y_hat0[:, t])}")
        return "\n".join(lines)
    if kind == "L":
        return f"L⟨{s}⟩ = {fmt_sci(float(d.loss[t]))} ({tr.loss_name})\nL = Σ L⟨t⟩ = {fmt_sci(tr.total_loss)}"
    return ""


EDGE_HELP = {
    "Wax": "Wax: input → hidden, the same matrix at every step",
    "Waa": "Waa: hidden → hidden, the same matrix at every step (BPTT multiplies by Waaᵀ each step back)",
    "Wya": "Wya: hidden → output, the same matrix at every step",
    "L": "ŷ⟨t⟩ and the target y⟨t⟩ give the loss L⟨t⟩",
}
