"""Model settings: the cell (vanilla RNN, GRU, LSTM), layers, bidirectional, architecture (the five RNN
types), hidden size, activation, the LSTM's forget-gate bias, loss, spectral radius of the recurrent
weights, seed. Every choice recomputes through AppState.update_config; the rows that don't apply to
the chosen cell are hidden (activation: vanilla only; forget-gate bias: LSTM only). Imported weights
decide the cell, layers, directions and hidden size (config_for_weights): those widgets are then
disabled and the panel says which model the weights hold."""
from __future__ import annotations

import math
from contextlib import ExitStack

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSlider,
    QSpinBox, QWidget,
)

from rnnviz.app.panels.widgets import combo_box
from rnnviz.app.state import MAX_HIDDEN, MAX_SEED, AppState
from rnnviz.core.losses import check_loss
from rnnviz.core.spec import MAX_LAYERS
from rnnviz.core.trace import ARCHITECTURE_HELP, ARCHITECTURES

CELLS = (("rnn", "vanilla RNN", "a<t> = g(Waa a<t-1> + Wax x<t> + ba): one matrix, one activation"),
         ("gru", "GRU", "gated recurrent unit: reset and update gates decide how much of a<t-1> is kept"),
         ("lstm", "LSTM", "long short-term memory: a cell state c<t> kept by a forget gate, read by an output gate"))
FORGET_BIAS_MAX = 10.0
NO_BIDIRECTIONAL = "an encoder–decoder here reads left to right: its encoder's last state starts the decoder"

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

        self.cell = combo_box(CELLS)
        self.cell.setToolTip("The recurrent cell of every layer")
        self.layers = QSpinBox()
        self.layers.setRange(1, MAX_LAYERS)
        self.layers.setKeyboardTracking(False)
        self.layers.setToolTip(f"Stacked layers (1 to {MAX_LAYERS}): layer l reads a<t> of layer l−1")
        self.bidirectional = QCheckBox("Bidirectional")
        self.bidirectional.setToolTip("Every layer also reads the sequence right to left (a←<t>); "
                                      "ŷ<t> reads [a→<t>; a←<t>]")
        layers_row = QHBoxLayout()
        layers_row.addWidget(self.layers)
        layers_row.addWidget(self.bidirectional)
        layers_row.addStretch(1)
        self.forget_bias = QDoubleSpinBox()
        self.forget_bias.setRange(-FORGET_BIAS_MAX, FORGET_BIAS_MAX)
        self.forget_bias.setDecimals(2)
        self.forget_bias.setSingleStep(0.5)
        self.forget_bias.setKeyboardTracking(False)
        self.forget_bias.setToolTip("The forget gate's initial bias b_f: Γf = σ(W_f [a<t-1>; x<t>] + b_f). "
                                    "1 (σ ≈ 0.73) keeps most of c<t-1>; larger keeps more, so the gradient "
                                    "reaches further back. New random weights use it")

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

        self.form = form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Cell", self.cell)
        form.addRow("Layers", layers_row)
        form.addRow("Architecture", self.architecture)
        form.addRow("Hidden n_a", self.hidden)
        form.addRow("Activation g", self.activation)
        form.addRow("Forget bias", self.forget_bias)
        form.addRow("Loss", self.loss)
        self.radius_label = QLabel("Radius ρ(Waa)")
        form.addRow(self.radius_label, radius_row)
        form.addRow("Seed", self.seed)
        form.addRow(self.new_weights)
        form.addRow(self.weights_info)

        self._radius_timer = QTimer(self)
        self._radius_timer.setSingleShot(True)
        self._radius_timer.setInterval(RADIUS_DELAY_MS)
        self._radius_timer.timeout.connect(self._commit_radius)

        self._sync(c)
        self.cell.currentIndexChanged.connect(lambda _: self._update(cell=self.cell.currentData()))
        self.layers.valueChanged.connect(lambda v: self._update(layers=int(v)))
        self.bidirectional.toggled.connect(lambda on: self._update(bidirectional=bool(on)))
        self.forget_bias.valueChanged.connect(lambda v: self._update(forget_bias=round(float(v), 4)))
        self.hidden.valueChanged.connect(lambda v: self._update(hidden=int(v)))
        self.activation.currentIndexChanged.connect(lambda _: self._update(activation=self.activation.currentData()))
        self.loss.currentIndexChanged.connect(lambda _: self._update(loss=self.loss.currentData()))
        self.architecture.currentIndexChanged.connect(lambda _: self._on_architecture())
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

    def _on_architecture(self) -> None:
        arch = self.architecture.currentData()
        if arch == "encoder-decoder":   # one direction only (the check says why): turned off with it
            self._update(architecture=arch, bidirectional=False)
        else:
            self._update(architecture=arch)

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
        widgets = (self.cell, self.layers, self.bidirectional, self.forget_bias, self.hidden, self.activation,
                   self.loss, self.architecture, self.radius_slider, self.radius_spin, self.seed)
        with ExitStack() as blocked:
            for w in widgets:
                blocked.enter_context(QSignalBlocker(w))
            self.cell.setCurrentIndex(max(self.cell.findData(c.cell), 0))
            self.layers.setValue(_clamp(c.layers, 1, MAX_LAYERS))
            self.bidirectional.setChecked(c.bidirectional is True)
            self.forget_bias.setValue(_clamp(float(c.forget_bias), -FORGET_BIAS_MAX, FORGET_BIAS_MAX))
            self.hidden.setValue(_clamp(c.hidden, 1, MAX_HIDDEN))
            self.activation.setCurrentIndex(max(self.activation.findData(c.activation), 0))
            self.loss.setCurrentIndex(max(self.loss.findData(c.loss), 0))
            self.architecture.setCurrentIndex(max(self.architecture.findData(c.architecture), 0))
            if not self._radius_timer.isActive():  # don't fight a slider being dragged
                r = _clamp(c.radius, 0.0, RADIUS_MAX)
                self.radius_spin.setValue(r)
                self.radius_slider.setValue(round(r * SLIDER_STEPS / RADIUS_MAX))
            self.seed.setValue(_clamp(c.seed, 0, MAX_SEED))
        self._show_rows(c)

    def _show_rows(self, c) -> None:
        """Only the rows that apply to this cell; what imported weights decide can't be changed."""
        form = self.form
        form.setRowVisible(self.activation, c.cell == "rnn")
        form.setRowVisible(self.forget_bias, c.cell == "lstm")
        self.radius_label.setText("Radius ρ(Waa)" if c.cell == "rnn" else "Radius ρ(W_hh)")
        tip = ("Spectral radius ρ of Waa: below 1 gradients tend to vanish, above 1 to explode" if c.cell == "rnn"
               else "Spectral radius ρ of every gate's recurrent block of W_hh (the gates decide what is kept)")
        self.radius_slider.setToolTip(tip)
        self.radius_spin.setToolTip(tip)
        imported = self.state.base_params is not None
        why = " (decided by the imported weights; New random weights frees it)" if imported else ""
        for w in (self.cell, self.layers, self.bidirectional, self.hidden, self.forget_bias):
            w.setEnabled(not imported)
        self.bidirectional.setEnabled(not imported and not c.encoder_decoder)
        self.bidirectional.setToolTip(NO_BIDIRECTIONAL if c.encoder_decoder else
                                      "Every layer also reads the sequence right to left (a←<t>); "
                                      "ŷ<t> reads [a→<t>; a←<t>]" + why)
        # imported weights: an encoder–decoder's stay one; other weights can't be one
        model = self.architecture.model()
        for i in range(self.architecture.count()):
            enc = self.architecture.itemData(i) == "encoder-decoder"
            model.item(i).setEnabled(not imported or enc == c.encoder_decoder)

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
        spec = trace.spec
        W = "Waa" if spec.cell == "rnn" else "W_hh"
        info = f"ρ({W}) = {trace.rho:.3g} · ‖{W}‖₂ = {trace.sigma_max:.3g} · loss: {trace.loss_name.replace('_', '-')}"
        if self.state.shown_base_params is not None:
            info = f"Imported weights: {spec.title()}, n_a = {spec.n_a}. " + info
        self.weights_info.setText(info)
        self._show_rows(self.state.config)


def _clamp(v, lo, hi):
    """v within [lo, hi] for a widget; NaN or a non-number shows as lo."""
    try:
        if isinstance(v, float) and math.isnan(v):
            return lo
        return type(lo)(min(max(v, lo), hi))
    except (TypeError, ValueError):
        return lo
