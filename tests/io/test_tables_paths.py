import csv
import os

import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence
from rnnviz.io import paths
from rnnviz.io.atomic import check_writable_dir
from rnnviz.io.npz import load_npz
from rnnviz.io.tables import gradient_table, loss_table, save_trace_npz, write_csv


@pytest.fixture(params=["hello world", "0.1 0.5 -2 0.3"])
def trace(request):
    seq = make_sequence(request.param)
    return compute_trace(init_params(seq.n_x, 5, seq.n_y, seed=1), seq)


def test_trace_npz_shapes_and_values(tmp_path, trace):
    save_trace_npz(tmp_path / "trace.npz", trace)
    z = load_npz(tmp_path / "trace.npz")
    T, n_a = trace.T, trace.n_a
    assert z["x"].shape == (trace.n_x, T) and z["a"].shape == (n_a, T) and z["y_hat"].shape == (trace.n_y, T)
    assert z["loss"].shape == z["targets"].shape == (T,)
    assert z["da"].shape == z["da_last"].shape == (n_a, T)
    assert np.array_equal(z["da"], trace.da[:, 0]) and np.array_equal(z["loss"], trace.loss)
    if trace.seq.kind == "text":
        assert z["targets"].dtype.kind == "i" and np.array_equal(np.argmax(trace.y[:, 0], axis=0), z["targets"])
    else:
        assert np.array_equal(z["targets"], trace.y[0, 0])


def test_csv_rows_match_the_trace(tmp_path, trace):
    write_csv(tmp_path / "losses.csv", *loss_table(trace))
    write_csv(tmp_path / "gradients.csv", *gradient_table(trace))
    with open(tmp_path / "losses.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == trace.T
    assert [float(r["loss"]) for r in rows] == trace.loss.tolist()
    assert [int(r["step"]) for r in rows] == list(range(1, trace.T + 1))
    with open(tmp_path / "gradients.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["da_norm"]) for r in rows] == trace.da_norm.tolist()
    assert [float(r["da_last_norm"]) for r in rows] == trace.da_last_norm.tolist()


def test_text_csv_keeps_spaces(tmp_path):
    seq = make_sequence("a b")
    tr = compute_trace(init_params(seq.n_x, 3, seq.n_y), seq)
    write_csv(tmp_path / "l.csv", *loss_table(tr))
    with open(tmp_path / "l.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["target"] == " " and rows[1]["input"] == " "


def test_unwritable_folders(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        check_writable_dir(tmp_path / "file")
    with pytest.raises(ValueError, match="can't create"):
        check_writable_dir(tmp_path / "file" / "sub")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        with pytest.raises(ValueError, match="not writable"):
            check_writable_dir(ro)


def test_settings_dir_and_recent_files(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    assert paths.settings_dir() == tmp_path / "home" and (tmp_path / "home").is_dir()
    assert paths.last_session_path().parent == tmp_path / "home"
    files = [tmp_path / f"{i}.rnnviz" for i in range(3)]
    for f in files:
        f.write_text("x")
        paths.add_recent_file(f)
    paths.add_recent_file(files[0])
    assert paths.recent_files() == [files[0], files[2], files[1]]
    files[2].unlink()
    assert paths.recent_files() == [files[0], files[1]]
    (tmp_path / "home" / "recent.json").write_text("{damaged")
    assert paths.recent_files() == []
