"""CellView (the "Cell" side tab): inside one cell at the current step, for the selected layer-direction.

One bar chart per quantity, in the order the step computes them (views/quantities.py): the LSTM's
Γf, Γu, c̃⟨t⟩, c⟨t⟩, Γo, a⟨t⟩; the GRU's Γr, z, c̃⟨t⟩, a⟨t⟩; the vanilla cell's z⟨t⟩, a⟨t⟩. A bar per
unit, coloured as the heatmaps colour it (gates 0…1 on the sequential scale, a⟨t⟩ and c̃⟨t⟩ −1…1
and c⟨t⟩ centred on the diverging one), on axes fixed for the whole sequence so that stepping shows
what changes. In the backward pass two more: ∂L/∂c⟨t⟩ and ∂L/∂a⟨t⟩ (for the loss that flows back).
Below, the cell's equations in the course's notation with the numbers (views/cell_equations.py).
Every number is read from the Trace.
"""
from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from rnnviz.app import colors, numfmt, theme
from rnnviz.app import flow as F
from rnnviz.app.panels.layer_chooser import LayerChooser
from rnnviz.app.state import BACKWARD
from rnnviz.app.views import cell_equations, quantities as Q
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.bptt_common import esc
from rnnviz.app.views.eq_format import rich, rows_table
from rnnviz.io.tables import cell_table

ROW_PX = 84            # height of one bar chart (presentation mode: x 1.45)
LEVELS = 64            # brushes per colour map


class CellView(QWidget, FigureView):
    figure_name = "cell"
    figure_title = "The cell at one step: gates and states"

    def __init__(self, state, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.values: dict[str, np.ndarray] = {}       # what each bar chart shows (tests read these)
        self.limits: dict[str, tuple[float, float]] = {}
        self._rows: list = []                          # (key, symbol, title, scale) of the charts
        self._layout_key = None
        self._styled_for = None                        # the view options the charts were styled for
        self._zero_lines: list = []
        self._stale = False
        self.chooser = LayerChooser(state)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.ci.setContentsMargins(2, 2, 8, 2)
        self.canvas.ci.setSpacing(2)
        self.browser = QTextBrowser()
        self.browser.setObjectName("cellEquations")
        self.browser.setVerticalScrollBarPolicy(self.browser.verticalScrollBarPolicy().ScrollBarAlwaysOff)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        lay.addWidget(self.chooser)
        lay.addWidget(self.header)
        lay.addWidget(self.canvas)
        lay.addWidget(self.browser)
        lay.addStretch(1)
        self.plots: dict[str, pg.PlotItem] = {}
        self.bars: dict[str, pg.BarGraphItem] = {}
        state.trace_changed.connect(self._follow_trace_changed)
        state.step_changed.connect(self._follow_step_changed)
        state.selection_changed.connect(self._follow_selection_changed)
        state.config_changed.connect(self._on_config_changed)
        state.view_options_changed.connect(self._on_view_options_changed)
        self._flow = state.config.flow
        self._on_view_options_changed(state.view_options)

    # ------------------------------------------------------------------ slots

    def _follow_trace_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        self._refresh()   # the views an export or a new model deleted)

    def _follow_step_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        self._refresh()   # the views an export or a new model deleted)

    def _follow_selection_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        self._refresh()   # the views an export or a new model deleted)

    def _on_config_changed(self, config) -> None:
        if config.flow != self._flow:
            self._flow = config.flow
            self._refresh()

    def _on_view_options_changed(self, options) -> None:
        p = theme.style_layout_widget(self.canvas, options)
        self._palette = p
        self._brushes = dict(_color_brushes(), bad=pg.mkBrush(p.danger))
        self.browser.setStyleSheet(f"QTextBrowser#cellEquations {{ background: {p.background}; "
                                   f"color: {p.foreground}; border: none; }}")
        self._refresh()       # fonts and colours: the charts are restyled in place (_style), not rebuilt

    def showEvent(self, ev) -> None:
        self.chooser.set_suppressed(self.isWindow())     # a figure of its own (the CLI): no chooser
        if self._stale:
            self._render()
        super().showEvent(ev)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit_browser()

    def _refresh(self) -> None:
        if self.isVisible() or self.window() is self:     # hidden behind another side tab: later
            self._render()
        else:
            self._stale = True

    # ------------------------------------------------------------------ what is shown
    def layer_trace(self):
        tr = self.state.trace
        if tr is None:
            return None
        sel = self.state.selection
        if sel.layer < tr.spec.layers and sel.direction < tr.spec.dirs:
            return tr.layer(sel.layer, sel.direction)
        return tr.top

    def _charts(self, tr, lt, backward: bool) -> list:
        rows = [(q.name, q.symbol, q.title, q.scale) for q in Q.step_order(lt.cell.name, tr.activation)]
        if backward:
            L = F.loss_symbol(self.state.config.flow)
            for name in reversed(lt.cell.state_names):
                rows.append(("d" + name, f"∂{L}/∂{name}⟨t⟩", "gradient", Q.SIGNED))
        return rows

    def _build(self, rows) -> None:
        """One bar chart per row (rebuilt only when the cell, n_a or the phase change: ~80 ms for an
        LSTM's eight charts, so a change of fonts or colours restyles them instead)."""
        self.canvas.clear()
        self.plots, self.bars, self._zero_lines = {}, {}, []
        for i, (key, _symbol, _title, _scale) in enumerate(rows):
            plot = self.canvas.addPlot(row=i, col=0)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(False, False)
            plot.showGrid(y=True, alpha=0.2)
            last = i == len(rows) - 1
            plot.getAxis("bottom").setStyle(showValues=last)
            if last:
                plot.setLabel("bottom", "unit")
            bars = pg.BarGraphItem(x=[], height=[], width=0.8)
            plot.addItem(bars)
            zero = pg.InfiniteLine(angle=0, pos=0.0)
            plot.addItem(zero)
            self.plots[key], self.bars[key] = plot, bars
            self._zero_lines.append(zero)
        if self.plots:
            first = next(iter(self.plots.values()))
            for plot in self.plots.values():
                if plot is not first:
                    plot.setXLink(first)
        self._styled_for = None

    def _style(self, rows) -> None:
        """Fonts, colours, titles and heights of the charts for the current view options."""
        o, p = self.state.view_options, self._palette
        scale = theme.PRESENTATION_SCALE if o.presentation else 1.0
        for key, symbol, title, _scale in rows:
            plot = self.plots[key]
            theme.style_plot(plot, o)
            plot.setTitle(rich(esc(f"{symbol}  {title}")), color=p.foreground,
                          size=f"{theme.point_size(o, 0.9)}pt", justify="left")
            plot.getAxis("left").setWidth(int(46 * scale))
        for zero in self._zero_lines:
            zero.setPen(pg.mkPen(p.muted, width=1))
        per = int(ROW_PX * scale)
        self.canvas.setMinimumHeight(per * len(rows) + int(30 * scale))
        self.canvas.setMaximumHeight(per * len(rows) + int(30 * scale))
        self._styled_for = o

    def _render(self) -> None:
        self._stale = False
        tr, lt = self.state.trace, self.layer_trace()
        if tr is None:
            self.header.setText("Type a sequence: the cell's gates and states show here.")
            self.canvas.clear()
            self.plots, self.bars, self.values = {}, {}, {}
            self._layout_key = None
            self.browser.setHtml("")
            return
        t, backward = self.state.t, self.state.phase == BACKWARD
        rows = self._charts(tr, lt, backward)
        key = (tuple(r[0] for r in rows), tuple(r[1] for r in rows), tr.n_a)
        if key != self._layout_key:
            self._build(rows)
            self._layout_key = key
        if self._styled_for != self.state.view_options:
            self._style(rows)
        self._rows = rows
        self.values, self.limits = {}, {}
        n = tr.n_a
        units = np.arange(1, n + 1, dtype=float)
        for name, _symbol, _title, scale in rows:
            series = lt.grad(name[1:], self.state.config.flow) if name.startswith("d") and name[1:] in \
                lt.cell.state_names else lt.quantity(name)               # (T, n_a, m)
            v = np.asarray(series[t, :, 0], dtype=float)
            lo, hi = _limits(series, scale)
            self.values[name], self.limits[name] = v, (lo, hi)
            self._draw_bars(name, units, v, lo, hi, scale)
        for plot in self.plots.values():
            plot.setXRange(0.4, n + 0.6, padding=0)
        self._write_text(tr, lt, t, backward)

    def _draw_bars(self, name, units, v, lo, hi, scale) -> None:
        finite = np.isfinite(v)
        shown = np.where(finite, np.clip(v, lo, hi), 0.0)
        if scale == Q.GATE:
            lut, frac = self._brushes["seq"], (shown - lo) / (hi - lo)
        else:
            lut, frac = self._brushes["div"], 0.5 + 0.5 * shown / max(hi, 1e-300)
        idx = np.clip(np.round(frac * (LEVELS - 1)), 0, LEVELS - 1).astype(int)
        brushes = [lut[i] if ok else self._brushes["bad"] for i, ok in zip(idx, finite)]
        heights = np.where(finite, shown, hi)          # inf / NaN: a full bar in the danger colour
        self.bars[name].setOpts(x=units, height=heights, brushes=brushes, pens=[None] * len(units))
        pad = 0.06 * (hi - lo)
        plot = self.plots[name]
        plot.setYRange(lo - (pad if lo < 0 else 0), hi + pad, padding=0)
        ticks = [lo, 0.0, hi] if lo < 0 else [lo, hi]          # the limits and 0: no crowded labels
        plot.getAxis("left").setTicks([[(v, numfmt.short(v, 2)) for v in ticks], []])

    def _write_text(self, tr, lt, t: int, backward: bool) -> None:
        p, o = self._palette, self.state.view_options
        s = t + 1
        where = cell_equations.where(lt, tr.spec)
        phase = "backward pass (BPTT)" if backward else "forward pass"
        self.header.setText(f"<span style='font-size:{theme.point_size(o, 1.1)}pt'><b>{esc(tr.spec.title())}</b>"
                            + (f" · {esc(where)}" if where else "") + f"</span><br>"
                            f"<span style='color:{p.muted}'>step t = {s} of {tr.T} · {phase}</span>")
        rows = cell_equations.forward_rows(tr, lt, t, p.danger)
        note = {"rnn": "A vanilla RNN has no gates: one matrix product and the activation.",
                "gru": "PyTorch's GRU, as computed here: Γr multiplies (W<sub>hn</sub> a + b<sub>hn</sub>).",
                "lstm": "Bars: each unit's value at this step; axes fixed for the whole sequence."}[lt.cell.name]
        pt = theme.point_size(o, 1.0)
        self.browser.setHtml(f"""<html><body style="font-size:{pt}pt; color:{p.foreground};">
            <style> td {{ padding: 2px 8px 4px 0; vertical-align: top; }}
                    .n {{ font-family: {theme.mono_family()}; }} .m {{ color: {p.muted}; }} </style>
            <p style='margin:0 0 4px 0'><b>Step {s}'s equations</b></p>{rows_table(rows)}
            <p class='m'>{note}</p></body></html>""")
        self._fit_browser()

    def _fit_browser(self) -> None:
        """As tall as its text: the side panel scrolls, not the box inside it."""
        doc = self.browser.document()
        doc.setTextWidth(max(self.browser.viewport().width(), 100))
        self.browser.setFixedHeight(int(doc.size().height()) + 2 * self.browser.frameWidth() + 4)

    def text(self) -> str:
        """The header and the equations as plain text (tests, screen readers)."""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.header.text())
        return doc.toPlainText() + "\n" + self.browser.toPlainText()

    def chart_titles(self) -> list[str]:
        return [f"{symbol} {title}" for _k, symbol, title, _s in self._rows]

    # ------------------------------------------------------------------ export
    def figure_csv(self):
        tr, lt = self.state.trace, self.layer_trace()
        if tr is None:
            return [], []
        return cell_table(tr, lt.layer, lt.direction, self.state.t, self.state.config.flow)


@functools.lru_cache(maxsize=1)
def _color_brushes() -> dict:
    """The bars' brushes: LEVELS steps of each colour map (the same in every theme)."""
    return {"div": [pg.mkBrush(colors.qcolor(colors.diverging(), i / (LEVELS - 1))) for i in range(LEVELS)],
            "seq": [pg.mkBrush(colors.qcolor(colors.sequential(), i / (LEVELS - 1))) for i in range(LEVELS)]}


def _limits(series: np.ndarray, scale: str) -> tuple[float, float]:
    """The chart's y range for the whole sequence: fixed for gates (0…1) and tanh values (−1…1),
    ±max|value| (finite) for unbounded ones."""
    if scale == Q.GATE:
        return 0.0, 1.0
    if scale == Q.TANH:
        return -1.0, 1.0
    lim = colors.signed_limit(series)
    return -lim, lim
