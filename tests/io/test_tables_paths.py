import csv
import io
import os

import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence
from rnnviz.io import paths
from rnnviz.io.atomic import check_writable_dir
from rnnviz.io.npz import load_npz
from rnnviz.io.tables import TABLES, csv_text, gradients_table, losses_table, save_trace_npz, write_csv


@pytest.fixture(params=["hello world", "0.1 0.5 -2 0.3"])
def trace(request):
    seq = make_sequence(request.param)
    return compute_trace(init_params(seq.n_x, 5, seq.n_y, seed=1), seq, influence=True)


def test_trace_npz_shapes_and_values(tmp_path, trace):
    save_trace_npz(tmp_path / "trace.npz", trace)
    z = load_npz(tmp_path / "trace.npz")
    T, n_a = trace.T, trace.n_a
    assert z["x"].shape == (trace.n_x, T) and z["a"].shape == (n_a, T) and z["y_hat"].shape == (trace.n_y, T)
    assert z["loss"].shape == z["targets"].shape == (T,)
    assert z["da"].shape == z["da_last"].shape == (n_a, T)
    assert np.array_equal(z["da"], trace.da[:, 0]) and np.array_equal(z["loss"], trace.loss)
    if trace.seq.target_index is not None:
        assert z["targets"].dtype.kind == "i" and np.array_equal(np.argmax(trace.y[:, 0], axis=0), z["targets"])
    else:
        assert np.array_equal(z["targets"], trace.y[0, 0])


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_csv_rows_match_the_trace(tmp_path, trace):
    write_csv(tmp_path / "losses.csv", *losses_table(trace))
    write_csv(tmp_path / "gradients.csv", *gradients_table(trace))
    rows = read_csv(tmp_path / "losses.csv")
    assert len(rows) == trace.T
    assert [float(r["L<t>"]) for r in rows] == trace.loss.tolist()
    assert [int(r["step"]) for r in rows] == list(range(1, trace.T + 1))
    np.testing.assert_allclose([float(r["L<1>+...+L<t>"]) for r in rows], np.cumsum(trace.loss))
    rows = read_csv(tmp_path / "gradients.csv")
    assert [float(r["||dL/da<t>||"]) for r in rows] == trace.da_norm.tolist()
    assert [float(r["||dL<T>/da<t>||"]) for r in rows] == trace.da_last_norm.tolist()


def test_every_table_has_a_1_based_step_column_and_one_row_per_step(trace):
    for name, table in TABLES.items():
        header, rows = table(trace)
        assert header[0] in ("step", "t"), name
        assert len(set(header)) == len(header), name
        assert len(rows) == trace.T and all(len(r) == len(header) for r in rows), name
        assert [r[0] for r in rows] == list(range(1, trace.T + 1)), name


def test_tables_use_the_notes_names_and_the_real_values(trace):
    header, rows = TABLES["hidden_states"](trace)
    assert header == ["step", "x<t>"] + [f"a<t>[{i}]" for i in range(1, trace.n_a + 1)]
    assert rows[2][2:] == trace.a[:, 0, 2].tolist()
    header, rows = TABLES["graph"](trace)
    assert header == ["step", "x<t>", "||a<t>||", "prediction", "y<t>", "L<t>", "||dL/da<t>||", "||dL<T>/da<t>||"]
    assert rows[-1][6] == pytest.approx(float(trace.da_norm[-1]))
    header, rows = TABLES["outputs"](trace)
    if trace.seq.target_index is not None:
        assert rows[0][1] == "h" and rows[0][2] == "e"
        assert f"y_hat<t>[{trace.seq.vocab[0]}]" in header
    else:
        assert rows[0][1] == 0.1 and rows[0][2] == 0.5      # the numbers themselves, not rounded labels
        assert header[-1] == "y_hat<t>" and rows[1][-1] == float(trace.y_hat[0, 0, 1])


def test_influence_table_is_the_lower_triangle(trace):
    header, rows = TABLES["influence"](trace)
    T = trace.T
    assert header == ["t"] + [f"||dL<t>/da<{k}>||" for k in range(1, T + 1)]
    for t in range(T):
        assert rows[t][1: t + 2] == trace.influence[t, : t + 1].tolist()
        assert rows[t][t + 2:] == [None] * (T - t - 1)
    text = csv_text(header, rows).splitlines()
    assert text[1].endswith("," * (T - 1))                # k > t: empty cells


def test_csv_text_quotes_like_rfc_4180_and_reads_back():
    rows = [["a,b", 'say "hi"', 1, 0.1], ["line\nbreak", "cr\rhere", -2, float("inf")],
            ["", " space ", 3, float("nan")], ["é", None, 4, 1e-300]]
    text = csv_text(["x", "y", "n", "v"], rows)
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == ["x", "y", "n", "v"]
    assert back[1:] == [["a,b", 'say "hi"', "1", "0.1"], ["line\nbreak", "cr\rhere", "-2", "inf"],
                        ["", " space ", "3", "nan"], ["é", "", "4", "1e-300"]]


def test_one_to_many_lists_the_fed_back_targets_as_inputs():
    seq = make_sequence("hello")     # teacher forcing: after x<1>, each input is the previous target
    tr = compute_trace(init_params(seq.n_x, 3, seq.n_y, seed=1), seq, architecture="one-to-many")
    header, rows = TABLES["losses"](tr)
    assert [r[1] for r in rows] == ["h", "e", "l", "l"] and [r[2] for r in rows] == ["e", "l", "l", "o"]


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
