"""The seeded monkey (tests/app/monkey.py) in the whole window, for a bounded time: random keys,
clicks, pastes of hostile text, extreme spin-box values, tab switches, resizes, F11, M / G, menu
actions with every dialog answered, hostile sessions and weights, models switched through them, quits
and restarts. It fails on any exception, Qt warning or RuntimeWarning, an event-loop gap over
monkey.MAX_GAP_S and memory growth over monkey.MAX_RSS_GROWTH_MB; the failure names the seed and
the actions. Bounded for CI: ACTIONS actions or SECONDS of wall time, whichever ends first (on a loaded
machine fewer actions are done, never a longer run). RNNVIZ_MONKEY_SEED / RNNVIZ_MONKEY_ACTIONS /
RNNVIZ_MONKEY_SECONDS replay another run or a longer one (soak over many seeds: python -m tests.app.monkey).

It runs in a process of its own, as a user's rnnviz runs: in the suite's process the windows earlier
tests leave behind (closed, not deleted) all receive F11's new font (3-4 s instead of 0.2-0.4 s), and
deleting them under pytest-qt crashed; a crash of the window is then this test's failure, not the suite's.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SEED = int(os.environ.get("RNNVIZ_MONKEY_SEED", "20240613"))
ACTIONS = int(os.environ.get("RNNVIZ_MONKEY_ACTIONS", "1500"))
SECONDS = float(os.environ.get("RNNVIZ_MONKEY_SECONDS", "40"))
ROOT = Path(__file__).resolve().parents[2]


def test_the_monkey_finds_nothing(tmp_path, capsys):
    env = dict(os.environ, RNNVIZ_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen",
               PYTHONFAULTHANDLER="1")
    cmd = [sys.executable, "-m", "tests.app.monkey", "--seeds", str(SEED), "--actions", str(ACTIONS),
           "--seconds", str(SECONDS)]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS + 600)
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith(f"seed {SEED}:")]
    with capsys.disabled():
        print("\n" + (lines[0] if lines else f"monkey seed {SEED}: no result line"))
    notices = "\n".join(ln for ln in run.stderr.splitlines() if "does not support" not in ln)
    assert run.returncode == 0, f"the monkey failed (exit {run.returncode}):\n{run.stdout[-6000:]}\n{notices[-4000:]}"
    assert lines and " actions in " in lines[0]
    assert int(lines[0].split(": ", 1)[1].split(" actions")[0]) >= min(ACTIONS, 50)    # it did run
