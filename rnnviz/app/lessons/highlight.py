"""A coloured frame drawn over a view the lesson page points at; it follows the view's size and lets
every click through."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QWidget

COLOUR = "#e8a100"


class Highlight(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._frames: dict[QWidget, QFrame] = {}

    def show_on(self, widgets) -> None:
        widgets = [w for w in widgets if w is not None]
        for w in list(self._frames):
            if w not in widgets:
                self._drop(w)
        for w in widgets:
            if w not in self._frames:
                f = QFrame(w)
                f.setObjectName("lessonHighlight")
                f.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
                f.setStyleSheet(f"QFrame#lessonHighlight {{ border: 4px solid {COLOUR}; border-radius: 4px;"
                                " background: transparent; }")
                self._frames[w] = f
                w.installEventFilter(self)
            self._place(w)

    def clear(self) -> None:
        self.show_on([])

    def targets(self) -> list[QWidget]:
        return list(self._frames)

    def _drop(self, w: QWidget) -> None:
        f = self._frames.pop(w)
        w.removeEventFilter(self)
        f.hide()
        f.deleteLater()

    def _place(self, w: QWidget) -> None:
        f = self._frames[w]
        f.setGeometry(w.rect())
        f.raise_()
        f.show()

    def eventFilter(self, obj, event) -> bool:
        if obj in self._frames and event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.ChildAdded):
            self._place(obj)
        return False
