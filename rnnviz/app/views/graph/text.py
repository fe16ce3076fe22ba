"""Text in the graph's boxes that always fits: the first font and the first wording that the box can
hold, or nothing (the node's tooltip has the value). Numbers are worded by rnnviz.app.numfmt.

`Frame.drawn`, when a list, records every text drawn (kind, step, box, text, width in pixels), so
tests and tools can check what the picture really says; `rec` below is anything with a `drawn`.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter

from rnnviz.app import numfmt

ALIGN_C = Qt.AlignmentFlag.AlignCenter
ALIGN_L = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_R = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def number_texts(v: float, prefix: str = "", sig: int = 3) -> list[str]:
    """What to try for a number, best first: with the prefix at full precision, then the number
    alone from the most to the least precise form."""
    options = numfmt.forms(v, sig)
    return ([prefix + options[0]] if prefix else []) + options


def fit_text(rec, painter: QPainter, rect: QRectF, texts: list[str], fonts: list[QFont],
             align=ALIGN_C, where: tuple = ("", -1)) -> str | None:
    """Draw the first of `texts` that fits `rect` in one of `fonts` (tried in order for each text);
    returns what was drawn, None when nothing fits (the box stays empty rather than clipped)."""
    for text in texts:
        for font in fonts:
            painter.setFont(font)
            fm = painter.fontMetrics()
            w = fm.horizontalAdvance(text)
            if w <= rect.width() and fm.capHeight() + 1 <= rect.height():   # digits stand cap-high
                painter.drawText(rect, align, text)
                if rec.drawn is not None:
                    rec.drawn.append((where[0], where[1], QRectF(rect), text, float(w)))
                return text
    return None


def text_width(painter: QPainter, font: QFont, text: str) -> float:
    painter.setFont(font)
    return float(painter.fontMetrics().horizontalAdvance(text))


class RowFormat:
    """How the numbers of one graph row are written: one font for the whole row (the largest in which
    every value fits with two significant digits; else the largest but the last, the smallest, in which
    every value fits in its shortest form: '0.6' read from the back row beats '0.55' in the tiny font),
    then each value as precisely as its box allows in that font; the prefix ('‖a‖=') only when every
    value has room for it."""

    def __init__(self, painter: QPainter, fonts: list[QFont], values, width: float, prefix: str = ""):
        self.fonts, self.prefix, self.width = fonts, prefix, width
        vals = [float(v) for v in values]
        self.font, self.with_prefix, self.ok = fonts[-1], False, False

        def fits_all(font, pre, form=lambda v: numfmt.short(v, 2)) -> bool:
            painter.setFont(font)
            fm = painter.fontMetrics()
            return all(fm.horizontalAdvance(pre + form(v)) <= width for v in vals)

        if prefix and fits_all(fonts[0], prefix):
            self.font, self.with_prefix, self.ok = fonts[0], True, True
            return
        shortest = lambda v: numfmt.forms(v, 3)[-1]   # noqa: E731
        tries = [(f, None) for f in fonts[:-1]] + [(f, shortest) for f in fonts[:-1]] + [(fonts[-1], None)]
        for font, form in tries:
            if fits_all(font, "", form) if form else fits_all(font, ""):
                self.font, self.ok = font, True
                return

    def texts(self, v: float) -> list[str]:
        """What to try for v, best first (the row's prefix first when it has one)."""
        forms = numfmt.forms(v, 3)
        return ([self.prefix + f for f in forms] if self.with_prefix else []) + forms

    def draw(self, rec, painter: QPainter, rect: QRectF, v: float, align=ALIGN_C, where=("", -1)):
        """v in the row's font as precisely as fits; a smaller font only if no wording fits."""
        texts = self.texts(v)
        drawn = fit_text(rec, painter, rect, texts, [self.font], align, where)
        if drawn is None:
            smaller = self.fonts[self.fonts.index(self.font) + 1:] if self.font in self.fonts else []
            drawn = fit_text(rec, painter, rect, texts, smaller, align, where)
        return drawn
