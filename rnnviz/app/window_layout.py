"""WindowLayout: how the main window shares its room, and how it comes back.

- Columns: every side column is at least as wide as its contents and its tab labels need (nothing
  cut off), and otherwise in proportion to the window, so the graph keeps most of a 1280 x 720
  projector.
- Presentation mode (F11) gives the graph the input column, and the height its text needs to stay at
  least the window's size (the tabs under it keep MIN_TABS_PRESENTING_PX); leaving it puts back the
  layout from before, column widths and centre split included (fonts change the sizes while presenting).
- Focus: one figure (the current tab, or the graph) takes the whole window apart from the playback
  bar, for the lecture's key figure; the same key, Esc or View > Reset layout bring the rest back.
- Reset layout: the docks back where they started, sized for the window as it is now.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QScrollArea, QStyle, QTabBar

FOCUS_TARGETS = ("tabs", "graph")
MIN_TABS_PX = 298      # the plots under the graph keep at least this when the graph asks for more (what they had
                       # while the split counted the handle in: a 2-layer bi LSTM at 720p keeps its 12 px text)
MIN_TABS_PRESENTING_PX = 255   # presenting: the graph is the lecture's figure; the tabs keep a chooser and a plot
PRESENTING_GRAPH_FONT_PX = 15  # presenting: the graph asks for the height its text needs at the window's size at least
MIN_SCROLLING = 180    # a column that can't have its width scrolls sideways, down to this width


class _OnResize(QObject):
    """Calls `callback` before a widget handles each of its resizes (its children still where they were)."""

    def __init__(self, callback, parent):
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._callback()
        return False


class WindowLayout:
    def __init__(self, window):
        self.w = window
        self.focus: str | None = None          # None, "tabs" or "graph"
        self.presenting = False
        self._default: QByteArray | None = None
        self._before_focus = None              # snapshot to go back to when focus ends
        self._before_presenting = None         # snapshot to go back to when presentation ends
        self._quiet = False                    # True while restoring: no measuring half-way
        self._settling = False                 # a presentation change waits for its fonts
        self.goal_width = 0                    # the window's width as the user gave it
        self._resplit_pending = False          # presenting: the centre's new height, split once handled
        self._split_auto = False               # the centre's split is split_centre's (no drag of the handle since)
        self._auto_before_presenting = (False, None)   # (that, the graph's rows) when F11 went on

    # ------------------------------------------------------------------ snapshots
    def _docks(self) -> list[QDockWidget]:
        return self._input_docks() + list(self.w._side_docks)

    def _input_docks(self) -> list[QDockWidget]:
        """The input column: "Input and model" and the other panels that are not side panels (Training,
        tabbed with it). (Not tabifiedDockWidgets: a hidden dock has none.)"""
        return [self.w.input_dock] + [d for d in self.w.findChildren(QDockWidget)
                                      if d is not self.w.input_dock and d not in self.w._side_docks]

    def _presenting_hides(self) -> list[QDockWidget]:
        """The docks presentation mode puts away: the input column, except a dock that asks to stay
        (the lesson being presented: property "staysWhilePresenting")."""
        return [d for d in self._input_docks() if not d.property("staysWhilePresenting")]

    def _snapshot(self):
        """Where the docks are (QMainWindow's state), the columns' widths and the centre split."""
        return self.w.saveState(), self._column_widths(), self.w.splitter.sizes()

    def _columns(self) -> list[QDockWidget]:
        """One dock per column: the input column and the first side panel (its tabs share the width)."""
        return [self.w.input_dock] + list(self.w._side_docks[:1])

    def _column_widths(self) -> dict:
        return {d: d.width() for d in self._columns() if d.isVisible()}

    def _restore(self, snap, keep_hidden=()) -> None:
        """Docks, their widths and the centre split as they were."""
        state, widths, sizes = snap
        self._restore_docks(state, widths, keep_hidden)
        self.w.splitter.setSizes(sizes)

    def _restore_docks(self, state: QByteArray, widths: dict | None, keep_hidden=()) -> None:
        """restoreState puts the docks back; the columns are measured afresh and set to `widths`
        (restoreState alone gives back other widths when the fonts changed in between). A column
        hidden meanwhile (the input column while presenting) keeps the old fonts' size until shown,
        and a stale minimum would widen the window: forget it first."""
        self._quiet = True
        try:
            for dock in self._docks():
                if dock.isHidden():
                    dock.widget().setMinimumWidth(0)
            self.w.restoreState(state)
            for dock in keep_hidden:
                dock.hide()
        finally:
            self._quiet = False
        self.fit_columns()
        shown = [d for d in self._columns() if d.isVisible() and d in (widths or {})]
        if shown:
            self.w.resizeDocks(shown, [max(widths[d], d.widget().minimumWidth()) for d in shown],
                               Qt.Orientation.Horizontal)

    # ------------------------------------------------------------------ columns
    def fit_columns(self) -> None:
        """Every dock at least as wide as its contents and the labels of the tabs it shares; when the
        window can't give every column that (the input column brought back while presenting), the
        columns scroll sideways instead of widening the window past its width (and the screen)."""
        if self._quiet:
            return
        needs = self._needs()
        width = self.goal_width or self.w.width()
        room = self._room(width, len([d for d in self._columns() if d in needs]))
        columns = {d: n for d, n in needs.items() if d in self._columns()}
        over = sum(columns.values()) - room
        cut = {}                                 # what each column gives up, the input column first
        for dock in self._columns():
            if dock in columns and over > 0 and self.w.isVisible():
                cut[dock] = max(min(over, columns[dock] - MIN_SCROLLING), 0)
                over -= cut[dock]
        for dock, need in needs.items():
            give = cut.get(self._column_of(dock), 0)
            self._set_min(dock, need - give, give > 0)
        # a hidden column must not widen the window when shown again: until it is measured (shown),
        # it may take what the others leave
        for dock in self._columns():
            left = room - sum(columns.values()) - self._sep() - 2
            if dock.isHidden() and self.w.isVisible() and dock.widget().minimumWidth() > left:
                self._set_min(dock, max(left, MIN_SCROLLING), True)
        self._trim(self.w.minimumSizeHint().width() - width)
        if self.goal_width and self.w.width() > self.goal_width:
            QTimer.singleShot(0, self._back_to_goal)   # grown by a column shown: back, once the minimum is new

    def _needs(self) -> dict:
        """Width each shown dock needs: its contents (plus a scroll bar), the side docks their tabs too."""
        tab_need, needs = self._dock_tabs_width(), {}
        for dock in self._docks():
            scroll = dock.widget()
            if not isinstance(scroll, QScrollArea) or scroll.widget() is None or dock.isHidden():
                continue
            content = scroll.widget()
            content.adjustSize()
            need = content.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
            needs[dock] = need if dock is self.w.input_dock else max(need, tab_need)
        return needs

    def _sep(self) -> int:
        return self.w.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent, None, self.w)

    def _room(self, width: int, n_columns: int) -> int:
        """Pixels the columns may have in a window `width` wide, next to the centre's minimum."""
        sep = self._sep()
        shown = [d for d in self._columns() if d.isVisible()]
        frame = self.w.width() - self.w.centralWidget().width() - sum(d.width() + sep for d in shown)
        return width - max(frame, 0) - self.w.centralWidget().minimumSizeHint().width() - sep * n_columns

    def _column_of(self, dock: QDockWidget) -> QDockWidget:
        return self.w._side_docks[0] if dock in self.w._side_docks else dock

    def _trim(self, excess: int) -> None:
        """What the estimate missed (a dock's title bar can be wider than its contents): taken from the
        shown columns, the input column first."""
        for dock in self._columns():
            if excess <= 0 or not dock.isVisible() or not self.w.isVisible():
                continue
            give = min(excess, dock.widget().minimumWidth() - MIN_SCROLLING)
            if give > 0:
                for d in self.w._side_docks if dock in self.w._side_docks else [dock]:
                    self._set_min(d, d.widget().minimumWidth() - give, True)
                excess -= give

    def _back_to_goal(self) -> None:
        if self.goal_width and self.w.width() > self.goal_width:
            self.w.resize(self.goal_width, self.w.height())

    def on_resized(self, old_width: int, new_width: int) -> None:
        """Remember the width the user (or run_app) gave the window, not one forced by minimum sizes."""
        forced = old_width > 0 and new_width > old_width and new_width <= self.w.minimumWidth()
        if not forced:
            self.goal_width = new_width

    @staticmethod
    def _set_min(dock: QDockWidget, width: int, scrolls: bool) -> None:
        scroll = dock.widget()
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if scrolls
                                            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(max(int(width), 0))   # a window squeezed below its columns asked for < 0

    def _dock_tabs_width(self) -> int:
        """Width the side docks' shared tab bar needs to show every title in full."""
        need = 0
        titles = {d.windowTitle() for d in self.w._side_docks}
        for bar in self.w.findChildren(QTabBar):
            if bar.parent() is self.w and bar.count() and bar.tabText(0) in titles:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                need = max(need, sum(bar.tabSizeHint(i).width() for i in range(bar.count())) + 4)
        if not need and len(self.w._side_docks) > 1:   # before the first layout made the bar: estimate
            fm = self.w.fontMetrics()
            need = sum(fm.horizontalAdvance(d.windowTitle()) + 3 * fm.height() for d in self.w._side_docks)
        return need

    def size_columns(self) -> None:
        """Side columns in proportion to the window (never below what they need), the centre split
        between the graph and the tabs."""
        w = self.w
        self.fit_columns()
        W = w.width()
        docks, widths = [w.input_dock], [max(265, min(340, int(0.21 * W)))]
        if w._side_docks:
            docks.append(w._side_docks[0])
            widths.append(max(300, min(400, int(0.22 * W))))
        widths = [max(px, d.widget().minimumWidth()) for d, px in zip(docks, widths)]
        w.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
        self.split_centre()

    def split_centre(self) -> None:
        """The centre between the graph and the tabs, by how many rows the model's graph has. Presenting,
        the graph also asks for the height at which its text is larger than in the window (a deep
        LSTM's rows at a projector's 1280 x 720), and the tabs below give up more of theirs."""
        from rnnviz.app.views.graph.rows import graph_share
        w = self.w
        # (the splitter's height less its handle: setSizes scales sizes that don't add up to what it has)
        total = max(sum(w.splitter.sizes()), w.splitter.height() - w.splitter.handleWidth(), 1)
        graph_view = getattr(w, "graph", None)
        share = graph_share(graph_view.item.spec) if graph_view is not None else 0.52
        want = int(total * share)
        if self.presenting and graph_view is not None:
            want = max(want, graph_view.canvas.height_for_font(PRESENTING_GRAPH_FONT_PX))
        tabs = MIN_TABS_PRESENTING_PX if self.presenting else MIN_TABS_PX   # the plots keep room to read
        graph = max(min(want, total - tabs), int(total * 0.52))
        w.splitter.setSizes([graph, total - graph])
        self._split_auto = True

    def _graph_rows(self) -> list:
        graph = getattr(self.w, "graph", None)
        return [r.key for r in graph.item.spec.rows] if graph is not None else []

    def _centre_resized(self) -> None:
        """Presenting, the centre's split as the window chose it follows the centre's height (the bars
        around it take their presenting fonts' height a layout pass or two after F11)."""
        if (self.presenting and self.focus is None and not self._quiet and not self._resplit_pending
                and self._split_auto):
            self._resplit_pending = True
            QTimer.singleShot(0, self._resplit)

    def _split_moved(self, *_args) -> None:
        self._split_auto = False   # the user's split: kept until Reset layout

    def _resplit(self) -> None:
        self._resplit_pending = False
        if self.presenting and self.focus is None:
            self.split_centre()

    def model_changed(self) -> None:
        """A new model re-splits the centre, unless the user has moved the split since."""
        if self.focus is None and self._split_auto:
            self.split_centre()

    # ------------------------------------------------------------------ start and reset
    def start(self) -> None:
        """Once the window is shown: size the columns, then remember where the docks are."""
        if getattr(self, "_on_resize", None) is None:
            self._on_resize = _OnResize(self._centre_resized, self.w.splitter)
            self.w.splitter.installEventFilter(self._on_resize)
            self.w.splitter.splitterMoved.connect(self._split_moved)
        self.size_columns()
        self._default = self.w.saveState()
        if self.presenting:   # a session opened in presentation mode: leaving it sizes afresh
            self._before_presenting = None

    def reset(self) -> None:
        if self.focus is not None:
            self.set_focus(None)
        hidden = self._presenting_hides() if self.presenting else []   # presenting: the graph keeps that room
        stays = {d: d.isVisible() for d in self._docks() if d.property("staysWhilePresenting")}   # the lesson: as it is
        if self._default is not None:
            self._restore_docks(self._default, None, keep_hidden=hidden)
        for dock in self._docks():
            dock.setFloating(False)
            dock.setVisible(stays[dock] if dock in stays else
                            dock not in hidden and not dock.property("closed_by_default"))
        if self.w._side_docks:
            self.w._side_docks[0].raise_()
        if self.presenting:
            self._before_presenting = None
        self.size_columns()
        self.w.graph.fit_all()

    # ------------------------------------------------------------------ presentation mode
    def set_presenting(self, on: bool) -> None:
        if on == self.presenting:
            self.fit_columns()
            return
        self.presenting = on
        if on:
            if not self._settling:           # (off and on again before the layout came back: keep it)
                self._before_presenting = self._before_focus or self._snapshot()
                # the centre split as the window chose it: leaving re-splits if the model changed meanwhile
                self._auto_before_presenting = (self._split_auto, self._graph_rows())
            for dock in self._presenting_hides():
                dock.hide()
        # the new fonts reach every widget's size only once the events they posted are handled:
        # measure (and restore) after that
        if not self._settling:
            self._settling = True
            QTimer.singleShot(0, self._settle_presenting)

    def _settle_presenting(self) -> None:
        self._settling = False
        # the bars around the centre (playback, status) at the new fonts first: the centre's height as
        # it will be, for the split measured or put back below
        for widget in (self.w, self.w.centralWidget()):
            if widget is not None and widget.layout() is not None:
                widget.layout().activate()
        if not self.presenting:
            snap, self._before_presenting = self._before_presenting, None
            if self.focus is not None:
                self._before_focus = snap or self._before_focus  # leaving focus returns to the layout before F11
            elif snap is not None:
                self._restore(snap)
                auto, rows = self._auto_before_presenting
                self._split_auto = auto                 # the window's own split, or the user's, as before
                if auto and rows != self._graph_rows():
                    self.split_centre()
            elif self.w.input_dock.isHidden():
                self.w.input_dock.show()
                self.size_columns()
        self.fit_columns()
        if self.presenting and self.focus is None:
            self.split_centre()   # the graph's share at the presenting fonts (the window's split comes back after)

    # ------------------------------------------------------------------ focus on one figure
    def toggle_focus(self, target: str) -> None:
        self.set_focus(None if self.focus == target else target)

    def set_focus(self, target: str | None) -> None:
        """target "tabs": the current tab fills the window; "graph": the graph does; None: back."""
        w = self.w
        if target == self.focus:
            return
        if target is not None:
            if self.focus is None:
                self._before_focus = self._snapshot()
            for dock in self._docks():
                dock.hide()
            w.graph.setVisible(target == "graph")
            w.tabs.setVisible(target == "tabs")
            self.focus = target
        else:
            self.focus = None
            w.graph.show()
            w.tabs.show()
            snap, self._before_focus = self._before_focus, None
            hidden = self._presenting_hides() if self.presenting else []
            if snap is not None:
                self._restore(snap, keep_hidden=hidden)
            for dock in hidden:
                dock.hide()
        w.focus_changed.emit(self.focus or "")
