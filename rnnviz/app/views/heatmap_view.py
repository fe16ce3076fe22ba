"""Heatmaps: one quantity of one layer-direction, every unit (rows) at every step (columns).

A chooser above the plot picks the layer and direction (state.selection, shared with the graph's
click and every per-layer view) and the quantity (views/quantities.py): a⟨t⟩, and for a gated cell
c⟨t⟩, c̃⟨t⟩ and each gate; the vanilla cell's pre-activation z⟨t⟩. Colours: a⟨t⟩ and c̃⟨t⟩ on the
diverging scale fixed at −1…1 (tanh saturation shows; a ReLU's a⟨t⟩ is unbounded and scales to its
largest |value|), gates on the sequential scale 0…1, c⟨t⟩ and z⟨t⟩ diverging and centred on 0.
The chooser is part of the window, not of the figure: exports draw the plot alone.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSignalBlocker
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from rnnviz.app import colors, theme
from rnnviz.app.panels.layer_chooser import LayerChooser
from rnnviz.app.state import AppState
from rnnviz.app.views import quantities as Q
from rnnviz.app.views.eq_format import TILDE_FAMILIES, rich
from rnnviz.app.views.lazy import same_drawing
from rnnviz.app.views.step_plot import StepPlotView
from rnnviz.io.tables import figure_table, layer_state_table

TOP_LABEL = "input x⟨t⟩"


class HiddenHeatmapView(StepPlotView):
    figure_title_base = "Hidden states a⟨t⟩"

    def __init__(self, state: AppState, parent=None):
        super().__init__(state, parent)
        self.quantity_name = "a"
        self.shown: Q.Quantity = Q.A
        self.where = (0, 0)           # (layer, direction) drawn
        self.image = pg.ImageItem(axisOrder="row-major")  # image[unit, t]
        self.plot.addItem(self.image)
        self.plot.invertY(True)  # unit 1 at the top
        self.plot.setLabel("bottom", "step t")
        self.plot.setLabel("left", "unit")
        self.plot.setLabel("top", TOP_LABEL)
        self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=colors.diverging(), interactive=False,
                                        width=18, colorMapMenu=False)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self._labels: list[str] = []
        self._values: np.ndarray | None = None

        # the chooser: layer, direction, quantity (window only; exports draw the plot alone)
        self.chooser_row = QWidget()
        row = QHBoxLayout(self.chooser_row)
        row.setContentsMargins(6, 4, 6, 0)
        self.chooser = LayerChooser(state)
        self.quantity = QComboBox()
        self.quantity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        font = self.quantity.font()
        font.setFamilies([*TILDE_FAMILIES, *font.families()])      # c̃ drawn with its tilde on top
        self.quantity.setFont(font)
        self.quantity.setToolTip("Which quantity of the layer to show: the hidden state, the cell state, "
                                 "the candidate or a gate")
        self.quantity_label = QLabel("Show")
        row.addWidget(self.quantity_label)
        row.addWidget(self.quantity)
        row.addSpacing(12)
        row.addWidget(self.chooser)
        row.addStretch(1)
        lay = self.layout()
        lay.removeWidget(self.canvas)
        self._figure = QWidget()                     # what exports draw inside the window: the plot
        fig = QVBoxLayout(self._figure)
        fig.setContentsMargins(0, 0, 0, 0)
        fig.addWidget(self.canvas)
        lay.addWidget(self.chooser_row)
        lay.addWidget(self._figure, 1)
        self.quantity.currentIndexChanged.connect(self._on_quantity_chosen)
        self._drawn = None                # (trace, selection) drawn last
        self.compact = False              # a plot area too short for the top axis's title and every bar tick
        self._title_parts = ("", "")
        self._gain = 0.0              # what compact gives the rows (px)
        self.plot.vb.sigResized.connect(lambda *_: self._fit_height())
        self._connect_state()
        self._lazy.connect(state.selection_changed, self._follow_selection_changed)

    # ------------------------------------------------------------------ names

    def _follow_selection_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        # the views an export or a new model deleted); a new trace announces its selection too
        if not same_drawing(self._drawn, self.state.trace, self.state.selection):
            self._redraw()

    @property
    def figure_name(self) -> str:
        """hidden_states (the top layer's forward a⟨t⟩, as for one layer), cell_states_l0, forget_gate_l1_reverse, ..."""
        tr, shown = self.state.trace, getattr(self, "shown", Q.A)
        if tr is None:
            return "hidden_states"
        return shown.file + Q.file_suffix(tr.spec, *self.where)

    @property
    def figure_title(self) -> str:
        tr, shown = self.state.trace, getattr(self, "shown", None)
        if tr is None or shown is None:
            return self.figure_title_base
        where = Q.where(tr.spec, *self.where)
        return (f"Hidden states {shown.symbol}" if shown.name == "a" else f"{shown.symbol} {shown.title}") + \
            (f", {where}" if where else "")

    def figure_widget(self):
        """The plot alone inside the window; the whole view when it is a window of its own (the CLI)."""
        return self if self.isWindow() else self._figure

    def showEvent(self, ev) -> None:
        self.chooser_row.setVisible(not self.isWindow())     # a figure of its own (the CLI): no chooser
        super().showEvent(ev)

    # ------------------------------------------------------------------ choosing
    def choose_quantity(self, name: str) -> None:
        """Show `name` (a, c, g, f, ...) when the cell has it (the combo box calls this)."""
        self.quantity_name = name
        self._redraw()

    def _on_quantity_chosen(self, _i: int) -> None:
        name = self.quantity.currentData()
        if name is not None and name != self.quantity_name:
            self.choose_quantity(name)

    def _fill_quantities(self, tr) -> None:
        qs = Q.heatmap_order(tr.spec.cell, tr.activation)
        with QSignalBlocker(self.quantity):
            if [self.quantity.itemData(i) for i in range(self.quantity.count())] != [q.name for q in qs]:
                self.quantity.clear()
                for q in qs:
                    self.quantity.addItem(q.label, q.name)
            self.quantity.setCurrentIndex(max(self.quantity.findData(self.shown.name), 0))
        self.quantity.setVisible(len(qs) > 1)
        self.quantity_label.setVisible(len(qs) > 1)

    def _redraw(self) -> None:
        tr = self.state.trace
        if tr is not None:
            self._draw(tr)
            self._on_step_changed(self.state.t, self.state.phase)

    # ------------------------------------------------------------------ drawing
    def _draw(self, trace) -> None:
        sel = self.state.selection
        self._drawn = (trace, sel)
        layer, direction = (sel.layer, sel.direction) if sel.layer < trace.spec.layers and \
            sel.direction < trace.spec.dirs else (trace.spec.layers - 1, 0)
        lt = trace.layer(layer, direction)
        q = Q.find(lt.cell.name, trace.activation, self.quantity_name)
        self.shown, self.where = q, (layer, direction)
        self._fill_quantities(trace)
        v = lt.quantity(q.name)[:, :, 0].T          # (n_a, T)
        self._values = v
        with np.errstate(invalid="ignore"):
            lo, hi = q.limits or (-colors.signed_limit(v), colors.signed_limit(v))
            shown = np.clip(v, lo, hi)  # ±inf show as the extreme colour; NaN stays blank
        gate = q.scale == Q.GATE
        if gate != getattr(self, "_gate_colours", None):     # (a colour map rebuilds the bar's items)
            self._gate_colours = gate
            self.colorbar.setColorMap(colors.sequential() if gate else colors.diverging())
        self.image.setImage(shown, levels=(lo, hi), autoLevels=False)
        # what did not change is not set again: each call redraws the axes' pictures at the next paint
        # (5 axes, 10 ms of the GUI thread at every trace while training, where only the image changes)
        if self._once("rect", (trace.T, trace.n_a)):
            self.image.setRect(QRectF(0.5, 0.5, trace.T, trace.n_a))
        if self._once("levels", (lo, hi)):
            self.colorbar.setLevels((lo, hi))
        self._bar_ticks()
        self.plot.vb.setLimits(yMin=0.5, yMax=trace.n_a + 0.5)
        self.plot.vb.setYRange(0.5, trace.n_a + 0.5, padding=0)
        self.set_y_extent(0.5, trace.n_a + 0.5)
        seq = trace.seq
        self._labels = [seq.input_label(t) for t in range(trace.T)] if seq.kind == "text" else []
        self.plot.showAxis("top", bool(self._labels))
        extra = f", g = {trace.activation}" if trace.spec.cell == "rnn" else ""
        scale = {Q.GATE: "0…1", Q.TANH: "−1…1"}.get(q.scale, f"±{colors.signed_limit(v):.3g}")
        self._title_parts = (f"{self.figure_title}  ({trace.n_a} units × {trace.T} steps{extra}", f"; colours {scale})")
        self._set_heat_title()
        if self._once("look", (self.shown.symbol, self.compact, self.state.view_options)):
            self._restyle(None)

    def _set_heat_title(self) -> None:
        """The title; short of room, without the colour scale (the bar's two ends name it)."""
        main, scale = self._title_parts
        self.set_title(rich(main + (")" if self.compact else scale)))

    def _restyle(self, p) -> None:
        label = self.shown.symbol if self.compact else f"{self.shown.symbol} value"
        theme.style_colorbar(self.colorbar, self.state.view_options, rich(label))
        if self.compact:                   # (styling a plot shows every axis title again)
            self.plot.getAxis("top").showLabel(False)

    # a short plot area (F11 on a 720p projector leaves the tab ~40 px of rows): the top axis's title
    # steps aside (its characters stay), the colour bar names its two ends only and its title is the
    # symbol alone, so that the rows get the room and nothing prints over anything
    COMPACT_BELOW_PX = 110    # the rows this short in the full look: compact (1280 x 720 has ~95)
    MARGIN_PX = 8          # back to the full look only when it would leave the rows this much more

    def _fit_height(self) -> None:
        h = self.plot.vb.height()
        if not self.compact:
            if h < self.COMPACT_BELOW_PX:
                self._set_compact(True)
        elif h - self._gain >= self.COMPACT_BELOW_PX + self.MARGIN_PX:     # the full look fits again
            self._set_compact(False)

    def _set_compact(self, compact: bool) -> None:
        """Compact or not; entering it, note what it gives the rows (the top axis's title, the title's
        lines it saves), so that it is left when the full look would fit, whatever the window did meanwhile."""
        title, top = self.plot.titleLabel.item, self.plot.getAxis("top")
        before = title.boundingRect().height() + (top.label.boundingRect().height() if top.label.isVisible() else 0)
        self.compact = compact
        top.showLabel(not compact)
        self._bar_ticks()
        self._restyle(None)
        if self._title_parts[0]:
            self._set_heat_title()
        if compact:
            self._gain = max(before - title.boundingRect().height(), 0.0)

    def _bar_ticks(self) -> None:
        lo, hi = self.colorbar.levels()
        if self._once("bar_ticks", (lo, hi, self.compact)):
            self.colorbar.axis.setTicks([[(lo, f"{lo:.3g}".replace("-", "−")), (hi, f"{hi:.3g}")], []]
                                        if self.compact else None)

    def _on_x_range_changed(self) -> None:
        """Every input character of the steps in view on the top axis when each has room; else none
        (every other character would read as another string) and the axis says to zoom in. Only the
        visible steps get a tick, so a long text costs no more than a short one."""
        if not self._labels:
            return
        top = self.plot.getAxis("top")
        px = self.visible_px_per_step()
        need = self.fontMetrics().horizontalAdvance("W") * 1.6
        (x0, x1), _ = self.plot.vb.viewRange()
        lo, hi = max(int(math.floor(x0)), 1), min(int(math.ceil(x1)), len(self._labels))
        every = px >= need and hi - lo < 2000
        ticks = [(t, self._labels[t - 1]) for t in range(lo, hi + 1)] if every else []
        if self._once("top_ticks", ticks):
            top.setTicks([ticks, []])
        label = TOP_LABEL if every else TOP_LABEL + ": zoom in (wheel) to read every character"
        if top.labelText != label:
            top.setLabel(label)   # keeps the theme's label style
            if self.compact:
                top.showLabel(False)

    def hover_text(self, t: int, y: float) -> str:
        tr, v = self.state.trace, self._values
        if tr is None or v is None:
            return ""
        i = int(round(y)) - 1
        if not 0 <= i < v.shape[0]:
            return ""
        x = tr.seq.input_label(t)
        sym = self.shown.symbol.replace("⟨t⟩", f"⟨{t + 1}⟩")
        return f"{sym} unit {i + 1} = {v[i, t]:.4g}   (input x⟨{t + 1}⟩ = {x})"

    def figure_csv(self):
        tr = self.state.trace
        if tr is None or (self.shown.name == "a" and self.where == (tr.spec.layers - 1, 0) and tr.spec.dirs == 1):
            return figure_table("hidden_states", tr)  # one table per figure (rnnviz/io/tables.py)
        return layer_state_table(tr, *self.where, self.shown.name)
