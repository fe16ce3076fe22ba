"""The notes' batch in the window, driven as a user does: the The notes example button, the Batch
panel's example spin box and a⟨0⟩ box, typing to leave it; the equations show the chosen sequence
of the notes' own rnn_forward; a check on that input shows the sequence the window shows."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from rnnviz.app import numfmt
from rnnviz.checker.cases import notes_cases
from rnnviz.core import compat
from tests.app.drive import choose, open_window, side, type_number, type_sequence
from tests.app.test_check_window import LATE, check_through_menu, click_row, details, write


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    yield w
    w.student_check.shutdown()


def notes_batch(qtbot, w) -> None:
    b = next(b for b in w.sequence_panel.example_buttons if b.text() == "The notes")
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.state.trace is not None and "batch" in w.state.trace.extras, timeout=5000)


def equations(w) -> str:
    side(w, "Equations")
    w.equations._render()
    return w.equations.browser.toPlainText()


def notes_a(example: int, t: int) -> list[str]:
    a, _, _ = compat.rnn_forward(*notes_cases()[1].args)
    return [numfmt.short(float(v), 4) for v in a[:, example, t]]


def test_the_notes_batch_shows_the_notes_numbers(qtbot, window):
    notes_batch(qtbot, window)
    panel = window.batch_panel
    assert panel.isVisible() and panel.example.maximum() == 10 and panel.of_label.text() == "of m = 10 sequences"
    assert panel.a0.currentData() == "given"
    assert "sequence 1 of m = 10" in window.status_label.text()
    assert "m = 10 sequences of vectors (n_x = 3, n_y = 2)" in window.sequence_panel.info_label.text()
    text = equations(window)
    x = notes_cases()[1].args[0]
    assert "x⟨1⟩ = [" + ", ".join(numfmt.short(float(v), 4) for v in x[:, 0, 0]) + "]" in text.replace("\n", " ")
    assert ", ".join(notes_a(0, 0)) in text.replace("\n", " ")


def test_choosing_the_example_and_a0(qtbot, window):
    notes_batch(qtbot, window)
    panel = window.batch_panel
    type_number(qtbot, panel.example, "4")
    qtbot.waitUntil(lambda: window.state.trace.extras.get("example") == 3, timeout=5000)
    assert ", ".join(notes_a(3, 0)) in equations(window).replace("\n", " ")
    assert "sequence 4 of m = 10" in window.status_label.text()
    choose(qtbot, panel.a0, "zero")
    qtbot.waitUntil(lambda: window.state.config.a0 == "zero", timeout=5000)
    assert "a⟨0⟩ = [0, 0, 0, 0, 0]" in equations(window).replace("\n", " ")
    assert not window.state.trace.extras["batch"].a0.any()


def test_typing_leaves_the_notes_batch(qtbot, window):
    notes_batch(qtbot, window)
    type_sequence(qtbot, window, "abcabc")
    qtbot.waitUntil(lambda: window.state.trace.seq.source == "abcabc", timeout=5000)
    assert not window.batch_panel.isVisible() and window.state.base_params is None
    assert window.state.config.kind == "auto" and window.state.config.a0 == "zero"
    assert window.sequence_panel.kind_buttons["auto"].isChecked()
    assert not window.state.input_error


def test_checking_on_the_notes_batch_shows_the_sequence_the_window_shows(qtbot, window, tmp_path, monkeypatch):
    notes_batch(qtbot, window)
    type_number(qtbot, window.batch_panel.example, "5")
    qtbot.waitUntil(lambda: window.state.trace.extras.get("example") == 4, timeout=5000)
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "late.py", LATE))
    click_row(qtbot, window, "rnn_forward", "on the window's")
    assert "a⟨3⟩, example 5" in details(window)          # the window's sequence 5, at the failing step 3
    panel = window.check_panel
    assert panel.step_label.text() == "step 3 of 4 (where they part)"
    qtbot.mouseClick(panel.prev_button, Qt.MouseButton.LeftButton)
    assert window.state.t == 1 and "a⟨2⟩, example 5" in details(window)
    # another sequence of the same batch: the check still holds (not stale), and follows it
    type_number(qtbot, window.batch_panel.example, "2")
    qtbot.waitUntil(lambda: window.state.trace.extras.get("example") == 1, timeout=5000)
    assert "a⟨2⟩, example 2" in details(window)
    assert "has changed since" not in panel.status.text()


def test_a_check_is_stale_once_the_windows_sequence_changes(qtbot, window, tmp_path, monkeypatch):
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "late.py", LATE))
    type_sequence(qtbot, window, "abcabc")
    qtbot.waitUntil(lambda: "has changed since" in window.check_panel.status.text(), timeout=5000)




def test_the_outputs_tab_shows_the_notes_classes_as_probabilities_of_each_class(qtbot, window):
    """The notes' ŷ⟨t⟩ is a softmax over two classes: the Outputs tab plotted p(class 0) as a
    'prediction ŷ⟨t⟩' against 'target y⟨t⟩' = 1 where the class is 0 (its 'value' axis), the opposite
    of the graph's ✓class 0 / class 1. It shows p(class) per class and step, the targets ringed."""
    from tests.app.drive import tab

    notes_batch(qtbot, window)
    tab(window, window.outputs)
    view, tr = window.outputs, window.state.trace
    assert view.image.isVisible() and not view.pred_curve.isVisible()
    assert view.image.image.shape == (2, tr.T)
    assert view.target_points() == [(t, int(tr.seq.target_index[0, t])) for t in range(tr.T)]
    ticks = [label for _v, label in view.plot.getAxis("left")._tickLevels[0]]
    assert ticks == ["class 0", "class 1"]
    assert "p(class)" in view.plot.titleLabel.text and "character" not in view.plot.titleLabel.text
    assert "character" not in view.plot.getAxis("left").labelText
