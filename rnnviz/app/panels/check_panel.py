"""The results panel of File ▸ Check my implementation…: per function pass / fail / missing / raised,
the largest difference, and for the function picked in the list the first step t, quantity and unit
where the student's numbers part from ours, the mistake's hint, the traceback (selectable text), and
the student's numbers beside ours at that step (the differing units marked). The step buttons move
through the steps of both side by side; on the window's own sequence they move the window's cursor
too, and stepping in the window moves them.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QSplitter, QTextBrowser, QToolButton,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from rnnviz.app import theme
from rnnviz.app.config import BACKWARD, FORWARD
from rnnviz.checker.values import OnWindow, column

STATUS = {"pass": ("✓ pass", "target"), "fail": ("✗ fail", "danger"), "raised": ("! raised", "danger"),
          "missing": ("— missing", "muted"), "timeout": ("⏱ timed out", "danger"), "not run": ("not run", "muted"),
          "not a function": ("✗ not a function", "danger")}
FAILED = ("fail", "raised", "timeout", "not a function")
UNMEASURED = ("missing", "not run", "not a function")     # no largest difference to show
WINDOW_LABEL = "your sequence"


def _num(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.6g}"


def _short(v: float) -> str:
    return "—" if v is None or math.isnan(v) else ("0" if v == 0 else f"{v:.1e}")


class CheckPanel(QWidget):
    """Shows a StudentCheck's reports; the buttons drive it."""

    def __init__(self, state, check, parent: QWidget | None = None):
        super().__init__(parent)
        self.state, self.check = state, check
        self.report = None
        self.step: int | None = None        # the step shown for the picked result (1-based)
        self._stale = False
        self._sized = False
        # wide and short, as the tab area under the graph is: the list on the left, what it says on the right
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter)
        left, right = QWidget(), QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 4, 0)
        row = QHBoxLayout()
        self.choose_button = QPushButton("Check a file…")
        self.rerun_button = QPushButton("Run again")
        self.cancel_button = QPushButton("Cancel")
        for b in (self.choose_button, self.rerun_button, self.cancel_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(self.choose_button)
        row.addWidget(self.rerun_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.progress = QProgressBar()  # while the file runs: how far it got
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        lay.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setIndentation(8)
        self.table.setHeaderLabels(["Function", "Result", "Largest diff."])
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.table.currentItemChanged.connect(lambda *_: self._on_pick())
        lay.addWidget(self.table, 1)
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(4, 0, 0, 0)
        rlay.addWidget(self.status)
        steps = QHBoxLayout()
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.step_label = QLabel()
        for b, d in ((self.prev_button, -1), (self.next_button, +1)):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setToolTip("The previous / next step of both: yours beside ours")
            b.clicked.connect(lambda _=False, d=d: self.move_step(d))
        steps.addWidget(self.prev_button)
        steps.addWidget(self.step_label, 1)
        steps.addWidget(self.next_button)
        rlay.addLayout(steps)
        self.details = QTextBrowser()
        self.details.setObjectName("checkDetails")
        self.details.setOpenLinks(False)
        rlay.addWidget(self.details, 1)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)

        self.choose_button.clicked.connect(lambda: self.window().check_action.trigger())
        self.rerun_button.clicked.connect(check.rerun)
        self.cancel_button.clicked.connect(check.cancel)
        check.started.connect(self._on_started)
        check.finished.connect(self._on_finished)
        check.failed.connect(self._on_failed)
        check.cancelled.connect(self._on_cancelled)
        check.progress.connect(lambda f: self.progress.setValue(round(100 * f)))
        check.busy_changed.connect(self._on_busy)
        state.step_changed.connect(self._on_window_step)
        state.trace_changed.connect(self._on_trace_changed)
        state.view_options_changed.connect(lambda _o: self._show_details())
        self._on_busy(False)
        self._show_details()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized and self.width() > 100:     # the list as wide as its columns, the details the rest
            self._sized = True
            fm = self.table.fontMetrics()
            need = fm.horizontalAdvance("lstm_cell_backward  ✗ timed out  8.8e-16") + 60
            left = min(max(need, 240), self.width() // 2)
            self.splitter.setSizes([left, self.width() - left])

    # ------------------------------------------------------------------ check signals
    def _on_started(self, path: str) -> None:
        self.status.setToolTip(path)
        self.status.setText(f"<b>{html.escape(Path(path).name)}</b>: running… (in a separate process; Cancel "
                            "stops it)")

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.rerun_button.setEnabled(self.check.path is not None and not busy)

    def _on_failed(self, msg: str) -> None:
        self.status.setText(f"The check could not run: {html.escape(msg)}")
        self.status.setToolTip("")

    def _on_cancelled(self) -> None:
        self.status.setText("Cancelled: your file was stopped." + (" The results below are from the check before."
                                                                   if self.report is not None else ""))

    def _on_trace_changed(self, trace) -> None:
        if self.report is not None and any(r.label == WINDOW_LABEL for r in self.report.results):
            from rnnviz.app.student_check import fingerprint

            self._stale = fingerprint(trace) != self.check.checked or self.check.checked is None
            self._share()
            self._set_status()
            self._show_details()

    def _on_finished(self, report) -> None:
        from rnnviz.app.student_check import fingerprint

        self.report = report
        self._stale = self.check.checked is None or fingerprint(self.state.trace) != self.check.checked
        self.table.clear()
        p = theme.palette(self.state.view_options.theme)
        first_bad, groups = None, {}
        for i, r in enumerate(report.results):
            group = groups.get(r.label)
            if group is None:
                title = "on the notes' examples" if r.label != WINDOW_LABEL else "on the window's sequence"
                group = groups[r.label] = QTreeWidgetItem([title])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                f = group.font(0)
                f.setItalic(True)
                group.setFont(0, f)
                self.table.addTopLevelItem(group)
                group.setFirstColumnSpanned(True)
                group.setExpanded(True)
            text, colour = STATUS.get(r.status, (r.status, "foreground"))
            item = QTreeWidgetItem([r.function, text, "" if r.status in UNMEASURED else _short(r.max_abs_diff)])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setForeground(1, QColor(getattr(p, colour)))
            for c in range(3):
                item.setToolTip(c, r.summary())
            group.addChild(item)
            if first_bad is None and r.status in FAILED:
                first_bad = item
        self._share()
        self._set_status()
        self.table.setCurrentItem(first_bad or self.table.topLevelItem(0).child(0))
        self._on_pick()
        self._go_to_first_difference()

    def _go_to_first_difference(self) -> None:
        """A check that fails on the window's sequence puts the window's cursor where it first parts
        from ours (the graph shows both there), as the ◀ ▶ buttons move it."""
        for r in self.state.student or ():
            d = r.difference
            if r.status == "fail" and d is not None and d.step is not None and 1 <= d.step <= self.state.T:
                self.state.step_to(d.step - 1, BACKWARD if r.function.endswith("backward") else FORWARD)
                return

    def _share(self) -> None:
        """The results on the window's sequence go to AppState, for the views to show beside ours."""
        mine = None
        if self.report is not None and not self._stale:
            mine = [r for r in self.report.results if r.label == WINDOW_LABEL] or None
        self.state.set_student(None if mine is None else OnWindow(mine, Path(self.report.path).name))

    def _set_status(self) -> None:
        r = self.report
        if r is None:
            return
        passed = sum(x.status == "pass" for x in r.results)
        failed = sum(x.status in FAILED for x in r.results)
        head = (f"<b style='color:{theme.palette(self.state.view_options.theme).danger}'>"
                + ("Your file raised while it was loaded" if r.load_failure == "raised" else
                   "Your file could not be loaded") + "</b>" if r.import_error else
                f"{passed} pass · {failed} fail · {len(r.defined)} of 8 functions defined")
        extra = [f"{r.seconds:.1f} s"]
        if self.check.path is not None:
            extra.append("checked again when you save it")
        name = html.escape(Path(r.path).name)
        text = f"<b>{name}</b>: " + head + " · " + " · ".join(extra)
        for note in r.notes:
            text += f"<br><i>{html.escape(note)}</i>"
        if self._stale:
            text += "<br><i>The window's sequence has changed since: Run again to check on it.</i>"
        self.status.setText(text)

    # ------------------------------------------------------------------ the picked result
    def current(self):
        item = self.table.currentItem()
        if item is None or self.report is None or item.data(0, Qt.ItemDataRole.UserRole) is None:
            return None
        return self.report.results[item.data(0, Qt.ItemDataRole.UserRole)]

    def _on_pick(self) -> None:
        r = self.current()
        self.step = r.difference.step if r is not None and r.difference is not None else None
        self._show_details()

    def _column(self, r):
        if r is None or r.status != "fail" or r.difference is None:
            return None
        example = None
        if r.label == WINDOW_LABEL and not self._stale:     # the sequence the window's views show
            tr = self.state.trace
            example = tr.extras.get("example") if tr is not None else None
        return column(r.function, r.difference, r.theirs, r.ours, self.step, example)

    def move_step(self, d: int) -> None:
        r = self.current()
        col = self._column(r)
        if col is None or col.steps is None:
            return
        self.step = min(max(col.step + d, 1), col.steps)
        self._show_details()
        if self._linked(r, col):
            phase = BACKWARD if r.difference.quantity.startswith("dx") else FORWARD
            self.state.step_to(self.step - 1, phase)

    def _linked(self, r, col) -> bool:
        """Whether the result's steps are the window's: its inputs were the window's sequence."""
        return r is not None and r.label == WINDOW_LABEL and not self._stale and col.steps == self.state.T

    def _on_window_step(self, t: int, _phase: str) -> None:
        r = self.current()
        col = self._column(r)
        if col is not None and col.steps is not None and self._linked(r, col) and self.step != t + 1:
            self.step = t + 1
            self._show_details()

    def _show_details(self) -> None:
        o = self.state.view_options
        p = theme.palette(o.theme)
        r = self.current()
        col = self._column(r)
        has_steps = col is not None and col.steps is not None
        for w in (self.prev_button, self.next_button, self.step_label):
            w.setVisible(has_steps)
        if has_steps:
            self.prev_button.setEnabled(col.step > 1)
            self.next_button.setEnabled(col.step < col.steps)
            self.step_label.setText(f"step {col.step} of {col.steps}" + (
                f" (they part at step {col.first_step})" if col.first_step != col.step else " (where they part)"))
        body = self._html(r, col, p) if r is not None else (
            "<p>File ▸ <b>Check my implementation…</b> runs your own <i>rnn_cell_forward</i>, <i>rnn_forward</i>, "
            "<i>rnn_cell_backward</i>, <i>rnn_backward</i> (and the LSTM four) on the notes' examples and "
            "on the window's sequence, and shows where your numbers and rnnviz's part.</p>")
        pt = theme.point_size(o, 1.0)
        self.details.setHtml(f"""<html><body style="font-size:{pt}pt; color:{p.foreground};">
            <style> td {{ padding: 1px 8px 1px 0; }} .n {{ font-family: {theme.mono_family()}; text-align: right; }}
            pre {{ font-family: {theme.mono_family()}; white-space: pre-wrap; }} .m {{ color: {p.muted}; }}
            </style>{body}</body></html>""")

    def _html(self, r, col, p) -> str:
        e = html.escape
        text, colour = STATUS.get(r.status, (r.status, "foreground"))
        on = "the window's sequence" if r.label == WINDOW_LABEL else r.label
        out = [f"<p><b>{e(r.function)}</b> <span class=m>on {e(on)}</span><br>"
               f"<b style='color:{getattr(p, colour)}'>{e(text)}</b>"]
        if r.status == "pass":
            out.append(f" — largest difference {_num(r.max_abs_diff)}</p>")
        elif r.status == "fail" and r.difference is not None:
            d = r.difference
            out.append("</p><table>")
            if d.step is not None:
                out.append(f"<tr><td>first step</td><td><b>t = {d.step}</b></td></tr>")
            out.append(f"<tr><td>quantity</td><td><b>{e(d.quantity if d.structure else d.quantity.split(' (')[0])}</b>"
                       "</td></tr>")
            if d.unit:
                where = f"unit {d.unit[0] + 1}" + (f", example {d.unit[1] + 1}" if len(d.unit) > 1 else "")
                out.append(f"<tr><td>unit</td><td><b>{where}</b></td></tr>")
            if not d.structure:
                out.append(f"<tr><td>yours / ours</td><td class=n>{_num(d.theirs)} / {_num(d.ours)}</td></tr>")
                out.append(f"<tr><td>largest diff.</td><td class=n>{_num(r.max_abs_diff)}</td></tr>")
            out.append("</table>")
            if r.hint:
                out.append(f"<p><b>Likely mistake:</b> {e(r.hint)}</p>")
            if col is not None:
                out.append(self._values(col, p))
        elif r.status == "raised":
            out.append(f"</p><p>Your function raised:</p><pre>{e(r.traceback.rstrip())}</pre>")
        else:
            out.append(f"</p><p>{e(r.summary())}</p>")
        rep = self.report
        if rep is not None and rep.import_error:
            said = "Loading your file raised:" if rep.load_failure == "raised" else "Your file could not be loaded:"
            out.append(f"<p>{said}</p><pre>{e(rep.import_error.rstrip())}</pre>")
        if rep is not None and rep.stdout.strip():
            out.append(f"<p class=m>What it printed:</p><pre>{e(rep.stdout.rstrip())}</pre>")   # already cut
        return "".join(out)

    def _values(self, col, p) -> str:
        rows = [f"<p><b>{html.escape(col.title)}</b></p><table><tr class=m><td>unit</td><td class=n>ours</td>"
                "<td class=n>yours</td></tr>"]
        for u, o, t, bad in zip(col.units, col.ours, col.theirs, col.differs):
            style = f" style='color:{p.danger}; font-weight:bold'" if bad else ""
            rows.append(f"<tr{style}><td>{u + 1}</td><td class=n>{_num(float(o))}</td>"
                        f"<td class=n>{_num(float(t))}</td></tr>")
        rows.append("</table>")
        if col.n_units > len(col.units):
            rows.append(f"<p class=m>units {col.units[0] + 1}–{col.units[-1] + 1} of {col.n_units}</p>")
        n_bad = int(col.differs.sum())
        rows.append(f"<p class=m>{n_bad} of {len(col.units)} units differ at this step</p>" if n_bad else
                    "<p class=m>they agree at this step</p>")
        return "".join(rows)
