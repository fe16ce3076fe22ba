"""A lesson page that names a weights file beside the lesson (setup "weights"): the checker reads it as
File > Import weights does and refuses a missing, damaged or unfitting file with the lesson, the page
and the file."""
import json

import numpy as np
import pytest

from rnnviz.core.settings import Config, run_config
from rnnviz.lessons.format import LessonError, load_lesson, page_weights


def weights(tmp_path, name="w.npz", **config):
    p = run_config(Config(source="hello world", hidden=5, seed=7, **config), influence=False).params
    path = tmp_path / name
    np.savez(path, **{k: 0.7 * v for k, v in p.items()})
    return path


def lesson(tmp_path, pages, base=None):
    path = tmp_path / "mine.json"
    doc = {"format": 1, "title": "Mine", "pages": pages}
    if base:
        doc["setup"] = {"config": base}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def refused(path) -> str:
    with pytest.raises(LessonError) as e:
        load_lesson(path)
    return str(e.value)


def test_a_page_loads_the_weights_file_beside_the_lesson(tmp_path):
    (tmp_path / "weights").mkdir()
    w = weights(tmp_path / "weights", "trained.npz")
    le = load_lesson(lesson(tmp_path, [{"title": "Seeded", "text": "x"},
                                       {"title": "Trained", "text": "x", "setup": {"weights": "weights/trained.npz"}},
                                       {"title": "Still", "text": "x", "setup": {"config": {"radius": 0.5}}},
                                       {"title": "Seeded again", "text": "x", "setup": {"weights": None}}]))
    assert [le.weights_at(k) for k in range(4)] == [None, (1, w), (1, w), None]
    params, config = page_weights(le, 1, le.config_at(1))
    np.testing.assert_array_equal(params["Waa"], np.load(w)["Waa"])
    assert config.hidden == 5 and config.cell == "rnn"
    _, rescaled = page_weights(le, 2, le.config_at(2))
    assert rescaled.radius == 0.5                       # a later page's ρ rescales them
    assert page_weights(le, 3, le.config_at(3)) is None


def test_a_missing_weights_file_is_refused_with_the_page(tmp_path):
    msg = refused(lesson(tmp_path, [{"title": "One", "text": "x"},
                                    {"title": "Trained", "text": "x", "setup": {"weights": "gone.npz"}}]))
    assert msg == f"mine.json, page 2 (Trained): the weights file gone.npz is not there (looked in {tmp_path})"


def test_a_damaged_weights_file_is_refused(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip at all")
    msg = refused(lesson(tmp_path, [{"title": "Trained", "text": "x", "setup": {"weights": "bad.npz"}}]))
    assert msg.startswith("mine.json, page 1 (Trained): the weights file bad.npz can't be read: ")
    assert "valid .npz" in msg and str(tmp_path) not in msg


def test_a_pickled_weights_file_is_refused(tmp_path):
    np.savez(tmp_path / "obj.npz", Waa=np.array([{"a": 1}], dtype=object))
    msg = refused(lesson(tmp_path, [{"title": "Trained", "text": "x", "setup": {"weights": "obj.npz"}}]))
    assert "page 1 (Trained): the weights file obj.npz can't be read" in msg


def test_weights_that_dont_fit_the_pages_text_are_refused(tmp_path):
    weights(tmp_path)
    msg = refused(lesson(tmp_path, [{"title": "Fine", "text": "x", "setup": {"weights": "w.npz"}},
                                    {"title": "Other text", "text": "x", "setup": {"config": {"source": "xyz xyz"}}}]))
    assert msg.startswith("mine.json, page 2 (Other text): the weights file w.npz doesn't fit the page's model: ")
    assert msg.endswith("the weights expect inputs of size n_x = 8, but the sequence has n_x = 4")


def test_weights_of_another_model_than_the_lesson_names_are_refused(tmp_path):
    weights(tmp_path)
    msg = refused(lesson(tmp_path, [{"title": "LSTM", "text": "x", "setup": {"weights": "w.npz"}}],
                         base={"cell": "lstm"}))
    assert msg.startswith("mine.json, page 1 (LSTM): the weights file w.npz holds a vanilla RNN")
    assert msg.endswith("with n_a = 5, but the lesson sets cell = 'lstm'")


@pytest.mark.parametrize("value, says", [("/etc/w.npz", "absolute path"), ("w.txt", "not an .npz file"),
                                         (3, "should name an .npz file")])
def test_a_weights_entry_that_is_not_a_file_beside_the_lesson(tmp_path, value, says):
    msg = refused(lesson(tmp_path, [{"title": "Trained", "text": "x", "setup": {"weights": value}}]))
    assert msg.startswith("mine.json, page 1 (Trained): ") and says in msg


def test_a_lesson_with_weights_read_from_no_file_is_refused():
    from rnnviz.lessons.format import check_lesson
    with pytest.raises(LessonError, match="must be opened from its file"):
        check_lesson({"format": 1, "title": "T", "pages": [{"title": "P", "text": "x", "setup": {"weights": "w.npz"}}]})


def test_the_shipped_lesson_weights_are_what_their_script_trains(tmp_path, monkeypatch):
    """resources/lessons/weights/make_weights.py --check trains them again (rnnviz's own training,
    seeded) and finds the shipped files equal."""
    import runpy
    import sys
    from rnnviz.lessons.format import LESSONS_DIR

    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "argv", ["make_weights.py", "--check"])
    script = runpy.run_path(str(LESSONS_DIR / "weights" / "make_weights.py"))
    assert script["main"](["--check"]) == 0
    assert sorted(p.name for p in (LESSONS_DIR / "weights").glob("*.npz")) == sorted(script["FILES"])
