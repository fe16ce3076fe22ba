"""The trace first, its local gains after: a long sequence shows every view at once, the views that
quote a gain say "computing local gains…" until the gains job's result arrives, then show the final
numbers; a newer trace supersedes the older gains job; files are written only with every gain in."""
from __future__ import annotations

import re
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from rnnviz.app.config import run_config
from rnnviz.core import diagnostics as D
from rnnviz.core.trace import GAINS_PENDING
from tests.app.drive import choose, open_window, type_number, type_sequence

TEXT = "the quick brown fox jumps over the lazy dog"


def views(w):
    """The Gradients tab and the Backprop through time panel, opened as a user opens them (a view behind
    another tab redraws only when it is shown: views/lazy.py)."""
    from rnnviz.app.views.bptt_panel import BPTTPanel
    from tests.app.drive import side

    grad = next(v for v in w.figure_views() if getattr(v, "figure_name", "") == "gradients")
    w.tabs.setCurrentWidget(grad)
    side(w, "Backprop through time")
    panel = w.findChild(BPTTPanel)
    return grad, panel


@pytest.fixture
def gate(monkeypatch):
    """The gains jobs wait until the test opens the gate (a long sequence's gains take seconds): what
    the views show meanwhile is then checked without a race. A waiting job still stops when superseded."""
    import rnnviz.app.gains as gains_module
    from rnnviz.core.trace import Stopped

    opened = threading.Event()
    real = gains_module._gains_job
    opened.ran = []

    def slow(task, trace):
        while not opened.wait(0.01):
            if task.should_stop():
                raise Stopped
        out = real(task, trace)
        opened.ran.append(trace.seq.source)    # only the jobs that went to the end
        return out

    monkeypatch.setattr(gains_module, "_gains_job", slow)
    return opened


def background_window(qtbot):
    """The window with every computation in the background, as a long sequence or a large model is."""
    w = open_window(qtbot)
    w.state.async_threshold = 0.0
    return w


def test_a_typed_sequence_shows_its_trace_then_its_local_gains(qtbot, gate, monkeypatch):
    w = background_window(qtbot)
    st = w.state
    grad, panel = views(w)
    choose(qtbot, w.model_panel.cell, "lstm")            # its verdict's reasons quote the step gains
    qtbot.waitUntil(lambda: st.trace.spec.cell == "lstm" and not st.busy, timeout=60000)
    old = st.trace
    type_sequence(qtbot, w, TEXT)
    qtbot.waitUntil(lambda: st.trace is not old and st.trace.seq.source == TEXT and not st.busy, timeout=60000)
    # the trace is in: every view has drawn it, the gains are on their way (their job has not reported yet)
    assert st.gains_pending and not st.trace.gains_ready
    assert grad.verdict.kind in ("vanishing", "stable", "exploding")      # the verdict's kind needs no gain
    assert GAINS_PENDING in grad.verdict_label.text()
    assert GAINS_PENDING in grad.gains_text.toPlainText()
    x, y = grad.curves["gain"].getData()
    assert y is None or not np.any(np.isfinite(y))                       # no gain curve yet, not a wrong one
    assert "measure … (computing local gains…)" in panel.verdict_label.text()
    assert re.search(r"measure \d", panel.verdict_label.text()) is None
    da = grad.curves["da"].getData()[1]
    assert da is not None and da.size == st.trace.T and np.all(np.isfinite(da))   # the gradient curves are drawn

    worked_out = []                                      # the threads the verdicts were worked out in
    real_verdict = D._verdict
    monkeypatch.setattr(D, "_verdict", lambda *a: worked_out.append(threading.current_thread()) or real_verdict(*a))
    with qtbot.waitSignal(st.gains_changed, timeout=60000):
        gate.set()
    assert not st.gains_pending and st.trace.gains_ready
    # the verdict that quotes the gains came with them, worked out in the worker (7 ms a push while training)
    assert worked_out and threading.main_thread() not in worked_out
    monkeypatch.setattr(D, "_verdict", real_verdict)
    full = run_config(st.config)                                         # everything at once, as the CLI computes it
    final = D.verdict(full)
    assert grad.verdict == final and not final.gains_pending
    assert GAINS_PENDING not in grad.verdict_label.text() and grad.gains_text.toPlainText() == ""
    assert re.search(r"measure \d+\.\d\d on average", panel.verdict_label.text())
    assert GAINS_PENDING not in panel.verdict_label.text()
    x, y = grad.curves["gain"].getData()
    assert np.allclose(grad.data["gain"], D.step_gain(full)) and y.size == full.T and np.all(np.isfinite(y))


def test_the_backward_equations_quote_the_gain_once_it_arrives(qtbot, gate):
    w = background_window(qtbot)
    st = w.state
    old = st.trace
    type_sequence(qtbot, w, TEXT)
    qtbot.waitUntil(lambda: st.trace is not old and not st.busy, timeout=60000)
    w.graph.setFocus()
    qtbot.keyClick(w.graph, Qt.Key.Key_B)                 # B: BPTT from step T
    qtbot.waitUntil(lambda: st.phase == "backward", timeout=5000)
    st.pause()
    eq = w.equations.browser.toPlainText()
    assert st.gains_pending and "local gain" in eq and GAINS_PENDING in eq
    gate.set()
    qtbot.waitUntil(lambda: not st.gains_pending, timeout=60000)
    qtbot.waitUntil(lambda: GAINS_PENDING not in w.equations.browser.toPlainText(), timeout=5000)
    eq = w.equations.browser.toPlainText()
    gain = float(st.trace.local_gain[0, st.t])
    assert "local gain" in eq and np.isfinite(gain) and gain > 0


def test_a_newer_trace_supersedes_the_older_gains_job(qtbot, gate):
    w = background_window(qtbot)
    st = w.state
    old = st.trace
    type_sequence(qtbot, w, "abcabc")
    qtbot.waitUntil(lambda: st.trace is not old and st.trace.seq.source == "abcabc" and not st.busy, timeout=60000)
    first = st.trace
    assert st.gains_pending and [j.lane for j in st.jobs.pending()] == ["gains"]
    counts = dict(st.jobs.counts)
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, "d")                            # a newer trace: the first one's gains are not wanted
    qtbot.waitUntil(lambda: st.config.source == "abcabcd", timeout=5000)
    assert all(j.task.is_interruption_requested() for j in st.jobs.pending()
               if j.lane == "gains" and j.args[0] is first)
    qtbot.waitUntil(lambda: st.trace is not first and not st.busy, timeout=60000)
    assert st.gains_pending and views(w)[0].gains_text.toPlainText() == GAINS_PENDING
    gate.set()
    qtbot.waitUntil(lambda: not st.gains_pending, timeout=60000)
    assert st.trace.seq.source == "abcabcd" and st.trace.gains_ready
    assert st.jobs.counts["cancelled"] - counts["cancelled"] >= 1
    assert gate.ran == ["abcabcd"]
    assert not first.gains_ready                           # the old trace never got the superseded gains


def test_a_cancelled_computation_brings_back_the_gains_of_the_trace_on_screen(qtbot, gate):
    w = background_window(qtbot)
    st = w.state
    old = st.trace
    type_sequence(qtbot, w, "abcabc")
    qtbot.waitUntil(lambda: st.trace is not old and not st.busy, timeout=60000)
    shown = st.trace
    st.update_config(hidden=300)                          # a slow one, then the window's Cancel button
    assert st.busy
    qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
    assert not st.busy and st.trace is shown and st.gains_pending
    assert [j.lane for j in st.jobs.pending() if not j.task.is_interruption_requested()] == ["gains"]
    gate.set()
    qtbot.waitUntil(lambda: shown.gains_ready, timeout=60000)   # its gains were started again
    assert not st.gains_pending


def test_an_export_waits_for_the_local_gains(qtbot, tmp_path, monkeypatch, gate):
    w = background_window(qtbot)
    st = w.state
    grad, _ = views(w)
    old = st.trace
    type_sequence(qtbot, w, TEXT)
    qtbot.waitUntil(lambda: st.trace is not old and not st.busy, timeout=60000)
    assert st.gains_pending
    target = tmp_path / "g.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    from rnnviz.app.export import export_with_dialog
    threading.Timer(0.5, gate.set).start()                # the gains arrive while the export waits
    assert export_with_dialog(grad, "csv", w) == target
    assert not st.gains_pending
    text = target.read_text(encoding="utf-8")
    header, *rows = [r.split(",") for r in text.strip().splitlines() if not r.startswith("#")]
    col = header.index("||da<t>/da<t-1>||_2")
    gains = np.array([float(r[col]) for r in rows])
    assert np.allclose(gains, D.step_gain(run_config(st.config)), rtol=1e-6)


def test_a_long_sequence_starts_the_compiled_kernels_loading_and_a_short_one_does_not(qtbot, monkeypatch):
    """The gains of a big trace are 3-4x faster compiled: the window starts loading the kernels in a
    worker of its own when a trace's gains would take some tenths of a second, not for a small one."""
    from rnnviz.core import kernels

    loads = []
    monkeypatch.setattr(kernels, "gains_ready", lambda: None)
    monkeypatch.setattr(kernels, "disabled", lambda: False)
    monkeypatch.setattr(kernels, "load_gains", lambda: loads.append(threading.current_thread()))
    w = background_window(qtbot)
    st = w.state
    old = st.trace
    type_sequence(qtbot, w, TEXT)
    qtbot.waitUntil(lambda: st.trace is not old and st.trace.seq.source == TEXT and not st.busy, timeout=60000)
    qtbot.waitUntil(lambda: not st.gains_pending, timeout=60000)
    qtbot.wait(100)
    assert st._gains.loader is None                      # a small trace: NumPy's gains take milliseconds
    type_number(qtbot, w.model_panel.hidden, "128")
    choose(qtbot, w.model_panel.cell, "lstm")
    long_text = (TEXT + " ") * 8
    old = st.trace
    type_sequence(qtbot, w, long_text)
    qtbot.waitUntil(lambda: st.trace is not old and st.trace.seq.source == long_text and not st.busy, timeout=60000)
    qtbot.waitUntil(lambda: st._gains.loader is not None and st._gains.loader.counts["done"] == 1, timeout=10000)
    assert loads and threading.main_thread() not in loads   # in a worker, never on the GUI thread
    qtbot.waitUntil(lambda: not st.gains_pending, timeout=120000)    # the gains still come (on NumPy)
    assert np.all(np.isfinite(st.trace.layers[0].local_gain))
    old = st.trace
    type_sequence(qtbot, w, long_text + "!")
    qtbot.waitUntil(lambda: st.trace is not old and not st.busy and not st.gains_pending, timeout=120000)
    assert st._gains.loader.counts["submitted"] == 1     # asked once
