"""Matrix norms of the weights: the spectral radius rho(W), the largest singular value sigma_max(W),
remembered for the same numbers, and the recurrent matrix scaled to a chosen radius.

NumPy only and below every other module of the core: the cells (their seeded initialisation) and
params (the models' weights) both use it.
"""
from __future__ import annotations

import hashlib

import numpy as np

_NORMS: dict = {}          # (what, shape, digest of the bytes) -> value: the last weights' rho and sigma_max
_NORMS_KEPT = 64


def _remembered(what: str, W: np.ndarray, compute) -> float:
    """compute(W), remembered for the same weights: the window retraces the same matrices at every
    keystroke and step (a 128 x 128 eigvals is 8 ms, an LSTM's four blocks 33 ms; the digest 0.1 ms)."""
    W = np.ascontiguousarray(W)
    key = (what, W.shape, W.dtype.str, hashlib.blake2b(W.view(np.uint8).reshape(-1), digest_size=16).digest())
    value = _NORMS.get(key)
    if value is None:
        value = compute(W)
        if len(_NORMS) >= _NORMS_KEPT:
            _NORMS.pop(next(iter(_NORMS)), None)
        _NORMS[key] = value
    return value


def spectral_radius(W: np.ndarray) -> float:
    """rho(W) = max |eigenvalue|."""
    if not np.all(np.isfinite(W)):
        return float("nan")
    if not W.size:
        return 0.0
    return _remembered("rho", W, lambda M: float(np.max(np.abs(np.linalg.eigvals(M)))))


def sigma_max(W: np.ndarray) -> float:
    """Largest singular value ||W||_2."""
    if not np.all(np.isfinite(W)):
        return float("nan")
    if not W.size:
        return 0.0
    return _remembered("sigma", W, lambda M: float(np.linalg.norm(M, 2)))


def scale_to_radius(Waa: np.ndarray, radius: float) -> np.ndarray:
    """Waa rescaled so that its spectral radius is `radius` (the vanishing/exploding knob)."""
    if not np.isfinite(radius) or radius < 0:
        raise ValueError(f"the spectral radius must be a finite number >= 0, not {radius}")
    rho = spectral_radius(Waa)
    if rho == 0.0:
        return Waa.copy()
    return Waa * (radius / rho)
