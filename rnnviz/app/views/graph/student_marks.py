"""Small marks of the student's overlay on the graph's nodes (student_paint.py paints the nodes):
'= yours' where their values are ours, the tag of a cache entry that differs and feeds the node, the
gates' names on the LSTM's gate strips."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnviz.app.views.graph.student import Part
from rnnviz.app.views.graph.text import ALIGN_C


def cache_tag(painter: QPainter, fr, rect: QRectF, notes, t: int) -> None:
    """'a_prev ≠' on the top-left corner of the node a differing cache entry feeds (its tooltip has the
    numbers; the Check panel names it in full)."""
    st = fr.style
    painter.setFont(st.font_tiny)
    fm = painter.fontMetrics()
    names = ", ".join(n.name for n in notes)
    room = max(rect.width(), fr.geom.col_px - 6.0)     # the tag may reach past a narrow node, not its column
    text = next((s for s in (f"cache {names} ≠", f"{names} ≠", names, "≠")
                 if fm.horizontalAdvance(s) + 8 <= room), "≠")
    w, h = fm.horizontalAdvance(text) + 8, max(fm.height(), 0.9 * st.f)
    left = min(rect.left() - 2, rect.center().x() + room / 2 - w)
    r = QRectF(left, rect.top() - 0.8 * h, w, h)                      # over the box's edge, like '= yours'
    painter.setPen(QPen(st.bg, 1.5))
    painter.setBrush(st.danger)
    painter.drawRoundedRect(r, h / 2, h / 2)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(r, ALIGN_C, text)
    if fr.drawn is not None:
        fr.drawn.append(("student_cache:" + notes[0].key, t, QRectF(r), text, float(fm.horizontalAdvance(text))))


def gate_chips(painter: QPainter, fr, part: Part, t: int, strips, cw: float) -> None:
    """Γf Γu c̃ Γo over the middle of each gate's two cells (ours above, yours below), on a chip of the
    panel's colour so that it reads on any fill; in the danger colour where that gate differs."""
    st = fr.style
    painter.setFont(st.font_tiny)
    fm = painter.fontMetrics()
    top, bottom = strips[0].top(), strips[1].bottom()
    for k, label in enumerate(part.labels):
        text = next((s for s in (label, label[-1]) if fm.horizontalAdvance(s) + 4 <= cw), None)
        if text is None or fm.capHeight() + 3 > bottom - top:
            continue
        w, h = fm.horizontalAdvance(text) + 4, min(fm.height(), bottom - top)
        cx, cy = strips[0].left() + (k + 0.5) * cw, (top + bottom) / 2
        chip = QRectF(cx - w / 2, cy - h / 2, w, h)
        bg = QColor(st.panel)
        bg.setAlpha(215)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(chip, 2, 2)
        painter.setPen(st.danger if part.differs[k, t] else st.fg)
        painter.drawText(chip, ALIGN_C, text)
        if fr.drawn is not None:
            fr.drawn.append(("student_label:" + part.name, t, chip, text, float(fm.horizontalAdvance(text))))


def same_mark(painter: QPainter, fr, rect: QRectF, part: Part, t: int) -> None:
    """'= yours' on the corner of our node: the student's values are ours at this step."""
    st = fr.style
    painter.setFont(st.font_tiny)
    fm = painter.fontMetrics()
    text = next((s for s in ("= yours", "=") if fm.horizontalAdvance(s) + 8 <= rect.width()), "=")
    w, h = fm.horizontalAdvance(text) + 8, max(fm.height(), 0.9 * st.f)
    r = QRectF(rect.right() - w + 2, rect.top() - 0.8 * h, w, h)      # above the box's text, over its edge
    painter.setPen(QPen(st.bg, 1.5))
    painter.setBrush(st.target)
    painter.drawRoundedRect(r, h / 2, h / 2)
    painter.setPen(QColor("#ffffff") if st.bg.lightness() > 128 else QColor("#000000"))
    painter.drawText(r, ALIGN_C, text)
    if fr.drawn is not None:
        fr.drawn.append(("student:" + part.name, t, QRectF(r), text, float(fm.horizontalAdvance(text))))


# ------------------------------------------------------------------------------------------ the axis, the badge
