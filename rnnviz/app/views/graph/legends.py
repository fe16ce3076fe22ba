"""The colour legends of the graph, in one line under the step axis (part of the overlay, overlay.py):
a⟨t⟩'s units, c⟨t⟩'s (its own range), x⟨t⟩'s cells, the gates (and the strips' order when they are
strips), the ŷ row, the gradient's size in the backward pass; full wording when it fits, else shorter
labels and bars, else as many as fit. Drawn in viewport pixels from the Frame of the graph's paint.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPen

from rnnviz.app import colors, numfmt
from rnnviz.app import flow as F
from rnnviz.app.views.graph.margins import gutter_px
from rnnviz.app.views.graph.painters import GATE_BOX_EM
from rnnviz.app.views.eq_format import TILDE_FAMILIES
from rnnviz.app.views.graph.spec import GATE_SYMBOL, SIGNED_GATES, Role

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


_STOPS: dict = {}



def _spot(item, kind: str, text: str, rect: QRectF) -> None:
    """Note where a row name or a colour legend was painted, in viewport pixels (the help's tooltips)."""
    spots = getattr(item, "spots", None)
    if spots is not None:
        spots.append((kind, text, QRectF(rect)))

def _stops(cmap) -> list[QColor]:
    """17 colours along a colour map (kept: every frame draws the legends)."""
    hit = _STOPS.get(id(cmap))
    if hit is None or hit[0] is not cmap:
        if len(_STOPS) > 32:
            _STOPS.clear()
        hit = _STOPS[id(cmap)] = (cmap, [colors.qcolor(cmap, i / 16) for i in range(17)])
    return hit[1]


def _label_font(st, label: str) -> QFont:
    """The legends' small font; for a label with c̃ (the gate strips' order) one of the faces that draw
    its tilde over the c (DejaVu Sans puts it under the c, or over the next letter)."""
    if "c\u0303" not in label:
        return st.font_small
    font = QFont(st.font_small)
    font.setFamilies([*TILDE_FAMILIES, *font.families()])
    return font


def _colorbar(painter: QPainter, x: float, y: float, cmap, label: str, lo: str, hi: str, st, mid: str = "",
              bar_w: float = 7.0, draw: bool = True) -> float:
    """A labelled horizontal colour bar at (x, y) `bar_w` font sizes long; returns the x where the next
    legend can start (draw=False only measures)."""
    f = st.f
    painter.setFont(st.font_small)
    fm = painter.fontMetrics()
    label_font = _label_font(st, label)
    lw = QFontMetricsF(label_font).horizontalAdvance(label)
    # long enough that the end labels (and the middle one) never overlap
    need = (fm.horizontalAdvance(lo) + fm.horizontalAdvance(hi)) / 2 + (fm.horizontalAdvance(mid) + 1.2 * f if mid else 0.6 * f)
    bx, bw, bh = x + lw + 0.5 * f, max(bar_w * f, need), 0.75 * f
    end = bx + bw + max(fm.horizontalAdvance(hi) / 2, 0.3 * f)
    if not draw:
        return end + 2.0 * f
    painter.setPen(st.fg)
    painter.setFont(label_font)
    painter.drawText(QRectF(x, y, lw + 4, 1.2 * f), _LEFT, label)
    painter.setFont(st.font_small)
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
        label, short = f"gates {names} (mean)", "Γ"
        if g.detailed and _gate_strips(item):   # no symbol on a strip: which one is which, top down
            order = " ".join(GATE_SYMBOL[g_] for g_ in next(iter(d.gates.values())).names)
            label, short = f"gate strips ↓ {order} (mean)", f"↓ {order}"   # compact: still the order
        out.append((colors.sequential(), short if compact else label, "0", "1", ""))
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


def _gate_strips(item) -> bool:
    """Whether the detailed graph draws its gates as strips (rows too short for σ boxes)."""
    g, f = item.geom, item.style.f
    return any(g.places[r.key].node_h < GATE_BOX_EM * f for r in item.spec.rows if r.role == Role.GATE)


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


HINTS = ("wheel: zoom · drag: pan · F: fit · click a node: go to its step", "wheel: zoom · drag: pan · F: fit")
# zoomed out, the steps are too narrow for their numbers: how to see them (always said, in some wording)
BAND_HINTS = ("no room for the numbers: zoom in (+ or wheel), or see this step's in Equations",
              "numbers: zoom in (+ or wheel) · this step's: Equations", "zoom in (+) for the numbers",
              "+: numbers")


def hints(item) -> tuple[str, ...]:
    """The legend row's last words, longest first: how to move about, or (bands) how to see the numbers."""
    return HINTS if item.geom.detailed else BAND_HINTS


def legend_layout(painter: QPainter, w: float, item) -> tuple[list, list[float], bool]:
    """(entries, where each ends, compact) of the legend row: full wording when it fits, else shorter
    labels and bars; entries ending past the graph's width are not drawn. Zoomed out (bands), the row
    keeps room for the shortest hint on how to see the numbers (compact legends when it must)."""
    st = item.style
    f = st.f
    x0 = item.geom.gutter_px or gutter_px(f)
    need = 0.0
    if not item.backward and not item.geom.detailed:
        painter.setFont(st.font_small)
        need = painter.fontMetrics().horizontalAdvance(BAND_HINTS[-2]) + f
    for compact in (False, True):
        entries = _legend_items(item, compact)
        x = x0
        ends = []
        for e in entries:
            x = _legend(painter, x, 0.0, st, e, compact, draw=False)
            ends.append(x - 2.0 * f)
        if ends[-1] + (2.0 * f + need if need else 0.0) <= w - 0.5 * f or compact:
            break
    return entries, ends, compact


def paint_legends(painter: QPainter, w: float, h: float, item) -> None:
    """The colour legends in one line under the step axis: full wording when it fits, else shorter
    labels and bars, else as many legends as fit (the rest are in the tooltips and the other tabs);
    then, in the forward pass, the hint that fits (zoomed out: how to see the numbers)."""
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
        bands = not item.geom.detailed
        painter.setPen(st.fg if bands else st.muted)      # (zoomed out it says where the numbers went)
        room = QRectF(x, y, w - x - f, 1.2 * f)
        fm = painter.fontMetrics()
        text = next((s for s in hints(item) if fm.horizontalAdvance(s) <= room.width()), "")
        painter.drawText(room, _LEFT, text)
        if text and getattr(item, "drawn", None) is not None:
            item.drawn.append(("hint", -1, QRectF(room), text, float(fm.horizontalAdvance(text))))
