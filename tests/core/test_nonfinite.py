"""Blow-ups are data: overflow gives a trace that says where it went wrong, never an exception or warning."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence
from rnnviz.core.clipping import clip_gradients

from .reference import number_batch


def strict_trace(*args, **kwargs):
    """compute_trace with every NumPy warning turned into an error, and every view-facing property read."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = compute_trace(*args, **kwargs)
        for value in (tr.loss, tr.total_loss, tr.finite, tr.da_norm, tr.da_last_norm, tr.pascanu_bound(),
                      tr.step_contributions(), tr.partial_grads(0), tr.partial_grads(tr.T - 1)):
            assert value is not None
    return tr


def exploding(architecture="many-to-many", loss="mse", influence=False):
    values = " ".join(str(v) for v in np.sin(np.arange(400) * 0.3) * 3 + 1)
    seq = make_sequence(values, kind="numbers")
    p = init_params(1, 16, 1, seed=0, radius=50.0)
    return strict_trace(p, seq, "relu", loss, architecture, influence=influence)


@pytest.mark.parametrize("architecture", ["many-to-many", "many-to-one", "one-to-many"])
def test_relu_with_radius_50_overflows_quietly(architecture):
    tr = exploding(architecture)
    assert not tr.finite
    t0 = tr.first_nonfinite
    assert t0 is not None and 0 < t0 < tr.T
    # everything before the first bad step is finite and usable
    for arr in (tr.z, tr.a, tr.logits, tr.y_hat):
        assert np.all(np.isfinite(arr[..., :t0]))
    assert np.all(np.isfinite(tr.loss_steps[:, :t0]))
    at_t0 = np.concatenate([tr.a[..., t0].ravel(), tr.y_hat[..., t0].ravel(), tr.loss_steps[:, t0]])
    assert not np.all(np.isfinite(at_t0))
    assert np.all(np.isfinite(tr.local_gain[:, :t0]))
    assert tr.first_nonfinite_grad is not None
    assert np.isfinite(tr.sigma_max) and np.isfinite(tr.rho)
    # the growth before the blow-up is there to see: hidden states grow by orders of magnitude
    assert np.abs(tr.a[:, 0, :t0]).max() > 1e100


def test_masked_steps_stay_clean_when_the_loss_there_is_not_counted():
    tr = exploding("many-to-one")
    # many-to-one counts only the last step: earlier steps carry a zero loss, never NaN from inf * 0
    assert np.all(tr.loss_steps[:, :-1] == 0.0)
    assert np.all(tr.step_weight[:-1] == 0)


def test_influence_and_bce_on_an_overflowing_trace():
    tr = exploding(influence=True)
    assert tr.influence is not None and tr.influence.shape == (tr.T, tr.T)
    rng = np.random.default_rng(0)
    seq = number_batch(rng, 300, 2, binary=True)
    p = init_params(1, 12, 1, seed=1, radius=60.0)
    tr = strict_trace(p, seq, "relu", "bce", "many-to-many")
    assert not tr.finite and tr.first_nonfinite is not None


def test_text_with_exploding_weights():
    seq = make_sequence("the quick brown fox jumps over the lazy dog " * 8)
    p = init_params(seq.n_x, 32, seq.n_y, seed=2, radius=80.0)
    tr = strict_trace(p, seq, "relu", "cross_entropy", influence=True)
    assert not tr.finite
    assert np.all(np.isfinite(tr.loss_steps[:, : tr.first_nonfinite]))


def test_clipping_a_non_finite_gradient_does_not_warn():
    tr = exploding()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("none", "norm", "value"):
            clip_gradients(tr.grads, mode, 5.0)


def test_tanh_never_overflows_even_with_a_huge_radius():
    seq = make_sequence("abcdefg" * 30)
    p = init_params(seq.n_x, 24, seq.n_y, seed=0, radius=1000.0)
    tr = strict_trace(p, seq, "tanh", influence=True)
    assert tr.finite and np.all(np.abs(tr.a) <= 1)
