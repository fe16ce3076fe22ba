"""The Train panel after the user changes the model or the typed sequence under trained runs: the
next ▶ Train / +1 / +N trains what the window shows (new runs, the panel says so), and never puts the
old network or the old text back on screen over the user's choice."""
from __future__ import annotations

from .drive import choose, type_number, type_sequence
from .test_train_panel import click, train_window, wait_idle


def train_some(qtbot, t, n="20"):
    panel = t["panel"]
    t["dock"].raise_()
    type_number(qtbot, panel.steps, n)
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)


def test_a_new_hidden_size_after_training_is_what_the_next_updates_train(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    train_some(qtbot, t)
    assert ctl.updates == 20 and ctl.main.spec.n_a == 16
    w.input_dock.raise_()
    click(qtbot, w.model_panel.new_weights)               # frees the model's widgets
    type_number(qtbot, w.model_panel.hidden, "12")
    qtbot.waitUntil(lambda: st.trace.spec.n_a == 12, timeout=5000)
    assert "model changed" in panel.message.text() and "new runs" in panel.message.text()
    train_some(qtbot, t)
    # the 12-unit network trained, and it is what every view shows: the box says 12, not 16 again
    assert ctl.main.spec.n_a == 12 and ctl.updates == 20
    assert st.config.hidden == 12 and st.trace.spec.n_a == 12 and w.model_panel.hidden.value() == 12
    assert "20 updates are dropped" in panel.message.text()


def test_a_new_activation_after_training_is_trained_not_only_drawn(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    train_some(qtbot, t)
    w.input_dock.raise_()
    choose(qtbot, w.model_panel.activation, "relu")       # never locked by the trained weights
    qtbot.waitUntil(lambda: st.trace.spec.activation == "relu", timeout=5000)
    assert "model changed" in panel.message.text()
    train_some(qtbot, t)
    assert ctl.main.spec.activation == "relu" and st.trace.spec.activation == "relu"


def test_a_new_text_after_training_is_trained_and_stays_in_the_box(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    train_some(qtbot, t)
    type_sequence(qtbot, w, "abcabc abc")                 # characters the trained weights never saw
    assert "typed sequence changed" in panel.message.text()
    train_some(qtbot, t)
    assert w.sequence_panel.edit.toPlainText() == "abcabc abc" and st.config.source == "abcabc abc"
    assert ctl.main.task.seq.source == "abcabc abc" and ctl.main.spec.n_x == 4
    assert st.trace.seq.source == "abcabc abc" and not st.input_error


def test_changing_the_model_while_training_pauses_and_the_change_stays(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    t["dock"].raise_()
    click(qtbot, panel.play_button)
    qtbot.waitUntil(lambda: ctl.updates >= 5, timeout=30000)
    w.input_dock.raise_()
    choose(qtbot, w.model_panel.activation, "relu")
    wait_idle(qtbot, t)
    assert "pauses" in panel.message.text()
    qtbot.wait(700)                                        # (the pushes came twice a second)
    assert st.config.activation == "relu" and st.trace.spec.activation == "relu"


def test_a_new_text_in_the_trained_characters_goes_on_training_the_same_run(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    train_some(qtbot, t)
    type_sequence(qtbot, w, "hello hello world")          # only characters the weights know
    assert "go on training on it" in panel.message.text()
    train_some(qtbot, t)
    assert ctl.updates == 40 and ctl.main.task.seq.source == "hello hello world"
    assert st.config.source == "hello hello world" and w.sequence_panel.edit.toPlainText() == "hello hello world"
    assert "history are kept" in panel.message.text()


def test_after_a_model_change_the_snapshot_slider_does_not_claim_to_show_the_old_weights(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    type_number(qtbot, panel.snapshot_every, "5")
    train_some(qtbot, t)
    assert panel.scrub.isEnabled() and len(ctl.main.snapshots) >= 4
    w.input_dock.raise_()
    choose(qtbot, w.model_panel.activation, "relu")
    qtbot.waitUntil(lambda: st.trace.spec.activation == "relu", timeout=5000)
    t["dock"].raise_()
    assert not panel.scrub.isEnabled() and "changed" in panel.scrub_label.text()
    panel.scrub.setValue(1)                                # (a disabled slider takes no drag; its value may move)
    assert st.trace.spec.activation == "relu" and "after update" not in panel.scrub_label.text()
    w.input_dock.raise_()
    choose(qtbot, w.model_panel.activation, "tanh")        # back to the trained network
    t["dock"].raise_()
    assert panel.scrub.isEnabled() and panel.message.text() == ""


def test_a_session_saved_after_a_model_change_says_so_when_opened(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    train_some(qtbot, t)
    w.input_dock.raise_()
    choose(qtbot, w.model_panel.activation, "relu")
    qtbot.waitUntil(lambda: st.trace.spec.activation == "relu", timeout=5000)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "s"), ""))
    w.file_actions.actions["save_as"].trigger()
    w2, t2 = train_window(qtbot)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "s.rnnviz"), ""))
    w2.file_actions.actions["open"].trigger()
    qtbot.waitUntil(lambda: w2.state.trace.spec.activation == "relu", timeout=5000)
    assert t2["controller"].updates == 20 and "model changed" in t2["panel"].message.text()
    train_some(qtbot, t2, "3")
    assert t2["controller"].main.spec.activation == "relu" and w2.state.config.activation == "relu"
