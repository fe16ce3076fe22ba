"""Model settings: hidden size, activation, loss, architecture, spectral radius of Waa, seed."""
from __future__ import annotations

import math
from contextlib import ExitStack

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSlider,
    QSpinBox, QWidget,
)

from rnnviz.app.panels.widgets import combo_box
from rnnviz.app.state import MAX_HIDDEN, MAX_SEED, AppState
from rnnviz.core.losses import check_loss
from rnnviz.core.trace import ARCHITECTURE_HELP, ARCHITECTURES

ACTIVATIONS = (("tanh", "tanh"), ("relu", "ReLU"))
LOSSES = (("auto", "Auto", "cross-entropy for characters, binary cross-entropy for 0/1, else squared error"),
          ("cross_entropy", "Cross-entropy", "softmax over the characters, −log p(target)"),
          ("bce", "Binary cross-entropy", "sigmoid output for 0/1 targets"),
          ("mse", "Mean squared error", "(ŷ − y)² per step, for a number series"))
RADIUS_MAX = 3.0
SLIDER_STEPS = 300          # the slider moves in steps of 0.01
RADIUS_DELAY_MS = 40        # coalesce a fast drag into a few recomputations


class ModelPanel(QGroupBox):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__("Model", parent)
        self.state = state
        c = state.config

        self.hidden = QSpinBox()
        self.hidden.setRange(1, MAX_HIDDEN)
        self.hidden.setValue(c.hidden)
        self.hidden.setKeyboardTracking(False)  # recompute when typing is done, not per digit
        self.hidden.setToolTip("n_a: the number of hidden units")
        self.activation = combo_box(ACTIVATIONS)
        self.activation.setToolTip("g in a<t> = g(Waa a<t-1> + Wax x<t> + ba)")
        self.loss = combo_box(LOSSES)
        self.loss.setToolTip("Only the losses that fit this sequence's targets can be chosen")
        self.architecture = combo_box((a, a) for a in ARCHITECTURES)
        for i, a in enumerate(ARCHITECTURES):
            self.architecture.setItemData(i, ARCHITECTURE_HELP[a], Qt.ItemDataRole.ToolTipRole)

        self.radius_slider = QSlider(Qt.Orientation.Horizontal)
        self.radius_slider.setRange(0, SLIDER_STEPS)
        self.radius_slider.setToolTip("Spectral radius ρ of Waa: below 1 gradients tend to vanish, above 1 to explode")
        self.radius_spin = QDoubleSpinBox()
        self.radius_spin.setRange(0.0, RADIUS_MAX)
        self.radius_spin.setDecimals(2)
        self.radius_spin.setSingleStep(0.05)
        self.radius_spin.setKeyboardTracking(False)
        self.radius_spin.setToolTip(self.radius_slider.toolTip())
        radius_row = QHBoxLayout()
        radius_row.addWidget(self.radius_slider, 1)
        radius_row.addWidget(self.radius_spin)

        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("The random seed of the weights")
        self.new_weights = QPushButton("New random weights")
        self.new_weights.setToolTip("Draw new weights (the next seed), keeping ρ(Waa)")

        self.weights_info = QLabel()
        self.weights_info.setObjectName("muted")
        self.weights_info.setWordWrap(True)

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Hidden n_a", self.hidden)
        form.addRow("Activation g", self.activation)
        form.addRow("Loss", self.loss)
        form.addRow("Architecture", self.architecture)
        form.addRow("Radius ρ(Waa)", radius_row)
        form.addRow("Seed", self.seed)
        form.addRow(self.new_weights)
        form.addRow(self.weights_info)

        self._radius_timer = QTimer(self)
        self._radius_timer.setSingleShot(True)
        self._radius_timer.setInterval(RADIUS_DELAY_MS)
        self._radius_timer.timeout.connect(self._commit_radius)

        self._sync(c)
        self.hidden.valueChanged.connect(lambda v: self._update(hidden=int(v)))
        self.activation.currentIndexChanged.connect(lambda _: self._update(activation=self.activation.currentData()))
        self.loss.currentIndexChanged.connect(lambda _: self._update(loss=self.loss.currentData()))
        self.architecture.currentIndexChanged.connect(
            lambda _: self._update(architecture=self.architecture.currentData()))
        self.radius_slider.valueChanged.connect(self._on_slider)
        self.radius_spin.valueChanged.connect(self._on_spin)
        self.seed.valueChanged.connect(lambda v: self._update(seed=int(v)))
        self.new_weights.clicked.connect(state.new_random_weights)
        state.config_changed.connect(self._sync)
        state.trace_changed.connect(self._on_trace_changed)
        if state.trace is not None:
            self._on_trace_changed(state.trace)

    # ------------------------------------------------------------------ user input
    def _update(self, **changes) -> None:
        if any(getattr(self.state.config, k) != v for k, v in changes.items()):
            self.state.update_config(**changes)

    def _on_slider(self, v: int) -> None:
        self.radius_spin.blockSignals(True)
        self.radius_spin.setValue(v * RADIUS_MAX / SLIDER_STEPS)
        self.radius_spin.blockSignals(False)
        self._radius_timer.start()

    def _on_spin(self, v: float) -> None:
        self.radius_slider.blockSignals(True)
        self.radius_slider.setValue(round(v * SLIDER_STEPS / RADIUS_MAX))
        self.radius_slider.blockSignals(False)
        self._commit_radius()

    def _commit_radius(self) -> None:
        self._radius_timer.stop()
        self._update(radius=round(float(self.radius_spin.value()), 4))

    # ------------------------------------------------------------------ state -> widgets
    def _sync(self, c) -> None:
        """Show config c. Values outside a widget's range (an invalid config keeps its error
        message) are shown clamped; the signals are unblocked whatever happens."""
        widgets = (self.hidden, self.activation, self.loss, self.architecture, self.radius_slider,
                   self.radius_spin, self.seed)
        with ExitStack() as blocked:
            for w in widgets:
                blocked.enter_context(QSignalBlocker(w))
            self.hidden.setValue(_clamp(c.hidden, 1, MAX_HIDDEN))
            self.activation.setCurrentIndex(max(self.activation.findData(c.activation), 0))
            self.loss.setCurrentIndex(max(self.loss.findData(c.loss), 0))
            self.architecture.setCurrentIndex(max(self.architecture.findData(c.architecture), 0))
            if not self._radius_timer.isActive():  # don't fight a slider being dragged
                r = _clamp(c.radius, 0.0, RADIUS_MAX)
                self.radius_spin.setValue(r)
                self.radius_slider.setValue(round(r * SLIDER_STEPS / RADIUS_MAX))
            self.seed.setValue(_clamp(c.seed, 0, MAX_SEED))
        # imported weights fix the hidden size
        self.hidden.setEnabled(self.state.base_params is None)

    def _on_trace_changed(self, trace) -> None:
        seq = trace.seq
        model = self.loss.model()
        for i in range(self.loss.count()):
            key = self.loss.itemData(i)
            ok = True
            if key != "auto":
                try:
                    check_loss(key, seq.kind, seq.y)
                except ValueError:
                    ok = False
            model.item(i).setEnabled(ok)
        self.weights_info.setText(
            f"ρ(Waa) = {trace.rho:.3g} · ‖Waa‖₂ = {trace.sigma_max:.3g} · loss: {trace.loss_name.replace('_', '-')}")


def _clamp(v, lo, hi):
    """v within [lo, hi] for a widget; NaN or a non-number shows as lo."""
    try:
        if isinstance(v, float) and math.isnan(v):
            return lo
        return type(lo)(min(max(v, lo), hi))
    except (TypeError, ValueError):
        return lo
