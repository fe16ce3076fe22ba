"""Weights: seeded initialisation, checks, the spectral radius, and the cells' internal layout.

Public dictionaries use the names of spec.ModelSpec.param_shapes (the notes' Wax Waa Wya ba by for
the one-layer vanilla RNN, PyTorch's state_dict names for every other model). `layer_params` turns
them into the cells' layout: W_ih, W_hh and the biases b_ih, b_hh as (G n_a, 1) columns.
"""
from __future__ import annotations

import numpy as np

from .norms import scale_to_radius, sigma_max, spectral_radius  # noqa: F401  (where they used to be)
from .spec import NOTES_NAMES, ModelSpec

PARAM_NAMES = NOTES_NAMES   # the one-layer vanilla RNN's names, in the notes' order

Params = dict  # name -> np.ndarray (float64)


def recurrent_blocks(spec: ModelSpec, params: Params) -> list[tuple[str, int, np.ndarray]]:
    """Every (n_a, n_a) recurrent block: (public name of W_hh, gate index, block)."""
    n_a, out = spec.n_a, []
    for s in range(len(spec.segments)):
        for l, d in spec.layer_dirs():
            name = spec.layer_names(s, l, d)[1]
            W = np.asarray(params[name])
            out += [(name, k, W[k * n_a:(k + 1) * n_a]) for k in range(spec.gates)]
    return out


def model_radius(spec: ModelSpec, params: Params) -> float:
    """The largest spectral radius over the recurrent blocks (what the radius knob sets)."""
    return max((spectral_radius(W) for _, _, W in recurrent_blocks(spec, params)), default=0.0)


def rescale_radius(spec: ModelSpec, params: Params, radius: float) -> Params:
    """Each recurrent block rescaled to spectral radius `radius` (imported weights under the knob)."""
    p = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    n_a = spec.n_a
    for name, k, W in recurrent_blocks(spec, params):
        p[name][k * n_a:(k + 1) * n_a] = scale_to_radius(np.asarray(W, dtype=np.float64), radius)
    return p


def init_model_params(spec: ModelSpec, seed: int = 0, radius: float | None = 0.9,
                      forget_bias: float = 1.0) -> Params:
    """Random weights for `spec`, reproducible from `seed`.

    Each recurrent block ~ N(0, 1/n_a) rescaled to spectral radius `radius` (None keeps the raw draw);
    the first layer's W_ih ~ N(0, 1), so that each (one-hot) input moves z<t> by about one unit; upper
    layers' W_ih ~ N(0, 1/n_in); Wya ~ N(0, 1/n_out); biases zero except the LSTM's forget gate,
    which starts at `forget_bias`. Draw order (fixed): per segment, layer, direction: W_hh then W_ih;
    then Wya. The one-layer vanilla RNN so draws exactly what earlier versions drew for a seed.
    """
    spec.check()
    if not np.isfinite(forget_bias):
        raise ValueError(f"the forget-gate bias must be a finite number, not {forget_bias}")
    rng = np.random.default_rng(seed)
    cell = spec.make_cell()
    out: Params = {}
    for s in range(len(spec.segments)):
        for l, d in spec.layer_dirs():
            w_ih, w_hh, b_ih, b_hh = spec.layer_names(s, l, d)
            n_in = spec.n_in(l)
            out[w_hh] = cell.init_recurrent(rng, spec.n_a, radius)
            out[w_ih] = rng.standard_normal((spec.gates * spec.n_a, n_in)) / (1.0 if l == 0 else np.sqrt(n_in))
            bi, bh = cell.init_biases(spec.n_a, forget_bias)
            if spec.notes_naming:
                out[b_ih] = bi + bh
            else:
                out[b_ih], out[b_hh] = bi[:, 0], bh[:, 0]
    out["Wya"] = rng.standard_normal((spec.n_y, spec.n_out)) / np.sqrt(spec.n_out)
    out["by"] = np.zeros((spec.n_y, 1))
    return {k: out[k] for k in spec.param_shapes()}


def init_params(n_x: int, n_a: int, n_y: int, seed: int = 0, radius: float | None = 0.9) -> Params:
    """The one-layer vanilla RNN's weights in the notes' names (see init_model_params)."""
    for name, n in (("n_x", n_x), ("hidden size n_a", n_a), ("n_y", n_y)):
        if int(n) != n or n < 1:
            raise ValueError(f"{name} must be a whole number >= 1, not {n}")
    return init_model_params(ModelSpec(n_x=int(n_x), n_a=int(n_a), n_y=int(n_y)), seed, radius)


def param_count(p: Params) -> int:
    return int(sum(np.asarray(v).size for v in p.values()))


def _check_array(k: str, v) -> np.ndarray:
    v = np.asarray(v)
    if not np.issubdtype(v.dtype, np.number) or np.iscomplexobj(v):
        raise ValueError(f"{k} must hold real numbers, not {v.dtype}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{k} contains NaN or infinity")
    return v


def check_model_params(spec: ModelSpec, p: Params) -> None:
    """ValueError naming the first weight that is missing, of the wrong shape, or not finite.
    Biases may be (n,) or (n, 1); names the model doesn't use are ignored."""
    shapes = spec.param_shapes()
    missing = [k for k in shapes if k not in p]
    if missing:
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise ValueError(f"missing weights: {', '.join(missing[:6])}{more} (for a {spec.title()})")
    first_ih, first_hh = spec.layer_names(0, 0, 0)[:2]
    for k, axis, want, what in ((first_hh, 1, spec.n_a, None), (first_ih, 1, spec.n_x, "inputs of size n_x"),
                                ("Wya", 0, spec.n_y, "outputs of size n_y")):
        v = np.asarray(p[k])
        if what and v.ndim == 2 and v.shape[axis] != want:
            verb = "expects" if axis else "gives"
            need = "the sequence has" if axis else "the task needs"
            raise ValueError(f"{k} {verb} {what} = {v.shape[axis]}, but {need} {what.split()[-1]} = {want}")
    for k, shape in shapes.items():
        v = _check_array(k, p[k])
        ok = v.shape == shape or (len(shape) == 1 and v.shape == shape + (1,)) or (
            len(shape) == 2 and shape[1] == 1 and v.shape == shape[:1])
        if not ok:
            raise ValueError(f"{k} has shape {v.shape}, expected {shape} (n_a = {spec.n_a}, n_x = {spec.n_x}, "
                             f"n_y = {spec.n_y})")


def check_params(p: Params, n_x: int | None = None, n_y: int | None = None) -> tuple[int, int, int]:
    """The notes' five weights: ValueError naming the problem if they don't fit together (or the data).

    Returns (n_x, n_a, n_y)."""
    missing = [k for k in PARAM_NAMES if k not in p]
    if missing:
        raise ValueError(f"missing weights: {', '.join(missing)}")
    arr = {k: np.asarray(p[k]) for k in PARAM_NAMES}
    for k, v in arr.items():
        _check_array(k, v)
        if v.ndim != 2:
            raise ValueError(f"{k} must be a 2-D array, not shape {v.shape}")
    n_a = arr["Waa"].shape[0]
    expect = {"Waa": (n_a, n_a), "Wax": (n_a, arr["Wax"].shape[1]), "ba": (n_a, 1),
              "Wya": (arr["Wya"].shape[0], n_a), "by": (arr["Wya"].shape[0], 1)}
    for k, shape in expect.items():
        if arr[k].shape != shape:
            raise ValueError(f"{k} has shape {arr[k].shape}, expected {shape} (n_a = {n_a})")
    nx, ny = arr["Wax"].shape[1], arr["Wya"].shape[0]
    if n_x is not None and nx != n_x:
        raise ValueError(f"Wax expects inputs of size n_x = {nx}, but the sequence has n_x = {n_x}")
    if n_y is not None and ny != n_y:
        raise ValueError(f"Wya gives outputs of size n_y = {ny}, but the task needs n_y = {n_y}")
    return nx, n_a, ny


def as_float64(p: Params, spec: ModelSpec | None = None) -> Params:
    """float64 copies in the model's shapes (biases as the spec lists them), in the spec's order."""
    if spec is None:
        return {k: np.array(p[k], dtype=np.float64) for k in PARAM_NAMES}
    return {k: np.array(p[k], dtype=np.float64).reshape(shape) for k, shape in spec.param_shapes().items()}


def layer_params(spec: ModelSpec, p: Params, segment: int, layer: int, direction: int) -> dict:
    """One layer-direction's weights in the cells' layout: W_ih, W_hh, b_ih, b_hh (columns)."""
    w_ih, w_hh, b_ih, b_hh = spec.layer_names(segment, layer, direction)
    G = spec.gates * spec.n_a
    bias_hh = np.zeros((G, 1)) if not b_hh else np.asarray(p[b_hh], dtype=np.float64).reshape(G, 1)
    return {"W_ih": np.asarray(p[w_ih], dtype=np.float64), "W_hh": np.asarray(p[w_hh], dtype=np.float64),
            "b_ih": np.asarray(p[b_ih], dtype=np.float64).reshape(G, 1), "b_hh": bias_hh}
