"""Run by tests in a child process (so a freeze or a memory blow-up cannot take the test run with it):
open the window, enter a sequence as a user does, and paint every view.

    python tests/app/paint_child.py type "0 1e308 -1e308 1"     type it, paint every tab at several zooms
    python tests/app/paint_child.py paste 20001                 paste that many numbers after a short text,
                                                                print the peak Python memory of one paint
"""
from __future__ import annotations

import os
import sys
import tracemalloc

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from rnnviz.app.main_window import build_window  # noqa: E402


def wait_for(app, cond, steps=500):
    for _ in range(steps):
        app.processEvents()
        if cond():
            return True
        QTest.qWait(10)
    return False


def main() -> int:
    mode, arg = sys.argv[1], sys.argv[2]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    w = build_window("hello world")
    w.state.async_threshold = float("inf")
    w.resize(1280, 720)
    w.show()
    w.size_columns()
    app.processEvents()
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    if mode == "type":
        QTest.keyClicks(edit, arg)
        text = arg
    else:
        text = " ".join(str(i % 7) for i in range(int(arg)))
        QGuiApplication.clipboard().setText(text)
        QTest.keySequence(edit, QKeySequence.StandardKey.Paste)
    if not wait_for(app, lambda: w.state.config.source == text and w.state.trace.seq.source == text):
        print("the trace never arrived", w.state.input_error)
        return 3
    QTest.keyClick(edit, Qt.Key.Key_Escape)
    if mode == "paste":   # the hidden-states tab, painted once, its Python allocations measured
        w.tabs.setCurrentWidget(w.heatmap)
        app.processEvents()
        tracemalloc.start()
        w.heatmap.grab()
        print("peak_bytes", tracemalloc.get_traced_memory()[1])
        return 0
    canvas = w.graph.canvas
    for keys in (["F"], ["Minus"], ["Minus", "Minus"], ["Plus"] * 6):
        canvas.setFocus()
        for k in keys:
            QTest.keyClick(canvas, getattr(Qt.Key, "Key_" + k))
        for pos in ("Home", "End", "Right", "Right"):   # forward, then the backward pass
            QTest.keyClick(canvas, getattr(Qt.Key, "Key_" + pos))
            for i in range(w.tabs.count()):
                w.tabs.setCurrentIndex(i)
                w.grab()
    print("painted", w.state.T)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)   # no interpreter teardown: what is measured here is painting, not Qt's shutdown order
