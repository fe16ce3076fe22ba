"""Training: the optimizers' formulas, min-char-rnn's loop reproduced update by update, learning a
small text, the adding problem solved by every cell, a blow-up survived with the last finite weights."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnviz.core.optimizers import Optimizer
from rnnviz.core.params import init_model_params
from rnnviz.core.spec import ModelSpec
from rnnviz.core.tasks import AddingTask, CopyTask, NamesTask, text_task
from rnnviz.core.training import Trainer, TrainSettings

from .kernel_modes import MODES, compiled_mode
from .minchar_reference import minchar_train

TEXT = ("the quick brown fox jumps over the lazy dog. a stitch in time saves nine. "
        "all that glitters is not gold. the early bird catches the worm. ") * 4


def _params(rng, shapes):
    return {k: rng.standard_normal(s) for k, s in shapes.items()}


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "adam"])
def test_each_optimizer_step_is_its_formula(name):
    rng = np.random.default_rng(3)
    shapes = {"W": (3, 4), "b": (3,)}
    p = _params(rng, shapes)
    grads = [_params(rng, shapes) for _ in range(3)]
    opt = Optimizer(name, 0.05, momentum=0.8, beta1=0.85, beta2=0.99, eps=1e-6)
    expect = {k: v.copy() for k, v in p.items()}
    state = {k: [np.zeros(s), np.zeros(s)] for k, s in shapes.items()}
    for t, g in enumerate(grads, 1):
        opt.step(p, g)
        for k in shapes:
            s0, s1 = state[k]
            if name == "sgd":
                expect[k] = expect[k] - 0.05 * g[k]
            elif name == "momentum":
                s0[...] = 0.8 * s0 + g[k]
                expect[k] = expect[k] - 0.05 * s0
            elif name == "adagrad":
                s0[...] = s0 + g[k] ** 2
                expect[k] = expect[k] - 0.05 * g[k] / np.sqrt(s0 + 1e-8)
            else:
                s0[...] = 0.85 * s0 + 0.15 * g[k]
                s1[...] = 0.99 * s1 + 0.01 * g[k] ** 2
                mh, vh = s0 / (1 - 0.85 ** t), s1 / (1 - 0.99 ** t)
                expect[k] = expect[k] - 0.05 * mh / (np.sqrt(vh) + 1e-6)
            np.testing.assert_allclose(p[k], expect[k], rtol=1e-13, atol=1e-15)
    assert opt.t == 3
    again = Optimizer.restore(opt.settings(), opt.state_arrays())
    assert again.settings() == opt.settings()
    assert {k: v.tolist() for k, v in again.state_arrays().items()} == {k: v.tolist() for k, v in opt.state_arrays().items()}


def _minchar_setup(text, n_a=30, seed=0):
    rng = np.random.default_rng(seed)
    V = len(set(text))
    W = {"Wax": rng.standard_normal((n_a, V)) * 0.01, "Waa": rng.standard_normal((n_a, n_a)) * 0.01,
         "Wya": rng.standard_normal((V, n_a)) * 0.01, "ba": np.zeros((n_a, 1)), "by": np.zeros((V, 1))}
    return ModelSpec("rnn", "tanh", V, n_a, V), W


@MODES
def test_min_char_rnn_reproduced_update_by_update(compiled):
    """From min-char-rnn's weights, Adagrad memory and hprev before each update, one update here gives
    min-char-rnn's loss, weights, memory and carried state after it: windows of 25 from 0, the state
    carried and reset when the next window would pass the end, element-wise clipping, Adagrad.
    On the NumPy code and on the compiled kernels (kernels/compiled.py)."""
    text = TEXT[:333]                       # 13 windows, then back to the start
    spec, W = _minchar_setup(text)
    n = 40
    ref = minchar_train(text, W["Wax"], W["Waa"], W["Wya"], W["ba"], W["by"], n)
    task = text_task(text, 25)
    assert task.n_windows == 13
    with compiled_mode(compiled):
        _replay_minchar(spec, W, ref, task)


def _replay_minchar(spec, W, ref, task):
    resets = 0
    for k, r in enumerate(ref):
        params, mem, hprev, p = r["start"]
        tr = Trainer(spec, params, task, TrainSettings("adagrad", 0.1, "value", 5.0, 0))
        tr.optimizer.slots["mem"] = {key: v.copy() for key, v in mem.items()}
        tr.carry = {(0, 0): (hprev,)}
        tr.updates = k
        batch = task.batch(k)
        assert (k % task.n_windows) * 25 == p           # the same window
        resets += batch.reset
        assert tr.step()
        assert math.isclose(tr.history.column("loss")[0], r["loss"], rel_tol=1e-12)
        for key in W:
            np.testing.assert_allclose(tr.params[key], r["params"][key], rtol=0, atol=1e-13)
            np.testing.assert_allclose(tr.optimizer.slots["mem"][key], r["mem"][key], rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(tr.carry[(0, 0)][0], r["hprev"], rtol=0, atol=1e-13)
    assert resets == 4                       # updates 1, 14, 27, 40


@MODES
def test_min_char_rnn_free_run_agrees_until_round_off_grows(compiled):
    """Left to run, both loops agree to round-off. Training is chaotic: min-char-rnn against itself
    with one weight changed by 2e-16 differs by 4e-9 in the loss at update 8 and 2e-4 at update 12,
    so only a copy of its every floating-point operation could agree longer. The free runs are
    compared over the first updates; the test above checks every update from the same state."""
    text = TEXT
    spec, W = _minchar_setup(text, n_a=50, seed=1)
    ref = minchar_train(text, W["Wax"], W["Waa"], W["Wya"], W["ba"], W["by"], 6)
    tr = Trainer(spec, W, text_task(text, 25), TrainSettings())   # the defaults are min-char-rnn's recipe
    with compiled_mode(compiled):
        for _ in tr.train(6):
            pass
    np.testing.assert_allclose(tr.history.column("loss"), [r["loss"] for r in ref], rtol=1e-10)
    np.testing.assert_allclose(tr.history.column("smooth_loss"), [r["smooth_loss"] for r in ref], rtol=1e-12)


def test_a_small_text_is_learned():
    text = "hello world, hello rnn. " * 3
    task = text_task(text, 25)
    spec = ModelSpec("rnn", "tanh", task.n_x, 32, task.n_y)
    tr = Trainer(spec, init_model_params(spec, seed=0), task, TrainSettings())
    for _ in tr.train(600):
        pass
    loss = tr.history.column("loss")
    assert loss[0] > 0.5 * task.baseline
    assert loss[-30:].mean() < 0.05 * task.baseline       # from ~T ln V = 58 down to below 3
    assert tr.history.column("smooth_loss")[-1] < task.baseline


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_adding_problem_T20_solved_by_every_cell(cell):
    task = AddingTask(T=20, batch=32, seed=0)
    spec = ModelSpec(cell, "tanh", 2, 32, 1)
    tr = Trainer(spec, init_model_params(spec, seed=0), task, TrainSettings("adam", 3e-3, "norm", 1.0, 0))
    solved = False
    while tr.updates < 2500 and not solved:
        for _ in tr.train(tr.updates + 100):
            pass
        solved = tr.history.column("loss")[-50:].mean() < 0.01        # baseline 0.167
    assert solved, f"{cell}: MSE {tr.history.column('loss')[-50:].mean():.3f} after {tr.updates} updates"
    assert np.isfinite(tr.history.column("reach")).all()


def test_adding_and_copy_tasks_are_reproducible_and_marked():
    a, b = AddingTask(50, 4, seed=7).batch(3), AddingTask(50, 4, seed=7).batch(3)
    np.testing.assert_array_equal(a.inputs.values, b.inputs.values)
    x = a.inputs.values
    assert (x[:, 1].sum(axis=0) == 2).all()                                   # two markers each
    assert (x[:25, 1].sum(axis=0) == 1).all()                                 # one in each half
    np.testing.assert_allclose(a.targets[-1, 0], (x[:, 0] * x[:, 1]).sum(axis=0))
    c = CopyTask(10, 3, seed=1, K=5).batch(0)
    ids = c.inputs.ids
    np.testing.assert_array_equal(c.targets[-5:], ids[:5])
    assert (ids[5 + 9] == 9).all() and math.isclose(c.weight.sum() * 3, 1.0)


def test_names_task_is_the_courses():
    task = NamesTask(["abc", "de"], batch=1, seed=0)
    assert task.vocab == ("\n", "a", "b", "c", "d", "e")
    b = task.batch(0)
    name = task.names[0]
    assert b.inputs.ids[0, 0] == -1                                           # x<1> = 0
    assert "".join(task.vocab[i] for i in b.targets[:, 0]) == name + "\n"
    assert task.carries


def test_a_blow_up_stops_with_a_message_and_the_last_finite_weights():
    task = text_task(TEXT, 25)
    spec = ModelSpec("rnn", "relu", task.n_x, 64, task.n_y)
    tr = Trainer(spec, init_model_params(spec, seed=0, radius=3.0), task, TrainSettings("sgd", 1.0, "none", 5.0, 0))
    last = None
    for pr in tr.train(500):
        last = pr[0]
    assert last.done == "diverged" and "diverged" in last.message and "last finite weights" in last.message
    assert tr.updates < 500
    assert all(np.isfinite(v).all() for v in tr.params.values())
    assert np.isfinite(tr.history.column("loss")).all()


def test_numbers_too_big_to_square_are_named_as_the_cause_not_the_learning_rate():
    from rnnviz.core.sequences import make_sequence
    from rnnviz.core.tasks import SequenceTask

    seq = make_sequence("1e308 1e307 -1e308 5e307 1e308 3e307", "numbers")
    task = SequenceTask(seq, "mse", "many-to-many", 25)
    spec = ModelSpec("rnn", "tanh", task.n_x, 8, task.n_y)
    tr = Trainer(spec, init_model_params(spec, seed=0), task, TrainSettings("sgd", 0.01, "none", 5.0, 0))
    last = [pr[0] for pr in tr.train(5)][-1]
    assert last.done == "diverged" and tr.updates == 0
    assert "the numbers reach 1.0e+308" in last.message and "scale the numbers down" in last.message
    assert "learning rate" not in last.message
    ok = Trainer(spec, init_model_params(spec, seed=0), SequenceTask(make_sequence("1 2 3 4 5 6", "numbers"),
                 "mse", "many-to-many", 25), TrainSettings("sgd", 0.01, "none", 5.0, 0))
    assert [pr[0] for pr in ok.train(5)][-1].done != "diverged"


@pytest.mark.parametrize("kind", ["text", "names", "adding", "lstm-text"])
def test_a_saved_trainer_continues_identically(kind):
    from rnnviz.core.train_state import trainer_from_data, trainer_to_data

    if kind == "adding":
        task, cell, settings = AddingTask(12, 4, seed=2), "gru", TrainSettings("adam", 1e-2, "norm", 1.0, 5)
    elif kind == "names":
        task, cell, settings = NamesTask(batch=1, seed=3), "rnn", TrainSettings("momentum", 0.05, "value", 5.0, 5)
    else:
        task, settings = text_task(TEXT, 20), TrainSettings(snapshot_every=5)
        cell = "lstm" if kind == "lstm-text" else "rnn"
    spec = ModelSpec(cell, "tanh", task.n_x, 12, task.n_y, 2 if kind == "lstm-text" else 1)
    straight = Trainer(spec, init_model_params(spec, seed=1), task, settings)
    for _ in straight.train(30):
        pass
    half = Trainer(spec, init_model_params(spec, seed=1), task, TrainSettings(**vars(settings)))
    for _ in half.train(13):
        pass
    doc, arrays = trainer_to_data(half)
    again = trainer_from_data(doc, arrays)
    for _ in again.train(30):
        pass
    for k in straight.params:
        np.testing.assert_array_equal(again.params[k], straight.params[k])
    np.testing.assert_array_equal(again.history.column("loss"), straight.history.column("loss"))
    assert [u for u, _ in again.snapshots] == [u for u, _ in straight.snapshots]


@MODES
@pytest.mark.parametrize("cell,layers", [("rnn", 1), ("lstm", 1), ("gru", 2)])
def test_reach_is_the_last_steps_gradient_ratio(cell, layers, compiled):
    """reach = ‖∂L<T>/∂a<1>‖ / ‖∂L<T>/∂a<T>‖ of the top layer, against compute_trace's dL<T>/da<t>."""
    from rnnviz.core.compute import compute_trace
    from rnnviz.core.sequences import text_sequence

    text = TEXT[:31]
    task = text_task(text, 30)
    spec = ModelSpec(cell, "tanh", task.n_x, 7, task.n_y, layers)
    params = init_model_params(spec, seed=2, radius=1.1)
    tr = Trainer(spec, params, task, TrainSettings("sgd", 1e-9, "none", 1.0, 0))
    with compiled_mode(compiled):
        tr.step()
    trace = compute_trace(params, text_sequence(text), cell=cell, layers=layers)
    da_last = trace.layer(layers - 1, 0).grad("a", "last")             # (T, n_a, m)
    want = np.linalg.norm(da_last[0]) / np.linalg.norm(da_last[-1])
    assert tr.history.column("reach")[0] == pytest.approx(want, rel=1e-10)


def test_a_text_under_mse_has_the_blind_guess_of_its_character_frequencies():
    """MSE on characters: the baseline (and the smoothed loss, which starts from it) is the loss of the
    best constant guess, each character's frequency at every step; it was NaN, and smooth_loss with it."""
    from rnnviz.core.losses import output_loss
    from rnnviz.core.sequences import text_sequence
    from rnnviz.core.tasks import SequenceTask

    text = "hello world"
    task = SequenceTask(text_sequence(text), "mse", "many-to-many", 25)
    seq = task.seq
    ids = seq.target_index[seq.target_index >= 0]
    p = np.bincount(ids, minlength=seq.n_y) / ids.size
    y = seq.y.transpose(2, 0, 1)                                                 # (T, n_y, m)
    guess = np.broadcast_to(p[None, :, None], y.shape).copy()                    # the frequencies, each step
    _y_hat, L, _d = output_loss("mse", guess, y)
    assert math.isfinite(task.baseline)
    assert task.baseline == pytest.approx(float(np.sum(L)), rel=1e-9)
    other = np.broadcast_to(np.full(seq.n_y, 1 / seq.n_y)[None, :, None], y.shape).copy()
    assert float(np.sum(output_loss("mse", other, y)[1])) > task.baseline      # a uniform guess does worse
    spec = ModelSpec("rnn", "tanh", seq.n_x, 8, seq.n_y)
    tr = Trainer(spec, init_model_params(spec, seed=0), task, TrainSettings("adagrad", 0.1, "value", 5.0, 0))
    for _ in tr.train(20, frame_seconds=1.0, with_params=False):
        pass
    assert np.all(np.isfinite(tr.history.column("smooth_loss")))


def test_a_bidirectional_model_on_a_next_step_task_is_said_to_read_its_targets():
    from rnnviz.core.sequences import text_sequence
    from rnnviz.core.tasks import SequenceTask, reads_its_targets

    text = text_task("hello world")
    assert "next character" in reads_its_targets(text, True) and reads_its_targets(text, False) == ""
    assert "next character" in reads_its_targets(NamesTask(batch=2), True)
    assert reads_its_targets(AddingTask(20, 4), True) == ""           # the sum at the end: nothing to peek at
    assert reads_its_targets(CopyTask(10, 4), True) == ""
    assert reads_its_targets(SequenceTask(text_sequence("hello"), "cross_entropy", "many-to-one"), True) == ""
