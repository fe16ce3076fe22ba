"""A model: L layers x 1 or 2 directions of one cell, over one or two segments, and a read-out.

    layer 0 reads x<t>; layer l reads [a→<t>; a←<t>] of layer l-1; ŷ<t> = g(Wya [a→<t>; a←<t>] + by)

The backward direction processes the sequence right to left. An encoder–decoder has two segments
along one timeline (encoder steps, then decoder steps) with their own weights: each layer's decoder
starts from the same layer's last encoder state, so gradients flow from the decoder into the encoder
through that context. Time-major arrays (T, n, m) throughout; see cells/base.py for the cells.

Inputs are dense (T, n_x, m) values or (T, m) token ids (one-hot without building it; -1 feeds zeros).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .cells import CellCache, CellGrads
from .params import layer_params
from .spec import ModelSpec


def flat(arr: np.ndarray) -> np.ndarray:
    """(T, n, m) -> (n, T*m): all steps side by side, for one matrix product."""
    T, n, m = arr.shape
    if m == 1:
        return arr.reshape(T, n).T    # a view: BLAS reads the transpose without a copy
    return arr.transpose(1, 0, 2).reshape(n, T * m)


def unflat(mat: np.ndarray, T: int, m: int) -> np.ndarray:
    """(n, T*m) -> (T, n, m)."""
    return np.ascontiguousarray(mat.reshape(mat.shape[0], T, m).transpose(1, 0, 2))


def matmul_steps(W: np.ndarray, arr: np.ndarray) -> np.ndarray:
    """W @ arr[t] for every t at once: (k, n) x (T, n, m) -> (T, k, m)."""
    T, n, m = arr.shape
    if m == 1:  # (T, n) @ W^T is already time-major and contiguous
        return (arr.reshape(T, n) @ W.T).reshape(T, -1, 1)
    # one product per step, written time-major: no transposed copies of the (T, n, m) and (T, k, m)
    # arrays (for a batch of 32 at T = 100 the copies cost 3x the products)
    return np.matmul(W, arr)


def _sum_outer(fast, D: np.ndarray, X: np.ndarray) -> np.ndarray:
    """sum_t D<t> X<t>^T: (T, G, m) x (T, K, m) -> (G, K), by the compiled kernels."""
    out = np.empty((D.shape[1], X.shape[1]))
    fast.sum_outer(np.ascontiguousarray(D, dtype=np.float64), np.ascontiguousarray(X, dtype=np.float64), out)
    return out


@dataclass
class Inputs:
    """What layer 0 reads: dense values (T, n_x, m) or token ids (T, m), -1 where nothing is fed."""

    values: np.ndarray | None
    ids: np.ndarray | None
    n_x: int

    @property
    def T(self) -> int:
        return int((self.values if self.values is not None else self.ids).shape[0])

    @property
    def m(self) -> int:
        return int(self.values.shape[2] if self.values is not None else self.ids.shape[1])

    def project(self, W: np.ndarray, start: int, stop: int) -> np.ndarray:
        """W x<t> for steps start..stop-1: (T', G n_a, m)."""
        if self.values is not None:
            return matmul_steps(W, np.ascontiguousarray(self.values[start:stop]))
        ids = self.ids[start:stop]
        Wz = np.concatenate([W, np.zeros((W.shape[0], 1))], axis=1)   # column -1: the zero input
        return np.ascontiguousarray(Wz[:, ids].transpose(1, 0, 2))     # (T', G n_a, m), a gather

    def weight_grad(self, dxproj: np.ndarray, start: int, stop: int, flat_dxproj=None) -> np.ndarray:
        """sum_t dxproj<t> x<t>^T over steps start..stop-1: (G n_a, n_x) (flat_dxproj: flat(dxproj) if made)."""
        if self.values is not None:
            fx = flat(dxproj) if flat_dxproj is None else flat_dxproj
            return fx @ flat(np.ascontiguousarray(self.values[start:stop])).T
        fast = kernels.ready()
        ids2 = np.ascontiguousarray(self.ids[start:stop], dtype=np.int64) if fast is not None else None
        if fast is not None and (ids2.size == 0 or ids2.max() < self.n_x):
            out = np.zeros((self.n_x, dxproj.shape[1]))   # the same sums compiled, one pass (kernels/compiled.py)
            fast.ids_weight_grad(np.ascontiguousarray(dxproj, dtype=np.float64), ids2, out)
            return out.T
        ids = self.ids[start:stop].ravel()
        d = dxproj.transpose(0, 2, 1).reshape(-1, dxproj.shape[1])    # (T' m, G n_a) in ids' order
        out = np.zeros((self.n_x, dxproj.shape[1]))
        order = np.argsort(ids, kind="stable")
        ids_sorted = ids[order]
        first = np.searchsorted(ids_sorted, 0)                          # -1: nothing was fed there
        if first < ids_sorted.size:
            ids_sorted, order = ids_sorted[first:], order[first:]
            starts = np.flatnonzero(np.r_[True, ids_sorted[1:] != ids_sorted[:-1]])
            # the one-hot product as sums of the rows of each token: one pass, no unbuffered add.at
            out[ids_sorted[starts]] = np.add.reduceat(d[order], starts, axis=0)
        return out.T

    def dense(self) -> np.ndarray:
        """(T, n_x, m) values (one-hot built for ids)."""
        if self.values is not None:
            return self.values
        T, m = self.ids.shape
        x = np.zeros((T, self.n_x, m))
        t, b = np.nonzero(self.ids >= 0)
        x[t, self.ids[t, b], b] = 1.0
        return x


@dataclass
class LayerRun:
    """One layer in one direction: its weights per segment and its caches, in processing order
    (right to left for direction 1)."""

    layer: int
    direction: int
    params: list[dict]              # per segment, the cell layout (W_ih, W_hh, b_ih, b_hh)
    caches: list[CellCache]         # per segment
    bounds: list[tuple[int, int]]   # per segment, natural-time (start, stop)

    def state(self, name: str) -> np.ndarray:
        """(T, n_a, m) in natural time order (a view for direction 1)."""
        arr = np.concatenate([c.states[name] for c in self.caches]) if len(self.caches) > 1 else \
            self.caches[0].states[name]
        return arr[::-1] if self.direction else arr

    def natural(self, per_segment: list[np.ndarray]) -> np.ndarray:
        arr = np.concatenate(per_segment) if len(per_segment) > 1 else per_segment[0]
        return arr[::-1] if self.direction else arr


@dataclass
class ModelCache:
    spec: ModelSpec
    inputs: Inputs
    runs: list[LayerRun]            # spec.layer_dirs() order
    outputs: list[np.ndarray]       # per layer: (T, dirs n_a, m), what the layer above (or the read-out) reads
    logits: np.ndarray              # (T, n_y, m)

    def run(self, layer: int, direction: int) -> LayerRun:
        return self.runs[layer * self.spec.dirs + direction]


@dataclass
class RunGrads:
    """Gradients of one layer-direction, in natural time order."""

    da_ext: np.ndarray              # (T, n_a, m) from the read-out or the layer above
    ds: dict[str, np.ndarray]       # total dL/ds<t> per state
    dxproj: np.ndarray              # (T, G n_a, m)
    dhproj: np.ndarray
    ds0: tuple


class Model:
    """Forward and backward of a ModelSpec for public weights `params`."""

    def __init__(self, spec: ModelSpec, params: dict, bounds: list[tuple[int, int]] | None = None):
        spec.check()
        self.spec, self.params, self.cell = spec, params, spec.make_cell()
        self.bounds = bounds
        self.layer = {(s, l, d): layer_params(spec, params, s, l, d)
                      for s in range(len(spec.segments)) for l, d in spec.layer_dirs()}

    def _bounds(self, T: int) -> list[tuple[int, int]]:
        b = self.bounds or [(0, T)]
        if len(b) != len(self.spec.segments):
            raise ValueError(f"the model has {len(self.spec.segments)} segment(s) but the sequence {len(b)}")
        return b

    # ------------------------------------------------------------------ forward
    def forward(self, inputs: Inputs, s0: tuple | dict | None = None) -> ModelCache:
        """`s0` (the initial states of layer 0, direction 0) defaults to zeros; every other layer-
        direction starts from zeros, and a decoder from its encoder's last states. A dict
        {(layer, direction): states} gives the initial states of several layer-directions (training
        carries every layer's last states into the next window)."""
        spec, cell = self.spec, self.cell
        T, m, n_a = inputs.T, inputs.m, spec.n_a
        bounds = self._bounds(T)
        zeros = tuple(np.zeros((n_a, m)) for _ in cell.state_names)
        initial = s0 if isinstance(s0, dict) else ({} if s0 is None else {(0, 0): s0})
        runs, outputs = [], []
        below = None
        with np.errstate(over="ignore", invalid="ignore"):
            for l in range(spec.layers):
                outs = []
                for d in range(spec.dirs):
                    ps, caches = [], []
                    state = initial.get((l, d), zeros)
                    for s in range(len(bounds)):
                        p = self.layer[(s, l, d)]
                        a, b = bounds[s]
                        xp = inputs.project(p["W_ih"], a, b) if l == 0 else matmul_steps(p["W_ih"], below[a:b])
                        xp += p["b_ih"][None]
                        if d:
                            xp = np.ascontiguousarray(xp[::-1])
                        cache = cell.forward(p, xp, state)
                        state = cache.final()
                        ps.append(p)
                        caches.append(cache)
                    run = LayerRun(l, d, ps, caches, list(bounds))
                    runs.append(run)
                    outs.append(run.state("a"))
                below = np.ascontiguousarray(np.concatenate(outs, axis=1)) if len(outs) > 1 else \
                    np.ascontiguousarray(outs[0])
                outputs.append(below)
            logits = matmul_steps(self.params["Wya"], below) + np.asarray(self.params["by"]).reshape(-1, 1)[None]
        return ModelCache(spec, inputs, runs, outputs, logits)

    # ------------------------------------------------------------------ backward
    def backward(self, cache: ModelCache, dlogits: np.ndarray, param_grads: bool = True, input_grad: bool = True):
        """(per layer-direction RunGrads, public parameter gradients or None, dx (T, n_x, m) or None;
        input_grad=False: dx is not computed, None)."""
        spec, cell = self.spec, self.cell
        n_a = spec.n_a
        grads = {} if param_grads else None
        with np.errstate(over="ignore", invalid="ignore"):
            Wya = np.asarray(self.params["Wya"])
            d_out = matmul_steps(Wya.T, dlogits)                    # (T, dirs n_a, m) into the top layer
            if param_grads:
                grads["Wya"] = flat(dlogits) @ flat(cache.outputs[-1]).T
                grads["by"] = flat(dlogits).sum(axis=1, keepdims=True)
            run_grads: dict[tuple[int, int], RunGrads] = {}
            dx = None
            for l in range(spec.layers - 1, -1, -1):
                below = None if l == 0 else cache.outputs[l - 1]
                d_below = None
                for d in range(spec.dirs):
                    run = cache.run(l, d)
                    ext = d_out[:, d * n_a:(d + 1) * n_a]
                    ext_p = np.ascontiguousarray(ext[::-1] if d else ext)   # processing order
                    parts: list[CellGrads] = [None] * len(run.caches)
                    carry = None
                    for s in range(len(run.caches) - 1, -1, -1):            # decoder back into the encoder
                        a, b = run.bounds[s]
                        seg = ext_p[a:b] if not d else ext_p[len(ext_p) - b:len(ext_p) - a]
                        parts[s] = cell.backward(run.params[s], run.caches[s], seg, carry)
                        carry = parts[s].ds0
                    g = RunGrads(
                        da_ext=ext,
                        ds={k: run.natural([p.ds[k] for p in parts]) for k in cell.state_names},
                        dxproj=run.natural([p.dxproj for p in parts]),
                        dhproj=run.natural([p.dhproj for p in parts]),
                        ds0=parts[0].ds0,
                    )
                    run_grads[(l, d)] = g
                    if param_grads:
                        self._weight_grads(cache, run, g, below, grads)
                    contrib = self._input_grad(cache, run, g) if l > 0 or input_grad else None
                    if contrib is not None:
                        d_below = contrib if d_below is None else d_below + contrib
                if l > 0:
                    d_out = d_below
                else:
                    dx = d_below
        if param_grads:
            grads = {k: grads[k].reshape(shape) for k, shape in spec.param_shapes().items()}
        return run_grads, grads, dx

    def _input_grad(self, cache: ModelCache, run: LayerRun, g: RunGrads) -> np.ndarray | None:
        """dL/d(input of this layer) = W_ih^T dxproj<t>, per segment's W_ih: (T, n_in, m)."""
        if run.layer == 0 and cache.inputs.values is None:
            return None                    # token ids: no gradient with respect to a one-hot input
        parts = [matmul_steps(p["W_ih"].T, np.ascontiguousarray(g.dxproj[a:b]))
                 for p, (a, b) in zip(run.params, run.bounds)]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def _weight_grads(self, cache: ModelCache, run: LayerRun, g: RunGrads, below, grads: dict) -> None:
        spec = self.spec
        # (T, n_a, m): the state each step started from (its processing-order predecessor), natural time
        a_prev = run.natural([c.prev("a") for c in run.caches])
        fast = kernels.ready() if g.dxproj.shape[2] > 1 else None
        for s, (a, b) in enumerate(run.bounds):
            w_ih, w_hh, b_ih, b_hh = spec.layer_names(s, run.layer, run.direction)
            dxp = np.ascontiguousarray(g.dxproj[a:b])
            dhp = np.ascontiguousarray(g.dhproj[a:b])
            if fast is not None:
                # a batch: sum_t dz<t> x<t>^T step by step, compiled (BLAS), without the (G n_a, T m)
                # copies one product needs (at the adding problem's T = 100, m = 32, 1.7 of 7 ms an update)
                if run.layer == 0 and cache.inputs.values is None:
                    grads[w_ih] = cache.inputs.weight_grad(dxp, a, b)
                else:
                    x = cache.inputs.values[a:b] if run.layer == 0 else below[a:b]
                    grads[w_ih] = _sum_outer(fast, dxp, x)
                grads[w_hh] = _sum_outer(fast, dhp, a_prev[a:b])
                grads[b_ih] = dxp.sum(axis=(0, 2))[:, None]
                if b_hh:
                    # (a copy: clipping scales each gradient in place)
                    grads[b_hh] = grads[b_ih].copy() if g.dhproj is g.dxproj else dhp.sum(axis=(0, 2))[:, None]
                continue
            fx = flat(dxp)                              # (G n_a, T m): a copy for m > 1, made once
            fh = fx if g.dhproj is g.dxproj else flat(dhp)
            if run.layer == 0:
                grads[w_ih] = cache.inputs.weight_grad(dxp, a, b, fx)
            else:
                grads[w_ih] = fx @ flat(np.ascontiguousarray(below[a:b])).T
            grads[w_hh] = fh @ flat(np.ascontiguousarray(a_prev[a:b])).T
            grads[b_ih] = fx.sum(axis=1, keepdims=True)
            if b_hh:
                grads[b_hh] = fh.sum(axis=1, keepdims=True)
