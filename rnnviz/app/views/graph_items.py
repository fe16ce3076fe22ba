"""The graphics item that draws the unrolled graph: one QGraphicsObject that paints only the steps in
the exposed rectangle, so T = 10,000 costs no more per frame than T = 10.

The view scales x only (one scene unit per column) and y is in pixels. `paint` undoes the horizontal
scale and draws in "pixel space" (x_px = scene x * col_px), so text and boxes keep their shape; any
uniform scale of the painter (an export at 2x) is kept. Detailed nodes are drawn by graph_nodes.py,
zoomed-out bands by graph_bands.py.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from rnnviz.app import colors
from rnnviz.app.views import graph_bands, graph_inputs, graph_nodes
from rnnviz.app.views.graph_data import GraphData
from rnnviz.app.views.graph_overlay import gutter_px
from rnnviz.app.views.graph_layout import Geometry, Hit

DIM = 0.26   # opacity of steps the forward pass has not reached yet


class Style:
    """Fonts and colours for one theme and text size."""

    def __init__(self, palette: colors.Palette, presentation: bool = False, f: float | None = None):
        self.pal, self.presentation = palette, presentation
        self.nominal_f = 20.0 if presentation else 15.0
        self.f = self.nominal_f if f is None else f   # smaller when the graph is short (GraphCanvas)
        self.font = self._font(1.0)
        self.font_small = self._font(0.8)
        self.font_tiny = self._font(0.68)   # the last resort before a box stays empty
        self.font_big = self._font(1.45, bold=True)
        self.font_bold = self._font(1.0, bold=True)
        self.font_title = self._font(1.2, bold=True)
        q = QColor
        self.fg, self.muted, self.bg = q(palette.foreground), q(palette.muted), q(palette.background)
        self.panel, self.grid, self.accent = q(palette.panel), q(palette.grid), q(palette.accent)
        self.backward, self.danger, self.target = q(palette.backward), q(palette.danger), q(palette.target)
        self.edge = QColor(self.fg)
        self.edge.setAlphaF(0.55)
        self.accent_soft = QColor(self.accent)
        self.accent_soft.setAlphaF(0.10)
        self.hover_soft = QColor(self.fg)
        self.hover_soft.setAlphaF(0.05)

    def at_size(self, f: float) -> "Style":
        """The same style with body text of f pixels."""
        return self if f == self.f else Style(self.pal, self.presentation, f)

    def _font(self, scale: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(max(int(round(self.f * scale)), 8))
        font.setBold(bold)
        return font


def rgba_image(arr: np.ndarray) -> QImage:
    """(h, w, 4) uint8 -> QImage sharing a contiguous copy (kept alive on the image object)."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    h, w = arr.shape[:2]
    img = QImage(arr.data, w, h, w * 4, QImage.Format.Format_RGBA8888)
    img._keep = arr  # the QImage does not own the buffer
    return img


class GraphItem(QGraphicsObject):
    """Paints nodes, edges, the BPTT pulse and the step axis for the steps in view."""

    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptHoverEvents(True)
        self.data: GraphData | None = None
        self.geom = Geometry(T=0, col_px=100.0, height_px=400.0)
        self.style = Style(colors.LIGHT)
        self.position = 0.0           # the timeline position (fractional while playing)
        self.hover: Hit | None = None
        self.hover_t = -1             # step hovered in another view
        self.images: dict = {}
        self.loss_scaled = None
        self.loss_bad = None
        self.loss_log = False         # the L row's bars on a log10 scale (as in the Losses tab)
        self.value_lines: dict = {}   # 0..1 series of the bands (graph_bands.prepare)
        self.value_bad: dict = {}     # where those series are not finite
        self.x_strip = False
        self.drawn: list | None = None  # set to [] to record every text drawn (graph_text.fit_text)
        self.formats: dict = {}         # how each row writes its numbers, chosen per paint (graph_nodes)

    # ---------------------------------------------------------------- inputs
    def set_data(self, data: GraphData | None) -> None:
        self.prepareGeometryChange()
        self.data = data
        self.images = {}
        self._x_font_key = None   # graph_inputs: the x row's font, chosen again for a new trace
        self.x_strip = False      # the x row shows a colour per character (too narrow to write them)
        if data is not None:
            self.images["strip"] = rgba_image(data.a_rgba)                    # (T+1) rows x K units
            self.images["band"] = rgba_image(np.swapaxes(data.a_rgba, 0, 1))  # K rows x (T+1) steps
            self.refresh_gradient_colours()
            graph_bands.prepare(self)
        self.update()

    def refresh_gradient_colours(self) -> None:
        d = self.data
        lo, hi = d.g_range
        g = d.da_norm if d.flow == "total" else d.da_last_norm
        with np.errstate(divide="ignore", invalid="ignore"):
            fr = np.clip((np.log10(g) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
        fr[~(np.isfinite(g) & (g > 0))] = np.nan   # log10 of 0 or inf has no colour
        rgba = np.asarray(colors.magnitude().map(np.nan_to_num(fr, nan=0.0), mode="byte"), np.uint8)
        rgba = rgba.reshape(d.T, 4).copy()
        rgba[~np.isfinite(fr)] = (150, 150, 150, 255)
        self.grad_frac = fr
        self.images["grad"] = rgba_image(rgba[None])   # 1 row x T steps

    def set_geometry(self, geom: Geometry) -> None:
        if geom != self.geom:
            self.prepareGeometryChange()
            self.geom = geom
            self.update()

    def set_style(self, style: Style) -> None:
        self.style = style
        self.update()

    # ---------------------------------------------------------------- cursor helpers
    @property
    def T(self) -> int:
        return self.data.T if self.data is not None else 0

    @property
    def backward(self) -> bool:
        return self.position >= self.T

    @property
    def t(self) -> int:
        p = int(self.position)
        return p if p < self.T else 2 * self.T - 1 - p

    @property
    def back_step(self) -> float:
        """Fractional step the gradient pulse has reached (T-1 .. 0) in the backward phase."""
        return 2 * self.T - 1 - self.position

    def opacity_of(self, t: int) -> float:
        """Forward phase: reached steps opaque, the next one fades in while playing, later ones dim."""
        if self.backward or t <= self.t:
            return 1.0
        if t == self.t + 1:
            frac = self.position - math.floor(self.position)
            return DIM + (1.0 - DIM) * frac
        return DIM

    def grad_reached(self, t: int) -> bool:
        return self.backward and t >= self.back_step - 1e-9

    def edge_width(self, t: int) -> float:
        """Waa edge carrying the gradient back from a<t>: wider for larger (log) magnitudes."""
        fr = self.grad_frac[t] if self.data is not None else float("nan")
        return 1.5 if not math.isfinite(fr) else 1.5 + 7.5 * fr

    # ---------------------------------------------------------------- QGraphicsItem
    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, float(self.T + 1), float(self.geom.height_px))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.data is None:
            return
        wt = painter.worldTransform()
        s = wt.m22() or 1.0
        P = wt.m11() / s   # pixels (before any export scaling) per column
        if abs(P - self.geom.col_px) > 1e-6 * max(P, 1.0):
            return  # the view is mid-update; it repaints with a matching geometry
        ex = option.exposedRect
        steps = self.geom.steps_between(ex.left(), ex.right())
        painter.save()
        painter.setTransform(QTransform(s, 0.0, 0.0, s, wt.dx(), wt.dy()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        if self.geom.detailed:
            graph_nodes.paint_detailed(self, painter, steps)
        else:
            graph_bands.paint_bands(self, painter, steps)
        # the viewport's left edge, right of the row names, in pixel space (the exposed rect stops at 0)
        left = gutter_px(self.style.f) - wt.dx() / s
        graph_inputs.paint_axis(self, painter, steps, left, ex.right() * P)
        painter.restore()

    # ---------------------------------------------------------------- hover
    def hoverMoveEvent(self, event) -> None:
        p = event.pos()
        hit = self.geom.hit(p.x(), p.y()) if self.data is not None else None
        if hit != self.hover:
            self.hover = hit
            self.update()
            self.hover_changed_cb(hit)

    def hoverLeaveEvent(self, event) -> None:
        if self.hover is not None:
            self.hover = None
            self.update()
            self.hover_changed_cb(None)

    def hover_changed_cb(self, hit: Hit | None) -> None:
        """Replaced by the view (tooltips, AppState.set_hover)."""
