"""The graphics item that draws the unrolled graph: one QGraphicsObject that paints only the steps in
the exposed rectangle, so T = 10,000 (and 4 layers x 2 directions) costs no more per frame than T = 10.

The view scales x only (one scene unit per column) and y is in pixels. `paint` undoes the horizontal
scale and draws in "pixel space" (x_px = scene x * col_px), so text and boxes keep their shape; any
uniform scale of the painter (an export at 2x) is kept. It hands a Frame (frame.py) to the painters:
nodes.py for the detailed level (painters.py per node), bands.py for the zoomed-out one, inputs.py
for the step axis.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from rnnviz.app import colors
from rnnviz.app.views.graph import bands, inputs, nodes, student_paint
from rnnviz.app.views.graph.cache import ColumnCache
from rnnviz.app.views.graph.data import GraphData, lut_rgba
from rnnviz.app.views.graph.frame import Frame, grad_fractions
from rnnviz.app.views.graph.images import ImageCache
from rnnviz.app.views.graph.layout import Geometry, Hit
from rnnviz.app.views.graph.spec import GraphSpec
from rnnviz.app.views.graph.style import Style
from rnnviz.core.timeline import Timeline

_EMPTY = GraphSpec((), (), (), 0)


class GraphItem(QGraphicsObject):
    """Paints nodes, edges, the BPTT pulse and the step axis for the steps in view."""

    hover_changed = Signal(object)    # Hit or None: what the mouse is over

    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptHoverEvents(True)
        self.data: GraphData | None = None
        self.geom = Geometry(_EMPTY, col_px=100.0, height_px=400.0)
        self.style = Style(colors.LIGHT)
        self.timeline = Timeline(0)
        self.position = 0.0           # the timeline position (fractional while playing)
        self.hover: Hit | None = None
        self.hover_t = -1             # step hovered in another view
        self.selection: tuple[int, int] | None = None
        self.images = ImageCache()
        self.bands = None
        self.grad_frac: dict = {}
        self.memo: dict = {}
        self.drawn: list | None = None  # set to [] to record every text drawn (text.fit_text)
        self.cache = ColumnCache()      # the detailed columns as pixmaps, on screen only
        self.exporting = False          # GraphView.render: paint everything live (vector, any scale)
        self.formats: dict = {}         # how each row wrote its numbers in the last paint
        self.student = None             # student.Overlay: File ▸ Check my implementation…'s values, or None

    # ---------------------------------------------------------------- inputs
    def set_data(self, data: GraphData | None) -> None:
        self.prepareGeometryChange()
        self.data = data
        self.images.clear()
        self.cache.clear()
        self.memo = {}                # the x row's font is chosen again for a new trace
        if data is not None:
            self.timeline = Timeline(data.T, data.spec.segments)
            for key, s in data.states.items():
                self.images.define(("strip", key), lambda s=s: s.rgba)                       # (T+2) rows x K
                self.images.define(("band", key), lambda s=s: np.swapaxes(s.rgba, 0, 1))     # K rows x (T+2)
            for key, gs in data.gates.items():
                for i in range(len(gs.names)):
                    self.images.define(("gate", key, i), lambda gs=gs, i=i: gs.rgba[i][None])
            self.refresh_gradient_colours()
            self.bands = bands.prepare(data, self.images)
        self.update()

    def refresh_gradient_colours(self) -> None:
        """The colours of the flowing gradient (after a new trace or a new choice of what flows back)."""
        self.grad_frac = grad_fractions(self.data)
        for key, fr in self.grad_frac.items():
            self.images.define(("grad", key), lambda fr=fr: lut_rgba("magnitude", fr)[None])

    def set_flow(self, flow: str) -> None:
        if self.data is not None and flow != self.data.flow:
            self.data = self.data.with_flow(flow)
            self.cache.clear()
            self.refresh_gradient_colours()
            self.update()

    def set_student(self, overlay) -> None:
        if overlay is not self.student:
            self.student = overlay      # the column cache's key has its token: no clear needed
            self.update()

    def set_geometry(self, geom: Geometry) -> None:
        if geom != self.geom:
            self.prepareGeometryChange()
            self.geom = geom
            self.update()

    def set_style(self, style: Style) -> None:
        self.style = style
        self.cache.clear()
        self.update()

    @property
    def spec(self) -> GraphSpec:
        return self.data.spec if self.data is not None else _EMPTY

    # ---------------------------------------------------------------- the cursor
    @property
    def T(self) -> int:
        return self.data.T if self.data is not None else 0

    @property
    def backward(self) -> bool:
        return self.T > 0 and self.position >= self.T

    @property
    def t(self) -> int:
        return self.timeline.step(self.position)

    @property
    def back_step(self) -> float:
        """Fractional step the top layer's gradient pulse has reached (T-1 .. 0) in the backward phase."""
        return self.timeline.back_step(self.position)

    def frame(self) -> Frame:
        """What a paint needs, for the painters and for the view's questions (node_for, edge_style)."""
        return Frame(self.geom, self.style, self.data, self.images, self.timeline, self.position, self.grad_frac,
                     self.bands, self.hover, self.hover_t, self.selection, self.drawn, {}, self.memo, self.student)

    # ---------------------------------------------------------------- QGraphicsItem
    def boundingRect(self) -> QRectF:
        return QRectF(0.0, 0.0, float(self.geom.cols.n_columns), float(self.geom.height_px))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.data is None:
            return
        wt = painter.worldTransform()
        s = wt.m22() or 1.0
        P = wt.m11() / s   # pixels (before any export scaling) per column
        if abs(P - self.geom.col_px) > 1e-6 * max(P, 1.0) or self.geom.spec is not self.data.spec:
            return  # the view is mid-update; it repaints with a matching geometry
        ex = option.exposedRect
        steps = self.geom.steps_between(ex.left(), ex.right())
        painter.save()
        painter.setTransform(QTransform(s, 0.0, 0.0, s, wt.dx(), wt.dy()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        fr = self.frame()
        if self.geom.detailed:
            live = self.exporting or self.drawn is not None or abs(s - 1.0) > 1e-9
            nodes.paint_detailed(painter, fr, steps, None if live else self.cache)
        else:
            bands.paint_bands(painter, fr, steps)
        self.formats = fr.formats
        # the viewport's left edge, right of the row names, in pixel space (the exposed rect stops at 0)
        left = self.geom.gutter_px - wt.dx() / s
        inputs.paint_axis(painter, fr, steps, left, ex.right() * P)
        student_paint.paint_axis(painter, fr, steps, left, ex.right() * P)
        painter.restore()

    # ---------------------------------------------------------------- hover
    def hit(self, x: float, y: float) -> Hit | None:
        if self.data is None:
            return None
        from rnnviz.app.views.graph.edges import edges_at
        fr = self.frame()
        return self.geom.hit(x, y, edges=lambda t: edges_at(fr, t), exists=fr.has_node)

    def hoverMoveEvent(self, event) -> None:
        p = event.pos()
        hit = self.hit(p.x(), p.y())
        if hit != self.hover:
            self.hover = hit
            self.update()
            self.hover_changed.emit(hit)

    def hoverLeaveEvent(self, event) -> None:
        if self.hover is not None:
            self.hover = None
            self.update()
            self.hover_changed.emit(None)
