"""`rnnviz export`: the files it writes, their round trips, and one-line errors for bad input.

The CLI runs as a user runs it (a subprocess, no screen) so that tracebacks and stderr are real.
"""
from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT = "hello world"
PARAM_KEYS = {"Wax", "Waa", "Wya", "ba", "by"}
FIGURES = ("graph", "hidden_states", "outputs", "losses", "gradients", "influence")


def cli_env(home=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    if home:
        env["RNNVIZ_HOME"] = str(home)
    return env


def run(*args, home=None, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True,
                          text=True, env=cli_env(home), cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    r = run("export", "--out", out, "--text", TEXT, "--hidden", 8, "--scale", 2, "--seed", 3)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return out


def load(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def test_every_file_is_written_and_no_temp_is_left(exported):
    names = {p.name for p in exported.iterdir()}
    expected = {"params.npz", "grads.npz", "trace.npz", "bptt.gif"}
    expected |= {f"{f}.{ext}" for f in FIGURES for ext in ("png", "svg", "csv")}
    assert names == expected                     # grads_clipped.npz only with clipping
    assert not [n for n in names if n.startswith(".")], names


def test_npz_keys_and_shapes(exported):
    T, n_a = len(TEXT) - 1, 8
    n_x = n_y = len(set(TEXT))
    params, grads, trace = (load(exported / f) for f in ("params.npz", "grads.npz", "trace.npz"))
    assert set(params) == set(grads) == PARAM_KEYS
    for k in PARAM_KEYS:
        assert grads[k].shape == params[k].shape
    assert params["Waa"].shape == (n_a, n_a) and params["Wax"].shape == (n_a, n_x)
    shapes = {"x": (n_x, T), "targets": (T,), "a": (n_a, T), "y_hat": (n_y, T), "loss": (T,),
              "da": (n_a, T), "da_last": (n_a, T)}
    # and the one layer's own arrays: the state a, the pre-activation z and their gradients
    shapes.update({f"l0.{k}": (n_a, T) for k in ("a", "z", "da", "da_last")})
    assert {k: v.shape for k, v in trace.items()} == shapes
    np.testing.assert_array_equal(trace["l0.a"], trace["a"])
    np.testing.assert_allclose(trace["y_hat"].sum(axis=0), 1.0)        # softmax columns
    assert np.all(trace["loss"] > 0)
    # dL<T>/da<T> is the direct gradient of the last loss only; da at T equals it
    np.testing.assert_allclose(trace["da"][:, -1], trace["da_last"][:, -1])


def test_weights_file_reproduces_the_trace(exported, tmp_path):
    r = run("export", "--out", tmp_path, "--text", TEXT, "--weights", exported / "params.npz")
    assert r.returncode == 0, r.stderr
    a, b = load(exported / "trace.npz"), load(tmp_path / "trace.npz")
    for k in a:
        np.testing.assert_allclose(b[k], a[k], rtol=1e-12, atol=1e-14, err_msg=k)
    ga, gb = load(exported / "grads.npz"), load(tmp_path / "grads.npz")
    for k in ga:
        np.testing.assert_allclose(gb[k], ga[k], rtol=1e-10, atol=1e-14, err_msg=k)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_csv_rows_match_the_trace(exported):
    trace = load(exported / "trace.npz")
    rows = read_csv(exported / "losses.csv")
    assert list(rows[0]) == ["step", "x<t>", "y<t>", "scored", "L<t>", "L<1>+...+L<t>"]
    assert len(rows) == trace["loss"].size
    np.testing.assert_allclose([float(r["L<t>"]) for r in rows], trace["loss"], rtol=1e-15)
    assert [int(r["step"]) for r in rows] == list(range(1, len(rows) + 1))
    assert "".join(r["x<t>"] for r in rows) == TEXT[:-1] and "".join(r["y<t>"] for r in rows) == TEXT[1:]
    g = read_csv(exported / "gradients.csv")
    np.testing.assert_allclose([float(r["||dL/da<t>||"]) for r in g], np.linalg.norm(trace["da"], axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose([float(r["||dL<T>/da<t>||"]) for r in g],
                               np.linalg.norm(trace["da_last"], axis=0), rtol=1e-12)
    h = read_csv(exported / "hidden_states.csv")
    np.testing.assert_array_equal([[float(r[f"a<t>[{i + 1}]"]) for r in h] for i in range(8)], trace["a"])
    infl = read_csv(exported / "influence.csv")
    assert len(infl) == trace["loss"].size and infl[-1]["||dL<t>/da<1>||"] != "" and infl[0]["||dL<t>/da<2>||"] == ""


def test_pngs_are_at_scale_and_not_blank(exported, tmp_path):
    from PIL import Image

    r = run("export", "--out", tmp_path, "--text", TEXT, "--hidden", 8, "--seed", 3)  # scale 1
    assert r.returncode == 0, r.stderr
    for name in FIGURES:
        big, small = Image.open(exported / f"{name}.png"), Image.open(tmp_path / f"{name}.png")
        assert big.size == (2 * small.size[0], 2 * small.size[1]), name
        px = np.asarray(big.convert("L"))
        assert px.std() > 10 and (px < 100).mean() > 0.002, f"{name}.png looks blank"


def test_svgs_parse_and_carry_a_title(exported):
    for name in FIGURES:
        root = ET.parse(exported / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")
        titles = [e.text for e in root.iter() if e.tag.endswith("title")]
        assert titles and titles[0], name
        assert len(list(root.iter())) > 20, f"{name}.svg is nearly empty"


def test_gif_has_one_distinct_frame_per_backward_step(exported):
    from PIL import Image

    T = len(TEXT) - 1
    im = Image.open(exported / "bptt.gif")
    assert im.n_frames == T
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(np.asarray(im.convert("RGB"), dtype=np.int16))
    for i in range(1, T):
        assert np.abs(frames[i] - frames[i - 1]).sum() > 0, f"frames {i} and {i + 1} are the same"


def test_help_explains_every_option_with_examples():
    top = run("--help")
    assert top.returncode == 0 and "examples:" in top.stdout and "export" in top.stdout
    r = run("export", "--help")
    assert r.returncode == 0
    for opt in ("--out", "--text", "--numbers", "--text-file", "--numbers-file", "--session", "--hidden",
                "--activation", "--radius", "--seed", "--weights", "--scale", "--loss", "--architecture", "--flow",
                "--clip-norm", "--clip-value", "--gif-passes", "--gif-content", "--gif-frames", "examples:"):
        assert opt in r.stdout, opt
    # every file the export writes is named and its columns listed
    for name in ("params.npz", "grads.npz", "grads_clipped.npz", "trace.npz", "bptt.gif", "graph", "hidden_states",
                 "outputs", "losses", "gradients", "influence", "CSV: step, x<t>, y<t>, scored, L<t>"):
        assert name in r.stdout, name
    assert "(over 3000 steps" in r.stdout


def one_line_error(r):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("rnnviz: error: ")
    return lines[0]


@pytest.mark.parametrize("args, words", [
    (["--hidden", "0"], "0 is out of range (from 1 to 2048)"),
    (["--hidden", "100000"], "100000 is out of range (from 1 to 2048)"),
    (["--hidden", "many"], "whole number"),
    (["--radius", "-1"], "out of range"),
    (["--radius", "nan"], "out of range"),
    (["--activation", "sigmoid"], "invalid choice"),
    (["--scale", "0"], "out of range"),
    (["--loss", "hinge"], "invalid choice"),
    (["--seed", "-1"], "negative"),
    (["--flow", "first"], "invalid choice"),
    (["--clip-norm", "0"], "out of range"),
    (["--clip-norm", "-2"], "out of range"),
    (["--clip-value", "nan"], "out of range"),
    (["--clip-value", "big"], "not a number"),
    (["--clip-norm", "1", "--clip-value", "1"], "not allowed with argument"),
    (["--gif-passes", "sideways"], "invalid choice"),
    (["--gif-content", "all"], "invalid choice"),
    (["--gif-frames", "1"], "out of range"),
    (["--gif-frames", "1001"], "out of range"),
    (["--gif-frames", "ten"], "whole number"),
])
def test_bad_option_values(tmp_path, args, words):
    line = one_line_error(run("export", "--out", tmp_path / "o", "--text", TEXT, *args))
    assert words in line
    assert not (tmp_path / "o").exists()  # not even an empty folder is left


@pytest.mark.parametrize("source, words", [
    (["--text", "a"], "one character"),
    (["--numbers", "0.1 zero 0.3"], "not a number"),
    (["--numbers", "0.1 nan 0.3"], "not finite"),
    ([], "required"),
    (["--text", "ab", "--numbers", "1 2"], "not allowed"),
])
def test_bad_inputs(tmp_path, source, words):
    line = one_line_error(run("export", "--out", tmp_path / "o", *source))
    assert words in line
    assert not (tmp_path / "o").exists()  # not even an empty folder is left


def test_bad_weights_files(tmp_path, exported):
    out = tmp_path / "o"
    assert "no such file" in one_line_error(run("export", "--out", out, "--text", TEXT,
                                                "--weights", tmp_path / "missing.npz"))
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert "not a valid .npz" in one_line_error(run("export", "--out", out, "--text", TEXT, "--weights", corrupt))
    p = load(exported / "params.npz")
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **dict(p, Waa=np.eye(3)))
    assert "shape" in one_line_error(run("export", "--out", out, "--text", TEXT, "--weights", wrong))
    other_text = one_line_error(run("export", "--out", out, "--text", "abcabc", "--weights", exported / "params.npz"))
    assert "doesn't fit" in other_text
    assert not out.exists() or not any(out.iterdir())


def test_bad_sessions(tmp_path):
    out = tmp_path / "o"
    corrupt = tmp_path / "c.rnnviz"
    corrupt.write_text("not a session")
    assert "not an rnnviz session" in one_line_error(run("export", "--out", out, "--session", corrupt))
    newer = tmp_path / "n.rnnviz"
    with zipfile.ZipFile(newer, "w") as z:
        z.writestr("session.json", '{"format": "rnnviz-session", "version": 99, "settings": {"source": "hi there"}}')
    assert "newer rnnviz" in one_line_error(run("export", "--out", out, "--session", newer))
    neg = tmp_path / "neg.rnnviz"
    with zipfile.ZipFile(neg, "w") as z:
        z.writestr("session.json", '{"format": "rnnviz-session", "version": 1, '
                                   '"settings": {"source": "hi there", "seed": -1}}')
    assert "the seed must be a whole number from 0 to" in one_line_error(run("export", "--out", out, "--session", neg))


def test_session_input_exports(tmp_path, exported):
    """A session written by the file layer drives the export; its weights are used."""
    sys.path.insert(0, str(ROOT))
    from rnnviz.io.session import Session, save_session

    params = load(exported / "params.npz")
    s = Session({"source": TEXT, "kind": "text", "hidden": 8, "radius": 0.9, "seed": 3}, params, "imported")
    save_session(tmp_path / "s.rnnviz", s)
    r = run("export", "--out", tmp_path / "o", "--session", tmp_path / "s.rnnviz")
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(load(tmp_path / "o" / "trace.npz")["a"], load(exported / "trace.npz")["a"])


def test_unwritable_output_folder(tmp_path):
    (tmp_path / "cwd").mkdir()
    assert "folder name is empty" in one_line_error(run("export", "--out", "", "--text", TEXT, cwd=tmp_path / "cwd"))
    assert not any((tmp_path / "cwd").iterdir())  # "" is not the current folder
    f = tmp_path / "a_file"
    f.write_text("x")
    assert "can't create" in one_line_error(run("export", "--out", f / "sub", "--text", TEXT))
    line = one_line_error(run("export", "--out", f, "--text", TEXT))
    assert "is a file" in line
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            assert "not writable" in one_line_error(run("export", "--out", ro, "--text", TEXT))
        finally:
            ro.chmod(stat.S_IRWXU)


# ---------------------------------------------------------------------- sequences from files
def test_text_file_gives_the_same_export_as_the_text(tmp_path, exported):
    src = tmp_path / "text.txt"
    src.write_text(TEXT + "\n", encoding="utf-8")          # an editor's final line break is dropped
    r = run("export", "--out", tmp_path / "o", "--text-file", src, "--hidden", 8, "--seed", 3)
    assert r.returncode == 0, r.stderr
    for name in ("losses.csv", "graph.csv", "hidden_states.csv"):
        assert (tmp_path / "o" / name).read_bytes() == (exported / name).read_bytes(), name


def test_numbers_file_takes_more_than_the_command_line_can(tmp_path):
    """21,000 numbers (~150 kB) are over Linux's 128 kB limit for one argument; the influence map is
    over its size cap, which a note says instead of writing influence.*."""
    values = np.round(np.sin(0.05 * np.arange(21_000)), 4)
    src = tmp_path / "series.txt"
    src.write_text("\n".join(" ".join(map(str, row)) for row in values.reshape(-1, 10)), encoding="utf-8")
    assert src.stat().st_size > 131072
    r = run("export", "--out", tmp_path / "o", "--numbers-file", src, "--hidden", 2, "--gif-frames", 4)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    notes = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(notes) == 1 and notes[0].startswith("rnnviz: note: no influence map") and "3000 steps" in notes[0]
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert not any(n.startswith("influence") for n in names) and "outputs.csv" in names
    rows = read_csv(tmp_path / "o" / "outputs.csv")
    assert len(rows) == 20_999 and float(rows[7]["x<t>"]) == values[7] and float(rows[7]["y<t>"]) == values[8]


@pytest.mark.parametrize("content, words", [
    (None, "no such file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("héllo wörld".encode("latin-1"), "not UTF-8"),
    ("folder", "a folder"),
    (b"   \n", "empty"),
])
def test_bad_sequence_files(tmp_path, content, words):
    path = tmp_path / "in.txt"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    opt = "--numbers-file" if words == "empty" else "--text-file"
    line = one_line_error(run("export", "--out", tmp_path / "o", opt, path))
    assert words in line and str(path) in line
    assert not (tmp_path / "o").exists()


def test_a_bad_number_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "n.txt"
    path.write_text("0.1 0.2\n0.3 zero\n", encoding="utf-8")
    line = one_line_error(run("export", "--out", tmp_path / "o", "--numbers-file", path))
    assert str(path) in line and "not a number" in line
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------- flow, clipping, animation
def test_flow_last_is_what_the_graph_shows(tmp_path, exported):
    r = run("export", "--out", tmp_path, "--text", TEXT, "--hidden", 8, "--seed", 3, "--flow", "last")
    assert r.returncode == 0, r.stderr
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert "∂L⟨T⟩/∂a⟨t⟩ (last loss only)" in svg
    assert "∂L⟨T⟩/∂a⟨t⟩ (last loss only)" not in (exported / "graph.svg").read_text(encoding="utf-8")
    # the data hold both flows whatever is shown
    assert (tmp_path / "gradients.csv").read_bytes() == (exported / "gradients.csv").read_bytes()


@pytest.mark.parametrize("opt, value", [("--clip-norm", 0.01), ("--clip-value", 0.001)])
def test_clipping_writes_the_clipped_gradients(tmp_path, exported, opt, value):
    r = run("export", "--out", tmp_path, "--text", TEXT, "--hidden", 8, "--seed", 3, opt, value)
    assert r.returncode == 0, r.stderr
    raw, clipped = load(tmp_path / "grads.npz"), load(tmp_path / "grads_clipped.npz")
    before = load(exported / "grads.npz")
    for k in raw:
        np.testing.assert_array_equal(raw[k], before[k])                  # grads.npz: before clipping
    if opt == "--clip-norm":
        norm = np.sqrt(sum(np.sum(v ** 2) for v in clipped.values()))
        assert norm == pytest.approx(value, rel=1e-9)
        for k in raw:
            np.testing.assert_allclose(clipped[k] * np.sqrt(sum(np.sum(v ** 2) for v in raw.values())) / value,
                                       raw[k], rtol=1e-9, atol=1e-15)
    else:
        assert max(np.max(np.abs(v)) for v in clipped.values()) == value
    assert "Clipping (" in (tmp_path / "gradients.svg").read_text(encoding="utf-8")


def test_gif_options_choose_passes_content_and_frames(tmp_path):
    from PIL import Image
    from tests.io.test_gif import gif_blocks

    r = run("export", "--out", tmp_path, "--text", TEXT, "--hidden", 8, "--gif-passes", "both",
            "--gif-content", "full", "--gif-frames", 6)
    assert r.returncode == 0, r.stderr
    data = (tmp_path / "bptt.gif").read_bytes()
    info = gif_blocks(data)
    assert len(info["frames"]) == 6 and info["global_table"] and not any(f[4] for f in info["frames"])
    im = Image.open(tmp_path / "bptt.gif")
    assert im.size == (1480, 600) and im.n_frames == 6
    r = run("export", "--out", tmp_path / "fwd", "--text", TEXT, "--hidden", 8, "--gif-passes", "forward")
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "fwd" / "bptt.gif").n_frames == len(TEXT) - 1


# ---------------------------------------------------------------------- progress
def test_progress_is_one_line_on_a_terminal_and_silent_otherwise(tmp_path, exported):
    import pty
    import select

    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "export", "--out", str(tmp_path / "o"),
                          "--text", TEXT, "--hidden", "8"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=slave, env=cli_env(), cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    p.wait(timeout=120)
    os.close(master)
    assert p.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "computing" in text and "figure 1 of 6" in text and "figure 6 of 6" in text
    assert f"bptt.gif: frame {len(TEXT) - 1} of {len(TEXT) - 1}" in text
    assert "\n" not in text.replace("\r\n", "\n").strip("\n")       # rewritten in place: no new lines
    assert text.rstrip("\r\n").endswith("\x1b[K")                     # and cleared at the end
    # not a terminal (the module's exported run): nothing on stderr at all
    r = run("export", "--out", tmp_path / "quiet", "--text", TEXT, "--hidden", 8)
    assert r.returncode == 0 and r.stderr == ""


def test_a_2_layer_bidirectional_lstm_exports_every_layer_gate_and_the_cell(tmp_path):
    out = tmp_path / "lstm"
    r = run("export", "--out", out, "--text", TEXT, "--cell", "lstm", "--layers", 2, "--bidirectional",
            "--hidden", 4, "--seed", 1)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    figures = {p.stem for p in out.iterdir() if p.suffix == ".csv"}
    # a<t> and c<t> of every layer-direction, the top layer's gates and candidate, the Cell view, all layers
    assert figures == {"graph", "outputs", "losses", "gradients", "gradients_all_layers", "influence", "cell",
                       "hidden_states", "hidden_states_l0", "hidden_states_l0_reverse", "hidden_states_l1_reverse",
                       "cell_states", "cell_states_l0", "cell_states_l0_reverse", "cell_states_l1_reverse",
                       "forget_gate", "update_gate", "output_gate", "candidate"}
    for stem in figures:
        assert (out / f"{stem}.png").stat().st_size > 0 and (out / f"{stem}.svg").stat().st_size > 0
    trace = load(out / "trace.npz")
    f = read_csv(out / "forget_gate.csv")
    np.testing.assert_array_equal([[float(row[f"Gamma_f<t>[{i + 1}]"]) for row in f] for i in range(4)],
                                  trace["l1.f"])
    c = read_csv(out / "cell_states_l0_reverse.csv")
    np.testing.assert_array_equal([[float(row[f"c<t>[{i + 1}]"]) for row in c] for i in range(4)],
                                  trace["l0_reverse.c"])
    g = read_csv(out / "gradients_all_layers.csv")
    np.testing.assert_allclose([float(row["l0_reverse ||dL/da<t>||"]) for row in g],
                               np.linalg.norm(trace["l0_reverse.da"], axis=0), rtol=1e-12)
    header = (out / "cell.csv").read_text().splitlines()[0]
    assert header.startswith("unit,step,a<t-1>,c<t-1>,Gamma_f<t>,Gamma_u<t>,c_tilde<t>,c<t>,Gamma_o<t>,a<t>")


def test_a_gru_exports_its_own_gates(tmp_path):
    out = tmp_path / "gru"
    r = run("export", "--out", out, "--text", TEXT, "--cell", "gru", "--hidden", 4)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    stems = {p.stem for p in out.iterdir() if p.suffix == ".csv"}
    assert {"reset_gate", "keep_gate", "candidate", "cell", "hidden_states"} <= stems
    assert not {"cell_states", "forget_gate", "gradients_all_layers"} & stems


def run_into_a_closed_pipe(*args, cwd=ROOT, unbuffered=None):
    """Run the CLI with its stdout a pipe whose reader has gone (as `| head -3` once head is done);
    unbuffered: PYTHONUNBUFFERED for it ("" buffered, "1" unbuffered; None: as this process has it)."""
    env = cli_env()
    if unbuffered is not None:
        env.pop("PYTHONUNBUFFERED", None)
        if unbuffered:
            env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
    proc.stdout.close()
    try:
        err = proc.stderr.read().decode("utf-8", "replace")
    finally:
        proc.stderr.close()
    return proc.wait(timeout=300), err


def test_a_closed_pipe_ends_every_command_quietly(tmp_path):
    """`rnnviz check f.py --json | head -3` ended in a BrokenPipeError traceback (report.py's print);
    every command now ends with 141 (128 + SIGPIPE, as a shell reports it) and nothing on stderr."""
    student = ROOT / "tests" / "checker" / "student.py"
    for args in (("check", student, "--json"), ("check", student),
                 ("export", "--out", tmp_path / "e", "--text", "hi", "--hidden", "2", "--gif-frames", "2"),
                 ("train", "--out", tmp_path / "t", "--task", "adding", "--length", "5", "--steps", "2")):
        code, err = run_into_a_closed_pipe(*args)
        assert (code, err) == (141, ""), (args, err)
    # a help too, whether Python's output is buffered or not (argparse dropped the error unbuffered: 0)
    for unbuffered in ("", "1"):
        assert run_into_a_closed_pipe("export", "--help", unbuffered=unbuffered) == (141, ""), unbuffered


def test_hidden_and_length_limits_are_one_check_with_one_exit_code(tmp_path):
    """`--hidden 0` exited 2 with argparse's "must be at least 1", `--hidden 100000` 1 with the run's own
    words: now both sides of --hidden (export and train) and of the tasks' --length are refused by the
    option itself, exit 2, naming the range, which --help states."""
    for command, src, opt, lo, hi in (("export", ("--text", TEXT), "--hidden", 1, 2048),
                                      ("train", ("--task", "adding"), "--hidden", 1, 2048),
                                      ("train", ("--task", "copy"), "--length", 2, 2000)):
        for bad in (lo - 1, hi + 1):
            r = run(command, "--out", tmp_path / "o", *src, opt, bad)
            assert r.returncode == 2, (command, opt, bad, r.stderr)
            assert f"argument {opt}: {bad} is out of range (from {lo} to {hi})" in one_line_error(r)
        helps = " ".join(run(command, "--help").stdout.split())
        assert f"{opt} {'T' if opt == '--length' else 'N'} " + ("hidden size n_a, " if opt == "--hidden" else
                                                               "the task's sequence length T, ") + f"{lo} to {hi}" in helps
    assert not (tmp_path / "o").exists()


def test_an_unknown_option_points_at_its_own_commands_help(tmp_path):
    for command in ("export", "train", "lesson"):
        given = {"export": ["--text", "hello"], "train": ["--text", "hello"], "lesson": ["vanishing"]}[command]
        args = [command, *given, "--out", str(tmp_path / command), "--bogus"]
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                           env=cli_env(tmp_path), cwd=ROOT, timeout=120)
        assert r.returncode == 2 and r.stderr.strip() == \
            f"rnnviz: error: unrecognized arguments: --bogus (see `rnnviz {command} --help`)", r.stderr


def ctrl_c_when(args, ready, home, poll=0.01, seconds=120):
    """`rnnviz ARGS` started as from a terminal (SIGINT not ignored), Ctrl-C once ready() says so (or it
    ended, or `seconds` passed); (exit code, stderr)."""
    import signal
    import time

    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *map(str, args)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=cli_env(home), cwd=ROOT,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as a terminal's
    try:
        deadline = time.monotonic() + seconds
        while not ready() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(poll)
        p.send_signal(signal.SIGINT)          # Ctrl-C
        _stdout, stderr = p.communicate(timeout=seconds)
    finally:
        if p.poll() is None:
            p.kill()
    return p.returncode, stderr
