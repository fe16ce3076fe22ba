"""Small widget helpers shared by the panels."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSizePolicy, QWidget

QWIDGETSIZE_MAX = (1 << 24) - 1


def combo_box(items) -> QComboBox:
    """A combo box of (key, label) or (key, label, tooltip) items, as wide as its longest label so that
    no choice is ever cut off ("Binary cross-entropy (sigmoi"); keep labels short, details in tooltips."""
    c = QComboBox()
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for key, label, *tip in items:
        c.addItem(label, key)
        if tip:
            c.setItemData(c.count() - 1, tip[0], Qt.ItemDataRole.ToolTipRole)
    return c


class ThresholdBox(QDoubleSpinBox):
    """A clipping threshold, 1e-4 … 1e6 with 4 decimals kept, written without trailing zeros: 5, 0.25,
    0.0001 (a QDoubleSpinBox wrote 5.0000, four digits that say nothing on a projector)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        # the decimals first: setDecimals(3) after setRange(1e-4, …) rounded the minimum to 0.000, a
        # threshold of 0 that the autosave kept and the next start refused (the monkey, seed 12)
        self.setDecimals(4)
        self.setRange(1e-4, 1e6)
        self.setKeyboardTracking(False)

    def textFromValue(self, v: float) -> str:
        text = super().textFromValue(v)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class LiveText(QWidget):
    """A word-wrapped line of text that changes many times a second (a training's status) without
    laying the window out again each time. A QLabel asks its layout for new room at every setText,
    and the request climbs to the main window: 1-15 ms of layout per frame while training, the
    window's longest event-loop gaps (bench_train_window --frames). This one repaints itself, and asks
    for room only when its text needs another number of lines; with `keep_room` set (while a run
    changes it) only when it needs more, so that what lies below doesn't jump up and down."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._text = text
        self._lines = self._needed(self.width())      # the lines its room was last asked for
        self._keep = False
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self._refit()
        self.update()

    def set_keep_room(self, keep: bool) -> None:
        """keep: the room only grows (a run is on); off: it fits the text again."""
        if keep != self._keep:
            self._keep = keep
            if not keep:
                self._refit()

    def _refit(self) -> None:
        lines = self._needed(self.width())
        if lines > self._lines or (lines != self._lines and not self._keep):
            self._lines = max(lines, self._lines) if self._keep else lines
            self.updateGeometry()

    def _needed(self, width: int) -> int:
        if not self._text:
            return 0
        fm = self.fontMetrics()
        r = fm.boundingRect(QRect(0, 0, max(width, 1), 1 << 20), int(Qt.TextFlag.TextWordWrap), self._text)
        return max(1, round(r.height() / max(fm.lineSpacing(), 1)))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        lines = max(self._needed(width), self._lines) if self._keep else self._needed(width)
        return lines * self.fontMetrics().lineSpacing()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        w = min(fm.horizontalAdvance(self._text), 40 * fm.averageCharWidth()) if self._text else 0
        return QSize(w, self.heightForWidth(self.width() or w))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.heightForWidth(self.width()) if self._text else 0)

    def resizeEvent(self, event) -> None:            # a new width: the lines it needs there
        super().resizeEvent(event)
        lines = self._needed(self.width())
        self._lines = max(lines, self._lines) if self._keep else lines

    def changeEvent(self, event) -> None:           # a new font (F11): measure again
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._lines = self._needed(self.width())
            self.updateGeometry()

    def paintEvent(self, _event) -> None:
        if not self._text:
            return
        p = QPainter(self)
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                   self._text)


class FixedLine(QLabel):
    """A one-line label as wide as the longest text it is meant to show (`template`), fixed in size so
    that its many changes (a training's status bar counter) never lay the window out again: a label of
    fixed size asks nobody for room. Measured again when its font or style changes (F11)."""

    def __init__(self, template: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._template = template
        self._fit()

    def _fit(self) -> None:
        text = self.text()
        super().setText(self._template)
        self.setMinimumSize(0, 0)
        self.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        self.setFixedSize(self.sizeHint())
        super().setText(text)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
