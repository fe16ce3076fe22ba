"""Import weights from .npz: the notes' names (Wax, Waa, Wya, ba, by) or PyTorch nn.RNN names.

PyTorch's nn.RNN(n_x, n_a) state_dict holds weight_ih_l0 (n_a, n_x), weight_hh_l0 (n_a, n_a),
bias_ih_l0 and bias_hh_l0 (n_a,); it has no read-out, so Wya (n_y, n_a) and by (n_y,) come under
the notes' names. The two biases add up: z<t> = Waa a<t-1> + Wax x<t> + (b_ih + b_hh).
An optional `vocab` array (one string per input row) names the characters of text weights.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from rnnviz.core.params import PARAM_NAMES, check_params

from .npz import load_npz, save_npz

TORCH_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
_TORCH_KEY = re.compile(r"^(?:(.*)\.)?(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")


@dataclass(frozen=True)
class ImportedWeights:
    params: dict                      # Wax, Waa, Wya, ba, by as float64 2-D arrays
    vocab: tuple[str, ...] | None     # characters of the input rows, when the file names them
    naming: str                       # "notes" or "pytorch"

    @property
    def n_x(self) -> int:
        return int(self.params["Wax"].shape[1])

    @property
    def n_a(self) -> int:
        return int(self.params["Waa"].shape[0])

    @property
    def n_y(self) -> int:
        return int(self.params["Wya"].shape[0])


def _numeric(name: str, v: np.ndarray, label: str) -> np.ndarray:
    if v.dtype == object or not (np.issubdtype(v.dtype, np.number) or v.dtype == bool):
        raise ValueError(f"{label}: {name} must hold numbers, not {v.dtype}")
    if np.iscomplexobj(v):
        raise ValueError(f"{label}: {name} holds complex numbers; weights must be real")
    v = v.astype(np.float64)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{label}: {name} contains NaN or infinity")
    return v


def _column(name: str, v: np.ndarray, label: str) -> np.ndarray:
    """A bias as a column (n, 1); accepts (n,) as PyTorch stores it."""
    if v.ndim == 1:
        return v[:, None]
    if v.ndim == 2 and v.shape[1] == 1:
        return v
    raise ValueError(f"{label}: the bias {name} must have shape (n,) or (n, 1), not {v.shape}")


def _from_torch(arrays: dict, label: str) -> dict:
    found = {}
    for k in arrays:
        m = _TORCH_KEY.match(k)
        if m:
            found[k] = m
    layers = {int(m.group(4)) for m in found.values()}
    if any(m.group(5) for m in found.values()):
        raise ValueError(f"{label}: a bidirectional RNN (keys ending in _reverse); rnnviz shows one direction")
    if layers - {0}:
        raise ValueError(f"{label}: a {max(layers) + 1}-layer RNN; rnnviz shows a one-layer RNN (keys *_l0)")
    prefixes = {m.group(1) for m in found.values()}
    if len(prefixes) > 1:
        raise ValueError(f"{label}: weights of several RNNs ({', '.join(sorted(map(str, prefixes)))})")
    pre = (prefixes.pop() + ".") if prefixes and None not in prefixes else ""
    missing = [pre + k for k in TORCH_NAMES if pre + k not in arrays]
    missing += [k for k in ("Wya", "by") if k not in arrays]
    if missing:
        raise ValueError(f"{label}: missing {', '.join(missing)} (PyTorch nn.RNN names plus the read-out Wya, by)")
    b_ih = _numeric(pre + "bias_ih_l0", arrays[pre + "bias_ih_l0"], label)
    b_hh = _numeric(pre + "bias_hh_l0", arrays[pre + "bias_hh_l0"], label)
    if b_ih.shape != b_hh.shape:
        raise ValueError(f"{label}: bias_ih_l0 has shape {b_ih.shape} but bias_hh_l0 has {b_hh.shape}")
    return {
        "Wax": _numeric(pre + "weight_ih_l0", arrays[pre + "weight_ih_l0"], label),
        "Waa": _numeric(pre + "weight_hh_l0", arrays[pre + "weight_hh_l0"], label),
        "ba": _column("bias_ih_l0 + bias_hh_l0", b_ih + b_hh, label),
        "Wya": _numeric("Wya", arrays["Wya"], label),
        "by": _column("by", _numeric("by", arrays["by"], label), label),
    }


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


def params_from_arrays(arrays: dict, label: str = "weights") -> ImportedWeights:
    """Recognise the naming, convert and check the weights (ValueError naming the problem)."""
    if all(k in arrays for k in PARAM_NAMES):
        naming = "notes"
        p = {k: _numeric(k, arrays[k], label) for k in PARAM_NAMES}
        p["ba"] = _column("ba", p["ba"], label)
        p["by"] = _column("by", p["by"], label)
    elif any(_TORCH_KEY.match(k) for k in arrays):
        naming = "pytorch"
        p = _from_torch(arrays, label)
    else:
        missing = [k for k in PARAM_NAMES if k not in arrays]
        have = ", ".join(sorted(arrays)) or "nothing"
        raise ValueError(f"{label}: missing {', '.join(missing)} (found {have}); expected the notes' names "
                         f"Wax, Waa, Wya, ba, by or PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, "
                         f"bias_hh_l0 with Wya, by")
    try:
        n_x, n_a, n_y = check_params(p)
    except ValueError as e:
        raise ValueError(f"{label}: {e}") from None
    for what, n in (("hidden units n_a (rows of Waa)", n_a), ("inputs n_x (columns of Wax)", n_x),
                    ("outputs n_y (rows of Wya)", n_y)):
        if n < 1:
            raise ValueError(f"{label}: the weights have no {what}; an RNN needs at least one")
    return ImportedWeights(p, _vocab(arrays, p["Wax"].shape[1], label), naming)


def load_weights(path: str | os.PathLike) -> ImportedWeights:
    return params_from_arrays(load_npz(path), str(path))


def check_fits(w: ImportedWeights, seq) -> None:
    """ValueError when the weights can't run on this sequence (sizes, or the text's characters)."""
    if w.vocab is not None and seq.kind == "text" and tuple(seq.vocab) != w.vocab:
        extra = sorted(set(seq.vocab) - set(w.vocab))
        if extra:
            shown = " ".join(repr(c) for c in extra[:5])
            raise ValueError(f"the text uses characters the weights don't know: {shown}")
        raise ValueError(f"the weights were made for the characters {''.join(w.vocab)!r}; the text "
                         f"uses {''.join(seq.vocab)!r}: type a text with exactly those characters")
    check_params(w.params, seq.n_x, seq.n_y)


def save_params(path: str | os.PathLike, params: dict) -> None:
    """params.npz in the notes' names, float64, written atomically."""
    save_npz(path, {k: np.asarray(params[k], dtype=np.float64) for k in PARAM_NAMES})
