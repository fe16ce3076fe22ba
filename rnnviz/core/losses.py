"""Read-outs and per-step losses. Arrays here are time-major: (T, n_y, m).

cross_entropy: y_hat = softmax(logits), L<t> = -sum_k y_k log y_hat_k (= -log y_hat[target] for one-hot)
bce:           y_hat = sigmoid(logits), L<t> = -(y log y_hat + (1 - y) log(1 - y_hat)), summed over outputs
mse:           y_hat = logits,          L<t> = mean over outputs of (y_hat - y)^2
L<t> is summed over the batch; L = sum_t L<t>. Targets are dense (T, n_y, m) or, for cross-entropy,
class ids (T, m) with -1 where a step has no target (then its loss and gradient are 0).
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid

LOSSES = ("cross_entropy", "bce", "mse")
LOSS_TITLES = {
    "cross_entropy": "softmax + cross-entropy",
    "bce": "sigmoid + binary cross-entropy",
    "mse": "linear + mean squared error",
}


def default_loss(kind: str) -> str:
    return "cross_entropy" if kind == "text" else "mse"


def one_hot(y: np.ndarray | None) -> bool:
    """Whether dense targets (n_y, m, T) are classes: one 1 per column, zeros elsewhere (n_y > 1)."""
    return y is not None and y.ndim == 3 and y.shape[0] > 1 and bool(np.all((y == 0) | (y == 1))) and \
        bool(np.all(y.sum(axis=0) == 1))


def check_loss(loss: str, kind: str, y: np.ndarray | None) -> None:
    """ValueError when the loss can't be used with these targets (y: dense targets, None for text)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if loss == "cross_entropy" and kind != "text" and not one_hot(y):
        raise ValueError("cross-entropy needs characters (a class per step); use MSE or BCE for numbers")
    if loss == "bce" and y is not None and (np.any(y < 0) or np.any(y > 1)):
        bad = y[(y < 0) | (y > 1)].ravel()[0]
        raise ValueError(f"binary cross-entropy needs targets between 0 and 1; this series has {bad:g}")


def _log_softmax(z: np.ndarray) -> np.ndarray:
    zmax = np.max(z, axis=1, keepdims=True)
    return z - zmax - np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))


def output_loss(loss: str, logits: np.ndarray, y: np.ndarray, step_weight: np.ndarray | None = None):
    """(y_hat, L (T, m), dL/dlogits) for logits (T, n_y, m) and targets y: dense (T, n_y, m), or
    class ids (T, m) for cross-entropy. step_weight (T,) of 0/1 says at which steps the loss counts."""
    ids = y.ndim == 2
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if loss == "cross_entropy":
            logp = _log_softmax(logits)
            y_hat = np.exp(logp)
            if ids:
                has = y >= 0
                k = np.where(has, y, 0)
                T, _, m = logp.shape
                t_ix, b_ix = np.arange(T)[:, None], np.arange(m)[None, :]    # [t, k<t, b>, b] for every (t, b)
                L = -np.where(has, logp[t_ix, k, b_ix], 0.0)
                dlogits = y_hat.copy()
                dlogits[t_ix, k, b_ix] -= 1.0
                if not has.all():
                    dlogits *= has[:, None, :]
            else:
                L = -np.sum(np.where(y != 0, y * logp, 0.0), axis=1)  # 0 * log 0 counts as 0
                # d/dlogits of -sum_k y_k log softmax_k = softmax * sum_k y_k - y: the familiar ŷ - y
                # only when the target sums to 1 (a masked step, a soft label or padding need the sum)
                dlogits = y_hat * np.sum(y, axis=1, keepdims=True) - y
        elif loss == "bce":
            y_hat = sigmoid(logits)
            L = np.sum(np.logaddexp(0.0, logits) - y * logits, axis=1)  # log(1 + e^z) - y z, no overflow
            dlogits = y_hat - y
        elif loss == "mse":
            n_y = logits.shape[1]
            y_hat = logits.copy()
            diff = logits - y
            L = np.sum(diff * diff, axis=1) / n_y
            dlogits = 2.0 * diff / n_y
        else:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if step_weight is not None and not np.all(step_weight == 1):
        # where the loss doesn't count it is exactly 0, even if the output there overflowed (no inf * 0)
        keep = step_weight != 0
        L = np.where(keep[:, None], L, 0.0) * step_weight[:, None]
        dlogits = np.where(keep[:, None, None], dlogits, 0.0) * step_weight[:, None, None]
    return y_hat, L, dlogits
