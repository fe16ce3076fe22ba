"""Small widget helpers shared by the panels."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox


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
