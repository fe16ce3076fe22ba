"""GraphView: the unrolled computational graph of any model the engine runs (vanilla, GRU, LSTM; up to
4 layers, bidirectional, encoder–decoder), with the BPTT pulse travelling back in time and down the
layers.

Reads AppState (trace, cursor, config.flow, selection, view options) and calls AppState.step_to /
select / set_hover on clicks and hovers: clicking a cell's node moves to its step and selects its
layer-direction, which the per-layer views then explain. Exports render the view itself (its
Fit/zoom buttons are only painted on screen); call `fit_all()` first to show every step.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.app import colors
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.graph import edges, overlay, painters, student
from rnnviz.app.views.graph.canvas import GraphCanvas
from rnnviz.app.views.graph.data import GraphData
from rnnviz.app.views.graph.layout import Hit
from rnnviz.app.views.graph.rows import rows_em
from rnnviz.app.views.graph.spec import Role
from rnnviz.app.views.graph.style import Style
from rnnviz.app.views.graph.tooltips import tooltip
from rnnviz.app.views.lazy import Lazy
from rnnviz.io.tables import figure_table


@dataclass(frozen=True)
class NodeInfo:
    """What the graph shows for one node (for tests and tools)."""

    kind: str                 # the row's name: x, a, c, gates, y, L
    t: int
    scene_rect: QRectF
    view_pos: QPoint          # centre of the node in canvas viewport pixels
    opacity: float            # < 1: not reached yet in the forward pass
    current: bool             # the cursor's step
    grad_fraction: float      # position on the log colour scale (NaN: not reached / not finite)
    grad_color: QColor | None
    bad: bool                 # marked as non-finite
    tooltip: str
    key: str = ""             # the row's key
    layer: int = -1
    direction: int = 0
    selected: bool = False    # drawn as the selected layer-direction


class GraphView(QWidget, FigureView):
    figure_name = "graph"
    figure_title = "Unrolled computational graph"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.canvas = GraphCanvas(self)
        self.item = self.canvas.item
        self.canvas.fit_requested.connect(self.fit_all)
        self.item.hover_changed.connect(self._on_item_hover)
        self.canvas.node_clicked.connect(self._on_node_clicked)
        self.canvas.key_pressed.connect(self._on_key)
        # the state's news through Lazy (views/lazy.py), in this order: while the window trains, a new
        # trace (8 ms of the GUI thread) waits for a turn of its own, and what follows it waits with it
        self._lazy = lazy = Lazy(self)
        lazy.connect(state.trace_changed, self._on_trace_changed)
        lazy.connect(state.config_changed, self._on_config_changed)
        lazy.connect(state.selection_changed, self._on_selection_changed)
        lazy.connect(state.student_changed, self._on_student_changed)
        lazy.connect(state.progress_changed, self._on_progress_changed)
        lazy.connect(state.step_changed, self._on_step_changed)
        lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)
        state.hover_changed.connect(self._on_hover_changed)
        self.setFocusProxy(self.canvas)
        self._on_view_options_changed(state.view_options)
        if state.trace is not None:
            self._on_trace_changed(state.trace)
            self._on_progress_changed(state.progress)

    # ---------------------------------------------------------------- AppState slots
    def _on_trace_changed(self, trace) -> None:
        self.item.set_data(GraphData.from_trace(trace, self.state.config.flow))
        self.item.position = min(self.item.position, float(max(self.item.timeline.last, 0)))
        self._on_selection_changed(self.state.selection)
        self._on_student_changed(self.state.student)
        if self.canvas.auto_fit:
            self.canvas.fit_all()
        else:
            self.canvas.apply_zoom(self.canvas.col_px)

    def _on_student_changed(self, results) -> None:
        """File ▸ Check my implementation… on this sequence: the student's values beside ours."""
        self.item.set_student(student.build(results, self.item.data))
        self.canvas.viewport().update()

    def _tooltip(self, key: str, t: int) -> str:
        d = self.item.data
        extra = student.tooltip(self.item.student, key, t, self.item.backward)
        return tooltip(d, key, t) + ("\n\n" + extra if extra else "")

    def _on_config_changed(self, config) -> None:
        self.item.set_flow(config.flow)

    def _on_selection_changed(self, ref) -> None:
        spec = self.item.spec
        sel = None if spec.single or ref is None else (ref.layer, ref.direction)
        if sel is not None and sel not in spec.blocks:
            sel = None
        if sel != self.item.selection:
            self.item.selection = sel
            self.item.update()
            self.canvas.viewport().update()

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
            self.item.setToolTip(self._tooltip(hit.kind, hit.t))
        else:
            e = d.spec.edge(hit.kind)
            self.item.setToolTip(e.help if e is not None else "")
        t = hit.t if hit is not None and hit.what == "node" and 0 <= hit.t < self.item.T else -1
        if t != self.item.hover_t:
            self.state.set_hover(t)
        self.canvas.viewport().update()

    def _on_node_clicked(self, hit: Hit) -> None:
        row = self.item.spec.row(hit.kind)
        if row.block is not None:
            self.state.select(row.layer, row.direction, row.name if row.role == Role.STATE else "a")
        if 0 <= hit.t < self.item.T:
            self.state.step_to(hit.t)

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
        return overlay.message(self.item.frame()) if self.item.data is not None else ""

    def rows(self) -> list:
        """The rows drawn, top to bottom (spec.Row: role, name, layer, direction, label)."""
        return list(self.item.spec.rows)

    def row_band(self, key: str) -> tuple[float, float]:
        """(top, bottom) pixels of a row in the canvas."""
        return self.item.geom.row_band(key)

    def highlighted_edge_kind(self) -> str | None:
        h = self.item.hover
        return h.kind if h is not None and h.what == "edge" else None

    def edge_style(self, kind: str, t: int) -> tuple[QColor, float]:
        """(colour, width) the edge `kind` (its key: Wax, Waa, W_hh[2]→, ...) into step t is drawn with."""
        e = self.item.spec.edge(kind)
        c, w, _ = edges.edge_style(self.item.frame(), e, t)
        return QColor(c), w

    def edge_view_pos(self, kind: str, t: int, src: str | None = None) -> QPoint:
        """The middle of an edge's first segment, in canvas viewport pixels (to hover or click it)."""
        e = next(e for e in self.item.spec.edges if e.key == kind and (src is None or e.src == src))
        pts = self.item.geom.edge_path(e, t)
        (x0, y0), (x1, y1) = pts[0], pts[1]
        return self.canvas.mapFromScene((x0 + x1) / 2, (y0 + y1) / 2)

    def node_for(self, kind: str, t: int, layer: int | None = None, direction: int = 0) -> NodeInfo | None:
        """The node of row `kind` (x, y, L; a, c or gates of a layer-direction, the top forward one by
        default) at step t (-1 / T: initial states, -2: the context)."""
        d = self.item.data
        if d is None:
            return None
        row = d.spec.find(kind, layer, direction)
        if row is None:
            return None
        fr = self.item.frame()
        if not fr.has_node(row.key, t):
            return None
        x, y, w, h = self.item.geom.node_rect(row.key, t)
        rect = QRectF(x, y, w, h)
        centre = self.canvas.mapFromScene(rect.center())
        frac, color = float("nan"), None
        state = row.role == Role.STATE and 0 <= t < d.T
        if state and fr.reached(row, t):
            frac = fr.grad_fill_frac(row.key, t)
            color = painters.grad_fill(fr, row.key, t)
        bad = state and (d.bad_forward(t, row.key) or (fr.reached(row, t) and d.bad_grad(t, row.key)))
        return NodeInfo(row.name, t, rect, centre, fr.opacity_of(t) if 0 <= t < d.T else 1.0, t == fr.t, frac,
                        color, bad, self._tooltip(row.key, t), row.key, row.layer, row.direction, fr.selected(row))

    def figure_csv(self):
        return figure_table(self.figure_name, self.state.trace)  # one table per figure (rnnviz/io/tables.py)

    def figure_size(self, width: int, height: int) -> QSize:
        """The size an export of this graph needs: `height` for the notes' four rows, taller as the
        model has more rows (a 4-layer bidirectional LSTM gets its cells' rows at a readable size)."""
        spec = self.item.spec
        if spec.single or not spec.rows:
            return QSize(width, height)
        f = self.item.style.nominal_f
        extra = (rows_em(spec) - 13.5) * f * 0.85
        return QSize(width, int(round(height + max(extra, 0.0))))

    def render(self, *args, **kwargs) -> None:
        """QWidget.render, as every export calls it: the on-screen zoom buttons are left out."""
        self.canvas.exporting = self.item.exporting = True
        try:
            super().render(*args, **kwargs)
        finally:
            self.canvas.exporting = self.item.exporting = False

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
