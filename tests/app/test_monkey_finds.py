"""Regression tests for what the seeded monkey (tests/app/test_monkey.py) found, each driven as the
user did it: through the File menu (its dialogs answered), keys and clicks."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.core.settings import Config
from rnnviz.io.session import Session, save_session
from tests.app.drive import open_window, press


@pytest.fixture
def window(qtbot, monkeypatch):
    w = open_window(qtbot, (1280, 720))
    w.errors = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: w.errors.append(a[2])))
    return w


def open_through_menu(monkeypatch, w, path: Path) -> None:
    """File > Open session…, the dialog answered with `path`."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    w.file_actions.actions["open"].trigger()


def session(tmp_path: Path, name: str, **settings) -> Path:
    p = tmp_path / f"{name}.rnnviz"
    save_session(p, Session(settings=Config(source="hello world", **settings).to_dict()))
    return p


@pytest.mark.parametrize("model", [dict(cell="gru"), dict(cell="lstm", layers=2, bidirectional=True),
                                   dict(cell="gru", architecture="encoder-decoder", target="dlrow")])
def test_the_bptt_panel_sums_the_weights_of_a_gru_or_lstm_opened_from_a_session(qtbot, window, monkeypatch,
                                                                                 tmp_path, model):
    """Opening a GRU session raised KeyError 'Wax' in the BPTT panel (it knew only the notes' names)."""
    open_through_menu(monkeypatch, window, session(tmp_path, "m", **model))
    assert window.errors == [] and window.state.trace.spec.cell == model["cell"]
    press(qtbot, window, "End", "Right", "Right")       # into the backward pass
    panel = window.findChild(BPTTPanel)
    prefix = "decoder." if "target" in model else ""
    for name in ("weight_ih_l", "weight_hh_l", "bias_ih_l"):
        assert f"∂L/∂{prefix}{name}" in panel.text
    assert "Wax" not in panel.text.split("The final gradient")[0]
