"""The File menu driven as a user would (dialogs patched): save/open sessions, recent files, import
weights, export all figures, export the BPTT animation; failures leave the work untouched."""
import numpy as np
import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from rnnviz.app.export_anim import AnimOptions
from rnnviz.app.file_actions import install_file_actions, restore_last_session
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.graph_view import GraphView
from rnnviz.io import paths
from rnnviz.io.npz import save_npz
from tests.app.export_demo import DemoView


class Window(QMainWindow):
    """The MainWindow API file_actions relies on, and nothing else."""
    closing = Signal()

    def __init__(self, state):
        super().__init__()
        self.state = state
        self.file_menu = self.menuBar().addMenu("&File")
        self.graph = GraphView(state)
        self.demo = DemoView(state)
        self.setCentralWidget(self.graph)
        self.resize(900, 500)

    def figure_views(self):
        return [self.graph, self.demo]

    def closeEvent(self, e):
        self.closing.emit()
        super().closeEvent(e)


@pytest.fixture
def win(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    state = AppState(Config(source="hello world", hidden=6, seed=2, radius=1.2))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    w = Window(state)
    qtbot.addWidget(w)
    install_file_actions(w)
    return w


@pytest.fixture
def errors(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: seen.append(a[2]))
    return seen


def save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def open_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_save_then_open_gives_the_identical_trace(win, tmp_path, monkeypatch, errors):
    win.state.step_to(3, "backward")
    before = win.state.trace
    save_as(monkeypatch, tmp_path / "lesson")
    win.file_actions.actions["save_as"].trigger()
    assert (tmp_path / "lesson.rnnviz").is_file()
    win.state.update_config(source="something else entirely", hidden=3)
    open_file(monkeypatch, tmp_path / "lesson.rnnviz")
    win.file_actions.actions["open"].trigger()
    after = win.state.trace
    assert not errors
    assert win.state.config.hidden == 6 and win.state.config.source == "hello world"
    assert np.array_equal(after.a, before.a) and np.array_equal(after.y_hat, before.y_hat)
    assert all(np.array_equal(after.grads[k], before.grads[k]) for k in before.grads)
    assert (win.state.t, win.state.phase) == (3, "backward")
    assert paths.recent_files()[0] == (tmp_path / "lesson.rnnviz").resolve()


def test_bad_session_shows_a_message_and_keeps_the_work(win, tmp_path, monkeypatch, errors):
    bad = tmp_path / "bad.rnnviz"
    bad.write_bytes(b"not a session")
    before = win.state.trace
    open_file(monkeypatch, bad)
    win.file_actions.actions["open"].trigger()
    assert errors and "not an rnnviz session" in errors[0]
    assert win.state.trace is before


def write_session(path, settings, params=None, origin="seed"):
    from rnnviz.io.session import Session, save_session

    save_session(path, Session(settings, params, origin))


def test_session_that_cannot_compute_shows_a_message_and_keeps_the_work(win, tmp_path, monkeypatch, errors):
    """Readable but unusable (cross-entropy on numbers; weights too big): refused before anything changes."""
    write_session(tmp_path / "ce.rnnviz", {"source": "1 2 3", "kind": "numbers", "loss": "cross_entropy"})
    rng = np.random.default_rng(0)
    n = 3000  # more hidden units than rnnviz shows
    write_session(tmp_path / "big.rnnviz", {"source": "ab", "kind": "text"},
                  {"Wax": rng.normal(size=(n, 2)), "Waa": np.eye(n) * 0.5, "ba": np.zeros((n, 1)),
                   "Wya": rng.normal(size=(2, n)), "by": np.zeros((2, 1))}, "imported")
    write_session(tmp_path / "clip.rnnviz", {"source": "hello", "kind": "text", "clip_mode": "norm",
                                             "clip_threshold": -5.0})
    config, before = win.state.config, win.state.trace
    for name, words in (("ce.rnnviz", "cross-entropy needs characters"), ("big.rnnviz", "hidden size"),
                        ("clip.rnnviz", "clipping threshold must be a positive number")):
        open_file(monkeypatch, tmp_path / name)
        win.file_actions.actions["open"].trigger()
        assert errors and words in errors[-1]
        assert win.state.config == config and win.state.trace is before and not win.state.input_error


def test_a_seeded_session_drops_weights_imported_before(win, tmp_path, monkeypatch, errors):
    p = win.state.trace.params
    win.state.set_base_params({k: v * 2 for k, v in p.items()})  # the user imported weights
    write_session(tmp_path / "s.rnnviz", {"source": "abcabd", "kind": "text", "hidden": 4, "seed": 5})
    open_file(monkeypatch, tmp_path / "s.rnnviz")
    win.file_actions.actions["open"].trigger()
    assert not errors and not win.state.input_error
    assert win.state.base_params is None and win.state.config.source == "abcabd"
    assert win.state.trace.n_x == 4 and win.state.trace.n_a == 4


def test_autosave_on_close_and_restore(win, qtbot, tmp_path):
    win.state.update_config(seed=7)
    a = win.state.trace.a.copy()
    win.close()
    assert paths.last_session_path().is_file()
    state = AppState()
    state.async_threshold = float("inf")
    w2 = Window(state)
    qtbot.addWidget(w2)
    assert restore_last_session(w2)
    assert state.config.seed == 7 and np.array_equal(state.trace.a, a)


def test_import_weights_in_pytorch_names(win, tmp_path, monkeypatch, errors):
    p = win.state.trace.params
    f = tmp_path / "torch.npz"
    save_npz(f, {"weight_ih_l0": p["Wax"] * 2, "weight_hh_l0": p["Waa"], "bias_ih_l0": np.ones(6),
                 "bias_hh_l0": np.zeros(6), "Wya": p["Wya"], "by": p["by"][:, 0]})
    open_file(monkeypatch, f)
    win.file_actions.actions["import"].trigger()
    assert not errors
    assert np.array_equal(win.state.trace.params["Wax"], p["Wax"] * 2)
    assert np.array_equal(win.state.trace.params["ba"], np.ones((6, 1)))


def test_import_of_wrong_weights_is_refused(win, tmp_path, monkeypatch, errors):
    f = tmp_path / "w.npz"
    save_npz(f, {"Wax": np.ones((4, 3)), "Waa": np.eye(4), "Wya": np.ones((3, 4)), "ba": np.zeros((4, 1)),
                 "by": np.zeros((3, 1))})
    before = win.state.trace
    open_file(monkeypatch, f)
    win.file_actions.actions["import"].trigger()
    assert errors and "unchanged" in errors[0]
    assert win.state.trace is before


def test_export_all_figures(win, tmp_path, monkeypatch, errors):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "figs"))
    win.file_actions.actions["export_all"].trigger()
    names = sorted(p.name for p in (tmp_path / "figs").iterdir())
    assert {"graph.png", "graph.svg", "demo.png", "demo.svg", "demo.csv"} <= set(names)
    assert not [n for n in names if n.startswith(".")]


def test_export_animation_has_one_distinct_frame_per_step(win, tmp_path, monkeypatch, errors):
    win.state.step_to(4, "forward")
    save_as(monkeypatch, tmp_path / "anim.gif")
    monkeypatch.setattr("rnnviz.app.file_actions.ask_animation_options", lambda *a: AnimOptions())  # dialog: OK
    win.file_actions.actions["export_anim"].trigger()
    assert not errors
    im = Image.open(tmp_path / "anim.gif")
    assert im.n_frames == win.state.T == 10
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(im.convert("RGB"))
    assert all(ImageChops.difference(a, b).getbbox() for a, b in zip(frames, frames[1:]))
    assert (win.state.t, win.state.phase) == (4, "forward")  # the cursor is put back
