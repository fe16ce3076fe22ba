"""Enter and Esc in a spin box (or a one-line box) give the keyboard back to stepping.

A spin box with the focus keeps ← → Home End for its text, so after typing a radius and Enter the
arrow keys stopped stepping. Enter now commits the value and leaves the box; Esc puts the value back
as it was and leaves it, as Esc leaves the sequence box. Installed on every panel by the window.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)


class HandBackKeys(QObject):
    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Type.KeyPress or event.key() not in _KEYS:
            return False
        if event.key() == Qt.Key.Key_Escape:
            if isinstance(obj, QAbstractSpinBox):
                obj.setValue(obj.value())   # the text back to the value in use (focus-out would commit it)
            elif isinstance(obj, QLineEdit):
                obj.undo()
        elif isinstance(obj, QAbstractSpinBox):
            obj.interpretText()             # the typed value now (valueChanged, as Enter did)
        elif isinstance(obj, QLineEdit):
            obj.editingFinished.emit()
        obj.clearFocus()                    # the window's keys (← → Home End Space) step again
        return True


def hand_back_keys(root: QWidget) -> None:
    """Install on every spin box and one-line box under root (idempotent)."""
    f = root.findChild(HandBackKeys) or HandBackKeys(root)
    boxes = root.findChildren(QAbstractSpinBox) + [
        e for e in root.findChildren(QLineEdit)
        if not isinstance(e.parent(), (QAbstractSpinBox, QComboBox))]
    for box in boxes:
        if not box.property("handsBackKeys"):
            box.installEventFilter(f)
            box.setProperty("handsBackKeys", True)
