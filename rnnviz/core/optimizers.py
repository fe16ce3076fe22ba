"""Optimizers: one step W <- W - (something) g for every weight, with state that can be saved.

    sgd       W -= lr g
    momentum  v = mu v + g;  W -= lr v                              (PyTorch's SGD with momentum)
    adagrad   mem += g²;  W -= lr g / sqrt(mem + 1e-8)              (min-char-rnn, exactly as it writes it)
    adam      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g²;  t += 1
              W -= lr m̂ / (sqrt(v̂) + eps),  m̂ = m / (1 - b1^t),  v̂ = v / (1 - b2^t)   (Kingma & Ba)

Weights are updated in place (the dict's arrays). The state is a dict of arrays per weight name
(`slots`) plus the step count, so a session can save it (state_arrays / load_state_arrays).
"""
from __future__ import annotations

import numpy as np

from . import kernels

OPTIMIZERS = ("sgd", "momentum", "adagrad", "adam")
OPTIMIZER_TITLES = {"sgd": "SGD", "momentum": "SGD with momentum", "adagrad": "Adagrad", "adam": "Adam"}
SLOTS = {"sgd": (), "momentum": ("v",), "adagrad": ("mem",), "adam": ("m", "v")}


class Optimizer:
    """`name`'s update rule with its hyper-parameters and per-weight state."""

    def __init__(self, name: str, lr: float, momentum: float = 0.9, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"the learning rate must be a positive number, not {lr}")
        self.name, self.lr = name, float(lr)
        self.momentum, self.beta1, self.beta2, self.eps = float(momentum), float(beta1), float(beta2), float(eps)
        self.t = 0                                   # steps taken
        self.slots: dict[str, dict[str, np.ndarray]] = {s: {} for s in SLOTS[name]}

    def _slot(self, slot: str, k: str, like: np.ndarray) -> np.ndarray:
        arr = self.slots[slot].get(k)
        if arr is None:
            arr = self.slots[slot][k] = np.zeros_like(like, dtype=np.float64)
        return arr

    def step(self, params: dict, grads: dict) -> None:
        """One update of every weight in `params` (in place) with its gradient."""
        self.t += 1
        lr = self.lr
        fast = kernels.ready() if self.name in ("adagrad", "adam") else None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for k, p in params.items():
                g = np.reshape(grads[k], p.shape)
                if fast is not None and p.flags.c_contiguous and p.dtype == np.float64:
                    self._compiled_step(fast, k, p, g)
                elif self.name == "sgd":
                    p -= lr * g
                elif self.name == "momentum":
                    v = self._slot("v", k, p)
                    v *= self.momentum
                    v += g
                    p -= lr * v
                elif self.name == "adagrad":
                    mem = self._slot("mem", k, p)
                    mem += g * g                                # min-char-rnn's own lines, in its order
                    p += -lr * g / np.sqrt(mem + 1e-8)
                else:
                    m, v = self._slot("m", k, p), self._slot("v", k, p)
                    m *= self.beta1
                    m += (1 - self.beta1) * g
                    v *= self.beta2
                    v += (1 - self.beta2) * (g * g)
                    m_hat = m / (1 - self.beta1 ** self.t)
                    v_hat = v / (1 - self.beta2 ** self.t)
                    p -= lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def _compiled_step(self, fast, k: str, p: np.ndarray, g: np.ndarray) -> None:
        """The same update by the compiled kernel (kernels/compiled.py): one pass, no temporaries."""
        flat = p.reshape(-1)
        gf = np.ascontiguousarray(g, dtype=np.float64).reshape(-1)
        if self.name == "adagrad":
            fast.adagrad(flat, gf, self._flat_slot("mem", k, p), self.lr)
        else:
            b1, b2 = self.beta1, self.beta2
            fast.adam(flat, gf, self._flat_slot("m", k, p), self._flat_slot("v", k, p), self.lr,
                      b1, 1 - b1, b2, 1 - b2, 1 - b1 ** self.t, 1 - b2 ** self.t, self.eps)

    def _flat_slot(self, slot: str, k: str, like: np.ndarray) -> np.ndarray:
        arr = self._slot(slot, k, like)
        if not (arr.flags.c_contiguous and arr.dtype == np.float64):
            arr = self.slots[slot][k] = np.ascontiguousarray(arr, dtype=np.float64)
        return arr.reshape(-1)

    # ------------------------------------------------------------------ saving
    def settings(self) -> dict:
        return {"name": self.name, "lr": self.lr, "momentum": self.momentum, "beta1": self.beta1,
                "beta2": self.beta2, "eps": self.eps, "t": self.t}

    def state_arrays(self) -> dict[str, np.ndarray]:
        """{"<slot>/<weight>": array} (copies)."""
        return {f"{s}/{k}": v.copy() for s, d in self.slots.items() for k, v in d.items()}

    @classmethod
    def restore(cls, settings: dict, arrays: dict) -> "Optimizer":
        """The optimizer `settings()` and `state_arrays()` described; ValueError if they don't fit."""
        try:
            opt = cls(str(settings["name"]), float(settings["lr"]), float(settings.get("momentum", 0.9)),
                      float(settings.get("beta1", 0.9)), float(settings.get("beta2", 0.999)),
                      float(settings.get("eps", 1e-8)))
            t = settings.get("t", 0)
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"the optimizer's settings are not valid ({e})") from None
        if not isinstance(t, int) or isinstance(t, bool) or t < 0:
            raise ValueError(f"the optimizer's step count {t!r} is not a whole number >= 0")
        opt.t = t
        for key, arr in arrays.items():
            slot, _, k = key.partition("/")
            if slot not in opt.slots or not k:
                raise ValueError(f"the optimizer state {key!r} does not belong to {OPTIMIZER_TITLES[opt.name]}")
            opt.slots[slot][k] = np.array(arr, dtype=np.float64)
        return opt

    def check_fits(self, params: dict) -> None:
        for slot, d in self.slots.items():
            for k, v in d.items():
                if k not in params or np.shape(params[k]) != v.shape:
                    raise ValueError(f"the optimizer state {slot}/{k} does not fit the weights")
