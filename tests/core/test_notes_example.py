"""The notes' test input as a window example: the same draws the checker uses, the engine's batch
equal to the notes' rnn_forward, each shown sequence exactly its part of the batch (states, outputs,
losses, gradients; the weight gradients summing to the batch's), a⟨0⟩ given or zero, clear errors."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rnnviz.checker.cases import notes_cases
from rnnviz.core import compat
from rnnviz.core.compute import compute_trace
from rnnviz.core.notes_example import NOTES_SOURCE, example, notes_params, notes_sequence
from rnnviz.core.settings import Config, config_for_weights, run_config
from rnnviz.core.trace import StateRef

NOTES = Config(source=NOTES_SOURCE, kind="notes", a0="given")


def notes_config(**changes) -> tuple[Config, dict]:
    p = notes_params()
    return config_for_weights(replace(NOTES, **changes), p), p


def test_the_window_example_is_what_the_checker_runs_rnn_forward_on():
    x, a0, p = notes_cases()[1].args
    seq = notes_sequence()
    assert (seq.n_x, seq.m, seq.T, seq.n_y) == (3, 10, 4, 2)
    assert np.array_equal(seq.x, x) and np.array_equal(seq.a0, a0)
    assert {k: v.tolist() for k, v in notes_params().items()} == {k: v.tolist() for k, v in p.items()}
    state = np.random.get_state()[1].copy()
    notes_sequence()
    assert np.array_equal(np.random.get_state()[1], state)      # nobody's random stream is moved


def test_the_batch_is_the_notes_rnn_forward():
    c, p = notes_config()
    tr = run_config(c, p)
    batch = tr.extras["batch"]
    a, y_pred, _ = compat.rnn_forward(*notes_cases()[1].args)
    assert batch.m == 10 and tr.m == 1 and batch.loss_name == "cross_entropy"
    np.testing.assert_allclose(batch.a, a, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(batch.y_hat, y_pred, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("model", [dict(), dict(cell="lstm", layers=2, bidirectional=True), dict(cell="gru")],
                         ids=["rnn", "lstm-2-bidir", "gru"])
def test_each_shown_sequence_is_exactly_its_part_of_the_batch(model):
    p = None if model else notes_params()
    c = replace(NOTES, hidden=5, **model)
    if p is not None:
        c = config_for_weights(c, p)
    grads = None
    for b in range(10):
        tr = run_config(replace(c, example=b), p)
        batch = tr.extras["batch"]
        assert tr.extras["example"] == b
        for l, d in tr.spec.layer_dirs():
            for name in tr.layer(l, d).cell.state_names:
                ref = StateRef(l, d, name)
                np.testing.assert_allclose(tr.state(ref)[:, 0], batch.state(ref)[:, b], rtol=1e-12, atol=1e-14)
                np.testing.assert_allclose(tr.grad(ref)[:, 0], batch.grad(ref)[:, b], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(tr.y_hat[:, 0], batch.y_hat[:, b], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(tr.loss_steps[0], batch.loss_steps[b], rtol=1e-12)
        np.testing.assert_allclose(tr.a0[:, 0], batch.a0[:, b])
        grads = {k: v.copy() for k, v in tr.grads.items()} if grads is None else \
            {k: grads[k] + tr.grads[k] for k in grads}
    for k in grads:     # the batch's weight gradients are the sum of its sequences'
        np.testing.assert_allclose(grads[k], batch.grads[k], rtol=1e-9, atol=1e-12)


def test_the_batch_gradient_against_finite_differences():
    """Cross-entropy on one-hot dense targets with a given a⟨0⟩: dL/dW and dL/da⟨0⟩ by central differences."""
    seq, p = notes_sequence(), notes_params()
    tr = compute_trace(p, seq, "tanh", "cross_entropy", a0=seq.a0)
    eps = 1e-6
    for k in ("Waa", "Wax", "Wya", "ba", "by"):
        for idx in [(0, 0), (p[k].shape[0] - 1, p[k].shape[1] - 1)]:
            hi, lo = {**p, k: p[k].copy()}, {**p, k: p[k].copy()}
            hi[k][idx] += eps
            lo[k][idx] -= eps
            fd = (compute_trace(hi, seq, "tanh", "cross_entropy", a0=seq.a0).total_loss
                  - compute_trace(lo, seq, "tanh", "cross_entropy", a0=seq.a0).total_loss) / (2 * eps)
            assert tr.grads[k][idx] == pytest.approx(fd, rel=1e-6, abs=1e-8), k
    for idx in [(0, 0), (4, 9)]:
        hi, lo = seq.a0.copy(), seq.a0.copy()
        hi[idx] += eps
        lo[idx] -= eps
        fd = (compute_trace(p, seq, "tanh", "cross_entropy", a0=hi).total_loss
              - compute_trace(p, seq, "tanh", "cross_entropy", a0=lo).total_loss) / (2 * eps)
        assert tr.da0[idx] == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_a0_given_or_zero():
    c, p = notes_config(example=3)
    given = run_config(c, p)
    zero = run_config(replace(c, a0="zero"), p)
    np.testing.assert_array_equal(given.a0[:, 0], notes_sequence().a0[:, 3])
    assert not zero.a0.any() and not zero.extras["batch"].a0.any()
    assert not np.allclose(given.a[:, 0, 0], zero.a[:, 0, 0])


def test_one_sequence_of_a_batch_alone():
    seq = notes_sequence()
    one = example(seq, 7)
    assert one.m == 1 and np.array_equal(one.x[:, 0], seq.x[:, 7]) and np.array_equal(one.a0[:, 0], seq.a0[:, 7])
    assert one.target_tokens == tuple(float(k) for k in seq.target_index[7])
    with pytest.raises(ValueError, match="example 11 does not exist"):
        example(seq, 10)


@pytest.mark.parametrize("config,message", [
    (Config(source="hello world", a0="given"), "comes with no a⟨0⟩"),
    (replace(NOTES, hidden=7), "has 5 units but the model has n_a = 7"),
    (replace(NOTES, hidden=5, example=10), "example 11 does not exist"),
    (Config(source="hello world", example=1), "example 2 does not exist"),
    (replace(NOTES, a0="maybe"), "unknown a⟨0⟩"),
    (replace(NOTES, example=-1), "the example shown must be"),
    (replace(NOTES, architecture="encoder-decoder"), "not a source → target pair"),
])
def test_clear_messages(config, message):
    with pytest.raises(ValueError, match=message):
        run_config(config)


def test_cross_entropy_still_needs_classes_for_a_series():
    with pytest.raises(ValueError, match="cross-entropy needs characters"):
        run_config(Config(source="0.1 0.5 -2 3", loss="cross_entropy"))


def test_a_session_keeps_the_notes_batch_the_example_and_a0(tmp_path):
    from rnnviz.io.session import Session, load_session, save_session

    c, p = notes_config(example=6, a0="zero")
    tr = run_config(c, p)
    save_session(tmp_path / "n.rnnviz", Session(settings=c.to_dict(), params=tr.params, weights_origin="imported"))
    s = load_session(tmp_path / "n.rnnviz")
    back = Config.from_dict(s.settings)
    assert (back.kind, back.example, back.a0) == ("notes", 6, "zero")
    again = run_config(back, s.params)
    np.testing.assert_array_equal(again.a, tr.a)
    np.testing.assert_array_equal(again.extras["batch"].y_hat, tr.extras["batch"].y_hat)
