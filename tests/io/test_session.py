import json
import zipfile

import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence
from rnnviz.io.session import FORMAT_VERSION, Session, load_session, save_session

SETTINGS = {"source": "hello world", "kind": "auto", "hidden": 6, "activation": "tanh", "loss": "auto",
            "architecture": "many-to-many", "radius": 1.3, "seed": 4, "flow": "last",
            "clip_mode": "norm", "clip_threshold": 2.5}


def make_session():
    seq = make_sequence(SETTINGS["source"])
    p = init_params(seq.n_x, 6, seq.n_y, seed=4, radius=1.3)
    return Session(dict(SETTINGS), p, "imported", position=15,
                   view={"theme": "dark", "presentation": True}, compare=dict(SETTINGS, hidden=3))


def test_round_trip_gives_the_identical_trace(tmp_path):
    s = make_session()
    save_session(tmp_path / "a.rnnviz", s)
    back = load_session(tmp_path / "a.rnnviz")
    assert back.settings == SETTINGS and isinstance(back.settings["hidden"], int)
    assert back.position == 15 and back.view == {"theme": "dark", "presentation": True}
    assert back.weights_origin == "imported" and back.compare["hidden"] == 3
    seq = make_sequence(back.settings["source"])
    a, b = compute_trace(s.params, seq), compute_trace(back.params, seq)
    assert np.array_equal(a.a, b.a) and np.array_equal(a.y_hat, b.y_hat)
    for k in a.grads:
        assert np.array_equal(a.grads[k], b.grads[k])


def test_file_is_one_zip_with_json_and_npz(tmp_path):
    save_session(tmp_path / "a.rnnviz", make_session())
    with zipfile.ZipFile(tmp_path / "a.rnnviz") as z:
        assert set(z.namelist()) == {"session.json", "params.npz"}
        doc = json.loads(z.read("session.json"))
    assert doc["version"] == FORMAT_VERSION and doc["cursor"] == {"position": 15, "t": 4, "phase": "backward"}
    assert doc["sequence"]["T"] == 10


def _rewrite(path, change):
    with zipfile.ZipFile(path) as z:
        doc = json.loads(z.read("session.json"))
        npz = z.read("params.npz")
    change(doc)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("session.json", json.dumps(doc))
        z.writestr("params.npz", npz)


@pytest.mark.parametrize("change, match", [
    (lambda d: d.update(version=FORMAT_VERSION + 1), "newer rnnviz"),
    (lambda d: d.update(format="something"), "not an rnnviz session"),
    (lambda d: d["settings"].update(hidden="many"), "hidden should be int"),
    (lambda d: d["settings"].update(source="x"), "sequence is not valid"),
    (lambda d: d["settings"].update(source="0.1 0.2 0.3"), "don't fit"),
    (lambda d: d["cursor"].update(position=1.5), "cursor"),
    (lambda d: d.update(compare={"hidden": -1}), "compare settings are not valid"),   # opened silently
])
def test_bad_sessions_are_refused_clearly(tmp_path, change, match):
    f = tmp_path / "a.rnnviz"
    save_session(f, make_session())
    _rewrite(f, change)
    with pytest.raises(ValueError, match=match):
        load_session(f)


@pytest.mark.parametrize("content", [b"", b"{not json", b"PK\x03\x04broken"])
def test_corrupt_session_files(tmp_path, content):
    f = tmp_path / "c.rnnviz"
    f.write_bytes(content)
    with pytest.raises(ValueError, match="not an rnnviz session"):
        load_session(f)


def test_damaged_json_inside(tmp_path):
    f = tmp_path / "d.rnnviz"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("session.json", "{oops")
    with pytest.raises(ValueError, match="damaged"):
        load_session(f)


def test_seeded_session_without_weights(tmp_path):
    save_session(tmp_path / "s.rnnviz", Session(dict(SETTINGS), None, "seed", position=99))
    back = load_session(tmp_path / "s.rnnviz")
    assert back.params is None and back.weights_origin == "seed" and back.position == 19


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    f = tmp_path / "a.rnnviz"
    save_session(f, make_session())
    before = f.read_bytes()
    bad = make_session()
    bad.settings["source"] = "x"  # refuses before writing anything
    with pytest.raises(ValueError):
        save_session(f, bad)
    monkeypatch.setattr(zipfile.ZipFile, "writestr", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(ValueError, match="disk full"):
        save_session(f, make_session())
    assert f.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.rnnviz"]


def test_training_members_round_trip_and_format_2_without_them(tmp_path):
    """Sessions keep format 2: the training is an optional JSON key plus training.npz; a file without
    them (any format-2 file) reads as before, with no training."""
    import json
    import zipfile

    from rnnviz.core.params import init_model_params
    from rnnviz.core.spec import ModelSpec
    from rnnviz.core.tasks import text_task
    from rnnviz.core.train_state import trainer_from_data, trainer_to_data
    from rnnviz.core.training import Trainer, TrainSettings
    from rnnviz.io.session import FORMAT_VERSION, Session, load_session, save_session

    task = text_task("hello world", 5)
    spec = ModelSpec("rnn", "tanh", task.n_x, 4, task.n_y)
    tr = Trainer(spec, init_model_params(spec), task, TrainSettings(snapshot_every=3))
    for _ in tr.train(7):
        pass
    doc, arrays = trainer_to_data(tr)
    s = Session(settings={"source": "hello world"}, training={"runs": [doc], "panel": {}},
                training_arrays={f"0:{k}": v for k, v in arrays.items()})
    p = save_session(tmp_path / "t.rnnviz", s)
    with zipfile.ZipFile(p) as z:
        assert set(z.namelist()) == {"session.json", "training.npz"}
        assert json.loads(z.read("session.json"))["version"] == FORMAT_VERSION == 2
    back = load_session(p)
    again = trainer_from_data(back.training["runs"][0], {k[2:]: v for k, v in back.training_arrays.items()})
    assert again.updates == 7 and [u for u, _ in again.snapshots] == [0, 3, 6]
    for k in tr.params:
        assert (again.params[k] == tr.params[k]).all()
    plain = load_session(save_session(tmp_path / "plain.rnnviz", Session(settings={"source": "abc"})))
    assert plain.training is None and plain.training_arrays is None
