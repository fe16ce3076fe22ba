"""A lesson whose page loads a weights file shipped beside it: opened from Lessons > Open a lesson file…,
the page's views show those weights (the lesson's live numbers, the Model panel's hidden size); Back to
a seeded page drops them; a file that is damaged after the lesson was opened is named on the page,
which then runs on seeded weights."""
import json

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from rnnviz.core.settings import Config, run_config
from tests.app.drive import open_window
from tests.app.lesson_drive import check_text, click_next
from tests.app.test_lesson_files import answer_message, menu_action


def a_norms(p, text="hello world"):
    """‖a⟨t⟩‖ of a tanh RNN with the notes' weights, step by step (independent of the engine)."""
    vocab = sorted(set(text))
    a, out = np.zeros(p["Waa"].shape[0]), []
    for ch in text[:-1]:
        x = np.zeros(len(vocab))
        x[vocab.index(ch)] = 1
        a = np.tanh(p["Wax"] @ x + p["Waa"] @ a + p["ba"].ravel())
        out.append(np.linalg.norm(a))
    return out


def make_lesson(tmp_path):
    (tmp_path / "weights").mkdir()
    p = {k: 0.9 * v for k, v in run_config(Config(source="hello world", hidden=5, seed=11), influence=False).params.items()}
    np.savez(tmp_path / "weights" / "trained.npz", **p)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"format": 1, "title": "Weights", "setup": {"config": {"source": "hello world"}}, "pages": [
        {"title": "Seeded", "text": "n_a = {n_a}"},
        {"title": "Trained", "text": "n_a = {n_a}, ‖a⟨2⟩‖ = {a_norm[2]:.6f}",
         "setup": {"weights": "weights/trained.npz", "step": 2}},
        {"title": "Seeded again", "text": "n_a = {n_a}", "setup": {"weights": None}}]}), encoding="utf-8")
    return path, p


def open_lesson(qtbot, w, path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    menu_action(w, "Open a lesson file").trigger()
    qtbot.waitUntil(lambda: w.lessons.controller.lesson is not None and not w.state.busy, timeout=10000)


def test_a_lesson_page_shows_the_weights_file_it_names(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot)
    path, p = make_lesson(tmp_path)
    open_lesson(qtbot, w, path, monkeypatch)
    seeded_na = w.state.config.hidden
    assert seeded_na != 5 and f"n_a = {seeded_na}" in check_text(w)
    click_next(qtbot, w)
    text = check_text(w)
    assert f"‖a⟨2⟩‖ = {a_norms(p)[1]:.6f}" in text and "n_a = 5" in text     # the file's own numbers
    assert w.model_panel.hidden.value() == 5                                # the Model panel shows its size
    np.testing.assert_array_equal(w.state.trace.params["Waa"], p["Waa"])
    assert not w.lessons.panel.problem.isVisible()
    click_next(qtbot, w)
    assert w.state.base_params is None and f"n_a = {w.state.config.hidden}" in check_text(w)
    qtbot.mouseClick(w.lessons.panel.back_button, Qt.MouseButton.LeftButton)   # Back sets page 2 up again
    qtbot.waitUntil(lambda: w.lessons.controller.index == 1 and not w.state.busy, timeout=10000)
    assert f"‖a⟨2⟩‖ = {a_norms(p)[1]:.6f}" in check_text(w)


def test_a_bad_weights_file_in_a_lesson_is_refused_and_named(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot)
    path, _ = make_lesson(tmp_path)
    good = (tmp_path / "weights" / "trained.npz").read_bytes()
    (tmp_path / "weights" / "trained.npz").write_bytes(b"damaged")
    seen = []
    answer_message(seen)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    menu_action(w, "Open a lesson file").trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    title, text = seen[0]
    assert title == "This lesson can't be opened" and w.lessons.controller.lesson is None
    assert text.startswith("mine.json, page 2 (Trained): the weights file trained.npz can't be read: ")
    # opened while the file was fine, damaged before its page is shown: the page says so and runs seeded
    (tmp_path / "weights" / "trained.npz").write_bytes(good)
    open_lesson(qtbot, w, path, monkeypatch)
    (tmp_path / "weights" / "trained.npz").write_bytes(b"damaged")
    click_next(qtbot, w)
    problem = w.lessons.panel.problem
    assert problem.isVisible() and problem.text().startswith("mine.json, page 2 (Trained): the weights file trained.npz")
    assert "seeded weights instead" in problem.text() and w.state.base_params is None
    click_next(qtbot, w)
    assert not problem.isVisible()
