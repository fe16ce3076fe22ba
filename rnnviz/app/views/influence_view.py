"""InfluenceView: which earlier states each loss still "hears": log10 ||dL<t>/da<k>||.

Rows are the loss step t, columns the state a<k> it reaches (both 1-based), for the selected layer
(the chooser above, the graph's click). A forward direction reads left to right, so L<t> reaches
a→<k> for k <= t only: the lower triangle. A bidirectional layer's backward direction reads right to
left, so L<t> reaches a←<k> for k >= t: the upper triangle, drawn beside the first on the same colour
scale (in the top layer: below it, the layer above reads both directions, so every loss reaches every
step, and the titles say so). Where nothing flows the map stays blank. Inferno on a log10 scale with a colour bar; a
crosshair marks the cursor's step. Past the engine's size cap the trace has no influence map and the
view says why.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rnnviz.app.colors import magnitude
from rnnviz.app.panels.layer_chooser import LayerChooser
from rnnviz.app.theme import plot_font, point_size, style_layout_widget, style_plot
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.lazy import Lazy, same_drawing
from rnnviz.app.views.bptt_common import cursor_x, esc
from rnnviz.core import diagnostics as D
from rnnviz.io.tables import influence_table

EMPTY = "Type a sequence to see which earlier states each step's loss still reaches."
def _free_title_width(plot) -> None:
    """A plot's title never widens its column (two maps share the width equally; a long title is cut)."""
    label = plot.titleLabel
    set_min = label.updateMin

    def update_min():
        set_min()
        label.setMinimumWidth(0)
        label._sizeHint[Qt.SizeHint.MinimumSize] = (0, label._sizeHint[Qt.SizeHint.MinimumSize][1])

    label.updateMin = update_min


TITLES = ("→ direction: a→<k>, k ≤ t", "← direction: a←<k>, k ≥ t")
# below the top of a bidirectional model the layer above reads both directions: every loss hears every step
TITLES_BELOW = ("→ direction: a→<k>, every k (the layer above reads both ways)", "← direction: a←<k>, every k")


QWIDGETSIZE_MAX = (1 << 24) - 1


class InfluenceView(QWidget, FigureView):
    figure_name = "influence"
    figure_title = "Influence map ‖∂L<t>/∂a<k>‖"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.log_infl: np.ndarray | None = None          # the forward direction's map (tests, exports)
        self.log_maps: list[np.ndarray] = []             # every direction's map of the layer shown
        self.layer = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.chooser = LayerChooser(state, directions=False)
        lay.addWidget(self.chooser)
        self._figure = QWidget()                         # what exports draw: the message and the maps
        fig = QVBoxLayout(self._figure)
        fig.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._figure, 1)
        self.message = QLabel(EMPTY)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        fig.addWidget(self.message)
        self.canvas = pg.GraphicsLayoutWidget()
        fig.addWidget(self.canvas, 1)
        self.plots, self.images, self.crosshairs = [], [], []
        for d in range(2):
            plot = self.canvas.addPlot(row=0, col=d)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setAspectLocked(False)
            plot.setLabel("bottom", esc("state a<k> the gradient reaches, k"))
            if d == 0:
                plot.setLabel("left", esc("loss step t of L<t>"))
            image = pg.ImageItem(axisOrder="row-major")
            plot.addItem(image)
            lines = (pg.InfiniteLine(angle=0), pg.InfiniteLine(angle=90))
            for ln in lines:
                plot.addItem(ln, ignoreBounds=True)
            self.plots.append(plot)
            self.images.append(image)
            self.crosshairs.append(lines)
        for d, plot in enumerate(self.plots):
            self.canvas.ci.layout.setColumnStretchFactor(d, 1)
            _free_title_width(plot)
        self.plot, self.image = self.plots[0], self.images[0]
        self.hline, self.vline = self.crosshairs[0]
        self.plots[1].setYLink(self.plots[0])
        self.bar = pg.ColorBarItem(colorMap=magnitude(), interactive=False, width=18)
        self.bar.setImageItem(self.images, insert_in=None)
        self.canvas.addItem(self.bar, row=0, col=2)
        self.bad_line = pg.InfiniteLine(angle=0, label=" ", labelOpts={"position": 0.75})
        self.plot.addItem(self.bad_line, ignoreBounds=True)
        self.canvas.scene().sigMouseClicked.connect(self._on_click)

        self._drawn = None                # (trace, selection) drawn last
        self._lazy = Lazy(self)     # hidden behind another tab or panel: redrawn when shown (views/lazy.py)
        self._lazy.connect(state.trace_changed, self._on_trace_changed)
        self._lazy.connect(state.selection_changed, self._follow_selection_changed)
        self._lazy.connect(state.progress_changed, self._on_progress_changed)
        self._lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)
        self._on_view_options_changed(state.view_options)
        self._on_trace_changed(state.trace)

    def _show_second(self, two: bool) -> None:
        """The backward direction's map beside the forward one, or nothing there: a hidden plot keeps
        its column in a graphics layout, and a one-direction map filled only the left half."""
        second, grid = self.plots[1], self.canvas.ci
        # (kept in the layout, at no width: taking it out and back left Qt's items with Python wrappers
        # that had lost their state, and other views' labels then failed in sizeHint)
        second.setMaximumWidth(QWIDGETSIZE_MAX if two else 0)
        if not two:
            second.setMinimumWidth(0)
        grid.layout.setColumnStretchFactor(1, 1 if two else 0)
        grid.layout.setColumnSpacing(0, grid.layout.horizontalSpacing() if two else 0)
        second.setVisible(two)

    # ------------------------------------------------------------------ slots

    def _follow_selection_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        # the views an export or a new model deleted); a new trace announces its selection too
        if not same_drawing(self._drawn, self.state.trace, self.state.selection):
            self._on_trace_changed(self.state.trace)

    def _on_view_options_changed(self, options) -> None:
        self._options = options
        p = style_layout_widget(self.canvas, options)
        font = plot_font(options, 0.95)
        self.bar.axis.setStyle(tickFont=font)
        self.bar.axis.setTextPen(pg.mkPen(p.foreground))
        self.bar.axis.setPen(pg.mkPen(p.muted))
        self.bar.axis.label.setFont(font)
        self.bar.axis.setLabel(esc("log10 ‖∂L<t>/∂a<k>‖ (log scale)"), color=p.foreground)
        self.bad_line.setPen(pg.mkPen(p.danger, width=2.5, style=Qt.PenStyle.DashLine))
        self.bad_line.label.setColor(p.danger)
        self.bad_line.label.setFont(plot_font(options, 1.0, bold=True))
        for lines in self.crosshairs:
            for ln in lines:
                ln.setPen(pg.mkPen(p.accent, width=2.5))
        self.message.setStyleSheet(f"font-size: {point_size(options, 1.15)}pt; font-weight: bold; "
                                   f"color: {p.foreground}; background: {p.background}; padding: 8px;")
        self.setStyleSheet(f"InfluenceView {{ background: {p.background}; }}")
        self._titles()

    def _titles(self) -> None:
        tr, o = self.state.trace, self._options
        two = tr is not None and tr.spec.dirs == 2
        where = f"layer {self.layer + 1} of {tr.spec.layers}" if tr is not None and tr.spec.layers > 1 else ""
        head = self.figure_title + " — log scale" + (f" · {where}" if where else "")
        titles = TITLES_BELOW if two and self.layer < tr.spec.layers - 1 else TITLES
        for d, plot in enumerate(self.plots):
            style_plot(plot, o, title=esc(titles[d] if two else head))
        if two:     # the shared title would not fit over two maps: the figure's name goes to the bar
            self.bar.axis.setLabel(esc(f"log10 ‖∂L<t>/∂a<k>‖{', ' + where if where else ''}"))

    def _on_trace_changed(self, trace) -> None:
        self._drawn = (trace, self.state.selection)
        if trace is not None:
            sel = self.state.selection
            self.layer = sel.layer if sel.layer < trace.spec.layers else trace.spec.layers - 1
            maps = [D.influence_log10(trace, self.layer, d) for d in range(trace.spec.dirs)]
            self.log_maps = [] if any(m is None for m in maps) else maps
        else:
            self.log_maps = []
        self.log_infl = self.log_maps[0] if self.log_maps else None
        has = bool(self.log_maps)
        two = len(self.log_maps) == 2
        self._show_second(two)
        for i, item in enumerate(self.images):
            item.setVisible(has and (i == 0 or two))
        for i, lines in enumerate(self.crosshairs):
            for ln in lines:
                ln.setVisible(has and (i == 0 or two))
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
        self._titles()
        if not has:
            return
        finite = np.concatenate([m[np.isfinite(m)] for m in self.log_maps])
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 0.0)
        if hi - lo < 1.0:
            lo = hi - 1.0
        T = trace.T
        for img_item, m in zip(self.images, self.log_maps):
            img = m.copy()
            img[np.isneginf(img)] = lo          # exactly 0: the darkest colour; NaN (no path) stays blank
            img[np.isposinf(img)] = hi
            img_item.setImage(img, autoLevels=False, levels=(lo, hi))
            img_item.setRect(0.5, 0.5, T, T)  # pixel (t, k) covers k-0.5..k+0.5, t-0.5..t+0.5 (1-based)
        self.bar.setLevels((lo, hi))
        for plot in self.plots:
            plot.setXRange(0.5, T + 0.5, padding=0.01)
            plot.setYRange(0.5, T + 0.5, padding=0.01)
        self._on_progress_changed(self.state.progress)

    def _on_progress_changed(self, _pos: float) -> None:
        if self.log_infl is None or self.state.trace is None:
            return
        x = cursor_x(self.state)
        for h, v in self.crosshairs:
            h.setValue(x)
            v.setValue(x)

    def cursor_step(self) -> int:
        """1-based step of the crosshair (tests, exports)."""
        return round(self.hline.value())

    def _on_click(self, ev) -> None:
        if self.log_infl is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        for plot in self.plots:
            if plot.isVisible() and plot.vb.sceneBoundingRect().contains(ev.scenePos()):
                t = round(plot.vb.mapSceneToView(ev.scenePos()).y()) - 1
                if 0 <= t < self.state.T:
                    self.state.step_to(t)
                    ev.accept()
                return

    # ------------------------------------------------------------------ export
    def figure_widget(self):
        """The maps inside the window (not the chooser); the whole view when it is a window of its own."""
        return self if self.isWindow() else self._figure

    def showEvent(self, ev) -> None:
        self.chooser.set_suppressed(self.isWindow())     # a figure of its own (the CLI): no chooser
        super().showEvent(ev)

    def figure_csv(self):
        tr = self.state.trace
        if tr is None:
            return [], []
        return influence_table(tr, self.layer)   # one table per figure (rnnviz/io/tables.py)
