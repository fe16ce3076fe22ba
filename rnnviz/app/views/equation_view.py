"""The current step's equations in the notes' notation, with the trace's numbers filled in.

Forward phase: z<t>, a<t>, ŷ<t>, L<t>. Backward phase: the BPTT equations for da<t> and dz<t>.
Whole vectors when n_a <= 8 (and n_y <= 8), otherwise the norm and the leading entries.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QTextBrowser, QWidget

from rnnviz.app import theme
from rnnviz.app.colors import palette
from rnnviz.app.state import BACKWARD, AppState

FULL = 8        # show whole vectors up to this size
LEAD = 4        # else the first LEAD entries


def _sup(t) -> str:
    return f"<sup>⟨{t}⟩</sup>"


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("+∞" if v > 0 else "−∞")
    return f"{v:+.3f}".replace("-", "−") if abs(v) < 1e4 else f"{v:+.2e}".replace("-", "−")


def vec(v: np.ndarray) -> str:
    """(n,) -> '( +0.120  −0.530 … )ᵀ' with the norm for long vectors."""
    v = np.asarray(v, dtype=float).ravel()
    if v.size <= FULL:
        return "<span class=n>(" + "&nbsp; ".join(_num(x) for x in v) + ")ᵀ</span>"
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.sqrt(np.sum(v * v)))
    lead = "&nbsp; ".join(_num(x) for x in v[:LEAD])
    return f"<span class=n>({lead} … {v.size - LEAD} more)ᵀ</span> &nbsp;‖·‖ = <span class=n>{_num(norm)[1:]}</span>"


class EquationView(QTextBrowser):
    figure_title = "Equations"

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.setOpenLinks(False)
        self.setMinimumWidth(300)
        state.trace_changed.connect(lambda _: self._render())
        state.step_changed.connect(lambda *_: self._render())
        state.view_options_changed.connect(lambda _: self._render())
        self._render()

    # ------------------------------------------------------------------ html
    def _css(self) -> str:
        o = self.state.view_options
        p = palette(o.theme)
        return (f"<style>body {{ color: {p.foreground}; font-size: {theme.point_size(o)}pt; }}"
                f".n {{ font-family: {theme.mono_family()}; color: {p.forward}; }}"
                f".b {{ font-family: {theme.mono_family()}; color: {p.backward}; }}"
                f".m {{ color: {p.muted}; }} h3 {{ margin: 0.2em 0 0.3em 0; }}"
                f"p {{ margin: 0.25em 0 0.7em 0; }}</style>")

    def _render(self) -> None:
        tr = self.state.trace
        if tr is None:
            self.setHtml(self._css() + "<p class=m>Type a sequence to see the equations.</p>")
            return
        t = self.state.t
        body = self._backward(tr, t) if self.state.phase == BACKWARD else self._forward(tr, t)
        self.setHtml(self._css() + body)

    def _forward(self, tr, t: int) -> str:
        T, s, g = tr.T, t + 1, ("tanh" if tr.activation == "tanh" else "ReLU")
        seq = tr.seq
        fed = tr.input_weight[t] > 0
        x_text = (f"'{seq.input_label(t)}' (one-hot)" if seq.kind == "text" else vec(tr.x[:, 0, t])) if fed \
            else "0 (one-to-many: only x<sup>⟨1⟩</sup> is fed)"
        prev = "a<sup>⟨0⟩</sup> = 0" if t == 0 else f"a{_sup(s - 1)} = {vec(tr.a[:, 0, t - 1])}"
        html = [f"<h3>Forward pass · step t = {s} of {T}</h3>",
                f"<p>x{_sup(s)} = {x_text}<br>{prev}</p>",
                f"<p>z{_sup(s)} = W<sub>aa</sub> a{_sup(s - 1)} + W<sub>ax</sub> x{_sup(s)} + b<sub>a</sub><br>"
                f"&nbsp;&nbsp;= {vec(tr.z[:, 0, t])}</p>",
                f"<p>a{_sup(s)} = {g}(z{_sup(s)})<br>&nbsp;&nbsp;= {vec(tr.a[:, 0, t])}</p>"]
        html.append(self._output(tr, t, s))
        return "".join(html)

    def _output(self, tr, t: int, s: int) -> str:
        seq, p = tr.seq, tr.y_hat[:, 0, t]
        head = {"cross_entropy": "softmax", "bce": "σ", "mse": ""}[tr.loss_name]
        out = f"<p>ŷ{_sup(s)} = {head}(W<sub>ya</sub> a{_sup(s)} + b<sub>y</sub>)<br>&nbsp;&nbsp;= "
        if seq.kind == "text":
            labels = seq.output_labels()
            top = np.argsort(-np.nan_to_num(p, nan=-1.0))[: min(3, p.size)]
            out += ", ".join(f"'{labels[i]}' <span class=n>{p[i]:.3f}</span>" for i in top)
            out += " <span class=m>(top 3)</span>" if p.size > 3 else ""
        else:
            out += vec(p)
        out += "</p>"
        L = float(tr.loss_steps[0, t])
        if tr.step_weight[t] == 0:
            return out + f"<p class=m>No loss at this step ({tr.architecture}: only L{_sup(tr.T)} counts).</p>"
        target = seq.target_label(t)
        if tr.loss_name == "cross_entropy":
            k = int(seq.target_index[0, t])
            eq = (f"L{_sup(s)} = −log ŷ{_sup(s)}['{target}'] = −log <span class=n>{p[k]:.4f}</span>")
        elif tr.loss_name == "bce":
            eq = (f"L{_sup(s)} = −[y log ŷ + (1−y) log(1−ŷ)] with y = {target}, "
                  f"ŷ = <span class=n>{_num(float(p[0]))}</span>")
        else:
            eq = f"L{_sup(s)} = (ŷ{_sup(s)} − y{_sup(s)})² with y = {target}"
        total = float(np.sum(tr.loss[: t + 1]))
        return out + (f"<p>{eq}<br>&nbsp;&nbsp;= <span class=n>{_num(L)[1:] if L >= 0 else _num(L)}</span></p>"
                      f"<p class=m>Σ L so far = {total:.4g} · total L = {tr.total_loss:.4g}</p>")

    def _backward(self, tr, t: int) -> str:
        T, s = tr.T, t + 1
        gname = "tanh′(z) = 1 − a²" if tr.activation == "tanh" else "ReLU′(z) = [z > 0]"
        direct = tr.da_direct[:, 0, t]
        html = [f"<h3>Backward pass (BPTT) · step t = {s} of {T}</h3>",
                f"<p>ŷ{_sup(s)} − y{_sup(s)} flows back through W<sub>ya</sub>:<br>"
                f"W<sub>ya</sub>ᵀ(ŷ{_sup(s)} − y{_sup(s)}) = <span class=b>{vec(direct)}</span></p>"]
        if t < T - 1:
            with np.errstate(invalid="ignore", over="ignore"):
                recur = tr.da[:, 0, t] - direct  # the part that came from step t+1: Waaᵀ dz<t+1>
            html.append(f"<p>W<sub>aa</sub>ᵀ dz{_sup(s + 1)} = <span class=b>{vec(recur)}</span></p>")
            html.append(f"<p>da{_sup(s)} = W<sub>ya</sub>ᵀ(ŷ{_sup(s)} − y{_sup(s)}) + W<sub>aa</sub>ᵀ dz{_sup(s + 1)}")
        else:
            html.append(f"<p>da{_sup(s)} = W<sub>ya</sub>ᵀ(ŷ{_sup(s)} − y{_sup(s)}) <span class=m>(last step: "
                        "nothing comes from later)</span>")
        html.append(f"<br>&nbsp;&nbsp;= <span class=b>{vec(tr.da[:, 0, t])}</span></p>")
        html.append(f"<p>dz{_sup(s)} = da{_sup(s)} ⊙ g′(z{_sup(s)}), &nbsp;<span class=m>{gname}</span><br>"
                    f"&nbsp;&nbsp;g′(z{_sup(s)}) = {vec(tr.gprime[:, 0, t])}<br>"
                    f"&nbsp;&nbsp;dz{_sup(s)} = <span class=b>{vec(tr.dz[:, 0, t])}</span></p>")
        html.append(f"<p class=m>dW<sub>aa</sub> += dz{_sup(s)} a{_sup(s - 1)}ᵀ, &nbsp;dW<sub>ax</sub> += "
                    f"dz{_sup(s)} x{_sup(s)}ᵀ, &nbsp;db<sub>a</sub> += dz{_sup(s)}<br>"
                    f"local gain ‖diag(g′(z{_sup(s)})) W<sub>aa</sub>‖₂ = {tr.local_gain[0, t]:.3g}</p>")
        return "".join(html)

    def current_html(self) -> str:
        return self.toPlainText()
