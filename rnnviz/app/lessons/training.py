"""Lessons that train: a page's setup "train" chooses the task and the second model in the Train panel
(state.training, the TrainController), and the live values {train_loss}, {train_updates}, ... read the
runs. Only where the window has training (the "train" panel); elsewhere such a lesson is refused."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from rnnviz.lessons.values import TRAIN_MEAN_OF as MEAN_OF


def training_of(window):
    return getattr(window.state, "training", None)


def train_values(window) -> dict:
    ctl = training_of(window)
    if ctl is None or not ctl.trainers:
        return {}
    out = {"train_updates": ctl.updates, "train_task": ctl.main.task.title,
           "train_baseline": float(ctl.main.task.baseline), "train_cell": ctl.trainers[0].spec.cell}
    for key, i in (("train_loss", 0), ("train_compare_loss", 1)):
        if i < len(ctl.mirrors) and ctl.mirrors[i].n:
            out[key] = float(np.mean(ctl.mirrors[i].column("loss")[-MEAN_OF:]))
    if len(ctl.trainers) > 1:
        out["train_compare_cell"] = ctl.trainers[1].spec.cell
    return out


def apply_train(window, spec: dict) -> None:
    """The page's training setup: task (kind, length, batch), second model, optimizer, clipping. New
    runs start (reset) only when the task or the models change."""
    ctl = training_of(window)
    if ctl is None:
        return
    ctl.pause()
    choice = replace(ctl.choice, kind=spec.get("task", ctl.choice.kind))
    if choice.kind != ctl.choice.kind:
        ctl.set_task(choice)                     # the task's recipe (optimizer, length, batch)
    choice = replace(ctl.choice, length=spec.get("length", ctl.choice.length),
                     batch=spec.get("batch", ctl.choice.batch))
    if choice != ctl.choice:
        ctl.set_task(choice)
    if spec.get("compare", ctl.compare_cell) != ctl.compare_cell:
        ctl.set_compare(spec.get("compare") or "")
    if "optimizer" in spec or "lr" in spec:
        ctl.set_optimizer(spec.get("optimizer", ctl.settings.optimizer), spec.get("lr", ctl.settings.lr))
    if "clip_mode" in spec or "clip_threshold" in spec:
        ctl.set_clipping(spec.get("clip_mode", ctl.settings.clip_mode),
                         spec.get("clip_threshold", ctl.settings.clip_threshold))
    if spec.get("reset"):
        ctl.reset(fresh=True)                    # (not the weights a run before left on screen)


class LessonLossPlot:
    """The training's losses beside the lesson (a page with the Train control): each run's loss per update
    on a log axis, in the Training panel's colours, and the constant guess's loss dashed, named in a
    legend under the plot (its own row: it never covers a curve). The Training panel's Curves sit in the
    input column, behind the lesson, and F11 puts them away: a presented page that trains live showed
    only numbers."""

    MAX_POINTS = 400             # each curve averaged down to this many points
    SAMPLE_PX = 20               # pyqtgraph's legend draws each line 20 pixels long
    LEGEND_GAP = 8               # pixels between a legend's line and its words, and between two entries

    def __init__(self, state):
        import pyqtgraph as pg
        from PySide6.QtCore import Qt

        self.state, self.ctl = state, training_of_state(state)
        self.widget = _canvas_class()(self._fit_legend)
        self.widget.setMinimumHeight(120)
        self.widget.setMaximumHeight(190)
        self.widget.setToolTip("the training loss of each model per update (log scale), as in the Training "
                               "panel's Curves; dashed: the loss of the best constant guess")
        self.plot = plot = self.widget.addPlot(row=0, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(False, False)
        plot.setLogMode(x=False, y=True)
        plot.showGrid(y=True, alpha=0.2)
        plot.setLabel("bottom", "update")
        plot.getAxis("left").setWidth(40)
        self.curves = [plot.plot() for _ in range(2)]
        self.baseline = plot.plot()
        # the legend in a row of its own under the plot, centred, as many entries a line as fit
        self.legend = None
        self._legend_key: tuple = ()
        self._legend_look = ("#000000", "9pt")
        self.widget.ci.setSpacing(0)
        self.widget.lesson_plot = self                      # lives as long as its widget
        state.view_options_changed.connect(self.restyle)
        self.widget.destroyed.connect(lambda *_: _disconnect(state.view_options_changed, self.restyle))
        self.restyle(state.view_options)
        self.update()

    def restyle(self, options) -> None:
        import pyqtgraph as pg
        from PySide6.QtCore import Qt

        from rnnviz.app import theme
        pal = theme.style_plot(self.plot, options)
        self.widget.setBackground(pal.background)
        for curve, colour in zip(self.curves, (pal.forward, pal.backward)):
            curve.setPen(pg.mkPen(colour, width=2))
        self.baseline.setPen(pg.mkPen(pal.muted, width=1.5, style=Qt.PenStyle.DashLine))
        self._legend_look = (pal.foreground, f"{theme.point_size(options, 0.9)}pt")
        self._legend_key = ()                               # made again in the new colour and size
        self._fit_legend()

    def legend_names(self) -> list[str]:
        """What the legend says, in the order of its entries (for tests and tools)."""
        return [label.text for _sample, label in self.legend.items] if self.legend is not None else []

    def _run_names(self) -> list[str]:
        ctl = self.ctl
        if ctl is None:
            return []
        # the model's title, the notes' tanh without saying so ('vanilla RNN', 'LSTM', 'vanilla RNN (relu)')
        names = [tr.spec.title().replace(" (tanh)", "") for tr in ctl.trainers[:len(self.curves)]]
        if len(names) == 1:
            return ["loss per update"]
        return names                                      # two runs: a colour per model

    def _entries(self) -> list[tuple]:
        """(curve, words) of each legend entry: a run drawn (its model, or 'loss per update' when it is the
        only one) and the blind guess with its value."""
        ctl = self.ctl
        out = list(zip(self.curves, self._run_names()))
        b = float(ctl.main.task.baseline) if ctl is not None and ctl.trainers else math.nan
        if b > 0 and math.isfinite(b):
            out.append((self.baseline, f"blind guess {b:.3g}"))
        return out

    def _fit_legend(self) -> None:
        """The legend with as many entries a line as the plot's width holds (entries fill the lines left
        to right, so a column is as wide as its widest entry); made again only when its words, its look
        or its number of columns change (pyqtgraph's legend keeps the widths of its old columns)."""
        import pyqtgraph as pg
        from PySide6.QtCore import Qt, QTimer

        entries = self._entries()
        gap = self.LEGEND_GAP
        colour, size = self._legend_look
        labels = [pg.LabelItem(words, color=colour, size=size) for _curve, words in entries]   # (measured only)
        widths = [self.SAMPLE_PX + label.item.boundingRect().width() + 2 * gap for label in labels]

        def width(cols: int) -> float:
            return sum(max(widths[c::cols]) for c in range(cols))

        room = self.widget.width() - 2 * 9 - 4          # the layout's margins
        cols = next((c for c in range(len(widths), 1, -1) if width(c) <= room), 1)
        key = (tuple(words for _c, words in entries), self._legend_look, cols)
        if key == self._legend_key:
            return
        self._legend_key = key
        ci = self.widget.ci
        if self.legend is not None:
            ci.removeItem(self.legend)
        self.legend = legend = pg.LegendItem(colCount=cols, horSpacing=gap, verSpacing=-8, labelTextColor=colour,
                                             labelTextSize=size)
        for curve, words in entries:
            legend.addItem(curve, words)
        if entries:
            row_h = max(max(s.boundingRect().height(), lab.item.boundingRect().height()) for s, lab in legend.items)
            legend.setMaximumHeight(legend.layout.rowCount() * row_h + 2)
            legend.setMaximumWidth(width(cols) + 8)
        ci.addItem(legend, row=1, col=0)
        ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignHCenter)
        # the layout took the width of the old legend when that was wider than the view: the view's again
        QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        from PySide6.QtCore import QRectF

        c = self.widget
        if _alive(c):
            c.setRange(QRectF(0, 0, c.width(), c.height()), padding=0, disableAutoPixel=False)


    def update(self, *_args) -> None:
        ctl = self.ctl
        if ctl is None:
            return
        self._fit_legend()
        n = 0
        for i, curve in enumerate(self.curves):
            loss = ctl.mirrors[i].column("loss") if i < len(ctl.mirrors) else np.zeros(0)
            x, y = _averaged(loss, self.MAX_POINTS)
            keep = np.isfinite(y) & (y > 0)                 # a log axis: zeros and inf are gaps
            curve.setData(x[keep], y[keep])
            n = max(n, len(loss))
        b = float(ctl.main.task.baseline) if ctl.trainers else math.nan
        if b > 0 and math.isfinite(b):
            self.baseline.setData([0, max(n, 100)], [b, b])
        else:
            self.baseline.setData([], [])
        plot = self.plot
        if n:
            plot.enableAutoRange()
        else:                                    # before the first update: an axis to fill, not ticks of nothing
            plot.setXRange(0, 100, padding=0)
            plot.setYRange(-3, 1, padding=0)     # 10⁻³ … 10 (a log axis takes the exponents)


_CANVAS = []


def _canvas_class():
    """A GraphicsLayoutWidget that calls `on_resize` after each resize (made once, when first needed:
    pyqtgraph loads with the first lesson that trains)."""
    if not _CANVAS:
        import pyqtgraph as pg

        class LossCanvas(pg.GraphicsLayoutWidget):
            def __init__(self, on_resize):
                self._on_resize = None          # (the base class resizes itself while it is made)
                super().__init__()
                self._on_resize = on_resize

            def resizeEvent(self, event) -> None:
                super().resizeEvent(event)
                if self._on_resize is not None:
                    self._on_resize()

        _CANVAS.append(LossCanvas)
    return _CANVAS[0]


def _alive(obj) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def _disconnect(signal, slot) -> None:
    try:
        signal.disconnect(slot)
    except (RuntimeError, TypeError):
        pass


def training_of_state(state):
    return getattr(state, "training", None)


def _averaged(values: np.ndarray, most: int):
    """(update numbers, means) of blocks of consecutive updates: at most `most` points."""
    n = len(values)
    if n <= most:
        return np.arange(1, n + 1, dtype=float), np.asarray(values, dtype=float)
    block = -(-n // most)
    m = n // block
    with np.errstate(invalid="ignore", over="ignore"):
        y = np.asarray(values[:m * block], dtype=float).reshape(m, block).mean(axis=1)
    return (np.arange(m) * block + (block + 1) / 2), y
