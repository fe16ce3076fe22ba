"""BPTTPanel: what backpropagation through time has gathered so far, for the side of the window.

For the selected layer-direction (state.selection: the chooser on top, the graph's click), as the
backward pulse passes step t, the contributions of the steps it has passed are summed
(rnnviz.core.diagnostics.PartialGrads) under the cell's own weight names: the notes' Wax, Waa, ba for
the one-layer vanilla RNN, PyTorch's weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}
otherwise (an encoder–decoder's encoder. and decoder. sets each gather their own steps). A forward
direction's BPTT runs from step T back to 1, a backward direction's from step 1 on: each gathers in
its own sense, as many steps as the backward pass has taken. Small diverging heatmaps of W_ih,
W_hh and b of the segment the pulse is in (norms only for large n_a), every norm, the notes' sentence
"the final gradient of W is the sum of all time steps", the verdict of this layer-direction, and
the gradient clipping result before/after.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rnnviz.app import flow as F
from rnnviz.app import numfmt
from rnnviz.app.colors import diverging, palette, signed_limit
from rnnviz.app.panels.layer_chooser import LayerChooser
from rnnviz.app.state import BACKWARD
from rnnviz.app.theme import plot_font, point_size, style_layout_widget
from rnnviz.app.views.bptt_common import esc, verdict_html, verdict_label
from rnnviz.app.views.cell_equations import where as layer_where
from rnnviz.app.views.lazy import Lazy, same_drawing
from rnnviz.core import diagnostics as D

NAMES = ("Wax", "Waa", "ba")        # the notes' names (one vanilla layer); other models: the cell's own
ROLES = ("W_ih", "W_hh", "b")       # what the three heatmaps show, whatever the names
MAX_HEATMAP = 128   # above this many hidden units the panel shows norms only (pixels would be noise)
SENTENCE = ("The final gradient of W is the sum of all time steps: "
            "∂L/∂Waa = Σₜ dz<t> a<t−1>ᵀ, ∂L/∂Wax = Σₜ dz<t> x<t>ᵀ, ∂L/∂ba = Σₜ dz<t>.")
GATED = {"gru": "r, z, n", "lstm": "i, f, g, o"}


def sentence(spec) -> str:
    """The notes' sentence, in the names of this model."""
    if spec.notes_naming:
        return SENTENCE
    text = ("The final gradient of each weight is the sum of all time steps: ∂L/∂W_hh = Σₜ dz<t> a<t−1>ᵀ, "
            "∂L/∂W_ih = Σₜ dz<t> (input<t>)ᵀ, ∂L/∂b = Σₜ dz<t>")
    if spec.cell in GATED:
        text += f"; dz<t> stacks the pre-activation gradients of the gates ({GATED[spec.cell]}, PyTorch's order)"
        if spec.cell == "gru":
            text += " (b_hh and W_hh take dz through Γr for n)"
    return text + "."


def _fmt(x: float) -> str:
    return numfmt.short(x, 4)


class BPTTPanel(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.acc: D.PartialGrads | None = None
        self.shown: dict[str, np.ndarray] = {}      # the sums on screen, every name (tests read these)
        self.norms: dict[str, float] = {}
        self.heatmap_names: tuple[str, ...] = NAMES  # the weights the three heatmaps show now
        self.summed_from: int | None = None         # 1-based first step included (None: nothing yet)
        self._limit = 1.0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.chooser = LayerChooser(state)
        lay.addWidget(self.chooser)
        self.verdict_label = verdict_label()     # first and large: the answer to "why"
        lay.addWidget(self.verdict_label)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumHeight(190)
        lay.addWidget(self.canvas)
        self.plots, self.images = {}, {}
        for col, k in enumerate(ROLES):
            p = self.canvas.addPlot(row=0, col=col)
            p.hideAxis("bottom")
            p.hideAxis("left")
            p.setMenuEnabled(False)
            p.hideButtons()
            p.setMouseEnabled(False, False)
            p.invertY(True)
            img = pg.ImageItem(axisOrder="row-major")
            img.setColorMap(diverging())
            p.addItem(img)
            self.plots[k], self.images[k] = p, img
        self.canvas.ci.layout.setColumnStretchFactor(0, 3)
        self.canvas.ci.layout.setColumnStretchFactor(1, 3)
        self.canvas.ci.layout.setColumnStretchFactor(2, 1)
        self.bar = pg.ColorBarItem(colorMap=diverging(), interactive=False, width=12, values=(-1, 1))
        self.canvas.addItem(self.bar, row=0, col=3)
        self.norm_label = QLabel()
        self.norm_label.setWordWrap(True)
        lay.addWidget(self.norm_label)
        self.sentence = QLabel(esc(SENTENCE))
        self.sentence.setWordWrap(True)
        lay.addWidget(self.sentence)
        self.clip_label = QLabel()
        self.clip_label.setWordWrap(True)
        lay.addWidget(self.clip_label)
        lay.addStretch(1)

        self._drawn = None                # (trace, selection) drawn last
        self._lazy = Lazy(self)     # hidden behind another tab or panel: redrawn when shown (views/lazy.py)
        self._lazy.connect(state.trace_changed, self._on_trace_changed)
        self._lazy.connect(state.gains_changed, self._on_gains_changed)    # the local gains came in
        self._lazy.connect(state.config_changed, self._on_config_changed)
        self._lazy.connect(state.step_changed, self._on_step_changed)
        self._lazy.connect(state.clip_changed, self._on_clip_changed)
        self._lazy.connect(state.selection_changed, self._follow_selection_changed)
        self._lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)
        self._on_view_options_changed(state.view_options)
        self._on_trace_changed(state.trace)

    def _follow_selection_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        # the views an export or a new model deleted); a new trace announces its selection too
        if not same_drawing(self._drawn, self.state.trace, self.state.selection):
            self._on_trace_changed(self.state.trace)

    @property
    def text(self) -> str:
        """What the panel says, as plain text (tests, screen readers)."""
        doc = QTextDocument()
        parts = []
        for lab in (self.verdict_label, self.heading, self.norm_label, self.sentence, self.clip_label):
            doc.setHtml(lab.text())
            parts.append(doc.toPlainText())
        return "\n".join(parts)

    # ------------------------------------------------------------------ slots
    def _on_view_options_changed(self, options) -> None:
        p = style_layout_widget(self.canvas, options)
        pt = point_size(options)
        self.setStyleSheet(f"BPTTPanel QLabel {{ font-size: {pt}pt; color: {p.foreground}; }}")
        self.sentence.setStyleSheet(f"font-style: italic; color: {p.muted}; font-size: {pt}pt;")
        self.bar.axis.setStyle(tickFont=plot_font(options, 0.85))
        self.bar.axis.setTextPen(pg.mkPen(p.foreground))
        self._options = options
        self._on_trace_changed(self.state.trace)

    def _on_config_changed(self, config) -> None:
        if self.acc is not None and config.flow != self.acc.flow:
            self._on_trace_changed(self.state.trace)

    def _layer(self, trace) -> tuple[int, int]:
        sel = self.state.selection
        if sel.layer < trace.spec.layers and sel.direction < trace.spec.dirs:
            return sel.layer, sel.direction
        return trace.spec.layers - 1, 0

    def _on_trace_changed(self, trace) -> None:
        self._drawn = (trace, self.state.selection)
        if trace is None:
            self.acc = None
            self.heading.setText("Type a sequence: the backward pass gathers ∂L/∂W here.")
            self.verdict_label.setText("")
            self.clip_label.setText("")
            return
        layer, direction = self._layer(trace)
        self.acc = D.PartialGrads(trace, self.state.config.flow, layer, direction)
        big = trace.n_a > MAX_HEATMAP
        self.canvas.setVisible(not big)
        full = self.acc.at_count(trace.T)   # the whole sum sets a fixed colour range, so colours grow as steps add up
        self._limit = signed_limit(np.concatenate([v.ravel() for v in full.values()]))
        self.bar.setLevels((-self._limit, self._limit))
        for k, img in self.images.items():
            img.setLevels((-self._limit, self._limit))
        self._show_verdict(trace)
        self.sentence.setText(esc(sentence(trace.spec)))
        self._on_clip_changed(self.state.clip)
        self._on_step_changed(self.state.t, self.state.phase)

    def _show_verdict(self, trace) -> None:
        layer, direction = self._layer(trace)
        where = layer_where(trace.layer(layer, direction), trace.spec)
        prefix = f"{where}: " if where else ""
        self.verdict_label.setText(verdict_html(D.verdict(trace, layer, direction), self._options,
                                                prefix=prefix, with_rule=True))

    def _on_gains_changed(self, trace) -> None:
        """The local gains arrived: the verdict's reasons quote them."""
        if trace is self.state.trace and self.acc is not None:
            self._show_verdict(trace)

    def _on_step_changed(self, t: int, phase: str) -> None:
        tr = self.state.trace
        if tr is None or self.acc is None:
            return
        n = tr.T - t if phase == BACKWARD else 0          # steps the backward pass has taken
        sums = self.acc.at_count(n)
        self.shown = {k: v.copy() for k, v in sums.items()}
        self.norms = {k: D.frobenius(v) for k, v in sums.items()}
        back = self.acc.direction == 1
        self.summed_from = None if n == 0 else (1 if back else t + 1)
        flow = "L" if self.state.config.flow == "total" else "L<T>"
        p = palette(self._options.theme)
        lt = self.acc.lt
        where = layer_where(lt, tr.spec)
        if n == 0:
            head = (f"Forward pass: BPTT has not started. Press B (or play on) and ∂{flow}/∂W "
                    f"builds up here as the gradient flows from step {tr.T} back to step 1.")
            if back:
                head += " This backward direction reads right to left, so its BPTT runs from step 1 on."
            head = esc(head)
        else:
            span = f"steps 1…{n}" if back else f"steps {tr.T}…{t + 1}"
            head = (f"<b style='color:{p.backward}'>Backward pass at step {t + 1}</b>: " + esc(span)
                    + f" summed ({n} of {tr.T})" + (" — complete" if n == tr.T else ""))
            if back:
                head += esc(" — this ← direction's BPTT runs from step 1 to T")
        if where:
            head = f"<b>{esc(where)}</b> · " + head
        self.heading.setText(head)
        # the heatmaps: the weights of the segment the pulse is in (the last one before it starts)
        at = self.acc.order(max(n - 1, 0)) if tr.T else 0
        w_ih, w_hh, b_ih, _b_hh = self.acc.segment_names(at)
        self.heatmap_names = (w_ih, w_hh, b_ih)
        notes = tr.spec.notes_naming
        lines = []
        for k in self.acc.all_names:
            shape = "×".join(str(s) for s in sums[k].shape)
            lines.append(f"‖∂{esc(flow)}/∂{esc(k)}‖ = <b>{_fmt(self.norms[k])}</b> <span style='color:{p.muted}'>"
                         f"({shape})</span>")
        for role, k in zip(ROLES, self.heatmap_names):
            title = k if notes else f"{role} ({k.split('.')[0]})" if "." in k else role
            self.plots[role].setTitle(esc(f"∂{flow}/∂{title}"), color=p.foreground,
                                      size=f"{point_size(self._options, 0.9)}pt")
            if self.canvas.isVisibleTo(self) or not self.canvas.isHidden():
                lim = self._limit
                v = sums[k] if sums[k].ndim == 2 else sums[k].reshape(-1, 1)
                shown = np.nan_to_num(v, nan=0.0, posinf=lim, neginf=-lim)
                self.images[role].setImage(shown, autoLevels=False, levels=(-lim, lim))
        note = F.silent_note(tr, self.state.config.flow)
        if note:   # all zero, and why
            lines.append(f"<b style='color:{p.danger}'>{esc(note)}</b>")
        self.norm_label.setText("<br>".join(lines))

    def _on_clip_changed(self, clip) -> None:
        tr = self.state.trace
        if clip is None or tr is None:
            self.clip_label.setText("")
            return
        p = palette(self._options.theme)
        s = D.clip_summary(tr.grads, clip)
        if clip.mode == "none":
            text = (f"<b>Gradient clipping</b>: off. Global ‖∂L/∂W‖ = {_fmt(s['norm_before'])}, "
                    f"largest |entry| {_fmt(s['max_before'])}.")
        else:
            rule = (f"norm ‖g‖ ≤ θ = {clip.threshold:g}" if clip.mode == "norm"
                    else f"each entry to ±c = {clip.threshold:g}")
            colour = p.backward if clip.clipped else p.muted
            text = (f"<b>Gradient clipping</b> ({rule}): <span style='color:{colour}'>"
                    f"{'clipped' if clip.clipped else 'nothing to clip'}</span><br>"
                    f"global ‖g‖: {_fmt(s['norm_before'])} → <b>{_fmt(s['norm_after'])}</b><br>"
                    f"largest |entry|: {_fmt(s['max_before'])} → <b>{_fmt(s['max_after'])}</b>")
        self.clip_label.setText(text)


BpttPanel = BPTTPanel  # the name an earlier draft used
