"""install_training(window): training in the window, through its API only.

- a "Training" panel beside "Input and model": the Run buttons and status on top, then four tabs:
  Train (TrainPanel), Curves (TrainPlotsView: loss, gradient norm, reach), Sample (SamplePanel),
  Check (GradCheckPanel);
- a permanent status-bar line: updates done, updates/s and the loss;
- state.training = the TrainController, so that sessions save and restore the runs (file_actions).
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QScrollArea, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from rnnviz.app.panels.keys import hand_back_keys

from rnnviz.app.panels.gradcheck_panel import GradCheckPanel
from rnnviz.app.panels.sample_panel import SamplePanel
from rnnviz.app.panels.train_panel import TrainPanel
from rnnviz.app.panels.widgets import FixedLine
from rnnviz.app.training_controller import TrainController
from rnnviz.app.views.lazy import set_staggered
from rnnviz.app.views.train_plots import Series, TrainPlotsView
from rnnviz.core.training import COLUMNS

PREPARE_AFTER_MS = 1000     # the Training panel in view this long: its compiled loops start loading


def plot_series(ctl) -> list[Series]:
    out = []
    for tr, h in zip(ctl.trainers, ctl.mirrors):
        out.append(Series(tr.spec.title(), *(h.column(c) for c in COLUMNS)))
    return out


def _scrolled(widget) -> QScrollArea:
    """A page that scrolls when the column is shorter than it (a 720p window)."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    # (not widened for its scroll bar: the column would take 22 px from the graph, which then loses its
    # detailed boxes at 1280 x 720; the page scrolls sideways by those pixels instead)
    return scroll


def _left_dock(window, widget) -> QDockWidget:
    """The Train panel as a tab beside "Input and model": what goes into the network, and how it
    learns. (As a right-hand panel its tab widened that column by 46 px at 1280 x 720, and the plot
    tabs no longer fitted.) It belongs to the input column: focus and presentation mode hide it with
    "Input and model" (WindowLayout); View > Panels > Training brings it back."""
    dock = QDockWidget("Training", window)
    dock.setObjectName("dock_Training")
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    window.tabifyDockWidget(window.input_dock, dock)
    window.input_dock.raise_()
    window.panels_menu.addAction(dock.toggleViewAction())
    hand_back_keys(widget)
    return dock         # WindowLayout hides and restores it with the input column (focus, presenting)


def install_training(window) -> dict:
    st = window.state
    ctl = TrainController(st, window)
    st.training = ctl
    plots = TrainPlotsView(st)
    ctl.watch_paints(window, plots.canvas.viewport())     # the worker waits while the window paints a frame
    panel = TrainPanel(ctl)
    sampler = SamplePanel(st, ctl)
    check = GradCheckPanel(st)
    tabs = QTabWidget()
    tabs.setDocumentMode(True)
    tabs.addTab(_scrolled(panel), "Train")
    tabs.addTab(plots, "Curves")                # (plots fit any height: no scrolling)
    tabs.addTab(_scrolled(sampler), "Sample")
    tabs.addTab(_scrolled(check), "Check")
    tabs.setTabToolTip(1, "training curves: the loss, the gradient norm and its reach, per update")
    tabs.setTabToolTip(3, "check the gradients against finite differences")
    window._figures.append(plots)               # exported with the other figures
    from rnnviz.app.export import install_context_menu

    install_context_menu(plots, window)         # right-click: PNG, SVG, CSV, copy (the file actions came first)
    # a seventh plot tab did not fit at 1280 x 720 (F11 even less), nor a third right-hand panel
    column = QWidget()
    lay = QVBoxLayout(column)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    panel.run_box.setParent(column)
    # its full height, status lines and all: the tabs below give way (their pages scroll)
    panel.run_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    panel.status.setMinimumHeight(3 * panel.status.fontMetrics().lineSpacing() + 2)    # its three lines
    lay.addWidget(panel.run_box)
    lay.addWidget(tabs, 1)
    dock = _left_dock(window, column)
    # the panel stays in view for a second: the user may train soon, so the compiled loops load now,
    # in the background (not for a tab passed on the way to another, nor for a layout settling)
    def in_view() -> None:
        if dock.isVisible() and (dock.isFloating() or not dock.visibleRegion().isEmpty()):
            ctl.prepare_kernels()

    dock.visibilityChanged.connect(lambda shown: shown and QTimer.singleShot(PREPARE_AFTER_MS, dock, in_view))
    # room for "trained 1,000,000 · 10,000/s · update L 0.00123" so that the line never cuts off its last
    # digit ("update L": the last update's loss, not the status bar's L = Σ L⟨t⟩ of the sequence shown);
    # fixed in size: its text changes at every frame while training, and a QLabel asks for a layout then
    status = FixedLine("trained 1,000,000 · preparing… · update L 0.000123")
    status.setObjectName("trainStatus")
    window.statusBar().addPermanentWidget(status)
    status.hide()

    def redraw() -> None:
        plots.set_live(ctl.running)
        if ctl.trainers:
            task = ctl.main.task
            who = " vs ".join(t.spec.title() for t in ctl.trainers)
            title = f"{who} on the {task.title}"
            if not ctl.running:     # (while it runs the status line counts: a new title each frame costs a layout)
                title += f": {ctl.updates:,} updates"
            plots.set_series(plot_series(ctl), task.baseline, title)
            main = ctl.main
            u = main.snapshots[ctl.viewing][0] if ctl.viewing is not None and not ctl.running else None
            plots.mark_update(u)
            loss = ctl.last("loss")
            speed = (" · preparing…" if ctl.running and ctl.preparing
                     else f" · {ctl.updates_per_s:,.0f}/s" if ctl.running else "")
            status.setText(f"trained {ctl.updates:,}{speed} · update L {loss:.3g}" if math.isfinite(loss)
                           else f"trained {ctl.updates:,}{speed}")     # no update yet: no loss, not "L nan"
            status.setToolTip(f"{ctl.updates:,} updates done, the last update's loss {loss:.6g}"
                              + (f", {ctl.updates_per_s:,.0f} updates a second" if ctl.running else ""))
            status.show()
        else:
            plots.set_series([], float("nan"), "Training: nothing trained yet (Train panel: ▶ Train)")
            status.hide()

    ctl.changed.connect(redraw)
    ctl.running_changed.connect(lambda _r: redraw())
    # while it trains, the views that follow the weights redraw one per event-loop turn (views/lazy.py)
    ctl.running_changed.connect(lambda running: set_staggered(window, running))
    window.closing.connect(ctl.shutdown)        # after the autosave (connected earlier): it saved the runs
    window.closing.connect(check.shutdown)
    redraw()
    return {"controller": ctl, "plots": plots, "panel": panel, "sample": sampler, "check": check, "dock": dock,
            "tabs": tabs, "status": status}
