"""What stays put while the graph scrolls, drawn in viewport pixels: the title and the phase, the row
names in a left gutter, the colour legends, and the overflow message. Part of every export.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QLinearGradient, QPainter, QPen

from rnnviz.app import colors
from rnnviz.app.views.graph_data import EDGE_HELP
from rnnviz.app.views.graph_layout import KINDS, fmt_sci

ROW_NAMES = {"L": "L⟨t⟩", "y": "ŷ⟨t⟩", "a": "a⟨t⟩", "x": "x⟨t⟩"}
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def gutter_px(f: float) -> float:
    return 3.6 * f


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


def subtitle(item) -> str:
    return subtitles(item)[0]


def subtitles(item) -> list[str]:
    """What the graph shows now, longest first: the title line shows the longest that fits, so a
    narrow graph says "step 62 / 65" rather than "…at step 62 of 6"."""
    d = item.data
    if d is None:
        return [""]
    T, k = d.T, item.t + 1
    step = [f"step {k} / {T}"]
    if not item.backward:
        out = [f"forward pass · step {k} of {T}", f"forward · step {k} / {T}"] + step
    else:
        what = "∂L/∂a⟨t⟩ (total loss)" if d.flow == "total" else "∂L⟨T⟩/∂a⟨t⟩ (last loss only)"
        short = "∂L/∂a⟨t⟩" if d.flow == "total" else "∂L⟨T⟩/∂a⟨t⟩"
        out = [f"backward (BPTT) · {what} at step {k} of {T}", f"BPTT · {short} at step {k} of {T}",
               f"BPTT · step {k} / {T}"] + step
    if item.hover is not None and item.hover.what == "edge":
        out.insert(0, EDGE_HELP[item.hover.kind])   # too long? the tooltip says it too
    return out


def fitting(fm, texts: list[str], width: float) -> str:
    """The first of texts (longest first) that fits in width pixels with font metrics fm ('' if none)."""
    return next((t for t in texts if fm.horizontalAdvance(t) <= width), "")


def title_line(item, w: float) -> tuple[str, str, float]:
    """(title, subtitle, room for the subtitle in pixels) for a graph w pixels wide: the longest
    texts that fit, left of the zoom buttons."""
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
    if tr.first_nonfinite is not None:
        k = tr.first_nonfinite + 1
        return f"Overflow: a⟨{k}⟩ is ∞/NaN from step {k} on (the forward pass blew up)"
    if tr.first_nonfinite_grad is not None and item.backward:
        k = tr.first_nonfinite_grad + 1
        return f"Exploding gradient: ∂L/∂a⟨{k}⟩ overflows to ∞/NaN at step {k}"
    return ""


def paint(painter: QPainter, w: float, h: float, item, buttons: bool = False) -> None:
    st = item.style
    f = st.f
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    bg = QColor(st.bg)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(bg)
    painter.drawRect(QRectF(0, 0, w, top_px(f)))
    painter.drawRect(QRectF(0, 0, gutter_px(f), h))
    painter.setFont(st.font_title)
    painter.setPen(st.fg)
    title, sub, room = title_line(item, w)
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
        mw = painter.fontMetrics().horizontalAdvance(msg) + 2 * f
        r = QRectF(max(w - mw, 0.8 * f), top_px(f), min(mw, w), 1.6 * f)
        painter.fillRect(r, bg)
        painter.drawText(r.adjusted(0.5 * f, 0, -0.5 * f, 0), _LEFT, msg)
    if item.data is None:
        return
    g = item.geom
    painter.setFont(st.font_bold)
    painter.setPen(st.fg)
    for kind in KINDS:
        painter.drawText(QRectF(0.3 * f, g.cy(kind) - f, gutter_px(f) - 0.6 * f, 2 * f), _RIGHT, ROW_NAMES[kind])
    painter.setFont(st.font_small)
    painter.setPen(st.muted)
    painter.drawText(QRectF(0.3 * f, g.height_px - g.bottom_px + 0.15 * f, gutter_px(f) - 0.6 * f, 1.3 * f),
                     _RIGHT, "step t")
    _legends(painter, w, h, item)


BAR_EM = (4.0, 7.0)   # a colour bar's length in font sizes: shorter when the graph is narrow


def _colorbar(painter: QPainter, x: float, y: float, cmap, label: str, lo: str, hi: str, st, mid: str = "",
              bar_em: float = BAR_EM[1]) -> float:
    """A labelled horizontal colour bar at (x, y); returns the x where the next legend can start."""
    f = st.f
    painter.setFont(st.font_small)
    painter.setPen(st.fg)
    lw = painter.fontMetrics().horizontalAdvance(label)
    painter.drawText(QRectF(x, y, lw + 4, 1.2 * f), _LEFT, label)
    bx, bw, bh = x + lw + 0.5 * f, bar_em * f, 0.75 * f
    grad = QLinearGradient(QPointF(bx, 0), QPointF(bx + bw, 0))
    for i in range(17):
        grad.setColorAt(i / 16, colors.qcolor(cmap, i / 16))
    painter.setPen(QPen(st.muted, 1.0))
    painter.setBrush(grad)
    bar = QRectF(bx, y + 0.22 * f, bw, bh)
    painter.drawRect(bar)
    painter.setPen(st.muted)
    ty = bar.bottom() + 0.1 * f
    painter.drawText(QRectF(bx - 2 * f, ty, 4 * f, 1.1 * f), Qt.AlignmentFlag.AlignCenter, lo)
    painter.drawText(QRectF(bx + bw - 2 * f, ty, 4 * f, 1.1 * f), Qt.AlignmentFlag.AlignCenter, hi)
    if mid:
        painter.drawText(QRectF(bx + bw / 2 - 2 * f, ty, 4 * f, 1.1 * f), Qt.AlignmentFlag.AlignCenter, mid)
    return bx + bw + 2.6 * f


def legend_plan(item, w: float):
    """(bars, text lines, start x, bar length in font sizes, end x) of the colour legends' row: the
    bars get shorter (down to BAR_EM[0]) and then the row starts further left, so it fits the width."""
    st, d, g = item.style, item.data, item.geom
    f = st.f
    lim = f"{d.a_limit:.2g}"
    units = "a⟨t⟩ units" if len(d.units) == d.trace.n_a else f"a⟨t⟩ ({len(d.units)} of {d.trace.n_a} units)"
    bars = [(colors.diverging(), units, "−" + lim, lim, "0")]
    lines = []
    if not g.detailed and d.mode != "value":
        bars.append((colors.sequential(), "ŷ row: p(target)", "0", "1", ""))
    elif not g.detailed:
        lines = [("ŷ row:", st.fg), ("— ŷ⟨t⟩", st.fg), ("— target y⟨t⟩", st.target)]
    if item.backward:
        lo, hi = d.g_range
        label = "‖∂L/∂a⟨t⟩‖" if d.flow == "total" else "‖∂L⟨T⟩/∂a⟨t⟩‖"
        bars.append((colors.magnitude(), label + " (log)", fmt_sci(10 ** lo), fmt_sci(10 ** hi), ""))
    fm = QFontMetricsF(st.font_small)
    fixed = sum(fm.horizontalAdvance(b[1]) + 3.1 * f for b in bars)
    fixed += sum(fm.horizontalAdvance(t) + 0.6 * f for t, _c in lines) + (2.0 * f if lines else 0.0)
    x = gutter_px(f)
    bar_em = min(max((w - x - 0.5 * f - fixed) / (len(bars) * f), BAR_EM[0]), BAR_EM[1])
    if x + fixed + len(bars) * bar_em * f > w:
        x = 0.6 * f
    return bars, lines, x, bar_em, x + fixed + len(bars) * bar_em * f


def _legends(painter: QPainter, w: float, h: float, item) -> None:
    st = item.style
    f = st.f
    y = h - 2.55 * f
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(st.bg))
    painter.drawRect(QRectF(0, y - 0.2 * f, w, h - y + 0.2 * f))
    bars, lines, x, bar_em, _end = legend_plan(item, w)
    x = _colorbar(painter, x, y, *bars[0][:4], st, mid=bars[0][4], bar_em=bar_em)
    if lines:
        painter.setFont(st.font_small)
        for text, c in lines:
            painter.setPen(c)
            tw = painter.fontMetrics().horizontalAdvance(text)
            painter.drawText(QRectF(x, y, tw + 4, 1.2 * f), _LEFT, text)
            x += tw + 0.6 * f
        x += 2.0 * f
    for bar in bars[1:]:
        x = _colorbar(painter, x, y, *bar[:4], st, mid=bar[4], bar_em=bar_em)
    if not item.backward and x < w - 16 * f:
        painter.setFont(st.font_small)
        painter.setPen(st.muted)
        painter.drawText(QRectF(x, y, w - x - f, 1.2 * f), _LEFT,
                         "wheel: zoom · drag: pan · F: fit · click a node: go to its step")
