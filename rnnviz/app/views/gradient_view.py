"""GradientView: how big the gradient is at every step, on a log axis, and why it shrinks or grows.

Top: ||dL/da<t>|| (total loss), ||dL<T>/da<t>|| (last step's loss) and Pascanu et al.'s envelope
(gamma sigma_max)^(T-t) scaled to start at ||dL<T>/da<T>||. Bottom: the step gain ||da<t>/da<t-1>||_2
with gamma*sigma_max(Waa), rho(Waa) and 1 drawn in. Below: the verdict in words and, when clipping is
on, the global gradient norm before and after clipping. A cursor line follows the timeline (smoothly
while playing); in the backward phase the steps the gradient has reached are shaded.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app import flow as F
from rnnviz.app.colors import palette
from rnnviz.app.state import BACKWARD
from rnnviz.app.theme import plot_font, point_size, style_layout_widget, style_plot
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.bptt_common import (clip_html, cursor_x, esc, log10_limits, positive_or_nan,
                                          setup_log_plot, verdict_html, verdict_label)
from rnnviz.app.views.plot_fit import PlotFitter
from rnnviz.core import diagnostics as D
from rnnviz.io.tables import figure_table

CURVES = ("da", "da_last", "envelope", "gain")
NAMES = {
    "da": "‖∂L/∂a<t>‖ (total L)",
    "da_last": "‖∂L<T>/∂a<t>‖ (last step)",
    "envelope": "bound (γσ_max)^(T−t)",
    "gain": "gain ‖∂a<t>/∂a<t−1>‖₂",
    "sigma": "γ·σ_max(Waa)",
    "rho": "ρ(Waa)",
}


class GradientView(QWidget, FigureView):
    figure_name = "gradients"
    figure_title = "Gradient size through time"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.data: dict[str, np.ndarray] = {}
        self.verdict: D.Verdict | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.canvas = pg.GraphicsLayoutWidget()
        lay.addWidget(self.canvas, 1)
        self.verdict_label = verdict_label()
        lay.addWidget(self.verdict_label)

        # the legend has its own column right of the plots, so it never hides a curve and costs no height
        self.legend = pg.LegendItem(colCount=1, verSpacing=-4)
        self.plot = self.canvas.addPlot(row=0, col=0)
        self.gain_plot = self.canvas.addPlot(row=1, col=0)
        self.canvas.addItem(self.legend, row=0, col=1, rowspan=2)
        self.canvas.ci.layout.setRowStretchFactor(0, 5)   # the gradient curves get most of the height
        self.canvas.ci.layout.setRowStretchFactor(1, 2)
        self.gain_plot.setXLink(self.plot)
        for p in (self.plot, self.gain_plot):
            setup_log_plot(p)
            p.vb.setMouseEnabled(x=True, y=False)
            p.getAxis("left").setWidth(70)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        self.plot.setLabel("left", "‖gradient‖")
        self.gain_plot.setLabel("left", "gain")
        self.gain_plot.setLabel("bottom", "time step t")
        self.fitter = PlotFitter(self.canvas, [(self.plot, "left", "‖gradient‖"), (self.gain_plot, "left", "gain")],
                                 title_plot=self.plot, lower=(self.gain_plot, 0.3, 36),
                                 legend=self.legend)

        self.curves = {k: self.plot.plot() for k in ("da", "da_last", "envelope")}
        for k in ("gain", "sigma", "rho"):
            self.curves[k] = self.gain_plot.plot()
        for c in self.curves.values():   # long traces: about two points per pixel column (peaks kept)
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        self.one_line = pg.InfiniteLine(angle=0, pos=0.0)
        self.gain_plot.addItem(self.one_line)
        self.reached = pg.LinearRegionItem(movable=False)
        self.reached.setZValue(-10)
        self.plot.addItem(self.reached, ignoreBounds=True)
        self.cursors = [pg.InfiniteLine(angle=90) for _ in range(2)]
        self.bad_lines = [pg.InfiniteLine(angle=90, label=" ", labelOpts={"position": 0.85}) for _ in range(2)]
        for p, c, b in zip((self.plot, self.gain_plot), self.cursors, self.bad_lines):
            p.addItem(c, ignoreBounds=True)
            p.addItem(b, ignoreBounds=True)
        self.empty_text = pg.TextItem("", anchor=(0.5, 0.5))
        self.plot.addItem(self.empty_text, ignoreBounds=True)
        self.silent_text = pg.TextItem("", anchor=(1.0, 0.0))   # where the L<T> curve would start
        self.plot.addItem(self.silent_text, ignoreBounds=True)
        self.canvas.scene().sigMouseClicked.connect(self._on_click)

        state.trace_changed.connect(self._on_trace_changed)
        state.config_changed.connect(self._on_config_changed)
        state.step_changed.connect(self._on_step_changed)
        state.progress_changed.connect(self._on_progress_changed)
        state.clip_changed.connect(self._on_clip_changed)   # a method: disconnected when the view is deleted
        state.view_options_changed.connect(self._on_view_options_changed)
        self._on_view_options_changed(state.view_options)
        self._on_trace_changed(state.trace)

    # ------------------------------------------------------------------ slots
    def _on_view_options_changed(self, options) -> None:
        p = style_layout_widget(self.canvas, options)
        style_plot(self.plot, options)
        style_plot(self.gain_plot, options)
        self.fitter.set_title(esc("Gradient size going back through time (log scale)"), options)
        wide = 4 if options.presentation else 3
        self._pens = {
            "da": pg.mkPen(p.forward, width=wide),
            "da_last": pg.mkPen(p.backward, width=wide),
            "envelope": pg.mkPen(p.foreground, width=2, style=Qt.PenStyle.DashLine),
            "gain": pg.mkPen(p.target, width=wide - 1),
            "sigma": pg.mkPen(p.foreground, width=1.5, style=Qt.PenStyle.DashLine),
            "rho": pg.mkPen(p.accent, width=2, style=Qt.PenStyle.DashDotLine),
        }
        for k, c in self.curves.items():
            c.setPen(self._pens[k])
        self.legend.opts["labelTextColor"] = pg.mkColor(p.foreground)
        self.legend.opts["labelTextSize"] = f"{point_size(options, 0.9)}pt"
        self._fill_legend()
        self.one_line.setPen(pg.mkPen(p.muted, width=1.5, style=Qt.PenStyle.DotLine))
        for c in self.cursors:
            c.setPen(pg.mkPen(p.accent, width=3))
        for b in self.bad_lines:
            b.setPen(pg.mkPen(p.danger, width=3, style=Qt.PenStyle.DashLine))
            b.label.setColor(p.danger)
            b.label.setFont(plot_font(options, 1.0, bold=True))
        self.empty_text.setColor(p.danger)
        self.empty_text.setFont(plot_font(options, 1.1, bold=True))
        self.silent_text.setColor(p.backward)
        self.silent_text.setFont(plot_font(options, 1.0, bold=True))
        col = pg.mkColor(p.backward)
        col.setAlpha(40)
        self.reached.setBrush(pg.mkBrush(col))
        for ln in self.reached.lines:
            ln.setPen(pg.mkPen(None))
        self._show_verdict()
        self._on_config_changed(self.state.config)

    def _fill_legend(self) -> None:
        self.legend.clear()
        tr = self.state.trace
        for k in ("da", "da_last", "envelope", "gain", "sigma", "rho"):
            name = NAMES[k]
            if tr is not None and k == "sigma":
                name += f" = {tr.gamma * tr.sigma_max:.3g}"
            if tr is not None and k == "rho":
                name += f" = {tr.rho:.3g}"
            self.legend.addItem(self.curves[k], esc(name))
        if hasattr(self, "fitter"):
            self.fitter.fit_legend()

    def _on_config_changed(self, config) -> None:
        """The curve that flows back in the animation is drawn thicker."""
        if not hasattr(self, "_pens"):
            return
        flowing = "da" if config.flow == "total" else "da_last"
        for k in ("da", "da_last"):
            pen = pg.mkPen(self._pens[k])
            pen.setWidthF(self._pens[k].widthF() + (1.5 if k == flowing else -1.0))
            self.curves[k].setPen(pen)

    def _on_trace_changed(self, trace) -> None:
        for item in (*self.cursors, self.reached, *self.bad_lines):
            item.setVisible(trace is not None)
        self.empty_text.setText("")
        self.silent_text.setText("")
        if trace is None:
            self.data = {}
            for c in self.curves.values():
                c.setData([], [])
            self.verdict = None
            self._show_verdict()
            return
        self.data = D.gradient_curves(trace)
        T = trace.T
        t1 = np.arange(1, T + 1, dtype=float)
        for k in CURVES:
            self.curves[k].setData(t1, positive_or_nan(self.data[k]), connect="finite")
        ends = np.array([0.5, T + 0.5])
        self.curves["sigma"].setData(ends, np.full(2, max(trace.gamma * trace.sigma_max, 1e-300)))
        self.curves["rho"].setData(ends, np.full(2, max(trace.rho, 1e-300)))
        self._fill_legend()
        self.verdict = D.verdict(trace)
        bad = self.verdict.nonfinite_step
        for b in self.bad_lines:
            b.setVisible(bad is not None)
            if bad is not None:
                b.setValue(bad)
        self.bad_lines[0].label.setFormat(f"inf/NaN from step {bad}" if bad else "")
        self.bad_lines[1].label.setFormat("")
        self.plot.setXRange(0.5, T + 0.5, padding=0.01)
        lo, hi = log10_limits(self.data["da"], self.data["da_last"], min_decades=2.0)
        self.plot.setYRange(lo, hi, padding=0)
        self.fitter.set_log_range(self.plot, lo, hi)
        note = F.silent_note(trace, F.LAST, short=True)   # the L<T> curve is drawn whatever flows back
        self.silent_text.setText(f"no ‖∂L⟨T⟩/∂a⟨t⟩‖ curve:\n{note}" if note else "")
        self.silent_text.setPos(T + 0.5, hi - 0.04 * (hi - lo))
        if not np.any(np.isfinite(positive_or_nan(self.data["da"]))):
            self.empty_text.setText(f"no finite gradient: values overflowed (inf/NaN) at step {bad}")
            self.empty_text.setPos((T + 1) / 2, lo + 0.3 * (hi - lo))
        glo, ghi = log10_limits(self.data["gain"], np.array([1.0, trace.rho, trace.gamma * trace.sigma_max]),
                                pad=0.2, min_decades=1.0)
        self.gain_plot.setYRange(glo, ghi, padding=0)
        self.fitter.set_log_range(self.gain_plot, glo, ghi, max_major=3)
        self._show_verdict()
        self._on_progress_changed(self.state.progress)

    def _on_step_changed(self, t: int, phase: str) -> None:
        self._on_progress_changed(self.state.progress)

    def _on_progress_changed(self, _pos: float) -> None:
        st = self.state
        if st.trace is None:
            return
        x = cursor_x(st)
        for c in self.cursors:
            c.setValue(x)
        backward = st.phase == BACKWARD
        self.reached.setVisible(backward)
        if backward:
            self.reached.setRegion((x, st.T + 0.5))

    def cursor_step(self) -> int:
        """The 1-based step under the cursor line (tests, exports)."""
        return round(self.cursors[0].value())

    def _on_clip_changed(self, _clip) -> None:
        self._show_verdict()

    def _show_verdict(self) -> None:
        if self.verdict is None:
            self.verdict_label.setText("Type a sequence to see how the gradient travels back through time.")
            return
        opts = self.state.view_options
        note = self.silent_text.toPlainText().replace("\n", " ")
        if note:   # also under the plot, which a small window makes too short to hold it
            note = f"<br><span style='color:{palette(opts.theme).backward}'><b>{esc(note)}</b></span>"
        # the headline here (the plots need the height); why, and the rule, in the BPTT panel and the tooltip
        self.verdict_label.setText(verdict_html(self.verdict, opts, with_reason=False) + note
                                   + clip_html(self.state.clip, opts))
        self.verdict_label.setToolTip(f"Why: {self.verdict.reason}.\nRule: {self.verdict.rule}.")

    def _on_click(self, ev) -> None:
        if self.state.trace is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        for p in (self.plot, self.gain_plot):
            if p.vb.sceneBoundingRect().contains(ev.scenePos()):
                x = p.vb.mapSceneToView(ev.scenePos()).x()
                self.state.step_to(int(round(x)) - 1)
                ev.accept()
                return

    # ------------------------------------------------------------------ export
    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)
