"""The few controls a lesson page asks for, inside the lesson panel ("drag ρ until ..."), so that the
student needn't look for them: each calls AppState exactly as the model and BPTT panels do, and
follows the state back."""
from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from rnnviz.app.panels.bptt_controls import CLIPS, FLOWS
from rnnviz.app.panels.model_panel import ACTIVATIONS, RADIUS_MAX, SLIDER_STEPS
from rnnviz.app.panels.widgets import combo_box

CELLS = (("rnn", "vanilla RNN"), ("gru", "GRU"), ("lstm", "LSTM"))


def _delete_later(item) -> None:
    """A layout item's widget, or every widget of its layout, hidden now and deleted by the event loop."""
    if item is None:
        return
    if item.widget() is not None:
        item.widget().hide()
        item.widget().deleteLater()
    elif item.layout() is not None:
        lay = item.layout()
        while lay.count():
            _delete_later(lay.takeAt(0))
        lay.deleteLater()


class PageControls(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.form = QFormLayout(self)
        self.form.setContentsMargins(8, 6, 8, 6)   # inside the highlight frame
        self.widgets: dict[str, QWidget] = {}
        self._connections: list = []          # (signal, slot) to other objects, dropped with the rows
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._commit_radius)
        state.config_changed.connect(self._sync)
        self.hide()

    def set_controls(self, names) -> None:
        for sig, slot in self._connections:
            sig.disconnect(slot)
        self._connections = []
        # the rows' widgets are deleted later, not now: a page turned by a click or key on one of them
        # (its Train button's Pause fulfils the page's condition) deleted it inside its own event handler
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                _delete_later(item)
        self.widgets = {}
        for name in names:
            getattr(self, "_add_" + name)()
        self.setVisible(bool(names))
        self._sync(self.state.config)

    # ------------------------------------------------------------------ rows
    def _add_radius(self) -> None:
        s = QSlider(Qt.Orientation.Horizontal)
        s.setRange(0, SLIDER_STEPS)
        s.setToolTip("Spectral radius ρ of Waa: below 1 gradients tend to vanish, above 1 to explode")
        value = QLabel()
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance("0.000"))
        row = QHBoxLayout()
        row.addWidget(s, 1)
        row.addWidget(value)
        s.valueChanged.connect(lambda v: (value.setText(f"{v * RADIUS_MAX / SLIDER_STEPS:.2f}"), self._timer.start()))
        self.widgets["radius"], self.widgets["radius_value"] = s, value
        self.form.addRow("ρ(Waa)", row)

    def _add_activation(self) -> None:
        c = combo_box(ACTIVATIONS)
        c.currentIndexChanged.connect(lambda _i: self._update(activation=c.currentData()))
        self.widgets["activation"] = c
        self.form.addRow("Activation g", c)

    def _add_cell(self) -> None:
        c = combo_box(CELLS)
        c.currentIndexChanged.connect(lambda _i: self._update(cell=c.currentData()))
        self.widgets["cell"] = c
        self.form.addRow("Cell", c)

    def _add_flow(self) -> None:
        c = combo_box(FLOWS)
        c.currentIndexChanged.connect(lambda _i: self._update(flow=c.currentData()))
        self.widgets["flow"] = c
        self.form.addRow("Flows back", c)

    def _add_forget_bias(self) -> None:
        b = QDoubleSpinBox()
        b.setRange(-10.0, 10.0)
        b.setDecimals(1)
        b.setSingleStep(0.5)
        b.setKeyboardTracking(False)
        b.setToolTip("The forget gate's initial bias: Γf starts near σ(bias)")
        b.valueChanged.connect(lambda v: self._update(forget_bias=float(v)))
        self.widgets["forget_bias"] = b
        self.form.addRow("Forget-gate bias", b)

    def _add_train(self) -> None:
        """▶ Train / Pause for the Train panel's runs (state.training), with the updates done."""
        ctl = self.state.training
        b = QPushButton("▶ Train")
        b.setToolTip("Train the models of the Training panel (its Curves tab draws the losses)")
        label = QLabel()
        label.setObjectName("muted")
        b.clicked.connect(lambda: ctl.pause() if ctl.running else ctl.play())

        def follow(*_a):
            b.setText("Pause" if ctl.running else "▶ Train")   # as the Train panel (fonts without ⏸ drew a box)
            label.setText(f"{ctl.updates:,} updates")
        from rnnviz.app.lessons.training import LessonLossPlot
        plot = LessonLossPlot(self.state)
        for sig in (ctl.changed, ctl.running_changed):
            for slot in (follow, plot.update):
                sig.connect(slot)
                self._connections.append((sig, slot))
        follow()
        row = QHBoxLayout()
        row.addWidget(b)
        row.addWidget(label, 1)
        self.widgets["train"], self.widgets["train_status"], self.widgets["train_plot"] = b, label, plot.widget
        self.form.addRow("Training", row)
        self.form.addRow(plot.widget)

    def _add_clip(self) -> None:
        c = combo_box(CLIPS)
        t = QDoubleSpinBox()
        t.setDecimals(4)            # before the range: 3 decimals rounded its minimum 1e-4 to 0
        t.setRange(1e-4, 1e6)
        t.setKeyboardTracking(False)
        c.currentIndexChanged.connect(lambda _i: self._clip())
        t.valueChanged.connect(lambda _v: self._clip())
        self.widgets["clip"], self.widgets["clip_threshold"] = c, t
        self.form.addRow("Clipping", c)
        self.form.addRow("θ or c", t)

    # ------------------------------------------------------------------ to the state
    def _update(self, **changes) -> None:
        if any(getattr(self.state.config, k) != v for k, v in changes.items()):
            self.state.update_config(**changes)

    def _commit_radius(self) -> None:
        s = self.widgets.get("radius")
        if s is not None:
            self._update(radius=round(s.value() * RADIUS_MAX / SLIDER_STEPS, 4))

    def _clip(self) -> None:
        c, t = self.widgets["clip"], self.widgets["clip_threshold"]
        t.setEnabled(c.currentData() != "none")
        cfg = self.state.config
        if (c.currentData(), t.value()) != (cfg.clip_mode, cfg.clip_threshold):
            self.state.set_clipping(c.currentData(), t.value())

    # ------------------------------------------------------------------ from the state
    def _sync(self, config) -> None:
        w = self.widgets
        for key in ("activation", "cell", "flow", "clip"):
            if key in w:
                value = config.clip_mode if key == "clip" else getattr(config, key)
                with QSignalBlocker(w[key]):
                    w[key].setCurrentIndex(max(w[key].findData(value), 0))
        if "clip_threshold" in w:
            with QSignalBlocker(w["clip_threshold"]):
                w["clip_threshold"].setValue(config.clip_threshold)
            w["clip_threshold"].setEnabled(config.clip_mode != "none")
        if "forget_bias" in w:
            with QSignalBlocker(w["forget_bias"]):
                w["forget_bias"].setValue(config.forget_bias)
        if "radius" in w and not self._timer.isActive():
            r = min(max(config.radius, 0.0), RADIUS_MAX)
            with QSignalBlocker(w["radius"]):
                w["radius"].setValue(round(r * SLIDER_STEPS / RADIUS_MAX))
            w["radius_value"].setText(f"{r:.2f}")
