"""File ▸ Check my implementation… on the window's own LSTM, driven as a student does: the cell chosen
in the model panel, the menu (the file dialog answered) with a wrong lstm_* from tests/checker/. The
notes' LSTM functions run on the window's sequence and weights; the first failing step and quantity
are those of the window's case, the graph shows the student's values on that step's c⟨t⟩, a⟨t⟩ and
gate nodes; a mistake that lives only in a cache entry is named in the panel and tagged on the node
it feeds; a correct file passes on the window's case."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core.trace import StateRef
from tests.app.drive import choose, press
from tests.app.test_check_graph import drawn, marked_units
from tests.app.test_check_window import check_through_menu, details, rows, window, write  # noqa: F401  (fixture)

WINDOWS = "on the window's sequence"
NO_FORGET = ("c_next = ft * c_prev + it * cct", "c_next = c_prev + it * cct")
# the cache keeps a⟨t⟩ where a⟨t−1⟩ belongs; what the function returns is right
CACHE_A_PREV = ("cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)",
                "cache = (a_next, c_next, a_next, c_prev, ft, it, cct, ot, xt, parameters)")


@pytest.fixture
def lstm_window(qtbot, window):
    choose(qtbot, window.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: window.state.trace.spec.cell == "lstm", timeout=10000)
    return window


def test_a_forgotten_forget_gate_is_found_on_the_windows_lstm_and_shown_on_its_nodes(qtbot, lstm_window, tmp_path,
                                                                                     monkeypatch):
    w = lstm_window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "no_forget.py", NO_FORGET))
    shown = rows(w)
    assert shown[("lstm_forward", WINDOWS)][0] == "✗ fail"
    assert shown[("lstm_backward", WINDOWS)][0] == "✓ pass"         # it is given our caches
    assert ("rnn_forward", WINDOWS) not in shown
    assert "do not describe" not in w.check_panel.status.text()
    res = next(r for r in w.state.student if r.function == "lstm_forward")
    d = res.difference
    assert (d.quantity, d.step) == ("c⟨2⟩", 2) and "forget gate" in res.hint    # c⟨0⟩ = 0: step 1 agrees
    tr = w.state.trace
    c = tr.state(StateRef(0, 0, "c"))
    assert d.ours == pytest.approx(float(c[d.unit[0], 0, 1]), abs=1e-12)        # ours is the window's c⟨2⟩
    # theirs: c⟨1⟩ + Γu c̃ at step 2 (nothing forgotten)
    lt = tr.layer(0, 0)
    theirs = c[:, 0, 0] + lt.quantity("i")[1, :, 0] * lt.quantity("g")[1, :, 0]
    assert d.theirs == pytest.approx(float(theirs[d.unit[0]]), abs=1e-12)
    # the window goes there; the graph shows ours over theirs on c⟨2⟩, a⟨2⟩, ŷ⟨2⟩ (the gates agree there)
    assert (w.state.t, w.state.phase) == (1, "forward")
    n_a = tr.n_a
    units = np.flatnonzero(~np.isclose(theirs, c[:, 0, 1], rtol=1e-6, atol=1e-9))
    bins = w.graph.item.student.part("c", False)
    assert bins is not None and marked_units(w, "c", 1)
    assert marked_units(w, "a", 1)
    assert not marked_units(w, "gates", 1)
    tip = w.graph.node_for("c", 1).tooltip
    assert "c⟨2⟩ from your lstm_forward (no_forget.py)" in tip
    assert f"{units.size} of {n_a} differ" in tip
    # a step on: a⟨2⟩ was wrong, so the gates of step 3 are too (each gate's units in the tooltip)
    press(qtbot, w, "Right")
    assert w.state.t == 2 and marked_units(w, "gates", 2)
    assert set(marked_units(w, "gates", 2)) <= {"Γf", "Γu", "c̃", "Γo"}
    tip = w.graph.node_for("gates", 2).tooltip
    assert "the gates at step 3 from your lstm_forward" in tip and "Γf⟨3⟩" in tip


def test_a_mistake_only_in_a_cache_entry_is_named_and_tagged_on_the_gates_it_feeds(qtbot, lstm_window, tmp_path,
                                                                                   monkeypatch):
    w = lstm_window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "cache_a_prev.py", CACHE_A_PREV))
    shown = rows(w)
    assert shown[("lstm_forward", WINDOWS)][0] == "✗ fail"
    res = next(r for r in w.state.student if r.function == "lstm_forward")
    assert res.difference.quantity == "caches[0][0][2] (a_prev)" and res.difference.step == 1
    assert "a_prev" in details(w)
    assert (w.state.t, w.state.phase) == (0, "forward")
    tags = [(t, text) for k, t, _r, text, _w in drawn(w) if k == "student_cache:gates"]
    assert (0, "cache a_prev ≠") in tags or any(t == 0 and "a_prev" in text for t, text in tags), tags
    assert not marked_units(w, "a", 0) and not marked_units(w, "c", 0)     # what it returns is ours
    tip = w.graph.node_for("gates", 0).tooltip
    assert "caches[0][0] a_prev in your lstm_forward (cache_a_prev.py) differs from ours" in tip
    assert "feeds the gates" in tip


def test_a_correct_lstm_passes_on_the_windows_lstm(qtbot, lstm_window, tmp_path, monkeypatch):
    w = lstm_window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "right.py"))
    shown = rows(w)
    assert shown[("lstm_forward", WINDOWS)][0] == "✓ pass" and shown[("lstm_backward", WINDOWS)][0] == "✓ pass"
    assert all(v[0] == "✓ pass" for v in shown.values()), shown
    assert "10 pass · 0 fail" in w.check_panel.status.text()
    assert all(r.max_abs_diff < 1e-12 for r in w.state.student)
    assert w.graph.item.student is None
    assert not [k for k, *_ in drawn(w) if k.startswith("student")]


# the course's known erratum: da_prev and dc_prev not carried back
NO_CARRY = ("gradients = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])",
            "gradients = lstm_cell_backward(da[:, :, t], np.zeros_like(dc_prevt), caches[t])")


def test_an_lstm_backward_that_carries_nothing_shows_dx_in_the_backward_pass(qtbot, lstm_window, tmp_path,
                                                                             monkeypatch):
    w = lstm_window
    check_through_menu(qtbot, w, monkeypatch, write(tmp_path / "no_carry.py", NO_CARRY))
    shown = rows(w)
    assert shown[("lstm_forward", WINDOWS)][0] == "✓ pass" and shown[("lstm_backward", WINDOWS)][0] == "✗ fail"
    res = next(r for r in w.state.student if r.function == "lstm_backward")
    T = w.state.T
    assert (res.difference.quantity, res.difference.step) == (f"dx⟨{T - 1}⟩", T - 1)   # step T has nothing to carry
    assert "carried" in res.hint
    assert (w.state.t, w.state.phase) == (T - 2, "backward")
    assert marked_units(w, "dx", T - 2)
    tip = w.graph.node_for("x", T - 2).tooltip
    assert f"dx⟨{T - 1}⟩ from your lstm_backward (no_carry.py)" in tip
