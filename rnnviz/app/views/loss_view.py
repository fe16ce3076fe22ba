"""Per-step losses: a bar of L⟨t⟩ for every scored step, the running total Σ L on a second (right) axis,
and the values at the cursor in the title. Non-finite losses (an exploding network) are drawn as
full-height bars in the danger colour with a ✕, never dropped or crashed on."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from rnnviz.app import numfmt, scales, theme
from rnnviz.app.state import AppState
from rnnviz.app.views.step_plot import StepPlotView
from rnnviz.io.tables import figure_table


def fmt(v: float) -> str:
    return numfmt.short(v)


class LossView(StepPlotView):
    figure_name = "losses"
    figure_title = "Losses L⟨t⟩"
    cursor_fill_alpha = 38

    def __init__(self, state: AppState, parent=None):
        super().__init__(state, parent)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.75, name="L⟨t⟩ (left axis)")
        self.bad_bars = pg.BarGraphItem(x=[], height=[], width=0.75, name="non-finite L⟨t⟩")
        self.bad_marks = pg.ScatterPlotItem(symbol="x", size=12, pxMode=True)
        for it in (self.bars, self.bad_bars, self.bad_marks):
            self.plot.addItem(it)
        # running total on its own y axis (right), x linked to the bars
        self.total_vb = pg.ViewBox()
        self.plot.showAxis("right")
        self.plot.scene().addItem(self.total_vb)
        self.plot.getAxis("right").linkToView(self.total_vb)
        self.total_vb.setXLink(self.plot.vb)
        self.total_vb.setMouseEnabled(x=False, y=False)
        self.total_curve = pg.PlotDataItem(connect="finite", name="running total Σ L (right axis)")
        self.total_vb.addItem(self.total_curve)
        self.plot.vb.sigResized.connect(self._sync_total_vb)

        self.add_legend_band()
        self.plot.setLabel("bottom", "step t")
        self.plot.setLabel("left", "L⟨t⟩")
        self.plot.setLabel("right", "Σ L up to t")
        for name in ("left", "right"):
            theme.no_si_prefix(self.plot.getAxis(name))  # no "(x1e+27)" on exploding losses
        self._loss = np.zeros(0)
        self._total = np.zeros(0)
        self._weight = np.zeros(0)
        self._n_bad = 0
        self._log = False
        self._connect_state()

    def _sync_total_vb(self) -> None:
        self.total_vb.setGeometry(self.plot.vb.sceneBoundingRect())
        self.total_vb.linkedViewChanged(self.plot.vb, self.total_vb.XAxis)

    # ------------------------------------------------------------------ drawing
    def _draw(self, trace) -> None:
        loss = np.asarray(trace.loss, dtype=float)
        w = np.asarray(trace.step_weight, dtype=float)
        self._loss, self._weight = loss, w
        with np.errstate(invalid="ignore", over="ignore"):
            self._total = np.cumsum(np.where(w > 0, loss, 0.0))
        scored = w > 0
        ok = scored & np.isfinite(loss)
        bad = scored & ~np.isfinite(loss)
        t = np.arange(1, trace.T + 1, dtype=float)
        # one rule with the graph's L row: log10 when the losses span many decades (an exploding network)
        scale = scales.loss_scale(loss, w)
        self._log = scale.log
        for name in ("left", "right"):
            self.plot.getAxis(name).setLogMode(False, self._log)
        self.bars.setOpts(x=t[ok], height=scale.height(loss[ok]) * (scale.hi - scale.lo), y0=scale.lo)
        bottom, top = scale.lo, scale.hi + (0.5 if scale.log else 0.0)   # half a decade of headroom
        roof = top + 0.05 * (top - bottom)  # where non-finite bars end
        self.bad_bars.setOpts(x=t[bad], height=np.full(int(bad.sum()), roof - bottom), y0=bottom)
        self.bad_marks.setData(x=t[bad], y=np.full(int(bad.sum()), roof))
        self.plot.vb.setYRange(bottom, roof + 0.05 * (top - bottom), padding=0)
        self.set_y_extent(bottom - (top - bottom), top + 10 * (top - bottom))
        self.total_curve.setLogMode(False, self._log)
        # log mode: pyqtgraph takes log10 of the data itself (finite for any finite total)
        self.total_curve.setData(t, self._total if self._log else scales.clamp(self._total)[0])
        fin = self._total[np.isfinite(self._total) & (self._total > 0)]
        if self._log and fin.size:
            self.total_vb.setYRange(math.log10(float(fin.min())), math.log10(float(fin.max())) + 0.5, padding=0)
        else:
            top_total = min(float(fin.max()), scales.PLOT_LIMIT) if fin.size else 1.0
            self.total_vb.setYRange(0, top_total * 1.08, padding=0)
        self._sync_total_vb()
        self._n_bad = int(bad.sum())
        self._fill_legend()
        self._on_step_changed(self.state.t, self.state.phase)

    def _fill_legend(self) -> None:
        self.legend.clear()
        self.legend.addItem(self.bars, self.bars.opts["name"])
        self.legend.addItem(self.total_curve, self.total_curve.opts["name"])
        if self._n_bad:
            self.legend.addItem(self.bad_bars, f"non-finite L⟨t⟩ ({self._n_bad} steps)")
        self.fit_legend()

    def title_at(self, t: int) -> str:
        """'L⟨5⟩ = 1.96 · Σ = 12.3 · L = 19.9' for the 0-based step t."""
        if not 0 <= t < len(self._loss):
            return self.figure_title
        total = float(self._total[-1])
        lt = f"L⟨{t + 1}⟩ = {fmt(float(self._loss[t]))}" if self._weight[t] > 0 else f"L⟨{t + 1}⟩ not scored"
        return f"{self.figure_title}:  {lt} · Σ up to {t + 1} = {fmt(float(self._total[t]))} · L = {fmt(total)}"

    def _on_step_changed(self, t: int, phase: str) -> None:
        super()._on_step_changed(t, phase)
        if len(self._loss):
            self.set_title(self.title_at(t), restyle=False)

    def _restyle(self, p) -> None:
        o = self.state.view_options
        self.bars.setOpts(brush=pg.mkBrush(p.forward), pen=pg.mkPen(None))
        self.bad_bars.setOpts(brush=pg.mkBrush(p.danger + "55"), pen=pg.mkPen(p.danger, width=2))
        self.bad_marks.setPen(pg.mkPen(p.danger, width=2.5))
        self.bad_marks.setBrush(pg.mkBrush(p.danger))
        self.total_curve.setPen(pg.mkPen(p.backward, width=3.0 if o.presentation else 2.2))
        self.legend.setBrush(pg.mkBrush(None))   # a band of its own: no box needed
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(p.foreground)
        self.legend.setLabelTextSize(f"{theme.point_size(o)}pt")
        self._fill_legend()  # labels take the new colour and size only when re-added
        if len(self._loss):
            self.set_title(self.title_at(self.state.t), restyle=False)

    def hover_text(self, t: int, y: float) -> str:
        tr = self.state.trace
        if tr is None or not len(self._loss):
            return ""
        return (f"L⟨{t + 1}⟩ = {fmt(float(self._loss[t]))}   Σ up to {t + 1} = {fmt(float(self._total[t]))}"
                f"   (input {tr.seq.input_label(t)}, target {tr.seq.target_label(t)})")

    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)
