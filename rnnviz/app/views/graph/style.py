"""Fonts and colours of the graph for one theme and text size."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont

from rnnviz.app import colors
from rnnviz.app.views.eq_format import TILDE_FAMILIES


def _with_tilde(font: QFont) -> QFont:
    out = QFont(font)
    out.setFamilies([*TILDE_FAMILIES, *font.families()])
    return out


class Style:
    def __init__(self, palette: colors.Palette, presentation: bool = False, f: float | None = None):
        self.pal, self.presentation = palette, presentation
        self.nominal_f = 20.0 if presentation else 15.0
        self.f = self.nominal_f if f is None else f   # smaller when the graph is short (GraphCanvas)
        self.font = self._font(1.0)
        self.font_small = self._font(0.8)
        self.font_tiny = self._font(0.68)   # the last resort before a box stays empty
        # c̃ in a face that puts its tilde over the c (DejaVu Sans draws it under the c, or over the next letter)
        self.tilde_small, self.tilde_tiny = (_with_tilde(f) for f in (self.font_small, self.font_tiny))
        self.font_big = self._font(1.45, bold=True)
        self.font_bold = self._font(1.0, bold=True)
        self.font_title = self._font(1.2, bold=True)
        q = QColor
        self.fg, self.muted, self.bg = q(palette.foreground), q(palette.muted), q(palette.background)
        self.panel, self.grid, self.accent = q(palette.panel), q(palette.grid), q(palette.accent)
        self.backward, self.danger, self.target = q(palette.backward), q(palette.danger), q(palette.target)
        self.edge = QColor(self.fg)
        self.edge.setAlphaF(0.55)
        self.backward_soft = QColor(self.backward)
        self.backward_soft.setAlphaF(0.6)
        self.lane = QColor(self.fg)
        self.lane.setAlphaF(0.38)
        self.belt = QColor(self.fg)
        self.belt.setAlphaF(0.30)
        self.accent_soft = QColor(self.accent)
        self.accent_soft.setAlphaF(0.10)
        self.select_soft = QColor(self.accent)
        self.select_soft.setAlphaF(0.05)
        self.hover_soft = QColor(self.fg)
        self.hover_soft.setAlphaF(0.05)
        self.cell = QColor(self.fg)
        self.cell.setAlphaF(0.035)

    def at_size(self, f: float) -> "Style":
        """The same style with body text of f pixels."""
        return self if f == self.f else Style(self.pal, self.presentation, f)

    def _font(self, scale: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(max(int(round(self.f * scale)), 8))
        font.setBold(bold)
        return font
