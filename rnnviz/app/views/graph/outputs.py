"""The ŷ⟨t⟩ nodes of the detailed graph: the top predictions with probability bars (characters), or
the prediction and its target (numbers: ŷ and y; bits: p(1) and y). Every text fits its box.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from rnnviz.app import colors
from rnnviz.app.views.graph.text import ALIGN_L, ALIGN_R, RowFormat, fit_text, text_width


def value_lines(d, t: int) -> list[tuple[str, str, float | None, str]]:
    """(name, row key, value, text) of the two lines of a ŷ node in the value or binary mode."""
    first = ("p(1)", "yhat", float(d.y_hat0[0, t]), "")
    if d.mode == "binary":
        return [first, ("y", "ylabel", None, d.target_text(t))]
    return [("ŷ",) + first[1:], ("y", "target", float(d.target[t]), "")]


def value_formats(fr, painter: QPainter, inner_w: float, steps) -> dict:
    """One RowFormat per line of the value nodes, for the steps in view: beside the name when every
    value fits there, else the values alone (key 'alone:<row>')."""
    d, st = fr.data, fr.style
    fonts = [st.font_bold, st.font_small, st.font_tiny]
    out = {}
    shown = [t for t in steps if d.has_output[t]]
    for name, key, _, _ in value_lines(d, shown[0] if shown else 0):
        vals = [v for t in shown for (_, k, v, _) in value_lines(d, t) if k == key]
        if key == "ylabel":
            continue
        gap = text_width(painter, st.font, name) + 0.3 * st.f
        beside = RowFormat(painter, fonts, vals, inner_w - gap)
        out[key] = beside if beside.ok else None
        out["alone:" + key] = RowFormat(painter, fonts, vals, inner_w)
    return out


HANG = 0.25     # font sizes of a target's ✓ in the ŷ node's left padding (its padding is 0.35)


def _inner(fr, rect: QRectF) -> QRectF:
    """A ŷ node's box less its padding."""
    pad = 0.35 * fr.style.f
    return rect.adjusted(pad, 0.2 * fr.style.f, -pad, -0.2 * fr.style.f)


def class_rows(fr, painter: QPainter, t: int, inner: QRectF) -> list[tuple[str, float, bool]]:
    """(label, probability, is the target) of each line of step t's ŷ node (characters): the best guess
    (the top 3 when there is room) and the target when it is not among them."""
    st, d, g = fr.style, fr.data, fr.geom
    rows = [(d.labels[int(i)], float(p), int(i) == int(d.target[t])) for i, p in zip(d.top_idx[t], d.top_p[t])]
    if not g.top3:
        rows = rows[:1]
    if not d.target_in_top(t) or (not g.top3 and not rows[0][2]):
        rows.append((d.target_text(t), d.target_p(t), True))
    painter.setFont(st.font_bold)
    if inner.height() < 2 * (painter.fontMetrics().capHeight() + 3):
        rows = rows[:1]   # a squeezed node (a stack in a short window): the best guess alone, readable
    return rows


def _line_h(inner: QRectF, rows) -> float:
    return inner.height() / max(len(rows), 3 if len(rows) > 2 else len(rows))


def label_font(fr, painter: QPainter, rect: QRectF, steps) -> tuple[QFont, bool] | None:
    """(font, with ✓) for the ŷ labels of the steps in view (characters): one size for the whole row,
    the x⟨t⟩ nodes' large bold letters where every label fits its line, a target's ✓ before it in the
    small font; narrower, bold with the ✓, then large or bold without it (the target's line keeps its
    colour), then small. None: not even that (each label then fits as it can)."""
    d, st = fr.data, fr.style
    inner = _inner(fr, rect)
    nodes = [class_rows(fr, painter, t, inner) for t in steps if d.has_output[t]]
    if not nodes:
        return None
    h = min(_line_h(inner, rows) for rows in nodes)
    labels = {(label, target) for rows in nodes for label, _p, target in rows}
    mark = max(text_width(painter, st.font_small, "✓") - HANG * st.f, 0.0)
    big, bold, small = st.font_big, st.font_bold, st.font_small
    for font, with_mark in ((big, True), (bold, True), (big, False), (bold, False), (small, True), (small, False)):
        painter.setFont(font)
        fm = painter.fontMetrics()
        if fm.capHeight() + 1 <= h and all(fm.horizontalAdvance(label) + (mark if target and with_mark else 0.0)
                                           <= inner.width() and _ink(font, label).height() <= h
                                           for label, target in labels):
            return font, with_mark
    return None


def _ink(font: QFont, label: str) -> QRectF:
    """The label's ink round its baseline (a 'y', 'j' or the space's ␣ reaches below it)."""
    return QFontMetricsF(font).tightBoundingRect(label)


def _baseline(font: QFont, label: str, r: QRectF) -> float:
    """Where the label's baseline goes in line `r`: centred as a line of text (capitals fill the line),
    then moved so that the whole glyph is in the line (the part of a 'y' below the baseline was cut off)."""
    fm = QFontMetricsF(font)
    y = r.top() + (r.height() - fm.ascent() - fm.descent()) / 2 + fm.ascent()
    ink = _ink(font, label)
    y -= max(y + ink.bottom() - r.bottom(), 0.0)
    return y + max(r.top() - (y + ink.top()), 0.0)


def paint_y(painter: QPainter, fr, t: int, rect: QRectF, formats: dict) -> None:
    st, d = fr.style, fr.data
    inner = _inner(fr, rect)
    if d.mode == "classes":
        _prob_rows(fr, painter, inner, class_rows(fr, painter, t, inner), t, formats.get("y_label"))
        return
    h = inner.height() / 2
    for i, (name, key, v, text) in enumerate(value_lines(d, t)):
        r = QRectF(inner.left(), inner.top() + i * h, inner.width(), h)
        painter.setPen(st.target if i else st.fg)
        gap = text_width(painter, st.font, name) + 0.3 * st.f
        beside = QRectF(r.left() + gap, r.top(), r.width() - gap, r.height())
        if v is None:   # a 0/1 label
            if fit_text(fr, painter, beside, [text], [st.font_bold], ALIGN_R, ("y" + name, t)):
                fit_text(fr, painter, r, [name], [st.font], ALIGN_L, ("y" + name, t))
        elif formats.get(key) is not None:   # the name on the left, the value beside it (never under it)
            if formats[key].draw(fr, painter, beside, v, ALIGN_R, ("y" + name, t)):
                fit_text(fr, painter, r, [name], [st.font], ALIGN_L, ("y" + name, t))
        else:   # no room for both: the value alone
            formats["alone:" + key].draw(fr, painter, r, v, ALIGN_R, ("y" + name, t))


def _prob_rows(fr, painter: QPainter, inner: QRectF, rows, t: int, font: tuple | None = None) -> None:
    """One line per class: label, a bar as long as its probability, the probability; targets marked.
    The labels in the row's font (label_font: the x⟨t⟩ nodes' large bold one where every line has room
    for it, the ✓ in the small font before the target's), else each as it fits: ✓ and label, bold or small."""
    st = fr.style
    h = _line_h(inner, rows)
    vir = colors.sequential()
    for i, (label, p, is_target) in enumerate(rows):
        r = QRectF(inner.left(), inner.top() + i * h, inner.width(), h)
        if math.isfinite(p) and p > 0:
            # a bar behind the row, as long as the probability
            bar = QColor(colors.qcolor(vir, p))
            bar.setAlphaF(0.35)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bar)
            painter.drawRoundedRect(QRectF(r.left() - 2, r.top() + 0.08 * h, (r.width() + 4) * min(p, 1.0), 0.84 * h), 3, 3)
        painter.setPen(st.target if is_target else st.fg)
        if font is not None:
            left = _big_label(fr, painter, r, label, is_target and font[1], font[0], t)
        else:
            mark = "✓" if is_target else " "
            drawn = fit_text(fr, painter, r, [mark + label, label], [st.font_bold, st.font_small], ALIGN_L, ("p", t))
            left = None if drawn is None else text_width(painter, painter.font(), drawn)
        if left is not None:   # the probability in the room right of the label, if there is any
            left += 0.4 * st.f
            prob = f"{p:.2f}" if math.isfinite(p) else "NaN"
            fit_text(fr, painter, QRectF(r.left() + left, r.top(), r.width() - left, r.height()),
                     [prob], [st.font_small], ALIGN_R, ("p", t))


def _big_label(fr, painter: QPainter, r: QRectF, label: str, mark: bool, font, t: int) -> float:
    """✓ (small, if `mark`) and the label (`font`) at the left of line `r`; returns the width they take."""
    st = fr.style
    x = r.left()
    if mark:   # the ✓ hangs into the node's padding
        painter.setFont(st.font_small)
        w = painter.fontMetrics().horizontalAdvance("✓")
        painter.drawText(QRectF(x - HANG * st.f, r.top(), w + 1, r.height()), ALIGN_L, "✓")
        x += w - HANG * st.f
    painter.setFont(font)
    w = painter.fontMetrics().horizontalAdvance(label)
    painter.drawText(QPointF(x, _baseline(font, label, r)), label)   # a point: nothing is clipped
    if fr.drawn is not None:
        fr.drawn.append(("p", t, QRectF(r), ("✓" if mark else "") + label, float(x + w - r.left())))
    return x + w - r.left()
