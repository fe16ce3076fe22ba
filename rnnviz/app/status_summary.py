"""The status bar's summary of the trace (T, n_a, n_x, parameters, L, the compute time, the batch's
sequence): as many of its parts as the bar has room for, the less needed ones left out first, so that
nothing is cut mid-word (F11 on a 720p projector beside the training's status cut "computed in 3 m").
The whole line is the tooltip."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy

SEP = "   ·   "


class StatusSummary(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._parts: list[tuple[int, str]] = []          # (rank: 0 is kept longest, text), in reading order
        # its width is the bar's to give: never asks for the whole line (the bar would push others out)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)

    def set_parts(self, parts: list[tuple[int, str]]) -> None:
        self._parts = list(parts)
        self.setToolTip(self._joined(max((r for r, _ in self._parts), default=0)))
        self._fit()

    def _joined(self, rank: int) -> str:
        """The parts of rank up to `rank`, in reading order."""
        return SEP.join(t for r, t in self._parts if r <= rank)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit()

    def changeEvent(self, ev) -> None:       # a new font (F11): measure again
        super().changeEvent(ev)
        if self._parts:
            self._fit()

    def _fit(self) -> None:
        """The most parts that fit, dropping the highest ranks first (the lowest one always shows)."""
        fm, room = self.fontMetrics(), max(self.contentsRect().width(), 0)
        text = ""
        for rank in sorted({r for r, _ in self._parts}, reverse=True):
            text = self._joined(rank)
            if fm.horizontalAdvance(text) <= room:
                break
        if text != self.text():
            self.setText(text)
