"""The numbers the per-layer BPTT views show (no Qt): what BPTT has gathered into a layer-direction's
weights (every cell, both directions, an encoder–decoder's two weight sets, the GRU's separate b_hh),
the keep-gate products along a gated cell's direct path, and which weights a step adds to."""
import itertools

import numpy as np
import pytest

from rnnviz.core import diagnostics as D
from rnnviz.core.sequences import check_target, pair_sequence
from rnnviz.core.settings import Config, run_config
from rnnviz.core.trace import StateRef

MODELS = [dict(cell=c, layers=l, bidirectional=b) for c, l, b in
          itertools.product(("rnn", "gru", "lstm"), (1, 2), (False, True))]


def model_id(m):
    return f"{m['cell']}-{m['layers']}l-{'bi' if m['bidirectional'] else 'uni'}"


def run(**kw):
    kw.setdefault("source", "hello world")
    kw.setdefault("hidden", 5)
    return run_config(Config(**kw))


@pytest.mark.parametrize("model", MODELS, ids=model_id)
@pytest.mark.parametrize("flow", ["total", "last"])
def test_partial_grads_gather_each_direction_in_its_own_sense(model, flow):
    tr = run(**model)
    for l, d in tr.spec.layer_dirs():
        acc = D.PartialGrads(tr, flow, l, d)
        assert set(acc.all_names) == {n for n in tr.spec.layer_names(0, l, d) if n}
        steps = [acc.step(t) for t in range(tr.T)]
        assert all(np.all(v == 0) for v in acc.at_count(0).values())
        for n in range(1, tr.T + 1):                 # the pulse passing one step at a time
            got = {k: v.copy() for k, v in acc.at_count(n).items()}
            summed = range(tr.T - n, tr.T) if d == 0 else range(0, n)   # → from step T back, ← from step 1 on
            for k in got:
                ref = sum(steps[t][k] for t in summed).reshape(acc.shapes[k])
                np.testing.assert_allclose(got[k], ref, rtol=1e-10, atol=1e-13)
        # reaching step t: → has passed t..T-1, ← has passed 0..t
        t = 3
        assert acc.count_at(t) == (tr.T - t if d == 0 else t + 1)
        for k, v in acc.at(t).items():
            np.testing.assert_allclose(v, acc._full(t)[k], rtol=1e-10, atol=1e-13)
        if flow == "total":   # the whole sum is the gradient the engine checks against finite differences
            for k, v in acc.at_count(tr.T).items():
                np.testing.assert_allclose(v, tr.grads[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_gru_bias_hh_gathers_its_own_gradient():
    tr = run(cell="gru")
    acc = D.PartialGrads(tr, "total", 0, 0)
    full = acc.at_count(tr.T)
    assert not np.allclose(full["bias_hh_l0"], full["bias_ih_l0"])   # Γr multiplies W_hn a + b_hn only
    np.testing.assert_allclose(full["bias_hh_l0"], tr.grads["bias_hh_l0"], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_encoder_decoder_steps_add_to_their_own_weights(cell):
    tr = run(cell=cell, layers=2, architecture="encoder-decoder", source="stressed", target="desserts")
    enc = tr.segments[0]
    for l in range(2):
        acc = D.PartialGrads(tr, "total", l, 0)
        assert {n.split(".")[0] for n in acc.all_names} == {"encoder", "decoder"}
        full = acc.at_count(tr.T)
        for k, v in full.items():
            np.testing.assert_allclose(v, tr.grads[k], rtol=1e-9, atol=1e-12, err_msg=k)
        # the decoder's steps come first going back: the encoder's weights get nothing until step Tx
        part = acc.at(enc.stop)
        assert all(not np.any(v) for k, v in part.items() if k.startswith("encoder."))
        assert any(np.any(v) for k, v in part.items() if k.startswith("decoder."))
        assert D.step_weight_names(tr, enc.stop - 1, l)[1] == f"encoder.weight_hh_l{l}"
        assert D.step_weight_names(tr, enc.stop, l)[1] == f"decoder.weight_hh_l{l}"
    b = D.backward_terms(tr, 0, "total", 0, 0)
    assert "encoder.weight_hh_l0" in b and "decoder.weight_hh_l0" not in b


def test_notes_names_stay_for_the_vanilla_rnn():
    tr = run(cell="rnn")
    acc = D.PartialGrads(tr)
    assert acc.all_names == ("Wax", "Waa", "ba")
    assert D.step_weight_names(tr, 0) == ("Wax", "Waa", "ba")


def brute_product(g, to, direction):
    """max over units of the product of the keep gates between each step and `to`, by loops."""
    T = g.shape[0]
    out = np.full(T, np.nan)
    for t in range(T):
        if (direction == 0 and t > to) or (direction == 1 and t < to):
            continue
        ks = range(t + 1, to + 1) if direction == 0 else range(to, t)
        out[t] = max(np.prod([g[k, u, 0] for k in ks]) for u in range(g.shape[1]))
    return out


@pytest.mark.parametrize("cell, gate", [("lstm", "f"), ("gru", "z")])
@pytest.mark.parametrize("direction", [0, 1])
def test_gate_product_follows_each_direction(cell, gate, direction):
    tr = run(cell=cell, bidirectional=True, source="the quick brown fox")
    g = tr.layer(0, direction).quantity(gate)
    got = D.gate_product(tr, 0, direction)
    to = D.path_start(tr, direction)
    assert to == (tr.T - 1 if direction == 0 else 0)
    np.testing.assert_allclose(got, brute_product(g, to, direction), rtol=1e-12, equal_nan=True)
    assert got[to] == 1.0
    # scaled to the gradient it starts from: ||dL<T>/dc<T>|| (→) or ||dL/dc<1>|| (←)
    path = D.gate_path(tr, 0, direction)
    name = "c" if cell == "lstm" else "a"
    start = tr.grad_norm(StateRef(0, direction, name), "last" if direction == 0 else "total")[to]
    np.testing.assert_allclose(path, got * start, rtol=1e-12, equal_nan=True)


def test_vanilla_has_no_gate_path():
    tr = run(cell="rnn")
    assert np.all(np.isnan(D.gate_path(tr))) and np.all(np.isnan(D.gradient_curves(tr)["path"]))


def test_the_target_box_check_is_the_pair_check():
    for bad in ("", None):
        with pytest.raises(ValueError, match="target text"):
            check_target(bad)
        with pytest.raises(ValueError, match="target text"):
            pair_sequence("abc", bad)
    check_target("cba")
