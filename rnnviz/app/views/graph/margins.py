"""The margins of the graph's canvas, in viewport pixels for a font of f pixels: the gutter of row
names on the left, the title above the rows, the step axis and the legends below them. The canvas lays
the scene inside them (canvas.py); the overlay and the legends draw in them (overlay.py, legends.py)."""
from __future__ import annotations

from PySide6.QtGui import QFontMetricsF


def gutter_px(f: float) -> float:
    """The gutter of the notes' four rows (x⟨t⟩, a⟨t⟩, ŷ⟨t⟩, L⟨t⟩)."""
    return 3.6 * f


def gutter_width(style, spec) -> float:
    """Wide enough for every row's name in the bold font (a[2]→, Γ[1]←...), at least gutter_px."""
    fm = QFontMetricsF(style.font_bold)
    widest = max((fm.horizontalAdvance(r.label) for r in spec.rows), default=0.0)
    return max(gutter_px(style.f), widest + 0.9 * style.f)


def top_px(f: float) -> float:
    return 2.6 * f


def bottom_px(f: float) -> float:
    return 4.3 * f
