"""Window benchmarks (offscreen): start-up, stepping latency, and a T = 10,000 recompute off the GUI thread.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_app.py

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_app.py --models   # the model cases only

Prints figures; asserts nothing (goals: window shown < 1.5 s, a step repainted < 16 ms at T = 1000,
n_a = 256, the GUI thread never blocked for long while T = 10,000 is computed; for the deep models, a
step repainted < 16 ms for a 2-layer bidirectional LSTM with n_a = 128 at T = 200 and for a 3-layer
LSTM with n_a = 128 at T = 1000).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RNNVIZ_HOME", tempfile.mkdtemp(prefix="rnnviz-bench-"))

from benchmarks._gaps import GapSampler  # noqa: E402  (one event-gap sampler for the benchmarks)


def startup_seconds(runs: int = 3) -> list[float]:
    """Process start -> 'rnnviz: window shown' on stdout."""
    out = []
    for _ in range(runs):
        env = dict(os.environ, RNNVIZ_SMOKE_EXIT_MS="200", RNNVIZ_HOME=tempfile.mkdtemp(prefix="rnnviz-bench-"))
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        for line in p.stdout:
            if "window shown" in line:
                out.append(time.perf_counter() - t0)
                break
        p.wait(timeout=60)
    return out


def random_text(n: int, seed: int = 0) -> str:
    import numpy as np

    letters = np.array(list("abcdefghijklmnopqrstuvwxyz     .,"))
    return "".join(np.random.default_rng(seed).choice(letters, n))


MODEL_CASES = (   # (what, Config fields): the deep models' stepping goals (< 16 ms a step)
    ("2-layer bidirectional LSTM, n_a = 128, T = 200", dict(cell="lstm", layers=2, bidirectional=True, hidden=128), 201),
    ("3-layer LSTM, n_a = 128, T = 1000", dict(cell="lstm", layers=3, hidden=128), 1001),
)


def open_window(app, state):
    """The window as the app builds it, 1400 x 900, at step 1 with the graph focused."""
    from rnnviz.app import theme
    from rnnviz.app.main_window import MainWindow, _install_extras

    theme.apply_app_theme(app, state.view_options)
    w = MainWindow(state)
    _install_extras(w)
    w.resize(1400, 900)
    w.show()
    app.processEvents()
    state.go_start()
    w.graph.setFocus()
    app.processEvents()
    return w


def settle_jobs(app, seconds: float = 120.0) -> None:
    """Let the window's background work (the local gains of a new trace) finish, as a user would see
    the Gradients tab complete before stepping: a worker holding the interpreter lock slows every step."""
    from rnnviz.app import jobs

    t0 = time.perf_counter()
    while jobs.busy() and time.perf_counter() - t0 < seconds:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def step_times(w, app, n: int, cpu: list | None = None) -> list[float]:
    """Seconds of each of n → key presses, each until every view has painted its update (sorted);
    `cpu` gets the process's CPU seconds of each (sorted): on a shared machine the wall time waits
    for other processes too, the CPU time is the step's own cost."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    out = []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        QTest.keyClick(w, Qt.Key.Key_Right)   # through the window's shortcut, as a user would
        app.processEvents()                   # every view paints its pending update
        out.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
    if cpu is not None:
        cpu.sort()
    return sorted(out)


def model_cases(app) -> None:
    """The whole window on each deep model: → from step 1, the graph and the current tab repainted."""
    from rnnviz.app.state import AppState, Config

    for what, fields, n in MODEL_CASES:
        state = AppState(Config(source=random_text(n, seed=2), **fields))
        state.async_threshold = float("inf")
        t0 = time.perf_counter()
        state.set_config(state.config)
        compute = time.perf_counter() - t0
        w = open_window(app, state)
        settle_jobs(app)                      # the local gains come in a background job: step after it
        cpu: list = []
        times = step_times(w, app, min(150, state.T - 2), cpu)
        print(f"key → + repaint of every view, {what}: median {1e3 * statistics.median(times):.1f} ms, "
              f"90th percentile {1e3 * times[int(0.9 * len(times))]:.1f} ms; CPU median "
              f"{1e3 * statistics.median(cpu):.1f} ms (goal < 16 ms; trace in {compute:.2f} s)")
        for tab in range(w.tabs.count()):
            w.tabs.setCurrentIndex(tab)
            app.processEvents()
            cpu = []
            tt = step_times(w, app, 30, cpu)
            print(f"   with tab {w.tabs.tabText(tab)!r}: median {1e3 * statistics.median(tt):.1f} ms, "
                  f"CPU {1e3 * statistics.median(cpu):.1f} ms")
        w.close()
        app.processEvents()


def main() -> None:
    if "--models" in sys.argv:
        from PySide6.QtWidgets import QApplication
        model_cases(QApplication.instance() or QApplication([]))
        return
    s = startup_seconds()
    print(f"start-up (process start -> window shown): median {statistics.median(s):.2f} s "
          f"(runs: {', '.join(f'{x:.2f}' for x in s)}; goal < 1.5 s)")

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from rnnviz.app.state import AppState, Config

    state = AppState(Config(source=random_text(1001), hidden=256))
    state.async_threshold = float("inf")
    t0 = time.perf_counter()
    state.set_config(state.config)
    print(f"compute T = {state.T}, n_a = {state.trace.n_a}: {time.perf_counter() - t0:.2f} s")
    w = open_window(app, state)

    times = []
    for _ in range(150):
        t0 = time.perf_counter()
        QTest.keyClick(w, Qt.Key.Key_Right)   # through the window's shortcut, as a user would
        app.processEvents()                   # every view paints its pending update
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"key → + repaint of every view at T = 1000, n_a = 256: median {1e3 * statistics.median(times):.1f} ms, "
          f"90th percentile {1e3 * times[int(0.9 * len(times))]:.1f} ms (goal < 16 ms)")
    for tab in range(w.tabs.count()):
        w.tabs.setCurrentIndex(tab)
        app.processEvents()
        tt = []
        for _ in range(40):
            t0 = time.perf_counter()
            QTest.keyClick(w, Qt.Key.Key_Right)
            app.processEvents()
            tt.append(time.perf_counter() - t0)
        print(f"   with tab {w.tabs.tabText(tab)!r}: median {1e3 * statistics.median(tt):.1f} ms")

    # T = 10,000 off the GUI thread: measure the longest the event loop was blocked meanwhile
    state.async_threshold = 2e7
    gaps = GapSampler()
    gaps.start()
    t0 = time.perf_counter()
    state.update_config(source=random_text(10_001, seed=1), hidden=64)
    blocked = time.perf_counter() - t0
    busy_seen = state.busy and w.cancel_button.isVisibleTo(w)
    while state.busy or state.T != 10_000:
        app.processEvents()
        time.sleep(0.002)
        if time.perf_counter() - t0 > 120:
            break
    total = time.perf_counter() - t0
    gaps.stop()
    print(f"T = 10,000, n_a = 64 recompute: {total:.2f} s in the background; update_config returned in "
          f"{1e3 * blocked:.0f} ms; busy indicator shown: {busy_seen}; longest event-loop gap meanwhile "
          f"{1e3 * gaps.longest:.0f} ms (includes redrawing the views on screen for the new trace; the GUI thread's "
          f"own CPU time in it {1e3 * gaps.cpu_of_longest:.0f} ms)")
    state.go_start()
    app.processEvents()
    tt = []
    for _ in range(60):
        t0 = time.perf_counter()
        QTest.keyClick(w, Qt.Key.Key_Right)
        app.processEvents()
        tt.append(time.perf_counter() - t0)
    print(f"key → + repaint at T = 10,000: median {1e3 * statistics.median(tt):.1f} ms")
    w.close()
    app.processEvents()
    model_cases(app)


if __name__ == "__main__":
    main()
