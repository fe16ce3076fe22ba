"""install_training(window): training in the window, through its API only.

- a "Train" side panel with three tabs: Train (TrainPanel), Sample (SamplePanel), Check gradients
  (GradCheckPanel);
- a "Training" tab under the graph (TrainPlotsView: loss, gradient norm, reach);
- a permanent status-bar line: updates done, updates/s and the loss;
- state.training = the TrainController, so that sessions save and restore the runs (file_actions).
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget

from rnnviz.app.panels.gradcheck_panel import GradCheckPanel
from rnnviz.app.panels.sample_panel import SamplePanel
from rnnviz.app.panels.train_panel import TrainPanel
from rnnviz.app.training_controller import TrainController
from rnnviz.app.views.train_plots import Series, TrainPlotsView
from rnnviz.core.training import COLUMNS


def plot_series(ctl) -> list[Series]:
    out = []
    for tr, h in zip(ctl.trainers, ctl.mirrors):
        out.append(Series(tr.spec.title(), *(h.column(c) for c in COLUMNS)))
    return out


def install_training(window) -> dict:
    st = window.state
    ctl = TrainController(st, window)
    st.training = ctl
    plots = TrainPlotsView(st)
    panel = TrainPanel(ctl)
    sampler = SamplePanel(st, ctl)
    check = GradCheckPanel(st)
    tabs = QTabWidget()
    tabs.setDocumentMode(True)
    tabs.addTab(panel, "Train")
    tabs.addTab(sampler, "Sample")
    tabs.addTab(check, "Check gradients")
    window.add_plot_tab(plots, "Training")
    dock = window.add_side_panel(tabs, "Train")
    status = QLabel("")
    status.setObjectName("trainStatus")
    window.statusBar().addPermanentWidget(status)
    status.hide()

    def redraw() -> None:
        if ctl.trainers:
            task = ctl.main.task
            who = " vs ".join(t.spec.title() for t in ctl.trainers)
            title = f"{who} on the {task.title}: {ctl.updates:,} updates"
            plots.set_series(plot_series(ctl), task.baseline, title)
            main = ctl.main
            u = main.snapshots[ctl.viewing][0] if ctl.viewing is not None and not ctl.running else None
            plots.mark_update(u)
            loss = ctl.last("loss")
            speed = f" · {ctl.updates_per_s:,.0f}/s" if ctl.running else ""
            status.setText(f"trained {ctl.updates:,}{speed} · L {loss:.3g}")
            status.setToolTip(f"{ctl.updates:,} updates done, the last update's loss {loss:.6g}"
                              + (f", {ctl.updates_per_s:,.0f} updates a second" if ctl.running else ""))
            status.show()
        else:
            plots.set_series([], float("nan"), "Training: nothing trained yet (Train panel: ▶ Train)")
            status.hide()

    ctl.changed.connect(redraw)
    ctl.running_changed.connect(lambda _r: redraw())
    window.closing.connect(ctl.shutdown)        # after the autosave (connected earlier): it saved the runs
    window.closing.connect(check.shutdown)
    redraw()
    return {"controller": ctl, "plots": plots, "panel": panel, "sample": sampler, "check": check, "dock": dock,
            "tabs": tabs, "status": status}
