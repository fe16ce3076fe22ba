"""`rnnviz export --weights / --session / --seed` on hostile files and values (issue 13, items 17,
19, 21, 23): one line on stderr naming the file, a non-zero exit, never a traceback or a hang."""
from __future__ import annotations

import os

import pytest

from rnnviz.app.config import Config
from rnnviz.io.session import Session, save_session
from tests.hostile import flip_a_byte, single_npy, weights, zip_bomb
from tests.test_cli import TEXT, one_line_error, run


def _fifo(path):
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: weights(p, 0, 1.0), "no hidden units"),
    (lambda p: weights(p, 2500, 0.001), "n_a = 2500"),
    (lambda p: weights(p, 4, 1e308), "spectral radius inf"),
    (single_npy, "single .npy array"),           # a TypeError traceback before
    pytest.param(_fifo, "pipe", marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no pipes")),
])
def test_unusable_weights(tmp_path, make, words):
    f = make(tmp_path / "w.npz")
    line = one_line_error(run("export", "--out", tmp_path / "o", "--text", TEXT, "--weights", f))  # a pipe hung
    assert words in line and str(f) in line
    assert not (tmp_path / "o").exists()


def _flipped(path):
    save_session(path, Session(Config(source=TEXT).to_dict()))
    return flip_a_byte(path, "session.json")


def _bomb(path):
    return zip_bomb(path, "session.json", 512 << 20)


def _big_seed(path):
    save_session(path, Session(dict(Config(source=TEXT).to_dict(), seed=2**64)))
    return path


@pytest.mark.parametrize("make, words", [(_flipped, "damaged"), (_bomb, "would unpack to"),
                                         (_big_seed, "seed must be a whole number from 0 to 2147483647")])
def test_unusable_sessions(tmp_path, make, words):
    f = make(tmp_path / "s.rnnviz")
    line = one_line_error(run("export", "--out", tmp_path / "o", "--session", f))  # zlib.error traceback before
    assert words in line and str(f) in line


def test_a_seed_beyond_the_range(tmp_path):
    r = run("export", "--out", tmp_path / "o", "--text", TEXT, "--seed", 2**31)
    assert r.returncode == 2 and "too large; a seed is a whole number from 0 to 2147483647" in one_line_error(r)


def _export_interrupted(tmp_path, wait_for):
    """`rnnviz export` on a long text, Ctrl-C once wait_for(out) says so: (exit code, stderr, out)."""
    from tests.test_cli import ctrl_c_when
    out = tmp_path / "figs"
    src = tmp_path / "long.txt"
    src.write_text("the quick brown fox jumps over the lazy dog. " * 60, encoding="utf-8")
    code, stderr = ctrl_c_when(["export", "--text-file", src, "--out", out], lambda: wait_for(out), tmp_path,
                               poll=0.005)
    return code, stderr, out


@pytest.mark.parametrize("moment", ["starting", "drawing"])
def test_ctrl_c_in_export_ends_with_one_line_and_writes_nothing(tmp_path, moment):
    """Ctrl-C while PySide6 loads or while the figures are drawn: one line and exit 130, DIR as it was.
    Python's KeyboardInterrupt raised inside Qt aborted the import (exit 134), crashed a paint (exit 139),
    or was swallowed there, the export running on to exit 0."""
    import signal
    import time

    if moment == "starting":                   # (the interpreter starts in ~0.1 s, PySide6 loads for ~0.5 s)
        t0 = time.monotonic()
        wait_for = lambda out: time.monotonic() > t0 + 0.3                 # noqa: E731
    else:                                                                  # the first figure is in the staging folder
        wait_for = lambda out: out.is_dir() and any(out.glob(".rnnviz-export-*/*.png"))   # noqa: E731
    code, stderr, out = _export_interrupted(tmp_path, wait_for)
    if code == -signal.SIGINT and not stderr:   # (a machine so slow that Python had not started yet)
        return
    assert code == 130, (code, stderr)
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "rnnviz: error: interrupted; nothing was written"
    assert not out.exists() or not [p for p in out.iterdir()]             # nothing written, no staging folder left
