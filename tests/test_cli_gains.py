"""The CLI computes everything before it writes: a model the window would show before its local gains
(a background trace) is exported, and lesson slides are written, with every gain in, as before."""
from __future__ import annotations

import csv
import re

import numpy as np

from rnnviz.core.settings import ASYNC_COST, Config, estimated_cost, run_config
from rnnviz.core import diagnostics as D
from tests.test_cli import run

TEXT = "a long enough text for a background computation in the window"


def test_an_export_the_window_would_compute_in_two_jobs_has_every_gain(tmp_path):
    config = Config(source=TEXT, hidden=96, seed=2)
    assert estimated_cost(config) > ASYNC_COST                   # the window shows its trace before its gains
    out = tmp_path / "o"
    r = run("export", "--out", out, "--text", TEXT, "--hidden", 96, "--seed", 2, "--gif-frames", 4, home=tmp_path)
    assert r.returncode == 0, r.stderr
    with open(out / "gradients.csv", encoding="utf-8", newline="") as f:
        rows = [row for row in csv.reader(f) if row and not row[0].startswith("#")]
    col = rows[0].index("||da<t>/da<t-1>||_2")
    gains = np.array([float(row[col]) for row in rows[1:]])
    full = run_config(config)
    assert full.gains_ready and np.all(np.isfinite(gains))
    assert np.allclose(gains, D.step_gain(full), rtol=1e-9)
    for f in out.iterdir():
        if f.suffix in (".svg", ".csv", ".txt"):
            assert "computing local gains" not in f.read_text(encoding="utf-8"), f.name


def test_lesson_slides_quote_the_measured_gain(tmp_path):
    out = tmp_path / "slides"
    r = run("lesson", "vanishing", "--out", out, home=tmp_path)
    assert r.returncode == 0, r.stderr
    text = (out / "slides.txt").read_text(encoding="utf-8")
    assert "computing local gains" not in text
    assert "the measured gain ‖∂a⟨t⟩/∂a⟨t−1⟩‖₂ at step" in text
    assert re.search(r"the measured gain ‖∂a⟨t⟩/∂a⟨t−1⟩‖₂ at step \d+ is \d+\.\d+", text)
