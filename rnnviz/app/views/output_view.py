"""Outputs ŷ⟨t⟩ against the targets.

text (softmax):  vocabulary × time heatmap of the probabilities (viridis 0..1), targets ringed (also
                 classes of vector inputs: the notes' batch, class 0 / class 1);
numbers (MSE):   the prediction ŷ⟨t⟩ and the target y⟨t⟩ as lines;
bits (BCE):      the probability of a 1 and the 0/1 labels.
Steps whose loss does not count (trace.step_weight == 0, e.g. all but the last in many-to-one) get
no target marker, and the title says which steps are scored.
"""
from __future__ import annotations

import warnings

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from rnnviz.app import colors, numfmt, scales, theme
from rnnviz.app.state import AppState
from rnnviz.app.views.step_plot import StepPlotView
from rnnviz.io.tables import figure_table


def scored_note(trace) -> str:
    """'' when every step is scored, else which steps are (1-based)."""
    w = np.asarray(trace.step_weight)
    if w.all():
        return ""
    idx = np.flatnonzero(w)
    if idx.size == 1:
        return f" · only step {idx[0] + 1} is scored ({trace.architecture})"
    return f" · {idx.size} of {trace.T} steps scored ({trace.architecture})"


class OutputView(StepPlotView):
    figure_name = "outputs"
    figure_title = "Outputs ŷ⟨t⟩"

    def __init__(self, state: AppState, parent=None):
        super().__init__(state, parent)
        # text: probability image, image[class, t]
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=colors.sequential(), interactive=False,
                                        width=18, colorMapMenu=False)
        self.colorbar.setImageItem(self.image)
        self._bar_shown = False
        self.targets = pg.ScatterPlotItem(symbol="o", size=11, pxMode=True)  # ringed target cells
        self.targets.setZValue(10)
        self.plot.addItem(self.targets)
        # numbers: prediction and target lines
        self.pred_curve = pg.PlotDataItem(connect="finite", name="prediction ŷ⟨t⟩")
        self.target_curve = pg.PlotDataItem(connect="finite", name="target y⟨t⟩")
        for c in (self.pred_curve, self.target_curve):
            self.plot.addItem(c)
            _quiet_all_nan_bounds(c.scatter)
            # long series: about two points per pixel column (peaks kept), drawn as segments; Qt takes
            # ~13 s to stroke one dashed 100k-point path, and an export paints it several times
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
            c.curve.setSegmentedLineMode("on")
        # values past ±scales.PLOT_LIMIT (or ±inf) are drawn at the limit, marked, and named in the legend
        self.beyond = pg.ScatterPlotItem(symbol="t1", size=13, pxMode=True,
                                         name=f"beyond ±{numfmt.short(scales.PLOT_LIMIT)}: drawn at the edge")
        self.beyond.setZValue(15)
        self.plot.addItem(self.beyond)
        self.plot.setLabel("bottom", "step t")
        theme.no_si_prefix(self.plot.getAxis("left"))   # no "value (x1e+27)" on huge values
        self._mode = ""          # "text" | "mse" | "bce"
        self._row_labels: list[str] = []
        self.add_legend_band()
        self._connect_state()

    # ------------------------------------------------------------------ drawing
    def _set_mode(self, mode: str) -> None:
        self._mode = mode
        self.set_cursor_fill(0 if mode == "text" else 38)
        text = mode == "text"
        self.image.setVisible(text)
        self.targets.setVisible(text)
        self.beyond.setVisible(False)
        self.pred_curve.setVisible(not text)
        self.target_curve.setVisible(not text)
        self.show_legend(not text)
        self.plot.invertY(text)  # first character at the top
        if text != self._bar_shown:  # the colour bar only belongs to the heatmap
            if text:
                self.canvas.ci.addItem(self.colorbar, row=0, col=1)
            else:
                self.canvas.ci.removeItem(self.colorbar)
            self._bar_shown = text

    def _draw(self, trace) -> None:
        seq = trace.seq
        # classes (a text's characters, the notes' batch's class 0 / class 1): p(class) per class and step
        mode = "text" if seq.kind == "text" or seq.target_index is not None else trace.loss_name
        mode = mode if mode in ("text", "mse", "bce") else "mse"
        self._set_mode(mode)
        T = trace.T
        scored = np.flatnonzero(trace.step_weight)
        if mode == "text":
            p = trace.y_hat[:, 0, :]
            self.image.setImage(np.nan_to_num(p, nan=np.nan, posinf=1.0, neginf=0.0),
                                levels=(0, 1), autoLevels=False)
            self.image.setRect(QRectF(0.5, 0.5, T, trace.n_y))
            self.colorbar.setLevels((0, 1))
            ti = seq.target_index[0]
            self.targets.setData(x=scored + 1.0, y=ti[scored] + 1.0)
            self._row_labels = seq.output_labels()
            chars = seq.kind == "text"
            self.plot.setLabel("left", "next character" if chars else "class")
            self.plot.vb.setLimits(yMin=0.5, yMax=trace.n_y + 0.5)
            self.plot.vb.setYRange(0.5, trace.n_y + 0.5, padding=0)
            self.set_y_extent(0.5, trace.n_y + 0.5)
            title = (f"{self.figure_title}: p(next character)  ({trace.n_y} characters × {T} steps)" if chars
                     else f"{self.figure_title}: p(class)  ({trace.n_y} classes × {T} steps)")
        else:
            t = np.arange(1, T + 1, dtype=float)
            # what pyqtgraph gets is finite or NaN and within ±PLOT_LIMIT: its range and paths stay finite
            yh, yh_out = scales.clamp(trace.y_hat[0, 0, :])
            y, y_out = scales.clamp(trace.y[0, 0, :])
            self.pred_curve.setData(t, yh)
            ty = np.where(trace.step_weight > 0, y, np.nan)  # unscored steps have no target
            y_out &= trace.step_weight > 0
            self.target_curve.setData(t, ty)
            out = yh_out | y_out
            ys = np.concatenate([yh[yh_out], ty[y_out]])
            self.beyond.setData(x=np.concatenate([t[yh_out], t[y_out]]), y=ys,
                                symbol=["t1" if v > 0 else "t" for v in ys])   # ▲ above, ▼ below
            self.beyond.setVisible(bool(out.any()))
            self._row_labels = []
            self.plot.getAxis("left").setTicks(None)
            self.plot.vb.setLimits(yMin=None, yMax=None)
            if mode == "bce":
                self.plot.setLabel("left", "p(ŷ⟨t⟩ = 1)")
                self.pred_curve.opts["name"] = "p(1) = σ(Wya a⟨t⟩ + by)"
                self.target_curve.opts["name"] = "label y⟨t⟩ (0 or 1)"
                lo, hi = -0.05, 1.05
                title = f"{self.figure_title}: probability of a 1 vs the labels"
            else:
                self.plot.setLabel("left", "value")
                self.pred_curve.opts["name"] = "prediction ŷ⟨t⟩"
                self.target_curve.opts["name"] = "target y⟨t⟩"
                lo, hi = scales.padded(*scales.finite_range(yh, ty))
                title = f"{self.figure_title}: prediction vs target"
            self.plot.vb.setYRange(lo, hi, padding=0)
            span = hi / 2 - lo / 2
            self.set_y_extent(lo - 100 * span, hi + 100 * span)
            self._rebuild_legend()
        self.set_title(title + scored_note(trace))
        self._restyle(theme.palette(self.state.view_options.theme))

    def _rebuild_legend(self) -> None:
        self.legend.clear()
        self.legend.addItem(self.pred_curve, self.pred_curve.opts["name"])
        self.legend.addItem(self.target_curve, self.target_curve.opts["name"])
        if self.beyond.isVisible():
            self.legend.addItem(self.beyond, self.beyond.name())
        self.fit_legend()

    def _restyle(self, p) -> None:
        o = self.state.view_options
        theme.style_colorbar(self.colorbar, o, "p(ŷ)")
        # white ring around a dark centre: visible on every viridis colour
        self.targets.setPen(pg.mkPen("#ffffff", width=2.2))
        self.targets.setBrush(pg.mkBrush(0, 0, 0, 110))
        w = 3.0 if o.presentation else 2.2
        self.pred_curve.setPen(pg.mkPen(p.forward, width=w))
        self.pred_curve.setSymbol("o")
        self.pred_curve.setSymbolSize(5)
        self.pred_curve.setSymbolBrush(p.forward)
        self.pred_curve.setSymbolPen(None)
        if self._mode == "bce":  # 0/1 labels are points, not a curve
            self.target_curve.setPen(None)
        else:
            self.target_curve.setPen(pg.mkPen(p.target, width=w, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.target_curve.setSymbol("s")
        self.target_curve.setSymbolSize(9 if self._mode == "bce" else 7)
        self.target_curve.setSymbolBrush(p.target)
        self.target_curve.setSymbolPen(None)
        self.beyond.setPen(pg.mkPen(p.danger, width=1.5))
        self.beyond.setBrush(pg.mkBrush(p.danger))
        self.legend.setBrush(pg.mkBrush(None))   # a band of its own: no box needed
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(p.foreground)
        self.legend.setLabelTextSize(f"{theme.point_size(o)}pt")
        if self._mode and self._mode != "text":
            self._rebuild_legend()

    def _on_x_range_changed(self) -> None:
        """Character names on the left axis, thinned out when the rows get short."""
        if not self._row_labels:
            return
        _, (y0, y1) = self.plot.vb.viewRange()
        px_per_row = self.plot.vb.height() / max(abs(y1 - y0), 1e-9)
        k = self.label_stride(px_per_row, self.fontMetrics().height() * 1.1)
        self.plot.getAxis("left").setTicks([[(i + 1, self._row_labels[i]) for i in range(0, len(self._row_labels), k)], []])

    # ------------------------------------------------------------------ reading values
    def target_points(self) -> list[tuple[int, int]]:
        """(t, class) pairs (0-based) that carry a target marker."""
        x, y = self.targets.getData()
        return [(int(round(a)) - 1, int(round(b)) - 1) for a, b in zip(x, y)]

    def hover_text(self, t: int, y: float) -> str:
        tr = self.state.trace
        if tr is None:
            return ""
        seq = tr.seq
        if self._mode == "text":
            i = int(round(y)) - 1
            if not 0 <= i < tr.n_y:
                return ""
            return (f"ŷ⟨{t + 1}⟩: p({self._row_labels[i]}) = {tr.y_hat[i, 0, t]:.4f}"
                    f"   (input {seq.input_label(t)}, target {seq.target_label(t)})")
        return f"ŷ⟨{t + 1}⟩ = {tr.y_hat[0, 0, t]:.4g}   target y⟨{t + 1}⟩ = {tr.y[0, 0, t]:.4g}"

    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)


def _quiet_all_nan_bounds(scatter: pg.ScatterPlotItem) -> None:
    """pyqtgraph's scatter takes np.nanmin of the points within the other axis' range when it is asked
    for its bounds; the curves' NaN points (steps without a target, non-finite predictions) can be the
    only ones there, and NumPy then warns "All-NaN slice encountered" on the terminal (the monkey, seed
    24). The bounds are NaN either way (the view's range is set from the data, not from them)."""
    bounds = scatter.dataBounds

    def quiet(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
            return bounds(*args, **kwargs)

    scatter.dataBounds = quiet
