"""InfluenceView: which earlier states each loss still "hears": log10 ||dL<t>/da<k>|| for k <= t.

Rows are the loss step t, columns the state a<k> it reaches back to (both 1-based). Above the diagonal
(k > t) nothing flows, so it stays blank. Inferno on a log10 scale with a colour bar; a crosshair marks
the cursor's step. Past the engine's size cap the trace has no influence map and the view says why.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rnnviz.app.colors import magnitude
from rnnviz.app.theme import plot_font, point_size, style_layout_widget, style_plot
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.bptt_common import cursor_x, esc
from rnnviz.core import diagnostics as D
from rnnviz.io.tables import figure_table

EMPTY = "Type a sequence to see which earlier states each step's loss still reaches."


class InfluenceView(QWidget, FigureView):
    figure_name = "influence"
    figure_title = "Influence map ‖∂L<t>/∂a<k>‖"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.log_infl: np.ndarray | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.message = QLabel(EMPTY)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.message)
        self.canvas = pg.GraphicsLayoutWidget()
        lay.addWidget(self.canvas, 1)
        self.plot = self.canvas.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setAspectLocked(False)
        self.plot.setLabel("bottom", esc("state a<k> the gradient reaches, k"))
        self.plot.setLabel("left", esc("loss step t of L<t>"))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(colorMap=magnitude(), interactive=False, width=18)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.hline = pg.InfiniteLine(angle=0)
        self.vline = pg.InfiniteLine(angle=90)
        self.bad_line = pg.InfiniteLine(angle=0, label=" ", labelOpts={"position": 0.75})
        for ln in (self.hline, self.vline, self.bad_line):
            self.plot.addItem(ln, ignoreBounds=True)
        self.canvas.scene().sigMouseClicked.connect(self._on_click)

        state.trace_changed.connect(self._on_trace_changed)
        state.progress_changed.connect(self._on_progress_changed)
        state.view_options_changed.connect(self._on_view_options_changed)
        self._on_view_options_changed(state.view_options)
        self._on_trace_changed(state.trace)

    # ------------------------------------------------------------------ slots
    def _on_view_options_changed(self, options) -> None:
        p = style_layout_widget(self.canvas, options)
        style_plot(self.plot, options, title=esc(self.figure_title + " — log scale"))
        font = plot_font(options, 0.95)
        self.bar.axis.setStyle(tickFont=font)
        self.bar.axis.setTextPen(pg.mkPen(p.foreground))
        self.bar.axis.setPen(pg.mkPen(p.muted))
        self.bar.axis.label.setFont(font)
        self.bar.axis.setLabel(esc("log10 ‖∂L<t>/∂a<k>‖ (log scale)"), color=p.foreground)
        self.bad_line.setPen(pg.mkPen(p.danger, width=2.5, style=Qt.PenStyle.DashLine))
        self.bad_line.label.setColor(p.danger)
        self.bad_line.label.setFont(plot_font(options, 1.0, bold=True))
        for ln in (self.hline, self.vline):
            ln.setPen(pg.mkPen(p.accent, width=2.5))
        self.message.setStyleSheet(f"font-size: {point_size(options, 1.15)}pt; font-weight: bold; "
                                   f"color: {p.foreground}; background: {p.background}; padding: 8px;")
        self.setStyleSheet(f"InfluenceView {{ background: {p.background}; }}")

    def _on_trace_changed(self, trace) -> None:
        self.log_infl = None if trace is None else D.influence_log10(trace)
        has = self.log_infl is not None
        for item in (self.image, self.hline, self.vline):
            item.setVisible(has)
        bad = None if trace is None else D.verdict(trace).nonfinite_step
        self.bad_line.setVisible(has and bad is not None)
        if has and bad is not None:
            self.bad_line.setValue(bad - 0.5)
            self.bad_line.label.setFormat(f"inf/NaN from step {bad}: nothing to show above")
        if trace is None:
            self.message.setText(EMPTY)
        elif not has:
            why = trace.influence_message or "the influence map was not computed"
            self.message.setText(f"No influence map for this sequence: {why}")
        self.message.setVisible(not has)
        if not has:
            return
        img = self.log_infl.copy()
        finite = img[np.isfinite(img)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 0.0)
        if hi - lo < 1.0:
            lo = hi - 1.0
        img[np.isneginf(img)] = lo          # exactly 0: the darkest colour; NaN (k > t) stays blank
        img[np.isposinf(img)] = hi
        T = trace.T
        self.image.setImage(img, autoLevels=False)
        self.image.setRect(0.5, 0.5, T, T)  # pixel (t, k) covers k-0.5..k+0.5, t-0.5..t+0.5 (1-based)
        self.bar.setLevels((lo, hi))
        self.plot.setXRange(0.5, T + 0.5, padding=0.01)
        self.plot.setYRange(0.5, T + 0.5, padding=0.01)
        self._on_progress_changed(self.state.progress)

    def _on_progress_changed(self, _pos: float) -> None:
        if self.log_infl is None or self.state.trace is None:
            return
        x = cursor_x(self.state)
        self.hline.setValue(x)
        self.vline.setValue(x)

    def cursor_step(self) -> int:
        """1-based step of the crosshair (tests, exports)."""
        return round(self.hline.value())

    def _on_click(self, ev) -> None:
        if self.log_infl is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        if self.plot.vb.sceneBoundingRect().contains(ev.scenePos()):
            t = round(self.plot.vb.mapSceneToView(ev.scenePos()).y()) - 1
            if 0 <= t < self.state.T:
                self.state.step_to(t)
                ev.accept()

    # ------------------------------------------------------------------ export
    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)
