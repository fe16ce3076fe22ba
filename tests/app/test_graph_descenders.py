"""The ŷ⟨t⟩ nodes' letters are whole: a 'y', 'p', 'g', ',' or the space's ␣ keeps the part below the
baseline. The labels are drawn in the x⟨t⟩ nodes' large font in lines about one capital letter high;
each line clipped its text, so 'y' read as 'v', 'p' as a stub and ␣ as two dots ('. .')."""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from tests.app import projector
from tests.app.drive import near

TEXT = "gypsy jumpy"
LOW = set("gjpqy,␣")


def ink_rows(img: QImage, x0: int, x1: int, y0: int, y1: int, inks: list[QColor]) -> list[int]:
    """The pixel rows between y0 and y1 that hold a text-coloured pixel between x0 and x1."""
    rows = []
    for y in range(max(y0, 0), min(y1, img.height())):
        if any(near(img.pixelColor(x, y), ink) for x in range(max(x0, 0), min(x1, img.width())) for ink in inks):
            rows.append(y)
    return rows


def glyph_height(font: QFont, label: str) -> int:
    """How many pixel rows the label's ink spans when drawn alone, unclipped, black on white."""
    fm = QFontMetricsF(font)
    w, h = int(fm.horizontalAdvance(label)) + 8, int(fm.height()) + 8
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    p.setFont(font)
    p.setPen(QColor("black"))
    p.drawText(QPointF(4, 4 + fm.ascent()), label)
    p.end()
    rows = ink_rows(img, 0, w, 0, h, [QColor("black")])
    return rows[-1] - rows[0] + 1


def test_the_prediction_letters_keep_their_descenders(qtbot):
    for size in ((1280, 720), (1920, 1080)):
        w = projector.open_window(qtbot, *size, TEXT)
        projector.press(qtbot, w, Qt.Key.Key_F)
        projector.press(qtbot, w, Qt.Key.Key_End)          # every step reached: no node dimmed
        g = w.graph
        st = g.item.style
        g.item.drawn = []
        img = g.canvas.viewport().grab().toImage()
        texts, g.item.drawn = g.item.drawn, None
        origin = g.canvas.mapFromScene(g.item.mapToScene(QPointF(0, 0)))
        small = QFontMetricsF(st.font_small)
        checked = 0
        for kind, t, box, text, width in texts:
            label = text.removeprefix("✓")
            if kind != "p" or label not in LOW:
                continue
            mark = small.horizontalAdvance("✓") - 0.25 * st.f if text.startswith("✓") else 0.0
            font = next((f for f in (st.font_big, st.font_bold, st.font_small)
                         if abs(width - mark - QFontMetricsF(f).horizontalAdvance(label)) < 1.51), None)
            assert font is not None, (size, t, text, width)
            r = QRectF(box).translated(origin.x(), origin.y())
            x1 = r.left() + width
            x0 = x1 - QFontMetricsF(font).horizontalAdvance(label)
            # the label's own columns, in its line
            rows = ink_rows(img, int(x0) + 1, int(x1), math.floor(r.top()), math.ceil(r.bottom()), [st.fg, st.target])
            assert rows, (size, t, text)
            drawn_h = rows[-1] - rows[0] + 1
            whole = glyph_height(font, label)
            assert drawn_h >= whole - 1, (size, t, text, drawn_h, whole)   # was 'y' 11 of 16 rows, '␣' 2 of 5
            checked += 1
        assert checked >= 5, (size, checked)
        w.close()
