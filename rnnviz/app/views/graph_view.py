"""GraphView: the unrolled computational graph, x<t> -> a<t> -> ŷ<t> -> L<t> for every step, with the
BPTT pulse travelling back along Waa.

Reads AppState (trace, cursor, config.flow, view options) and calls AppState.step_to / set_hover on
clicks and hovers. Exports render the view itself (its Fit/zoom buttons are only painted on screen);
call `fit_all()` first to show every step.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.app import colors
from rnnviz.app.views import graph_overlay, graph_nodes
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.graph_canvas import GraphCanvas
from rnnviz.app.views.graph_data import GraphData, tooltip
from rnnviz.app.views.graph_items import Style
from rnnviz.app.views.graph_layout import Hit
from rnnviz.io.tables import figure_table


@dataclass(frozen=True)
class NodeInfo:
    """What the graph shows for one node (for tests and tools)."""

    kind: str
    t: int
    scene_rect: QRectF
    view_pos: QPoint          # centre of the node in canvas viewport pixels
    opacity: float            # < 1: not reached yet in the forward pass
    current: bool             # the cursor's step
    grad_fraction: float      # position on the log colour scale (NaN: not reached / not finite)
    grad_color: QColor | None
    bad: bool                 # marked as non-finite
    tooltip: str


class GraphView(QWidget, FigureView):
    figure_name = "graph"
    figure_title = "Unrolled computational graph"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.canvas = GraphCanvas(self)
        self.item = self.canvas.item
        self.canvas.fit_requested.connect(self.fit_all)
        self.item.hover_changed_cb = self._on_item_hover
        self.canvas.node_clicked.connect(self._on_node_clicked)
        self.canvas.key_pressed.connect(self._on_key)
        state.trace_changed.connect(self._on_trace_changed)
        state.progress_changed.connect(self._on_progress_changed)
        state.step_changed.connect(self._on_step_changed)
        state.config_changed.connect(self._on_config_changed)
        state.view_options_changed.connect(self._on_view_options_changed)
        state.hover_changed.connect(self._on_hover_changed)
        self.setFocusProxy(self.canvas)
        self._on_view_options_changed(state.view_options)
        if state.trace is not None:
            self._on_trace_changed(state.trace)
            self._on_progress_changed(state.progress)

    # ---------------------------------------------------------------- AppState slots
    def _on_trace_changed(self, trace) -> None:
        self.item.set_data(GraphData.from_trace(trace, self.state.config.flow))
        self.item.position = min(self.item.position, 2 * trace.T - 1.0)
        if self.canvas.auto_fit:
            self.canvas.fit_all()
        else:
            self.canvas.apply_zoom(self.canvas.col_px)

    def _on_config_changed(self, config) -> None:
        d = self.item.data
        if d is not None and d.flow != config.flow:
            self.item.set_data(GraphData.from_trace(d.trace, config.flow))

    def _on_progress_changed(self, pos: float) -> None:
        item = self.item
        was_visible = self.canvas.step_visible(item.back_step if item.backward else item.t)
        item.position = float(pos)
        target = item.back_step if item.backward else float(item.t)
        # keep the cursor in view, unless the user panned away while it plays
        if not self.canvas.auto_fit and (was_visible or not self.state.playing):
            self.canvas.follow(target)
        self.canvas.viewport().update()

    def _on_step_changed(self, t: int, phase: str) -> None:
        if self.state.progress != self.item.position:
            self._on_progress_changed(self.state.progress)

    def _on_view_options_changed(self, options) -> None:
        self.item.set_style(Style(colors.palette(options.theme), options.presentation))
        self.canvas.fit_font()
        self.canvas.setBackgroundBrush(self.item.style.bg)
        self.canvas.apply_zoom(self.canvas.fit_col_px() if self.canvas.auto_fit else self.canvas.col_px)

    def _on_hover_changed(self, t: int) -> None:
        if t != self.item.hover_t:
            self.item.hover_t = t
            self.canvas.viewport().update()

    # ---------------------------------------------------------------- user input
    def _on_item_hover(self, hit: Hit | None) -> None:
        d = self.item.data
        if hit is None or d is None:
            self.item.setToolTip("")
        elif hit.what == "node":
            self.item.setToolTip(tooltip(d, hit.kind, hit.t))
        else:
            from rnnviz.app.views.graph_data import EDGE_HELP
            self.item.setToolTip(EDGE_HELP[hit.kind])
        t = hit.t if hit is not None and hit.what == "node" and hit.t >= 0 else -1
        if t != self.item.hover_t:
            self.state.set_hover(t)
        self.canvas.viewport().update()

    def _on_node_clicked(self, t: int) -> None:
        self.state.step_to(t)

    def _on_key(self, event) -> None:
        s, key = self.state, event.key()
        actions = {Qt.Key.Key_Right: s.step_forward, Qt.Key.Key_Left: s.step_back,
                   Qt.Key.Key_Home: s.go_start, Qt.Key.Key_End: s.go_end, Qt.Key.Key_Space: s.toggle_play}
        if key in actions:
            actions[key]()
            event.accept()
        else:
            event.ignore()

    # ---------------------------------------------------------------- public API
    def fit_all(self) -> None:
        """Show every step; exporters call this before rendering figure_widget()."""
        self.canvas.fit_all()

    def zoom(self) -> float:
        """Pixels per step."""
        return self.canvas.col_px

    def set_zoom(self, col_px: float) -> None:
        self.canvas.auto_fit = False
        self.canvas.apply_zoom(col_px)

    def step_count(self) -> int:
        return self.item.T

    def current_step(self) -> int:
        return self.item.t

    def detailed(self) -> bool:
        """True when nodes are drawn one by one, False for the zoomed-out bands."""
        return self.item.geom.detailed

    def visible_steps(self) -> range:
        r = self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()
        return self.item.geom.steps_between(r.left(), r.right(), pad=0)

    def item_count(self) -> int:
        return len(self.canvas.scene().items())

    def status_message(self) -> str:
        return graph_overlay.message(self.item) if self.item.data is not None else ""

    def highlighted_edge_kind(self) -> str | None:
        h = self.item.hover
        return h.kind if h is not None and h.what == "edge" else None

    def edge_style(self, kind: str, t: int) -> tuple[QColor, float]:
        """(colour, width) the edge `kind` at step t is drawn with."""
        c, w, _ = graph_nodes._edge_style(self.item, kind, t)
        return QColor(c), w

    def node_for(self, kind: str, t: int) -> NodeInfo | None:
        d, g = self.item.data, self.item.geom
        if d is None or not g.has_node(kind, t) or (kind in ("y", "L") and not d.has_output[t]):
            return None
        x, y, w, h = g.node_rect(kind, t)
        rect = QRectF(x, y, w, h)
        centre = self.canvas.mapFromScene(rect.center())
        frac, color = float("nan"), None
        if kind == "a" and t >= 0 and self.item.grad_reached(t):
            frac = float(self.item.grad_frac[t])
            color = graph_nodes.grad_fill(self.item, t)
        bad = kind == "a" and t >= 0 and (d.bad_forward(t) or (self.item.grad_reached(t) and d.bad_grad(t)))
        return NodeInfo(kind, t, rect, centre, self.item.opacity_of(t) if t >= 0 else 1.0,
                        t == self.item.t, frac, color, bad, tooltip(d, kind, t))

    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)

    def render(self, *args, **kwargs) -> None:
        """QWidget.render, as every export calls it: the on-screen zoom buttons are left out."""
        self.canvas.exporting = True
        try:
            super().render(*args, **kwargs)
        finally:
            self.canvas.exporting = False

    def resizeEvent(self, event) -> None:
        # no layout: the canvas follows at once, also offscreen before the widget was ever shown
        old = self.canvas.size()
        self.canvas.setGeometry(self.rect())
        if not self.canvas.isVisible() and old != self.size():
            QApplication.sendEvent(self.canvas, QResizeEvent(self.size(), old))

    def sizeHint(self) -> QSize:
        return QSize(1000, 440)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 240)
