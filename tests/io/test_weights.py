import numpy as np
import pytest

from rnnviz.core import compute_trace, init_params, make_sequence
from rnnviz.io.npz import load_npz, save_npz
from rnnviz.io.weights import check_fits, load_weights, params_from_arrays, save_params


def torch_dict(p, prefix=""):
    """nn.RNN state_dict names built by hand: the bias ba split in two parts."""
    n_a = p["Waa"].shape[0]
    b_ih = np.linspace(-0.3, 0.3, n_a)
    return {
        prefix + "weight_ih_l0": p["Wax"], prefix + "weight_hh_l0": p["Waa"],
        prefix + "bias_ih_l0": b_ih, prefix + "bias_hh_l0": p["ba"][:, 0] - b_ih,
        "Wya": p["Wya"], "by": p["by"][:, 0],
    }


@pytest.fixture
def params():
    p = init_params(8, 5, 8, seed=3)
    p["ba"] = np.arange(5.0)[:, None] / 10
    return p


def test_notes_names_round_trip(tmp_path, params):
    save_params(tmp_path / "w.npz", params)
    w = load_weights(tmp_path / "w.npz")
    assert w.naming == "notes" and (w.n_x, w.n_a, w.n_y) == (8, 5, 8)
    for k in params:
        assert np.array_equal(w.params[k], params[k])


@pytest.mark.parametrize("prefix", ["", "rnn."])
def test_pytorch_names_give_the_same_forward_pass(tmp_path, params, prefix):
    save_npz(tmp_path / "t.npz", torch_dict(params, prefix))
    w = load_weights(tmp_path / "t.npz")
    assert w.naming == "pytorch"
    seq = make_sequence("hello world")
    a = compute_trace(params, seq)
    b = compute_trace(w.params, seq)
    np.testing.assert_allclose(b.a, a.a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.y_hat, a.y_hat, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w.params["ba"], params["ba"], atol=1e-15)


def test_vocab_key(tmp_path, params):
    seq = make_sequence("hello world")
    arrays = dict(params, vocab=np.array(seq.vocab))
    w = params_from_arrays(arrays)
    assert w.vocab == seq.vocab
    check_fits(w, seq)
    with pytest.raises(ValueError, match="don't know"):
        check_fits(w, make_sequence("hello worlz"))


@pytest.mark.parametrize("change, match", [
    (lambda a: a.pop("Waa"), "missing Waa"),
    (lambda a: a.update(Waa=np.zeros((4, 4))), "shape"),
    (lambda a: a.update(Wax=np.full((5, 8), np.nan)), "NaN"),
    (lambda a: a.update(Wya=np.array([["a"] * 5] * 8)), "numbers"),
    (lambda a: a.update(ba=np.zeros((5, 2))), "bias"),
    (lambda a: a.update(vocab=np.array(list("abc"))), "vocab"),
])
def test_bad_weights_are_refused_clearly(tmp_path, params, change, match):
    arrays = dict(params)
    change(arrays)
    save_npz(tmp_path / "bad.npz", arrays)
    with pytest.raises(ValueError, match=match):
        load_weights(tmp_path / "bad.npz")


def test_torch_multi_layer_and_missing_readout(tmp_path, params):
    d = torch_dict(params)
    d["weight_ih_l1"] = d["weight_ih_l0"]          # a second layer that reads n_x, not n_a, inputs
    with pytest.raises(ValueError, match=r"weight_ih_l1 has shape \(5, 8\), expected \(5, 5\)"):
        params_from_arrays(d)
    d["weight_ih_l1"] = d["weight_hh_l0"]          # the right shape, but half a layer
    with pytest.raises(ValueError, match="missing weight_hh_l1"):
        params_from_arrays(d)
    d = torch_dict(params)
    del d["Wya"]
    with pytest.raises(ValueError, match="Wya"):
        params_from_arrays(d)


def test_object_arrays_are_never_unpickled(tmp_path):
    f = tmp_path / "obj.npz"
    np.savez(f, Wax=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ValueError, match="never unpickles"):
        load_weights(f)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04garbage"])
def test_corrupt_and_missing_files(tmp_path, content):
    f = tmp_path / "c.npz"
    f.write_bytes(content)
    with pytest.raises(ValueError, match="not a valid .npz") as e:
        load_weights(f)
    assert "unsafely" not in str(e.value) and "allow_pickle" not in str(e.value)  # never advise unpickling
    with pytest.raises(ValueError, match="no such file"):
        load_weights(tmp_path / "missing.npz")


def test_sizes_must_fit_the_sequence(params):
    w = params_from_arrays(params)
    with pytest.raises(ValueError, match="n_x"):
        check_fits(w, make_sequence("abc"))


def test_save_npz_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "p.npz"
    save_npz(target, {"a": np.ones(3)})
    def boom(f, **kw):
        f.write(b"half")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(ValueError, match="disk full"):
        save_npz(target, {"a": np.zeros(3)})
    assert np.array_equal(load_npz(target)["a"], np.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["p.npz"]
