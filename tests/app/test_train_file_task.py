"""Training on a text file, chosen as a user does: "a text file…" in the Train on list opens the file
dialog (it never did: the panel said "Can't train: open a text file to train on"), cancelling it goes
back to the task before, and a file it can't read is said until something else happens."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from .drive import choose, type_number
from .test_train_panel import click, train_window, wait_idle


def answer(monkeypatch, path):
    """The file dialog returns `path` ("" : Cancel); the list of times it opened."""
    opened = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: opened.append(1) or (str(path), ""))
    return opened


def pick(qtbot, combo, data):
    choose(qtbot, combo, data, stays=False)


def test_choosing_a_text_file_opens_the_dialog_and_cancel_goes_back(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    opened = answer(monkeypatch, "")
    pick(qtbot, panel.task, "file")
    assert opened == [1]                                   # the dialog came up
    assert panel.task.currentData() == "text" and ctl.choice.kind == "text" and panel.message.text() == ""
    poem = tmp_path / "poem.txt"
    poem.write_text("the owl and the pussy-cat went to sea\nin a beautiful pea-green boat\n", encoding="utf-8")
    opened = answer(monkeypatch, poem)
    choose(qtbot, panel.task, "file")
    assert opened == [1] and panel.task.currentData() == "file" and "poem.txt" in panel.file_label.text()
    type_number(qtbot, panel.steps, "3")
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    assert ctl.updates == 3 and ctl.main.task.seq.source.startswith("the owl")


def test_a_file_that_cant_be_read_is_said_until_another_one_is_opened(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("abcabcabd " * 10, encoding="utf-8")
    bad.write_bytes(b"\x00\xffbinary")
    answer(monkeypatch, good)
    choose(qtbot, panel.task, "file")
    answer(monkeypatch, bad)
    click(qtbot, panel.open_file)                          # Open text file… a binary one
    assert "binary" in panel.message.text() and "good.txt" in panel.file_label.text()
    answer(monkeypatch, good)
    click(qtbot, panel.open_file)
    assert panel.message.text() == ""                      # (it stayed, red, over every later run)
    answer(monkeypatch, bad)
    click(qtbot, panel.open_file)
    choose(qtbot, panel.task, "names")
    assert panel.message.text() == ""
