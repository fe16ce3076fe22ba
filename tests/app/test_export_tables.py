"""The window's File > Export all figures and `rnnviz export` write the same CSV for the same figure
(one table function per figure, rnnviz/io/tables.py): same columns, same rows, the same text, and
the same numbers to the last digit or two: once a training run has compiled the kernels
(rnnviz/core/kernels) the window's cells compute with them, which sum in another order than NumPy
(agreeing to 1e-12, tests/core/test_kernels.py); the command line runs NumPy.)"""
from __future__ import annotations

import csv

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.test_cli import run

def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def assert_same_table(a: bytes, b: bytes, name: str) -> None:
    rows_a = list(csv.reader(a.decode("utf-8").splitlines()))
    rows_b = list(csv.reader(b.decode("utf-8").splitlines()))
    assert len(rows_a) == len(rows_b) and rows_a[0] == rows_b[0], name       # the same rows and columns
    for i, (ra, rb) in enumerate(zip(rows_a, rows_b)):
        assert len(ra) == len(rb), (name, i)
        for x, y in zip(ra, rb):
            fx, fy = _number(x), _number(y)
            if fx is None or fy is None or x == y:
                assert x == y, (name, i, x, y)
            else:
                assert fx == pytest.approx(fy, rel=1e-12, abs=1e-300) or (fx != fx and fy != fy), (name, i, x, y)


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
        assert_same_table(a, b, name)
    with open(tmp_path / "cli" / "losses.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == ["step", "x<t>", "y<t>", "scored", "L<t>", "L<1>+...+L<t>"]
