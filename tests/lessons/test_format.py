"""Lesson files: every built-in one is valid, and a bad one is refused with its page and the reason."""
import copy
import json

import pytest

from rnnviz.core.settings import Config
from rnnviz.lessons import Capabilities, LessonError, builtin_lessons, check_lesson, find_lesson, load_lesson
from rnnviz.lessons.conditions import parse_condition
from rnnviz.lessons.values import Context

GOOD = {
    "format": 1, "title": "T", "setup": {"config": {"source": "hello world", "hidden": 8}},
    "pages": [
        {"title": "One", "text": "L = {loss}", "setup": {"step": 1, "tab": "gradients"}},
        {"title": "Two", "text": "step {t}", "wait": "t >= 3", "hint": "Press →"},
    ],
}


def bad(path, value):
    doc = copy.deepcopy(GOOD)
    *keys, last = path
    node = doc
    for k in keys:
        node = node[k]
    node[last] = value
    return doc


def refused(doc, caps=None) -> str:
    with pytest.raises(LessonError) as e:
        check_lesson(doc, "my.json", caps)
    return str(e.value)


def test_the_built_in_lessons_are_valid():
    lessons = builtin_lessons()
    assert [le.title[:2] for le in lessons[:4]] == ["1.", "2.", "3.", "4."]
    for le in lessons:
        assert le.pages and all(p.text for p in le.pages)


def test_a_good_lesson_and_its_settings_per_page():
    le = check_lesson(GOOD, "my.json")
    assert le.config_at(1) == Config(source="hello world", hidden=8)
    assert le.pages[1].wait.text == "t >= 3"
    assert le.pages[0].tab == "gradients" and le.pages[0].step == 1


@pytest.mark.parametrize("path,value,words", [
    (("pages", 0, "setup", "config"), {"temperature": 2}, ["page 1 (One)", "no setting 'temperature'"]),
    (("pages", 0, "setup", "config"), {"hidden": "big"}, ["page 1", "hidden should be int"]),
    (("pages", 1, "setup"), {"config": {"radius": -1.0}}, ["page 2 (Two)", "can't run", "spectral radius"]),
    (("pages", 1, "setup"), {"config": {"kind": "numbers"}}, ["page 2", "can't run"]),
    (("pages", 0, "setup", "tab"), "training", ["page 1", "no tab 'training'"]),   # a panel, not a tab
    (("pages", 0, "setup", "panel"), "notes", ["page 1", "no panel 'notes'"]),
    (("pages", 0, "setup", "highlight"), ["graph", "teapot"], ["view to highlight 'teapot'"]),
    (("pages", 0, "setup", "controls"), ["volume"], ["no control 'volume'"]),
    (("pages", 0, "setup", "step"), 40, ["page 1", "step 40 is past the last step", "T = 10"]),
    (("pages", 0, "setup", "phase"), "sideways", ["phase should be forward or backward"]),
    (("pages", 0, "setup", "zoom"), 2, ["setup has no 'zoom'"]),
    (("pages", 0, "text"), "L = {lost}", ["page 1 (One)", "no live value is called {lost}"]),
    (("pages", 0, "text"), "L = {loss[3]}", ["{loss} takes no step"]),
    (("pages", 0, "text"), "{grad_norm[x]}", ["'x' is not a step"]),
    (("pages", 0, "text"), "{loss:.3q}", ["not a number format"]),
    (("pages", 0, "text"), "L = {loss", ["stray '{'"]),
    (("pages", 0, "text"), 3, ["text should be text"]),
    (("pages", 1, "wait"), "verdict = exploding", ["page 2 (Two)", "is not NAME OP VALUE"]),
    (("pages", 1, "wait"), "speed > 3", ["no live value is called speed"]),
    (("pages", 1, "wait"), "verdict < exploding", ["words compare with == or != only"]),
    (("pages", 1, "hint"), "", ["needs a hint"]),
    (("pages", 1, "explains"), ["magic"], ["no topic 'magic'"]),
    (("pages", 1, "colour"), "red", ["a page has no 'colour'"]),
    (("pages", 1, "id"), 7, ["id should be text"]),
    (("format",), 2, ["lesson format 2", "newer rnnviz", "reads format 1"]),
    (("format",), "1", ["format version should be the whole number 1", "not '1'"]),
    (("format",), 1.0, ["format version should be the whole number 1", "not 1.0"]),
    (("pages",), [], ["no pages"]),
    (("setup",), {"tab": "gradients"}, ["takes only config"]),
    (("author",), "me", ["a lesson has no 'author'"]),
])
def test_a_bad_lesson_is_refused_with_its_page_and_the_reason(path, value, words):
    msg = refused(bad(path, value))
    assert msg.startswith("my.json")
    for w in words:
        assert w in msg, msg


def test_duplicate_page_ids_are_refused():
    doc = copy.deepcopy(GOOD)
    doc["pages"][0]["id"] = doc["pages"][1]["id"] = "same"
    assert "page 2" in refused(doc) and "'same' is used by an earlier page" in refused(doc)


def test_a_window_without_a_tab_refuses_a_lesson_naming_it():
    caps = Capabilities(tabs=frozenset({"hidden"}))
    assert "no tab 'gradients'" in refused(GOOD, caps)


def test_files(tmp_path):
    p = tmp_path / "mine.json"
    p.write_text(json.dumps(GOOD), encoding="utf-8")
    assert load_lesson(p).name == "mine"
    p.write_text('{"format": 1, "title": "x", "pages": [', encoding="utf-8")
    with pytest.raises(LessonError, match=r"mine.json: not valid JSON at line 1"):
        load_lesson(p)
    p.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LessonError, match="not UTF-8"):
        load_lesson(p)
    with pytest.raises(LessonError, match="no such file"):
        load_lesson(tmp_path / "nothing.json")
    with pytest.raises(LessonError, match="is a folder"):
        load_lesson(tmp_path)
    t = tmp_path / "mine.toml"
    t.write_text('format = 1\ntitle = "A"\n[[pages]]\ntitle = "P"\ntext = "L = {loss}"\n', encoding="utf-8")
    assert load_lesson(t).pages[0].title == "P"
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (2 << 20))
    with pytest.raises(LessonError, match="at most 1 MB"):
        load_lesson(big)


def test_find_lesson_by_name():
    assert find_lesson("vanishing").title.startswith("3.")
    assert find_lesson("03-vanishing").title.startswith("3.")
    with pytest.raises(LessonError, match="no lesson called 'nope'; the built-in lessons are 01-forward-pass"):
        find_lesson("nope")


def test_conditions_evaluate_on_the_state():
    from rnnviz.core.settings import run_config
    c = Config(source="hello world", hidden=8)
    tr = run_config(c)
    ctx = Context(tr, c, t=3, phase="backward")
    assert parse_condition("t == 4 and phase == backward").holds(ctx)
    assert not parse_condition("t == 4 and phase == forward").holds(ctx)
    assert parse_condition("t == 9 or phase == 'backward'").holds(ctx)
    assert parse_condition("verdict != exploding").holds(ctx)
    assert parse_condition("grad_last[1] < 1").holds(ctx)
    assert not parse_condition("grad_norm[40] > 0").holds(ctx)       # not available: false
    assert not parse_condition("t == 4").holds(Context(None, c, 3))  # no trace yet


def test_the_format_document_names_every_value_topic_and_setting():
    from pathlib import Path

    from rnnviz.lessons.format import CONTROLS, HIGHLIGHTS, PANELS, TABS
    from rnnviz.lessons.topics import TOPICS
    from rnnviz.lessons.values import VALUES
    doc = (Path(__file__).resolve().parents[2] / "docs" / "lessons.md").read_text(encoding="utf-8")
    for name in list(VALUES) + list(TOPICS) + list(TABS) + list(PANELS) + list(HIGHLIGHTS) + list(CONTROLS):
        assert f"`{name}" in doc or f"`{{{name}" in doc, name
    for key in Config.field_types():
        assert f"`{key}`" in doc


def test_a_training_page_needs_a_window_with_training():
    doc = copy.deepcopy(GOOD)
    doc["pages"][1]["setup"] = {"train": {"task": "adding", "length": 50, "compare": "rnn"}}
    assert "this window has no training" in refused(doc, Capabilities(panels=frozenset({"equations", "bptt"})))
    caps = Capabilities()
    assert check_lesson(doc, "my.json", caps).train_at(1) == {"task": "adding", "length": 50, "compare": "rnn"}
    for bad_train, words in (({"task": "juggling"}, "task should be one of"), ({"length": 0}, "length should be a whole"),
                             ({"lr": "fast"}, "lr should be a number"), ({"speed": 1}, "train has no 'speed'")):
        doc["pages"][1]["setup"] = {"train": bad_train}
        assert words in refused(doc, caps)


def test_compare_mode_is_left_alone_unless_a_page_chooses():
    le = check_lesson(GOOD, "my.json")
    assert le.compare_at(1) is ...
    doc = copy.deepcopy(GOOD)
    doc["pages"][0]["setup"]["compare"] = {"cell": "lstm"}
    doc["pages"][1]["setup"] = {"compare": None}
    le = check_lesson(doc, "my.json")
    assert le.compare_at(0) == {"cell": "lstm"} and le.compare_at(1) is None


def test_every_help_text_and_topic_links_to_a_page_that_exists():
    from rnnviz.lessons.help_texts import HELP
    from rnnviz.lessons.topics import TOPICS
    lessons = {le.name: le for le in builtin_lessons()}
    for key, h in HELP.items():
        if h.lesson:
            name, page_id = h.lesson
            assert name in lessons and lessons[name].page_of(page_id) is not None, key
    explained = {t for le in lessons.values() for p in le.pages for t in p.explains}
    assert explained == set(TOPICS)            # every kind of reason the verdict gives has its page


def test_hostile_sizes_are_refused_quickly_with_the_limit(tmp_path):
    """A lesson is short texts on a few pages: 20,000 pages took 25 s to check (the window frozen), a
    page's 950,000-character text 7 s to lay out; both are refused at once, saying the limit."""
    import time
    many = copy.deepcopy(GOOD)
    many["pages"] = [{"title": f"p{i}", "text": "x"} for i in range(20000)]
    start = time.perf_counter()
    assert "it has 20,000 pages; a lesson has at most 200" in refused(many)
    long_text = bad(("pages", 1, "text"), "word " * 190000)
    assert "page 2 (Two): its text is 950,000 characters long; a lesson's text is at most 5,000" in refused(long_text)
    assert "its title is 1,000 characters long" in refused(bad(("pages", 0, "title"), "T" * 1000))
    assert "its hint is" in refused(bad(("pages", 1, "hint"), "h" * 5000))
    assert "its summary is" in refused(bad(("summary",), "s" * 5000))
    assert len(refused(bad(("pages", 0, "text"), list(range(10000))))) < 200       # the value quoted short
    assert time.perf_counter() - start < 5


def test_an_empty_lesson_file_says_it_is_empty(tmp_path):
    p = tmp_path / "empty.json"
    p.write_text("  \n", encoding="utf-8")
    with pytest.raises(LessonError, match=r"^empty.json is empty: a lesson file holds"):
        load_lesson(p)


def test_two_hundred_pages_on_a_weights_file_check_the_file_once_per_setting(tmp_path, monkeypatch):
    from rnnviz.lessons import weights as lw
    from rnnviz.lessons.format import LESSONS_DIR
    import shutil
    shutil.copytree(LESSONS_DIR / "weights", tmp_path / "weights")
    doc = {"format": 1, "title": "W", "setup": {"config": {"source": "hello world", "hidden": 8}},
           "pages": [{"title": "p0", "text": "x", "setup": {"weights": "weights/01-hello-world.npz"}}]
                    + [{"title": f"p{i}", "text": "x"} for i in range(1, 200)]}
    reads = []
    real = lw.load_page_weights
    monkeypatch.setattr(lw, "load_page_weights", lambda *a, **k: (reads.append(a[0]), real(*a, **k))[1])
    le = check_lesson(doc, "w.json", path=tmp_path / "w.json")
    assert len(le.pages) == 200 and len(reads) == 1


def test_a_condition_can_compare_with_another_live_value():
    """`t == T` waits for the last step: T was read as the word "T", and the condition never held."""
    from rnnviz.core.settings import run_config
    c = Config(source="hello world", hidden=8)
    tr = run_config(c)
    last, first = Context(tr, c, t=tr.T - 1, phase="forward"), Context(tr, c, t=0, phase="forward")
    assert parse_condition("t == T").holds(last) and not parse_condition("t == T").holds(first)
    assert parse_condition("t < T and phase == forward").holds(first)
    assert parse_condition("loss_t[1] < loss").holds(first)
    assert parse_condition("cell == cell").holds(first) and not parse_condition("cell != cell").holds(first)
    assert "grad_norm takes a step" in refused(bad(("pages", 1, "wait"), "t == grad_norm"))


def test_an_unreadable_lesson_file_says_so_in_words(tmp_path, monkeypatch):
    from pathlib import Path
    p = tmp_path / "locked.json"
    p.write_text(json.dumps(GOOD), encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(LessonError) as e:
        load_lesson(p)
    assert str(e.value) == "locked.json can't be read: Permission denied"


def test_a_lesson_without_a_format_version_is_refused():
    doc = copy.deepcopy(GOOD)
    del doc["format"]
    assert 'it has no format version ("format": 1)' in refused(doc)
