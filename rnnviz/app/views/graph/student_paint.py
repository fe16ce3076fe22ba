"""Painters of the student's values on the graph (student.Overlay, Frame.student).

The failing steps' nodes show two strips, ours on top and theirs below, unit under unit in the row's
own colours (each unit's number in its cell when every one fits); a bar in the danger colour under
each differing unit, and a line under the strips that counts them. At the cursor's step, where
theirs is ours, our own node stays and says '= yours'. The failing steps are marked on the time axis
(at every zoom: the zoomed-out bands keep the marks), and a badge names the file.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rnnviz.app.views.graph import student_marks as marks
from rnnviz.app.views.graph.inputs import _forms, _ink
from rnnviz.app.views.graph.painters import box, node_px
from rnnviz.app.views.graph.student import Overlay, Part
from rnnviz.app.views.graph.text import ALIGN_C, ALIGN_L, fit_text


# ------------------------------------------------------------------------------------------ nodes
def paint_node(painter: QPainter, fr, row, t: int, own) -> bool:
    """The node of `row` at step t as ours over theirs where they differ; at the cursor's step, where
    they agree, our node with a mark saying so; a tag naming the cache entries that differ and feed it.
    `own` is the row's own painter (painters.PAINTERS), for the nodes that show ours. False: the caller
    paints the node with `own` alone."""
    ov = fr.student
    if ov is None or not 0 <= t < fr.T:
        return False
    notes = ov.notes_at(row.key, t, fr.backward)
    if _paint_part(painter, fr, row, t, ov.part(row.key, fr.backward), own):
        if notes:
            marks.cache_tag(painter, fr, node_px(fr, row.key, t), notes, t)
        return True
    if not notes:
        return False
    rect = node_px(fr, row.key, t)       # a cache entry feeding this node differs: ours, framed and tagged
    own(painter, fr, row, t, rect)
    st = fr.style
    painter.setPen(QPen(st.danger, 3.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    radius = min(0.35 * st.f, rect.height() / 2)
    painter.drawRoundedRect(rect, radius, radius)
    marks.cache_tag(painter, fr, rect, notes, t)
    return True


def _paint_part(painter: QPainter, fr, row, t: int, part, own) -> bool:
    if part is None or not (part.bad_step[t] or t == fr.t):
        return False
    if part.backward and t < fr.t:      # BPTT has not brought the gradient there yet (the axis marks it)
        return False
    st = fr.style
    rect = node_px(fr, row.key, t)
    if not part.bad_step[t]:
        own(painter, fr, row, t, rect)
        if rect.height() >= 1.4 * st.f:    # a short node (the LSTM's gates at 720p): the mark would cover the row above
            marks.same_mark(painter, fr, rect, part, t)
        return True
    box(painter, rect, st, st.danger, 3.0)          # they differ here: the node's frame says so
    pad = min(0.28 * st.f, rect.height() * 0.1)
    inner = rect.adjusted(pad, pad, -pad, -pad)
    gap, mark_h = 2.0, max(3.0, 0.2 * st.f)
    text_h = min(1.0 * st.f, 0.34 * inner.height()) if inner.height() >= 1.9 * st.f else 0.0
    sh = max((inner.height() - text_h - mark_h - 1.0 - gap) / 2, 1.0)
    # "ours" / "yours" beside the strips when the node is wide enough to keep them readable
    painter.setFont(st.font_tiny)
    label_w = painter.fontMetrics().horizontalAdvance("yours") + 0.3 * st.f
    K = part.K
    labelled = inner.width() - label_w >= max(3.0 * K, 2.6 * st.f) and sh >= 0.62 * st.f
    x0 = inner.left() + (label_w if labelled else 0.0)
    strips = [QRectF(x0, inner.top() + i * (sh + gap), inner.right() - x0, sh) for i in (0, 1)]
    if labelled:
        painter.setPen(st.muted)
        for r, word in zip(strips, ("ours", "yours")):
            fit_text(fr, painter, QRectF(inner.left(), r.top(), label_w, r.height()), [word], [st.font_tiny],
                     ALIGN_L, ("student_label:" + part.name, t))
    cw = strips[0].width() / max(K, 1)
    values = _cell_texts(painter, st, part, t, cw, sh)
    for i, (r, rgba) in enumerate(zip(strips, part.colours(t))):
        painter.setPen(Qt.PenStyle.NoPen)
        for k in range(K):
            painter.setBrush(QColor(*[int(c) for c in rgba[k]]))
            painter.drawRect(QRectF(r.left() + k * cw, r.top(), cw + 0.5, r.height()))
        if values is not None:             # zoomed in: every unit's number in its cell
            for k in range(K):
                painter.setPen(_ink(rgba[k]))
                fit_text(fr, painter, QRectF(r.left() + k * cw + 1, r.top(), cw - 2, r.height()), values[i][k],
                         [st.font_small, st.font_tiny], ALIGN_C, (f"student_{'yours' if i else 'ours'}:{part.name}", t))
        painter.setPen(QPen(st.grid, 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(r)
    if part.labels:                        # the gates: each box's name on a chip across both strips
        marks.gate_chips(painter, fr, part, t, strips, cw)
    # the units that differ: a bar under each in the danger colour (differing neighbours make one bar)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.danger)
    y = strips[1].bottom() + 1.0
    for k in np.flatnonzero(part.bins_bad(t)):
        mark = QRectF(strips[1].left() + k * cw, y, cw + 0.5, mark_h)
        painter.drawRect(mark)
        if fr.drawn is not None:
            lo, hi = int(part.edges[k]), int(part.edges[k + 1])
            fr.drawn.append(("student_unit:" + part.name, t, mark, part.labels[k] if part.labels else
                             f"{lo + 1}" if hi - lo == 1 else f"{lo + 1}-{hi}", 0.0))
    if text_h:
        low = QRectF(inner.left(), y + mark_h, inner.width(), inner.bottom() - y - mark_h)
        n, k = part.differs.shape[0], int(part.differs[:, t].sum())
        painter.setPen(st.danger)
        if part.labels:                    # the gates: which of them differ
            which = " ".join(part.labels[i] for i in np.flatnonzero(part.differs[:, t]))
            texts = [f"{which} differ", f"≠ {which}", f"≠ {k}/{n}", f"≠{k}"]
        else:
            texts = [f"{k} of {n} differ", f"≠ {k} of {n}", f"≠ {k}/{n}", f"≠{k}"]
        fit_text(fr, painter, low, texts, [st.font_small, st.font_tiny], ALIGN_C, ("student:" + part.name, t))
    return True


def _cell_texts(painter: QPainter, st, part: Part, t: int, cw: float, sh: float):
    """The wordings of ours and theirs in every cell (2 x K lists, best first), when each fits its cell
    (all or none: a missing number would read as a unit left out); None otherwise."""
    if part.labels or part.K != part.ours.shape[0] or cw < 1.0 * st.f:
        return None                        # named bins (the gates), bins of units, or too narrow for any number
    painter.setFont(st.font_tiny)
    fm = painter.fontMetrics()
    if fm.capHeight() + 1 > sh:
        return None
    out = [[_forms(float(v)) for v in series[:, t]] for series in (part.ours, part.theirs)]
    if all(fm.horizontalAdvance(f[-1]) <= cw - 2 for row in out for f in row):
        return out
    return None


def paint_axis(painter: QPainter, fr, steps: range, left_px: float, right_px: float) -> None:
    """A bar under the step numbers of every failing step of this pass (runs of steps one bar; at
    most one bar per pixel when zoomed out, so a frame's cost is bounded by the width)."""
    ov = fr.student
    if ov is None or not steps:
        return
    g, st = fr.geom, fr.style
    P = g.col_px
    idx = np.flatnonzero(ov.failing[fr.backward][steps.start:steps.stop]) + steps.start
    if not idx.size:
        return
    gap = g.cols.gap_at
    cols = idx + 1.5 + (idx >= gap if gap is not None else 0)      # Columns.cx of every step at once
    x0 = np.floor((cols - 0.5) * P + min(2.0, 0.1 * P))
    x1 = np.ceil((cols + 0.5) * P - min(2.0, 0.1 * P))
    y = g.height_px - g.bottom_px + 1.42 * st.f
    h = 0.3 * st.f
    # touching bars (a run of failing steps, or steps a pixel apart zoomed out) make one: at most one
    # bar per two pixels of width, whatever T is
    new = np.r_[True, x0[1:] > np.maximum.accumulate(x1)[:-1] + 1.0]
    first = np.flatnonzero(new)
    starts, ends = x0[first], np.maximum.reduceat(x1, first)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.danger)
    for a, b in zip(starts, ends):
        lo, hi = max(float(a), left_px), min(max(float(b), float(a) + 2.0), right_px)
        if hi > lo:
            painter.drawRect(QRectF(lo, y, hi - lo, h))
            if fr.drawn is not None:
                fr.drawn.append(("student_axis", -1, QRectF(lo, y, hi - lo, h), "", 0.0))


def badge_texts(ov: Overlay, backward: bool, detailed: bool = True) -> list[str]:
    first = ov.first(backward)
    where = (f"they part at step {first + 1}" if first is not None else
             f"the same in the {'backward' if backward else 'forward'} pass")
    short = f"part at step {first + 1}" if first is not None else "the same here"
    if not detailed:      # the bands have no nodes to split: the axis marks say where
        return [f"yours ({ov.source}) differs from ours at the steps marked red · {where} · zoom in to see both",
                f"yours ({ov.source}) ≠ ours at the red steps · {short}", f"yours ({ov.source}) · {short}",
                "yours ≠ ours: red steps"]
    return [f"top: ours · below: yours ({ov.source}) · {where}", f"ours / yours ({ov.source}) · {short}",
            f"ours / yours ({ov.source})", "ours / yours"]


def paint_badge(painter: QPainter, w: float, item, x: float, y: float, right: float) -> None:
    """'ours / yours (file)' with a small split box, at (x, y) and no further right than `right`."""
    ov = getattr(item, "student", None)
    if ov is None:
        return
    st = item.style
    f = st.f
    painter.setFont(st.font_small)
    fm = painter.fontMetrics()
    gw, gh = 1.6 * f, 1.0 * f
    room = right - x - gw - 0.5 * f
    text = next((s for s in badge_texts(ov, item.backward, item.geom.detailed) if fm.horizontalAdvance(s) <= room), "")
    if room <= 0:
        return
    glyph = QRectF(x, y + 0.1 * f, gw, gh)
    half = gh / 2 - 1
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.muted)
    painter.drawRect(QRectF(glyph.left(), glyph.top(), gw, half))
    painter.drawRect(QRectF(glyph.left(), glyph.top() + half + 2, gw, half))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(st.danger, 1.8))
    painter.drawRect(QRectF(glyph.left() + 0.55 * gw, glyph.top() - 1, 0.3 * gw, gh + 2))
    painter.setPen(st.danger if ov.first(item.backward) is not None else st.fg)
    r = QRectF(glyph.right() + 0.4 * f, y, room, 1.2 * f)
    painter.drawText(r, ALIGN_L, text)
    drawn = getattr(item, "drawn", None)
    if drawn is not None:
        drawn.append(("student_badge", -1, r, text, float(fm.horizontalAdvance(text))))
