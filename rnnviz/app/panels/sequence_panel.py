"""Sequence entry: the text box, the kind switch (auto / text / numbers), the encoder–decoder's target
box (panels/target_box.py, shown for that architecture), example buttons and the inline error
message. Typing recomputes live, debounced, through AppState.update_config."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QResizeEvent, QTextOption
from PySide6.QtWidgets import (
    QButtonGroup, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
    QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from rnnviz.app.panels.target_box import TargetBox
from rnnviz.app.state import AppState

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "resources" / "examples"
DEBOUNCE_MS = 250
KINDS = (("auto", "Auto", "numbers when it reads as numbers, else characters"),
         ("text", "Text", "every character is a step; predict the next character"),
         ("numbers", "Numbers", "a series like 0.1, 0.5, -2; predict the next value"))


def load_examples() -> list[dict]:
    """The built-in examples (resources/examples/examples.json); [] if the file is missing."""
    try:
        data = json.loads((EXAMPLES_DIR / "examples.json").read_text(encoding="utf-8"))
        return [e for e in data["examples"] if isinstance(e.get("source"), str)]
    except (OSError, ValueError, KeyError):
        return []


class _SourceEdit(QPlainTextEdit):
    """The text box; Esc hands the keyboard back to the window (so ←/→/Space step again).

    A long text is laid out once per pass of the event loop: a restyle (F11, the theme) sends one
    FontChange per ancestor, a dozen in the window, and fitting the columns resizes the box several
    times, and each of these laid the whole text out again (0.13-0.25 s apiece for 100,000 numbers,
    so F11 froze the window 3 s). Short texts are laid out at once, as Qt does."""

    LONG = 20_000   # characters from which layouts are gathered

    def __init__(self, *args):
        super().__init__(*args)
        self._font_pending = False
        self._resize_from = None            # the size before the first resize not laid out yet
        self._typing = None                 # the edit block gathering the keys of one pass (long texts)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self._lay_out)

    def _long(self) -> bool:
        return self.document().characterCount() > self.LONG

    def changeEvent(self, ev):
        if ev.type() == QEvent.Type.FontChange and (self._long() or self._later.isActive()):
            self._font_pending = True
            self._later.start()
            return
        super().changeEvent(ev)

    def resizeEvent(self, ev):
        if self._long() or self._later.isActive():
            if self._resize_from is None:
                self._resize_from = ev.oldSize()
            self._later.start()
            return
        super().resizeEvent(ev)

    def _lay_out(self) -> None:
        font, self._font_pending = self._font_pending, False
        old, self._resize_from = self._resize_from, None
        if font:
            super().changeEvent(QEvent(QEvent.Type.FontChange))
        if old is not None:
            super().resizeEvent(QResizeEvent(self.size(), old))

    def keyPressEvent(self, ev):
        if ev.key() == Qt.Key.Key_Escape:
            self.clearFocus()
            ev.accept()
            return
        mods = ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                 | Qt.KeyboardModifier.MetaModifier)
        typed = bool(ev.text()) and ev.text().isprintable() and not mods
        if not typed:
            # a paste, cut, undo, Return or a move never runs inside the typed keys' edit block: Qt's
            # paste into a long text inside an open block read a line the block had not laid out yet
            # and crashed (QTextLine::naturalTextRect, the monkey's seed 22)
            self._end_typing()
        elif self._long() and self._typing is None:
            # characters that arrive together (a fast typist, a held key) edit a long text once: Qt
            # lays out the whole paragraph again at every change (0.2-0.3 s for 100,000 numbers)
            self._typing = self.textCursor()
            self._typing.beginEditBlock()
            QTimer.singleShot(0, self._end_typing)
        super().keyPressEvent(ev)

    def _end_typing(self) -> None:
        cursor, self._typing = self._typing, None
        if cursor is not None:
            cursor.endEditBlock()


class SequencePanel(QGroupBox):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__("Sequence", parent)
        self.state = state
        self.edit = _SourceEdit()
        self.edit.setObjectName("sourceEdit")
        self.edit.setPlaceholderText("Type characters (hello world) or numbers (0.1, 0.5, -2)…")
        self.edit.setTabChangesFocus(True)
        # Qt's default (word boundary, else anywhere) lays out a long word in quadratic time: pasting
        # 200,000 characters without a space froze the window 5 s, a million 2 minutes. Breaking at
        # words only is linear (a word wider than the box scrolls sideways; CJK text still wraps).
        self.edit.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.edit.setPlainText(state.config.source)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.edit.setToolTip("Every change recomputes the whole network. Esc returns the arrow keys to stepping.")

        self.kind_buttons: dict[str, QToolButton] = {}
        self._kind_group = QButtonGroup(self)
        kind_row = QHBoxLayout()
        kind_row.setSpacing(0)
        kind_row.addWidget(QLabel("Read as "))
        for kind, label, tip in KINDS:
            b = QToolButton()
            b.setObjectName("kind")
            b.setText(label)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setChecked(kind == state.config.kind)
            self._kind_group.addButton(b)
            self.kind_buttons[kind] = b
            kind_row.addWidget(b)
            b.clicked.connect(lambda _=False, k=kind: self._on_kind_clicked(k))
        kind_row.addStretch(1)

        self.source_title = QLabel("Source: what the encoder reads")
        self.source_title.setObjectName("fieldTitle")
        self.source_title.setVisible(state.config.encoder_decoder)
        self.target_box = TargetBox(state)

        self.error_label = QLabel()
        self.error_label.setObjectName("inputError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.info_label = QLabel()
        self.info_label.setObjectName("muted")
        self.info_label.setWordWrap(True)

        self.example_buttons: list[QPushButton] = []
        grid = QGridLayout()
        grid.setSpacing(4)
        pairs = QHBoxLayout()      # the encoder–decoder's examples: a row of their own (longer names)
        pairs.setSpacing(4)
        i = 0
        for ex in load_examples():
            b = QPushButton(ex["name"])
            b.setToolTip(ex.get("tip", ""))
            b.clicked.connect(lambda _=False, e=ex: self.load_example(e))
            if ex.get("architecture") == "encoder-decoder":
                pairs.addWidget(b, 1)
            else:
                grid.addWidget(b, i // 3, i % 3)
                i += 1
            self.example_buttons.append(b)
        grid.addLayout(pairs, (i + 2) // 3, 0, 1, 3)

        lay = QVBoxLayout(self)
        lay.addWidget(self.source_title)
        lay.addWidget(self.edit)
        lay.addLayout(kind_row)
        lay.addWidget(self.error_label)
        lay.addWidget(self.target_box)
        lay.addWidget(self.info_label)
        ex_title = QLabel("Examples")
        ex_title.setObjectName("muted")
        lay.addWidget(ex_title)
        lay.addLayout(grid)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.commit)
        self.edit.textChanged.connect(self._debounce.start)
        state.config_changed.connect(self._on_config_changed)
        state.input_error_changed.connect(self._on_input_error_changed)
        state.trace_changed.connect(self._on_trace_changed)
        if state.trace is not None:
            self._on_trace_changed(state.trace)

    # ------------------------------------------------------------------ user input
    def commit(self) -> None:
        """Send the typed text to the state now (the debounce timer calls this)."""
        self._debounce.stop()
        text = self.edit.toPlainText()
        if text != self.state.config.source:
            if self.state.config.kind == "notes":   # typing leaves the notes' test input (and its weights)
                from rnnviz.app.panels.batch_panel import leave_notes

                leave_notes(self.state, source=text)
                return
            self.state.update_config(source=text)

    def _on_kind_clicked(self, kind: str) -> None:
        self._debounce.stop()
        if self.state.config.kind == "notes":
            from rnnviz.app.panels.batch_panel import leave_notes

            leave_notes(self.state, source=self.edit.toPlainText(), kind=kind)
            return
        self.state.update_config(source=self.edit.toPlainText(), kind=kind)

    def load_example(self, ex: dict) -> None:
        """An example's text (an encoder–decoder's: its source and target and that architecture; any
        other example leaves the encoder–decoder for many-to-many)."""
        self._debounce.stop()
        from rnnviz.app.panels.batch_panel import leave_notes, load_notes_example

        if ex.get("kind") == "notes":
            load_notes_example(self.state)
            return
        changes = dict(source=ex["source"], kind=ex.get("kind", "auto"), loss=ex.get("loss", "auto"))
        arch = ex.get("architecture")
        if arch == "encoder-decoder":
            changes.update(architecture=arch, target=ex.get("target", ""), bidirectional=False)
        elif arch is not None or self.state.config.encoder_decoder:
            changes.update(architecture=arch or "many-to-many")
        if self.state.config.kind == "notes":
            leave_notes(self.state, **changes)
            return
        self.state.update_config(**changes)

    # ------------------------------------------------------------------ state -> widgets
    def _on_config_changed(self, config) -> None:
        if config.source != self.edit.toPlainText() and not self._debounce.isActive():
            self.edit.blockSignals(True)
            self.edit.setPlainText(config.source)
            self.edit.blockSignals(False)
        button = self.kind_buttons.get(config.kind)
        if button is not None:
            button.setChecked(True)
        else:                                       # the notes' test input: none of the three
            self._kind_group.setExclusive(False)
            for b in self.kind_buttons.values():
                b.setChecked(False)
            self._kind_group.setExclusive(True)
        self.source_title.setVisible(config.encoder_decoder)
        self._on_input_error_changed(self.state.input_error)

    def _on_input_error_changed(self, msg: str) -> None:
        if msg and msg == self.target_box.problem:
            msg = ""    # the target's own message, shown under the target box
        self.error_label.setText(f"⚠ {msg}" if msg else "")
        self.error_label.setVisible(bool(msg))
        self.edit.setProperty("invalid", bool(msg))
        self._show_info()

    def _on_trace_changed(self, trace) -> None:
        seq = trace.seq
        batch = trace.extras.get("batch")
        if batch is not None or seq.n_x > 1 and seq.kind != "text":
            m = batch.m if batch is not None else seq.m
            what = f"{seq.T} steps · m = {m} sequences of vectors (n_x = {seq.n_x}, n_y = {seq.n_y})"
            self._info = f"a batch: {what}"
            self._show_info()
            return
        if seq.n_source:
            what = (f"{seq.n_source} source steps + {seq.T - seq.n_source} decoder steps (the target, then ⟨e⟩) · "
                    f"{len(seq.vocab)} symbols with ⟨s⟩ ⟨e⟩")
        elif seq.kind == "text":
            what = f"{seq.T} steps · {len(seq.vocab)} distinct characters (n_x = n_y = {seq.n_x})"
        else:
            what = f"{seq.T} steps · {seq.T + 1} numbers (n_x = n_y = 1)"
        self._info = f"{seq.kind}: {what}"
        self._show_info()

    def _show_info(self) -> None:
        """What the views show: this input, or (while it is invalid) the last valid one."""
        info = getattr(self, "_info", "")
        if not info:
            return
        lead = "Still showing the last valid input, read as " if self.state.input_error else "Read as "
        self.info_label.setText(lead + info)
