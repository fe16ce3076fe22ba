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
        ctl.reset()


class LessonLossPlot:
    """The training's losses beside the lesson (a page with the Train control): each run's loss per update
    on a log axis, in the Training panel's colours, and the constant guess's loss dashed. The Training
    panel's Curves sit in the input column, behind the lesson, and F11 puts them away: a presented page
    that trains live showed only numbers."""

    MAX_POINTS = 400             # each curve averaged down to this many points

    def __init__(self, state):
        import pyqtgraph as pg

        self.state, self.ctl = state, training_of_state(state)
        self.widget = pg.PlotWidget()
        self.widget.setMenuEnabled(False)
        self.widget.hideButtons()
        self.widget.setMouseEnabled(False, False)
        self.widget.setMinimumHeight(110)
        self.widget.setMaximumHeight(170)
        self.widget.setToolTip("the training loss of each model per update (log scale), as in the Training "
                               "panel's Curves; dashed: the loss of the best constant guess")
        plot = self.widget.getPlotItem()
        plot.setLogMode(x=False, y=True)
        plot.showGrid(y=True, alpha=0.2)
        plot.setLabel("bottom", "update")
        plot.getAxis("left").setWidth(40)
        self.curves = [plot.plot() for _ in range(2)]
        self.baseline = plot.plot()
        self.widget.lesson_plot = self                      # lives as long as its widget
        state.view_options_changed.connect(self.restyle)
        self.widget.destroyed.connect(lambda *_: _disconnect(state.view_options_changed, self.restyle))
        self.restyle(state.view_options)
        self.update()

    def restyle(self, options) -> None:
        import pyqtgraph as pg
        from PySide6.QtCore import Qt

        from rnnviz.app import theme
        pal = theme.style_plot(self.widget.getPlotItem(), options)
        self.widget.setBackground(pal.background)
        for curve, colour in zip(self.curves, (pal.forward, pal.backward)):
            curve.setPen(pg.mkPen(colour, width=2))
        self.baseline.setPen(pg.mkPen(pal.muted, width=1.5, style=Qt.PenStyle.DashLine))

    def update(self, *_args) -> None:
        ctl = self.ctl
        if ctl is None:
            return
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
        plot = self.widget.getPlotItem()
        if n:
            plot.enableAutoRange()
        else:                                    # before the first update: an axis to fill, not ticks of nothing
            plot.setXRange(0, 100, padding=0)
            plot.setYRange(-3, 1, padding=0)     # 10⁻³ … 10 (a log axis takes the exponents)


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
