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
