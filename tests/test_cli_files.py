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
