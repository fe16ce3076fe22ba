"""Hand-edited and damaged sessions opened with File ▸ Open session in the whole window: the Train
panel's saved choices went into its spin boxes unchecked (TypeError / OverflowError tracebacks from
the panel) or into the next run (a learning rate of -1, an optimizer rmsprop), and a bad
max_updates raised int()'s own words after the window had changed ("Your current work is unchanged"
was not true). Now: one message naming the choice, and the window as it was."""
from __future__ import annotations

import io
import json
import sys
import zipfile

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.app import train_session
from rnnviz.app.file_actions import session_of
from rnnviz.io.session import save_session

from .drive import type_number
from .test_train_panel import click, train_window, wait_idle


def edited(src, dst, *path_and_value):
    """A copy of session `src` with session.json's entry at path set to value."""
    *path, value = path_and_value
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    doc = json.loads(members["session.json"])
    d = doc
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value
    members["session.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(dst, "w") as z:
        for n, v in members.items():
            z.writestr(n, v)
    return dst


def nan_training(src, dst):
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with np.load(io.BytesIO(members["training.npz"])) as f:
        arrays = {k: (np.full_like(f[k], np.nan) if f[k].dtype.kind == "f" else f[k]) for k in f.files}
    b = io.BytesIO()
    np.savez(b, **arrays)
    members["training.npz"] = b.getvalue()
    with zipfile.ZipFile(dst, "w") as z:
        for n, v in members.items():
            z.writestr(n, v)
    return dst


CASES = [
    (("training", "panel", "max_updates", [1]), "maximum number of updates [1]"),          # TypeError
    (("training", "panel", "max_updates", 10**30), "from 1 to 10,000,000"),                 # OverflowError
    (("training", "panel", "max_updates", "lots"), "maximum number of updates 'lots'"),     # int()'s words
    (("training", "panel", "choice", "window", 10**12), "window 1000000000000"),            # OverflowError
    (("training", "panel", "choice", "length", "long"), "length 'long'"),                   # TypeError
    (("training", "panel", "settings", "lr", "fast"), "learning rate 'fast'"),              # TypeError
    (("training", "panel", "settings", "lr", -1.0), "learning rate -1.0"),                  # trained with it
    (("training", "panel", "settings", "optimizer", "rmsprop"), "optimizer 'rmsprop'"),
    (("training", "panel", "choice", "kind", "poetry"), "task 'poetry'"),
    (("training", "panel", "choice", "batch", -3), "batch -3"),
    (("training", "runs", 0, "settings", "lr", "fast"), "learning rate must be a positive number"),
    (("compare", {"hidden": -1}), "compare settings are not valid"),                        # opened silently
]


@pytest.fixture
def trained(qtbot, tmp_path):
    """The whole window after 5 updates on its text, and that session saved."""
    w, t = train_window(qtbot)
    type_number(qtbot, t["panel"].steps, "5")
    click(qtbot, t["panel"].steps_button)
    wait_idle(qtbot, t)
    return w, t, save_session(tmp_path / "good.rnnviz", session_of(w.state))


def test_bad_train_panel_choices_are_one_message_and_change_nothing(qtbot, monkeypatch, tmp_path, trained):
    w, t, good = trained
    shown, hooked = [], []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    monkeypatch.setattr(sys, "excepthook", lambda *e: hooked.append(e))
    before = (w.state.config, w.state.trace, t["controller"].updates, t["controller"].settings,
              t["panel"].status.text())
    cases = [(edited(good, tmp_path / f"bad{i}.rnnviz", *change), words) for i, (change, words) in enumerate(CASES)]
    cases.append((nan_training(good, tmp_path / "nan.rnnviz"), "the trained weight Wax contains NaN or infinity"))
    for path, words in cases:
        shown.clear()
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, p=path, **k: (str(p), ""))
        w.file_actions.actions["open"].trigger()          # File ▸ Open session…
        qtbot.wait(50)                                     # anything the panel does in the next turn
        assert hooked == [], (path, hooked)
        assert len(shown) == 1 and words in shown[0] and "unchanged" in shown[0], (words, shown)
        after = (w.state.config, w.state.trace, t["controller"].updates, t["controller"].settings,
                 t["panel"].status.text())
        assert after == before, words


def test_the_checked_ranges_are_the_panels(trained):
    """checked_panel refuses exactly what the Train panel's widgets can't hold."""
    _w, t, _good = trained
    p = t["panel"]
    for name, (lo, hi) in train_session.CHOICE_RANGES.items():
        if name != "seed":
            spin = getattr(p, name)
            assert (spin.minimum(), spin.maximum()) == (lo, hi), name
    assert (p.max_updates.minimum(), p.max_updates.maximum()) == train_session.MAX_UPDATES_RANGE
    assert (p.snapshot_every.minimum(), p.snapshot_every.maximum()) == train_session.SNAPSHOT_RANGE
    assert (p.lr.minimum(), p.lr.maximum()) == train_session.LR_RANGE
    assert (p.clip.minimum(), p.clip.maximum()) == train_session.CLIP_RANGE


@pytest.mark.parametrize("kind, change, words", [
    ("adding", ("batch", 10**7), "1 to 1,024 sequences, not 10000000"),      # an update of gigabytes
    ("copy", ("K", 10**8), "1 to 2000 symbols, not 100000000"),              # (T + 2K) steps of K symbols
    ("names", ("batch", 10**6), "1 to 1,024 names, not 1000000"),
])
def test_a_saved_runs_task_too_large_to_train_is_one_message(qtbot, monkeypatch, tmp_path, kind, change, words):
    """The saved run's own task (not the panel's choices): its batch and the copy task's K went into the
    next update unchecked."""
    from .drive import choose

    w, t = train_window(qtbot)
    choose(qtbot, t["panel"].task, kind)
    type_number(qtbot, t["panel"].steps, "2")
    click(qtbot, t["panel"].steps_button)
    wait_idle(qtbot, t)
    good = save_session(tmp_path / "good.rnnviz", session_of(w.state))
    bad = edited(good, tmp_path / "bad.rnnviz", "training", "runs", 0, "task", *change)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    before = (t["controller"].updates, t["controller"].main.task.describe())
    w.file_actions.actions["open"].trigger()                  # File ▸ Open session…
    assert len(shown) == 1 and words in shown[0] and "unchanged" in shown[0], shown
    assert (t["controller"].updates, t["controller"].main.task.describe()) == before
