"""CompareView: two configurations on the same sequence, their gradient sizes on ONE log axis.

Solid: ||dL/da<t>|| (total loss); dashed: ||dL<T>/da<t>|| (last step's loss). Each configuration
has its own colour and is labelled by what differs ("ρ=0.8 tanh" vs "ρ=1.2 tanh"); both verdicts are
written below. Without compare mode the view says how to turn it on.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.theme import plot_font, point_size, style_layout_widget, style_plot
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.bptt_common import (cursor_x, esc, log10_limits, positive_or_nan,
                                          setup_log_plot, verdict_html, verdict_label)
from rnnviz.app.views.plot_fit import PlotFitter
from rnnviz.core import diagnostics as D

EMPTY = "Compare mode is off: turn it on in the BPTT controls to draw a second configuration here."


def config_label(config, trace) -> str:
    """'ρ=0.8 tanh' (plus n_a when it is not the default)."""
    text = f"ρ={config.radius:g} {config.activation}"
    return text + (f" n_a={trace.n_a}" if trace is not None and config.hidden != 16 else "")


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
        # the legend has its own column right of the plot: it never hides a curve
        self.legend = pg.LegendItem(colCount=1, verSpacing=-4)
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
        self.empty_text = pg.TextItem(EMPTY, anchor=(0.5, 0.5))
        self.plot.addItem(self.empty_text, ignoreBounds=True)
        self.canvas.scene().sigMouseClicked.connect(self._on_click)

        for sig in (state.trace_changed, state.compare_changed):
            sig.connect(lambda _x: self._redraw())
        state.progress_changed.connect(self._on_progress_changed)
        state.view_options_changed.connect(self._on_view_options_changed)
        self._on_view_options_changed(state.view_options)

    @property
    def comparing(self) -> bool:
        return self.state.trace is not None and self.state.compare_trace is not None

    def has_figure(self) -> bool:
        return self.comparing   # compare mode off: no empty compare.csv, no placeholder compare.png

    def _on_view_options_changed(self, options) -> None:
        p = style_layout_widget(self.canvas, options)
        style_plot(self.plot, options)
        self.fitter.set_title(esc("Compare: gradient size going back (log scale)"), options)
        wide = 4 if options.presentation else 3
        self.colours = (p.forward, p.backward)   # setting 0 and 1: curves, legend and verdict lines
        for i, col in enumerate(self.colours):
            self.curves[(i, "da")].setPen(pg.mkPen(col, width=wide))
            self.curves[(i, "da_last")].setPen(pg.mkPen(col, width=wide - 1, style=Qt.PenStyle.DashLine))
        self.cursor.setPen(pg.mkPen(p.accent, width=2.5))
        self.empty_text.setColor(p.muted)
        self.empty_text.setFont(plot_font(options, 1.1, bold=True))
        self.legend.opts["labelTextColor"] = pg.mkColor(p.foreground)
        self.legend.opts["labelTextSize"] = f"{point_size(options, 0.95)}pt"
        self._redraw()

    def _redraw(self) -> None:
        st = self.state
        traces = [st.trace, st.compare_trace]
        self.legend.clear()
        on = self.comparing
        self.empty_text.setVisible(not on)
        self.cursor.setVisible(on)
        if not on:
            for c in self.curves.values():
                c.setData([], [])
            self.labels = []
            self.plot.setXRange(0.5, max(st.T, 1) + 0.5)
            self.plot.setYRange(-1, 1)
            self.fitter.set_log_range(self.plot, -1.0, 1.0)
            self.empty_text.setPos((max(st.T, 1) + 1) / 2, 0)
            self.verdict_label.setText("")
            return
        self.labels = [config_label(st.config, st.trace), config_label(st.compare_config, st.compare_trace)]
        if self.labels[0] == self.labels[1]:
            self.labels = [self.labels[0] + " (A)", self.labels[1] + " (B)"]
        values = []
        for i, tr in enumerate(traces):
            t1 = np.arange(1, tr.T + 1, dtype=float)
            for k, data, what in (("da", tr.da_norm, "‖∂L/∂a<t>‖"), ("da_last", tr.da_last_norm, "‖∂L<T>/∂a<t>‖")):
                self.curves[(i, k)].setData(t1, positive_or_nan(data), connect="finite")
                self.legend.addItem(self.curves[(i, k)], esc(f"{self.labels[i]}: {what}"))
                values.append(data)
        self.fitter.fit_legend()
        lo, hi = log10_limits(*values, min_decades=2.0)
        self.plot.setYRange(lo, hi, padding=0)
        self.fitter.set_log_range(self.plot, lo, hi)
        self.plot.setXRange(0.5, max(tr.T for tr in traces) + 0.5, padding=0.01)
        opts = st.view_options
        # each setting's line in its curve's colour, after a swatch of the curve
        self.verdict_label.setText("<br>".join(
            verdict_html(D.verdict(tr), opts, with_reason=False, prefix=f"━━ {lab}: ", colour=self.colours[i])
            for i, (lab, tr) in enumerate(zip(self.labels, traces))))
        self._on_progress_changed(st.progress)

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
        if not self.comparing:
            return ["t"], []
        st = self.state
        header = ["t"] + [f"{lab} {w}" for lab in self.labels for w in ("norm dL/da<t>", "norm dL<T>/da<t>")]
        a, b = st.trace, st.compare_trace
        norms = [(tr.T, tr.da_norm, tr.da_last_norm) for tr in (a, b)]  # each computed once, not per row
        rows = []
        for t in range(max(a.T, b.T)):
            row = [t + 1]
            for T, da, da_last in norms:
                row += [float(da[t]), float(da_last[t])] if t < T else [None, None]
            rows.append(row)
        return header, rows
