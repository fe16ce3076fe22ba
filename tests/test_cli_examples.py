"""`rnnviz export --example NAME`: the window's built-in examples on the command line, the notes'
batch with its own weights and a⟨0⟩ (`--sequence K` picks which of its m = 10 the files show), and
one-line errors for what does not fit. Run as a user runs it (a subprocess, no screen)."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from rnnviz.core import compat
from rnnviz.core.notes_example import _draw
from tests.test_cli import load, run


@pytest.fixture(scope="module")
def notes4(tmp_path_factory):
    out = tmp_path_factory.mktemp("notes")
    r = run("export", "--out", out, "--example", "notes", "--sequence", 4, "--gif-frames", 2)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    return out


def test_the_notes_example_is_the_notes_batch_with_their_weights(notes4):
    x, a0, p, _ = _draw()
    params = load(notes4 / "params.npz")
    for k, v in p.items():                                          # the notes' parameters_tmp, unscaled
        np.testing.assert_array_equal(params[k], v)
    a, y_pred, _ = compat.rnn_forward(x, a0, p)                      # the notes' own rnn_forward, sequence 4
    trace = load(notes4 / "trace.npz")
    np.testing.assert_allclose(trace["x"], x[:, 3, :])
    np.testing.assert_allclose(trace["a"], a[:, 3, :], atol=1e-12)
    np.testing.assert_allclose(trace["y_hat"], y_pred[:, 3, :], atol=1e-12)
    with open(notes4 / "graph.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert [float(v) for v in rows[0]["x<t>"].split()] == [float(v) for v in x[:, 3, 0]]   # all three inputs


def test_the_notes_targets_in_trace_npz_are_the_classes_the_loss_scores(notes4):
    """trace.npz's targets held the one-hot row of class 0 ([1, 1, 1, 0] where the classes are
    0, 0, 0, 1), the opposite of losses.csv's y<t> and of what L<t> scores."""
    classes = _draw()[3][3]                                          # sequence 4's drawn classes
    trace = load(notes4 / "trace.npz")
    assert trace["targets"].dtype.kind == "i"
    np.testing.assert_array_equal(trace["targets"], classes)
    T = len(classes)
    np.testing.assert_allclose(trace["loss"], -np.log(trace["y_hat"][trace["targets"], np.arange(T)]))
    with open(notes4 / "losses.csv", encoding="utf-8") as f:
        assert [int(float(r["y<t>"])) for r in csv.DictReader(f)] == classes.tolist()


def test_the_notes_outputs_csv_has_every_class_probability(notes4):
    """outputs.csv of the notes' two classes held only y_hat<t> = p(class 0) beside y<t>, the class's
    number: 0.18 beside y<t> = 1 read as a bad guess where p(class 1) was 0.82."""
    y_hat = load(notes4 / "trace.npz")["y_hat"]
    with open(notes4 / "outputs.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for t, r in enumerate(rows):
        assert [float(r["y_hat<t>[class 0]"]), float(r["y_hat<t>[class 1]"])] == y_hat[:, t].tolist()
        assert float(r["prediction"]) == float(np.argmax(y_hat[:, t]))
        assert float(r["y_hat<t>[y<t>]"]) == y_hat[int(float(r["y<t>"])), t]


def test_other_examples_by_name(tmp_path):
    r = run("export", "--out", tmp_path / "sine", "--example", "Sine-Wave", "--gif-frames", 2, "--hidden", 4)
    assert r.returncode == 0, r.stderr
    trace = load(tmp_path / "sine" / "trace.npz")
    assert trace["x"].shape == (1, 39) and trace["x"][0, 2] == pytest.approx(0.707)


@pytest.mark.parametrize("args,words", [
    (("--example", "nope"), "no built-in example 'nope'; the examples are: hello-world,"),
    (("--example", "notes", "--hidden", 8), "--hidden 8: --example notes is the notes' one-layer tanh RNN"),
    (("--example", "notes", "--cell", "lstm"), "--cell lstm: --example notes"),
    (("--example", "notes", "--seed", 3), "--seed: --example notes comes with the notes' weights"),
    (("--example", "notes", "--sequence", 11), "--sequence 11: the input has 10 sequences"),
    (("--text", "hello", "--sequence", 2), "--sequence 2: the input has 1 sequence"),
    (("--example", "notes", "--text", "hi"), "not allowed with argument"),
])
def test_what_does_not_fit_is_one_line(tmp_path, args, words):
    r = run("export", "--out", tmp_path / "x", *args)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "x" / "params.npz").exists()


def test_the_help_names_the_examples():
    r = run("export", "--help")
    text = " ".join(r.stdout.split())                                # as argparse wraps it
    assert r.returncode == 0 and "--example NAME" in text and "notes (the course notes' test input" in text
    assert "sine-wave" in text and "--sequence K" in text
