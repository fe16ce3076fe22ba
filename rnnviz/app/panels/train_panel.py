"""TrainPanel: what to train on, how, and the buttons that run it (TrainController does the work).

    Task        the typed text (or series), a text file, dinosaur names, the adding problem, the copy
                task; its length T, batch, and the truncated-BPTT window for texts
    Optimizer   SGD / momentum / Adagrad / Adam, the learning rate on a log slider (1e-4 … 1),
                clipping (none, norm θ, element-wise ±c), the maximum number of updates, snapshots
    Run         ▶ Train / Pause, +1 update, +N updates, Reset weights; updates, updates/s, loss
                (run_box: the window puts it above the panel's tabs)
    Compare     a second model (another cell) trained beside it on the same batches
    Snapshots   a slider back through training: the other views show the weights as they were

Every widget calls the controller; the widgets follow it back (changed), signals blocked.
"""
from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from rnnviz.app.panels.widgets import LiveText, ThresholdBox, combo_box
from rnnviz.core.optimizers import OPTIMIZER_TITLES, OPTIMIZERS

TASKS = (("text", "the typed sequence", "train on what the Sequence box holds (min-char-rnn's windows)"),
         ("file", "a text file…", "train on a UTF-8 text file (min-char-rnn's windows)"),
         ("names", "dinosaur names", "the course's Dinosaur Island: learn to write dinosaur names"),
         ("adding", "adding problem", "add the two marked numbers among T: a long-memory test"),
         ("copy", "copy (memory) task", "write back 5 symbols after T blank steps"))
CLIPS = (("none", "none"), ("norm", "norm ‖g‖ ≤ θ", "rescale the whole gradient to norm θ when larger"),
         ("value", "element-wise ±c", "clip every entry to [−c, c] (min-char-rnn)"))
COMPARE = (("", "no second model"), ("rnn", "vanilla RNN"), ("gru", "GRU"), ("lstm", "LSTM"))
SHORT_TITLES = {"momentum": "SGD + momentum"}
LR_STEPS = 400                       # slider positions over 1e-4 … 1 (100 a decade)


def lr_of(v: int) -> float:
    return float(f"{10 ** (-4 + 4 * v / LR_STEPS):.3g}")


def slider_of(lr: float) -> int:
    return round((math.log10(max(lr, 1e-4)) + 4) * LR_STEPS / 4)


class TrainPanel(QWidget):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.ctl = controller
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)

        box = QGroupBox("Task")
        form = QFormLayout(box)
        self.task = combo_box(TASKS)
        form.addRow("Train on:", self.task)
        self.open_file = QPushButton("Open text file…")
        self.file_label = QLabel("")
        self.file_label.setObjectName("muted")
        self.file_label.setWordWrap(True)
        form.addRow(self.open_file)
        form.addRow(self.file_label)
        self.length = _spin(2, 2000, 50, "T: the adding problem's length, the copy task's delay")
        self.batch = _spin(1, 1024, 32, "sequences (or names) per update")
        self.window = _spin(1, 10_000, 25, "truncated BPTT: steps per update, the hidden state carried between windows")
        form.addRow("Length T:", self.length)
        form.addRow("Batch:", self.batch)
        form.addRow("Window:", self.window)
        lay.addWidget(box)

        box = QGroupBox("Optimizer")
        form = QFormLayout(box)
        # (the rules' short names: "SGD with momentum" made the column 14 px wider than the panel at
        # 1280 x 720 once its page scrolls; the tooltips have the long ones)
        self.optimizer = combo_box([(k, SHORT_TITLES.get(k, OPTIMIZER_TITLES[k]), OPTIMIZER_TITLES[k])
                                    for k in OPTIMIZERS])
        form.addRow("Rule:", self.optimizer)
        self.lr_slider = QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setRange(0, LR_STEPS)
        self.lr_slider.setToolTip("learning rate, 1e-4 … 1 on a log scale")
        self.lr = LearningRateBox()
        self.lr.setRange(1e-4, 1.0)
        self.lr.setKeyboardTracking(False)
        row = QHBoxLayout()
        row.addWidget(self.lr_slider, 1)
        row.addWidget(self.lr)
        form.addRow("Learning rate:", row)
        self.clip_mode = combo_box(CLIPS)
        self.clip = ThresholdBox()
        form.addRow("Clipping:", self.clip_mode)
        form.addRow("Threshold:", self.clip)
        self.max_updates = _spin(1, 10_000_000, 100_000, "training stops after this many updates")
        self.snapshot_every = _spin(0, 1_000_000, 100, "keep a copy of the weights every N updates (0: none)")
        self.snapshot_every.setPrefix("every ")            # "Snapshots: every 100" (a short label)
        self.snapshot_every.setSpecialValueText("none")
        form.addRow("Max updates:", self.max_updates)
        form.addRow("Snapshots:", self.snapshot_every)
        lay.addWidget(box)

        box = QGroupBox("Run")
        v = QVBoxLayout(box)
        row, row2 = QHBoxLayout(), QHBoxLayout()
        self.play_button = QPushButton("▶ Train")
        self.play_button.setToolTip("train until paused or the maximum number of updates")
        self.step_button = QPushButton("+1")
        self.step_button.setToolTip("one update")
        self.steps_button = QPushButton("+N")
        self.steps = _spin(1, 1_000_000, 100, "updates that +N runs")
        self.reset_button = QPushButton("Reset weights")
        self.reset_button.setToolTip("new weights (the model's seed), a fresh optimizer and an empty history")
        row.addWidget(self.play_button, 1)
        row.addWidget(self.reset_button)
        for w in (self.step_button, self.steps_button, self.steps):
            row2.addWidget(w)
        v.addLayout(row)
        v.addLayout(row2)
        self.status = LiveText("not trained yet")      # (it changes at every frame: no layout for that)
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        v.addWidget(self.status)
        v.addWidget(self.message)
        self.run_box = box               # above the Training panel's tabs (install_training): the buttons
        # stay in reach while the Curves, Sample or Check tab is open

        box = QGroupBox("Compare")
        form = QFormLayout(box)
        self.compare = combo_box(COMPARE)
        self.compare.setToolTip("train a second model (another cell) on the same batches, drawn in the second colour")
        form.addRow("Beside it:", self.compare)
        lay.addWidget(box)

        box = QGroupBox("Snapshots")
        v = QVBoxLayout(box)
        self.scrub = QSlider(Qt.Orientation.Horizontal)
        self.scrub.setToolTip("back through training: every view shows the weights as they were (pause first)")
        self.scrub_label = QLabel("")
        self.scrub_label.setWordWrap(True)
        v.addWidget(self.scrub)
        v.addWidget(self.scrub_label)
        lay.addWidget(box)
        lay.addStretch(1)

        self.task.currentIndexChanged.connect(lambda _i: self._apply_task(chosen=True))
        self.length.valueChanged.connect(lambda _v: self._apply_task())
        self.batch.valueChanged.connect(lambda _v: self._apply_task())
        self.window.valueChanged.connect(lambda v: self.ctl.set_window(v))
        self.open_file.clicked.connect(self._open_file)
        self.optimizer.currentIndexChanged.connect(lambda _i: self._apply_optimizer())
        self.lr_slider.valueChanged.connect(self._on_lr_slider)
        self.lr.valueChanged.connect(lambda _v: self._apply_optimizer())
        self.clip_mode.currentIndexChanged.connect(lambda _i: self._apply_clip())
        self.clip.valueChanged.connect(lambda _v: self._apply_clip())
        self.max_updates.valueChanged.connect(lambda v: setattr(self.ctl, "max_updates", int(v)))
        self.snapshot_every.valueChanged.connect(lambda v: self.ctl.set_snapshot_every(v))
        self.play_button.clicked.connect(lambda: self.ctl.pause() if self.ctl.running else self.ctl.play())
        self.step_button.clicked.connect(lambda: self.ctl.step(1))
        self.steps_button.clicked.connect(lambda: self.ctl.step(self.steps.value()))
        self.reset_button.clicked.connect(lambda: self.ctl.reset(fresh=True))
        self.compare.currentIndexChanged.connect(lambda _i: self.ctl.set_compare(self.compare.currentData()))
        self.scrub.valueChanged.connect(self._on_scrub)
        controller.changed.connect(self._sync)
        controller.running_changed.connect(lambda _r: self._sync())
        controller.running_changed.connect(self.status.set_keep_room)     # (after _sync: the last text, then fit)
        controller.message_changed.connect(self.message.setText)
        self._sync()

    # ------------------------------------------------------------------ user input
    def _apply_task(self, chosen: bool = False) -> None:
        """The task's widgets to the controller; `chosen`: the user picked this task in the list (a
        text file not opened yet: the file dialog, and back to the task before when it is cancelled).
        (It asked self.sender(), which is None in a slot called through a lambda: the dialog never
        opened and the panel said "Can't train: open a text file to train on".)"""
        kind = self.task.currentData()
        if kind == "file" and not self.ctl.choice.file_text and chosen:
            if not self._open_file():
                self._sync()
            return
        self.ctl.set_task(replace(self.ctl.choice, kind=kind, length=self.length.value(), batch=self.batch.value()))

    def _open_file(self) -> bool:
        from rnnviz.app.settings import remember_folder, start_folder
        from rnnviz.io.sources import read_source

        path, _ = QFileDialog.getOpenFileName(self, "Train on a text file", start_folder("train"),
                                              "Text files (*.txt *.md *.py *.csv);;All files (*)")
        if not path:
            return False
        try:
            text = read_source(path, "text")
            if len(text) < 2:
                raise ValueError(f"{path} holds fewer than two characters")
        except ValueError as e:
            self.ctl.say(str(e))          # (through the controller: its next message replaces it)
            return False
        remember_folder("train", path)
        self.ctl.set_task(replace(self.ctl.choice, kind="file", file_path=path, file_text=text))
        return True

    def _on_lr_slider(self, v: int) -> None:
        with QSignalBlocker(self.lr):
            self.lr.setValue(lr_of(v))
        self._apply_optimizer()

    def _apply_optimizer(self) -> None:
        with QSignalBlocker(self.lr_slider):
            self.lr_slider.setValue(slider_of(self.lr.value()))
        self.ctl.set_optimizer(self.optimizer.currentData(), self.lr.value())

    def _apply_clip(self) -> None:
        self.clip.setEnabled(self.clip_mode.currentData() != "none")
        self.ctl.set_clipping(self.clip_mode.currentData(), self.clip.value())

    def _on_scrub(self, v: int) -> None:
        n = len(self.ctl.main.snapshots) if self.ctl.main else 0
        self.ctl.show_snapshot(None if v >= n else v)

    # ------------------------------------------------------------------ controller -> widgets
    def _sync(self) -> None:
        ctl, s, ch = self.ctl, self.ctl.settings, self.ctl.choice
        for w, value in ((self.task, ch.kind), (self.optimizer, s.optimizer), (self.clip_mode, s.clip_mode),
                         (self.compare, ctl.compare_cell)):
            with QSignalBlocker(w):
                w.setCurrentIndex(max(w.findData(value), 0))
        for w, value in ((self.length, ch.length), (self.batch, ch.batch), (self.window, ch.window),
                         (self.lr, s.lr), (self.lr_slider, slider_of(s.lr)), (self.clip, s.clip_threshold),
                         (self.max_updates, ctl.max_updates), (self.snapshot_every, s.snapshot_every)):
            with QSignalBlocker(w):
                w.setValue(value)
        kind = ch.kind
        self.open_file.setVisible(kind == "file")
        self.file_label.setVisible(kind == "file")
        self.file_label.setText(f"{ch.file_path} ({len(ch.file_text):,} characters)" if ch.file_path else "")
        self.length.setEnabled(kind in ("adding", "copy"))
        self.batch.setEnabled(kind in ("names", "adding", "copy"))
        self.window.setEnabled(kind in ("text", "file"))
        self.clip.setEnabled(s.clip_mode != "none")
        running = ctl.running
        self.play_button.setText("Pause" if running else "▶ Train")
        for w in (self.step_button, self.steps_button, self.reset_button):
            w.setEnabled(not running or w is self.reset_button)
        self.status.setText(self.status_text())
        self._sync_scrub()

    def status_text(self) -> str:
        ctl = self.ctl
        if not ctl.trainers:
            return "not trained yet: ▶ Train, or +1 for one update"
        loss, smooth = ctl.last("loss"), ctl.last("smooth_loss")
        if ctl.running and ctl.preparing:
            return (f"update {ctl.updates:,} · preparing the compiled training loops (a second; the first "
                    "time on this machine, some seconds)…")
        speed = f" · {ctl.updates_per_s:,.0f} updates/s" if ctl.running else ""
        text = f"update {ctl.updates:,}{speed}"
        if ctl.updates:
            text += f" · loss {loss:.4g} (smoothed {smooth:.4g}; a blind guess {ctl.main.task.baseline:.3g})"
        if not ctl.shows_in_views():
            text += " · the other views keep the typed sequence (this task's inputs aren't a text)"
        return text

    def _sync_scrub(self) -> None:
        main = self.ctl.main
        stale = self.ctl.stale()          # (the views show another model or text: not these weights)
        n = len(main.snapshots) if main is not None and not self.ctl.running and not stale else 0
        with QSignalBlocker(self.scrub):
            self.scrub.setRange(0, n)
            self.scrub.setValue(n if self.ctl.viewing is None else self.ctl.viewing)
        self.scrub.setEnabled(n > 0)
        if self.ctl.running:
            self.scrub_label.setText("pause to look back through training")
        elif stale and main is not None:
            self.scrub_label.setText(f"{stale[0].upper()}{stale[1:]} changed: the snapshots are of the network "
                                     "trained before")
        elif self.ctl.viewing is not None and main is not None:
            u = main.snapshots[self.ctl.viewing][0]
            self.scrub_label.setText(f"the views show the weights after update {u:,} (of {main.updates:,})")
        else:
            self.scrub_label.setText(f"the views show the latest weights ({self.ctl.updates:,} updates)"
                                     if main is not None else "")


class LearningRateBox(QDoubleSpinBox):
    """The learning rate as the slider sets it, three significant digits (0.000126, 0.00316, 0.1):
    with 4 decimals the box rounded every rate below 1e-3 to 0.0001 … 0.0010 and the slider, set back
    from the box, snapped to those ten positions; → and PageUp could not move it off 1e-4 at all. Its
    arrows step along the slider's log scale (×1.26 a step, not ±1)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(8)               # (the value kept as set; the text shows 3 digits)

    def textFromValue(self, v: float) -> str:
        return f"{v:.3g}" if v >= 1e-4 else f"{v:.2e}"

    def stepBy(self, steps: int) -> None:
        self.setValue(lr_of(min(max(slider_of(self.value()) + 10 * steps, 0), LR_STEPS)))

    def sizeHint(self):
        hint = super().sizeHint()
        fm = self.fontMetrics()           # room for the widest text it shows, not for "0.0001" only
        hint.setWidth(max(hint.width(), fm.horizontalAdvance("0.000126") + fm.horizontalAdvance("0") * 4))
        return hint

    minimumSizeHint = sizeHint


def _spin(lo: int, hi: int, value: int, tip: str) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s
