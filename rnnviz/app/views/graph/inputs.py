"""The bottom of the zoomed-out graph: the x⟨t⟩ row and the step axis.

x⟨t⟩ never turns into a dotted line: characters are written down to a 7-pixel font (every one of
them, none skipped); narrower than that, each character is a colour (the same character, the same
colour) so repeats and patterns stay visible; numbers are a line through 0..1 of their range, or
their values when the columns are wide enough for every one of them. An input of several numbers
(the notes' n_x = 3, the adding problem's value and marker) is a strip of cells in the diverging
colours (its own symmetric range), each with its value when it fits; zoomed out, a heatmap band.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from rnnviz.app import colors, numfmt, scales
from rnnviz.app.views.graph.lines import polyline
from rnnviz.app.views.graph.text import RowFormat, fit_text

_ALIGN_C = Qt.AlignmentFlag.AlignCenter
MIN_CHAR_PX = 7        # smallest font the x row writes characters in
MAX_LABELS = 1000      # at most this many labels per frame (a frame's cost stays bounded)


@dataclass
class XVector:
    """x⟨t⟩ of several numbers: the units shown (at most 32), their colours, the colour limit."""
    units: list
    cells: np.ndarray            # (T, K, 4) uint8: step t's cells, left to right
    limit: float


def prepare(d, bands, images) -> None:
    """The x line (numbers), the x heatmap (vectors) or the x colour strip (text), once per trace."""
    images.pop("x")
    seq = d.trace.seq
    x = d.trace.x[0, 0, :] if seq.kind != "text" else None
    if x is not None and d.trace.n_x > 1:
        from rnnviz.app.views.graph.data import lut_rgba
        from rnnviz.app.views.graph.layout import subsample_units

        xs = d.trace.x[:, 0, :]                          # (n_x, T)
        units = subsample_units(d.trace.n_x, 32)
        lim = colors.signed_limit(xs)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            rgba = lut_rgba("diverging", (xs[units] / lim + 1.0) / 2.0)      # (K, T, 4)
        rgba[:, ~d.has_input] = 0
        bands.x_vector = XVector(units, np.ascontiguousarray(np.swapaxes(rgba, 0, 1)), lim)
        images.put("x", rgba)                            # K rows x T: the zoomed-out band
        images.put("x_cells", bands.x_vector.cells)      # T rows x K: one node's cells
        return
    if x is not None:
        bands.value_lines["x"] = scales.unit(x, *scales.finite_range(x))
        bands.value_bad["x"] = ~np.isfinite(x)
        return
    ids = d.trace.inputs.ids[:, 0] if d.trace.inputs is not None and d.trace.inputs.ids is not None else \
        np.argmax(d.trace.x[:, 0, :], axis=0)            # (T,) which character is fed
    rgba = colors.categorical(d.trace.n_x)[np.maximum(ids, 0)]
    rgba[~d.has_input | (ids < 0)] = 0
    images.put("x", rgba[None])


def _char_font(painter: QPainter, st, labels: list[str], width: float) -> QFont | None:
    """The largest font (bold body size down to MIN_CHAR_PX) in which every label fits `width`."""
    font = QFont(st.font_bold)
    labels = set(labels)   # the widest decides; each distinct character is measured once
    px = int(st.f)
    while px >= MIN_CHAR_PX:
        font.setPixelSize(px)
        painter.setFont(font)
        fm = painter.fontMetrics()
        if max((fm.horizontalAdvance(s) for s in labels), default=0) <= width:
            return font
        px -= 1
    return None


def paint_inputs(painter: QPainter, fr, steps: range) -> None:
    g, st, d = fr.geom, fr.style, fr.data
    x_top, x_bot = g.row_band("x")
    h = x_bot - x_top
    P = g.col_px
    if fr.bands.x_vector is not None:  # vectors: a heatmap of their numbers (the nodes write them)
        painter.drawImage(QRectF(g.cx(steps.start - 0.5) * P, x_top + 0.15 * h, len(steps) * P, 0.7 * h),
                          fr.images["x"], QRectF(steps.start, 0, len(steps), len(fr.bands.x_vector.units)))
        return
    if "x" in fr.bands.value_lines:   # numbers
        fmt = None
        if P >= 2.5 * st.f and len(steps) <= MAX_LABELS:
            fmt = RowFormat(painter, [st.font_small, st.font_tiny], d.trace.x[0, 0, steps.start:steps.stop], P - 4)
        if fmt is not None and fmt.ok:
            painter.setPen(st.fg)
            for t in steps:
                fmt.draw(fr, painter, QRectF(g.cx(t - 0.5) * P + 2, x_top, P - 4, h), float(d.trace.x[0, 0, t]),
                         _ALIGN_C, ("x", t))
        else:
            polyline(painter, fr, "x", steps, x_bot - 0.15 * h, 0.7 * h, st.fg)
        return
    key = (round(P, 3), steps.start, steps.stop, st.f)   # the font changes with the zoom and the view only
    memo = fr.memo
    if memo.get("x_font_key") != key:
        memo["x_font_key"] = key
        wide = P - 1 >= 0.45 * MIN_CHAR_PX and len(steps) <= MAX_LABELS   # else no character can fit
        memo["x_font"] = _char_font(painter, st, [d.input_text(t) for t in steps], P - 1) if wide else None
    font = memo["x_font"]
    memo["x_strip"] = font is None
    if font is None:   # too narrow to write: one colour per character
        painter.drawImage(QRectF(g.cx(steps.start - 0.5) * P, x_top + 0.3 * h, len(steps) * P, 0.4 * h),
                          fr.images["x"], QRectF(steps.start, 0, len(steps), 1))
        return
    for t in steps:
        painter.setPen(st.fg if d.has_input[t] else st.muted)
        fit_text(fr, painter, QRectF(g.cx(t - 0.5) * P, x_top, P, h), [d.input_text(t)], [font], _ALIGN_C, ("x", t))


def paint_number(painter: QPainter, fr, t: int, rect: QRectF) -> None:
    """The fed x⟨t⟩ of a detailed node: its number, or its numbers as a strip of cells."""
    vec = fr.bands.x_vector if fr.bands is not None else None
    if vec is None:
        fr.formats["x"].draw(fr, painter, rect, float(fr.data.trace.x[0, 0, t]), _ALIGN_C, ("x", t))
        return
    st = fr.style
    K = len(vec.units)
    pad = min(0.3 * st.f, 0.16 * rect.height())
    strip = rect.adjusted(1.0, pad, -1.0, -pad)
    painter.drawImage(strip, fr.images["x_cells"], QRectF(0, t, K, 1))
    cw = strip.width() / K
    x = fr.data.trace.x[:, 0, t]
    texts = [_forms(float(x[u])) for u in vec.units]
    # every cell's value or none (one number missing would read as an input of fewer numbers)
    painter.setFont(st.font_tiny)
    fm = painter.fontMetrics()
    write = fm.capHeight() + 1 <= strip.height() and all(fm.horizontalAdvance(f[-1]) <= cw - 2 for f in texts)
    for k in range(K):
        cell = QRectF(strip.left() + k * cw, strip.top(), cw, strip.height())
        if k:
            painter.setPen(QPen(st.panel, 1.0))
            painter.drawLine(cell.topLeft(), cell.bottomLeft())
        if write:
            painter.setPen(_ink(vec.cells[t, k]))
            fit_text(fr, painter, cell.adjusted(1, 0, -1, 0), texts[k], [st.font_small, st.font_tiny], _ALIGN_C, ("x", t))
    painter.setPen(QPen(st.grid, 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(strip)


def _forms(v: float) -> list[str]:
    """A number's wordings, best first, the last without its leading zero ('−.2')."""
    out = numfmt.forms(v, 2)
    last = out[-1]
    for zero in ("0.", numfmt.MINUS + "0."):
        if last.startswith(zero):
            out = out + [last.replace("0.", ".", 1)]
    return out


def _ink(rgba) -> QColor:
    """Black on the light and middle colours of the maps (CET-CBD1's gold and blue too), white on dark."""
    r, g, b = (int(c) for c in rgba[:3])
    return QColor("#000000") if 0.299 * r + 0.587 * g + 0.114 * b > 110 else QColor("#ffffff")


def paint_axis(painter: QPainter, fr, steps: range, left_px: float, right_px: float) -> None:
    """Step numbers (1-based) under the x row; the current step in the accent colour. Only labels wholly
    inside left_px..right_px (the visible part right of the row names) are drawn: one half-hidden under
    the gutter read as another number ('step t 155' for 1155)."""
    g, st = fr.geom, fr.style
    if not steps:
        return
    P = g.col_px
    k = scales.step_tick_spacing(P, 3.4 * st.f)
    y = g.height_px - g.bottom_px + 0.15 * st.f
    h = 1.3 * st.f
    painter.setFont(st.font_bold)
    fm = painter.fontMetrics()
    cur_w = fm.horizontalAdvance(str(fr.t + 1)) + 4
    cur_x = min(max(g.cx(fr.t) * P - cur_w / 2, left_px), right_px - cur_w)
    painter.setFont(st.font_small)
    painter.setPen(st.muted)
    fm = painter.fontMetrics()
    labels = [1] if steps.start == 0 else []
    labels += list(range(max(((steps.start + 1) // k) * k, k), steps.stop + 1, k))
    for s in labels:
        t = s - 1
        w = fm.horizontalAdvance(str(s)) + 4
        x = g.cx(t) * P - w / 2
        if x < left_px or x + w > right_px or (x < cur_x + cur_w + 0.4 * st.f and x + w > cur_x - 0.4 * st.f):
            continue   # cut off at an edge, or in the cursor's label's place
        painter.drawText(QRectF(x, y, w, h), _ALIGN_C, str(s))
        if fr.drawn is not None:
            fr.drawn.append(("axis", t, QRectF(x, y, w, h), str(s), float(w - 4)))
    painter.setFont(st.font_bold)
    painter.setPen(st.accent)
    painter.drawText(QRectF(cur_x, y, cur_w, h), _ALIGN_C, str(fr.t + 1))
    if fr.drawn is not None:
        fr.drawn.append(("axis", fr.t, QRectF(cur_x, y, cur_w, h), str(fr.t + 1), float(cur_w - 4)))
