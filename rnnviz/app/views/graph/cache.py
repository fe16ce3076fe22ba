"""Pixmaps of the detailed graph's columns, so that a frame on screen draws each column with one
pixmap and repaints only the columns whose picture changed (the cursor's, the ones BPTT just
reached): stepping and the backward animation cost a few columns, not the whole view.

A column's pixmap holds what nodes.paint_column (handed to draw) paints for it (its edges reach into
the neighbouring columns, so the pixmap spans from the previous column's centre to the next one's). Its key lists
everything that picture depends on; the pulse and the part of an edge it has crossed are drawn live
on top. Exports, scaled paints and recordings of the drawn texts never use the cache.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QPainter, QPixmap

from rnnviz.app.views.graph.columns import CONTEXT
from rnnviz.app.views.graph.frame import Frame
from rnnviz.app.views.graph.text import RowFormat

MAX_COLUMNS = 256


def _formats_key(formats: dict) -> tuple:
    out = []
    for k, f in formats.items():
        if isinstance(f, RowFormat):
            out.append((str(k), f.font.pixelSize(), f.font.bold(), f.with_prefix))
        elif isinstance(f, tuple) and f and isinstance(f[0], QFont):     # the ŷ labels' (font, with ✓)
            out.append((str(k), f[0].pixelSize(), f[0].bold(), f[1]))
        else:
            out.append((str(k), None))
    return tuple(sorted(out))


def _neighbours(fr: Frame, t: int) -> list[int]:
    """The steps whose BPTT state the column's picture depends on (its edges come from them)."""
    if t == CONTEXT:
        return [fr.geom.cols.gap_at - 1, fr.geom.cols.gap_at]
    if not 0 <= t < fr.T:
        return []                       # initial states: no edges into them, no gradient shown
    return [s for s in (t - 1, t, t + 1) if 0 <= s < fr.T]


def _senses(fr: Frame) -> list[tuple[int, int]]:
    """The (direction, depth) of the state rows: rows that share them share their BPTT front."""
    key = ("senses", id(fr.spec))
    if key not in fr.memo:
        fr.memo[key] = sorted({(r.direction, fr.depth(r)) for r in fr.spec.state_rows})
    return fr.memo[key]


def column_key(fr: Frame, t: int, formats_key: tuple) -> tuple:
    h = fr.hover
    hover = None
    if h is not None and h.what == "node" and h.t == t:
        hover = ("node", h.kind)
    elif h is not None and h.what == "edge":
        hover = ("edge", h.kind, fr.data.segment_of(max(h.t, 0)))
    reached = ()
    if fr.backward:   # the edges into the column light up once BPTT reached their source or their end
        near = _neighbours(fr, t)
        reached = tuple(fr.fronts.reached(s, direction, depth) for direction, depth in _senses(fr) for s in near)
    return (fr.geom._key(), fr.style, fr.data.flow, t, t == fr.t, fr.hover_t == t, hover, fr.selection,
            fr.backward, reached, formats_key, fr.student.token if fr.student is not None else None)


class ColumnCache:
    def __init__(self):
        self._columns: dict = {}      # t -> (key, pixmap, x0 in pixels)

    def clear(self) -> None:
        self._columns.clear()

    @staticmethod
    def formats_key(formats: dict) -> tuple:
        return _formats_key(formats)

    def draw(self, painter: QPainter, fr: Frame, t: int, opacity: float, formats_key: tuple, paint_column) -> None:
        """Column t from its pixmap, painted anew by paint_column(painter, fr, t) when its key changed."""
        key = column_key(fr, t, formats_key)
        entry = self._columns.get(t)
        if entry is None or entry[0] != key:
            g = fr.geom
            P = g.col_px
            x0 = math.floor((g.node_x(t) - 1.0) * P)
            x1 = math.ceil((g.node_x(t) + 1.0) * P)
            dev = painter.device()
            dpr = dev.devicePixelRatioF() if hasattr(dev, "devicePixelRatioF") else 1.0
            pix = QPixmap(max(int((x1 - x0) * dpr), 1), max(int(math.ceil(g.height_px * dpr)), 1))
            pix.setDevicePixelRatio(dpr)
            pix.fill(Qt.GlobalColor.transparent)
            p = QPainter(pix)
            try:
                p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
                p.translate(-x0, 0.0)
                paint_column(p, fr, t)
            finally:
                p.end()                 # a painter left open on a freed pixmap crashes Qt
            entry = self._columns[t] = (key, pix, x0)
        painter.setOpacity(opacity)
        painter.drawPixmap(QPointF(entry[2], 0.0), entry[1])

    def keep(self, columns: list[int]) -> None:
        """Forget the columns that left the view (the cache stays as small as the view)."""
        if len(self._columns) > len(columns) + 8 or len(self._columns) > MAX_COLUMNS:
            keep = set(columns)
            for t in [t for t in self._columns if t not in keep]:
                del self._columns[t]
