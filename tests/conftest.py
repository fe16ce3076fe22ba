import os

# GUI tests run without a screen; set before any Qt import
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile

# sessions, recent files and settings go to a throw-away folder, never the user's own
os.environ.setdefault("RNNVIZ_HOME", tempfile.mkdtemp(prefix="rnnviz-test-home-"))


def pytest_sessionfinish(session, exitstatus):
    """Windows closed during a computation leave it running on a worker thread (quitting never
    waits); let it end before the interpreter finalizes around it (NumPy would crash)."""
    import sys

    jobs = sys.modules.get("rnnviz.app.jobs")
    if jobs is not None:
        jobs.wait_all(120)


# ---- a modal dialog (or a menu) nobody answers must fail its test, not hang the suite -------------------------
MODAL_LIMIT_S = 20.0   # a test that drives a dialog answers it within milliseconds


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_unanswered_dialogs(request):
    """If a modal dialog stays open for MODAL_LIMIT_S seconds, close it and fail the test that opened it."""
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen = {"since": None, "what": None}
    timer = QTimer()
    timer.setInterval(500)

    def check():
        import time

        # a dialog, or a menu in a nested loop of its own (a spin box's context menu runs QMenu.exec())
        w = QApplication.activeModalWidget() or QApplication.activePopupWidget()
        if w is None:
            seen["since"] = None
            return
        if seen["since"] is None:
            seen["since"] = time.monotonic()
        elif time.monotonic() - seen["since"] > MODAL_LIMIT_S:
            seen["what"] = f"{type(w).__name__} {w.windowTitle()!r}"
            w.reject() if hasattr(w, "reject") else w.close()

    timer.timeout.connect(check)
    timer.start()
    yield
    timer.stop()
    if seen["what"]:
        pytest.fail(f"a modal dialog was left open, nobody answered it: {seen['what']}")


# ---- Python's cyclic garbage collector on the GUI thread only, as the app has it (rnnviz/app/gui_gc.py) -------
@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread(request):
    """Left automatic, the collector ran in a window's worker thread and destroyed Qt objects there: the
    suite segfaulted in pytest-qt's event processing (a pyqtgraph LabelItem whose text item was gone).
    From the first Qt test on, the app's collector collects on the GUI thread, and after every test
    (a test without an event loop to tick its timer) the same check runs on the main thread."""
    import sys

    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        from PySide6.QtWidgets import QApplication

        from rnnviz.app.gui_gc import collect_on_the_gui_thread

        if QApplication.instance() is not None:
            collect_on_the_gui_thread(QApplication.instance())
    yield
    gui_gc = sys.modules.get("rnnviz.app.gui_gc")
    app = sys.modules.get("PySide6.QtWidgets") and sys.modules["PySide6.QtWidgets"].QApplication.instance()
    collector = app.findChild(gui_gc.GuiCollector) if gui_gc is not None and app is not None else None
    if collector is not None:
        collector.check()
