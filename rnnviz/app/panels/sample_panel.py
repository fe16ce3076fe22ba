"""SamplePanel: write text with the weights on screen (the trained ones, or a snapshot's), as the
notes' `sample` does; the next-character probabilities as bars; the result opened in every view.

The weights and characters are those of the trace on screen, so what is sampled is what the graph
and the heatmaps explain. A model trained on names starts from x<1> = 0 and stops at a line break.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from rnnviz.app import theme
from rnnviz.core.sampling import sample, temperature_words
from rnnviz.core.sequences import char_label
from rnnviz.core.tasks import NamesTask

BARS = 12                     # the likeliest characters shown


def temperature_of(v: int) -> float:
    return round(v / 20, 2)   # slider 2 … 40: 0.1 … 2 in steps of 0.05


class SamplePanel(QWidget):
    def __init__(self, state, controller=None, parent=None):
        super().__init__(parent)
        self.state, self.ctl = state, controller
        self.result = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        box = QGroupBox("Sample from the network")
        form = QFormLayout(box)
        self.seed_text = QLineEdit()
        self.seed_text.setPlaceholderText("empty: start from a zero input")
        self.seed_text.setToolTip("read first; the generated text continues it")
        form.addRow("Seed text:", self.seed_text)
        self.temperature = QSlider(Qt.Orientation.Horizontal)
        self.temperature.setRange(2, 40)
        self.temperature.setValue(20)
        self.t_value = QLabel("1.00")
        row = QHBoxLayout()
        row.addWidget(self.temperature, 1)
        row.addWidget(self.t_value)
        form.addRow("Temperature:", row)
        self.t_words = QLabel("")
        self.t_words.setObjectName("muted")
        self.t_words.setWordWrap(True)
        form.addRow(self.t_words)
        # (short: "always the likeliest character (argmax)" made the page wider than its column at 1280 x 720)
        self.argmax = QCheckBox("the likeliest each time (argmax)")
        self.argmax.setToolTip("always the likeliest character (argmax) instead of a random draw")
        form.addRow(self.argmax)
        self.length = QSpinBox()
        self.length.setRange(1, 5000)
        self.length.setValue(200)
        self.rng_seed = QSpinBox()
        self.rng_seed.setRange(0, 2**31 - 1)
        self.rng_seed.setToolTip("the same seed writes the same text")
        form.addRow("Characters:", self.length)
        form.addRow("Random seed:", self.rng_seed)
        row = QHBoxLayout()
        self.generate = QPushButton("Generate")
        self.open_button = QPushButton("Open in the views")
        self.open_button.setToolTip("step through the seed and the generated text like any other sequence")
        self.open_button.setEnabled(False)
        row.addWidget(self.generate)
        row.addWidget(self.open_button)
        form.addRow(row)
        lay.addWidget(box)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMinimumHeight(90)
        self.output.setFont(pg.QtGui.QFont(theme.mono_family().split(",")[0]))
        lay.addWidget(self.output, 1)
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)

        self.bars_title = QLabel("")
        self.bars_title.setWordWrap(True)
        lay.addWidget(self.bars_title)
        self.bars = pg.PlotWidget()
        self.bars.setMinimumHeight(150)
        self.bars.setMenuEnabled(False)
        self.bars.hideButtons()
        self.bars.setMouseEnabled(False, False)
        self.bars.setLabel("left", "probability")
        self.bars.setYRange(0, 1, padding=0.02)
        self.bar_item = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.bars.addItem(self.bar_item)
        lay.addWidget(self.bars)
        self.step = QSlider(Qt.Orientation.Horizontal)
        self.step.setToolTip("which generated character's probabilities the bars show")
        lay.addWidget(self.step)

        self.temperature.valueChanged.connect(lambda _v: self._sync_temperature())
        self.argmax.toggled.connect(lambda _b: self._sync_temperature())
        self.generate.clicked.connect(self.run)
        self.open_button.clicked.connect(self.open_in_views)
        self.step.valueChanged.connect(self._show_bars)
        state.view_options_changed.connect(lambda _o: self._show_bars())
        self._sync_temperature()

    # ------------------------------------------------------------------
    def _names(self) -> bool:
        return self.ctl is not None and self.ctl.main is not None and isinstance(self.ctl.main.task, NamesTask)

    def _sync_temperature(self) -> None:
        t = temperature_of(self.temperature.value())
        self.t_value.setText(f"{t:.2f}")
        self.temperature.setEnabled(not self.argmax.isChecked())
        self.t_words.setText("argmax: the same text every time, often a loop" if self.argmax.isChecked()
                             else f"ŷ = softmax(z / {t:.2f}): {temperature_words(t)}")

    def run(self) -> None:
        tr = self.state.trace
        self.message.setText("")
        if tr is None or tr.seq.kind != "text" or tr.seq.n_source:
            self.message.setText("Sampling writes characters: train (or show) a model of a text first.")
            return
        names = self._names()
        try:
            self.result = sample(tr.spec, tr.params, tuple(tr.seq.vocab), self.seed_text.text(), self.length.value(),
                                 temperature_of(self.temperature.value()), self.argmax.isChecked(),
                                 self.rng_seed.value(), zero_first=names, stop="\n" if names else None)
        except ValueError as e:
            self.result = None
            self.message.setText(str(e))
            self.open_button.setEnabled(False)
            return
        self.output.setPlainText(self.result.seed_text + self.result.text)
        ctl = self.ctl
        if ctl is not None and ctl.main is not None and not ctl.shows_in_views():
            # (the adding problem, the copy task: a run the views don't show, whose outputs aren't characters)
            self.message.setText(f"The {ctl.main.task.title}'s trained network doesn't write characters: this "
                                 "is the typed text's network, as the views show it.")
        self.open_button.setEnabled(len(self.result.seed_text + self.result.text) >= 2)
        with QSignalBlocker(self.step):
            self.step.setRange(0, max(len(self.result.text) - 1, 0))
            self.step.setValue(0)
        self._show_bars()

    def _show_bars(self) -> None:
        p = theme.palette(self.state.view_options.theme)
        self.bars.setBackground(p.background)
        theme.style_plot(self.bars.getPlotItem(), self.state.view_options)
        r = self.result
        if r is None or not len(r.text):
            self.bar_item.setOpts(x=[], height=[])
            self.bars_title.setText("")
            return
        i = min(self.step.value(), len(r.text) - 1)
        top = r.top(i, BARS)
        chosen = r.text[i]
        brushes = [pg.mkBrush(p.accent if c == chosen else p.forward) for c, _ in top]
        self.bar_item.setOpts(x=np.arange(len(top)), height=[v for _, v in top], brushes=brushes, pens=[None] * len(top))
        self.bars.getAxis("bottom").setTicks([[(k, char_label(c)) for k, (c, _) in enumerate(top)]])
        before = (r.seed_text + r.text[:i])[-12:]
        self.bars_title.setText(f"Character {i + 1}: after “{''.join(map(char_label, before))}” the network "
                                f"gives these probabilities; it wrote “{char_label(chosen)}” (highlighted).")

    def open_in_views(self) -> None:
        """The seed and the generated text as the sequence every view shows, with the same weights."""
        tr, r = self.state.trace, self.result
        if tr is None or r is None:
            return
        from dataclasses import replace

        text = r.seed_text + r.text
        config = replace(self.state.config, source=text, kind="text", vocab="".join(tr.seq.vocab),
                         architecture="many-to-many")
        try:
            self.state.set_base_params(tr.params, config=config)
        except ValueError as e:
            self.message.setText(f"Can't show it: {e}")
