"""`rnnviz train`: the files it writes, continuing from its own params.npz, divergence, bad options.
Run as a user runs it (a subprocess, no screen)."""
from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest

from .test_cli import ROOT, cli_env

TEXT = "hello world, hello rnn. " * 4


def run(*args, home=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "train", *map(str, args)], capture_output=True,
                          text=True, env=cli_env(home), cwd=ROOT, timeout=300)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    r = run("--text", TEXT, "--steps", 120, "--hidden", 24, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and r.stderr == ""        # no progress line when not a terminal
    return out


def test_text_run_writes_every_file(text_run):
    assert {p.name for p in text_run.iterdir()} == {"params.npz", "train.csv", "train.png", "train.svg", "samples.txt"}
    with np.load(text_run / "params.npz", allow_pickle=False) as z:
        assert set(z.files) == {"Wax", "Waa", "Wya", "ba", "by", "vocab"}
        assert "".join(z["vocab"]) == "".join(sorted(set(TEXT)))
        assert z["Waa"].shape == (24, 24)
    table = rows(text_run / "train.csv")
    assert len(table) == 120 and list(table[0]) == ["update", "loss", "smooth_loss", "grad_norm", "clipped", "reach"]
    assert [int(r["update"]) for r in table] == list(range(1, 121))
    loss = np.array([float(r["loss"]) for r in table])
    assert loss[-10:].mean() < 0.3 * loss[:10].mean()
    # the smoothed loss starts from T ln V, as min-char-rnn's
    V = len(set(TEXT))
    assert float(table[0]["smooth_loss"]) == pytest.approx(0.999 * 25 * np.log(V) + 0.001 * loss[0])
    assert {r["clipped"] for r in table} <= {"0", "1"}
    samples = (text_run / "samples.txt").read_text()
    assert samples.startswith("# vanilla RNN (tanh) after 120 updates on the text")
    assert (text_run / "train.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (text_run / "train.svg").read_bytes()[:2000]


def test_training_continues_from_its_own_weights(text_run, tmp_path):
    r = run("--text", TEXT, "--steps", 5, "--weights", text_run / "params.npz", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    before = float(rows(text_run / "train.csv")[-1]["loss"])
    first = float(rows(tmp_path / "train.csv")[0]["loss"])
    assert first < 0.6 * float(rows(text_run / "train.csv")[0]["loss"])      # it starts trained
    assert first == pytest.approx(before, rel=1.0)


def test_tasks_write_their_samples(tmp_path):
    r = run("--task", "adding", "--length", 12, "--cell", "gru", "--hidden", 8, "--batch", 8, "--steps", 30,
            "--out", tmp_path / "a")
    assert r.returncode == 0, r.stderr
    assert "answer" in (tmp_path / "a" / "samples.txt").read_text()
    with np.load(tmp_path / "a" / "params.npz", allow_pickle=False) as z:
        assert "weight_hh_l0" in z.files and "vocab" not in z.files
    r = run("--task", "names", "--steps", 20, "--hidden", 8, "--seed", 4, "--out", tmp_path / "n")
    assert r.returncode == 0, r.stderr
    names = (tmp_path / "n" / "samples.txt").read_text().splitlines()[2:]
    assert len(names) == 10 and all(set(n) <= set("abcdefghijklmnopqrstuvwxyz") for n in names)
    r = run("--task", "copy", "--length", 5, "--hidden", 8, "--steps", 10, "--out", tmp_path / "c")
    assert r.returncode == 0, r.stderr
    assert "->" in (tmp_path / "c" / "samples.txt").read_text()


def test_a_blow_up_writes_the_last_finite_weights_and_says_so(tmp_path):
    r = run("--text", TEXT, "--activation", "relu", "--radius", 3, "--optimizer", "sgd", "--lr", 5, "--no-clip",
            "--hidden", 64, "--steps", 400, "--out", tmp_path)
    assert r.returncode == 1
    assert "diverged" in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    with np.load(tmp_path / "params.npz", allow_pickle=False) as z:
        assert all(np.isfinite(z[k]).all() for k in ("Wax", "Waa", "Wya", "ba", "by"))
    assert len(rows(tmp_path / "train.csv")) < 400


@pytest.mark.parametrize("args,words", [
    (("--task", "adding", "--batch", 0), "at least 1"),
    (("--task", "adding", "--length", 1), "from 2"),
    (("--text", TEXT, "--length", 10), "--seq-length"),
    (("--task", "adding", "--seq-length", 3), "--seq-length is the window of a --text"),   # was ignored
    (("--task", "names", "--seq-length", 3), "--seq-length is the window of a --text"),
    (("--text", TEXT, "--batch", 4), "--batch is for the tasks"),
    (("--task", "names", "--loss", "mse"), "--loss is for"),
    (("--text", TEXT, "--lr", "-1"), "out of range"),
    (("--text", TEXT, "--optimizer", "rmsprop"), "invalid choice"),
    (("--file", "/nonexistent/x.txt"), "no such file"),
    (("--text", "a"), "one character"),
])
def test_bad_options_are_one_line_errors(tmp_path, args, words):
    r = run(*args, "--out", tmp_path / "o")
    assert r.returncode != 0
    assert words in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_a_terminal_is_told_while_the_compiled_loops_are_prepared(tmp_path, monkeypatch):
    """The first long run on a machine compiles the kernels (seconds): the progress line says so."""
    import io

    from rnnviz.app.headless import Progress
    from rnnviz.app.train_headless import run_train
    from rnnviz.cli import build_parser
    from rnnviz.core import kernels

    monkeypatch.setattr(kernels, "ready", lambda: None)
    monkeypatch.setattr(kernels, "disabled", lambda: False)
    monkeypatch.setattr(kernels, "load", lambda: None)
    args = build_parser().parse_args(["train", "--text", TEXT, "--steps", "600", "--hidden", "8",
                                      "--out", str(tmp_path / "out")])
    term = io.StringIO()
    run_train(args, Progress(term, enabled=True))
    shown = term.getvalue()
    assert "preparing the compiled training loops" in shown
    assert shown.index("preparing") < shown.index("update ")


def test_the_hidden_size_rule_is_the_settings_own(tmp_path, monkeypatch):
    """`train --hidden` is held to core.settings' one rule (check_hidden, which check_config uses for
    the window, sessions and `export`): a change to that bound reaches `train` too, in the same words."""
    from rnnviz.app.headless import ExportError
    from rnnviz.app.train_headless import run_train
    from rnnviz.cli import build_parser
    from rnnviz.core import settings

    monkeypatch.setattr(settings, "MAX_HIDDEN", 16)
    with pytest.raises(ValueError) as window:
        settings.check_config(settings.Config(hidden=24))
    args = build_parser().parse_args(["train", "--text", TEXT, "--steps", "1", "--hidden", "24",
                                      "--out", str(tmp_path / "out")])
    with pytest.raises(ExportError) as cli:
        run_train(args)
    assert str(cli.value) == str(window.value) == "the hidden size must be a whole number from 1 to 16, not 24"
    assert not (tmp_path / "out").exists()


def test_a_text_file_over_the_step_limit_is_refused_in_one_line_by_export(tmp_path):
    """`export --text-file` longer than rnnviz shows: the limit's own words, naming the file, and
    nothing written (the length is checked before the sequence is built: core.settings.check_steps)."""
    from rnnviz.core.settings import MAX_STEPS

    from .test_cli import one_line_error
    from .test_cli import run as run_cli

    f = tmp_path / "long.txt"
    f.write_text("hello rnn " * (MAX_STEPS // 10) + "!!", encoding="utf-8")     # MAX_STEPS + 2 characters
    line = one_line_error(run_cli("export", "--text-file", f, "--out", tmp_path / "o"))
    assert line == f"rnnviz: error: {f}: the sequence has {MAX_STEPS + 1:,} steps; rnnviz shows at most {MAX_STEPS:,}"
    assert not (tmp_path / "o").exists()


def test_train_reads_a_text_file_longer_than_the_views_show(tmp_path):
    """A character model trains on windows of --seq-length characters, so `train --file` takes a text as
    long as the Train panel does (min-char-rnn's input.txt is 1 MB), not only MAX_STEPS characters:
    the windows walk through the whole text from its start."""
    from rnnviz.core.settings import MAX_STEPS

    f = tmp_path / "input.txt"
    text = "the quick brown fox jumps over the lazy dog. " * (3 * MAX_STEPS // 45) + "THE END!"
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "o"
    r = run("--file", f, "--steps", 4, "--seq-length", 25, "--hidden", 8, "--out", out)
    assert r.returncode == 0, r.stderr
    got = rows(out / "train.csv")
    assert [int(x["update"]) for x in got] == [1, 2, 3, 4]
    with np.load(out / "params.npz", allow_pickle=False) as z:
        vocab = [str(c) for c in z["vocab"]]
    assert {"T", "H", "E", "N", "D", "!"} <= set(vocab)          # the characters of the text's far end
    assert vocab == sorted(set(text))


def _pty_run(args, home):
    """`rnnviz train ARGS` with stderr on a terminal (a pty), as a user runs it: the progress line shows."""
    import os
    import pty
    import signal

    master, slave = pty.openpty()
    env = dict(cli_env(home), RNNVIZ_NO_NUMBA="1")      # the NumPy path: a rerun gives the same weights, bit for bit
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "train", *map(str, args)], stdout=subprocess.PIPE,
                         stderr=slave, env=env, cwd=ROOT, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as a terminal's
    os.close(slave)
    return p, master


def _read_until(master, p, done, seconds=120.0) -> str:
    """What the terminal shows until done(text) or the process ends (polled, never a fixed sleep)."""
    import os
    import select
    import time

    text, deadline = "", time.monotonic() + seconds
    while time.monotonic() < deadline and not done(text):
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:                 # the process ended: the terminal is closed
                break
            if not chunk:
                break
            text += chunk.decode("utf-8", "replace")
        elif p.poll() is not None:
            break
    return text


def test_ctrl_c_keeps_what_was_trained_up_to_the_last_whole_update(tmp_path):
    """Ctrl-C during a long `train` (after its first progress line): it stops after the update being made
    and writes what was trained so far: params.npz the weights after update N (those of a run of exactly N
    updates), train.csv N whole rows, the plot and the samples; one line says so; exit 130; no traceback.
    Before, the run was lost ("interrupted; nothing was written")."""
    import os
    import re
    import signal

    from PIL import Image

    out = tmp_path / "run"
    args = ["--text", TEXT, "--steps", 1_000_000, "--hidden", 12, "--seed", 3]
    p, master = _pty_run([*args, "--out", out], tmp_path)
    try:
        shown = _read_until(master, p, lambda s: re.search(r"update [1-9][\d,]* of 1,000,000", s))
        assert re.search(r"update [1-9][\d,]* of 1,000,000", shown), shown
        p.send_signal(signal.SIGINT)                                   # Ctrl-C
        shown += _read_until(master, p, lambda s: False)
        p.wait(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
    lines = [ln for ln in re.sub(r"\x1b\[K", "", shown).replace("\r", "\n").splitlines() if ln.strip()]
    m = re.fullmatch(r"rnnviz: interrupted: stopped after ([\d,]+) of 1,000,000 updates; wrote params\.npz, "
                     r"samples\.txt, train\.csv, train\.png, train\.svg into (.+)", lines[-1])
    assert p.returncode == 130 and m, shown
    assert m.group(2) == str(out) and "Traceback" not in shown
    assert all(ln.startswith(("update ", "stopped after update")) for ln in lines[:-1]), lines   # progress only
    n = int(m.group(1).replace(",", ""))
    assert sorted(f.name for f in out.iterdir()) == ["params.npz", "samples.txt", "train.csv", "train.png", "train.svg"]
    table = rows(out / "train.csv")
    assert [int(r["update"]) for r in table] == list(range(1, n + 1))
    assert all(r["loss"] and r["reach"] for r in table)                # every row whole
    assert (out / "samples.txt").read_text().startswith(f"# vanilla RNN (tanh) after {n:,} updates")
    with Image.open(out / "train.png") as im:
        im.load()
    assert (out / "train.svg").read_text().rstrip().endswith("</svg>")
    # exactly n updates, on the NumPy path as the run above (the compiled loops, which a run of 500
    # updates or more takes, agree to ~1e-10 only: a loaded machine's Ctrl-C came after update 500)
    again = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", *map(str, args[:2]), "--steps", str(n),
                            *map(str, args[4:]), "--out", str(tmp_path / "again")], capture_output=True, text=True,
                           env=dict(cli_env(tmp_path), RNNVIZ_NO_NUMBA="1"), cwd=ROOT, timeout=300)
    assert again.returncode == 0, again.stderr
    with np.load(out / "params.npz", allow_pickle=False) as z, \
            np.load(tmp_path / "again" / "params.npz", allow_pickle=False) as w:
        assert set(z.files) == set(w.files)
        for k in z.files:
            np.testing.assert_array_equal(z[k], w[k], err_msg=k)
    assert [r["loss"] for r in rows(tmp_path / "again" / "train.csv")] == [r["loss"] for r in table]


def test_ctrl_c_interrupts_at_once_when_nothing_is_worth_keeping():
    """The Ctrl-C rules (rnnviz.app.ctrl_c): nothing trained yet, it interrupts at once (nothing to keep);
    then it asks the loop to stop; a second one interrupts; while the files go into place it waits."""
    import signal

    from rnnviz.app.ctrl_c import CtrlC

    with CtrlC() as c:
        ctrl_c = signal.getsignal(signal.SIGINT)            # what a Ctrl-C now runs
        assert ctrl_c == c._on_signal
        with pytest.raises(KeyboardInterrupt):
            ctrl_c(signal.SIGINT, None)                     # worth_keeping() is False: at once
        c.worth_keeping = lambda: True
        c.asked = False
        ctrl_c(signal.SIGINT, None)                         # now it only asks the loop to stop
        assert c() and c.asked
        with pytest.raises(KeyboardInterrupt):
            ctrl_c(signal.SIGINT, None)                     # a second Ctrl-C: at once
        c.moving = True
        ctrl_c(signal.SIGINT, None)                         # the files going into place: it waits
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_train_says_a_bidirectional_model_reads_its_targets(tmp_path):
    """The loss of a bidirectional model on the next character means nothing: one note on stderr."""
    r = run("--text", "hello world", "--bidirectional", "--steps", 3, "--out", tmp_path / "b", home=tmp_path)
    assert r.returncode == 0 and "reads each step's target" in r.stderr and "Traceback" not in r.stderr
    r = run("--text", "hello world", "--steps", 3, "--out", tmp_path / "u", home=tmp_path)
    assert r.returncode == 0 and "reads each step's target" not in r.stderr
