"""Initialisation, weight checks and the names compute_trace accepts."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence, param_count, scale_to_radius
from rnnviz.core.params import check_params


def test_init_is_reproducible_from_the_seed():
    p1, p2, p3 = init_params(4, 8, 3, seed=7), init_params(4, 8, 3, seed=7), init_params(4, 8, 3, seed=8)
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
        assert p1[k].dtype == np.float64
    assert not np.array_equal(p1["Waa"], p3["Waa"])
    assert {k: v.shape for k, v in p1.items()} == {
        "Wax": (8, 4), "Waa": (8, 8), "Wya": (3, 8), "ba": (8, 1), "by": (3, 1)}
    assert param_count(p1) == 8 * 4 + 64 + 24 + 8 + 3


@pytest.mark.parametrize("radius", [0.0, 0.5, 0.9, 1.0, 1.7, 50.0])
@pytest.mark.parametrize("n_a", [1, 5, 64])
def test_spectral_radius_is_the_requested_one(radius, n_a):
    Waa = init_params(3, n_a, 3, seed=n_a, radius=radius)["Waa"]
    assert np.max(np.abs(np.linalg.eigvals(Waa))) == pytest.approx(radius, rel=1e-12, abs=1e-15)


def test_radius_none_keeps_the_raw_draw_and_bad_values_are_refused():
    p = init_params(2, 6, 2, seed=1, radius=None)
    q = init_params(2, 6, 2, seed=1, radius=2.0)
    rho = np.max(np.abs(np.linalg.eigvals(p["Waa"])))
    np.testing.assert_allclose(q["Waa"], p["Waa"] * 2.0 / rho, rtol=1e-12)
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="spectral radius"):
            init_params(2, 6, 2, radius=bad)
    for n in (0, -3, 2.5):
        with pytest.raises(ValueError, match="hidden size n_a must be a whole number >= 1"):
            init_params(2, n, 2)
    np.testing.assert_array_equal(scale_to_radius(np.zeros((3, 3)), 0.9), 0)


def weights_for(seq, n_a=4):
    return init_params(seq.n_x, n_a, seq.n_y, seed=0)


@pytest.mark.parametrize("change,message", [
    (lambda p: p.pop("by"), "missing weights: by"),
    (lambda p: p.__setitem__("Waa", np.zeros((4, 3))), r"Waa has shape \(4, 3\), expected \(4, 4\)"),
    (lambda p: p.__setitem__("ba", np.zeros(4)), "ba must be a 2-D array"),
    (lambda p: p.__setitem__("by", np.zeros((2, 1))), r"by has shape \(2, 1\), expected \(3, 1\)"),
    (lambda p: p.__setitem__("Wya", np.zeros((3, 5))), r"Wya has shape \(3, 5\), expected \(3, 4\)"),
    (lambda p: p["Wax"].__setitem__((0, 0), np.nan), "Wax contains NaN or infinity"),
    (lambda p: p.__setitem__("Waa", np.full((4, 4), "a")), "Waa must hold real numbers"),
])
def test_weights_that_do_not_fit_are_named(change, message):
    seq = make_sequence("abcab")
    p = weights_for(seq)
    change(p)
    with pytest.raises(ValueError, match=message):
        compute_trace(p, seq)


def test_weights_for_another_sequence_are_refused():
    p = weights_for(make_sequence("abcd"))
    with pytest.raises(ValueError, match="Wax expects inputs of size n_x = 4, but the sequence has n_x = 3"):
        compute_trace(p, make_sequence("abcab"))
    p["Wax"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match="Wya gives outputs of size n_y = 4, but the task needs n_y = 3"):
        compute_trace(p, make_sequence("abcab"))
    assert check_params(weights_for(make_sequence("abc"), n_a=6)) == (3, 6, 3)


@pytest.mark.parametrize("kwargs,message", [
    (dict(activation="sigmoid"), "unknown activation 'sigmoid'; choose one of tanh, relu"),
    (dict(loss="hinge"), "unknown loss 'hinge'"),
    (dict(architecture="many-to-few"), "unknown architecture 'many-to-few'"),
    (dict(a0=np.zeros((3, 1))), r"a<0> has shape \(3, 1\), expected \(4, 1\)"),
])
def test_unknown_names_and_bad_a0(kwargs, message):
    seq = make_sequence("abcab")
    with pytest.raises(ValueError, match=message):
        compute_trace(weights_for(seq), seq, **kwargs)


def test_losses_that_do_not_fit_the_data():
    nums = make_sequence("0 1 0.5 2")
    p = weights_for(nums)
    with pytest.raises(ValueError, match="cross-entropy needs characters"):
        compute_trace(p, nums, loss="cross_entropy")
    with pytest.raises(ValueError, match="between 0 and 1; this series has 2"):
        compute_trace(p, nums, loss="bce")
    with pytest.raises(ValueError, match="between 0 and 1; this series has -0.5"):
        compute_trace(p, make_sequence("1 -0.5 1"), loss="bce")
    # defaults: cross-entropy for text, MSE for numbers; BCE accepts 0/1 series
    assert compute_trace(p, nums).loss_name == "mse"
    assert compute_trace(p, make_sequence("0 1 1 0"), loss="bce").finite
    text = make_sequence("abcab")
    assert compute_trace(weights_for(text), text).loss_name == "cross_entropy"
    assert compute_trace(weights_for(text), text, loss="mse").finite   # one-hot targets, MSE: allowed


def test_rho_and_sigma_max_are_remembered_per_weights_never_across_different_ones():
    from rnnviz.core import norms as P

    rng = np.random.default_rng(7)
    W = rng.standard_normal((30, 30))
    calls = []
    real = np.linalg.eigvals
    try:
        np.linalg.eigvals = lambda M: calls.append(1) or real(M)
        first = P.spectral_radius(W)
        again = P.spectral_radius(W.copy())                      # the same numbers: remembered
        W2 = W.copy()
        W2[3, 4] += 1e-12                                        # one entry differs in its last bits
        other = P.spectral_radius(W2)
    finally:
        np.linalg.eigvals = real
    assert first == again == float(np.max(np.abs(real(W))))
    assert other == float(np.max(np.abs(real(W2)))) and len(calls) == 2
    assert P.sigma_max(W) == pytest.approx(np.linalg.norm(W, 2), rel=1e-15)
    assert P.sigma_max(W.T) == pytest.approx(np.linalg.norm(W, 2), rel=1e-14)   # W.T: its own entry, same value
    assert P.spectral_radius(W.astype(np.float32)) == pytest.approx(first, rel=1e-5)
    for _ in range(P._NORMS_KEPT + 10):                          # bounded
        P.sigma_max(rng.standard_normal((3, 3)))
    assert len(P._NORMS) <= P._NORMS_KEPT
