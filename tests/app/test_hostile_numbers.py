"""Numbers near ±1e308, and very long sequences, are states the views show, never a freeze, a crash or
memory that grows faster than T × units. The paints run in a child process with a timeout and a memory
limit, so a regression fails the test instead of hanging or exhausting the machine."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.app.drive import open_window, tab, type_sequence

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("paint_child.py")
# 40 numbers near the float limit: the graph's bands once spent about two minutes on one paint here
HUGE = ("1.7e308 -1.7e308 0 -1e300 -1e308 0 1e308 1 -1.7e308 -1e300 -1e308 1e307 1 -1e308 0 -1e308 1e307 "
        "1.7e308 1e308 1e307 1e308 1 1e308 -1e300 1e308 1e308 0 0 -1e308 -1e308 1e308 1e308 1.7e308 "
        "-1.7e308 -1e308 -1e308 1e308 -1e308 1e307 1.7e308")
MEMORY_LIMIT = 4 << 30      # address space of the child: a paint that needs gigabytes fails fast


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def child(*args, timeout=90):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    try:
        return subprocess.run([sys.executable, str(CHILD), *args], capture_output=True, text=True, env=env,
                              timeout=timeout, preexec_fn=_limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"painting froze: no answer within {timeout} s")


@pytest.mark.parametrize("source", ["0 1e308 -1e308 1", HUGE], ids=["four", "forty"])
def test_numbers_near_the_float_limit_paint_every_view_without_freezing(source):
    r = child("type", source)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "painted" in r.stdout
    assert "Traceback" not in r.stderr and "Error" not in r.stderr, r.stderr


def test_cli_exports_numbers_near_the_float_limit(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    out = tmp_path / "figs"
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--numbers", "0 1.7e308 1 2",
                        "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert (out / "outputs.png").stat().st_size > 1000 and (out / "graph.png").exists()


def test_values_past_the_plot_limit_are_drawn_at_the_edge_and_marked(qtbot):
    w = open_window(qtbot)
    type_sequence(qtbot, w, "0 1.7e308 1 2")
    tab(w, w.outputs)
    v = w.outputs
    lo, hi = v.plot.vb.viewRange()[1]
    assert np.isfinite([lo, hi]).all() and hi - lo < np.inf
    assert v.beyond.isVisible() and len(v.beyond.data) == 1               # the 1.7e308 target, marked
    assert lo <= v.beyond.data["y"][0] <= hi
    names = [label.text for _, label in v.legend.items]
    assert any("beyond" in n for n in names)


def test_pasting_many_numbers_after_a_short_text_paints_in_bounded_memory():
    """After 'hello world', 20,001 numbers once made the hidden-states axis build ticks for every step
    (the short text's spacing was kept): +720 MB in one paint here, 18.6 GB at 100,001 numbers."""
    r = child("paste", "20001", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    peak = int(r.stdout.split("peak_bytes")[1].split()[0])
    assert peak < 20 << 20, f"one paint of the hidden states allocated {peak / 1e6:.0f} MB"


def test_step_axes_never_ask_for_more_ticks_than_they_have_pixels_for(qtbot):
    w = open_window(qtbot)
    type_sequence(qtbot, w, " ".join(str(i % 7) for i in range(801)))
    for view in (w.heatmap, w.outputs, w.losses):
        tab(w, view)
        axis = view.plot.getAxis("bottom")
        (x0, x1), _ = view.plot.vb.viewRange()
        n = sum(len(vals) for _, vals in axis.tickValues(x0, x1, axis.width() or view.plot.vb.width()))
        assert n <= view.plot.vb.width() / 5, (type(view).__name__, n)


def test_heatmap_labels_every_character_or_none(qtbot):
    """65 characters: every other one labelled read as another string; now all of them, or none and
    the axis says to zoom in."""
    w = open_window(qtbot)
    text = "quick brown fox jumps over the lazy dog and keeps on running away"
    type_sequence(qtbot, w, text)
    tab(w, w.heatmap)
    v = w.heatmap
    top = v.plot.getAxis("top")

    def labels():
        return [(round(x), s) for x, s in top._tickLevels[0]]

    def in_view():
        (x0, x1), _ = v.plot.vb.viewRange()
        return range(max(int(np.floor(x0)), 1), min(int(np.ceil(x1)), w.state.T) + 1)

    assert labels() == [] and "zoom in" in top.labelText      # 64 steps: no room for each one
    centre = v.canvas.mapFromScene(v.plot.vb.mapViewToScene(v.plot.vb.viewRect().center()))
    for _ in range(10):                                       # the wheel zooms in on the middle
        if labels():
            break
        ev = QWheelEvent(QPointF(centre), QPointF(v.canvas.mapToGlobal(centre)), QPoint(0, 0), QPoint(0, 240),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(v.canvas.viewport(), ev)
    got = labels()
    assert got, "zooming in never showed the characters"
    seq = w.state.trace.seq
    assert got == [(t, seq.input_label(t - 1)) for t in in_view()]      # every one, in order
    assert top.labelText == "input x⟨t⟩"


def test_an_infinite_loss_is_not_called_an_overflow_of_a(qtbot):
    """'0 1e308 -1e308 1': the squared error of step 1 is ∞ while every a⟨t⟩ is finite; the graph said
    'a⟨1⟩ is ∞/NaN' and drew the a row as overflowed."""
    w = open_window(qtbot)
    type_sequence(qtbot, w, "0 1e308 -1e308 1")
    tr = w.state.trace
    assert np.isfinite(tr.a).all() and not np.isfinite(tr.loss[0])
    assert "L⟨1⟩ is ∞/NaN" in w.graph.status_message()
    assert not any(w.graph.node_for("a", t).bad for t in range(tr.T))
