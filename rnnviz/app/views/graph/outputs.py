"""The ŷ⟨t⟩ nodes of the detailed graph: the top predictions with probability bars (characters), or
the prediction and its target (numbers: ŷ and y; bits: p(1) and y). Every text fits its box.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

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


def paint_y(painter: QPainter, fr, t: int, rect: QRectF, formats: dict) -> None:
    st, d, g = fr.style, fr.data, fr.geom
    pad = 0.35 * st.f
    inner = rect.adjusted(pad, 0.2 * st.f, -pad, -0.2 * st.f)
    if d.mode == "classes":
        rows = [(d.labels[int(i)], float(p), int(i) == int(d.target[t])) for i, p in zip(d.top_idx[t], d.top_p[t])]
        if not g.top3:
            rows = rows[:1]
        if not d.target_in_top(t) or (not g.top3 and not rows[0][2]):
            rows.append((d.target_text(t), d.target_p(t), True))
        painter.setFont(st.font_small)
        if inner.height() < 2 * (painter.fontMetrics().capHeight() + 3):
            rows = rows[:1]   # a squeezed node (a deep stack in a short window): the best guess alone
        _prob_rows(fr, painter, inner, rows, t)
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


def _prob_rows(fr, painter: QPainter, inner: QRectF, rows, t: int) -> None:
    """One line per class: label, a bar as long as its probability, the probability; targets marked."""
    st = fr.style
    h = inner.height() / max(len(rows), 3 if len(rows) > 2 else len(rows))
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
        mark = "✓" if is_target else " "
        drawn = fit_text(fr, painter, r, [mark + label, label], [st.font_bold, st.font_small], ALIGN_L, ("p", t))
        if drawn is not None:   # the probability in the room right of the label, if there is any
            left = text_width(painter, painter.font(), drawn) + 0.4 * st.f
            prob = f"{p:.2f}" if math.isfinite(p) else "NaN"
            fit_text(fr, painter, QRectF(r.left() + left, r.top(), r.width() - left, r.height()),
                     [prob], [st.font_small], ALIGN_R, ("p", t))
