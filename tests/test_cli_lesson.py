"""`rnnviz lesson NAME --out DIR`: one PNG slide per page and slides.txt; one-line errors, non-zero exit."""
import json

import numpy as np

from PIL import Image

from tests.test_cli import run


def test_slides_of_a_built_in_lesson(tmp_path):
    out = tmp_path / "slides"
    r = run("lesson", "exploding", "--out", out, home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs][:2] == ["01-relu.png", "02-growth.png"] and len(pngs) == 6
    for p in pngs:
        with Image.open(p) as im:
            assert im.size == (1280, 720)
            assert len(np.unique(np.asarray(im.convert("L").resize((64, 36))))) > 20   # a picture, not a blank
    text = (out / "slides.txt").read_text(encoding="utf-8")
    assert text.startswith("4. Exploding gradients and clipping")
    assert "6. Clipping cures exploding, not vanishing" in text
    assert "{" not in text and "overflows to inf at step 841" in text       # live numbers filled in
    assert "wrote 6 slides" in r.stdout


def test_slides_in_presentation_mode_and_a_teachers_file(tmp_path):
    lesson = tmp_path / "mine.json"
    lesson.write_text(json.dumps({"format": 1, "title": "Mine", "pages": [
        {"title": "One", "text": "L = {loss}", "setup": {"config": {"source": "abcabc"}, "tab": "losses"}}]}),
        encoding="utf-8")
    r = run("lesson", lesson, "--out", tmp_path / "o", "--size", "1920x1080", "--presentation", home=tmp_path)
    assert r.returncode == 0, r.stderr
    with Image.open(tmp_path / "o" / "01-one.png") as im:
        assert im.size == (1920, 1080)


def test_bad_input_gives_one_line_and_a_non_zero_exit(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 1, "title": "B", "pages": [{"title": "P", "text": "{nope}"}]}), encoding="utf-8")
    for args, words in ((("nope",), "no lesson called 'nope'"),
                        ((bad,), "bad.json, page 1 (P): no live value is called {nope}"),
                        (("bptt", "--size", "big"), "argument --size: 'big' is not a slide size"),
                        (("bptt", "--size", "10x10"), "argument --size: '10x10' is not a slide size"),
                        ((tmp_path / "missing.json",), "no such file")):
        r = run("lesson", *args, "--out", tmp_path / "x", home=tmp_path)
        assert r.returncode != 0
        assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists()          # nothing written
    r = run("lesson", "bptt", "--size", "10x10", "--out", tmp_path / "x", home=tmp_path)
    assert r.returncode == 2                       # a bad argument, as every other one
    r = run("lesson", "bptt", home=tmp_path)
    assert r.returncode == 2 and "--out" in r.stderr
    f = tmp_path / "file"
    f.write_text("x")
    r = run("lesson", "bptt", "--out", f, home=tmp_path)
    assert r.returncode == 1 and "is a file, not a folder" in r.stderr


def test_ctrl_c_stops_the_export_after_a_slide_with_one_line(tmp_path):
    """Ctrl-C while the slides are being written: the export stops at the next slide, the slides written
    are whole, and one line says so (exit 130). Python's KeyboardInterrupt raised inside Qt's callbacks
    was printed as a traceback and swallowed (the export ran on to exit 0), or crashed the process."""
    from tests.test_cli import ctrl_c_when
    out = tmp_path / "slides"
    code, stderr = ctrl_c_when(["lesson", "rnn-types", "--out", out, "--size", "3840x2160"],
                               lambda: bool(list(out.glob("01-*.png"))), tmp_path, poll=0.02)
    assert code == 130, (code, stderr)
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    pngs = sorted(out.glob("*.png"))
    assert 1 <= len(pngs) < 7 and not (out / "slides.txt").exists()
    assert stderr.startswith(f"rnnviz: error: interrupted: {len(pngs)} of 7 slides were written into")
    for png in pngs:                          # every slide written is whole
        with Image.open(png) as im:
            assert im.size == (3840, 2160)
            im.load()


def test_the_window_refuses_a_bad_lesson_before_it_opens(tmp_path):
    """`main.py gui --lesson FILE`: a lesson naming a setting the app lacks is refused with the page and
    the reason, in one line, before any window opens; so is a page past the lesson's end."""
    bad = tmp_path / "mine.json"
    bad.write_text(json.dumps({"format": 1, "title": "M", "pages": [
        {"title": "P", "text": "x", "setup": {"config": {"temperature": 1}}}]}), encoding="utf-8")
    for args, words in (((bad,), "mine.json, page 1 (P): rnnviz has no setting 'temperature'"),
                        (("vanishing", "--page", "99"), "has 6 pages, not 99")):
        r = run("gui", "--lesson", *args, home=tmp_path)
        assert r.returncode == 1 and words in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "window shown" not in r.stdout


def test_re_exporting_a_shorter_lesson_removes_the_older_exports_extra_slides_only(tmp_path):
    """A 4-page lesson exported, then the teacher cuts it to 2 pages and exports again into the same
    folder: the old 03- and 04- slides go (the folder shows the lesson as it is), and nothing of the
    user's does, not even a PNG named like a slide (only PNGs rnnviz marked as its slides are removed)."""
    from rnnviz.app.lessons.slide_files import MARK, has_mark

    def lesson(titles):
        f = tmp_path / "mine.json"
        f.write_text(json.dumps({"format": 1, "title": "Mine", "pages": [
            {"title": t, "text": f"page {t}", "setup": {"config": {"source": "abcabc"}}} for t in titles]}),
            encoding="utf-8")
        return f

    out = tmp_path / "slides"
    r = run("lesson", lesson(["One", "Two", "Three", "Four"]), "--out", out, home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.glob("*.png")) == ["01-one.png", "02-two.png", "03-three.png", "04-four.png"]
    assert all(has_mark(p) for p in out.glob("*.png"))
    with Image.open(out / "03-three.png") as im:
        assert im.info[MARK] == "Mine: page 3 of 4"
    Image.new("RGB", (8, 8)).save(out / "05-holiday.png")          # the user's own, named like a slide
    Image.new("RGB", (8, 8)).save(out / "photo.png")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "06-folder.png").mkdir()
    r = run("lesson", lesson(["One", "Deux"]), "--out", out, home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (f"wrote 2 slides and slides.txt into {out}; removed 3 slides of an older "
                                "export (02-two.png … 04-four.png)")
    assert sorted(p.name for p in out.iterdir()) == ["01-one.png", "02-deux.png", "05-holiday.png", "06-folder.png",
                                                    "notes.txt", "photo.png", "slides.txt"]
    assert (out / "slides.txt").read_text(encoding="utf-8").startswith("Mine\n\n1. One")
    r = run("lesson", lesson(["One", "Deux"]), "--out", out, home=tmp_path)     # the same again: nothing to remove
    assert r.returncode == 0 and r.stdout.strip() == f"wrote 2 slides and slides.txt into {out}"


def test_every_slide_has_the_size_asked_for_or_the_export_says_the_smallest(tmp_path):
    """--size 640x480 (allowed by --help) wrote 972 x 504 and 972 x 522 slides: the window can't be
    narrower than its panels, and a page that needs more height grew it for every later slide. Now
    every slide written has the size asked for; a size the window can't take is one line naming the
    smallest it can, and nothing is written when the first page already can't."""
    out = tmp_path / "small"
    r = run("lesson", "gated-cells", "--out", out, "--size", "640x480", home=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "at least" in r.stderr and "--size" in r.stderr
    assert not list(out.glob("*.png")) if out.exists() else True
    for size in ("1000x510", "1100x720"):
        out = tmp_path / size
        r = run("lesson", "gated-cells", "--out", out, "--size", size, home=tmp_path)
        assert "Traceback" not in r.stderr and (r.returncode == 0 or "at least" in r.stderr), r.stderr
        want = tuple(int(v) for v in size.split("x"))
        for p in out.glob("*.png"):
            with Image.open(p) as im:
                assert im.size == want, (size, p.name, im.size)
        if size == "1100x720":
            assert r.returncode == 0 and len(list(out.glob("*.png"))) == 5
