"""BPTTControls (side panel): what flows back, gradient clipping, and compare mode.

Compare mode's second setting may differ in cell, layers, direction, radius and activation; one
button ("Compare with an LSTM", or "... with a vanilla RNN" when the model is an LSTM) puts the other
cell beside the current one on the same sequence and asks for the Compare tab (show_compare).
Every widget only calls AppState: update_config(flow=...), set_clipping(mode, θ), set_compare(Config|None).
Widgets follow the state back (config_changed, compare_changed), with signals blocked so nothing loops.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSizePolicy,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from rnnviz.app.panels.widgets import ThresholdBox, combo_box
from rnnviz.core.spec import MAX_LAYERS

FLOWS = (("total", "total L = Σ L<t>", "the gradient of the total loss, the sum over every step"),
         ("last", "last step's L<T>", "the gradient of the last step's loss only: how far back one loss reaches"))
CLIPS = (("none", "none"),
         ("norm", "norm ‖g‖ ≤ θ", "rescale the whole gradient to norm θ when it is larger (Pascanu et al.)"),
         ("value", "element-wise ±c", "clip every entry to [−c, c] (as min-char-rnn does)"))


CELLS = (("rnn", "vanilla RNN"), ("gru", "GRU"), ("lstm", "LSTM"))
OTHER = {"rnn": ("lstm", "Compare with an LSTM"), "gru": ("lstm", "Compare with an LSTM"),
         "lstm": ("rnn", "Compare with a vanilla RNN")}


class BPTTControls(QWidget):
    show_compare = Signal()        # the quick comparison asks for the Compare tab

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)

        box = QGroupBox("Backward pass")
        form = QFormLayout(box)
        self.flow = combo_box(FLOWS)
        self.flow.setToolTip("What flows back in the animation: the gradient of the total loss, or only of L<T>")
        form.addRow("Flows back:", self.flow)
        self.backward_button = QPushButton("▶ Run backward (BPTT)")
        self.backward_button.setToolTip("Jump to step T and play the backward pass T → 1")
        form.addRow(self.backward_button)
        lay.addWidget(box)

        box = QGroupBox("Gradient clipping")
        form = QFormLayout(box)
        self.clip_mode = combo_box(CLIPS)
        self.threshold = ThresholdBox()
        self.threshold.setToolTip("θ for norm clipping, c for element-wise clipping")
        form.addRow("Mode:", self.clip_mode)
        form.addRow("Threshold:", self.threshold)
        lay.addWidget(box)

        box = QGroupBox("Compare mode")
        form = QFormLayout(box)
        self.compare = QCheckBox("Compare with a second setting")
        self.cmp_radius = QDoubleSpinBox()
        self.cmp_radius.setRange(0.0, 100.0)
        self.cmp_radius.setDecimals(3)
        self.cmp_radius.setSingleStep(0.1)
        self.cmp_radius.setValue(1.2)
        self.cmp_radius.setKeyboardTracking(False)
        self.cmp_activation = combo_box((("tanh", "tanh"), ("relu", "ReLU")))
        self.cmp_cell = combo_box(CELLS)
        self.cmp_cell.setToolTip("The second setting's cell: vanilla RNN against an LSTM shows why the "
                                 "LSTM's gradient reaches further back")
        self.cmp_layers = QSpinBox()
        self.cmp_layers.setRange(1, MAX_LAYERS)
        self.cmp_layers.setKeyboardTracking(False)
        self.cmp_bidirectional = QCheckBox("Bidirectional")
        self.cmp_bidirectional.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)  # its text is the hit area
        self.quick = QPushButton("Compare with an LSTM")
        self.quick.setToolTip("One click: the other cell on the same sequence, drawn on the same axes in the "
                              "Compare tab (same hidden size, layers, radius and seed)")
        form.addRow(self.compare)
        form.addRow(self.quick)
        form.addRow("Cell:", self.cmp_cell)
        form.addRow("Layers:", self.cmp_layers)     # the check box on a row of its own: the column stays narrow
        form.addRow("", self.cmp_bidirectional)
        form.addRow("Radius ρ:", self.cmp_radius)
        form.addRow("Activation:", self.cmp_activation)
        hint = QLabel("Same sequence, hidden size and seed; drawn in the Compare tab.")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        form.addRow(hint)
        lay.addWidget(box)
        lay.addStretch(1)

        self.flow.currentIndexChanged.connect(lambda _i: state.update_config(flow=self.flow.currentData()))
        self.backward_button.clicked.connect(state.start_backward)
        self.clip_mode.currentIndexChanged.connect(lambda _i: self._apply_clipping())
        self.threshold.valueChanged.connect(lambda _v: self._apply_clipping())
        self.compare.toggled.connect(lambda _b: self._apply_compare())
        self.cmp_radius.valueChanged.connect(lambda _v: self._apply_compare())
        self.cmp_activation.currentIndexChanged.connect(lambda _i: self._apply_compare())
        self.cmp_cell.currentIndexChanged.connect(lambda _i: self._apply_compare())
        self.cmp_layers.valueChanged.connect(lambda _v: self._apply_compare())
        self.cmp_bidirectional.toggled.connect(lambda _b: self._apply_compare())
        self.quick.clicked.connect(self._quick_compare)
        with QSignalBlocker(self.cmp_cell):
            self.cmp_cell.setCurrentIndex(max(self.cmp_cell.findData(state.config.cell), 0))
        with QSignalBlocker(self.cmp_layers):
            self.cmp_layers.setValue(state.config.layers)
        state.config_changed.connect(self._on_config_changed)
        state.compare_changed.connect(self._follow_compare_changed)
        self._on_config_changed(state.config)
        self._enable()

    def _follow_compare_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        self._on_compare_changed()   # the views an export or a new model deleted)

    def _apply_clipping(self) -> None:
        self._enable()
        self.state.set_clipping(self.clip_mode.currentData(), self.threshold.value())

    def _apply_compare(self) -> None:
        self._enable()
        if not self.compare.isChecked():
            self.state.set_compare(None)
            return
        c = replace(self.state.config, radius=self.cmp_radius.value(), activation=self.cmp_activation.currentData(),
                    cell=self.cmp_cell.currentData(), layers=self.cmp_layers.value(),
                    bidirectional=self.cmp_bidirectional.isChecked())
        self.state.set_compare(c)

    def _quick_compare(self) -> None:
        """The other cell, everything else as the main model: on, and shown."""
        c = self.state.config
        other, _text = OTHER.get(c.cell, OTHER["rnn"])
        for w, set_value in ((self.cmp_cell, lambda: self.cmp_cell.setCurrentIndex(self.cmp_cell.findData(other))),
                             (self.cmp_layers, lambda: self.cmp_layers.setValue(c.layers)),
                             (self.cmp_bidirectional, lambda: self.cmp_bidirectional.setChecked(c.bidirectional)),
                             (self.cmp_radius, lambda: self.cmp_radius.setValue(c.radius)),
                             (self.cmp_activation,
                              lambda: self.cmp_activation.setCurrentIndex(max(self.cmp_activation.findData(c.activation), 0))),
                             (self.compare, lambda: self.compare.setChecked(True))):
            with QSignalBlocker(w):
                set_value()
        self._apply_compare()
        self.show_compare.emit()

    def _enable(self) -> None:
        self.threshold.setEnabled(self.clip_mode.currentData() != "none")
        on = self.compare.isChecked()
        for w in (self.cmp_radius, self.cmp_cell, self.cmp_layers):
            w.setEnabled(on)
        self.cmp_activation.setEnabled(on and self.cmp_cell.currentData() == "rnn")   # g is the vanilla cell's
        self.cmp_bidirectional.setEnabled(on and not self.state.config.encoder_decoder)
        self.quick.setText(OTHER.get(self.state.config.cell, OTHER["rnn"])[1])

    def _on_config_changed(self, config) -> None:
        for w, value in ((self.flow, config.flow), (self.clip_mode, config.clip_mode)):
            with QSignalBlocker(w):
                w.setCurrentIndex(max(w.findData(value), 0))
        with QSignalBlocker(self.threshold):
            self.threshold.setValue(config.clip_threshold)
        self._enable()

    def _on_compare_changed(self) -> None:
        """Show the compared setting the state really uses (it follows the main settings)."""
        c = self.state.compare_config
        with QSignalBlocker(self.compare):
            self.compare.setChecked(c is not None)
        if c is not None:
            with QSignalBlocker(self.cmp_radius):
                self.cmp_radius.setValue(c.radius)
            with QSignalBlocker(self.cmp_activation):
                self.cmp_activation.setCurrentIndex(max(self.cmp_activation.findData(c.activation), 0))
            with QSignalBlocker(self.cmp_cell):
                self.cmp_cell.setCurrentIndex(max(self.cmp_cell.findData(c.cell), 0))
            with QSignalBlocker(self.cmp_layers):
                self.cmp_layers.setValue(c.layers)
            with QSignalBlocker(self.cmp_bidirectional):
                self.cmp_bidirectional.setChecked(bool(c.bidirectional))
        self._enable()
