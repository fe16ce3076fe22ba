"""A reviewer's hostile command lines for `export` and `train`: each one was a traceback, an exit 0
that ignored what was asked, or junk written; now one line on stderr, a non-zero exit, nothing
written. Run as a user runs them (a subprocess, no screen)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.test_cli import TEXT, one_line_error, run

NUMBERS_OF_A_TEXT = len(set(TEXT))


def _lstm_weights(path, n_a=3):
    """A PyTorch nn.LSTM state_dict for TEXT's characters plus the read-out."""
    rng = np.random.default_rng(0)
    n = NUMBERS_OF_A_TEXT
    np.savez(path, weight_ih_l0=rng.normal(size=(4 * n_a, n)), weight_hh_l0=rng.normal(size=(4 * n_a, n_a)),
             bias_ih_l0=np.zeros(4 * n_a), bias_hh_l0=np.zeros(4 * n_a), Wya=rng.normal(size=(n, n_a)),
             by=np.zeros((n, 1)))
    return path


def _huge_weights(path):
    """The notes' names for TEXT, every entry 1e300: a spectral radius of 4e300."""
    n, n_a = NUMBERS_OF_A_TEXT, 4
    np.savez(path, Wax=np.full((n_a, n), 1e300), Waa=np.full((n_a, n_a), 1e300), ba=np.zeros((n_a, 1)),
             Wya=np.full((n, n_a), 1e300), by=np.zeros((n, 1)))
    return path


@pytest.mark.parametrize("args, words", [
    (["--weights", ""], "the file name is empty"),                 # exit 0 with random weights before
    (["--text-file", ""], "the file name is empty"),               # ". is a folder" before
    (["--scale", "1e-300"], "from 0.25 to 8"),                     # 1 x 1 pixel PNGs before
    (["--forget-bias", "3"], "use it with --cell lstm"),           # ignored by a vanilla RNN before
    (["--cell", "gru", "--activation", "relu"], "use it with --cell rnn"),   # ignored by a GRU before
    (["--example", "notes", "--forget-bias", "2"], "use it with --cell lstm"),
])
def test_export_options_that_were_ignored_or_junk(tmp_path, args, words):
    source = [] if "--text-file" in args or "--example" in args else ["--text", TEXT]
    line = one_line_error(run("export", "--out", tmp_path / "o", *source, *args))
    assert words in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("extra, words", [
    (["--forget-bias", "2"], "--weights gives the weights"),
    (["--seed", "5"], "--seed draws random weights"),
    (["--activation", "relu"], "an LSTM computes with σ and tanh"),
])
def test_export_options_that_weights_make_meaningless(tmp_path, extra, words):
    w = _lstm_weights(tmp_path / "lstm.npz")
    line = one_line_error(run("export", "--out", tmp_path / "o", "--text", TEXT, "--weights", w, *extra))
    assert words in line
    assert not (tmp_path / "o").exists()


def test_a_numbers_file_too_long_names_the_file(tmp_path):
    f = tmp_path / "long.txt"
    f.write_text(" ".join(["0.5"] * 100_002))
    line = one_line_error(run("export", "--out", tmp_path / "o", "--numbers-file", f))
    assert str(f) in line and "at most 100,000" in line


@pytest.mark.parametrize("args, words", [
    (["--text", TEXT, "--steps", 10**12], "more than 10,000,000"),          # ran (and grew) for ever before
    (["--task", "adding", "--batch", 10**12], "more than 1,024"),           # a MemoryError traceback before
    (["--text", TEXT, "--hidden", 10**6], "from 1 to 2048"),                # a MemoryError traceback before
    (["--task", "adding", "--length", 2000, "--batch", 1024, "--hidden", 2048, "--cell", "lstm"], "GB of memory"),
    (["--text", TEXT, "--sample-length", 10**12], "more than 5,000"),      # silently 5,000 before
    (["--task", "names", "--length", 5], "the names task reads whole names"),  # ignored before
    (["--text", TEXT, "--weights", ""], "the file name is empty"),          # exit 0, random weights before
    (["--file", ""], "the file name is empty"),
    (["--text", TEXT, "--forget-bias", "3"], "use it with --cell lstm"),
    (["--text", TEXT, "--cell", "lstm", "--activation", "relu"], "use it with --cell rnn"),
])
def test_train_options_that_crashed_hung_or_were_ignored(tmp_path, args, words):
    line = one_line_error(run("train", "--out", tmp_path / "o", *args))
    assert words in line
    assert not (tmp_path / "o").exists()


def test_train_refuses_weights_export_refuses(tmp_path):
    """1e300 weights: `export` said they can't be used, `train` trained on them and exited 0."""
    w = _huge_weights(tmp_path / "huge.npz")
    for command in ("export", "train"):
        line = one_line_error(run(command, "--out", tmp_path / "o", "--text", TEXT, "--weights", w))
        assert str(w) in line and "spectral radius 4e+300" in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("extra, words", [
    (["--radius", "0.5"], "--radius sets the initial random weights"),      # ignored before
    (["--forget-bias", "2"], "--weights gives the weights"),
])
def test_train_options_that_weights_make_meaningless(tmp_path, extra, words):
    w = _lstm_weights(tmp_path / "lstm.npz")
    line = one_line_error(run("train", "--out", tmp_path / "o", "--text", TEXT, "--weights", w, *extra))
    assert words in line


def test_an_overflow_is_written_and_said(tmp_path):
    """Numbers near 1e308 overflow the loss: the export is written as computed (exit 0) and one note
    on stderr says where; only "wrote 22 files" was said before."""
    r = run("export", "--out", tmp_path / "o", "--numbers", "1e308 -1e308 1e308 0")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines == ["rnnviz: note: the forward pass overflowed to inf/NaN at step 1; the files hold the inf/NaN "
                     "values as computed and the figures mark them"]
    with np.load(tmp_path / "o" / "trace.npz", allow_pickle=False) as z:
        assert np.isinf(z["loss"][0])


def test_too_many_predictions_in_a_text_file_name_the_file(tmp_path):
    f = tmp_path / "cjk.txt"
    f.write_text("".join(chr(0x4E00 + i) for i in range(5000)) * 2, encoding="utf-8")
    line = one_line_error(run("export", "--out", tmp_path / "o", "--text-file", f))
    assert str(f) in line and "10,000,000 predictions" in line          # the file was not named


@pytest.mark.parametrize("command", [["lesson", "", "--out", "o"], ["gui", "--lesson", ""]])
def test_an_empty_lesson_name_is_not_the_current_folder(tmp_path, command):
    line = one_line_error(run(*command, cwd=tmp_path))
    assert "no lesson called ''" in line                               # ". is a folder, not a lesson file"
