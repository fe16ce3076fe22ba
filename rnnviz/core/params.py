"""Parameters in the notes' names (Wax, Waa, Wya, ba, by): initialisation, checks, spectral radius."""
from __future__ import annotations

import numpy as np

PARAM_NAMES = ("Wax", "Waa", "Wya", "ba", "by")

Params = dict  # name -> np.ndarray (float64)


def spectral_radius(W: np.ndarray) -> float:
    """rho(W) = max |eigenvalue|."""
    if not np.all(np.isfinite(W)):
        return float("nan")
    return float(np.max(np.abs(np.linalg.eigvals(W)))) if W.size else 0.0


def sigma_max(W: np.ndarray) -> float:
    """Largest singular value ||W||_2."""
    if not np.all(np.isfinite(W)):
        return float("nan")
    return float(np.linalg.norm(W, 2)) if W.size else 0.0


def scale_to_radius(Waa: np.ndarray, radius: float) -> np.ndarray:
    """Waa rescaled so that its spectral radius is `radius` (the vanishing/exploding knob)."""
    if not np.isfinite(radius) or radius < 0:
        raise ValueError(f"the spectral radius must be a finite number >= 0, not {radius}")
    rho = spectral_radius(Waa)
    if rho == 0.0:
        return Waa.copy()
    return Waa * (radius / rho)


def init_params(n_x: int, n_a: int, n_y: int, seed: int = 0, radius: float | None = 0.9) -> Params:
    """Random weights, reproducible from `seed`.

    Waa ~ N(0, 1/n_a) rescaled to spectral radius `radius` (None keeps the raw draw); Wax ~ N(0, 1)
    so each input moves z<t> by about one unit; Wya ~ N(0, 1/n_a); biases zero.
    """
    for name, n in (("n_x", n_x), ("hidden size n_a", n_a), ("n_y", n_y)):
        if int(n) != n or n < 1:
            raise ValueError(f"{name} must be a whole number >= 1, not {n}")
    rng = np.random.default_rng(seed)
    Waa = rng.standard_normal((n_a, n_a)) / np.sqrt(n_a)
    if radius is not None:
        Waa = scale_to_radius(Waa, radius)
    return {
        "Wax": rng.standard_normal((n_a, n_x)),
        "Waa": Waa,
        "Wya": rng.standard_normal((n_y, n_a)) / np.sqrt(n_a),
        "ba": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }


def param_count(p: Params) -> int:
    return int(sum(np.asarray(p[k]).size for k in PARAM_NAMES))


def check_params(p: Params, n_x: int | None = None, n_y: int | None = None) -> tuple[int, int, int]:
    """Raise ValueError naming the problem if the weights don't fit together (or the data).

    Returns (n_x, n_a, n_y).
    """
    missing = [k for k in PARAM_NAMES if k not in p]
    if missing:
        raise ValueError(f"missing weights: {', '.join(missing)}")
    arr = {k: np.asarray(p[k]) for k in PARAM_NAMES}
    for k, v in arr.items():
        if not np.issubdtype(v.dtype, np.number) or np.iscomplexobj(v):
            raise ValueError(f"{k} must hold real numbers, not {v.dtype}")
        if v.ndim != 2:
            raise ValueError(f"{k} must be a 2-D array, not shape {v.shape}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{k} contains NaN or infinity")
    n_a = arr["Waa"].shape[0]
    expect = {
        "Waa": (n_a, n_a),
        "Wax": (n_a, arr["Wax"].shape[1]),
        "ba": (n_a, 1),
        "Wya": (arr["Wya"].shape[0], n_a),
        "by": (arr["Wya"].shape[0], 1),
    }
    for k, shape in expect.items():
        if arr[k].shape != shape:
            raise ValueError(f"{k} has shape {arr[k].shape}, expected {shape} (n_a = {n_a})")
    nx, ny = arr["Wax"].shape[1], arr["Wya"].shape[0]
    if n_x is not None and nx != n_x:
        raise ValueError(f"Wax expects inputs of size n_x = {nx}, but the sequence has n_x = {n_x}")
    if n_y is not None and ny != n_y:
        raise ValueError(f"Wya gives outputs of size n_y = {ny}, but the task needs n_y = {n_y}")
    return nx, n_a, ny


def as_float64(p: Params) -> Params:
    return {k: np.array(p[k], dtype=np.float64) for k in PARAM_NAMES}
