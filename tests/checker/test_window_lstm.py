"""The notes' LSTM functions on the window's own model (a one-layer, one-direction LSTM with softmax
outputs): the engine's PyTorch-layout weights in the course's layout, so that our lstm_forward on the
window's x gives the window's a⟨t⟩, c⟨t⟩ and ŷ⟨t⟩, and our lstm_backward on da = Wy^T (ŷ − y) gives the
window's BPTT (dL/da⟨0⟩ and every weight gradient, which the engine's tests check against finite
differences); a student's file is checked on that case."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checker.cases import describes, trace_cases
from rnnviz.checker.run import check_file
from rnnviz.core import compat
from rnnviz.core.settings import Config, run_config
from rnnviz.core.trace import StateRef
from tests.checker.test_checker import by_function, submission

TIGHT = dict(rtol=0, atol=1e-12)
NO_FORGET = ("c_next = ft * c_prev + it * cct", "c_next = c_prev + it * cct")


def lstm_trace(**kw):
    tr = run_config(Config(cell="lstm", **kw))
    return tr.extras.get("batch", tr)


def test_the_engines_lstm_weights_in_the_course_layout_and_back():
    tr = lstm_trace()
    n = tr.n_a
    p = compat.course_lstm_parameters(tr.params, n)
    assert set(p) == {"Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by"}
    assert p["Wf"].shape == (n, n + tr.n_x) and p["bf"].shape == (n, 1) and p["Wy"].shape == (tr.n_y, n)
    # the forget gate is PyTorch's second block: its bias starts at forget_bias (1) in b_ih + b_hh
    W_ih, W_hh = tr.params["weight_ih_l0"], tr.params["weight_hh_l0"]
    np.testing.assert_array_equal(p["Wf"][:, :n], W_hh[n:2 * n])
    np.testing.assert_array_equal(p["Wf"][:, n:], W_ih[n:2 * n])
    back, W_ih2, b = compat._lstm_params(p, n)
    np.testing.assert_array_equal(back["W_hh"], W_hh)
    np.testing.assert_array_equal(W_ih2, W_ih)
    np.testing.assert_allclose(b.ravel(), tr.params["bias_ih_l0"] + tr.params["bias_hh_l0"], **TIGHT)


@pytest.mark.parametrize("architecture", ["many-to-many", "many-to-one"])
def test_our_lstm_functions_on_the_windows_case_give_the_windows_trace(architecture):
    tr = lstm_trace(architecture=architecture)
    assert describes(tr) == "lstm"
    fwd, bwd = trace_cases(tr)
    assert (fwd.function, bwd.function) == ("lstm_forward", "lstm_backward")
    a, y, c, caches = fwd.reference()
    np.testing.assert_allclose(a, tr.a, **TIGHT)
    np.testing.assert_allclose(c, tr.state(StateRef(0, 0, "c")), **TIGHT)
    np.testing.assert_allclose(y, tr.y_hat, **TIGHT)
    for k, gate in ((4, "f"), (5, "i"), (6, "g"), (7, "o")):      # the caches' gates are the window's
        np.testing.assert_allclose(np.stack([s[k] for s in caches[0]], -1),
                                   np.moveaxis(tr.layer(0, 0).quantity(gate), 0, -1), **TIGHT)
    da, _ = bwd.args
    np.testing.assert_allclose(da, tr.da_direct, **TIGHT)         # the gradient each a⟨t⟩ gets from ŷ⟨t⟩
    g = bwd.reference()
    np.testing.assert_allclose(g["da0"], tr.da0, **TIGHT)
    n = tr.n_a
    for k, (w, b) in enumerate(zip(("Wi", "Wf", "Wc", "Wo"), ("bi", "bf", "bc", "bo"))):
        rows = slice(k * n, (k + 1) * n)
        np.testing.assert_allclose(g["d" + w], np.concatenate([tr.grads["weight_hh_l0"][rows],
                                                               tr.grads["weight_ih_l0"][rows]], axis=1), **TIGHT)
        np.testing.assert_allclose(g["d" + b].ravel(), tr.grads["bias_ih_l0"][rows], **TIGHT)
        np.testing.assert_allclose(g["d" + b].ravel(), tr.grads["bias_hh_l0"][rows], **TIGHT)


@pytest.mark.parametrize("kw", [dict(cell="gru"), dict(cell="lstm", layers=2), dict(cell="lstm", bidirectional=True),
                                dict(cell="rnn", activation="relu")])
def test_models_the_notes_do_not_describe_have_no_window_case(kw):
    tr = run_config(Config(**kw))
    assert describes(tr) is None and trace_cases(tr) == []


def test_a_students_lstm_on_the_windows_case(tmp_path):
    tr = lstm_trace()
    cases = trace_cases(tr)
    report = check_file(submission(tmp_path, "right"), cases)
    mine = [r for r in report.results if r.label == "your sequence"]
    assert [(r.function, r.status) for r in mine] == [("lstm_forward", "pass"), ("lstm_backward", "pass")]
    assert all(r.max_abs_diff < 1e-12 for r in mine), [r.max_abs_diff for r in mine]
    assert by_function(report)["lstm_cell_forward"].status == "pass" and report.ok
    wrong = [r for r in check_file(submission(tmp_path, "no_forget", NO_FORGET), cases).results
             if r.label == "your sequence"]
    fwd = next(r for r in wrong if r.function == "lstm_forward")
    assert fwd.status == "fail" and "forget gate" in fwd.hint
    assert fwd.difference.quantity == "c⟨2⟩" and fwd.difference.step == 2     # c⟨0⟩ = 0: step 1 agrees
    # our c⟨2⟩ is the window's; theirs is c⟨1⟩ + Γu c̃ at that unit
    u, j = fwd.difference.unit
    assert fwd.difference.ours == pytest.approx(float(tr.state(StateRef(0, 0, "c"))[u, j, 1]), abs=1e-12)
