"""The lesson panel's text writes the LSTM's candidate c̃ with its tilde over the c, as the Equations,
the legends and the graph do: in the panel's face (DejaVu Sans here) the combining tilde fell under
the c ('c(t)' with a '˜' below it, lesson 5, page 2). Driven as a user: the lesson list, Next."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument

from tests.app.drive import open_window
from tests.app.lesson_drive import click_next, start_lesson


def _render(html: str, font, width: int):
    """(the rich text laid out in the label's font and width, its ink as a bool array)."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setTextWidth(width)
    doc.setHtml(html)
    size = doc.size()                                        # laid out
    img = QImage(int(size.width()) + 2, int(size.height()) + 2, QImage.Format.Format_Grayscale8)
    img.fill(QColor("white"))
    p = QPainter(img)
    doc.drawContents(p)
    p.end()
    a = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    return doc, a[:, :img.width()] < 128


def _glyph(html: str, font, width: int, mark: str):
    """The ink round the first `mark` (c̃, or c): rows of its line ± 4, its columns ± 3 pixels; with its
    columns and its baseline in that window."""
    doc, ink = _render(html, font, width)
    pos = doc.toPlainText().index(mark)
    block = doc.findBlock(pos)
    layout, rel = block.layout(), pos - block.position()
    line = layout.lineForTextPosition(rel)
    assert line.isValid()
    origin = layout.position()                               # the block's place in the document
    x0, x1 = origin.x() + line.cursorToX(rel)[0], origin.x() + line.cursorToX(rel + len(mark))[0]
    top = max(int(origin.y() + line.y()) - 4, 0)            # (DejaVu's tilde fell just under the line)
    left = max(int(x0) - 3, 0)
    window = ink[top:int(np.ceil(origin.y() + line.y() + line.height())) + 4, left:int(np.ceil(x1)) + 3]
    return window, (x0 - left, x1 - left), origin.y() + line.y() + line.ascent() - top


def _tilde(label):
    """(rows, columns) of the first c̃'s tilde alone (its line with c̃ less the same line with a plain c:
    a combining mark takes no room), its c's columns, baseline and the font's x-height."""
    html = label.text()
    tilde, cols, baseline = _glyph(html, label.font(), label.width(), "c\u0303")
    plain, _, plain_baseline = _glyph(html.replace("c\u0303", "c\u2060"), label.font(), label.width(), "c\u2060")
    shift = int(round(baseline - plain_baseline))            # the same c, on the same baseline
    plain = np.roll(plain, shift, axis=0)
    h, w = min(tilde.shape[0], plain.shape[0]), min(tilde.shape[1], plain.shape[1])
    only = tilde[:h, :w] & ~plain[:h, :w]
    return np.flatnonzero(only.any(axis=1)), np.flatnonzero(only.any(axis=0)), cols, baseline, \
        label.fontMetrics().xHeight()


def test_the_lesson_text_puts_the_candidates_tilde_over_the_c(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "5.")
    click_next(qtbot, w)                                     # "The cell state's path: c⟨t⟩ = Γf ⊙ ... + Γu ⊙ c̃⟨t⟩"
    assert "c\u0303" in L.panel.plain_text()
    rows, cols, (x0, x1), baseline, x_height = _tilde(L.panel.text)
    assert rows.size, "no tilde drawn"
    assert rows.max() < baseline - x_height + 1, (rows, baseline, x_height)   # over the c, not under it
    assert x0 - 1 <= (cols.min() + cols.max()) / 2 <= x1 + 1, (cols, x0, x1)  # over the c, not the next letter
