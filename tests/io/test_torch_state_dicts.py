"""PyTorch's own numbers: state_dicts of nn.RNN / nn.GRU / nn.LSTM (1-3 layers, bidirectional) saved with
np.savez import unchanged, and the engine reproduces what PyTorch computed with them (outputs, per-step
cross-entropy, every gradient) to 1e-12. The fixtures were written by tests/data/make_torch_fixtures.py
with torch 2.13 in float64; torch itself is not needed here."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnviz.core.compute import compute_trace
from rnnviz.core.sequences import text_sequence
from rnnviz.io.weights import load_weights, save_params

DATA = Path(__file__).parent.parent / "data"
FIXTURES = sorted(p for p in DATA.glob("torch_*.npz") if not p.name.endswith(".expected.npz"))


def sequence_of(ids, V):
    vocab = tuple("abcdefghij"[:V])
    return text_sequence("".join(vocab[i] for i in ids), vocab)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_engine_reproduces_pytorch(path, tmp_path):
    f = dict(np.load(path, allow_pickle=False))
    f.update(np.load(path.with_suffix(".expected.npz"), allow_pickle=False))
    w = load_weights(path)
    kind = path.stem.split("_")[1]
    assert w.cell == kind and w.naming == "pytorch"
    seq = sequence_of(f["ids"], w.n_x)
    spec = w.spec
    tr = compute_trace(w.params, seq, cell=spec.cell, layers=spec.layers, bidirectional=spec.bidirectional)
    np.testing.assert_allclose(tr.a[:, 0, :].T, f["out"], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(tr.loss, f["losses"], rtol=1e-12, atol=1e-13)
    if spec.notes_naming:      # a one-layer nn.RNN arrives under the notes' names
        pairs = {"Wax": "weight_ih_l0", "Waa": "weight_hh_l0", "Wya": "Wya", "by": "by"}
        for ours, theirs in pairs.items():
            np.testing.assert_allclose(tr.grads[ours].reshape(f["grad." + theirs].shape), f["grad." + theirs],
                                       rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(tr.grads["ba"][:, 0], f["grad.bias_ih_l0"], rtol=1e-11, atol=1e-13)
        return
    for k, g in tr.grads.items():
        np.testing.assert_allclose(g.reshape(f["grad." + k].shape), f["grad." + k], rtol=1e-11, atol=1e-13,
                                   err_msg=k)
    # and back: params.npz in PyTorch's names and shapes (a state_dict for load_state_dict)
    save_params(tmp_path / "p.npz", tr.params)
    again = dict(np.load(tmp_path / "p.npz", allow_pickle=False))
    assert set(again) == set(np.load(path, allow_pickle=False).files)
    for k in again:
        if k != "by":                       # by is ours, a column (n_y, 1) as in the notes
            assert again[k].shape == f[k].shape, k
        np.testing.assert_array_equal(again[k].reshape(f[k].shape), f[k])


def test_cell_option_must_agree(tmp_path):
    path = DATA / "torch_lstm_l1.npz"
    with pytest.raises(ValueError, match="holds a LSTM"):
        load_weights(path, cell="gru")
    assert load_weights(path, cell="lstm").spec.cell == "lstm"
