"""The current step's equations in the notes' notation, with the trace's numbers filled in.

Forward phase: z⟨t⟩, a⟨t⟩, ŷ⟨t⟩ and L⟨t⟩ (a gated cell's gates, c̃⟨t⟩ and c⟨t⟩ too). Backward phase: the
BPTT equations for ∂L/∂a⟨t⟩ (or ∂L⟨T⟩/∂a⟨t⟩, following Config.flow; ∂L/∂c⟨t⟩ for the LSTM), its parts,
dz⟨t⟩ and the weight-gradient contributions; every part is shown as the vector it adds, so the parts
add up to the total. Whole vectors for n ≤ 8, else the norm and the leading entries.
The layer and direction explained are state.selection (the chooser on top, the graph's click, the
other per-layer views); the read-out rows belong to the top layer.
Every number is read from the Trace; this view only picks and formats.
"""
from __future__ import annotations

import html
import math

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from rnnviz.app import flow as F
from rnnviz.app import numfmt, theme
from rnnviz.app.panels.layer_chooser import LayerChooser
from rnnviz.app.state import BACKWARD, AppState
from rnnviz.core import diagnostics as D
from rnnviz.core.trace import GAINS_PENDING
from rnnviz.app.views import cell_equations
from rnnviz.app.views.eq_format import COMPACT, compact, num, rows_table, sup, vec
from rnnviz.app.views.lazy import Lazy

G = {"tanh": "tanh", "relu": "ReLU"}
GPRIME = {"tanh": "1 − tanh²(z⟨{s}⟩)", "relu": "[z⟨{s}⟩ &gt; 0] (1 where positive)"}


class EquationView(QWidget):
    figure_title = "Equations"

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setObjectName("equations")
        self.setMinimumWidth(240)
        self.chooser = LayerChooser(state)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.chooser)
        lay.addWidget(self.browser)
        # the page did not fit even with its numbers shortened: say so, do not leave a line cut off
        self.more = QLabel("▼ more below: scroll")
        self.more.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.more.setToolTip("the equations are taller than this panel: scroll them, or give the panel more room")
        self.more.hide()
        lay.addWidget(self.more)
        self.compact_level = 0           # 0: the numbers as written; 1, 2: shorter (eq_format.COMPACT)
        bar = self.browser.verticalScrollBar()
        bar.valueChanged.connect(self._follow_scroll)
        bar.rangeChanged.connect(self._follow_scroll)
        self._resized = QTimer(self)
        self._resized.setSingleShot(True)
        self._resized.setInterval(0)
        self._resized.timeout.connect(self._fit_page)
        self._stale = False
        self._rendered = None            # (trace, student, what else the page shows) of the last render
        self._flow = state.config.flow
        self._lazy = Lazy(self)     # hidden behind another tab or panel: redrawn when shown (views/lazy.py)
        self._lazy.connect(state.trace_changed, self._on_trace_changed)
        self._lazy.connect(state.gains_changed, self._on_gains_changed)    # the local gains came in
        self._lazy.connect(state.config_changed, self._on_config_changed)
        self._lazy.connect(state.step_changed, self._on_step_changed)
        self._lazy.connect(state.selection_changed, self._follow_selection_changed)
        self._lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)
        self._lazy.connect(state.student_changed, lambda _r: self._on_step_changed(state.t, state.phase))
        self._on_view_options_changed(state.view_options)

    # ------------------------------------------------------------------ slots

    def _follow_selection_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        self._on_step_changed(self.state.t, self.state.phase)   # the views an export or a new model deleted)

    def _on_trace_changed(self, trace) -> None:
        self._render()

    def _on_gains_changed(self, _trace) -> None:
        """The local gains arrived: the backward step's "local gain" line quotes one."""
        self._on_step_changed(self.state.t, self.state.phase)

    def _on_config_changed(self, config) -> None:
        if config.flow != self._flow:   # the backward equations are those of the loss that flows back
            self._flow = config.flow
            self._on_step_changed(self.state.t, self.state.phase)

    def _on_step_changed(self, t: int, phase: str) -> None:
        if self.isVisible():
            self._render()
        else:
            self._stale = True  # hidden behind another side tab: render when shown

    def showEvent(self, ev) -> None:
        if self._stale:
            self._render()
        super().showEvent(ev)

    def _on_view_options_changed(self, options) -> None:
        p = theme.palette(options.theme)
        self.browser.setStyleSheet(f"QTextBrowser#equations {{ background: {p.background}; color: {p.foreground};"
                                   f" border: none; padding: 6px; }}")
        self.more.setStyleSheet(f"QLabel {{ color: {p.accent}; font-weight: bold; }}")
        self._render()

    def text(self) -> str:
        """What the panel shows, as plain text (for tests and the clipboard)."""
        return self.browser.toPlainText()

    current_html = text  # the name an earlier version offered

    # ------------------------------------------------------------------ html
    def _render(self) -> None:
        o = self.state.view_options
        tr = self.state.trace
        # a new trace announces its selection and step too: the page is laid out once for them all
        what = (tr, self.state.student, (self.state.t, self.state.phase, self.state.selection, self.state.config, o,
                                         getattr(tr, "gains_ready", True)))     # the gains came in: the gain line
        last = self._rendered
        if last is not None and last[0] is what[0] and last[1] is what[1] and last[2] == what[2]:
            self._stale = False
            return
        self._rendered = what
        self._stale = False
        self._fit_page()

    def _page(self) -> str:
        """The page's HTML for the state on screen, in the number forms of the moment (eq_format)."""
        o = self.state.view_options
        p = theme.palette(o.theme)
        tr = self.state.trace
        if tr is None:
            body = "<p>No sequence yet: type one in the Sequence box.</p>"
        else:
            t = self.state.t
            body = self._backward(tr, t, p) if self.state.phase == BACKWARD else self._forward(tr, t, p)
            body += self._student(tr, t, p)
        pt = theme.point_size(o, 1.05)
        body = body.replace("<h3>", f'<h3 style="font-size:{theme.point_size(o, 1.2)}pt">')
        return f"""<html><body style="font-size:{pt}pt; color:{p.foreground};">
            <style> td {{ padding: 2px 8px 4px 0; vertical-align: top; }}
                    .n {{ font-family: {theme.mono_family()}; }}
                    .m {{ color: {p.muted}; }} h3 {{ margin: 0 0 6px 0; }} </style>{body}</body></html>"""

    def _fit_page(self) -> None:
        """The page as written; presenting, where it is taller than the panel (1280 x 720), the numbers
        shorter (fewer leading entries, three digits: read from the back row) until it fits. A page that
        fits in no form scrolls, and the line under it says that there is more below (in the window
        too: its pages keep every digit)."""
        self.compact_level = 0
        self.browser.setHtml(self._page())
        for level, (lead, sig) in enumerate(COMPACT if self.state.view_options.presentation else (), 1):
            if self._fits():
                break
            with compact(lead, sig):
                self.browser.setHtml(self._page())
            self.compact_level = level
        self._follow_scroll()

    def _fits(self) -> bool:
        """Whether the page fits the panel's height (True while the panel has no size yet)."""
        vp = self.browser.viewport()
        if not self.browser.isVisible() or vp.height() < 50:
            return True
        doc = self.browser.document()
        doc.setTextWidth(vp.width())
        return doc.size().height() <= vp.height() + 1

    def _follow_scroll(self, *_args) -> None:
        """'▼ more below' under the page while part of it is out of sight below."""
        bar = self.browser.verticalScrollBar()
        more = bar.maximum() > 0 and bar.value() < bar.maximum()
        if more != self.more.isVisibleTo(self):
            self.more.setVisible(more)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # a new size: the page in the form that fits it (once the panel has settled)
        if self._rendered is not None and event.size() != event.oldSize():
            self._resized.start()

    def _student(self, tr, t: int, p) -> str:
        """File ▸ Check my implementation… on this sequence: the student's numbers beside ours at this
        step, for their functions that fail (the differing units in the danger colour)."""
        from rnnviz.checker.values import step_rows

        results = self.state.student
        if not results:
            return ""
        rows = step_rows(results, t, tr.extras.get("example", 0), self.state.phase)
        if not rows:
            return ""
        out = ["<h3>Your functions at this step</h3><table>"]
        for r in rows:
            mark = lambda v, bad: f'<b style="color:{p.danger}">{numfmt.short(float(v), 4)}</b>' if bad \
                else numfmt.short(float(v), 4)   # noqa: E731
            theirs = "[" + ", ".join(mark(v, b) for v, b in zip(r.theirs[:16], r.differs[:16])) + \
                (", …" if r.theirs.size > 16 else "") + "]"
            ours = "[" + ", ".join(numfmt.short(float(v), 4) for v in r.ours[:16]) + \
                (", …" if r.ours.size > 16 else "") + "]"
            if not r.differs.any():
                theirs = "<span class='m'>the same (to 1e-6)</span>"
            out.append(f"<tr><td><i>{r.label}</i></td><td>ours</td><td class='n'>{ours}</td></tr>"
                       f"<tr><td></td><td>yours</td><td class='n'>{theirs}</td></tr>")
        out.append(f"</table><p class='m'>from {html.escape(rows[0].function)}"
                   + ("" if len({r.function for r in rows}) == 1 else " …") + " (Check tab)</p>")
        return "".join(out)

    def _rows(self, rows) -> str:
        return rows_table(rows)

    def _layer(self, tr):
        """The layer-direction the panel explains: the selected one (the top layer's forward direction
        until the user picks another)."""
        sel = self.state.selection
        if sel.layer < tr.spec.layers and sel.direction < tr.spec.dirs:
            return tr.layer(sel.layer, sel.direction)
        return tr.top

    def _forward(self, tr, t: int, p) -> str:
        d, s, seq = p.danger, t + 1, tr.seq
        if not tr.spec.notes_naming:
            lt = self._layer(tr)
            rows = cell_equations.forward_rows(tr, lt, t, d)
            top = lt.layer == tr.spec.layers - 1
            if top:
                rows += self._readout_rows(tr, t, d)
            where = cell_equations.where(lt, tr.spec)
            head = (f"<h3>Forward pass · step t = {s} of {tr.T} · {tr.spec.title()}"
                    + (f" <span class='m'>({where})</span>" if where else "") + "</h3>")
            if not top:
                head += (f"<p class='m'>a{sup(s)} of layer {lt.layer + 1} is what layer {lt.layer + 2} reads "
                         f"at step {s}; ŷ{sup(s)} and L{sup(s)} come from the top layer.</p>")
            note = ("<p class='m'>PyTorch's GRU, as computed here: Γr multiplies (W<sub>hn</sub> a + b<sub>hn</sub>); "
                    "the course's GRU applies it to a⟨t−1⟩ before the product.</p>") if tr.spec.cell == "gru" else ""
            return head + self._rows(rows) + note
        g = G.get(tr.activation, tr.activation)
        x_text = f"one-hot({html.escape(seq.input_label(t))})" if seq.kind == "text" else (
            num(tr.x[0, 0, t], d) if tr.n_x == 1 else vec(tr.x[:, 0, t], d))   # a batch's vectors (the notes')
        if tr.input_weight[t] == 0:
            x_text = f"0 &nbsp;<span class='m'>(not fed: {tr.architecture})</span>"
        a_prev = tr.a0[:, 0] if t == 0 else tr.a[:, 0, t - 1]
        rows = [
            (f"x{sup(s)}", "", x_text),
            (f"a{sup(s - 1)}", "", vec(a_prev, d) + (" <span class='m'>(a⟨0⟩)</span>" if t == 0 else "")),
            (f"z{sup(s)}", f"W<sub>aa</sub> a{sup(s - 1)} + W<sub>ax</sub> x{sup(s)} + b<sub>a</sub>",
             vec(tr.z[:, 0, t], d)),
            (f"a{sup(s)}", f"{g}(z{sup(s)})", vec(tr.a[:, 0, t], d)),
        ]
        rows += self._readout_rows(tr, t, d)
        head = f"<h3>Forward pass · step t = {s} of {tr.T}</h3>"
        return head + self._rows(rows)

    def _readout_rows(self, tr, t: int, d: str) -> list:
        s = t + 1
        ins = f"a{sup(s)}" if tr.spec.dirs == 1 else f"[a→{sup(s)}; a←{sup(s)}]"
        out = f"W<sub>ya</sub> {ins} + b<sub>y</sub>"
        if tr.step_weight[t] == 0 and tr.seq.target_tokens[t] is None:
            return [(f"ŷ{sup(s)}", "", "<span class='m'>no output at this step (the encoder reads)</span>")]
        yh = tr.y_hat[:, 0, t]
        if tr.loss_name == "cross_entropy":
            rows = [(f"ŷ{sup(s)}", f"softmax({out})", self._top(tr, t, d))]
        else:
            rows = [(f"ŷ{sup(s)}", f"σ({out})" if tr.loss_name == "bce" else out, vec(yh, d))]
        return rows + [self._loss_row(tr, t, d)]

    def _top(self, tr, t: int, d: str) -> str:
        """The three most likely characters, and the target's probability."""
        labels = tr.seq.output_labels()
        yh = tr.y_hat[:, 0, t]
        order = np.argsort(-np.nan_to_num(yh, nan=-1.0))[:3]
        top = ", ".join(f"p({html.escape(labels[i])}) = {num(yh[i], d)}" for i in order)
        k = int(tr.seq.target_index[0, t])
        if k < 0:
            return top
        return f"{top} &nbsp;<span class='m'>… target p({html.escape(labels[k])}) = {num(yh[k], d)}</span>"

    @staticmethod
    def _ce_value(p: float, L: float, d: str) -> str:
        """'−log p = L' written so that it adds up: the loss comes from the logits, so it stays finite
        where p underflows to 0, and is not 0 where p rounds to 1."""
        note = ""
        if math.isfinite(L) and L > 0 and p == 0:
            shown = f"e<sup>−{num(L, d)}</sup>"
            note = " &nbsp;<span class='m'>(ŷ is below the smallest float; L comes from the logits)</span>"
        elif math.isfinite(L) and 0 < L < 1e-3 and num(p, d) == "1":
            shown = f"(1 − {num(-math.expm1(-L), d)})"
        else:
            shown = num(p, d)
        return f"−log {shown} = {num(L, d)}{note}"

    def _loss_row(self, tr, t: int, d: str):
        s, L = t + 1, float(tr.loss[t])
        if tr.step_weight[t] == 0:
            return (f"L{sup(s)}", "0", f"<span class='m'>not scored ({tr.architecture})</span>")
        if tr.loss_name == "cross_entropy":
            k = int(tr.seq.target_index[0, t])
            c = html.escape(tr.seq.output_labels()[k])
            return (f"L{sup(s)}", f"−log ŷ{sup(s)}[{c}]", self._ce_value(float(tr.y_hat[k, 0, t]), L, d))
        y, yh = float(tr.y[0, 0, t]), float(tr.y_hat[0, 0, t])
        if tr.loss_name == "bce":
            return (f"L{sup(s)}", f"−(y log ŷ + (1 − y) log(1 − ŷ)), y = {num(y, d)}", num(L, d))
        yt = f"({num(y, d)})" if y < 0 else num(y, d)   # '0.6 − (−1)', not '0.6 − −1'
        return (f"L{sup(s)}", f"(ŷ{sup(s)} − y{sup(s)})²", f"({num(yh, d)} − {yt})² = {num(L, d)}")

    def _backward(self, tr, t: int, p) -> str:
        d, s, T = p.danger, t + 1, tr.T
        flow = self.state.config.flow
        L = F.loss_symbol(flow)
        if not tr.spec.notes_naming:
            lt = self._layer(tr)
            rows = cell_equations.backward_rows(tr, lt, t, flow, L, d)
            what = "the total loss L" if flow == F.TOTAL else "the last step's loss L⟨T⟩ only"
            where = cell_equations.where(lt, tr.spec)
            head = (f"<h3>Backward pass (BPTT) · step t = {s} of {T} · {tr.spec.title()}"
                    + (f" <span class='m'>({where})</span>" if where else "")
                    + f" <span class='m'>(the gradient of {what})</span></h3>")
            note = F.silent_note(tr, flow)
            note = f"<p style='color:{p.danger}'><b>{html.escape(note)}</b></p>" if note else ""
            return head + note + self._rows(rows) + cell_equations.gain_line(lt, t, d, tr.gains_ready)
        b = D.backward_terms(tr, t, flow)
        last = flow == F.LAST
        # the parts of ∂L/∂a⟨t⟩ that exist for this loss, each shown as the vector it adds
        if last and t < T - 1:
            direct = ("", f"0 &nbsp;<span class='m'>(L⟨T⟩ does not depend on ŷ{sup(s)})</span>")
        else:
            direct = (f"W<sub>ya</sub><sup>T</sup>(ŷ{sup(s)} − y{sup(s)})", vec(b["direct"][:, 0], d))
        if t + 1 < T:
            rec = (f"W<sub>aa</sub><sup>T</sup> dz{sup(s + 1)}", vec(b["recurrent"][:, 0], d))
        else:
            rec = ("", "0 &nbsp;<span class='m'>(nothing after the last step)</span>")
        total = " + ".join(f for f, _ in (direct, rec) if f) or "0"
        rows = [
            (f"∂{L}/∂a{sup(s)}", total, vec(b["da"][:, 0], d)),
            ("&nbsp;&nbsp;from ŷ" + sup(s), *direct),
            ("&nbsp;&nbsp;from a" + sup(s + 1), *rec),
            (f"g′(z{sup(s)})", GPRIME.get(tr.activation, "g′").format(s=s), vec(tr.gprime[:, 0, t], d)),
            (f"dz{sup(s)}", f"∂{L}/∂a{sup(s)} ⊙ g′(z{sup(s)})", vec(b["dz"][:, 0], d)),
            ("dW<sub>aa</sub> +=", f"dz{sup(s)} a{sup(s - 1)}<sup>T</sup>", f"‖·‖ = {num(b['Waa'], d)}"),
            ("dW<sub>ax</sub> +=", f"dz{sup(s)} x{sup(s)}<sup>T</sup>", f"‖·‖ = {num(b['Wax'], d)}"),
            ("db<sub>a</sub> +=", f"dz{sup(s)}", f"‖·‖ = {num(b['ba'], d)}"),
        ]
        what = "the total loss L" if not last else "the last step's loss L⟨T⟩ only"
        head = (f"<h3>Backward pass (BPTT) · step t = {s} of {T} "
                f"<span class='m'>(the gradient of {what}, flowing from t = {T} back to {s})</span></h3>")
        note = F.silent_note(tr, flow)
        note = f"<p style='color:{p.danger}'><b>{html.escape(note)}</b></p>" if note else ""
        gain = (f"<p class='m'>local gain ‖diag(g′(z{sup(s)})) W<sub>aa</sub>‖₂ = "
                f"{num(float(tr.local_gain[0, t]), d) if tr.gains_ready else GAINS_PENDING}</p>")
        return head + note + self._rows(rows) + gain
