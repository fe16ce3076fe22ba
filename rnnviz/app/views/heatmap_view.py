"""Hidden-state heatmap: a<t> for every unit (rows) and step (columns), diverging colours centred on 0."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from rnnviz.app import colors, theme
from rnnviz.app.state import AppState
from rnnviz.app.views.step_plot import StepPlotView
from rnnviz.io.tables import figure_table


TOP_LABEL = "input x⟨t⟩"


class HiddenHeatmapView(StepPlotView):
    figure_name = "hidden_states"
    figure_title = "Hidden states a⟨t⟩"

    def __init__(self, state: AppState, parent=None):
        super().__init__(state, parent)
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
        self._connect_state()

    def _draw(self, trace) -> None:
        a = trace.a[:, 0, :]
        with np.errstate(invalid="ignore"):
            # tanh lives in [-1, 1]: a fixed scale shows saturation; ReLU is unbounded
            lim = 1.0 if trace.activation == "tanh" else colors.signed_limit(a)
            shown = np.clip(a, -lim, lim)  # ±inf show as the extreme colour; NaN stays blank
        self.image.setImage(shown, levels=(-lim, lim), autoLevels=False)
        self.image.setRect(QRectF(0.5, 0.5, trace.T, trace.n_a))
        self.colorbar.setLevels((-lim, lim))
        self.plot.vb.setLimits(yMin=0.5, yMax=trace.n_a + 0.5)
        self.plot.vb.setYRange(0.5, trace.n_a + 0.5, padding=0)
        self.set_y_extent(0.5, trace.n_a + 0.5)
        seq = trace.seq
        self._labels = [seq.input_label(t) for t in range(trace.T)] if seq.kind == "text" else []
        self.plot.showAxis("top", bool(self._labels))
        title = f"{self.figure_title}  ({trace.n_a} units × {trace.T} steps, g = {trace.activation})"
        self.set_title(title)

    def _restyle(self, p) -> None:
        theme.style_colorbar(self.colorbar, self.state.view_options, "a⟨t⟩ value")

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
        top.setTicks([[(t, self._labels[t - 1]) for t in range(lo, hi + 1)] if every else [], []])
        label = TOP_LABEL if every else TOP_LABEL + ": zoom in (wheel) to read every character"
        if top.labelText != label:
            top.setLabel(label)   # keeps the theme's label style

    def hover_text(self, t: int, y: float) -> str:
        tr = self.state.trace
        if tr is None:
            return ""
        i = int(round(y)) - 1
        if not 0 <= i < tr.n_a:
            return ""
        x = tr.seq.input_label(t)
        return f"a⟨{t + 1}⟩ unit {i + 1} = {tr.a[i, 0, t]:.4g}   (input x⟨{t + 1}⟩ = {x})"

    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)
