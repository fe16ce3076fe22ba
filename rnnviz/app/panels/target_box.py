"""The encoder–decoder's target: what the decoder should write, typed under the source text.

Shown only while the architecture is encoder–decoder. Typing recomputes live (debounced) through
AppState.update_config(target=...); a target that can't be used (empty) shows its own message under
this box, checked by the same rnnviz.core.sequences.check_target the computation uses, so the
source's message and the target's never mix.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from rnnviz.app.state import AppState
from rnnviz.core.sequences import check_target

DEBOUNCE_MS = 250
PLACEHOLDER = "What the decoder writes, e.g. desserts for stressed…"
HINT = ("The encoder reads the source above; its last state starts the decoder, which is fed ⟨s⟩ and then "
        "each target character (teacher forcing) and must write the target, then ⟨e⟩. "
        "Try the examples Reverse a word (stressed → desserts) or Normalise a date.")


class _TargetEdit(QLineEdit):
    """Enter or Esc: the target is sent now and the keyboard goes back to the window (←/→/Space step
    again), as Esc leaves the source box keeping what was typed."""

    left = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setProperty("handsBackKeys", True)   # these keys are handled here (panels/keys.py)

    def keyPressEvent(self, ev):
        if ev.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.left.emit()
            self.clearFocus()
            ev.accept()
            return
        super().keyPressEvent(ev)


class TargetBox(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.title = QLabel("Target: what the decoder writes")
        self.title.setObjectName("fieldTitle")
        self.edit = _TargetEdit(self)
        self.edit.setObjectName("targetEdit")
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setToolTip(HINT)
        self.edit.setText(state.config.target)
        self.error_label = QLabel()
        self.error_label.setObjectName("inputError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.edit)
        lay.addWidget(self.error_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.commit)
        self.edit.textEdited.connect(lambda _t: self._debounce.start())
        self.edit.left.connect(self.commit)
        state.config_changed.connect(self._on_config_changed)
        state.input_error_changed.connect(lambda _m: self._show_error())
        self._on_config_changed(state.config)

    @property
    def problem(self) -> str:
        """What is wrong with the target as it stands ('' when it can be used)."""
        if not self.state.config.encoder_decoder:
            return ""
        try:
            check_target(self.state.config.target)
        except ValueError as e:
            return str(e)
        return ""

    def commit(self) -> None:
        self._debounce.stop()
        text = self.edit.text()
        if text != self.state.config.target:
            self.state.update_config(target=text)

    def _on_config_changed(self, config) -> None:
        self.setVisible(config.encoder_decoder)
        if config.target != self.edit.text() and not self._debounce.isActive():
            self.edit.setText(config.target)
        self._show_error()

    def _show_error(self) -> None:
        msg = self.problem
        self.error_label.setText(f"⚠ {msg}" if msg else "")
        self.error_label.setVisible(bool(msg))
        self.edit.setProperty("invalid", bool(msg))
