"""GraphCanvas: the QGraphicsView that shows the unrolled graph. It scales x only (zoom = pixels per
step), pans by dragging, keeps the cursor in view while stepping, and draws the fixed overlay.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView

from rnnviz.app.views.graph import margins
from rnnviz.app.views.graph import overlay as graph_overlay
from rnnviz.app.views.graph.columns import Columns
from rnnviz.app.views.graph.item import GraphItem
from rnnviz.app.views.graph.layout import Geometry, Hit
from rnnviz.app.views.graph.rows import fit_font_px, rows_em

MAX_FIT_COLS = 13.0   # fit-to-window never makes a step wider than this many font sizes
CLICK_SLOP = 4        # pixels a press may move and still count as a click


class GraphCanvas(QGraphicsView):
    node_clicked = Signal(object)   # the Hit of the clicked node
    key_pressed = Signal(object)    # QKeyEvent the canvas does not use itself (stepping keys)
    fit_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = GraphItem()
        self.scene().addItem(self.item)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # pan: drag / shift+wheel
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        self.col_px = 120.0
        self.auto_fit = True          # refit on resize until the user zooms or pans
        self._press = None
        self._inside = False
        self.exporting = False        # GraphView.render: a figure is being drawn (no zoom buttons)

    def enterEvent(self, event) -> None:
        self._inside = True
        self.viewport().update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._inside = False
        self.viewport().update()
        super().leaveEvent(event)

    # ---------------------------------------------------------------- geometry and zoom
    @property
    def T(self) -> int:
        return self.item.T

    def gutter(self) -> float:
        return margins.gutter_width(self.item.style, self.item.spec)

    def n_columns(self) -> int:
        """Columns of the graph on screen (steps, initial states, the context)."""
        return Columns.of(self.item.spec).n_columns

    def _geometry(self, col_px: float) -> Geometry:
        f = self.item.style.f
        return Geometry(self.item.spec, col_px=col_px, height_px=float(self.viewport().height()), font_px=f,
                        top_px=margins.top_px(f) + 1.2 * f, bottom_px=margins.bottom_px(f),
                        gutter_px=self.gutter(), tight=self.item.style.presentation)

    def _other_em(self) -> float:
        """Font sizes of the title above the rows and the step axis and legends below them."""
        return margins.top_px(1.0) + 1.2 + margins.bottom_px(1.0)

    def height_for_font(self, f: float) -> int:
        """The viewport height at which the graph's text can be f pixels (its rows at their smallest)."""
        em = rows_em(self.item.spec, minimum=True, tight=self.item.style.presentation)
        return int(math.ceil((em + self._other_em()) * f)) + 1

    def fit_font(self) -> None:
        """The graph's text as large as the style asks, or smaller when the graph is too short for its
        rows at that size (a 1280 x 720 projector in presentation mode): nothing overlaps, ever."""
        st = self.item.style
        f = fit_font_px(self.item.spec, st.nominal_f, float(self.viewport().height()), self._other_em(), st.presentation)
        if f != st.f:
            self.item.set_style(st.at_size(f))

    def fit_col_px(self) -> float:
        f = self.item.style.f
        avail = self.viewport().width() - self.gutter() - 0.5 * f - 2  # 2: no scroll bar
        return min(max(avail, 50.0) / max(self.n_columns(), 1), MAX_FIT_COLS * f)

    def zoom_limits(self) -> tuple[float, float]:
        return min(self.fit_col_px(), 40.0), 40.0 * self.item.style.f

    def apply_zoom(self, col_px: float, anchor_vx: float | None = None) -> None:
        """Set pixels per step, keeping the scene point under viewport x `anchor_vx` in place."""
        self.fit_font()
        lo, hi = self.zoom_limits()
        col_px = min(max(col_px, lo), hi)
        if anchor_vx is None:
            anchor_vx = self.viewport().width() / 2
        scene_x = self.mapToScene(int(anchor_vx), 0).x() if self.T else 0.0
        self.col_px = col_px
        f = self.item.style.f
        self.item.set_geometry(self._geometry(col_px))
        left = self.gutter() / col_px
        right = 0.5 * f / col_px
        cols = self.n_columns()
        self.setSceneRect(QRectF(-left, 0.0, cols + left + right, float(self.viewport().height())))
        self.setTransform(QTransform.fromScale(col_px, 1.0))
        self.scroll_by(self.mapFromSceneF(scene_x) - anchor_vx)
        self.viewport().update()

    def mapFromSceneF(self, x: float) -> float:
        return self.viewportTransform().map(QPointF(x, 0.0)).x()

    def scroll_by(self, dx_px: float) -> None:
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() + int(round(dx_px)))

    def fit_all(self) -> None:
        """Show every step (the compact bands when T is large)."""
        self.auto_fit = True
        self.fit_font()
        self.apply_zoom(self.fit_col_px())
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())

    def zoom_by(self, factor: float, anchor_vx: float | None = None) -> None:
        self.auto_fit = False
        self.apply_zoom(self.col_px * factor, anchor_vx)

    def follow(self, t: float) -> None:
        """Scroll just enough to keep step t (fractional while playing) in view."""
        if self.T == 0:
            return
        w = self.viewport().width()
        vx = self.mapFromSceneF(self.item.geom.cx(t))
        margin = max(1.0 * self.col_px, 0.06 * w)
        left = self.gutter() + margin
        if vx < left:
            self.scroll_by(vx - left)
        elif vx > w - margin:
            self.scroll_by(vx - (w - margin))

    def step_visible(self, t: float) -> bool:
        if self.T == 0:
            return False
        vx = self.mapFromSceneF(self.item.geom.cx(t))
        return self.gutter() <= vx <= self.viewport().width()

    # ---------------------------------------------------------------- events
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit_all()
        else:
            self.apply_zoom(self.col_px)

    def wheelEvent(self, event) -> None:
        d = event.angleDelta()
        if d.x() and not d.y() or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.auto_fit = False
            self.scroll_by(-(d.x() or d.y()) / 2)
        elif d.y():
            self.zoom_by(1.2 ** (d.y() / 120.0), event.position().x())
        event.accept()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_F:
            self.fit_requested.emit()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        else:
            self.key_pressed.emit(event)
            if not event.isAccepted():
                super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        self.fit_requested.emit()

    def mousePressEvent(self, event) -> None:
        for name, r in graph_overlay.button_rects(self.viewport().width(), self.item.style.f).items():
            if self._inside and r.contains(event.position()):
                {"fit": self.fit_requested.emit, "in": lambda: self.zoom_by(1.25),
                 "out": lambda: self.zoom_by(0.8)}[name]()
                event.accept()
                return
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        if self._press is not None and (event.position() - self._press).manhattanLength() > CLICK_SLOP:
            self.auto_fit = False   # the user pans: stop refitting

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        press, self._press = self._press, None
        if press is None or (event.position() - press).manhattanLength() > CLICK_SLOP:
            return
        hit = self.hit_at(event.position())
        if hit is not None and hit.what == "node":
            self.node_clicked.emit(hit)

    def hit_at(self, pos) -> Hit | None:
        if self.item.data is None:
            return None
        p = self.mapToScene(int(pos.x()), int(pos.y()))
        return self.item.hit(p.x(), p.y())

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.item.style.bg)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        # viewport pixels, keeping any outer scale (an export rendered at 2x)
        painter.setTransform(self.viewportTransform().inverted()[0], True)
        vp = self.viewport()
        # the zoom buttons show while the mouse is over the graph on screen; exports never contain them
        item = self.item.frame() if self.item.data is not None else self.item
        if self.item.data is not None:
            item.spots = []              # where the row names and colour legends went (their tooltips)
        graph_overlay.paint(painter, vp.width(), vp.height(), item, buttons=self._inside and not self.exporting,
                            to_view=self.mapFromSceneF)
        self.spots = getattr(item, "spots", None) or []
        painter.restore()
