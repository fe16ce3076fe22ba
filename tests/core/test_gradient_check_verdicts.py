"""The gradient check's verdicts (rnnviz.core.gradcheck): a right gradient is "good" even on a trained
model whose gradients are tiny (the finite differences' round-off then makes the relative error 1e-7 to
1e-6: it fell 10x when ε grew 10x, the signature of round-off), and a wrong one never is."""
from __future__ import annotations

import numpy as np

from rnnviz.core import compute_trace, make_sequence
from rnnviz.core.gradcheck import BAD_ABOVE, GOOD_BELOW, CheckRow, gradient_check, trace_loss_fn
from rnnviz.core.params import init_model_params
from rnnviz.core.spec import ModelSpec
from rnnviz.core.tasks import text_task
from rnnviz.core.training import Trainer, TrainSettings

TEXT = "hello world"


def trained_trace():
    task = text_task(TEXT)
    spec = ModelSpec("rnn", "tanh", task.n_x, 16, task.n_y)
    tr = Trainer(spec, init_model_params(spec, seed=0), task, TrainSettings("adagrad", 0.1, "value", 5.0, 0))
    for _ in tr.train(1500, frame_seconds=10.0, with_params=False):
        pass
    return compute_trace(tr.params, make_sequence(TEXT))


def test_a_trained_models_right_gradients_are_good_and_wrong_ones_are_not():
    trace = trained_trace()
    assert trace.total_loss < 1e-2                                   # trained: tiny gradients
    loss = trace_loss_fn(trace)
    rows = gradient_check(loss, trace.params, trace.grads)
    assert [r.verdict for r in rows] == ["good"] * len(rows), [(r.name, r.rel_error, r.wider_rel_error) for r in rows]
    assert any(r.rel_error >= GOOD_BELOW for r in rows)              # (the case the round-off test is for)
    for scale, verdicts in ((1 + 1e-5, {"look closer", "wrong"}), (1.01, {"wrong"})):
        wrong = {k: v * scale for k, v in trace.grads.items()}       # a gradient a little off everywhere
        bad = gradient_check(loss, trace.params, wrong)
        assert all(r.verdict in verdicts for r in bad), [(r.name, r.rel_error, r.wider_rel_error) for r in bad]


def test_the_round_off_test_needs_the_error_to_fall_with_a_wider_step():
    row = CheckRow("W", (2, 2), 4, 5e-7, 1e-11)
    assert row.verdict == "look closer"                              # not tried wider: as before
    assert CheckRow("W", (2, 2), 4, 5e-7, 1e-11, wider_rel_error=5e-8).verdict == "good"
    assert CheckRow("W", (2, 2), 4, 5e-7, 1e-11, wider_rel_error=4e-7).verdict == "look closer"   # stays: not round-off
    assert CheckRow("W", (2, 2), 4, 2 * BAD_ABOVE, 1e-3, wider_rel_error=1e-9).verdict == "wrong"
    assert CheckRow("W", (2, 2), 4, float("nan"), 0.0).verdict == "not finite"
