"""install_check(window): File ▸ Check my implementation… and the Check results panel.

Needs window.state, window.file_menu (after the file actions filled it), window.add_plot_tab and
window.closing. The chosen file is checked off the GUI thread (StudentCheck) and watched: saving it
checks it again. The panel is a tab under the graph (wide and short, as the results are: the list
beside the details), added with the first check and brought to the front whenever one starts.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from rnnviz.app.panels.check_panel import CheckPanel
from rnnviz.app.settings import remember_folder, start_folder
from rnnviz.app.student_check import StudentCheck

PY_FILTER = "Python file (*.py)"


def install_check(window) -> CheckPanel:
    check = StudentCheck(window.state, window)
    panel = CheckPanel(window.state, check)
    window.student_check, window.check_panel = check, panel

    def choose() -> None:
        path, _ = QFileDialog.getOpenFileName(window, "Check my implementation", start_folder("checks"),
                                              f"{PY_FILTER};;All files (*)")
        if not path:
            return
        remember_folder("checks", path)
        if not Path(path).is_file():
            panel.status.setText(f"{path}: no such file")
            return
        check.check(path)

    def show_panel(_path: str) -> None:
        if window.tabs.indexOf(panel) < 0:    # the tab appears with the first check (the bar has room for
            window.add_plot_tab(panel, "Check")   # it at 1280 px, not for it always, in presentation mode)
        if window.window_layout.focus == "graph":
            window.window_layout.set_focus(None)
        window.tabs.setCurrentWidget(panel)

    act = QAction("Check my &implementation…", window)
    act.setShortcut("Ctrl+K")
    act.setToolTip("Run your own rnn_forward, rnn_backward, … (a .py file) against rnnviz's, step by step")
    act.triggered.connect(choose)
    menu = window.file_menu
    before = getattr(window, "file_actions", None)
    anchor = before.actions.get("export_all") if before is not None else None
    if anchor is not None:
        menu.insertAction(anchor, act)
        menu.insertSeparator(anchor)
    else:
        menu.addAction(act)
    window.check_action = act
    check.started.connect(show_panel)
    window.closing.connect(check.shutdown)
    return panel
