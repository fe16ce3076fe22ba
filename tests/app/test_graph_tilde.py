"""The graph's σ box for the candidate c̃ draws its tilde over the c, as the legends and the Equations do:
DejaVu Sans (the default here) puts a combining tilde under the c or over the next letter."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from rnnviz.app import colors
from rnnviz.app.views.graph.painters import symbol_fonts
from rnnviz.app.views.graph.style import Style


def _ink(text: str, font) -> np.ndarray:
    img = QImage(120, 120, QImage.Format.Format_Grayscale8)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setFont(font)
    p.setPen(QColor("black"))
    p.drawText(QRectF(0, 0, 120, 120), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    ptr = img.constBits()
    a = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    return a[:, :img.width()] < 128


def test_the_candidates_box_puts_the_tilde_over_the_c(qapp):
    st = Style(colors.palette("light"), f=40.0)             # big: a glyph of many pixels
    for g in ("g", "n"):                                     # the LSTM's c̃ and the GRU's candidate
        font = symbol_fonts(st, g)[0]
        c, both = _ink("c", font), _ink("c\u0303", font)
        tilde = both & ~c
        assert tilde.any()
        rows_c, cols_c = np.flatnonzero(c.any(axis=1)), np.flatnonzero(c.any(axis=0))
        rows_t, cols_t = np.flatnonzero(tilde.any(axis=1)), np.flatnonzero(tilde.any(axis=0))
        assert rows_t.max() < rows_c.min()                  # above the c, not under it
        mid = (cols_t.min() + cols_t.max()) / 2
        assert cols_c.min() <= mid <= cols_c.max()           # over the c, not over the next letter
    assert symbol_fonts(st, "f")[0] is st.font_small         # the other gates keep the graph's font
