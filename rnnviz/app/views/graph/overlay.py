"""What stays put while the graph scrolls, drawn in viewport pixels: the title and the phase, the row
names in a left gutter (the selected layer-direction's in the accent colour), the segments' names
(encoder, decoder), the colour legends, and the overflow message. Part of every export.

The painters take a Frame (frame.py): its layout, style, data and cursor.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QLinearGradient, QPainter, QPen

from rnnviz.app import colors, numfmt
from rnnviz.app import flow as F
from rnnviz.app.views.graph.spec import GATE_SYMBOL, SIGNED_GATES, Role
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def gutter_px(f: float) -> float:
    """The gutter of the notes' four rows (x⟨t⟩, a⟨t⟩, ŷ⟨t⟩, L⟨t⟩)."""
    return 3.6 * f


def gutter_width(style, spec) -> float:
    """Wide enough for every row's name in the bold font (a[2]→, Γ[1]←...), at least gutter_px."""
    fm = QFontMetricsF(style.font_bold)
    widest = max((fm.horizontalAdvance(r.label) for r in spec.rows), default=0.0)
    return max(gutter_px(style.f), widest + 0.9 * style.f)


def top_px(f: float) -> float:
    return 2.6 * f


def bottom_px(f: float) -> float:
    return 4.3 * f


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
    _legends(painter, w, h, item)


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


def _spot(item, kind: str, text: str, rect: QRectF) -> None:
    """Note where a row name or a colour legend was painted, in viewport pixels (the help's tooltips)."""
    spots = getattr(item, "spots", None)
    if spots is not None:
        spots.append((kind, text, QRectF(rect)))


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


_STOPS: dict = {}


def _stops(cmap) -> list[QColor]:
    """17 colours along a colour map (kept: every frame draws the legends)."""
    hit = _STOPS.get(id(cmap))
    if hit is None or hit[0] is not cmap:
        if len(_STOPS) > 32:
            _STOPS.clear()
        hit = _STOPS[id(cmap)] = (cmap, [colors.qcolor(cmap, i / 16) for i in range(17)])
    return hit[1]


def _colorbar(painter: QPainter, x: float, y: float, cmap, label: str, lo: str, hi: str, st, mid: str = "",
              bar_w: float = 7.0, draw: bool = True) -> float:
    """A labelled horizontal colour bar at (x, y) `bar_w` font sizes long; returns the x where the next
    legend can start (draw=False only measures)."""
    f = st.f
    painter.setFont(st.font_small)
    fm = painter.fontMetrics()
    lw = fm.horizontalAdvance(label)
    # long enough that the end labels (and the middle one) never overlap
    need = (fm.horizontalAdvance(lo) + fm.horizontalAdvance(hi)) / 2 + (fm.horizontalAdvance(mid) + 1.2 * f if mid else 0.6 * f)
    bx, bw, bh = x + lw + 0.5 * f, max(bar_w * f, need), 0.75 * f
    end = bx + bw + max(fm.horizontalAdvance(hi) / 2, 0.3 * f)
    if not draw:
        return end + 2.0 * f
    painter.setPen(st.fg)
    painter.drawText(QRectF(x, y, lw + 4, 1.2 * f), _LEFT, label)
    grad = QLinearGradient(QPointF(bx, 0), QPointF(bx + bw, 0))
    for i, c in enumerate(_stops(cmap)):
        grad.setColorAt(i / 16, c)
    painter.setPen(QPen(st.muted, 1.0))
    painter.setBrush(grad)
    bar = QRectF(bx, y + 0.22 * f, bw, bh)
    painter.drawRect(bar)
    painter.setPen(st.muted)
    ty = bar.bottom() + 0.1 * f
    for text, cx in ((lo, bx), (hi, bx + bw), (mid, bx + bw / 2)):
        if text:
            tw = fm.horizontalAdvance(text) + 4
            painter.drawText(QRectF(cx - tw / 2, ty, tw, 1.1 * f), Qt.AlignmentFlag.AlignCenter, text)
    return end + 2.0 * f


def _legend_items(item, compact: bool) -> list[tuple]:
    """(colour map or None, label, lo, hi, mid) of each legend, in order; compact: shorter labels."""
    d, g = item.data, item.geom
    main = d.main
    lim = numfmt.short(main.limit, 2)
    K, n_a = len(main.units), d.trace.n_a
    if K == n_a:
        units = "a⟨t⟩" if compact else "a⟨t⟩ units"
    else:
        units = f"a⟨t⟩ ({K}/{n_a})" if compact else f"a⟨t⟩ ({K} of {n_a} units)"
    out = [(colors.diverging(), units, numfmt.MINUS + lim, lim, "" if compact else "0")]
    cells = [s for s in d.states.values() if s.ref.name == "c"]
    if cells:   # the LSTM's cell state: its own range (it is not squashed into −1..1)
        clim = numfmt.short(cells[0].limit, 2)
        out.append((colors.diverging(), "c⟨t⟩" if compact else "c⟨t⟩ units", numfmt.MINUS + clim, clim,
                    "" if compact else "0"))
    xv = item.bands.x_vector if item.bands is not None else None
    if xv is not None:   # x⟨t⟩ of several numbers: its cells' own range
        xl = numfmt.short(xv.limit, 2)
        out.append((colors.diverging(), "x⟨t⟩" if compact else "x⟨t⟩ inputs", numfmt.MINUS + xl, xl, "" if compact else "0"))
    if d.gates:
        names = " ".join(dict.fromkeys(GATE_SYMBOL[g_] for gs in d.gates.values() for g_ in gs.names if g_ not in SIGNED_GATES))
        out.append((colors.sequential(), "Γ" if compact else f"gates {names} (mean)", "0", "1", ""))
    if not g.detailed and d.mode != "value":
        what = "p(1)" if d.mode == "binary" else "p(target)"   # what graph_bands.prepare colours
        out.append((colors.sequential(), what if compact else f"ŷ row: {what}", "0", "1", ""))
    elif not g.detailed:
        out.append((None, "ŷ row:", "— ŷ⟨t⟩", "— target y⟨t⟩", ""))
    elif d.mode != "classes":   # a narrow node drops the names 'ŷ' and 'y': which line is which
        first = "p(1)" if d.mode == "binary" else "ŷ⟨t⟩"
        out.append((None, "" if compact else "ŷ nodes:", f"{first} above", "target y⟨t⟩ below", ""))
    strip = not g.detailed and d.trace.seq.kind == "text" and item.memo.get("x_strip", False)
    label = f"‖{F.grad_symbol(d.flow)}‖"
    if item.backward and d.silent_note:   # nothing to colour: every gradient is exactly 0
        out.append(("zero", f"{label} = 0" if compact else f"{label} = 0 at every step", "", "", ""))
    elif item.backward:
        lo, hi = d.g_range
        out.append((colors.magnitude(), label if compact else label + " (log)",
                    numfmt.short_pow10(lo), numfmt.short_pow10(hi), ""))
    if strip:   # too narrow to write the characters: say what the colours are
        out.append((None, "x: a colour per character (zoom in to read)" if not compact else "x: colour = character",
                    "", "", ""))
    return out


def _legend(painter: QPainter, x: float, y: float, st, entry, compact: bool, draw: bool) -> float:
    cmap, label, lo, hi, mid = entry
    f = st.f
    if isinstance(cmap, str) or cmap is None:   # words only: the ŷ lines, or why there is no colour
        painter.setFont(st.font_small)
        fm = painter.fontMetrics()
        parts = ((label, st.danger if isinstance(cmap, str) else st.fg), (lo, st.fg), (hi, st.target))
        for text, c in parts:
            if text:   # (an empty label: compact legend without its title)
                tw = fm.horizontalAdvance(text)
                if draw:
                    painter.setPen(c)
                    painter.drawText(QRectF(x, y, tw + 4, 1.2 * f), _LEFT, text)
                x += tw + 0.6 * f
        return x + 2.0 * f
    return _colorbar(painter, x, y, cmap, label, lo, hi, st, mid, 4.0 if compact else 7.0, draw)


def legend_layout(painter: QPainter, w: float, item) -> tuple[list, list[float], bool]:
    """(entries, where each ends, compact) of the legend row: full wording when it fits, else shorter
    labels and bars; entries ending past the graph's width are not drawn."""
    st = item.style
    f = st.f
    x0 = item.geom.gutter_px or gutter_px(f)
    for compact in (False, True):
        entries = _legend_items(item, compact)
        x = x0
        ends = []
        for e in entries:
            x = _legend(painter, x, 0.0, st, e, compact, draw=False)
            ends.append(x - 2.0 * f)
        if ends[-1] <= w - 0.5 * f or compact:
            break
    return entries, ends, compact


def _legends(painter: QPainter, w: float, h: float, item) -> None:
    """The colour legends in one line under the step axis: full wording when it fits, else shorter
    labels and bars, else as many legends as fit (the rest are in the tooltips and the other tabs)."""
    st = item.style
    f = st.f
    y = h - 2.55 * f
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(st.bg))
    painter.drawRect(QRectF(0, y - 0.2 * f, w, h - y + 0.2 * f))
    entries, ends, compact = legend_layout(painter, w, item)
    x = item.geom.gutter_px or gutter_px(f)
    for e, end in zip(entries, ends):
        if end > w - 0.5 * f:
            break
        _spot(item, "legend", e[1] or e[2], QRectF(x, y - 0.2 * f, end - x, 2.4 * f))
        x = _legend(painter, x, y, st, e, compact, draw=True)
    if not item.backward:
        painter.setFont(st.font_small)
        painter.setPen(st.muted)
        room = QRectF(x, y, w - x - f, 1.2 * f)
        fm = painter.fontMetrics()
        hints = ("wheel: zoom · drag: pan · F: fit · click a node: go to its step", "wheel: zoom · drag: pan · F: fit")
        painter.drawText(room, _LEFT, next((s for s in hints if fm.horizontalAdvance(s) <= room.width()), ""))
