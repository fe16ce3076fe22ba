"""The verdict in words and the numbers behind the BPTT views (no Qt)."""
import math

import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence
from rnnviz.core import diagnostics as D
from rnnviz.core.clipping import clip_gradients

TEXT = "the quick brown fox jumps over the lazy dog and runs away"  # 56 steps


def trace(radius, activation="tanh", text=TEXT, n_a=16, influence=True):
    seq = make_sequence(text)
    p = init_params(seq.n_x, n_a, seq.n_y, seed=0, radius=radius)
    return compute_trace(p, seq, activation, influence=influence)


def test_pow10_and_ratio_text():
    assert D.pow10_text(1.5e-9) == "10⁻⁹"
    assert D.pow10_text(1e12) == "10¹²"
    assert D.ratio_text(0.31) == "×0.31"
    assert D.ratio_text(24.0) == "×24"
    assert D.ratio_text(2e15) == "×10¹⁵"


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_small_radius_vanishes_with_pascanu_reason(activation):
    v = D.verdict(trace(0.5, activation))
    assert v.kind == "vanishing"
    assert v.ratio < D.VANISH_RATIO
    assert v.headline.startswith("vanishing: the gradient from step 56 is 10⁻")
    assert "< 1" in v.reason and "σ_max" in v.reason


def test_relu_large_radius_explodes():
    v = D.verdict(trace(2.0, "relu"))
    assert v.kind == "exploding" and v.ratio > D.EXPLODE_RATIO
    assert "over" in v.headline and "ReLU" in v.reason and "ρ(Waa) = 2.00 > 1" in v.reason


def test_saturated_tanh_names_saturation():
    tr = trace(50.0, "tanh")
    assert D.saturation_fraction(tr) > 0.5
    v = D.verdict(tr)
    assert v.kind == "vanishing" and "tanh saturation" in v.reason


def test_overflow_is_a_verdict_with_the_step():
    tr = trace(1e4, "relu", text=TEXT * 4)
    assert not tr.finite
    v = D.verdict(tr)
    assert v.kind == "exploding" and v.nonfinite_step is not None
    assert f"step {v.nonfinite_step}" in v.headline and "inf/NaN" in v.text


def test_ratio_uses_influence_and_agrees_with_last_step_gradient():
    tr = trace(0.9)
    r, ts = D.reach_ratio(tr)
    assert ts == tr.T - 1
    assert math.isclose(r, tr.da_last_norm[0] / tr.da_last_norm[-1], rel_tol=1e-9)
    # without the influence map the verdict falls back to dL<T>/da<t>
    tr2 = trace(0.9, influence=False)
    assert math.isclose(D.reach_ratio(tr2)[0], r, rel_tol=1e-9)


def test_single_step_is_stable():
    v = D.verdict(trace(3.0, text="ab"))
    assert v.kind == "stable"


def test_envelope_bounds_the_last_step_gradient():
    tr = trace(1.2)
    env = D.envelope(tr)
    assert env[-1] == pytest.approx(tr.da_last_norm[-1])
    assert np.all(tr.da_last_norm <= env * (1 + 1e-9))
    c = D.gradient_curves(tr)
    np.testing.assert_array_equal(c["da"], tr.da_norm)
    np.testing.assert_array_equal(c["gain"], tr.local_gain[0])


@pytest.mark.parametrize("flow", ["total", "last"])
def test_partial_grads_accumulate_to_the_full_gradient(flow):
    tr = trace(0.9)
    acc = D.PartialGrads(tr, flow)
    assert all(np.all(v == 0) for v in acc.at(tr.T).values())
    for t in range(tr.T - 1, -1, -1):        # the pulse going back, one step at a time
        got = acc.at(t)
    if flow == "total":
        for k in ("Wax", "Waa", "ba"):
            np.testing.assert_allclose(got[k], tr.grads[k], atol=1e-10)
    for t in (30, 31, 33, 5, 50):            # scrubbing both ways and jumping
        got = {k: v.copy() for k, v in acc.at(t).items()}
        ref = D.PartialGrads(tr, flow)._full(t)
        for k in got:
            np.testing.assert_allclose(got[k], ref[k], atol=1e-10)
        if flow == "total":
            np.testing.assert_allclose(got["Waa"], tr.partial_grads(t)["Waa"], atol=1e-10)


def test_clip_summary_reports_caps():
    tr = trace(2.0, "relu")
    s = D.clip_summary(tr.grads, clip_gradients(tr.grads, "norm", 1.0))
    assert s["norm_before"] > 1.0 and s["norm_after"] == pytest.approx(1.0)
    s = D.clip_summary(tr.grads, clip_gradients(tr.grads, "value", 0.5))
    assert s["max_before"] > 0.5 and s["max_after"] <= 0.5


def test_influence_log10_blank_above_diagonal():
    tr = trace(0.9, text="hello world")
    L = D.influence_log10(tr)
    assert np.all(np.isnan(L[np.triu_indices(tr.T, 1)]))
    assert np.all(np.isfinite(np.diag(L)))


def test_a_radius_of_exactly_one_blames_the_activation_not_the_radius():
    from rnnviz.core import init_params, make_sequence

    seq = make_sequence("the quick brown fox jumps over the lazy dog")
    p = init_params(seq.n_x, 16, seq.n_y, seed=0, radius=1.0)
    v = D.verdict(compute_trace(p, seq, influence=True))
    assert v.kind == "vanishing"
    assert not any("< 1/γ" in r for r in v.reasons)      # ρ = 1.00 < 1/γ read as a contradiction
    assert any("g′(z) averages" in r for r in v.reasons)


def test_huge_but_finite_gradients_have_finite_sizes():
    """ReLU with a large radius: gradients near 1e300 are finite, so are their norms."""
    from rnnviz.core import number_sequence

    seq = number_sequence(" ".join(["1"] * 300))
    p = init_params(1, 16, 1, seed=0, radius=3.0)
    tr = compute_trace(p, seq, "relu", "mse", gains=False)
    big = np.isfinite(tr.dz).all(axis=(0, 1)) & (np.abs(tr.dz).max(axis=(0, 1)) > 1e160)
    assert big.any()                                      # the case: entries whose squares overflow
    contrib = tr.step_contributions()
    for name in ("Wax", "Waa", "ba"):
        assert np.isfinite(contrib[name][big]).all(), name
    assert math.isfinite(D.frobenius(tr.dz[:, :, big]))


def test_one_rule_with_measured_numbers():
    """#13 item 3: 'hello world', ReLU, ρ = 2.5 grows ×451 (1.17 -> 528) and is exploding, with the measured
    growth per step (×1.97), not a model estimate; ×10⁻³ and ×10⁻⁴ over a long text are both vanishing."""
    from rnnviz.core.settings import Config, run_config

    tr = run_config(Config(activation="relu", radius=2.5))
    v = D.verdict(tr)
    measured = tr.da_last_norm[0] / tr.da_last_norm[-1]
    assert v.kind == "exploding" and v.ratio == pytest.approx(measured, rel=1e-9)
    assert v.per_step == pytest.approx(measured ** (1 / (tr.T - 1)), rel=1e-9)
    assert "×451" in v.headline and f"×{v.per_step:.3g} per step" in v.headline and "×1.97" in v.headline
    assert "1.20" not in v.text                              # the old model estimate ρ·mean(g')
    assert v.rule in v.text and "1%" in v.rule and "×100" in v.rule
    long = "the quick brown fox jumps over the lazy dog and then it runs far away"
    for radius in (0.9, 1.2):
        assert D.verdict(run_config(Config(source=long, radius=radius))).kind == "vanishing"
    # the boundary is the stated one, whatever the length
    for r, kind in ((0.0099, "vanishing"), (0.011, "stable"), (99.0, "stable"), (101.0, "exploding")):
        assert (r < D.VANISH_RATIO and kind == "vanishing") or (r > D.EXPLODE_RATIO and kind == "exploding") \
            or (D.VANISH_RATIO <= r <= D.EXPLODE_RATIO and kind == "stable")


@pytest.mark.parametrize("cell, gate", [("lstm", "Γf"), ("gru", "keep gates")])
def test_gated_cells_give_their_own_reasons(cell, gate):
    from rnnviz.core.gradients import gate_product
    from rnnviz.core.settings import Config, run_config

    tr = run_config(Config(cell=cell, source=TEXT, forget_bias=3.0))
    v = D.verdict(tr)
    assert gate in v.reason and "σ_max" not in v.reason and "Waa" not in v.reason
    prod = gate_product(tr)
    g = tr.top.quantity("f" if cell == "lstm" else "z")
    want = np.max(np.prod(g[1:tr.T], axis=0))            # the direct path from step 1 to T, best unit
    assert prod[0] == pytest.approx(want, rel=1e-12) and prod[-1] == 1.0


def test_reach_comparison_says_which_setting_keeps_more_and_by_how_much():
    from rnnviz.core.settings import Config, run_config

    text = "the quick brown fox jumps over the lazy dog and runs far away"
    va = D.verdict(run_config(Config(source=text)))
    vl = D.verdict(run_config(Config(source=text, cell="lstm")))
    s = D.reach_comparison("vanilla RNN", va, "LSTM", vl)
    factor = vl.ratio / va.ratio
    assert factor > 1e6
    assert s.startswith("At step 1, vanilla RNN keeps ") and "of the gradient from step 60" in s
    assert s.endswith(f"LSTM keeps {D._sci_text(factor)} times more.")
    assert D.reach_comparison("A", va, "B", va).endswith("about the same.")
    broken = D.Verdict("exploding", "", (), float("inf"), 60, 3, float("nan"))
    assert D.reach_comparison("A", va, "B", broken) == ""


@pytest.mark.parametrize("x, text", [(0.31, "0.31"), (24.0, "24"), (2.04e-18, "2·10⁻¹⁸"), (3e10, "3·10¹⁰"),
                                     (9.7e-8, "10⁻⁷"), (1e-5, "10⁻⁵")])
def test_sci_text_one_significant_digit(x, text):
    assert D._sci_text(x) == text


def test_reach_comparison_of_reaches_whose_ratio_overflows_a_float():
    """10^200 kept against 10^-200: the ratio 10^400 is past floats; the sentence (the monkey's seeds
    9 and 12 raised OverflowError in the Compare tab) says it in powers of ten."""
    huge = D.Verdict("exploding", "", (), 1e200, 60, None, 2.0)
    tiny = D.Verdict("vanishing", "", (), 1e-200, 60, None, 0.5)
    s = D.reach_comparison("ReLU", huge, "tanh", tiny)
    assert s == "At step 1, ReLU keeps 10²⁰⁰ of the gradient from step 60 and tanh 10⁻²⁰⁰: ReLU keeps 10⁴⁰⁰ times more."


@pytest.mark.parametrize("x, text", [(float("inf"), "∞"), (float("nan"), "NaN"), (0.0, "0"), (-3e-9, "−3·10⁻⁹")])
def test_sci_text_of_what_is_not_a_positive_number(x, text):
    assert D._sci_text(x) == text
