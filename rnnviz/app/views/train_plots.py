"""TrainPlotsView: training as it happens, one row per update on a shared x axis.

    loss       L per update (thin) and smoothed 0.999 / 0.001 (bold), the baseline of a blind guess
               (T ln V for characters, 0.167 for the adding problem) as a dashed line
    ‖g‖        the gradient's global norm before clipping (log axis), a mark where clipping fired
    reach      ‖∂L/∂a⟨1⟩‖ / ‖∂L/∂a⟨T⟩‖ (log axis): how much of the gradient gets back to the start

A second run (compare mode) is drawn in the second colour. A vertical line marks the snapshot the
other views show while scrubbing. Log axes plot log10 values with the BPTT views' decade ticks, so
zeros and non-finite values are gaps, never errors. Curves are drawn from min/max envelopes at about
one bucket of updates per pixel (views/envelope.py), so a frame costs the same after 10^5 updates.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from rnnviz.app import theme
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.bptt_common import log_ticks
from rnnviz.app.views.envelope import Envelope

MAX_MARKS = 400        # clipping marks drawn at most (evenly thinned)
SERIES_FIELD = {"raw": "loss", "smooth": "smooth", "grad": "grad_norm", "reach": "reach"}
NARROW = 520           # px: narrower than this, the legend and the title wrap


@dataclass
class Series:
    label: str
    loss: np.ndarray
    smooth: np.ndarray
    grad_norm: np.ndarray
    clipped: np.ndarray
    reach: np.ndarray


def _nice_ceiling(v: float) -> float:
    """The next of 1, 1.5, 2, 3, 4, 5, 6, 8, 10 x 10^k at or above v (v > 0): an axis that grows in steps."""
    if not math.isfinite(v):
        return sys.float_info.max
    k = 10.0 ** math.floor(math.log10(v))        # (a float: 10 ** 308 as an int overflows in m * k)
    top = next(m * k for m in (1, 1.5, 2, 3, 4, 5, 6, 8, 10) if m * k >= v * (1 - 1e-12))
    return top if math.isfinite(top) else sys.float_info.max     # a loss near 1e308: the largest float


def _hits(hits: np.ndarray, clipped: np.ndarray) -> np.ndarray:
    """The 0-based rows where clipping fired, `hits` (of the rows before) extended by the new rows'.
    A series that is shorter than the hits say, or differs at the last one, is a new run: read afresh."""
    seen = int(hits[-1]) + 1 if hits.size else 0
    if hits.size and (clipped.size < seen or not clipped[seen - 1] > 0):
        hits, seen = hits[:0], 0
    if clipped.size <= seen:
        return hits
    new = np.flatnonzero(clipped[seen:] > 0) + seen
    return np.concatenate([hits, new]) if new.size else hits


def _loss_top(envs) -> tuple[float, float]:
    """The loss axis: from min(0, the smallest loss) to the 99.5th percentile of the losses (a spike of a
    few updates doesn't squash the curve), the percentile taken over at most ~20,000 evenly spread rows."""
    parts = []
    for env in envs:
        v = env.values()
        parts.append(v[::max(1, v.size // 20_000)])
    f = np.concatenate(parts) if parts else np.zeros(0)
    f = f[np.isfinite(f)]
    if not f.size:
        return 1.0, 0.0
    lo = min(e.lo for e in envs if math.isfinite(e.lo))
    return float(np.percentile(f, 99.5)), min(0.0, lo)


class TrainPlotsView(QWidget, FigureView):
    figure_name = "train"
    figure_title = "Training"

    def __init__(self, state=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.ci.setContentsMargins(6, 6, 10, 6)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas)
        self.title_label = pg.LabelItem("")
        self.plots = {}
        for row, (key, label) in enumerate((("loss", "loss L"), ("grad", "‖g‖ (log)"), ("reach", "reach (log)"))):
            p = pg.PlotItem()
            p.setMenuEnabled(False)
            p.hideButtons()
            p.showGrid(x=True, y=True, alpha=0.2)
            p.setLabel("left", label)
            theme.no_si_prefix(p.getAxis("left"))
            p.getAxis("left").setWidth(62)
            p.vb.setMouseEnabled(x=True, y=False)
            if row:
                p.setXLink(self.plots["loss"])
            self.plots[key] = p
        self.plots["reach"].setLabel("bottom", "update")
        self.plots["grad"].setToolTip("the gradient's global norm ‖g‖ before clipping; ▼ where clipping changed it")
        self.plots["reach"].setToolTip("‖∂L/∂a⟨1⟩‖ / ‖∂L/∂a⟨T⟩‖ of the top layer: how much of the gradient of the "
                                       "last step's loss gets back to the first step (tiny: it vanished)")
        self.legend = pg.LegendItem(colCount=5, horSpacing=16, verSpacing=-4)
        self._wide = None
        self._narrow = None
        self._title = "Training"
        self._title_look = None
        self._ranges: dict = {}
        self._showing = False
        self._arrange()
        # zoomed, panned or resized: the curves for the new view (their x axes are linked)
        self.plots["loss"].vb.sigXRangeChanged.connect(lambda *_a: self._show())
        self.plots["loss"].vb.sigResized.connect(lambda *_a: self._show())
        self.baseline = pg.InfiniteLine(angle=0, movable=False)
        self.plots["loss"].addItem(self.baseline, ignoreBounds=True)
        self.marker_lines = [pg.InfiniteLine(angle=90, movable=False) for _ in self.plots]
        for line, p in zip(self.marker_lines, self.plots.values()):
            line.setVisible(False)
            line.setZValue(50)
            p.addItem(line, ignoreBounds=True)
        self._items: list = []
        self._per_run: list[dict] = []
        self._baseline_sample = pg.PlotDataItem()
        self._series: list[Series] = []
        self._baseline = float("nan")
        self._title = "Training"
        if state is not None:
            state.view_options_changed.connect(lambda _o: self._restyle())
        self._restyle()

    # ------------------------------------------------------------------ layout
    def _arrange(self) -> None:
        """Stacked (x shared) in a tall view; side by side in a short wide one (a 720p window). In a
        narrow column (the Training panel) the legend takes two columns and the title two lines, so that
        nothing is wider than the column."""
        narrow = self.width() < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.legend.setColumnCount(2 if narrow else 5)
            self._style_title()
            # the canvas sized its layout before (at least as wide as the wide legend was): again now
            QTimer.singleShot(0, self._refit)
        wide = self.height() < 430 and self.width() > 1.5 * self.height()
        if wide == self._wide:
            return
        self._wide = wide
        ci = self.canvas.ci
        for item in [self.title_label, self.legend, *self.plots.values()]:
            if item.scene() is not None:
                ci.removeItem(item)
        ci.addItem(self.title_label, row=0, col=0, colspan=3 if wide else 1)
        for i, p in enumerate(self.plots.values()):
            ci.addItem(p, row=1 if wide else i + 1, col=i if wide else 0)
            p.setLabel("bottom", "update" if wide or i == 2 else None)
            p.getAxis("bottom").setStyle(showValues=wide or i == 2)
        ci.addItem(self.legend, row=2 if wide else 4, col=0, colspan=3 if wide else 1)
        ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignHCenter)

    def _refit(self) -> None:
        c = self.canvas
        c.setRange(QRectF(0, 0, c.width(), c.height()), padding=0, disableAutoPixel=False)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    # ------------------------------------------------------------------ data
    def set_series(self, series: list[Series], baseline: float, title: str = "Training") -> None:
        self._series, self._baseline, self._title = series, float(baseline), title
        self._draw()

    def set_live(self, live: bool) -> None:
        """While training runs, the axes (and the grid lines they draw across the plot) are painted from
        a cached picture when only the curves changed (they repaint for every frame otherwise, in
        Python); they redraw when their range changes. Off when it stops: exports draw them as vectors."""
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if live else QGraphicsItem.CacheMode.NoCache
        for p in self.plots.values():
            for side in ("left", "bottom"):
                axis = p.getAxis(side)
                if axis.cacheMode() != mode:
                    axis.setCacheMode(mode)

    def mark_update(self, update: int | None) -> None:
        """The snapshot shown in the other views (None: the latest weights, no line)."""
        for line in self.marker_lines:
            line.setVisible(update is not None)
            if update is not None:
                line.setValue(update)

    def _options(self):
        from rnnviz.app.config import ViewOptions

        return self.state.view_options if self.state is not None else ViewOptions()

    def _ensure_items(self) -> None:
        """One set of curves per run, made once (later frames only set their data)."""
        labels = [s.label for s in self._series]
        if labels == getattr(self, "_labels", None):
            return
        for p, item in self._items:
            p.removeItem(item)
        self._items, self._labels, self._per_run = [], labels, []
        self._ranges = {}
        self.legend.clear()
        pal = theme.palette(self._options().theme)
        for i, s in enumerate(self._series):
            colour = (pal.forward, pal.backward)[i % 2]
            run = {"raw": self._curve("loss", pg.mkPen(pg.mkColor(colour).lighter(150), width=1)),
                   "smooth": self._curve("loss", pg.mkPen(colour, width=2.5)),
                   # (one pixel wide, as the loss per update: Qt strokes a wider line as a polygon, and
                   # these zigzag through every pixel column; 1.5 px doubled the plots' paint while training)
                   "grad": self._curve("grad", pg.mkPen(colour, width=1)),
                   "reach": self._curve("reach", pg.mkPen(colour, width=1)),
                   "marks": pg.ScatterPlotItem(symbol="t", size=7, pen=pg.mkPen(None), brush=pg.mkBrush(pal.danger)),
                   "env": {"raw": Envelope(), "smooth": Envelope(), "grad": Envelope(np.log10),
                           "reach": Envelope(np.log10)},
                   "hits": np.zeros(0, dtype=np.int64)}
            self.plots["grad"].addItem(run["marks"])
            self._items.append((self.plots["grad"], run["marks"]))
            if len(self._series) > 1:         # compare: a colour per model (thin: per update, bold: smoothed)
                self.legend.addItem(run["smooth"], s.label)
            else:
                self.legend.addItem(run["raw"], "L per update")
                self.legend.addItem(run["smooth"], "smoothed")
            self._per_run.append(run)
        if self._per_run:
            self.legend.addItem(self._per_run[0]["marks"], "clipping fired")
        self.legend.addItem(self._baseline_sample, "blind guess")
        self._restyle(redraw=False)

    def _draw(self) -> None:
        """Fold the rows since the last frame into each run's envelopes, set the axes' ranges, then draw
        the part in view (_show): a frame's work grows with the new rows and the plots' width, not with
        the number of updates so far."""
        self._ensure_items()
        ranges = {"grad": [], "reach": []}
        for s, run in zip(self._series, self._per_run):
            env = run["env"]
            for key in ("raw", "smooth", "grad", "reach"):
                env[key].update(getattr(s, SERIES_FIELD[key]))
            run["hits"] = _hits(run["hits"], np.asarray(s.clipped))
            for key in ("grad", "reach"):
                if math.isfinite(env[key].lo):
                    ranges[key] += [env[key].lo, env[key].hi]
        ok = math.isfinite(self._baseline)
        self.baseline.setVisible(ok)
        if ok:
            self.baseline.setValue(self._baseline)
        text = f"blind guess {self._baseline:.3g}" if ok else ""
        for label in self.legend.items:
            if label[0].item is self._baseline_sample and label[1].text != text:
                label[1].setText(text)
        self._showing = True          # (the ranges set below would each draw the curves again)
        try:
            self._set_ranges(ranges, ok)
        finally:
            self._showing = False
        self._show()
        self._style_title()

    def _set_ranges(self, ranges: dict, ok: bool) -> None:
        for key, vals in ranges.items():
            if not vals:
                continue
            # whole half-decades: the axes (and their cached pictures) change only now and then
            lo, hi = math.floor(2 * min(vals)) / 2, math.ceil(2 * max(vals)) / 2
            if hi - lo < 1:
                lo, hi = math.floor(lo), math.ceil(hi) if math.ceil(hi) > math.floor(lo) else math.floor(lo) + 1
            self._set_range(key, "y", (lo, hi), lambda p, r: (p.getAxis("left").setTicks(log_ticks(r[0], r[1], 4)),
                                                             p.setYRange(r[0], r[1], padding=0.05)))
        n = max((len(s.loss) for s in self._series), default=0)
        if n:
            top, bottom = _loss_top([run["env"][k] for run in self._per_run for k in ("raw", "smooth")])
            if ok:
                top = max(top, self._baseline)
            top = _nice_ceiling(top * 1.05) if top > 0 else top * 1.05
            self._set_range("loss", "y", (bottom, top if top > bottom else bottom + 1),
                            lambda p, r: p.setYRange(r[0], r[1], padding=0))
            self._set_range("loss", "x", (1, _nice_ceiling(max(n, 2))), lambda p, r: p.setXRange(r[0], r[1], padding=0.01))

    def _show(self) -> None:
        """The curves for the rows in view, at about one bucket of updates per pixel (Envelope.curve),
        and the clipping marks there (at most MAX_MARKS, evenly thinned)."""
        if self._showing or not self._per_run:
            return
        vb = self.plots["loss"].vb
        (x0, x1), px = vb.viewRange()[0], vb.width()      # (0 before a layout: every row)
        for run in self._per_run:
            env = run["env"]
            for key in ("raw", "smooth", "grad", "reach"):
                run[key].setData(*env[key].curve(x0, x1, px))
            hits = run["hits"]
            hits = hits[np.searchsorted(hits, x0 - 1):np.searchsorted(hits, x1)]
            g = env["grad"].values()
            ends = hits[[0, -1]] if hits.size else hits
            shown = (hits.size, *ends.tolist(), *g[ends].tolist())      # (a new run differs in its values)
            if run.get("marks_shown") != shown:      # (a scatter's points cost ~1 ms a frame to set again)
                run["marks_shown"] = shown
                if hits.size > MAX_MARKS:
                    hits = hits[np.linspace(0, hits.size - 1, MAX_MARKS).astype(int)]
                run["marks"].setData(hits + 1.0, np.nan_to_num(g[hits], nan=0.0) if hits.size else hits)

    def _set_range(self, key: str, axis: str, r: tuple, apply) -> None:
        """Apply a range only when it changed (a redraw of the axes costs more than the curves)."""
        if self._ranges.get((key, axis)) != r:
            self._ranges[(key, axis)] = r
            apply(self.plots[key], r)

    def _style_title(self, force: bool = False) -> None:
        o = self._options()
        title = self._title
        if self._narrow:                 # "LSTM vs vanilla RNN (tanh)<br>on the adding problem: 300 updates"
            title = (title.replace(" vs ", "<br>vs ", 1).replace(" on the ", "<br>on the ", 1)
                     .replace(": nothing", ":<br>nothing", 1))
        look = (title, theme.palette(o.theme).foreground, f"{theme.point_size(o, 1.15)}pt")
        if look != self._title_look or force:         # (setting a label's text lays the canvas out again)
            self._title_look = look
            self.title_label.setText(title, color=look[1], size=look[2], bold=True)

    def _curve(self, key: str, pen) -> pg.PlotCurveItem:
        # a bare curve: the envelope gives what is in view, peaks kept, so PlotDataItem's downsampling,
        # clipping and dataset copies (a third of a frame's set_series) have nothing to do
        item = pg.PlotCurveItem(pen=pen, connect="finite")
        self.plots[key].addItem(item)
        self._items.append((self.plots[key], item))
        return item

    # ------------------------------------------------------------------ look
    def _restyle(self, redraw: bool = True) -> None:
        options = self._options()
        pal = theme.style_layout_widget(self.canvas, options)
        for p in self.plots.values():
            theme.style_plot(p, options)
        self._style_title()
        self.baseline.setPen(pg.mkPen(pal.muted, width=1.5, style=Qt.PenStyle.DashLine))
        self._baseline_sample.setPen(self.baseline.pen)
        for line in self.marker_lines:
            line.setPen(pg.mkPen(pal.accent, width=2))
        for _sample, label in self.legend.items:
            label.setText(label.text, color=pal.foreground, size=f"{theme.point_size(options, 0.9)}pt")
        if redraw and self._series:
            self._labels = None          # the colours follow the theme
            self._draw()

    # ------------------------------------------------------------------ FigureView
    def figure_csv(self):
        header = ["update", "loss", "smooth_loss", "grad_norm", "clipped", "reach"]
        if not self._series:
            return header, []
        s = self._series[0]
        rows = [[i + 1, s.loss[i], s.smooth[i], s.grad_norm[i], int(s.clipped[i]), s.reach[i]] for i in range(len(s.loss))]
        return header, rows

    def has_figure(self) -> bool:
        return bool(self._series)
