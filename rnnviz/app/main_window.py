"""The main window: composition only. Views and panels draw; AppState computes; this file arranges.

    ┌ menu: File · View · Help ─────────────────────────────────────────────────┐
    │ Sequence │  unrolled graph                                 │ Equations   │
    │ Model    │─────────────────────────────────────────────────│ BPTT ...    │
    │          │  tabs: hidden states · outputs · losses · ...   │ (side docks)│
    │          │  playback: ⏮ ◀ ▶ ▶ ⏭  timeline  t = 5 / 20      │             │
    └ status: T · n_a · parameters · L · compute time · busy [Cancel] ─────────┘
"""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QLabel, QMainWindow, QMessageBox, QProgressBar, QPushButton,
    QScrollArea, QSplitter, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from rnnviz import __version__
from rnnviz.app import theme
from rnnviz.app.gui_gc import collect_on_the_gui_thread, freeze_start_up
from rnnviz.app.status_summary import StatusSummary
from rnnviz.app.panels.keys import hand_back_keys
from rnnviz.app.panels.model_panel import ModelPanel
from rnnviz.app.panels.playback_panel import PlaybackPanel
from rnnviz.app.panels.sequence_panel import SequencePanel, load_examples
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.equation_view import EquationView
from rnnviz.app.views.graph_view import GraphView
from rnnviz.app.views.heatmap_view import HiddenHeatmapView
from rnnviz.app.views.loss_view import LossView
from rnnviz.app.views.output_view import OutputView
from rnnviz.app.window_layout import WindowLayout
from rnnviz.core.params import param_count

BUSY_SHOW_MS = 300   # "computing…" and Cancel appear once a computation has taken this long

KEYS_HELP = """<h3>Keyboard</h3><table cellpadding=4>
<tr><td><b>→ / ←</b></td><td>one step forward / back (past step T the backward pass begins)</td></tr>
<tr><td><b>Home / End</b></td><td>start / end of the current pass</td></tr>
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>B</b></td><td>run backpropagation through time from step T</td></tr>
<tr><td><b>F</b></td><td>fit the graph to the window; wheel zooms, drag pans</td></tr>
<tr><td><b>Esc</b></td><td>leave the sequence box so the keys above step again (Enter or Esc in a number box
does too)</td></tr>
<tr><td><b>F11</b></td><td>presentation mode (large fonts for projectors)</td></tr>
<tr><td><b>M</b></td><td>maximise the current tab: the figure fills the window (M or Esc: back)</td></tr>
<tr><td><b>G</b></td><td>maximise the graph (G or Esc: back)</td></tr>
</table>"""


class MainWindow(QMainWindow):
    closing = Signal()
    focus_changed = Signal(str)    # "tabs", "graph" or "" (see WindowLayout.set_focus)

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("rnnviz")
        self.setStyleSheet(theme.window_sheet())     # the theme's (theme.apply_app_theme)
        self._figures: list[QWidget] = []
        self._side_docks: list[QDockWidget] = []
        self.window_layout = WindowLayout(self)

        # centre: the graph above, the plot tabs below, the playback bar at the bottom
        self.graph = GraphView(state)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)   # a tab's name is never cut
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.graph)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        self.playback = PlaybackPanel(state)
        # the lecture's key figure: the current tab fills the window (the playback bar stays)
        self.focus_button = QToolButton()
        self.focus_button.setText("⤢")
        self.focus_button.setCheckable(True)
        self.focus_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.focus_button.setToolTip("Maximise: the current tab fills the window (M); again, M or Esc: back")
        self.focus_button.clicked.connect(
            lambda: self.window_layout.set_focus(None if self.window_layout.focus else "tabs"))
        self.playback.add_tail(self.focus_button)
        centre = QWidget()
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.playback)
        self.setCentralWidget(centre)
        self._figures.append(self.graph)

        self.heatmap = HiddenHeatmapView(state)
        self.outputs = OutputView(state)
        self.losses = LossView(state)
        self.add_plot_tab(self.heatmap, "Heatmaps")   # a⟨t⟩, c⟨t⟩, the gates: views/heatmap_view.py
        self.add_plot_tab(self.outputs, "Outputs ŷ⟨t⟩")
        self.add_plot_tab(self.losses, "Losses L⟨t⟩")

        # left: what goes in
        self.sequence_panel = SequencePanel(state)
        self.model_panel = ModelPanel(state)
        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(6, 6, 6, 6)
        llay.addWidget(self.sequence_panel)
        llay.addWidget(self.model_panel)
        llay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # wide enough that no control is ever cut off (WindowLayout.fit_columns); taller content scrolls
        self.input_dock = self._dock(scroll, "Input and model", Qt.DockWidgetArea.LeftDockWidgetArea)
        hand_back_keys(left)   # Enter / Esc in a spin box give ← → back to stepping

        # right: the current step's equations (more side panels join as tabs)
        self.equations = EquationView(state)
        self.add_side_panel(self.equations, "Equations")

        self._build_menus()
        self._build_status_bar()
        self._build_shortcuts()

        state.trace_changed.connect(self._on_trace_changed)
        state.busy_changed.connect(self._on_busy_changed)
        state.view_options_changed.connect(self._on_view_options_changed)
        state.input_error_changed.connect(self._on_input_error_changed)
        if state.trace is not None:
            self._on_trace_changed(state.trace)
        self.window_layout.fit_columns()

    # ------------------------------------------------------------------ API for other parts
    def add_plot_tab(self, widget: QWidget, title: str) -> None:
        """A view in the tab area under the graph."""
        self.tabs.addTab(widget, title)
        if isinstance(widget, FigureView):
            self._figures.append(widget)

    def add_side_panel(self, widget: QWidget, title: str) -> QDockWidget:
        """A panel on the right; panels after the first share the area as tabs."""
        scroll = QScrollArea()
        scroll.setWidget(widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # as wide as it needs
        dock = self._dock(scroll, title, Qt.DockWidgetArea.RightDockWidgetArea)
        if self._side_docks:
            self.tabifyDockWidget(self._side_docks[0], dock)
            self._side_docks[0].raise_()
        self._side_docks.append(dock)
        if hasattr(self, "panels_menu"):
            self.panels_menu.addAction(dock.toggleViewAction())
        if isinstance(widget, FigureView):
            self._figures.append(widget)
        hand_back_keys(widget)
        self.window_layout.fit_columns()
        return dock

    def figure_views(self) -> list[QWidget]:
        return list(self._figures)

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title}")
        dock.setWidget(widget)
        # closable: Qt enables a dock's View > Panels entry only then (presenting hides the input column)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        # a column shown again measures its contents with today's fonts
        dock.visibilityChanged.connect(lambda shown: shown and self.window_layout.fit_columns())
        self.addDockWidget(area, dock)
        return dock

    # ------------------------------------------------------------------ menus, keys, status
    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.file_menu = mb.addMenu("&File")
        self.examples_menu = self.file_menu.addMenu("Examples")
        for ex in load_examples():
            act = self.examples_menu.addAction(ex["name"])
            act.setToolTip(ex.get("tip", ""))
            act.triggered.connect(lambda _=False, e=ex: self.sequence_panel.load_example(e))
        self.file_menu.addSeparator()

        self.view_menu = mb.addMenu("&View")
        group = QActionGroup(self)
        self.light_action = QAction("Light theme", self, checkable=True, checked=True)
        self.dark_action = QAction("Dark theme", self, checkable=True)
        for act, name in ((self.light_action, "light"), (self.dark_action, "dark")):
            group.addAction(act)
            self.view_menu.addAction(act)
            act.triggered.connect(lambda _=False, n=name: self.state.set_view_options(theme=n))
        self.presentation_action = QAction("Presentation mode (large fonts)", self, checkable=True)
        self.presentation_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.presentation_action.toggled.connect(lambda on: self.state.set_view_options(presentation=on))
        self.view_menu.addAction(self.presentation_action)
        self.view_menu.addSeparator()
        fit = self.view_menu.addAction("Fit graph to window")
        fit.triggered.connect(self.graph.fit_all)
        self.focus_tab_action = QAction("Maximise the current tab", self, checkable=True)
        self.focus_tab_action.setShortcut(QKeySequence(Qt.Key.Key_M))
        self.focus_tab_action.setToolTip("The current tab fills the window (M or Esc: back)")
        self.focus_graph_action = QAction("Maximise the graph", self, checkable=True)
        self.focus_graph_action.setShortcut(QKeySequence(Qt.Key.Key_G))
        for act, target in ((self.focus_tab_action, "tabs"), (self.focus_graph_action, "graph")):
            act.triggered.connect(lambda _=False, t=target: self.window_layout.toggle_focus(t))
            self.view_menu.addAction(act)
        self.focus_changed.connect(self._on_focus_changed)
        reset = self.view_menu.addAction("Reset layout")
        reset.triggered.connect(self.reset_layout)
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu.addMenu("Panels")
        for dock in [self.input_dock] + self._side_docks:
            self.panels_menu.addAction(dock.toggleViewAction())

        help_menu = mb.addMenu("&Help")
        help_menu.addAction("Keyboard shortcuts", self._show_keys)
        help_menu.addAction("About rnnviz", self._show_about)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.status_label = StatusSummary()
        self.status_label.setObjectName("statusSummary")
        sb.addWidget(self.status_label, 1)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel("computing…")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.state.cancel_compute)
        for w in (self.busy_label, self.busy_bar, self.cancel_button):
            sb.addPermanentWidget(w)
            w.hide()
        # a computation shorter than this never flashes "computing…" (training pushes new weights twice
        # a second: the indicator blinked, and each show and hide relaid the status bar out)
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(BUSY_SHOW_MS)
        self._busy_delay.timeout.connect(lambda: self._show_busy(self.state.busy))

    def _build_shortcuts(self) -> None:
        s = self.state
        # window-wide, but text boxes keep their own keys (they accept the shortcut override)
        for key, slot in ((Qt.Key.Key_Right, s.step_forward), (Qt.Key.Key_Left, s.step_back),
                          (Qt.Key.Key_Home, s.go_start), (Qt.Key.Key_End, s.go_end),
                          (Qt.Key.Key_Space, s.toggle_play), (Qt.Key.Key_B, s.start_backward),
                          (Qt.Key.Key_F, self.graph.fit_all)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)

    # ------------------------------------------------------------------ slots
    def _on_trace_changed(self, tr) -> None:
        src = tr.seq.source.replace("\n", " ")
        short = src if len(src) <= 40 else src[:37] + "…"
        self.setWindowTitle(f"rnnviz — {short}")
        loss = f"{tr.total_loss:.4g}" if tr.finite else "overflow (inf/NaN)"
        # (rank, text): short of room the highest ranks are left out first
        parts = [(0, f"T = {tr.T:,}"), (3, f"n_a = {tr.n_a}"), (5, f"n_x = {tr.n_x}"),
                 (4, f"parameters = {param_count(tr.params):,}"), (1, f"L = Σ L⟨t⟩ = {loss}"),
                 (6, f"computed in {tr.compute_seconds * 1e3:.0f} ms")]
        batch = tr.extras.get("batch")
        if batch is not None:   # a batch: the views show one of its sequences
            parts.append((2, f"sequence {tr.extras.get('example', 0) + 1} of m = {batch.m} "
                             f"(the batch's L = {batch.total_loss:.4g})"))
        self.status_label.set_parts(parts)
        self.window_layout.model_changed()   # a deeper model's graph gets more of the centre

    def _on_busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_delay.start()
        else:
            self._busy_delay.stop()
            self._show_busy(False)

    def _show_busy(self, busy: bool) -> None:
        for w in (self.busy_label, self.busy_bar, self.cancel_button):
            if w.isVisibleTo(self) != busy:
                w.setVisible(busy)

    def _on_input_error_changed(self, msg: str) -> None:
        if msg:
            self.statusBar().showMessage(f"Input: {msg}", 6000)

    def _on_view_options_changed(self, options) -> None:
        app = QApplication.instance()
        if app is not None:
            theme.apply_app_theme(app, options)
        # presenting gives the graph the room the large fonts need: the input column steps aside
        # (View > Panels brings it back) and the layout from before returns when presentation mode ends
        self.window_layout.set_presenting(options.presentation)
        for act, on in ((self.light_action, options.theme != "dark"), (self.dark_action, options.theme == "dark")):
            act.setChecked(on)
        if self.presentation_action.isChecked() != options.presentation:
            self.presentation_action.setChecked(options.presentation)

    def _on_focus_changed(self, target: str) -> None:
        self.focus_tab_action.setChecked(target == "tabs")
        self.focus_graph_action.setChecked(target == "graph")
        self.focus_button.setChecked(bool(target))
        self.focus_button.setText("⤡" if target else "⤢")

    def _show_keys(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", KEYS_HELP)

    def _show_about(self) -> None:
        QMessageBox.about(self, "About rnnviz", f"<h3>rnnviz {__version__}</h3><p>See inside a recurrent "
                          "neural network: the unrolled graph, hidden states, losses, and backpropagation "
                          "through time, step by step.</p><p>Notation of the course notes: "
                          "a⟨t⟩ = g(Waa a⟨t−1⟩ + Wax x⟨t⟩ + ba), ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by).</p>")

    # ------------------------------------------------------------------ layout
    def size_columns(self) -> None:
        """Side columns in proportion to the window, so the graph keeps most of a 1280 x 720 projector."""
        self.window_layout.size_columns()

    def start_layout(self) -> None:
        """Call once the window is shown at its size: sizes the columns and remembers that layout."""
        self.window_layout.start()

    def reset_layout(self) -> None:
        self.window_layout.reset()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.window_layout.on_resized(event.oldSize().width(), event.size().width())

    def keyPressEvent(self, event) -> None:
        # Letter shortcuts again for keys no widget took: some X servers' key maps (Xvfb's, seen
        # here) never match single-letter QShortcuts, while arrow keys always do.
        if not event.modifiers() or event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            act = {Qt.Key.Key_B: self.state.start_backward, Qt.Key.Key_F: self.graph.fit_all,
                   Qt.Key.Key_F11: self.presentation_action.trigger, Qt.Key.Key_M: self.focus_tab_action.trigger,
                   Qt.Key.Key_G: self.focus_graph_action.trigger}.get(event.key())
            if event.key() == Qt.Key.Key_Escape and self.window_layout.focus is not None:
                act = lambda: self.window_layout.set_focus(None)  # noqa: E731
            if act is not None:
                act()
                event.accept()
                return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        from rnnviz.app.settings import window_settings

        self.state.pause()
        self.closing.emit()  # the autosave: what is on screen, before background work is dropped
        self.state.shutdown()  # quitting never waits for a computation
        s = window_settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.sync()
        super().closeEvent(event)


def default_config(text: str | None) -> Config:
    examples = load_examples()
    if text is not None:
        return Config(source=text)
    if examples:
        ex = examples[0]
        return Config(source=ex["source"], kind=ex.get("kind", "auto"))
    return Config()


def build_window(text: str | None = None) -> MainWindow:
    """The state and the window with everything installed (needs a QApplication)."""
    state = AppState(default_config(text))
    state.set_config(state.config)  # the first picture is computed before the window shows
    window = MainWindow(state)
    _install_extras(window)
    return window


def _install_extras(window: MainWindow) -> None:
    """The BPTT views and the file actions plug into the window through its API."""
    from rnnviz.app.bptt_install import install_bptt_views
    from rnnviz.app.check_install import install_check
    from rnnviz.app.file_actions import install_file_actions
    from rnnviz.app.layer_install import install_layer_views
    from rnnviz.app.panels.batch_panel import install_batch_panel

    install_bptt_views(window)
    install_layer_views(window)
    install_file_actions(window)
    from rnnviz.app.train_install import install_training   # issue 10: the Train panel and plots

    window.training = install_training(window)
    install_check(window)
    install_batch_panel(window)
    from rnnviz.app.lessons.install import install_lessons

    install_lessons(window)   # after every tab and panel: lessons are checked against what the window has
    window._side_docks[0].raise_()  # the equations first


def restore_geometry(window: MainWindow, screen=None) -> bool:
    """The window's size and place from the last run (settings folder), if saved and it fits the screen."""
    from rnnviz.app.settings import window_settings

    geometry = window_settings().value("window/geometry")
    if not geometry or not window.restoreGeometry(geometry):
        return False
    return screen is None or (window.width() <= screen.width() and window.height() <= screen.height())


def run_app(text: str | None = None, lesson=None, page: int = 1) -> int:
    """Open the window on the built-in example (or `text`) and run until it closes; with `lesson`
    (a rnnviz.lessons.Lesson) open at page `page` (1-based)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("rnnviz")
    app.setOrganizationName("rnnviz")
    app.setApplicationDisplayName("rnnviz")
    theme.apply_app_theme(app, AppState().view_options)
    collect_on_the_gui_thread(app)       # never in a worker: Qt objects die on their own thread
    window = open_window(app, text)
    if lesson is not None:
        window.lessons.open(lesson, page - 1)
    freeze_start_up()
    print("rnnviz: window shown", flush=True)
    smoke = os.environ.get("RNNVIZ_SMOKE_EXIT_MS")
    if smoke:
        QTimer.singleShot(int(smoke), window.close)
    code = app.exec()
    from rnnviz.app import jobs

    if jobs.working():  # a computation the window dropped still runs: leave now, don't wait for it
        jobs.exit_process(code)
    return code


def open_window(app: QApplication, text: str | None = None) -> MainWindow:
    """The start-up: the window on the example (or `text`), placed and shown, then the last session."""
    window = build_window(text)
    screen = app.primaryScreen().availableGeometry() if app.primaryScreen() else None
    if restore_geometry(window, screen):
        pass  # where the user left it
    elif screen is not None:  # the whole screen up to 1920 x 1200: the graph wants every pixel
        window.resize(min(1920, screen.width()), min(1200, screen.height()))
        window.move(screen.topLeft())
    else:
        window.resize(1500, 940)
    window.show()
    window.start_layout()
    if text is None:  # once shown (nothing has painted yet): its messages then reach the status bar
        from rnnviz.app.file_actions import restore_last_session
        from rnnviz.io.paths import last_session_path

        first_start = not last_session_path().exists()
        restore_last_session(window)
        if first_start:   # the start page: the lessons, beside the views (the input panels are the next tab)
            window.lessons.show_list()
    window.graph.setFocus()
    return window
