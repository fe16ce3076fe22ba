"""BPTT views: cursor following the backward pass, plotted data = trace norms, verdicts, clipping,
overflow, influence cap and compare mode, driven through the controls as a user would."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from rnnviz.app.panels.bptt_controls import BPTTControls
from rnnviz.app.state import BACKWARD, AppState, Config
from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.app.views.compare_view import CompareView
from rnnviz.app.views.gradient_view import GradientView
from rnnviz.app.views.influence_view import InfluenceView
from rnnviz.core import diagnostics as D

TEXT = "the quick brown fox jumps over the lazy dog and runs away"  # 56 steps


def make(qtbot, **cfg):
    st = AppState(Config(source=TEXT, **cfg))
    st.async_threshold = float("inf")
    st.set_config(st.config)
    views = {"grad": GradientView(st), "infl": InfluenceView(st), "cmp": CompareView(st),
             "panel": BPTTPanel(st), "ctl": BPTTControls(st)}
    for w in views.values():
        qtbot.addWidget(w)
        w.resize(900, 500)
    return st, views


def curve_y(curve):
    return curve.yData          # the data given, before the log axis transforms it


def test_backward_phase_moves_every_cursor(qtbot):
    st, v = make(qtbot)
    st.set_compare(Config(source=TEXT, radius=1.2))
    st.step_to(st.T - 1)
    st.step_forward()                      # into the backward pass, at step T
    assert st.phase == BACKWARD
    seen = []
    while True:
        t1 = st.t + 1
        assert v["grad"].cursor_step() == t1
        assert v["infl"].cursor_step() == t1
        assert v["cmp"].cursor_step() == t1
        assert f"Backward pass at step {t1}" in v["panel"].text
        seen.append(t1)
        if st.position == st.n_positions - 1:
            break
        st.step_forward()
    assert seen == list(range(st.T, 0, -1))


def test_gradient_curves_are_the_trace_norms(qtbot):
    st, v = make(qtbot, radius=1.0)
    tr, c = st.trace, v["grad"].curves
    np.testing.assert_allclose(curve_y(c["da"]), tr.da_norm)
    np.testing.assert_allclose(curve_y(c["da_last"]), tr.da_last_norm)
    np.testing.assert_allclose(curve_y(c["envelope"]), tr.pascanu_bound() * tr.da_last_norm[-1])
    np.testing.assert_allclose(curve_y(c["gain"]), np.max(tr.local_gain, axis=0))
    np.testing.assert_array_equal(c["da"].xData, np.arange(1, tr.T + 1))
    names = " ".join(lab.text for _s, lab in v["grad"].legend.items)
    assert f"{tr.rho:.3g}" in names and f"{tr.gamma * tr.sigma_max:.3g}" in names


def test_clicking_the_gradient_plot_moves_the_cursor(qtbot):
    st, v = make(qtbot)
    g = v["grad"]
    g.show()
    qtbot.waitExposed(g)
    scene = g.plot.vb.mapViewToScene(QPointF(10, g.plot.vb.viewRect().center().y()))
    view_pos = g.canvas.mapFromScene(scene)
    qtbot.mouseClick(g.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert st.t == 9


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_small_radius_vanishes(qtbot, activation):
    st, v = make(qtbot, radius=0.5, activation=activation)
    assert "vanishing" in v["panel"].text and "vanishing" in v["grad"].verdict_label.text()


def test_radius_slider_from_half_to_two_flips_the_verdict(qtbot):
    # ReLU does not saturate, so radius 2 explodes robustly (tanh may saturate and stay stable)
    st, v = make(qtbot, radius=0.5, activation="relu")
    assert "vanishing" in v["panel"].text
    st.update_config(radius=2.0)
    said = v["panel"].text.split("Rule:")[0]           # the rule itself names both kinds
    assert "exploding" in said and "vanishing" not in said
    assert "exploding" in v["grad"].verdict_label.text()


def test_norm_clipping_caps_at_theta(qtbot):
    st, v = make(qtbot, radius=1.5)
    ctl = v["ctl"]
    ctl.clip_mode.setCurrentIndex(ctl.clip_mode.findData("norm"))
    ctl.threshold.clear()
    qtbot.keyClicks(ctl.threshold, "0.5")
    qtbot.keyClick(ctl.threshold, Qt.Key.Key_Return)
    assert st.clip.mode == "norm" and st.clip.threshold == 0.5
    assert st.clip.norm_before > 0.5
    assert st.clip.norm_after == pytest.approx(0.5)
    text = v["panel"].text
    assert "θ = 0.5" in text and f"{st.clip.norm_before:.4g} → 0.5" in text
    assert "0.5" in v["grad"].verdict_label.text()


def test_elementwise_clipping_caps_every_entry(qtbot):
    st, v = make(qtbot, radius=1.5)
    ctl = v["ctl"]
    ctl.threshold.setValue(0.01)
    ctl.clip_mode.setCurrentIndex(ctl.clip_mode.findData("value"))
    assert st.clip.mode == "value"
    assert all(np.max(np.abs(g)) <= 0.01 for g in st.clip.grads.values())
    assert "±c = 0.01" in v["panel"].text and "→ 0.01" in v["panel"].text


def test_overflow_is_a_message_not_a_crash(qtbot):
    st, v = make(qtbot, radius=1.0, activation="relu")
    st.update_config(source=TEXT * 8, radius=60.0)
    assert not st.trace.finite
    bad = D.verdict(st.trace).nonfinite_step
    assert bad is not None
    assert f"overflow (inf/NaN) at step {bad}" in v["panel"].text
    g = v["grad"]
    assert g.bad_lines[0].isVisible() and g.bad_lines[0].value() == bad
    assert f"step {bad}" in g.bad_lines[0].label.toPlainText()
    st.step_to(st.T - 1, BACKWARD)
    st.go_end()
    for w in v.values():
        w.grab()        # renders without raising


def test_influence_map_and_its_size_cap(qtbot):
    st, v = make(qtbot)
    iv = v["infl"]
    assert iv.message.isHidden()
    np.testing.assert_allclose(iv.log_infl[np.tril_indices(st.T)],
                               np.log10(st.trace.influence[np.tril_indices(st.T)]))
    assert iv.image.image.shape == (st.T, st.T)
    rng = np.random.default_rng(0)
    numbers = " ".join(f"{x:.2f}" for x in rng.normal(size=5000))
    st.update_config(source=numbers, kind="numbers", hidden=64)
    assert st.trace.T > 4000 and st.trace.influence is None
    assert not iv.message.isHidden()
    assert st.trace.influence_message in iv.message.text()
    assert not iv.image.isVisible()


def test_compare_mode_two_curves_on_one_axis(qtbot):
    st, v = make(qtbot, radius=0.8)
    cmp, ctl = v["cmp"], v["ctl"]
    assert not cmp.comparing and cmp.empty_text.isVisible()
    ctl.cmp_radius.setValue(1.2)
    ctl.compare.setChecked(True)
    assert st.compare_trace is not None and cmp.comparing
    assert cmp.labels == ["ρ=0.8 tanh", "ρ=1.2 tanh"]
    a, b = cmp.curves[(0, "da")], cmp.curves[(1, "da")]
    assert a.getViewBox() is b.getViewBox() is cmp.plot.vb
    np.testing.assert_allclose(curve_y(a), st.trace.da_norm)
    np.testing.assert_allclose(curve_y(b), st.compare_trace.da_norm)
    legend = " ".join(lab.text for _s, lab in cmp.legend.items)
    assert "ρ=0.8 tanh" in legend and "ρ=1.2 tanh" in legend
    ctl.compare.setChecked(False)
    assert st.compare_trace is None and not cmp.comparing and cmp.empty_text.isVisible()


def test_flow_choice_changes_what_is_gathered(qtbot):
    st, v = make(qtbot)
    st.step_to(0, BACKWARD)
    total = v["panel"].norms["Waa"]
    ctl = v["ctl"]
    ctl.flow.setCurrentIndex(ctl.flow.findData("last"))
    assert st.config.flow == "last"
    last = v["panel"].norms["Waa"]
    assert last != pytest.approx(total)
    np.testing.assert_allclose(v["panel"].shown["Waa"], D.PartialGrads(st.trace, "last").at(0)["Waa"])


def test_compare_controls_show_what_the_state_compares(qtbot):
    from rnnviz.app.panels.bptt_controls import BPTTControls
    from rnnviz.app.state import AppState, Config

    st = AppState(Config(source="hello world", hidden=8))
    st.async_threshold = float("inf")
    st.set_config(st.config)
    controls = BPTTControls(st)
    qtbot.addWidget(controls)
    st.set_compare(Config(source="hello world", hidden=8, radius=1.7, activation="relu"))
    assert controls.compare.isChecked()
    assert controls.cmp_radius.value() == pytest.approx(1.7)
    assert controls.cmp_activation.currentData() == "relu"
    st.set_compare(None)
    assert not controls.compare.isChecked() and not controls.cmp_radius.isEnabled()
