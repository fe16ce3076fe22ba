"""CompareView: two configurations on the same sequence, their gradient sizes on ONE log axis.

Solid: ||dL/da<t>|| (total loss); dashed: ||dL<T>/da<t>|| (last step's loss), of each setting's top
layer (forward direction). Each configuration has its own colour and is labelled by what differs
(the legend: a colour per setting, a line style per quantity)
("ρ=0.8 tanh" vs "ρ=1.2 tanh"; "vanilla RNN ρ=0.9" vs "LSTM ρ=0.9" when the cells, layers or
directions differ). At step 1 each dashed curve is labelled with what is left of the last step's
gradient there, and a sentence under the plot says how much more one keeps than the other: on a
60-character text the LSTM's gradient reaching further back shows at a glance. Both verdicts are
written below, and (when the view is tall enough; always in the tooltip) why, in each cell's own
terms: ρ(Waa) and γ for the vanilla cell, the forget gates for the LSTM, the keep gates for the GRU. Without compare mode the view says how to turn it on.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.colors import palette
from rnnviz.app.theme import plot_font, point_size, style_layout_widget, style_plot
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.lazy import Lazy
from rnnviz.app.views.bptt_common import (VERDICT_SIGNS, cursor_x, esc, log10_limits, positive_or_nan,
                                          setup_log_plot, verdict_label)
from rnnviz.app.views.plot_fit import PlotFitter
from rnnviz.app.panels.bptt_controls import OTHER
from rnnviz.core import diagnostics as D
from rnnviz.core.cells import CELL_TITLES

EMPTY = ("Compare mode is off. In the Backprop through time panel, press “{button}” to draw a second "
         "model here, on the same sequence and the same axes.")
REASONS_MIN_HEIGHT = 440     # px of the view below which the reasons go to the tooltip only
LABEL_MIN_WIDTH = 300        # px: the verdicts and the sentence wrap at no narrower a width
STRUCTURE = ("cell", "layers", "bidirectional", "architecture")


def config_label(config, trace, other=None) -> str:
    """What tells this setting from `other`: 'ρ=0.8 tanh' against 'ρ=1.2 tanh'; 'LSTM' against 'vanilla
    RNN' (the model first when the cells, layers or directions differ; then ρ and g only where they
    differ); n_a when it is not the default."""
    structure = other is not None and any(getattr(config, k) != getattr(other, k) for k in STRUCTURE)
    parts = []
    if structure or config.cell != "rnn":
        model = CELL_TITLES.get(config.cell, config.cell)
        if config.bidirectional:
            model = "bidirectional " + model
        if config.layers > 1:
            model = f"{config.layers}-layer " + model
        parts.append(model)
    if not structure or other.radius != config.radius:
        parts.append(f"ρ={config.radius:g}")
    if config.cell == "rnn" and (not structure or other.activation != config.activation):
        parts.append(config.activation)
    text = " ".join(parts)
    return text + (f" n_a={trace.n_a}" if trace is not None and config.hidden != 16 else "")


def short_verdict(v) -> str:
    """'↘ vanishing, ×0.498 per step back' (the headline is in the Gradients tab and the BPTT panel)."""
    if v.nonfinite_step is not None:
        return f"{VERDICT_SIGNS.get(v.kind, '•')} {v.kind}: overflow (inf/NaN) at step {v.nonfinite_step}"
    per = f", ×{v.per_step:.3g} per step back" if np.isfinite(v.per_step) and v.per_step > 0 else ""
    return f"{VERDICT_SIGNS.get(v.kind, '•')} {v.kind}{per}"


class CompareView(QWidget, FigureView):
    figure_name = "compare"
    figure_title = "Compare: gradient size of two configurations"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.labels: list[str] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.canvas = pg.GraphicsLayoutWidget()
        lay.addWidget(self.canvas, 1)
        self.verdict_label = verdict_label()
        lay.addWidget(self.verdict_label)
        self.sentence_label = verdict_label()     # how much more of the gradient one setting keeps
        self.sentence_label.setObjectName("compareSentence")
        lay.addWidget(self.sentence_label)
        self.reasons_label = verdict_label()      # why, from each setting's own cell (a tall view only)
        self.reasons_label.setObjectName("compareReasons")
        lay.addWidget(self.reasons_label)
        self.reasons = ["", ""]
        # a wrapped label's least height is its text's height at its least width: at Qt's guess (~120 px)
        # the three asked ~420 px, and the tab area made the window taller than a 720p screen (F11)
        for lab in (self.verdict_label, self.sentence_label, self.reasons_label):
            lab.setMinimumWidth(LABEL_MIN_WIDTH)
        # the legend has its own column right of the plot: it never hides a curve. Short, so that the plot
        # keeps the width: a colour per setting, then a line style per quantity (samples drawn nowhere else)
        self.legend = pg.LegendItem(colCount=1, verSpacing=-4)
        self.keys = {k: pg.PlotDataItem() for k in ("da", "da_last")}
        self.plot = self.canvas.addPlot(row=0, col=0)
        self.canvas.addItem(self.legend, row=0, col=1)
        setup_log_plot(self.plot)
        self.plot.setLabel("left", "‖grad‖ (log scale)")
        self.plot.setLabel("bottom", "time step t")
        self.fitter = PlotFitter(self.canvas, [(self.plot, "left", "‖grad‖ (log scale)")], title_plot=self.plot,
                                 legend=self.legend)
        # (trace index, curve): 0 = main config, 1 = compared config
        self.curves = {(i, k): self.plot.plot() for i in (0, 1) for k in ("da", "da_last")}
        self.cursor = pg.InfiniteLine(angle=90)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.empty_text = pg.TextItem("", anchor=(0.5, 0.5))
        self.plot.addItem(self.empty_text, ignoreBounds=True)
        # what is left at step 1: below the start of its curve (each curve rises to the right), on a
        # backdrop of the plot's colour above the curves, so that no curve runs through the words
        self.end_labels = [pg.TextItem("", anchor=(0.0, 0.0)) for _ in range(2)]
        for item in self.end_labels:
            item.setZValue(20)
            self.plot.addItem(item, ignoreBounds=True)
        self.sentence = ""
        self._y_span = None           # (lo, hi, the lowest start) of the curves drawn, in log10
        self.plot.vb.sigResized.connect(lambda *_: self._fit_y_range())
        self.plot.vb.sigResized.connect(lambda *_: self._wrap_empty_text())
        self.canvas.scene().sigMouseClicked.connect(self._on_click)

        self._lazy = Lazy(self)     # hidden behind another tab: redrawn when shown (views/lazy.py)
        for sig in (state.trace_changed, state.compare_changed):
            self._lazy.connect(sig, lambda _x: self._redraw())
        self._lazy.connect(state.gains_changed, lambda _x: self._redraw())    # the verdicts quote the local gains
        self._lazy.connect(state.progress_changed, self._on_progress_changed)
        self._lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)
        self._on_view_options_changed(state.view_options)

    def minimumSizeHint(self):
        """Behind another tab, no more than the plot's least height: the tab area takes the largest of its
        pages' hints, and the wrapped verdicts' (~470 px in F11) made the window taller than the screen."""
        hint = super().minimumSizeHint()
        if not self.isVisible():
            hint.setHeight(min(hint.height(), self.canvas.minimumSizeHint().height() + 60))
        return hint

    @property
    def comparing(self) -> bool:
        return self.state.trace is not None and self.state.compare_trace is not None

    def has_figure(self) -> bool:
        return self.comparing   # compare mode off: no empty compare.csv, no placeholder compare.png

    def _on_view_options_changed(self, options) -> None:
        p = style_layout_widget(self.canvas, options)
        style_plot(self.plot, options)
        self.fitter.set_title(esc("Compare: gradient size going back (log scale)"), options,
                              (esc("Compare: gradient size (log)"),))
        wide = 4 if options.presentation else 3
        self.colours = (p.forward, p.backward)   # setting 0 and 1: curves, legend and verdict lines
        for i, col in enumerate(self.colours):
            self.curves[(i, "da")].setPen(pg.mkPen(col, width=wide))
            self.curves[(i, "da_last")].setPen(pg.mkPen(col, width=wide - 1, style=Qt.PenStyle.DashLine))
        self.keys["da"].setPen(pg.mkPen(p.foreground, width=wide))
        self.keys["da_last"].setPen(pg.mkPen(p.foreground, width=wide - 1, style=Qt.PenStyle.DashLine))
        self.cursor.setPen(pg.mkPen(p.accent, width=2.5))
        self.empty_text.setColor(p.muted)
        self.empty_text.setFont(plot_font(options, 1.1, bold=True))
        backdrop = pg.mkColor(p.background)
        backdrop.setAlpha(225)
        for item, col in zip(self.end_labels, self.colours):
            item.setColor(col)
            item.fill = pg.mkBrush(backdrop)
            item.setFont(plot_font(options, 0.95, bold=True))
        self.legend.opts["labelTextColor"] = pg.mkColor(p.foreground)
        self.legend.opts["labelTextSize"] = f"{point_size(options, 0.95)}pt"
        self._redraw()

    def _fit_y_range(self) -> None:
        """The y range of the data, and below the lowest curve's start the room its "… left" label
        needs at the plot's height now (the labels sit below their starts: each curve rises to the right)."""
        if self._y_span is None:
            return
        lo, hi, start = self._y_span
        if start is not None:
            label_px = QFontMetricsF(self.end_labels[0].textItem.font()).height() + 10    # a line and its margins
            f = min(max(label_px / max(self.plot.vb.height(), 1.0), 0.1), 0.45)   # of the plot's height
            lo = min(lo, start - f * (hi - start) / (1 - f))
        self.plot.setYRange(lo, hi, padding=0)
        self.fitter.set_log_range(self.plot, lo, hi)

    def _wrap_empty_text(self) -> None:
        """The hint wraps inside the plot (one line was cut at both ends at 1280 x 720)."""
        self.empty_text.setTextWidth(max(120.0, 0.9 * self.plot.vb.width()))

    def _redraw(self) -> None:
        st = self.state
        traces = [st.trace, st.compare_trace]
        self.legend.clear()
        on = self.comparing
        self.empty_text.setVisible(not on)
        self.cursor.setVisible(on)
        for item in self.end_labels:
            item.setText("")
        self.sentence = ""
        self._y_span = None
        if not on:
            for c in self.curves.values():
                c.setData([], [])
            self.labels = []
            self.plot.setXRange(0.5, max(st.T, 1) + 0.5)
            self.plot.setYRange(-1, 1)
            self.fitter.set_log_range(self.plot, -1.0, 1.0)
            self.empty_text.setPos((max(st.T, 1) + 1) / 2, 0)
            cell = st.config.cell if st.config.cell in OTHER else "rnn"
            self.empty_text.setText(EMPTY.format(button=OTHER[cell][1]))
            self._wrap_empty_text()
            self.verdict_label.setText("")
            self.sentence_label.setText("")
            self.sentence_label.hide()
            self.reasons = ["", ""]
            self.reasons_label.hide()
            return
        self.labels = [config_label(st.config, st.trace, st.compare_config),
                       config_label(st.compare_config, st.compare_trace, st.config)]
        if self.labels[0] == self.labels[1]:
            self.labels = [self.labels[0] + " (A)", self.labels[1] + " (B)"]
        values = []
        for i, tr in enumerate(traces):
            t1 = np.arange(1, tr.T + 1, dtype=float)
            for k, data in (("da", tr.da_norm), ("da_last", tr.da_last_norm)):
                self.curves[(i, k)].setData(t1, positive_or_nan(data), connect="finite")
                values.append(data)
            self.legend.addItem(self.curves[(i, "da")], esc(self.labels[i]))
        self.legend.addItem(self.keys["da"], esc("‖∂L/∂a<t>‖"))
        self.legend.addItem(self.keys["da_last"], esc("‖∂L<T>/∂a<t>‖"))
        self.fitter.fit_legend()
        lo, hi = log10_limits(*values, min_decades=2.0)
        starts = [float(tr.da_last_norm[0]) for tr in traces if tr.T > 1]
        starts = [np.log10(v) for v in starts if np.isfinite(v) and v > 0]
        self._y_span = (lo, hi, min(starts) if starts else None)
        self._fit_y_range()
        self.plot.setXRange(0.5, max(tr.T for tr in traces) + 0.5, padding=0.01)
        opts = st.view_options
        verdicts = [D.verdict(tr) for tr in traces]
        for item, tr, v in zip(self.end_labels, traces, verdicts):   # at step 1: what is left of L<T>'s gradient
            left = float(tr.da_last_norm[0]) if tr.T else float("nan")
            if np.isfinite(left) and left > 0 and tr.T > 1 and np.isfinite(v.ratio) and v.ratio > 0:
                item.setText(f"{D._sci_text(v.ratio)} left")
                item.setPos(1.0, np.log10(left))
        self.sentence = D.reach_comparison(self.labels[0], verdicts[0], self.labels[1], verdicts[1])
        # each setting's line in its curve's colour, after a swatch of the curve
        pt = point_size(opts, 1.05)
        self.verdict_label.setText("<br>".join(
            f"<span style='font-size:{pt}pt; font-weight:bold; color:{self.colours[i]}'>"
            f"{esc(f'━━ {lab}: {short_verdict(v)}')}</span>"
            for i, (lab, v) in enumerate(zip(self.labels, verdicts))))
        self.verdict_label.setToolTip("\n".join(f"{lab}: {v.text}" for lab, v in zip(self.labels, verdicts)))
        self.sentence_label.setText(f"<span style='font-size:{point_size(opts)}pt'>{esc(self.sentence)}</span>"
                                    if self.sentence else "")
        self.sentence_label.setVisible(bool(self.sentence))
        # why each setting keeps what it keeps, in its cell's own terms (ρ(Waa) and γ; the forget gates;
        # the GRU's keep gates): the first reason of each verdict, all of them in the tooltip
        self.reasons = [v.reasons[0] if v.reasons else "" for v in verdicts]
        muted = palette(opts.theme).muted
        self.reasons_label.setText("<br>".join(
            f"<span style='font-size:{point_size(opts, 0.9)}pt; color:{muted}'>"
            f"<span style='color:{self.colours[i]}'>Why ({esc(lab)}):</span> {esc(r)}</span>"
            for i, (lab, r) in enumerate(zip(self.labels, self.reasons)) if r))
        self._fit_reasons()
        self._on_progress_changed(st.progress)

    def _fit_reasons(self) -> None:
        """The reasons only where the plot keeps its height (a short view shows them in the tooltip)."""
        self.reasons_label.setVisible(self.comparing and any(self.reasons) and self.height() >= REASONS_MIN_HEIGHT)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit_reasons()

    def _on_progress_changed(self, _pos: float) -> None:
        if self.comparing:
            self.cursor.setValue(cursor_x(self.state))

    def cursor_step(self) -> int:
        return round(self.cursor.value())

    def _on_click(self, ev) -> None:
        if not self.comparing or ev.button() != Qt.MouseButton.LeftButton:
            return
        if self.plot.vb.sceneBoundingRect().contains(ev.scenePos()):
            self.state.step_to(round(self.plot.vb.mapSceneToView(ev.scenePos()).x()) - 1)
            ev.accept()

    def figure_csv(self):
        """Per step, each setting's ‖∂L/∂a⟨t⟩‖ and ‖∂L⟨T⟩/∂a⟨t⟩‖, and for a cell with a cell state
        (the LSTM) ‖∂L/∂c⟨t⟩‖ and ‖∂L⟨T⟩/∂c⟨t⟩‖ (the top layer's forward direction, as plotted)."""
        if not self.comparing:
            return ["t"], []
        from rnnviz.core.trace import StateRef

        st = self.state
        header, columns = ["t"], []
        for lab, tr in zip(self.labels, (st.trace, st.compare_trace)):
            cols = {"norm dL/da<t>": tr.da_norm, "norm dL<T>/da<t>": tr.da_last_norm}
            if "c" in tr.top.cell.state_names:
                ref = StateRef(tr.spec.layers - 1, 0, "c")
                cols["norm dL/dc<t>"] = tr.grad_norm(ref)
                cols["norm dL<T>/dc<t>"] = tr.grad_norm(ref, "last")
            header += [f"{lab} {w}" for w in cols]
            columns += [(tr.T, v) for v in cols.values()]   # each computed once, not per row
        rows = [[t + 1] + [float(v[t]) if t < T else None for T, v in columns]
                for t in range(max(T for T, _v in columns))]
        return header, rows
