"""Training: the update loop as a generator of progress, for any model of the engine.

One update (Trainer.step), as min-char-rnn does it:
    batch k of the task (tasks.py) -> Model.forward from the carried states (or zeros) ->
    per-step losses -> Model.backward (truncated BPTT: nothing flows into the previous window) ->
    clipping (clipping.py) -> the optimizer's step (optimizers.py) -> the last states carried on.
It computes what training needs and nothing of the views' extras (no local gains, no influence).

Each update records loss (before the update), the smoothed loss (0.999 / 0.001 as min-char-rnn,
from the task's baseline), the gradient's global norm before clipping, whether clipping changed it,
and the reach ‖∂L/∂a<1>‖ / ‖∂L/∂a<T>‖ of the top layer: with a loss at every step, that of the last
step's loss alone (how far back one loss reaches), else that of the loss. A non-finite loss or
gradient stops training with a message, the last finite weights kept (nothing is updated).
"""
from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from . import kernels
from .blas import one_blas_thread
from .clipping import CLIP_MODES, clip_in_place
from .losses import output_loss
from .memory import keep_freed_memory
from .model import Model
from .optimizers import OPTIMIZERS, Optimizer
from .spec import ModelSpec
from .tasks import Task

COLUMNS = ("loss", "smooth_loss", "grad_norm", "clipped", "reach")
# a loop asked for this many updates loads the compiled kernels (kernels/): importing numba and loading
# them from its cache takes ~1 s, which a few hundred updates would not win back (`rnnviz train --steps
# 120`, the window's Step); once loaded, every loop uses them
COMPILE_FROM = 500
MAX_SNAPSHOTS = 200


@dataclass
class TrainSettings:
    optimizer: str = "adagrad"
    lr: float = 0.1
    clip_mode: str = "value"        # none | norm | value
    clip_threshold: float = 5.0
    snapshot_every: int = 100       # a copy of the weights every N updates (0: none)

    def check(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if not isinstance(self.lr, numbers.Real) or isinstance(self.lr, bool) or not (
                math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number, not {self.lr!r}")
        if self.clip_mode not in CLIP_MODES:
            raise ValueError(f"unknown clipping {self.clip_mode!r}; choose one of {', '.join(CLIP_MODES)}")
        if self.clip_mode != "none" and not (math.isfinite(self.clip_threshold) and self.clip_threshold > 0):
            raise ValueError(f"the clipping threshold must be a positive number, not {self.clip_threshold}")
        if not isinstance(self.snapshot_every, int) or self.snapshot_every < 0:
            raise ValueError(f"snapshots come every N >= 0 updates, not {self.snapshot_every!r}")


class History:
    """One row per update, in growing arrays (doubling)."""

    def __init__(self, rows: dict | None = None):
        self.n = 0
        self._cols = {c: np.zeros(256) for c in COLUMNS}
        if rows:
            n = len(rows["loss"])
            for c in COLUMNS:
                self._cols[c] = np.resize(np.asarray(rows[c], dtype=np.float64), max(256, n))
            self.n = n

    def append(self, **row) -> None:
        if self.n == len(self._cols["loss"]):
            for c in COLUMNS:
                self._cols[c] = np.resize(self._cols[c], 2 * self.n)
        for c in COLUMNS:
            self._cols[c][self.n] = row[c]
        self.n += 1

    def column(self, c: str, start: int = 0) -> np.ndarray:
        return self._cols[c][start:self.n]

    def rows(self, start: int = 0) -> dict[str, np.ndarray]:
        return {c: self._cols[c][start:self.n].copy() for c in COLUMNS}


@dataclass
class Progress:
    """What the loop reports every frame: the rows since the last report, speed, the latest weights."""

    updates: int
    start: int                       # update index of the first new row
    rows: dict                       # column -> new values
    updates_per_s: float
    params: dict | None = None       # a copy of the weights now
    frozen: "Trainer | None" = None  # a consistent copy of the whole trainer now (with_params)
    snapshot_updates: list = field(default_factory=list)   # updates at which snapshots were kept
    done: str = ""                   # "" while running; "steps", "stopped", "diverged"
    message: str = ""


def _norm(v: np.ndarray) -> float:
    flat = v.reshape(-1)
    sq = float(np.dot(flat, flat)) if flat.size else 0.0
    if 1e-280 < sq < 1e280:                  # no over- or underflow of the squares: the plain norm
        return math.sqrt(sq)
    with np.errstate(over="ignore", invalid="ignore"):
        m = float(np.max(np.abs(v))) if v.size else 0.0
        if not math.isfinite(m) or m == 0.0:
            return m
        return m * float(np.sqrt(np.sum(np.square(v / m))))


DATA_TOO_BIG = 1e150      # inputs or targets beyond this: their squared error overflows float64, whatever the weights


def _data_size(batch) -> float:
    """The largest |value| a batch feeds in or asks for (0 for characters)."""
    big = 0.0
    for arr in (batch.inputs.values, batch.targets if batch.targets.dtype.kind == "f" else None):
        if arr is not None and arr.size:
            finite = np.abs(arr[np.isfinite(arr)])
            big = max(big, float(finite.max()) if finite.size else 0.0)
    return big


class Trainer:
    """A model, its weights (updated in place), an optimizer and a task; `step` does one update."""

    def __init__(self, spec: ModelSpec, params: dict, task: Task, settings: TrainSettings,
                 optimizer: Optimizer | None = None):
        settings.check()
        spec.check()
        self.spec, self.task, self.settings = spec, task, settings
        self.params = {k: np.array(params[k], dtype=np.float64).reshape(s) for k, s in spec.param_shapes().items()}
        self.optimizer = optimizer or Optimizer(settings.optimizer, settings.lr)
        self.updates = 0
        self.smooth = task.baseline
        self.history = History()
        self.snapshots: list[tuple[int, dict]] = [(0, self.copy_params())] if settings.snapshot_every else []
        self.carry: dict | None = None       # {(layer, 0): states} carried into the next window
        self.error = ""

    def copy_params(self) -> dict:
        return {k: v.copy() for k, v in self.params.items()}

    def clone(self) -> "Trainer":
        """A consistent copy of this trainer as it is now (between updates), for saving while the
        original trains on: weights, optimizer state and carried states copied; the history and the
        snapshots shared up to now (both only grow)."""
        t = Trainer.__new__(Trainer)
        t.spec, t.task, t.settings = self.spec, self.task, TrainSettings(**vars(self.settings))
        t.params = self.copy_params()
        t.optimizer = Optimizer.restore(self.optimizer.settings(), self.optimizer.state_arrays())
        t.updates, t.smooth, t.error = self.updates, self.smooth, self.error
        t.history = History.__new__(History)
        t.history.n, t.history._cols = self.history.n, dict(self.history._cols)
        t.snapshots = list(self.snapshots)
        t.carry = None if self.carry is None else {k: tuple(np.array(s) for s in v) for k, v in self.carry.items()}
        return t

    # ------------------------------------------------------------------ one update
    def step(self) -> bool:
        """One update; False (and self.error) when the loss or gradient is not finite (weights kept)."""
        task, spec = self.task, self.spec
        batch = task.batch(self.updates)
        model = Model(spec, self.params, batch.bounds)
        s0 = None if batch.reset or not task.carries else self.carry
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            cache = model.forward(batch.inputs, s0)
            _, L, dlogits = output_loss(task.loss, cache.logits, batch.targets, batch.weight)
            loss = float(L.sum())
            run_grads, grads, _ = model.backward(cache, dlogits, input_grad=False)
            reach = self._reach(model, cache, dlogits, batch.weight, run_grads)
        norm, clipped = clip_in_place(grads, self.settings.clip_mode, self.settings.clip_threshold)
        if not (math.isfinite(loss) and math.isfinite(norm)):
            what, value = ("loss", loss) if not math.isfinite(loss) else ("gradient's norm", norm)
            state = 'NaN' if math.isnan(value) else 'infinite'
            big = _data_size(batch)
            if big > DATA_TOO_BIG:
                self.error = (f"update {self.updates + 1}: the {what} is {state}: the numbers reach {big:.1e}, and "
                              "their squares overflow float64 (whose largest number is 1.8e308); scale the numbers "
                              f"down (below {DATA_TOO_BIG:.0e}). The last finite weights are kept")
            else:
                self.error = (f"update {self.updates + 1}: the {what} is {state} (training diverged); the last "
                              "finite weights are kept. Lower the learning rate, clip the gradient or use tanh")
            return False
        before = self.copy_params()
        self.optimizer.step(self.params, grads)
        if not all(np.isfinite(v).all() for v in self.params.values()):
            self.params = before
            self.error = (f"update {self.updates + 1} made the weights overflow (training diverged); the last "
                          "finite weights are kept. Lower the learning rate or clip the gradient")
            return False
        if task.carries:
            self.carry = {(l, 0): cache.run(l, 0).caches[-1].final() for l in range(spec.layers)}
        self.updates += 1
        self.smooth = self.smooth * 0.999 + loss * 0.001
        self.history.append(loss=loss, smooth_loss=self.smooth, grad_norm=norm, clipped=float(clipped),
                            reach=reach)
        every = self.settings.snapshot_every
        if every and self.updates % every == 0:
            self._snapshot()
        return True

    def _reach(self, model: Model, cache, dlogits: np.ndarray, weight: np.ndarray, run_grads) -> float:
        """‖∂L/∂a<1>‖ / ‖∂L/∂a<T>‖ of the top layer's forward direction (T: the last scored step)."""
        on = np.flatnonzero(weight != 0)
        if on.size == 0:
            return float("nan")
        t_last = int(on[-1])
        top = (self.spec.layers - 1, 0)
        if on.size > 1:          # losses all along: follow the last step's loss alone
            if len(cache.runs[0].caches) == 1:
                # only the top layer's own recurrence carries it back to the top layer's states:
                # u = ∂L<T>/∂s<t> one step at a time, u <- J<t>^T u (the cell's own products)
                n_a, cell = self.spec.n_a, model.cell
                run = cache.run(*top)
                p, c = run.params[0], run.caches[0]
                u = np.zeros((cell.state_size(n_a), 1, dlogits.shape[2]))
                u[:n_a, 0] = np.asarray(self.params["Wya"])[:, :n_a].T @ dlogits[t_last]
                end = _norm(u[:n_a])
                m = dlogits.shape[2]
                fast = kernels.ready() if cell.name == "rnn" and m == 1 else None
                if fast is not None and t_last > 0:       # the same steps compiled: u <- Waa^T (g' u)
                    col = np.array(u[:, 0, 0])
                    gp = np.ascontiguousarray(c.extra["gprime"]).reshape(-1, n_a)
                    fast.vanilla_back_columns(np.ascontiguousarray(p["W_hh"], dtype=np.float64), gp, col, t_last)
                    u = col.reshape(n_a, 1, 1)
                for t in range(t_last, 0, -1) if fast is None else ():
                    u = cell.vjp(p, cell.jac_data(c, t), u)
                return _norm(u[:n_a]) / end if end > 0 and math.isfinite(end) else float("nan")
            last = np.zeros_like(dlogits)
            last[t_last] = dlogits[t_last]
            da = model.backward(cache, last, param_grads=False)[0][top].ds["a"]
        else:
            da = run_grads[top].ds["a"]
        end = _norm(da[t_last])
        return _norm(da[0]) / end if end > 0 and math.isfinite(end) else float("nan")

    def _snapshot(self) -> None:
        self.snapshots.append((self.updates, self.copy_params()))
        if len(self.snapshots) > MAX_SNAPSHOTS:        # thin out: every other one, the newest kept
            keep = self.snapshots[-1]
            self.snapshots = self.snapshots[:-1:2] + [keep]
            self.settings.snapshot_every *= 2

    # ------------------------------------------------------------------ the loop
    def train(self, until: int, should_stop=None, frame_seconds: float = 1 / 30, with_params: bool = True):
        """Generator: updates until `until` updates are done, should_stop() says so, or training
        diverges; yields a Progress every `frame_seconds` (as many updates as fit) and at the end."""
        yield from run_trainers([self], until, should_stop, frame_seconds, with_params)

    def sync_smooth(self) -> None:
        """The smoothed loss as the history's last row has it (after a session restores the history)."""
        if self.history.n:
            self.smooth = float(self.history.column("smooth_loss")[-1])


def compiles_first(updates: int, until: int) -> bool:
    """Whether a loop from `updates` to `until` first loads the compiled kernels (run_trainers), and
    they aren't loaded yet: a second from numba's cache, some seconds the first time on a machine."""
    return until - updates >= COMPILE_FROM and kernels.ready() is None and not kernels.disabled()


def run_trainers(trainers: list[Trainer], until: int, should_stop=None, frame_seconds: float = 1 / 30,
                 with_params: bool = True, go=None):
    """Train several models side by side (compare mode), one update each in turn. Yields a list of
    Progress, one per trainer, every frame; the last list has `done` set.

    go: a threading.Event the loop waits for (at most 0.2 s) before each update. A window clears it
    while it draws a frame, so that its thread has the interpreter to itself (a Python thread that
    computes takes it back for 5 ms each time the drawing calls into Qt: a frame then takes 10x long).
    After such a wait the loop computes for at least half a frame before it reports again."""
    if until - min((t.updates for t in trainers), default=until) >= COMPILE_FROM:
        kernels.load()      # compiled the first time (seconds), here in the training thread, not the window's
    keep_freed_memory()     # each update's large temporaries reuse the last update's memory
    marks = [t.history.n for t in trainers]
    done, message = "", ""
    with one_blas_thread():
        while not done:
            t0 = resumed = time.perf_counter()
            start_updates = [t.updates for t in trainers]
            while True:
                if should_stop is not None and should_stop():
                    done = "stopped"
                elif all(t.updates >= until for t in trainers):
                    done = "steps"
                if done:
                    break
                for t in trainers:
                    if go is not None and not go.is_set():     # (between the runs too: compare mode)
                        go.wait(0.2)
                        resumed = time.perf_counter()
                    if t.updates < until and not t.error and not t.step():
                        done, message = "diverged", t.error
                now = time.perf_counter()
                # a frame at most every frame_seconds, and never sooner than half of that after the
                # window let the loop go on: a report right after the wait (its time counted in the
                # frame's) had the window draw two frames back to back, with no turn for anything else
                if done or (now - t0 >= frame_seconds and now - resumed >= frame_seconds / 2):
                    break
            dt = max(time.perf_counter() - t0, 1e-9)
            out = []
            for i, t in enumerate(trainers):
                frozen = t.clone() if with_params else None
                out.append(Progress(
                    t.updates, marks[i], t.history.rows(marks[i]), (t.updates - start_updates[i]) / dt,
                    params=frozen.params if frozen else None, frozen=frozen,
                    snapshot_updates=[u for u, _ in t.snapshots], done=done,
                    message=t.error or (message if done == "diverged" else "")))
                marks[i] = t.history.n
            yield out
