"""Hidden-state activations g and their derivatives, as used in a<t> = g(z<t>)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable[..., np.ndarray]  # forward(z, out=None)
    # g'(z) written in terms of z and a = g(z), whichever is cheaper
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    # gamma: an upper bound on |g'|, used in Pascanu et al.'s bound (gamma * sigma_max)^(T-t)
    gamma: float
    latex: str


def _tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def dtanh(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a  # tanh'(z) = 1 - tanh(z)^2


def _relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def drelu(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", _tanh, dtanh, 1.0, "tanh"),
    "relu": Activation("relu", _relu, drelu, 1.0, "ReLU"),
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Column-wise softmax, stable for large logits."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function that does not overflow for large |z|."""
    out = np.empty_like(z, dtype=np.result_type(z, np.float64))
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out
