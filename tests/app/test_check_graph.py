"""File ▸ Check my implementation… on the graph, driven as a student does: the menu (the file dialog
answered) with a wrong implementation from tests/checker/, then the arrow keys. The window's cursor
goes to the first failing step; there the graph's nodes show ours above theirs with the differing
units marked, the time axis marks every failing step, a badge names the file, the tooltip has the
numbers; stepping moves through both; a passing file shows nothing of the kind."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from tests.app.drive import press, type_sequence
from tests.app.test_check_window import LATE, check_through_menu, window, write  # noqa: F401  (fixture)

# one unit of a⟨3⟩ is off; from step 4 on, every unit is (the recurrence carries it)
ONE_UNIT = ("        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)",
            "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
            "        if t >= 2:\n            a_next = a_next.copy()\n            a_next[1] += 0.1")
NO_CARRY = ("gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
            "gradients = rnn_cell_backward(da[:, :, t], caches[t])")


def drawn(w) -> list:
    """(kind, step, box, text, width) of everything the graph writes or marks in one paint."""
    item = w.graph.item
    item.drawn = []
    w.graph.canvas.viewport().grab()
    out, item.drawn = item.drawn, None
    return out


def student_texts(w, kind: str) -> dict:
    """step -> the texts the overlay wrote in row `kind`'s nodes (a, ŷ, dx)."""
    out = {}
    for k, t, _r, text, _w in drawn(w):
        if k == "student:" + kind:
            out.setdefault(t, []).append(text)
    return out


def marked_units(w, kind: str, t: int) -> list[str]:
    return [text for k, s, _r, text, _w in drawn(w) if k == "student_unit:" + kind and s == t]


def badge(w) -> str:
    return next((text for k, *_r, text, _w in drawn(w) if k == "student_badge"), "")


def danger_pixels(w, kind: str, t: int) -> int:
    """Pixels of the danger colour inside the node (its border, the marks under the units)."""
    node = w.graph.node_for(kind, t)
    box = w.graph.canvas.mapFromScene(node.scene_rect).boundingRect()
    img = w.graph.canvas.viewport().grab().toImage()
    danger = QColor(w.graph.item.style.danger)
    n = 0
    for x in range(max(box.left(), 0), min(box.right(), img.width())):
        for y in range(max(box.top(), 0), min(box.bottom(), img.height())):
            c = img.pixelColor(x, y)
            n += abs(c.red() - danger.red()) + abs(c.green() - danger.green()) + abs(c.blue() - danger.blue()) < 40
    return n


def test_a_wrong_forward_goes_to_its_first_failing_step_and_shows_both_there(qtbot, window, tmp_path, monkeypatch):
    w = window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "one_unit.py", ONE_UNIT))
    assert (w.state.t, w.state.phase) == (2, "forward")                 # step 3: where they part
    n_a = w.state.trace.n_a
    assert marked_units(w, "a", 2) == ["2"]                             # only unit 2 differs there
    assert any("1 of" in s or "≠ 1" in s or s == "≠1" for s in student_texts(w, "a")[2])
    assert "one_unit.py" in badge(w) and "step 3" in badge(w)
    # the failing steps are marked on the time axis (3 .. 10 run into one another: at least one bar)
    bars = [r for k, _t, r, *_ in drawn(w) if k == "student_axis"]
    x3, x2 = (w.graph.node_for("a", t).scene_rect.center().x() * w.graph.zoom() for t in (2, 1))   # the item's pixels
    assert bars and any(r.left() <= x3 <= r.right() for r in bars) and not any(r.left() <= x2 <= r.right() for r in bars)
    # the tooltip has both numbers
    tip = w.graph.node_for("a", 2).tooltip
    ours = w.state.trace.a[:, 0, 2]
    from rnnviz.app import numfmt
    assert "from your rnn_forward (one_unit.py)" in tip and "1 of 16 differ (unit 2)" in tip.replace(str(n_a), "16")
    assert numfmt.short(float(ours[1]), 4) in tip and numfmt.short(float(ours[1]) + 0.1, 4) in tip
    assert danger_pixels(w, "a", 2) > 30 and danger_pixels(w, "a", 1) == 0
    # Right: step 4, where every unit of a⟨4⟩ and the outputs differ
    press(qtbot, w, "Right")
    assert w.state.t == 3
    assert len(marked_units(w, "a", 3)) == min(n_a, 32) and marked_units(w, "ŷ", 3)
    # Left, Left: step 2, where theirs is ours (our node at the cursor says so; no unit is marked)
    press(qtbot, w, "Left", "Left")
    assert w.state.t == 1
    assert student_texts(w, "a").get(1) in (["= yours"], ["="])          # our node, marked: theirs is the same
    assert marked_units(w, "a", 1) == [] and danger_pixels(w, "a", 1) == 0
    assert 2 in student_texts(w, "a")                                   # the failing step keeps both
    assert "yours is the same as ours" in w.graph.node_for("a", 1).tooltip


def test_a_wrong_backward_shows_dx_on_the_inputs_in_the_backward_pass(qtbot, window, tmp_path, monkeypatch):
    w = window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "no_carry.py", NO_CARRY))
    T = w.state.T
    # the last step has nothing to carry: BPTT's first wrong step is T - 1
    assert (w.state.t, w.state.phase) == (T - 2, "backward")
    assert marked_units(w, "dx", T - 2) and danger_pixels(w, "x", T - 2) > 30
    assert marked_units(w, "dx", T - 3) == []                        # BPTT has not reached step T - 2 yet
    assert "no_carry.py" in badge(w) and f"step {T - 1}" in badge(w)
    assert "dx⟨" in w.graph.node_for("x", T - 2).tooltip
    press(qtbot, w, "Right")                                            # back in time: step T - 2
    assert w.state.t == T - 3 and marked_units(w, "dx", T - 3)
    press(qtbot, w, "Home")                                             # step T of the backward pass: they agree
    assert (w.state.t, w.state.phase) == (T - 1, "backward") and marked_units(w, "dx", T - 1) == []
    press(qtbot, w, "Left")                                             # the forward pass: its nodes are ours alone
    assert w.state.phase == "forward"
    assert not [k for k, *_ in drawn(w) if k.startswith("student:") or k.startswith("student_unit")]
    assert "the same in the forward pass" in badge(w)


def test_a_passing_file_shows_no_overlay(qtbot, window, tmp_path, monkeypatch):
    w = window
    press(qtbot, w, "Right")
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "right.py"))
    assert w.state.student is not None and w.graph.item.student is None
    assert w.state.t == 1                                               # the cursor stays where it was
    texts = drawn(w)
    assert not [k for k, *_ in texts if k.startswith("student")]
    assert danger_pixels(w, "a", 1) == 0


def test_another_sequence_drops_the_overlay_and_zoomed_out_the_axis_keeps_the_marks(qtbot, window, tmp_path,
                                                                                    monkeypatch):
    w = window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "late.py", LATE))
    assert w.graph.item.student is not None
    type_sequence(qtbot, w, "the quick brown fox jumps over the lazy dog " * 6)
    qtbot.waitUntil(lambda: w.graph.item.student is None, timeout=5000)
    assert not [k for k, *_ in drawn(w) if k.startswith("student")]
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "late.py", LATE))    # Run again, on this one
    assert w.graph.item.student is not None and w.state.t == 2
    press(qtbot, w, "F")                                                # fit: every step, the compact bands
    assert not w.graph.detailed()
    texts = drawn(w)
    assert not [k for k, *_ in texts if k.startswith("student:")]       # no node to write in
    bars = [r for k, _t, r, *_ in texts if k == "student_axis"]
    assert bars and sum(r.width() for r in bars) > 0.5 * w.graph.canvas.viewport().width()   # steps 3 .. T
    assert "late.py" in badge(w) and "red" in badge(w)                  # where to look, with no nodes to split
    for _ in range(30):                                                 # zoom in: the nodes again
        if w.graph.detailed():
            break
        press(qtbot, w, "Plus")
    press(qtbot, w, "Right", "Left")                                    # the graph follows the cursor
    assert w.graph.detailed() and w.state.t == 2 and marked_units(w, "a", 2)


def test_the_notes_batch_shows_the_example_the_window_shows(qtbot, window, tmp_path, monkeypatch):
    """The notes' batch (m = 10): the overlay is of the sequence the views show, and follows the
    Batch panel's example box (the check was of the whole batch: no new run is needed)."""
    from tests.app.drive import type_number
    from tests.app.test_batch_window import notes_batch

    w = window
    notes_batch(qtbot, w)
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "late.py", LATE))
    assert w.graph.item.student is not None and (w.state.t, w.state.phase) == (2, "forward")
    part = w.graph.item.student.part("a", False)
    np.testing.assert_allclose(part.theirs[:, 2], 1.01 * w.state.trace.a[:, 0, 2])
    assert len(marked_units(w, "a", 2)) == w.state.trace.n_a == 5
    press(qtbot, w, "Plus", "Plus", "Plus", "Right", "Left")           # zoomed in: every unit's number
    cells = {side: [text for k, s, _r, text, _w in drawn(w) if (k, s) == (f"student_{side}:a", 2)]
             for side in ("ours", "yours")}
    assert len(cells["ours"]) == len(cells["yours"]) == 5, cells
    ours = w.state.trace.a[:, 0, 2]
    for text, v in zip(cells["yours"], 1.01 * ours):
        s = text.replace("−", "-").replace("-.", "-0.")
        assert float("0" + s if s.startswith(".") else s) == pytest.approx(float(v), abs=0.1)
    runs = w.student_check.runs
    type_number(qtbot, w.batch_panel.example, "5")
    qtbot.waitUntil(lambda: w.state.trace.extras.get("example") == 4, timeout=5000)
    part = w.graph.item.student.part("a", False)
    np.testing.assert_allclose(part.theirs[:, 2], 1.01 * w.state.trace.a[:, 0, 2])
    assert part.ours[:, 2] == pytest.approx(w.state.trace.a[:, 0, 2]) and w.student_check.runs == runs


def test_state_a_students_inf_and_nan_are_drawn_as_differing_units(qtbot, window, tmp_path, monkeypatch):
    """A state test: the check's results with the student's a⟨t⟩ replaced by inf, NaN and 1e308 (as a
    broken file returns them) still draw, mark those units and word them in the tooltip."""
    from rnnviz.checker.values import OnWindow

    w = window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "late.py", LATE))
    results = list(w.state.student)
    fwd = next(r for r in results if r.function == "rnn_forward")
    a = np.array(fwd.theirs[0], dtype=float)
    a[0, :, 4], a[1, :, 4], a[2, :, 4] = np.inf, np.nan, 1e308
    fwd.theirs = (a,) + tuple(fwd.theirs[1:])
    w.state.set_student(OnWindow(results, "broken.py"))
    press(qtbot, w, "Right", "Right")
    assert w.state.t == 4
    units = marked_units(w, "a", 4)
    assert {"1", "2", "3"} <= set(units)
    tip = w.graph.node_for("a", 4).tooltip
    assert "broken.py" in tip and ("inf" in tip or "∞" in tip) and ("nan" in tip.lower())
    assert "broken.py" in badge(w)
