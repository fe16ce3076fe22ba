"""StepPlotView: what the hidden-state, output and loss views share.

A pyqtgraph plot whose x axis is the step t (1-based: column t spans t-0.5..t+0.5), with
  - a cursor: an outline around the current column, moved (never redrawn) on every step;
  - a veil over the steps the forward pass has not reached yet;
  - click -> state.step_to(t), hover -> tooltip + state.set_hover(t);
  - theme and presentation fonts from AppState.view_options.
Subclasses draw in `_draw(trace)` and may extend `_restyle(palette)` and `hover_text(t, y)`.
"""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QToolTip, QVBoxLayout, QWidget

from rnnviz.app import scales, theme
from rnnviz.app.state import BACKWARD, AppState
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.lazy import Lazy

BIG = 1e12  # y extent of the cursor/veil in line plots (clipped by the view)


class StepPlotView(QWidget, FigureView):
    figure_title = "Figure"

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.ci.setContentsMargins(6, 6, 10, 6)
        self.plot: pg.PlotItem = self.canvas.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.vb.setMouseEnabled(x=True, y=False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas)

        self.veil = QGraphicsRectItem()
        self.veil.setPen(QPen(Qt.PenStyle.NoPen))
        self.veil.setZValue(20)
        self.cursor = QGraphicsRectItem()
        self.cursor.setZValue(30)
        self.plot.addItem(self.veil, ignoreBounds=True)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self._y_extent = (-BIG, BIG)
        self._T = 0
        self._title = self.figure_title
        self._styled_for = None              # the view options the plot was last styled for
        self._set_last: dict = {}            # what _once() saw last, by name

        self.canvas.scene().sigMouseClicked.connect(self._on_click)
        self._hover_proxy = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved)
        self.plot.vb.sigXRangeChanged.connect(lambda *_: self._range_changed())
        self.plot.vb.sigResized.connect(lambda *_: self._range_changed())
        self.plot.vb.sigResized.connect(lambda *_: self._wrap_title())
        # a long title must wrap, not push the plot out of a narrow window: no minimum width
        label = self.plot.titleLabel
        set_min = label.updateMin

        def update_min():
            set_min()
            label.setMinimumWidth(0)
            label._sizeHint[Qt.SizeHint.MinimumSize] = (0, label._sizeHint[Qt.SizeHint.MinimumSize][1])

        label.updateMin = update_min

    # ------------------------------------------------------------------ legend band
    def add_legend_band(self) -> pg.LegendItem:
        """A legend in its own row under the plot: it never covers a bar or a curve."""
        self.legend = pg.LegendItem(colCount=4, verSpacing=-4, horSpacing=18)
        self._legend_shown = False
        self.show_legend(True)
        self.canvas.installEventFilter(self)
        return self.legend

    def show_legend(self, on: bool) -> None:
        """Put the band in or take it out (a hidden item would still take its row's height)."""
        if on == self._legend_shown:
            return
        self._legend_shown = on
        if on:
            self.canvas.ci.addItem(self.legend, row=1, col=0)
            self.canvas.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignHCenter)
        else:
            self.canvas.ci.removeItem(self.legend)
        self.legend.setVisible(on)

    def fit_legend(self) -> None:
        """As many entries a line as the width holds."""
        legend = getattr(self, "legend", None)
        if legend is None or not legend.items:
            return
        widths = [s.boundingRect().width() + lab.item.boundingRect().width() + 3 + 18 for s, lab in legend.items]
        room, cols = self.canvas.width() - 20, 1
        while cols < len(widths) and sum(sorted(widths)[-(cols + 1):]) <= room:
            cols += 1
        legend.setColumnCount(cols)
        # only as large as its entries, centred under the plot
        row_h = max(max(s.boundingRect().height(), lab.item.boundingRect().height()) for s, lab in legend.items)
        legend.setMaximumHeight(legend.layout.rowCount() * row_h + 4)
        legend.setMaximumWidth(sum(sorted(widths)[-cols:]) + 8)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.canvas and event.type() == QEvent.Type.Resize:
            self.fit_legend()
        return False

    # over an image the cursor is an outline (the column's colours stay true); over curves and bars
    # a light band reads better than two lines
    cursor_fill_alpha = 0

    def set_cursor_fill(self, alpha: int) -> None:
        self.cursor_fill_alpha = alpha
        self._fill_cursor()

    def _fill_cursor(self) -> None:
        if self.cursor_fill_alpha:
            c = QColor(theme.palette(self.state.view_options.theme).accent)
            c.setAlpha(self.cursor_fill_alpha)
            self.cursor.setBrush(QBrush(c))
        else:
            self.cursor.setBrush(QBrush(Qt.BrushStyle.NoBrush))

    def _connect_state(self) -> None:
        """Call at the end of a subclass __init__, once its items exist."""
        s = self.state
        self._lazy = Lazy(self)          # hidden behind another tab: redrawn when shown (views/lazy.py)
        self._lazy.connect(s.trace_changed, self._on_trace_changed)
        self._lazy.connect(s.step_changed, self._on_step_changed)
        self._lazy.connect(s.view_options_changed, self._on_view_options_changed, restyle=True)
        self._on_view_options_changed(s.view_options)
        if s.trace is not None:
            self._on_trace_changed(s.trace)

    # ------------------------------------------------------------------ subclass hooks
    def _draw(self, trace) -> None:
        raise NotImplementedError

    def _restyle(self, p) -> None:
        """Colours of the subclass's own items for palette p."""

    def hover_text(self, t: int, y: float) -> str:
        return ""

    def _on_x_range_changed(self) -> None:
        """Re-pick tick labels when the zoom or size changes (not on every step)."""

    def _once(self, name: str, value) -> bool:
        """Whether `value` differs from what was set under `name` last (then it is remembered): for
        pyqtgraph setters that redraw even when given what they have (an axis's ticks, a bar's style)."""
        if name in self._set_last and self._set_last[name] == value:
            return False
        self._set_last[name] = value
        return True

    def set_y_extent(self, y0: float, y1: float) -> None:
        self._y_extent = (y0, y1)

    def set_title(self, text: str, restyle: bool = True) -> None:
        """The plot's title (kept across theme changes); restyle=False only swaps the text (cheap, per step).
        The plot is restyled only when the view options changed since it last was (a new trace's title
        with the same look: only the text), and nothing is done when the text is the same."""
        if text == self._title and self._styled_for is self.state.view_options:
            return
        self._title = text
        if restyle and self._styled_for is not self.state.view_options:
            self._styled_for = self.state.view_options
            theme.style_plot(self.plot, self.state.view_options, text)
        else:
            o = self.state.view_options
            self.plot.setTitle(text, color=theme.palette(o.theme).foreground,
                               size=f"{theme.point_size(o, 1.2)}pt", bold=True)
        self._wrap_title()

    def _wrap_title(self) -> None:
        """Wrap the title onto more lines when it is wider than the plot."""
        item = self.plot.titleLabel.item
        # centred over the data area: no wider than it plus twice the narrower margin of the plot item
        # beside it (the plot's width let a heatmap's title spill past the view's left edge in F11)
        vb = self.plot.vb.geometry()
        margin = max(min(vb.left(), self.plot.width() - vb.right()), 0.0)
        width = max(min(self.plot.width(), vb.width() + 2 * margin) - 12, 100)
        item.setTextWidth(-1)
        if item.boundingRect().width() > width:
            item.setTextWidth(width)
            option = item.document().defaultTextOption()
            option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            item.document().setDefaultTextOption(option)
        # pyqtgraph gives the title row a fixed 30 px: a wrapped title gets the rows it needs
        h = max(30.0, item.boundingRect().height() + 4)
        self.plot.titleLabel.setMaximumHeight(h)
        self.plot.layout.setRowFixedHeight(0, h)
        self.plot.titleLabel.updateMin()
        self.plot.titleLabel.resizeEvent(None)

    # ------------------------------------------------------------------ slots
    def _on_trace_changed(self, trace) -> None:
        self._T = trace.T
        self._draw(trace)
        self.plot.vb.setLimits(xMin=0.5 - 0.02 * trace.T, xMax=trace.T + 0.5 + 0.02 * trace.T)
        self.plot.vb.setXRange(0.5, trace.T + 0.5, padding=0.01)
        self._on_step_changed(self.state.t, self.state.phase)
        self._range_changed()

    def _on_step_changed(self, t: int, phase: str) -> None:
        """The only work done per step: move two rectangles."""
        if self._T == 0:
            return
        y0, y1 = self._y_extent
        self.cursor.setRect(QRectF(t + 0.5, y0, 1.0, y1 - y0))
        if phase == BACKWARD:
            self.veil.setVisible(False)
        else:
            self.veil.setRect(QRectF(t + 1.5, y0, self._T - t - 1, y1 - y0))
            self.veil.setVisible(t < self._T - 1)

    def _on_view_options_changed(self, options) -> None:
        p = theme.style_layout_widget(self.canvas, options)
        theme.style_plot(self.plot, options, self._title)
        self._styled_for = options
        veil = QColor(p.background)
        veil.setAlpha(175)
        self.veil.setBrush(QBrush(veil))
        pen = QPen(QColor(p.accent), 2.5)
        pen.setCosmetic(True)
        self.cursor.setPen(pen)
        self._fill_cursor()
        self._restyle(p)
        self._range_changed()

    # ------------------------------------------------------------------ mouse
    def step_at(self, scene_pos) -> int | None:
        """0-based step under a scene position, or None outside the data."""
        vb = self.plot.vb
        if self._T == 0 or not vb.sceneBoundingRect().contains(scene_pos):
            return None
        t = round(vb.mapSceneToView(scene_pos).x()) - 1
        return t if 0 <= t < self._T else None

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        t = self.step_at(ev.scenePos())
        if t is not None:
            self.state.step_to(t)
            ev.accept()

    def _on_mouse_moved(self, args) -> None:
        pos = args[0]
        t = self.step_at(pos)
        if t is None:
            return
        self.state.set_hover(t)
        text = self.hover_text(t, self.plot.vb.mapSceneToView(pos).y())
        if text and self.canvas.underMouse():
            QToolTip.showText(QCursor.pos(), text, self.canvas)

    # ------------------------------------------------------------------ ticks
    def _range_changed(self) -> None:
        self._update_step_ticks()
        self._on_x_range_changed()

    def _update_step_ticks(self) -> None:
        """Whole steps on the bottom axis, spaced for the current zoom: recomputed on every range change
        (a spacing kept from a short trace once asked pyqtgraph for 100,000 ticks of a long one)."""
        px = self.visible_px_per_step()
        major = scales.step_tick_spacing(px, 45.0)
        minor = scales.step_tick_spacing(px, 6.0)
        if self._once("step_ticks", (major, minor)):
            self.plot.getAxis("bottom").setTickSpacing(major=major, minor=minor if minor < major else major)

    def visible_px_per_step(self) -> float:
        (x0, x1), _ = self.plot.vb.viewRange()
        return self.plot.vb.width() / max(x1 - x0, 1e-9)

    @staticmethod
    def label_stride(px_per_item: float, px_needed: float) -> int:
        """Show every k-th label so that labels don't overlap."""
        if px_per_item <= 0:
            return 1
        return max(1, math.ceil(px_needed / px_per_item))

    def cursor_step(self) -> int:
        """The 0-based step the cursor outlines (for tests and exports)."""
        return round(self.cursor.rect().center().x()) - 1
