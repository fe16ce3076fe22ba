"""The seeded monkey (tests/app/monkey.py) in the whole window, for a bounded time: random keys,
clicks, pastes of hostile text, extreme spin-box values, tab switches, resizes, F11, M / G, menu
actions with every dialog answered, hostile sessions and weights, models switched through them, quits
and restarts. It fails on any exception, Qt warning or RuntimeWarning, an event-loop gap over
monkey.MAX_GAP_S and memory growth over monkey.MAX_RSS_GROWTH_MB; the failure names the seed and
the actions. Bounded for CI: ACTIONS actions or SECONDS of wall time, whichever ends first (on a loaded
machine fewer actions are done, never a longer run). RNNVIZ_MONKEY_SEED / RNNVIZ_MONKEY_ACTIONS /
RNNVIZ_MONKEY_SECONDS replay another run or a longer one (soak over many seeds: python -m tests.app.monkey).
"""
from __future__ import annotations

import os

import pytest

from tests.app.monkey import MonkeyFiles, run_monkey

SEED = int(os.environ.get("RNNVIZ_MONKEY_SEED", "20240613"))
ACTIONS = int(os.environ.get("RNNVIZ_MONKEY_ACTIONS", "1500"))
SECONDS = float(os.environ.get("RNNVIZ_MONKEY_SECONDS", "40"))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return MonkeyFiles.build(tmp_path_factory.mktemp("monkey"))


def test_the_monkey_finds_nothing(qapp, monkeypatch, files, tmp_path, capsys):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    monkey, watch = run_monkey(SEED, ACTIONS, files.root, monkeypatch.setattr, files, seconds=SECONDS)
    with capsys.disabled():
        print(f"\nmonkey seed {SEED}: {watch.figures(monkey.step)}; {monkey.windows_made} restarts")
    assert monkey.step >= min(ACTIONS, 50)    # it did run
