"""Small widget helpers shared by the panels."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox


def combo_box(items, min_chars: int = 7) -> QComboBox:
    """A combo box of (key, label) items whose long labels don't widen the panel it sits in
    (the open list still shows them in full)."""
    c = QComboBox()
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(min_chars)
    for key, label in items:
        c.addItem(label, key)
    return c
