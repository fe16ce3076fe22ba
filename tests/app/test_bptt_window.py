"""The BPTT views inside the real window: the model panel's radius spin box flips the verdict."""
from rnnviz.app.main_window import build_window

TEXT = "the quick brown fox jumps over the lazy dog and runs away"


def test_radius_spin_box_flips_the_verdict_in_the_window(qtbot):
    window = build_window(TEXT)
    qtbot.addWidget(window)
    st = window.state
    st.update_config(activation="relu", radius=0.5)
    grad = next(w for w in window.figure_views() if getattr(w, "figure_name", "") == "gradients")
    qtbot.waitUntil(lambda: "vanishing" in grad.verdict_label.text())
    spin = window.model_panel.radius_spin
    spin.setValue(2.0)                               # what typing 2 and pressing Enter does
    qtbot.waitUntil(lambda: st.config.radius == 2.0, timeout=5000)
    st.wait_idle()
    qtbot.waitUntil(lambda: "exploding" in grad.verdict_label.text(), timeout=5000)
    assert "vanishing" not in grad.verdict_label.text()
