"""The non-finite path for every cell and model: weights near the float limit give a trace that says
where it went wrong (first_nonfinite / first_nonfinite_grad), never an exception or a warning, and
everything before that step stays finite and usable, down to the verdict and the curves."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnnviz.core import diagnostics as D
from rnnviz.core.compute import compute_trace
from rnnviz.core.params import init_model_params
from rnnviz.core.sequences import number_sequence, text_sequence
from rnnviz.core.spec import ModelSpec
from rnnviz.core.trace import StateRef

MODELS = [("rnn", 1, False), ("gru", 1, False), ("lstm", 1, False), ("lstm", 2, True), ("gru", 3, False)]


def strict(params, seq, cell, layers, bidir, **kw):
    """compute_trace and everything the views read, with every NumPy warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = compute_trace(params, seq, "relu" if cell == "rnn" else "tanh", cell=cell, layers=layers,
                           bidirectional=bidir, influence=True, **kw)
        for l, d in tr.spec.layer_dirs():
            for name in tr.layer(l, d).cell.state_names:
                tr.grad_norm(StateRef(l, d, name))
                tr.grad_norm(StateRef(l, d, name), "last")
            D.gradient_curves(tr, l, d)
            tr.step_contributions(l, d)
            tr.partial_grads(0, l, d)
            D.PartialGrads(tr, "last", l, d).at(0)
            D.verdict(tr, l, d)
        tr.total_loss, tr.finite
    return tr


@pytest.mark.parametrize("cell,layers,bidir", MODELS)
def test_huge_weights_are_data_not_errors(cell, layers, bidir):
    seq = number_sequence(np.sin(np.arange(120) * 0.3) * 3 + 1)
    spec = ModelSpec(cell, "relu" if cell == "rnn" else "tanh", 1, 6, 1, layers, bidir)
    p = init_model_params(spec, seed=1, radius=1.0)
    for k in p:                                   # entries of both signs near the float limit: inf - inf = NaN
        if "weight" in k or k in ("Wax", "Waa"):
            p[k] = np.sign(p[k]) * 1e307 * (1 + np.abs(p[k]))
    tr = strict(p, seq, cell, layers, bidir)
    if cell != "rnn" and tr.finite:
        # gated cells saturate: σ and tanh stay bounded, their slopes are exactly 0, nothing overflows
        assert np.all(np.isfinite(tr.y_hat)) and all(np.all(np.isfinite(g)) for g in tr.grads.values())
        return
    assert not tr.finite                                  # ReLU is unbounded: a<t> overflows
    bad = tr.first_nonfinite if tr.first_nonfinite is not None else tr.first_nonfinite_grad
    assert bad is not None and 0 <= bad < tr.T
    v = D.verdict(tr)
    assert v.kind == "exploding" and f"step {bad + 1}" in v.headline
    if tr.first_nonfinite is not None and tr.first_nonfinite > 0:   # before it, all is usable
        k = tr.first_nonfinite
        for lt in tr.layers:
            if lt.direction == 0:
                assert np.all(np.isfinite(lt.quantity("a")[:k]))
        assert np.all(np.isfinite(tr.y_hat[:, :, :k]))


@pytest.mark.parametrize("cell,layers,bidir", MODELS)
def test_saturated_gates_give_exact_zeros_not_nans(cell, layers, bidir):
    """Large but finite weights saturate tanh/σ: gradients vanish to exact zeros, which is data too."""
    seq = text_sequence("the quick brown fox jumps over the lazy dog")
    spec = ModelSpec(cell, "tanh", seq.n_x, 8, seq.n_y, layers, bidir)
    p = init_model_params(spec, seed=2, radius=40.0)
    tr = strict(p, seq, cell, layers, bidir)
    assert np.all(np.isfinite(tr.y_hat)) and np.isfinite(tr.total_loss)
    assert D.verdict(tr).kind in ("vanishing", "stable", "exploding")
