"""The compiled training loops load in the background once the Training panel is shown, so that the first
▶ Train starts at once."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from rnnviz.core import kernels

from .drive import open_window, type_sequence

pytest.importorskip("numba")


@pytest.fixture
def unloaded(monkeypatch):
    """The kernels as in a process that never loaded them (numba keeps its compiled code: quick)."""
    monkeypatch.setattr(kernels, "_loaded", None)
    monkeypatch.setattr(kernels, "_tried", False)
    monkeypatch.delenv("RNNVIZ_NO_NUMBA", raising=False)


def dock_tab(window, title):
    for bar in window.findChildren(QTabBar):
        for i in range(bar.count()):
            if bar.tabText(i) == title and bar.isVisible():
                return bar, i
    raise AssertionError(f"no dock tab {title!r}")


def test_showing_the_training_panel_loads_the_kernels_and_the_first_run_needs_no_preparing(qtbot, unloaded):
    w = open_window(qtbot)
    type_sequence(qtbot, w, "hello world, hello rnn")
    ctl = w.training["controller"]
    bar, i = dock_tab(w, "Input and model")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    qtbot.wait(1500)
    assert kernels.ready() is None                   # not for a user who never looks at training
    bar, i = dock_tab(w, "Training")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    qtbot.waitUntil(lambda: kernels.ready() is not None, timeout=60000)
    qtbot.waitUntil(lambda: not ctl.runner.pending(), timeout=10000)
    panel = w.training["panel"]
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert ctl.running and not ctl.preparing         # ▶ Train: no "preparing the compiled loops…"
    qtbot.waitUntil(lambda: ctl.updates > 0, timeout=20000)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ctl.running, timeout=20000)
