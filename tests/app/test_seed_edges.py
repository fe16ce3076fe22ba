"""The seed at its edges (issue 13, item 19): one range (0 .. 2^31 - 1) for the spin box, the
settings check, sessions and the CLI; "New random weights" wraps at the top; the model panel never
stays with its signals blocked."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.app.config import MAX_SEED, Config, check_config
from rnnviz.app.main_window import build_window
from rnnviz.io.session import Session, save_session


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w = build_window("hello world")
    qtbot.addWidget(w)
    w.state.async_threshold = float("inf")
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: errors.append(a[2])))
    w.errors = errors
    return w


def _panel_widgets(p):
    return (p.hidden, p.activation, p.loss, p.architecture, p.radius_slider, p.radius_spin, p.seed)


def _enter(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_new_random_weights_at_the_largest_seed_wraps_to_0_and_the_panel_keeps_working(window, qtbot):
    p = window.model_panel
    _enter(qtbot, p.seed, str(MAX_SEED))
    assert window.state.config.seed == MAX_SEED == p.seed.value()
    before = window.state.trace.params["Waa"]
    qtbot.mouseClick(p.new_weights, Qt.MouseButton.LeftButton)  # set 2^31: OverflowError in _sync before
    assert window.state.config.seed == 0 == p.seed.value() and not window.state.input_error
    assert (window.state.trace.params["Waa"] != before).any()
    assert not any(w.signalsBlocked() for w in _panel_widgets(p))
    _enter(qtbot, p.hidden, "5")  # the panel still drives the model
    assert window.state.trace.n_a == 5


def test_the_spin_box_range_is_the_settings_range(window):
    assert window.model_panel.seed.maximum() == MAX_SEED
    check_config(Config(seed=MAX_SEED))
    with pytest.raises(ValueError, match="from 0 to 2147483647"):
        check_config(Config(seed=MAX_SEED + 1))


@pytest.mark.parametrize("seed", [2**31, 2**64])
def test_a_session_with_a_seed_beyond_the_range_is_refused_and_the_panel_works(window, qtbot, tmp_path,
                                                                               monkeypatch, seed):
    f = tmp_path / "s.rnnviz"
    save_session(f, Session(dict(Config(source="abcabc").to_dict(), seed=seed)))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(f), ""))
    before = window.state.trace
    window.file_actions.actions["open"].trigger()
    assert window.errors and f"not {seed}" in window.errors[-1]
    assert window.state.trace is before and window.state.config.seed == 0
    _enter(qtbot, window.model_panel.hidden, "6")
    assert window.state.trace.n_a == 6


def test_state_sync_of_an_out_of_range_config_leaves_the_panel_usable(window, qtbot):
    """A state test: an invalid config (seed 2^31, hidden 0, radius NaN) is shown clamped, with its message."""
    p = window.model_panel
    window.state.update_config(seed=2**31, hidden=0, radius=float("nan"))
    assert window.state.input_error
    assert p.seed.value() == MAX_SEED and p.hidden.value() == 1 and p.radius_spin.value() == 0.0
    assert not any(w.signalsBlocked() for w in _panel_widgets(p))


def test_an_exception_while_syncing_never_leaves_signals_blocked(window, qtbot):
    p = window.model_panel

    def broken(*a):
        raise RuntimeError("a widget refused the value")

    p.architecture.setCurrentIndex = broken
    with qtbot.capture_exceptions() as raised:
        window.state.update_config(activation="relu")
    assert raised and "refused" in str(raised[0][1])
    assert not any(w.signalsBlocked() for w in _panel_widgets(p))
    del p.architecture.setCurrentIndex
    _enter(qtbot, p.hidden, "3")
    assert window.state.trace.n_a == 3
