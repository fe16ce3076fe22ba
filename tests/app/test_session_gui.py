"""File menu in the window: save -> open gives the identical trace, recent files, autosave and
restore, weight import, export all / animation; bad files show a message and change nothing."""
from __future__ import annotations

import zipfile

import numpy as np
import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from rnnviz.app.export_anim import AnimOptions
from rnnviz.app.file_actions import install_file_actions, restore_last_session
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.graph_view import GraphView
from rnnviz.app.views.heatmap_view import HiddenHeatmapView
from rnnviz.io import paths


class StandIn(QMainWindow):
    """The MainWindow API the file actions use, nothing more."""
    closing = Signal()

    def __init__(self, state):
        super().__init__()
        self.state = state
        self.file_menu = self.menuBar().addMenu("&File")
        self.graph = GraphView(state)
        self.heatmap = HiddenHeatmapView(state)
        self.graph.resize(800, 360)
        self.heatmap.resize(600, 360)

    def figure_views(self):
        return [self.graph, self.heatmap]

    def closeEvent(self, e):
        self.closing.emit()
        super().closeEvent(e)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def make_window(qtbot, config=Config(source="hello world", hidden=6, seed=2)):
    s = AppState(config)
    s.async_threshold = float("inf")
    s.set_config(config)
    w = StandIn(s)
    qtbot.addWidget(w)
    install_file_actions(w)
    return w


@pytest.fixture
def messages(monkeypatch):
    shown = []
    for kind in ("critical", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, k=kind, **kw: shown.append((k, a[2])))
    return shown


def same_trace(a, b):
    for k in ("a", "y_hat", "loss_steps", "da", "da_last"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k), err_msg=k)


def action(w, key):
    return w.file_actions.actions[key]


def test_menu_has_every_file_action(qtbot, home):
    w = make_window(qtbot)
    texts = [a.text() for a in w.file_menu.actions()]
    for t in ("&Open session…", "&Save session", "Save session &as…", "Open &recent", "&Import weights…",
              "&Export all figures…", "Export &animation…", "&Quit"):
        assert t in texts
    assert action(w, "open").shortcut().toString() == "Ctrl+O"
    assert action(w, "save").shortcut().toString() == "Ctrl+S"
    assert action(w, "quit").shortcut().toString() == "Ctrl+Q"
    assert all(getattr(v, "export_actions", None) for v in w.figure_views())


def test_save_then_open_gives_the_identical_trace(qtbot, home, tmp_path, monkeypatch, messages):
    w = make_window(qtbot, Config(source="abcabd", hidden=5, radius=1.3, seed=7, activation="relu"))
    w.state.set_base_params({k: v * 1.1 for k, v in w.state.trace.params.items()}, 1.3)  # imported weights
    w.state.step_to(2, "backward")
    w.state.set_view_options(theme="dark")
    saved, pos = w.state.trace, w.state.position
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "s"), ""))
    action(w, "save_as").trigger()
    assert (tmp_path / "s.rnnviz").is_file()

    other = make_window(qtbot)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "s.rnnviz"), ""))
    action(other, "open").trigger()
    assert messages == []
    same_trace(other.state.trace, saved)
    assert other.state.config.activation == "relu" and other.state.position == pos
    qtbot.waitUntil(lambda: other.state.view_options.theme == "dark", timeout=3000)   # (the next turn of the event loop)
    # the recent list offers it, and opening from there works too
    other.file_actions.rebuild_recent()
    recent = [a for a in other.file_actions.recent_menu.actions() if a.data()]
    assert [a.data() for a in recent] == [str((tmp_path / "s.rnnviz").resolve())]


@pytest.mark.parametrize("content", [b"not a zip", "newer"])
def test_bad_session_shows_a_message_and_keeps_the_work(qtbot, home, tmp_path, monkeypatch, messages, content):
    w = make_window(qtbot)
    before, config = w.state.trace, w.state.config
    bad = tmp_path / "bad.rnnviz"
    if content == "newer":
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("session.json", '{"format": "rnnviz-session", "version": 9, "settings": {"source": "xy z"}}')
    else:
        bad.write_bytes(content)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    action(w, "open").trigger()
    assert len(messages) == 1 and messages[0][0] == "critical"
    assert ("newer rnnviz" if content == "newer" else "not an rnnviz session") in messages[0][1]
    assert w.state.trace is before and w.state.config == config


def test_import_weights_and_bad_weights(qtbot, home, tmp_path, monkeypatch, messages):
    w = make_window(qtbot)
    p = {k: v * 0.5 for k, v in w.state.trace.params.items()}
    good, bad = tmp_path / "good.npz", tmp_path / "bad.npz"
    np.savez(good, **p)
    np.savez(bad, **dict(p, Wya=np.ones((2, 2))))
    before = w.state.trace
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    action(w, "import").trigger()
    assert len(messages) == 1 and "Wya" in messages[0][1] and w.state.trace is before
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    action(w, "import").trigger()
    assert len(messages) == 1
    np.testing.assert_allclose(w.state.trace.params["Wax"], p["Wax"])


def test_autosave_on_close_and_restore_at_start(qtbot, home):
    w = make_window(qtbot, Config(source="restore me", hidden=4, seed=5))
    w.state.step_to(3)
    saved = w.state.trace
    w.close()
    assert paths.last_session_path().is_file()
    fresh = make_window(qtbot)
    assert restore_last_session(fresh)
    assert fresh.state.config.source == "restore me" and fresh.state.t == 3
    same_trace(fresh.state.trace, saved)


def test_restore_ignores_a_damaged_last_session(qtbot, home):
    paths.last_session_path().write_bytes(b"garbage")
    w = make_window(qtbot)
    before = w.state.trace
    assert not restore_last_session(w)
    assert w.state.trace is before


def test_export_all_and_animation_from_the_menu(qtbot, home, tmp_path, monkeypatch, messages):
    w = make_window(qtbot)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "figs"))
    action(w, "export_all").trigger()
    names = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert names == sorted(f"{n}.{e}" for n in ("graph", "hidden_states") for e in ("png", "svg", "csv"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "anim"), ""))
    monkeypatch.setattr("rnnviz.app.file_actions.ask_animation_options", lambda *a: AnimOptions())  # dialog: OK
    action(w, "export_anim").trigger()
    from PIL import Image
    assert Image.open(tmp_path / "anim.gif").n_frames == w.state.T
    assert messages == []


def test_real_main_window_gets_the_file_menu(qtbot, home):
    mw = pytest.importorskip("rnnviz.app.main_window")
    s = AppState(Config(source="hello there", hidden=4))
    s.async_threshold = float("inf")
    window = mw.MainWindow(s) if not hasattr(mw, "build_window") else mw.build_window("hello there")
    qtbot.addWidget(window)
    if not hasattr(window, "file_actions"):
        install_file_actions(window)
    texts = [a.text() for a in window.file_menu.actions()]
    assert "&Save session" in texts and "Export &animation…" in texts
    assert all(getattr(v, "export_actions", None) for v in window.figure_views())
