"""The window's File > Export all figures and `rnnviz export` write the same CSV for the same figure
(one table function per figure, rnnviz/io/tables.py): same columns, same bytes."""
from __future__ import annotations

import csv

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.test_cli import run

SHARED = ("graph", "hidden_states", "outputs", "losses", "gradients", "influence")


@pytest.mark.parametrize("source, kind", [("hello world", "text"), ("0 0.5 1 0.5 0 -0.5 -1 -0.5 0", "numbers")])
def test_window_and_cli_write_identical_csvs(qtbot, tmp_path, monkeypatch, source, kind):
    from rnnviz.app.main_window import build_window

    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    w = build_window(source)
    qtbot.addWidget(w)
    w.state.wait_idle()
    c = w.state.config
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "window"))
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: pytest.fail(a[2]))
    w.file_actions.actions["export_all"].trigger()

    r = run("export", "--out", tmp_path / "cli", f"--{kind}", source, "--hidden", c.hidden, "--seed", c.seed,
            "--radius", repr(c.radius), "--activation", c.activation)
    assert r.returncode == 0, r.stderr
    window_csvs = {p.stem for p in (tmp_path / "window").glob("*.csv")}
    assert set(SHARED) <= window_csvs
    for name in SHARED:
        a = (tmp_path / "window" / f"{name}.csv").read_bytes()
        b = (tmp_path / "cli" / f"{name}.csv").read_bytes()
        assert a == b, name
    with open(tmp_path / "cli" / "losses.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == ["step", "x<t>", "y<t>", "scored", "L<t>", "L<1>+...+L<t>"]
