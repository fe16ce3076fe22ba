"""Which model a dictionary of weights describes, from its names and shapes alone (no files here).

Accepted: the notes' Wax Waa Wya ba by (a one-layer vanilla RNN), or PyTorch's nn.RNN / nn.GRU /
nn.LSTM state_dict names (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, _reverse for the
backward direction, an optional module prefix such as "rnn.", encoder. / decoder. for an
encoder–decoder) plus the read-out Wya, by. The cell follows from weight_hh_l0's shape (G n_a, n_a):
G = 1 RNN, 3 GRU, 4 LSTM. A one-layer vanilla RNN given in PyTorch's names becomes the notes' names
(ba = bias_ih_l0 + bias_hh_l0), as the engine names it.
"""
from __future__ import annotations

import re

import numpy as np

from .spec import GATES, NOTES_NAMES, ModelSpec

TORCH_KEY = re.compile(r"^(?:(.*)\.)?(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")
CELL_OF_GATES = {g: c for c, g in GATES.items()}


def _number_array(name: str, v, label: str) -> np.ndarray:
    v = np.asarray(v)
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


def read_model(arrays: dict, label: str = "weights", cell: str | None = None, activation: str = "tanh"
               ) -> tuple[ModelSpec, dict, str]:
    """(spec, params in the spec's public names, naming "notes" | "pytorch"); ValueError naming the
    problem. `cell`, if given, must agree with what the shapes say."""
    if all(k in arrays for k in NOTES_NAMES):
        p = {k: _number_array(k, arrays[k], label) for k in NOTES_NAMES}
        p["ba"] = _column("ba", p["ba"], label)
        p["by"] = _column("by", p["by"], label)
        for k in ("Wax", "Waa", "Wya"):
            if p[k].ndim != 2:
                raise ValueError(f"{label}: {k} must be a 2-D array, not shape {p[k].shape}")
        if cell not in (None, "rnn"):
            raise ValueError(f"{label} holds a vanilla RNN (the notes' Wax, Waa, ...), not a {cell.upper()}")
        spec = ModelSpec("rnn", activation, p["Wax"].shape[1], p["Waa"].shape[0], p["Wya"].shape[0])
        return spec, p, "notes"
    found = {k: TORCH_KEY.match(k) for k in arrays}
    found = {k: m for k, m in found.items() if m}
    if not found:
        missing = [k for k in NOTES_NAMES if k not in arrays]
        have = ", ".join(sorted(arrays)[:12]) or "nothing"
        raise ValueError(f"{label}: missing {', '.join(missing)} (found {have}); expected the notes' names "
                         "Wax, Waa, Wya, ba, by or PyTorch's weight_ih_l0, weight_hh_l0, bias_ih_l0, "
                         "bias_hh_l0 (GRU, LSTM, more layers, _reverse) with Wya, by")
    prefixes = sorted({m.group(1) or "" for m in found.values()})
    enc_dec = prefixes == ["decoder", "encoder"]
    if len(prefixes) > 1 and not enc_dec:
        raise ValueError(f"{label}: weights of several RNNs ({', '.join(p or '(none)' for p in prefixes)}); "
                         "an encoder–decoder uses the prefixes encoder. and decoder.")
    pre = [f"{p}." if p else "" for p in prefixes] if not enc_dec else ["encoder.", "decoder."]
    layers = 1 + max(int(m.group(4)) for m in found.values())
    bidir = any(m.group(5) for m in found.values())
    hh0 = f"{pre[0]}weight_hh_l0"
    if hh0 not in arrays:
        raise ValueError(f"{label}: missing {hh0}")
    W = _number_array(hh0, arrays[hh0], label)
    if W.ndim != 2 or W.shape[1] == 0 or W.shape[0] % W.shape[1]:
        raise ValueError(f"{label}: {hh0} has shape {W.shape}; PyTorch's is (G n_a, n_a) with G = 1, 3 or 4")
    n_a, G = W.shape[1], W.shape[0] // W.shape[1]
    if G not in CELL_OF_GATES:
        raise ValueError(f"{label}: {hh0} stacks {G} gates; an RNN has 1, a GRU 3, an LSTM 4")
    found_cell = CELL_OF_GATES[G]
    if cell is not None and cell != found_cell:
        raise ValueError(f"{label} holds a {found_cell.upper()} ({hh0} has {G} gate block(s) of {n_a}), "
                         f"not a {cell.upper()}")
    missing_ro = [k for k in ("Wya", "by") if k not in arrays]
    if missing_ro:
        raise ValueError(f"{label}: missing {', '.join(missing_ro)} (PyTorch's recurrent layers have no "
                         "read-out: add Wya (n_y, n_a x directions) and by (n_y,))")
    ih0 = f"{pre[0]}weight_ih_l0"
    if ih0 not in arrays or np.ndim(arrays[ih0]) != 2:
        raise ValueError(f"{label}: missing {ih0} or it is not a 2-D array")
    Wy = _number_array("Wya", arrays["Wya"], label)
    if Wy.ndim != 2:
        raise ValueError(f"{label}: Wya must be a 2-D array, not shape {Wy.shape}")
    spec = ModelSpec(found_cell, activation, int(np.shape(arrays[ih0])[1]), int(n_a), int(Wy.shape[0]),
                     layers, bidir, enc_dec)
    spec.check()
    if spec.notes_naming:       # a one-layer vanilla RNN is named as in the notes
        b = _number_array("bias_ih_l0", arrays.get(f"{pre[0]}bias_ih_l0", np.zeros(n_a)), label)
        b2 = _number_array("bias_hh_l0", arrays.get(f"{pre[0]}bias_hh_l0", np.zeros(n_a)), label)
        if b.shape != b2.shape:
            raise ValueError(f"{label}: bias_ih_l0 has shape {b.shape} but bias_hh_l0 has {b2.shape}")
        p = {"Wax": _number_array(ih0, arrays[ih0], label), "Waa": W, "Wya": Wy,
             "ba": _column("bias_ih_l0 + bias_hh_l0", b + b2, label),
             "by": _column("by", _number_array("by", arrays["by"], label), label)}
        return spec, p, "pytorch"
    p = {}
    file_names = {}
    for s in range(len(spec.segments)):
        for l, d in spec.layer_dirs():
            ours = spec.layer_names(s, l, d)
            theirs = [pre[s] + n[len(spec.segments[s]):] for n in ours]
            for o, t in zip(ours, theirs):
                file_names[o] = t
    expected = spec.param_shapes()
    for k, shape in expected.items():
        src = file_names.get(k, k)
        if src not in arrays:
            raise ValueError(f"{label}: missing {src} (a {spec.title()} has {len(expected)} weights)")
        v = _number_array(src, arrays[src], label)
        if len(shape) == 1 and v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if k == "by":
            v = _column("by", v, label)
        if v.shape != shape:
            raise ValueError(f"{label}: {src} has shape {v.shape}, expected {shape} (n_a = {n_a}, "
                             f"n_x = {spec.n_x}, n_y = {spec.n_y})")
        p[k] = v
    extra = [k for k in found if k not in file_names.values()]
    if extra:
        raise ValueError(f"{label}: {extra[0]} does not belong to a {spec.title()} "
                         f"(layers 0..{spec.layers - 1}{', both directions' if spec.bidirectional else ''})")
    return spec, p, "pytorch"
