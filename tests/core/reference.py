"""Test helpers: an independent per-step reference forward pass, finite differences, and batches.

The reference is written the slow, obvious way (one step at a time, as in the notes) so that it shares
no code with the engine; `delta` adds a perturbation to every a<t> after it is computed, which lets a
finite difference measure dL<t>/da<k> directly.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from rnnviz.core.params import scale_to_radius
from rnnviz.core.sequences import SequenceData, number_sequence, text_sequence


def rel_err(g: np.ndarray, g_fd: np.ndarray, floor: float = 1e-9) -> float:
    """||g - g_fd|| / max(||g||, ||g_fd||); 0 when both are (numerically) zero vectors."""
    g, g_fd = np.ravel(g), np.ravel(g_fd)
    scale = max(np.linalg.norm(g), np.linalg.norm(g_fd))
    if scale < floor:
        return 0.0
    return float(np.linalg.norm(g - g_fd) / scale)


def ref_loss_steps(p, x, y, activation, loss, architecture, a0, delta=None):
    """(m, T) per-step losses of each sequence, computed step by step. x, y: (n, m, T).

    Runs in extended precision (np.longdouble, 64-bit mantissa on x86) so that finite differences of
    it have three more correct digits than the float64 engine they check."""
    f = np.longdouble
    p = {k: np.asarray(v, dtype=f) for k, v in p.items()}
    x, y, a0 = (np.asarray(v, dtype=f) for v in (x, y, a0))
    n_y = p["Wya"].shape[0]
    T = x.shape[2]
    a_prev = a0
    out = np.zeros((x.shape[1], T), dtype=f)
    for t in range(T):
        xt = x[:, :, t]  # one-to-many feeds the previous target, which is the next-step input
        z = p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]
        a = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
        if delta is not None:
            a = a + delta[:, :, t]
        logits = p["Wya"] @ a + p["by"]
        yt = y[:, :, t]
        if loss == "cross_entropy":
            e = np.exp(logits - logits.max(axis=0))
            L = -np.sum(yt * np.log(e / e.sum(axis=0)), axis=0)
        elif loss == "bce":
            s = 1.0 / (1.0 + np.exp(-logits))
            L = -np.sum(yt * np.log(s) + (1 - yt) * np.log(1 - s), axis=0)
        else:
            L = np.sum((logits - yt) ** 2, axis=0) / n_y
        if architecture != "many-to-one" or t == T - 1:
            out[:, t] = L
        a_prev = a
    return out


def central_diff(f, x: np.ndarray, eps: float) -> np.ndarray:
    """d f / d x by central differences; f returns an array, x is perturbed in place and restored.

    The result has shape x.shape + f().shape."""
    f0 = np.asarray(f())
    out = np.zeros(x.shape + f0.shape)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + eps
        fp = np.asarray(f())
        x[idx] = old - eps
        fm = np.asarray(f())
        x[idx] = old
        out[idx] = (fp - fm) / (2 * eps)
    return out


def random_params(rng, n_x, n_a, n_y, scale=0.7, radius=1.0):
    """Random weights and nonzero biases (so every code path carries a signal).

    Waa gets spectral radius `radius`: gradients then neither vanish nor explode over a few steps, so
    every one of them is large enough for a finite difference to measure to 1e-7."""
    return {
        "Wax": rng.standard_normal((n_a, n_x)) * scale,
        "Waa": scale_to_radius(rng.standard_normal((n_a, n_a)), radius),
        "Wya": rng.standard_normal((n_y, n_a)) * scale,
        "ba": rng.standard_normal((n_a, 1)) * 0.3,
        "by": rng.standard_normal((n_y, 1)) * 0.3,
    }


def stack(seqs: list[SequenceData]) -> SequenceData:
    """m sequences of the same length and vocabulary -> one batch (n, m, T)."""
    first = seqs[0]
    ti = None if first.target_index is None else np.concatenate([s.target_index for s in seqs], axis=0)
    if first.kind == "text":
        return dataclasses.replace(first, x_index=np.concatenate([s.x_index for s in seqs], axis=0),
                                   target_index=ti)
    return dataclasses.replace(
        first,
        x_values=np.concatenate([s.x for s in seqs], axis=1),
        y_values=np.concatenate([s.y for s in seqs], axis=1),
    )


ALPHABET = "ab \n😀é\t"


def text_batch(rng, T: int, m: int, n_vocab: int) -> SequenceData:
    """m random texts of T+1 characters over the first n_vocab characters of ALPHABET."""
    vocab = tuple(sorted(ALPHABET[:n_vocab]))
    texts = ["".join(rng.choice(list(vocab), size=T + 1)) for _ in range(m)]
    return stack([text_sequence(s, vocab=vocab) for s in texts])


def number_batch(rng, T: int, m: int, binary: bool = False) -> SequenceData:
    """m random series of T+1 values (0/1 labels when binary), n_x = n_y = 1."""
    seqs = []
    for _ in range(m):
        v = rng.integers(0, 2, T + 1).astype(float) if binary else rng.standard_normal(T + 1)
        seqs.append(number_sequence(v))
    return stack(seqs)
