"""PlotFitter: what a short plot leaves out so that what it keeps is readable.

- The title goes when the canvas is shorter than TITLE_LINES lines of text: the tab's name already
  says what the figure is, and every pixel goes to the data (exports, 700 px tall, keep it). A title
  wider than its plot takes its shorter wording, or is cut with "…": it never runs on over the
  legend beside the plot (a GIF's Gradients plot, 640 px wide, printed its title across the legend).
- An axis title goes when it is longer than its plot is tall: rotated, it would print over the next
  plot's title (two stacked plots at 1280 x 720 showed "‖gradient‖" across "gain").
- A legend in its own column beside the plots is never squeezed (its labels would be cut), and
  flows into more columns when the canvas is too short for one entry a line.
- A lower plot stacked under the main one (the step gain under the gradient sizes) gets a fixed share
  of the height, never more, so the main plot gets the rest.
Decisions depend on sizes only, never on what they change, so they settle in one pass.
"""
from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetrics

from rnnviz.app import theme
from rnnviz.app.views.bptt_common import log_ticks

TITLE_LINES = 16      # a title costs ~2 lines; below this many lines of height the data needs them
LABEL_PAD = 8         # pixels of room an axis title keeps to its plot's ends


class PlotFitter(QObject):
    def __init__(self, canvas: pg.GraphicsLayoutWidget, axes, title_plot: pg.PlotItem | None = None,
                 lower: tuple[pg.PlotItem, float, float] | None = None, legend: pg.LegendItem | None = None):
        """axes: (plot, side, text) for each axis title that may go; lower: (plot, share, min_px);
        legend: one beside the plots (call fit_legend() after filling it)."""
        super().__init__(canvas)
        self.canvas = canvas
        self.lower = lower
        self.legend = legend
        self.log_ranges = {}       # plot -> (lo, hi, max_major) of its log10 y axis
        self.axes = list(axes)
        self.title_plot = title_plot
        self.title = ""
        self.shorter: tuple[str, ...] = ()
        self.options = None
        self.title_shown = False
        self.title_text = None     # the wording shown (the title, a shorter one, or one cut with …)
        canvas.installEventFilter(self)
        if title_plot is not None:   # the title's width must not widen the plot past the canvas
            label = title_plot.titleLabel
            set_min = label.updateMin

            def update_min():
                set_min()
                label.setMinimumWidth(0)

            label.updateMin = update_min
            label.setMinimumWidth(0)
            title_plot.geometryChanged.connect(self.fit_title)
        for plot, _side, _text in self.axes:
            plot.vb.sigResized.connect(self.fit_labels)

    def set_title(self, text: str, options, shorter: tuple[str, ...] = ()) -> None:
        """The title to show when there is room (HTML-escaped text), and shorter wordings for a narrow
        plot, longest first; call after theme.style_plot (which shows every axis title)."""
        self.title, self.shorter, self.options = text, tuple(shorter), options
        self.title_shown = None
        self.title_text = None
        self.fit_title()
        for plot, side, _text in self.axes:
            plot.getAxis(side)._fit_shown = None
        self.fit_labels()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.canvas and event.type() == QEvent.Type.Resize:
            self.fit_title()
            self.fit_lower()
            self.fit_legend()
        return False

    def fit_legend(self) -> None:
        legend = self.legend
        if legend is None or not legend.items:
            return
        row_h = max(max(s.boundingRect().height(), lab.item.boundingRect().height()) for s, lab in legend.items)
        _l, top, _r, bottom = self.canvas.ci.layout.getContentsMargins()
        # rows are row_h + spacing apart (a negative spacing packs them): one column more than needed
        # squeezed the plot of a lesson's Gradients page to a third of the tab in F11 at 720p
        sp = legend.layout.verticalSpacing()
        step = max(row_h + sp, 1.0)
        fit_rows = max(int((self.canvas.height() - top - bottom - 4 + sp) // step), 1)
        cols = -(-len(legend.items) // fit_rows)
        legend.setColumnCount(min(cols, len(legend.items)))
        # as wide as its widest row, so no label is cut; as short as one line when there is no room
        pairs = [(legend.layout.itemAt(r, c), legend.layout.itemAt(r, c + 1))
                 for r in range(legend.layout.rowCount()) for c in range(0, legend.layout.columnCount(), 2)]
        widths = {}
        for (sample, label), i in zip(pairs, range(len(pairs))):
            if sample is None or label is None:
                continue
            col = i % legend.columnCount
            w = sample.boundingRect().width() + label.item.boundingRect().width() + 3 + legend.layout.horizontalSpacing()
            widths[col] = max(widths.get(col, 0.0), w)
        legend.setMinimumWidth(sum(widths.values()) + 6)
        legend.setMinimumHeight(0)
        # one line per entry, at the top of its column (stretched, the lines would drift apart)
        legend.setMaximumHeight(legend.layout.rowCount() * step - sp + 6)
        self.canvas.ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    def fit_lower(self) -> None:
        if self.lower is None:
            return
        plot, share, min_px = self.lower
        axis = plot.getAxis("bottom").height() if plot.getAxis("bottom").isVisible() else 0
        title = self.title_plot.titleLabel.height() if self.title_plot is not None else 0
        _l, top, _r, bottom = self.canvas.ci.layout.getContentsMargins()
        rows = self.canvas.height() - top - bottom - axis - title - 10
        h = axis + max(min_px, share * rows)
        plot.setMaximumHeight(h)
        plot.setPreferredHeight(h)

    def line_px(self) -> int:
        return QFontMetrics(theme.plot_font(self.options)).height() if self.options is not None else 16

    def fit_title(self, *_args) -> None:
        if self.title_plot is None or self.options is None:
            return
        show = bool(self.title) and self.canvas.height() >= TITLE_LINES * self.line_px()
        text = self.title_wording() if show else None
        if show == self.title_shown and text == self.title_text:
            return
        changed = show != self.title_shown
        self.title_shown, self.title_text = show, text
        if show:
            theme.style_plot(self.title_plot, self.options, text)
        else:
            self.title_plot.setTitle(None)
        if changed:
            self.fit_lower()

    def title_wording(self) -> str:
        """The longest of the title's wordings that fits its plot's width, else the shortest cut with …"""
        width = self.title_plot.width() - 8
        metrics = QFontMetrics(theme.plot_font(self.options, 1.2, bold=True))
        if width <= 0:
            return self.title
        for text in (self.title,) + self.shorter:
            if metrics.horizontalAdvance(html.unescape(text)) <= width:
                return text
        last = html.unescape(((self.title,) + self.shorter)[-1])
        return html.escape(metrics.elidedText(last, Qt.TextElideMode.ElideRight, int(width)), quote=False)

    def fit_labels(self, *_args) -> None:
        for plot in self.log_ranges:
            self._apply_log_ticks(plot)
        for plot, side, text in self.axes:
            ax = plot.getAxis(side)
            room = plot.vb.height() if side in ("left", "right") else plot.vb.width()
            fits = QFontMetrics(ax.label.font()).horizontalAdvance(text) + 2 * LABEL_PAD <= room
            if fits != getattr(ax, "_fit_shown", None):
                ax._fit_shown = fits
                ax.showLabel(fits)

    def set_log_range(self, plot: pg.PlotItem, lo: float, hi: float, max_major: int = 6) -> None:
        """Decade ticks for a log10 y axis, no more of them than its height has room for."""
        self.log_ranges[plot] = (lo, hi, max_major)
        self._apply_log_ticks(plot)

    def _apply_log_ticks(self, plot: pg.PlotItem) -> None:
        lo, hi, max_major = self.log_ranges[plot]
        room = max(int(plot.vb.height() // (1.6 * self.line_px())), 2)
        ticks = log_ticks(lo, hi, max_major=min(max_major, room))
        if plot.vb.height() < 3 * self.line_px():
            ticks = [ticks[0], []]       # no labelled 2s and 5s between the decades
        plot.getAxis("left").setTicks(ticks)

    def label_shown(self, plot: pg.PlotItem, side: str = "left") -> bool:
        return bool(getattr(plot.getAxis(side), "_fit_shown", True))
