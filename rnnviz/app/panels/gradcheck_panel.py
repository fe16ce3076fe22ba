"""GradCheckPanel: is BPTT's gradient right? The weights on screen, analytic against centred finite
differences (rnnviz.core.gradcheck), in the background (two forward passes an entry), one row per
weight with its relative error and a verdict, and the sentence that says what a good value is."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from rnnviz.app import theme
from rnnviz.app.jobs import JobRunner
from rnnviz.core.gradcheck import ADVICE, EPS, gradient_check, trace_loss_fn

COLUMNS = ("weight", "shape", "n", "rel. error", "verdict")


def _check_job(task, trace, entries: int):
    return gradient_check(trace_loss_fn(trace), trace.params, trace.grads, entries, should_stop=task.should_stop,
                          progress=task.set_progress)


class GradCheckPanel(QWidget):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.runner = JobRunner(self)
        self._job = None
        self.rows = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        intro = QLabel(f"Checks dL/dw of the weights on screen, L = Σ L⟨t⟩, against (L(w + ε) − L(w − ε)) / 2ε "
                       f"with ε = {EPS:g}, for a few entries of every weight (the largest |dL/dw| and some at random).")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.entries = QSpinBox()
        self.entries.setRange(1, 200)
        self.entries.setValue(8)
        self.entries.setToolTip("entries checked per weight: each costs two forward passes")
        form.addRow("Entries per weight:", self.entries)
        lay.addLayout(form)
        row = QHBoxLayout()
        self.check_button = QPushButton("Check gradients")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        row.addWidget(self.check_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeaderItem(2).setToolTip("entries checked")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(160)
        lay.addWidget(self.table, 1)
        advice = QLabel(ADVICE)
        advice.setWordWrap(True)
        advice.setObjectName("muted")
        lay.addWidget(advice)

        self.check_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(lambda job: job is self._job and self._done("cancelled"))
        self.runner.progress.connect(lambda job, f: job is self._job and self.status.setText(f"checking… {f:.0%}"))
        state.trace_changed.connect(lambda _t: self._stale())

    def run(self) -> None:
        tr = self.state.trace
        if tr is None:
            return
        self._job = self.runner.submit("check", _check_job, tr, self.entries.value())
        self._checked = tr
        self.check_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("checking…")

    def cancel(self) -> None:
        self.runner.cancel("check")

    def shutdown(self) -> None:
        self._job = None
        self.runner.shutdown()

    def _done(self, text: str) -> None:
        self._job = None
        self.check_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(text)

    def _on_failed(self, job) -> None:
        if job is self._job:
            self._done(f"the check could not run: {job.error}")

    def _on_finished(self, job) -> None:
        if job is not self._job:
            return
        self.rows = job.result
        p = theme.palette(self.state.view_options.theme)
        colours = {"good": p.target, "look closer": p.backward, "wrong": p.danger, "not finite": p.danger}
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            verdict = r.verdict + (" (round-off)" if r.verdict == "good" and r.round_off else "")
            cells = (r.name, " × ".join(map(str, r.shape)), str(r.checked), f"{r.rel_error:.2e}", verdict)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == 4:
                    item.setForeground(QColor(colours[r.verdict]))
                self.table.setItem(i, j, item)
        worst = max(self.rows, key=lambda r: r.rel_error if r.rel_error == r.rel_error else float("inf"))
        self._done(f"largest relative error {worst.rel_error:.2e} ({worst.name}): "
                   + ("every weight's gradient is right." if all(r.verdict == "good" for r in self.rows)
                      else "see the verdicts below."))

    def _stale(self) -> None:
        if self.rows and self._job is None:
            self.status.setText("the weights on screen changed since this check: check again")
