"""Batches as the notes use them: which of the m sequences the views show, and a⟨0⟩ given or zero.

Shown while the input is a batch (m > 1, the notes' test input) or comes with an a⟨0⟩. The views
show one sequence of the batch (rnnviz.core.settings.run_config computes the whole batch and that
sequence alone, which gives exactly its part); the checker gets the whole batch. load_notes_example
puts the notes' test input and the notes' weights in the window.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from rnnviz.app.config import Config
from rnnviz.core.notes_example import notes_params


def load_notes_example(state) -> None:
    """The notes' test input (np.random.seed(1); n_x = 3, m = 10, T_x = 4, n_a = 5, n_y = 2) with the
    notes' parameters and a⟨0⟩, the first sequence shown."""
    from rnnviz.io.examples import settings

    state.set_base_params(notes_params(), config=replace(state.config, **settings("notes")))


def leave_notes(state, **changes) -> None:
    """Typing or choosing another kind leaves the notes' input, and its weights and a⟨0⟩ with it."""
    c = replace(state.config, a0="zero", example=0, **changes)
    if c.kind == "notes":
        c = replace(c, kind="auto")
    state.set_base_params(None, config=c)


class BatchPanel(QGroupBox):
    def __init__(self, state, parent: QWidget | None = None):
        super().__init__("Batch", parent)
        self.state = state
        form = QFormLayout(self)
        self.example = QSpinBox()
        self.example.setRange(1, 1)
        self.example.setToolTip("Which of the batch's sequences the graph, the plots and the equations show")
        self.example.setKeyboardTracking(False)
        self.of_label = QLabel()
        self.of_label.setWordWrap(True)
        self.a0 = QComboBox()
        self.a0.addItem("given", "given")
        self.a0.addItem("zero", "zero")
        self.a0.setToolTip("a⟨0⟩: the initial hidden state the input comes with (the notes' a0), or zeros")
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        form.addRow("Example shown", self.example)
        form.addRow("", self.of_label)
        form.addRow("a⟨0⟩", self.a0)
        form.addRow(self.note)
        self.example.valueChanged.connect(self._on_example)
        self.a0.activated.connect(lambda _i: self.state.update_config(a0=self.a0.currentData()))
        state.trace_changed.connect(self._on_trace_changed)
        state.config_changed.connect(self._on_config_changed)
        self.hide()
        if state.trace is not None:
            self._on_trace_changed(state.trace)

    def _on_example(self, value: int) -> None:
        if value - 1 != self.state.config.example:
            self.state.update_config(example=value - 1)

    def _on_config_changed(self, c: Config) -> None:
        self.example.blockSignals(True)
        self.example.setValue(c.example + 1)
        self.example.blockSignals(False)
        self.a0.setCurrentIndex(max(self.a0.findData(c.a0), 0))

    def _on_trace_changed(self, tr) -> None:
        batch = tr.extras.get("batch")
        m = batch.m if batch is not None else tr.m
        given = (batch or tr).seq.a0 is not None
        self.setVisible(m > 1 or given)
        self.example.blockSignals(True)
        self.example.setRange(1, max(m, 1))
        self.example.setValue(tr.extras.get("example", 0) + 1)
        self.example.blockSignals(False)
        self.example.setEnabled(m > 1)
        self.of_label.setText(f"of m = {m} sequences")
        self.a0.setEnabled(given)
        self.note.setText("The views show this sequence; its weight gradients are its share of the "
                          "batch's, which are their sum. Check my implementation… gives your functions the "
                          "whole batch." if m > 1 else "")


def install_batch_panel(window) -> BatchPanel:
    """Under the Sequence box in the input column."""
    panel = BatchPanel(window.state)
    lay = window.sequence_panel.parentWidget().layout()
    lay.insertWidget(lay.indexOf(window.sequence_panel) + 1, panel)
    window.batch_panel = panel
    return panel
