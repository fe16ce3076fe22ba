"""Background work (issue 13, item 20): a newer request supersedes an older one (queued jobs are
dropped, a running one is asked to stop between stages), opening a session never waits for the
queue, and quitting is immediate: no waiting on running work, nothing delivered afterwards, no
"Signal source has been deleted" tracebacks."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

import rnnviz.app.state as state_module
from rnnviz.app.config import Config, run_config
from rnnviz.app.jobs import JobRunner
from rnnviz.app.main_window import build_window
from rnnviz.core.trace import Stopped
from rnnviz.io.session import Session, save_session

ROOT = Path(__file__).resolve().parents[2]


def _until_stopped(task, tag):
    while not task.should_stop():
        time.sleep(0.005)
    raise Stopped


def test_a_newer_job_drops_the_queued_ones_and_stops_the_running_one(qtbot):
    runner = JobRunner()
    done, cancelled = [], []
    runner.finished.connect(lambda j: done.append(j.result))
    runner.cancelled.connect(lambda j: cancelled.append(j.args[0]))
    first = runner.submit("main", _until_stopped, "first")
    qtbot.waitUntil(lambda: first.status == "running", timeout=5000)
    for tag in ("second", "third", "fourth"):
        runner.submit("main", _until_stopped, tag)
    last = runner.submit("main", lambda task, tag: tag.upper(), "last")
    assert [j.status for j in (first, last)] == ["running", "queued"]
    assert first.task.is_interruption_requested()
    with qtbot.waitSignal(runner.finished, timeout=10000):
        pass
    assert done == ["LAST"]
    qtbot.waitUntil(lambda: len(cancelled) == 4, timeout=5000)
    assert sorted(cancelled) == ["first", "fourth", "second", "third"]
    assert runner.counts["done"] == 1 and runner.counts["cancelled"] == 4 and runner.pending() == []


def test_lanes_are_independent_and_progress_partial_results_and_errors_arrive(qtbot):
    runner = JobRunner()
    progress, partial, failed = [], [], []
    runner.progress.connect(lambda j, f: progress.append(f))
    runner.partial_result.connect(lambda j, v: partial.append(v))
    runner.failed.connect(lambda j: failed.append(j.error))

    def work(task, n):
        for i in range(n):
            task.set_progress((i + 1) / n)
            task.set_partial_result(i)
        return n

    a = runner.submit("main", work, 3)
    b = runner.submit("compare", work, 2)  # another lane: does not supersede the main job
    runner.submit("other", lambda task: (_ for _ in ()).throw(ValueError("bad input")))
    runner.submit("more", lambda task: (_ for _ in ()).throw(MemoryError()))
    assert runner.wait_idle(10000)
    qtbot.waitUntil(lambda: len(failed) == 2, timeout=5000)
    assert a.status == b.status == "done" and (a.result, b.result) == (3, 2)
    assert progress == [1 / 3, 2 / 3, 1.0, 0.5, 1.0] and partial == [0, 1, 2, 0, 1]
    assert failed[0] == "bad input" and "not enough memory" in failed[1]


def test_shutdown_never_waits_and_nothing_is_delivered_afterwards(qtbot):
    runner = JobRunner()
    release = threading.Event()
    delivered = []
    runner.finished.connect(delivered.append)
    runner.cancelled.connect(delivered.append)
    busy = runner.submit("main", lambda task: release.wait(30) and "late")  # ignores stop requests
    queued = runner.submit("compare", lambda task: "never")
    qtbot.waitUntil(lambda: busy.status == "running", timeout=5000)
    runner.shutdown()   # returns while the job still runs: it does not wait for it
    assert busy.status == "running" and busy.task.is_interruption_requested()
    assert queued.status == "cancelled" and runner.pending() == [busy]
    delivered.clear()
    runner.deleteLater()  # the window's objects go away before the job ends
    QApplication.sendPostedEvents()
    release.set()
    time.sleep(0.2)
    QApplication.processEvents()
    assert delivered == []


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w = build_window("hello world")
    qtbot.addWidget(w)
    return w


def test_six_quick_radius_changes_at_a_large_hidden_size_compute_only_the_last(window, qtbot, monkeypatch):
    computed = []
    real = state_module._run_job

    def counting(task, config, base):
        tr = real(task, config, base)
        computed.append(config.radius)  # only runs that went to the end
        return tr

    monkeypatch.setattr(state_module, "_run_job", counting)
    st, p = window.state, window.model_panel
    p.hidden.setFocus()
    p.hidden.selectAll()
    qtbot.keyClicks(p.hidden, "512")
    qtbot.keyClick(p.hidden, Qt.Key.Key_Return)
    assert st.busy  # 512 hidden units compute in the background
    qtbot.waitUntil(lambda: not st.busy, timeout=120000)
    assert st.trace.n_a == 512
    qtbot.waitUntil(lambda: not st.gains_pending, timeout=120000)   # its local gains follow in a job of their own
    traces, counts = [], dict(st.jobs.counts)
    computed.clear()
    st.trace_changed.connect(traces.append)
    p.radius_spin.setFocus()
    for _ in range(6):
        qtbot.keyClick(p.radius_spin, Qt.Key.Key_Up)   # six clicks on ρ, 0.90 -> 1.20
    assert st.busy and st.config.radius == pytest.approx(1.2)
    assert len(st.jobs.pending()) <= 2               # the one running (asked to stop) and the last
    qtbot.waitUntil(lambda: not st.busy, timeout=120000)
    qtbot.waitUntil(lambda: st.jobs.counts["cancelled"] - counts["cancelled"] == 5, timeout=30000)
    assert computed == [pytest.approx(1.2)]          # six queued jobs all ran to the end before
    assert len(traces) == 1 and traces[0].rho == pytest.approx(1.2)
    qtbot.waitUntil(lambda: not st.gains_pending, timeout=120000)
    # (the worker lets go of the gains job just after the window has its result: not in the same instant)
    qtbot.waitUntil(lambda: st.jobs.pending() == [], timeout=5000)
    assert st.jobs.counts["done"] - counts["done"] == 2                               # the trace, its gains


def test_open_session_does_not_wait_for_the_computation(window, qtbot, tmp_path, monkeypatch):
    st = window.state
    st.async_threshold = 0.0
    f = tmp_path / "lesson.rnnviz"
    save_session(f, Session(Config(source="abcdefabcdef", hidden=12).to_dict(), position=15))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(f), ""))
    before = st.trace
    window.file_actions.actions["open"].trigger()
    assert st.busy and st.trace is before           # back at once: it waited up to 60 s before
    qtbot.waitUntil(lambda: st.trace is not before, timeout=30000)
    assert st.trace.seq.source == "abcdefabcdef" and st.position == 15


def test_closing_the_window_drops_background_work_without_waiting(window, qtbot, monkeypatch, capfd):
    release = threading.Event()

    def stuck(task, config, base):  # a long NumPy call: it can't look at should_stop meanwhile
        release.wait(30)
        return run_config(config, base)

    monkeypatch.setattr(state_module, "_run_job", stuck)
    st = window.state
    st.async_threshold = 0.0
    traces = []
    st.trace_changed.connect(traces.append)
    for r in (1.0, 1.1, 1.2):   # one runs, the others wait in the queue
        st.update_config(radius=r)  # state-level requests: the keys are tested above
    qtbot.waitUntil(lambda: any(j.status == "running" for j in st.jobs.pending()), timeout=5000)
    running = st.jobs.pending()[0]
    window.close()                                   # returned only when the queue had drained before
    assert running.status == "running" and running.task.is_interruption_requested()
    assert st.jobs.pending() == [running] and not st.busy
    assert st.jobs.counts["cancelled"] >= 2          # the superseded and the queued ones
    release.set()
    time.sleep(0.3)
    QApplication.processEvents()
    assert traces == []
    assert "Signal source has been deleted" not in capfd.readouterr().err


@pytest.mark.parametrize("quit_after_ms", [300, 900, 1600])
def test_the_process_exits_at_once_with_work_in_the_background(tmp_path, quit_after_ms):
    """Quit while the restored session computes (1024 hidden units: inside NumPy's eigvals): the
    process ends without waiting for it, without a traceback, and neither crashes (a segfault) nor
    hangs (OpenBLAS's exit handler) when the interpreter would finalize around the worker."""
    home = tmp_path / "home"
    home.mkdir()
    save_session(home / "last.rnnviz", Session(Config(source="hello world " * 4, hidden=1024).to_dict()))
    env = dict(os.environ, RNNVIZ_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               RNNVIZ_SMOKE_EXIT_MS=str(quit_after_ms))
    env.pop("DISPLAY", None)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)  # ~3 s; a hang of the exit is caught here
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "rnnviz: window shown" in proc.stdout
    assert "Traceback" not in proc.stderr and "Signal source" not in proc.stderr
    assert (home / "last.rnnviz").is_file()


def test_state_small_recomputations_go_to_the_background_while_a_worker_computes(qtbot):
    """A state test. A small trace is computed on the GUI thread, unless a worker computes beside it (a
    training run, a superseded trace): a worker in a Python loop takes the interpreter lock in turn
    with the GUI thread, and a compare that takes 30 ms alone held the window 1.1 s (the monkey,
    seed 2). Then it goes to the background too; the local gains' lane is not such work (it is
    dropped for the new trace); once the worker is done, small traces are computed here again."""
    from rnnviz.app import jobs
    from rnnviz.app.state import AppState

    st = AppState()
    st.set_config(Config(source="hello world"))
    qtbot.waitUntil(lambda: not st.jobs.pending(), timeout=10000)
    assert st.trace is not None and not jobs.busy(besides=("gains",))
    other = JobRunner()                                   # as the training's runner is
    release = threading.Event()
    other.submit("train", lambda task: release.wait(20))
    qtbot.waitUntil(lambda: jobs.busy(), timeout=5000)
    try:
        st.update_config(hidden=17)
        assert st.busy and st.trace.n_a == 16              # computing in the background
        qtbot.waitUntil(lambda: st.trace.n_a == 17, timeout=10000)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not jobs.busy(besides=("gains",)), timeout=5000)
    st.update_config(hidden=18)
    assert not st.busy and st.trace.n_a == 18              # alone again: at once
    st.shutdown()
