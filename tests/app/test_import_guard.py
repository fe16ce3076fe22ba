"""File > Import weights refuses what can't be shown before touching the state (issue 13, items 21
and 23): no hidden units, more than the window shows, weights so large their radius is infinite,
a named pipe, a single .npy renamed .npz. The work stays as it was and every control still works."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.app.main_window import build_window
from tests.hostile import single_npy, weights


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w = build_window("hello world")
    qtbot.addWidget(w)
    w.state.async_threshold = float("inf")
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: errors.append(a[2])))
    w.errors = errors
    return w


def _import(window, monkeypatch, path):
    """File > Import weights…, the dialog answered with `path` (a pipe blocked here forever before:
    an alarm turns that into a failure)."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))

    def blocked(*a):
        raise TimeoutError("importing blocked")

    old = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(30)
    try:
        window.file_actions.actions["import"].trigger()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _fifo(path):
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: weights(p, 0, 1.0), "no hidden units"),
    (lambda p: weights(p, 2500, 0.001), "n_a = 2500 hidden units; rnnviz shows a hidden size of 1 to 2048"),
    (lambda p: weights(p, 4, 1e308), "spectral radius inf"),
    (single_npy, "single .npy array"),
    pytest.param(_fifo, "pipe", marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no pipes")),
])
def test_unusable_weights_are_refused_and_the_work_is_unchanged(window, qtbot, tmp_path, monkeypatch, make, words):
    st = window.state
    config, trace = st.config, st.trace
    f = make(tmp_path / "w.npz")
    _import(window, monkeypatch, f)  # "imported", then hidden 0 / 2500 / ρ = inf with the panel stuck before
    assert len(window.errors) == 1 and words in window.errors[0] and str(f) in window.errors[0]
    assert st.config == config and st.trace is trace and st.base_params is None and not st.input_error
    # typing and new random weights work as before
    edit = window.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "hello there")
    qtbot.waitUntil(lambda: st.trace.seq.source == "hello there", timeout=3000)
    qtbot.mouseClick(window.model_panel.new_weights, Qt.MouseButton.LeftButton)
    assert st.config.seed == 1 and st.trace.n_a == 16 and not st.input_error


def test_good_weights_still_import_and_say_so(window, tmp_path, monkeypatch):
    st = window.state
    rng = np.random.default_rng(1)
    f = tmp_path / "good.npz"
    np.savez(f, Wax=rng.normal(size=(5, 8)), Waa=rng.normal(size=(5, 5)) * 0.3, ba=np.zeros((5, 1)),
             Wya=rng.normal(size=(8, 5)), by=np.zeros((8, 1)))
    _import(window, monkeypatch, f)
    assert window.errors == [] and st.trace.n_a == 5 and st.base_params is not None
    assert f"Imported the weights of {f}" in window.statusBar().currentMessage()
