"""The student's numbers beside ours: the column of the differing quantity at any step and example,
the marks on the units that differ, and the rows the Equations panel shows at one step."""
from __future__ import annotations

import numpy as np

from rnnviz.checker.run import check_file
from rnnviz.checker.values import MAX_ROWS, _make, column, step_rows
from tests.checker.test_checker import by_function, submission

LATE = ("        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)",
        "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
        "        if t >= 2:\n            a_next = a_next * 1.01")


def test_the_column_at_the_failing_step_and_at_others(tmp_path):
    r = by_function(check_file(submission(tmp_path, "late", LATE)))["rnn_forward"]
    c = column(r.function, r.difference, r.theirs, r.ours)
    assert (c.step, c.steps, c.first_step) == (3, 4, 3) and c.title == "a⟨3⟩, example 1"
    np.testing.assert_allclose(c.theirs, 1.01 * c.ours)
    assert c.differs.all() and list(c.units) == [0, 1, 2, 3, 4]
    before = column(r.function, r.difference, r.theirs, r.ours, step=2, example=6)
    assert before.title == "a⟨2⟩, example 7" and not before.differs.any()
    np.testing.assert_array_equal(before.ours, r.ours[0][:, 6, 1])
    assert column(r.function, r.difference, r.theirs, r.ours, step=99).step == 4      # clamped


def test_a_cache_column_and_a_structure_problem(tmp_path):
    p = submission(tmp_path, "cache", ("cache = (a_next, a_prev, xt, parameters)", "cache = (a_prev, a_prev, xt, parameters)"))
    r = by_function(check_file(p))["rnn_forward"]
    c = column(r.function, r.difference, r.theirs, r.ours)
    assert c is not None and c.title.startswith("caches[0][0][0] (a_next), example 1") and c.differs.any()
    p = submission(tmp_path, "short", ("    return a_next, yt_pred, cache\n", "    return a_next, yt_pred\n"))
    r = by_function(check_file(p))["rnn_cell_forward"]
    assert r.difference.structure and column(r.function, r.difference, r.theirs, r.ours) is None


def test_long_columns_show_the_differing_unit():
    o = np.arange(1000.0)
    t = o.copy()
    t[700] += 1
    c = _make("dWaa", o, t, 700)
    assert len(c.units) == MAX_ROWS and 700 in c.units and c.n_units == 1000
    assert c.differs.sum() == 1 and c.units[c.differs][0] == 700


def test_step_rows_for_the_equations(tmp_path):
    rep = check_file(submission(tmp_path, "late", LATE))
    res = [r for r in rep.results if r.function == "rnn_forward"]
    rows = step_rows(res, 2, 4, "forward")
    assert [r.label for r in rows] == ["a⟨3⟩", "ŷ⟨3⟩"]
    assert rows[0].differs.all() and not rows[1].differs.any()       # ŷ was taken before the change
    assert step_rows(res, 2, 4, "backward") == [] and step_rows(res, 9, 0, "forward") == []


CACHE_A_PREV = ("cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)",
                "cache = (a_next, c_next, a_next, c_prev, ft, it, cct, ot, xt, parameters)")


def test_the_step_caches_entries_every_step_and_the_equations_rows_where_they_differ(tmp_path):
    from rnnviz.checker.values import cache_series

    res = [by_function(check_file(submission(tmp_path, "cache", CACHE_A_PREV)))["lstm_forward"]]
    series = {s.name: s for s in cache_series(res, 3)}
    assert set(series) == {"a_next", "c_next", "a_prev", "c_prev", "ft", "it", "cct", "ot", "xt"}
    assert all(s.cache and s.phase == "forward" and s.ours.shape == ((3 if k == "xt" else 5), 7)
               for k, s in series.items())                          # the notes' lstm_forward example: T = 7
    assert series["a_prev"].differs.any(axis=0).all()                  # a⟨t⟩ where a⟨t−1⟩ belongs: every step
    assert not any(series[k].differs.any() for k in series if k != "a_prev")
    np.testing.assert_allclose(series["a_prev"].theirs, series["a_next"].ours, rtol=1e-9, atol=1e-12)
    rows = step_rows(res, 1, 3, "forward")
    assert [r.label for r in rows] == ["a⟨2⟩", "c⟨2⟩", "ŷ⟨2⟩", "caches[0][1] a_prev"]
    assert rows[-1].differs.any() and not any(r.differs.any() for r in rows[:-1])
