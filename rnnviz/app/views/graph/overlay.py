"""What stays put while the graph scrolls, drawn in viewport pixels: the title and the phase, the row
names in a left gutter (the selected layer-direction's in the accent colour), the segments' names
(encoder, decoder), the colour legends (legends.py), and the overflow message. Part of every export.

The painters take a Frame (frame.py): its layout, style, data and cursor.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from rnnviz.app import flow as F
from rnnviz.app.views.graph.legends import _legend_items, _spot, legend_layout, paint_legends  # noqa: F401 (tests ask here)
from rnnviz.app.views.graph.margins import gutter_px, top_px
from rnnviz.app.views.graph.spec import Role

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter




BUTTONS = (("fit", "Fit"), ("out", "−"), ("in", "+"))


def button_rects(w: float, f: float) -> dict[str, QRectF]:
    """On-screen zoom buttons at the top right (never part of an export)."""
    out, x = {}, w - 0.6 * f
    for name, text in reversed(BUTTONS):
        bw = (2.8 if name == "fit" else 1.8) * f
        x -= bw
        out[name] = QRectF(x, 0.45 * f, bw, 1.7 * f)
        x -= 0.35 * f
    return out


def paint_buttons(painter: QPainter, w: float, st) -> None:
    painter.setFont(st.font_bold)
    rects = button_rects(w, st.f)
    for name, text in BUTTONS:
        r = rects[name]
        painter.setPen(QPen(st.muted, 1.0))
        painter.setBrush(st.panel)
        painter.drawRoundedRect(r, 5, 5)
        painter.setPen(st.fg)
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)


def subtitles(item) -> list[str]:
    """What the graph shows now, from the longest wording to the shortest (the first that fits is drawn).
    `item`: a Frame, or anything with its data, hover, t and backward."""
    d = item.data
    if d is None:
        return [""]
    T, s = d.T, item.t + 1
    if item.hover is not None and item.hover.what == "edge":
        e = next((e for e in d.spec.edges if e.key == item.hover.kind), None)
        if e is not None:
            return [e.help, e.help.split(",")[0].split(" (")[0], e.label or e.key]
    if not item.backward:
        return [f"forward pass · step {s} of {T}", f"forward · step {s}/{T}", f"{s}/{T}"]
    g = F.grad_symbol(d.flow)
    what = "total loss" if d.flow == F.TOTAL else "last loss only"
    if not d.spec.single:
        return [f"backward (BPTT) · {g} ({what}) back in time and down the layers · step {s} of {T}",
                f"backward (BPTT) · {g} ({what}) at step {s} of {T}", f"backward · {g} · step {s} of {T}",
                f"backward · {g} · {s}/{T}", f"{g} · {s}/{T}", f"{s}/{T}"]
    return [f"backward (BPTT) · {g} ({what}) at step {s} of {T}", f"backward · {g} · step {s} of {T}",
            f"backward · {g} · {s}/{T}", f"{g} · {s}/{T}", f"{s}/{T}"]


def subtitle(item) -> str:
    return subtitles(item)[0]


def fitting(fm, texts: list[str], width: float) -> str:
    """The first of texts (longest first) that fits in width pixels with font metrics fm ('' if none)."""
    return next((t for t in texts if fm.horizontalAdvance(t) <= width), "")


def title_line(item, w: float) -> tuple[str, str, float]:
    """(title, subtitle, room for the subtitle in pixels) for a graph w pixels wide: the longest
    texts that fit, left of the zoom buttons (a narrow graph says "62/65" rather than "…of 6")."""
    st = item.style
    f = st.f
    title = fitting(QFontMetricsF(st.font_title), ["Unrolled computational graph", "Unrolled graph"],
                    0.55 * (w - 10 * f)) or "Graph"
    tw = QFontMetricsF(st.font_title).horizontalAdvance(title)
    room = w - tw - 10 * f    # ends 8.4 f from the right, clear of the buttons
    return title, fitting(QFontMetricsF(st.font), subtitles(item), room), room


def message(item) -> str:
    """What went wrong numerically, in words ('' when all is finite)."""
    d = item.data
    if d is None:
        return "No sequence yet: type one in the sequence box."
    tr = d.trace
    if d.a_bad_from is not None:
        k = d.a_bad_from + 1
        return f"Overflow: a⟨{k}⟩ is ∞/NaN from step {k} on (the forward pass blew up)"
    if tr.first_nonfinite is not None:   # a<t> is finite: an output or a loss overflowed
        k = tr.first_nonfinite + 1
        what = "ŷ" if not np.isfinite(tr.y_hat[:, :, k - 1]).all() else "L"
        return f"Overflow: {what}⟨{k}⟩ is ∞/NaN (too large for a float)"
    if tr.first_nonfinite_grad is not None and item.backward:
        k = tr.first_nonfinite_grad + 1
        return f"Exploding gradient: ∂L/∂a⟨{k}⟩ overflows to ∞/NaN at step {k}"
    if d.silent_note and item.backward:
        return d.silent_note
    return ""


def paint(painter: QPainter, w: float, h: float, item, buttons: bool = False, to_view=None) -> None:
    """`item`: the Frame of the graph's current paint; `to_view(x)`: viewport x of scene x."""
    st = item.style
    f = st.f
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    bg = QColor(st.bg)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(bg)
    painter.drawRect(QRectF(0, 0, w, top_px(f)))
    painter.drawRect(QRectF(0, 0, item.geom.gutter_px or gutter_px(f), h))
    title, sub, room = title_line(item, w)
    painter.setFont(st.font_title)
    painter.setPen(st.fg)
    tw = painter.fontMetrics().horizontalAdvance(title)
    painter.drawText(QRectF(0.8 * f, 0.3 * f, tw + 4, 1.8 * f), _LEFT, title)
    painter.setFont(st.font)
    painter.setPen(st.accent if item.hover is not None and item.hover.what == "edge" else st.muted)
    painter.drawText(QRectF(1.6 * f + tw, 0.3 * f, max(room, 0), 1.8 * f), _LEFT, sub)
    if buttons:
        paint_buttons(painter, w, st)
    msg = message(item)
    if msg:
        painter.setFont(st.font_bold)
        painter.setPen(st.danger if item.data is not None else st.muted)
        fm = painter.fontMetrics()
        mw = min(fm.horizontalAdvance(msg) + 2 * f, w - 1.6 * f)
        r = QRectF(w - mw - 0.8 * f, top_px(f), mw, 1.6 * f)
        painter.fillRect(r, bg)
        inner = r.adjusted(0.5 * f, 0, -0.5 * f, 0)
        # a narrow graph gets the start of the message and an ellipsis, never a cut-off word
        painter.drawText(inner, _LEFT, fm.elidedText(msg, Qt.TextElideMode.ElideRight, int(inner.width())))
    if item.data is None:
        return
    g = item.geom
    gw = g.gutter_px or gutter_px(f)
    _row_names(painter, item, gw)
    painter.setFont(st.font_small)
    painter.setPen(st.muted)
    painter.drawText(QRectF(0.3 * f, g.height_px - g.bottom_px + 0.15 * f, gw - 0.6 * f, 1.3 * f),
                     _RIGHT, "step t")
    if not g.detailed and item.bands is not None and item.bands.loss_log:   # the bars' scale, as in the Losses tab
        painter.drawText(QRectF(0.3 * f, g.cy("L") + 0.75 * f, gw - 0.6 * f, 1.2 * f), _RIGHT, "log")
    _segment_names(painter, w, item, gw, to_view)
    from rnnviz.app.views.graph.student_paint import paint_badge   # a checked file's values: 'ours / yours (file)'
    paint_badge(painter, w, item, gw + 0.2 * f, top_px(f) + 0.1 * f, w - (mw + 1.4 * f if msg else 0.8 * f))
    paint_legends(painter, w, h, item)


def _row_names(painter: QPainter, item, gw: float) -> None:
    """Each row's name, right-aligned in the gutter; a cell's smaller rows in a smaller font when short."""
    st, g = item.style, item.geom
    f = st.f
    thin: dict = {}       # a cell's thin rows (c⟨t⟩'s belt, the gate strips), named together below
    for row in item.spec.rows:
        h = g.row_height(row.key)
        font = st.font_bold if h >= 1.25 * f or row.role not in (Role.GATE, Role.STATE) else st.font_small
        if h < 0.85 * f and row.block is not None and row.name != "a":
            thin.setdefault(row.block, []).append(row)
            continue      # a thin strip: its name would overlap its neighbours'; the tooltip names it
        painter.setFont(font)
        painter.setPen(st.accent if item.selected(row) else st.fg)
        r = QRectF(0.3 * f, g.cy(row.key) - f, gw - 0.6 * f, 2 * f)
        painter.drawText(r, _RIGHT, row.label)
        _record(item, "row:" + row.key, r, row.label, painter)
        _spot(item, "row:" + row.name, row.label, r)
    painter.setFont(st.font_tiny)
    painter.setPen(st.muted)
    for rows in thin.values():   # one small name over a cell's thin rows together: "c Γ" (LSTM), "Γ" (GRU)
        top, bottom = g.row_band(rows[0].key)[0], g.row_band(rows[-1].key)[1]
        if bottom - top < 0.6 * f:
            continue
        text = " ".join("Γ" if r.role == Role.GATE else r.name for r in rows)
        r = QRectF(0.3 * f, top, gw - 0.6 * f, bottom - top)
        painter.drawText(r, _RIGHT, text)
        _record(item, "row:" + "+".join(x.key for x in rows), r, text, painter)


def _record(item, kind: str, rect: QRectF, text: str, painter: QPainter) -> None:
    """Note what was written where, when the graph records its texts (Frame.drawn)."""
    drawn = getattr(item, "drawn", None)
    if drawn is not None:
        drawn.append((kind, -1, QRectF(rect), text, float(painter.fontMetrics().horizontalAdvance(text))))


def _segment_names(painter: QPainter, w: float, item, gw: float, to_view) -> None:
    """'encoder' and 'decoder' over their steps, 'context' over the column between them."""
    spec, g, st = item.spec, item.geom, item.style
    if not spec.encoder_decoder:
        return
    f = st.f
    vx = to_view
    if vx is None:
        return
    y = top_px(f) - 0.1 * f
    painter.setFont(st.font_small)
    fm = painter.fontMetrics()
    names = [(s.name, g.cx(s.start - 0.5), g.cx(s.stop - 0.5)) for s in spec.segments]
    ctx = g.cols.context_col
    names.append(("context", float(ctx), ctx + 1.0))
    for text, x0, x1 in names:
        a, b = max(vx(x0), gw), min(vx(x1), w)
        tw = fm.horizontalAdvance(text)
        if b - a < tw + 0.4 * f:
            continue
        painter.setPen(st.muted)
        painter.drawText(QRectF(a, y, b - a, 1.3 * f), Qt.AlignmentFlag.AlignCenter, text)
        _record(item, "segment", QRectF(a, y, b - a, 1.3 * f), text, painter)
        if text != "context":
            painter.setPen(QPen(st.grid, 1.0))
            mid = (a + b) / 2
            painter.drawLine(QPointF(a + 0.3 * f, y + 0.65 * f), QPointF(mid - tw / 2 - 0.4 * f, y + 0.65 * f))
            painter.drawLine(QPointF(mid + tw / 2 + 0.4 * f, y + 0.65 * f), QPointF(b - 0.3 * f, y + 0.65 * f))
