"""Import weights from .npz: the notes' names (Wax, Waa, Wya, ba, by) or PyTorch's state_dict names
of nn.RNN / nn.GRU / nn.LSTM (any layers, bidirectional, encoder. / decoder.), plus the read-out Wya,
by. Which model the file holds is read from its names and shapes (rnnviz.core.naming).
An optional `vocab` array (one string per input row) names the characters of text weights.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from rnnviz.core.naming import read_model
from rnnviz.core.params import check_model_params
from rnnviz.core.spec import ModelSpec

from .npz import load_npz, save_npz


@dataclass(frozen=True)
class ImportedWeights:
    params: dict                      # in the model's public names, float64
    vocab: tuple[str, ...] | None     # characters of the input rows, when the file names them
    naming: str                       # "notes" or "pytorch"
    spec: ModelSpec                   # the model the file describes (its activation is the caller's)

    @property
    def n_x(self) -> int:
        return self.spec.n_x

    @property
    def n_a(self) -> int:
        return self.spec.n_a

    @property
    def n_y(self) -> int:
        return self.spec.n_y

    @property
    def cell(self) -> str:
        return self.spec.cell


def _vocab(arrays: dict, n_x: int, label: str) -> tuple[str, ...] | None:
    if "vocab" not in arrays:
        return None
    v = arrays["vocab"]
    if v.dtype.kind != "U" or v.ndim != 1:
        raise ValueError(f"{label}: vocab must be a 1-D array of strings, not {v.dtype} {v.shape}")
    vocab = tuple(str(c) for c in v)
    if len(vocab) != n_x:
        raise ValueError(f"{label}: vocab has {len(vocab)} characters but Wax expects n_x = {n_x} inputs")
    if len(set(vocab)) != len(vocab):
        raise ValueError(f"{label}: vocab lists a character twice")
    return vocab


def params_from_arrays(arrays: dict, label: str = "weights", cell: str | None = None) -> ImportedWeights:
    """Recognise the naming and the model, convert and check the weights (ValueError naming the problem)."""
    spec, p, naming = read_model(arrays, label, cell)
    try:
        check_model_params(spec, p)
    except ValueError as e:
        raise ValueError(f"{label}: {e}") from None
    for what, n in (("hidden units n_a (rows of the recurrent weights)", spec.n_a),
                    ("inputs n_x (columns of the input weights)", spec.n_x), ("outputs n_y (rows of Wya)", spec.n_y)):
        if n < 1:
            raise ValueError(f"{label}: the weights have no {what}; an RNN needs at least one")
    return ImportedWeights(p, _vocab(arrays, spec.n_x, label), naming, spec)


def load_weights(path: str | os.PathLike, cell: str | None = None) -> ImportedWeights:
    return params_from_arrays(load_npz(path), str(path), cell)


def check_fits(w: ImportedWeights, seq) -> None:
    """ValueError when the weights can't run on this sequence (sizes, or the text's characters)."""
    if w.vocab is not None and seq.kind == "text" and tuple(seq.vocab) != w.vocab:
        extra = sorted(set(seq.vocab) - set(w.vocab))
        if extra:
            shown = " ".join(repr(c) for c in extra[:5])
            raise ValueError(f"the text uses characters the weights don't know: {shown}")
        raise ValueError(f"the weights were made for the characters {''.join(w.vocab)!r}; the text "
                         f"uses {''.join(seq.vocab)!r}: type a text with exactly those characters")
    if w.n_x != seq.n_x:
        raise ValueError(f"the weights expect inputs of size n_x = {w.n_x}, but the sequence has n_x = {seq.n_x}")
    if w.n_y != seq.n_y:
        raise ValueError(f"the weights give outputs of size n_y = {w.n_y}, but the task needs n_y = {seq.n_y}")


def save_params(path: str | os.PathLike, params: dict) -> None:
    """params.npz in the model's public names (the notes' or PyTorch's), float64, written atomically."""
    save_npz(path, {k: np.asarray(v, dtype=np.float64) for k, v in params.items()})
