"""AppState: the one source of truth of the window (config, weights, trace, cursor, playback).

Only its methods change it; it emits past-tense signals and views redraw in their slots. Views
never compute math: everything they show is in `trace` (rnnviz.core.Trace) or derived here.

The cursor is a position on one timeline of 2T places: the forward pass t = 1..T, then the backward
pass t = T..1. `position` 0..T-1 is forward step t = position (0-based); T..2T-1 is the backward
pass at step t = 2T-1-position. Playing moves a fractional position smoothly (`progress_changed`)
so animations can interpolate between steps; `step_changed` fires when the integer step changes.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from rnnviz.app.config import (  # noqa: F401 - Config and run_config are also used through this module
    ASYNC_COST, BACKWARD, FORWARD, MAX_HIDDEN, MAX_STEPS, Config, ViewOptions, build_params,
    check_config, estimated_cost, prepare_run, run_config,
)
from rnnviz.core import make_sequence
from rnnviz.core.clipping import ClipResult, clip_gradients
from rnnviz.core.params import spectral_radius
from rnnviz.core.trace import Trace


class _Job(QRunnable):
    """Runs run_config in the thread pool and reports back through a QObject's signals."""

    class Signals(QObject):
        done = Signal(int, object, str)   # generation, trace or None, error message

    def __init__(self, generation: int, config: Config, base: dict | None):
        super().__init__()
        self.generation, self.config, self.base = generation, config, base
        self.signals = _Job.Signals()

    def run(self):
        try:
            tr = run_config(self.config, self.base)
            self.signals.done.emit(self.generation, tr, "")
        except ValueError as e:
            self.signals.done.emit(self.generation, None, str(e))
        except Exception as e:  # noqa: BLE001 - a bug must show as a message, not kill the app
            self.signals.done.emit(self.generation, None, f"internal error: {type(e).__name__}: {e}")


class AppState(QObject):
    config_changed = Signal(object)          # Config
    trace_changed = Signal(object)           # Trace (a new computation)
    input_error_changed = Signal(str)        # "" when the input is fine again
    step_changed = Signal(int, str)          # t (0-based), phase FORWARD | BACKWARD
    progress_changed = Signal(float)         # fractional timeline position while playing / scrubbing
    playing_changed = Signal(bool)
    speed_changed = Signal(float)            # steps per second
    busy_changed = Signal(bool)              # a recomputation runs in the background
    clip_changed = Signal(object)            # ClipResult
    compare_changed = Signal(object)         # Trace or None: the second configuration of compare mode
    view_options_changed = Signal(object)    # ViewOptions
    hover_changed = Signal(int)              # step under the mouse in any view (-1: none)

    def __init__(self, config: Config | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._config = config or Config()
        self._base_params: dict | None = None
        self._trace: Trace | None = None
        self._compare_config: Config | None = None
        self._compare_overrides: dict = {}
        self._compare_generation = 0
        self._compare_trace: Trace | None = None
        self._clip: ClipResult | None = None
        self._error = ""
        self._pos = 0.0
        self._speed = 4.0
        self._playing = False
        self._busy = False
        self._generation = 0
        self._job_run: tuple = (None, None)    # (config, base params) of the latest background job
        self._shown_run: tuple = (None, None)  # (config, base params) of the trace on screen
        self._view = ViewOptions()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._timer = QTimer(self)
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._on_tick)
        self._last_tick = 0.0
        self.async_threshold = ASYNC_COST

    # ------------------------------------------------------------------ read-only properties
    @property
    def config(self) -> Config:
        return self._config

    @property
    def trace(self) -> Trace | None:
        return self._trace

    @property
    def compare_trace(self) -> Trace | None:
        return self._compare_trace

    @property
    def compare_config(self) -> Config | None:
        return self._compare_config

    @property
    def clip(self) -> ClipResult | None:
        return self._clip

    @property
    def input_error(self) -> str:
        return self._error

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def view_options(self) -> ViewOptions:
        return self._view

    @property
    def base_params(self) -> dict | None:
        return self._base_params

    @property
    def T(self) -> int:
        return self._trace.T if self._trace is not None else 0

    @property
    def n_positions(self) -> int:
        return 2 * self.T

    @property
    def position(self) -> int:
        return int(self._pos)

    @property
    def progress(self) -> float:
        return self._pos

    @property
    def phase(self) -> str:
        return FORWARD if self.position < self.T else BACKWARD

    @property
    def t(self) -> int:
        """The current step, 0-based."""
        p = self.position
        return p if p < self.T else 2 * self.T - 1 - p

    def position_of(self, t: int, phase: str) -> int:
        return t if phase == FORWARD else 2 * self.T - 1 - t

    # ------------------------------------------------------------------ config and computation
    def set_config(self, config: Config) -> None:
        """Recompute for a new config. Bad input keeps the last good trace and sets input_error."""
        try:
            check_config(config)
            make_sequence(config.source, config.kind)   # parse now: errors show at once
        except ValueError as e:
            self._config = config
            self.config_changed.emit(config)
            self._set_error(str(e))
            return
        self._config = config
        self.config_changed.emit(config)
        self._recompute()  # compare mode follows once the main trace is in (_accept)

    def update_config(self, **changes) -> None:
        self.set_config(replace(self._config, **changes))

    def new_random_weights(self) -> None:
        """Drop imported weights and draw new ones from the next seed."""
        self._base_params = None
        self.update_config(seed=self._config.seed + 1)

    def set_base_params(self, params: dict | None, radius: float | None = None, config: Config | None = None) -> None:
        """Use imported weights (None: back to seeded random weights), with `config` if given (else the current one)."""
        config = config or self._config
        self._base_params = None if params is None else {k: np.array(v, dtype=float) for k, v in params.items()}
        if params is not None:
            n_a = self._base_params["Waa"].shape[0]
            rho = spectral_radius(self._base_params["Waa"]) if radius is None else radius
            self.set_config(replace(config, hidden=n_a, radius=float(rho)))
        else:
            self.set_config(config)

    def _set_error(self, msg: str) -> None:
        if msg != self._error:
            self._error = msg
            self.input_error_changed.emit(msg)

    def _recompute(self) -> None:
        self._generation += 1
        c = self._config
        if estimated_cost(c) <= self.async_threshold:
            try:
                tr = run_config(c, self._base_params)
            except ValueError as e:
                self._set_error(str(e))
                return
            self._accept(tr, (c, self._base_params))
            return
        self._job_run = (c, self._base_params)
        job = _Job(self._generation, c, self._base_params)
        job.signals.done.connect(self._on_job_done)
        self._set_busy(True)
        self._pool.start(job)

    @Slot(int, object, str)
    def _on_job_done(self, generation: int, tr, msg: str) -> None:
        if generation != self._generation:
            return  # a newer request (or a cancel) superseded this one
        self._set_busy(False)
        if tr is None:
            self._set_error(msg)
        else:
            self._accept(tr, self._job_run)

    def cancel_compute(self) -> None:
        """Forget a running recomputation; the last finished trace stays on screen."""
        if self._busy:
            self._generation += 1
            self._set_busy(False)
            config, base = self._shown_run
            if config is not None and not self._runs_current(config):
                # back to the settings of the trace on screen: the widgets and a saved session match it
                self._base_params = base
                self._config = replace(config, clip_mode=self._config.clip_mode,
                                       clip_threshold=self._config.clip_threshold)
                self._set_error("")
                self.config_changed.emit(self._config)
                if self._compare_config is not None:
                    self._recompute_compare()

    def _runs_current(self, config: Config) -> bool:
        """Whether `config` computes what the current config does (clipping is applied afterwards)."""
        c = self._config
        return replace(config, clip_mode=c.clip_mode, clip_threshold=c.clip_threshold) == c

    def wait_idle(self, msecs: int = 60000) -> bool:
        """Block until background work is done (tests and the CLI)."""
        return self._pool.waitForDone(msecs)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _accept(self, tr: Trace, run: tuple) -> None:
        """Show `tr`, computed from run = (config, base params)."""
        self._shown_run = run
        old_T = self.T
        old_t, old_phase = self.t, self.phase
        self._trace = tr
        # keep the cursor where it was when the length allows, else clamp; done before trace_changed
        # so that its slots read a cursor (t, phase) inside the new trace
        if old_T == 0:
            self._pos = 0.0  # a new window starts at step 1: → reveals the forward pass step by step
        else:
            t = min(old_t, tr.T - 1)
            self._pos = float(self.position_of(t, old_phase))
        if self._runs_current(run[0]):
            self._set_error("")  # else the input became invalid while this ran: its message stays
        self._update_clip()
        self.trace_changed.emit(tr)
        self.step_changed.emit(self.t, self.phase)
        self.progress_changed.emit(self._pos)
        if self._compare_config is not None and self._runs_current(run[0]):
            self._recompute_compare()

    def _update_clip(self) -> None:
        if self._trace is None:
            return
        c = self._config
        self._clip = clip_gradients(self._trace.grads, c.clip_mode, c.clip_threshold)
        self.clip_changed.emit(self._clip)

    def set_clipping(self, mode: str, threshold: float) -> None:
        """Changing clipping does not change the trace, only the clipped gradients."""
        self._config = replace(self._config, clip_mode=mode, clip_threshold=float(threshold))
        self.config_changed.emit(self._config)
        self._update_clip()

    # ------------------------------------------------------------------ compare mode
    def set_compare(self, config: Config | None) -> None:
        """A second configuration on the same sequence (None ends compare mode).

        What differs from the main settings (say radius 1.2 and ReLU) is kept as the main settings
        change; everything else (sequence, hidden size, seed...) follows the main configuration.
        """
        if config is None:
            self._compare_config = None
            self._compare_generation += 1
            self._compare_overrides = {}
            self._compare_trace = None
            self.compare_changed.emit(None)
            return
        main = self._config
        self._compare_overrides = {
            k: getattr(config, k) for k in Config.__dataclass_fields__
            if k not in ("source", "kind") and getattr(config, k) != getattr(main, k)
        }
        self._recompute_compare()

    def _recompute_compare(self) -> None:
        c = replace(self._config, **self._compare_overrides)
        self._compare_config = c
        self._compare_generation += 1
        if estimated_cost(c) > self.async_threshold:  # big: off the GUI thread, like the main trace
            job = _Job(self._compare_generation, c, self._base_params)
            job.signals.done.connect(self._on_compare_done)
            self._pool.start(job)
            return
        try:
            tr, msg = run_config(c, self._base_params), ""
        except ValueError as e:
            tr, msg = None, str(e)
        self._on_compare_done(self._compare_generation, tr, msg)

    @Slot(int, object, str)
    def _on_compare_done(self, generation: int, tr, msg: str) -> None:
        if generation != self._compare_generation or self._compare_config is None:
            return  # superseded, or compare mode ended meanwhile
        self._compare_trace = tr
        if tr is None:
            self._set_error(f"compare: {msg}")
        self.compare_changed.emit(tr)

    # ------------------------------------------------------------------ cursor
    def set_position(self, pos: float) -> None:
        if self.T == 0:
            return
        pos = min(max(float(pos), 0.0), self.n_positions - 1.0)
        old = (self.t, self.phase)
        self._pos = pos
        self.progress_changed.emit(pos)
        if (self.t, self.phase) != old:
            self.step_changed.emit(self.t, self.phase)

    def step_to(self, t: int, phase: str | None = None) -> None:
        """Move the cursor to step t (0-based) of `phase` (default: the current phase)."""
        if self.T == 0:
            return
        t = min(max(int(t), 0), self.T - 1)
        self.set_position(self.position_of(t, phase or self.phase))

    def step_forward(self) -> None:
        """One place along the timeline (past the forward pass's end, into the backward pass)."""
        self.set_position(math.floor(self._pos) + 1)

    def step_back(self) -> None:
        self.set_position(math.ceil(self._pos) - 1)

    def go_start(self) -> None:
        """Back to step 1 of the current phase."""
        self.set_position(0 if self.phase == FORWARD else self.T)

    def go_end(self) -> None:
        """To the end of the current phase: step T forward, or step 1 backward."""
        self.set_position(self.T - 1 if self.phase == FORWARD else self.n_positions - 1)

    def start_backward(self) -> None:
        """Jump to the start of BPTT (gradient at step T) and play it."""
        self.set_position(self.T)
        self.play()

    # ------------------------------------------------------------------ playback
    def set_speed(self, steps_per_second: float) -> None:
        s = min(max(float(steps_per_second), 0.25), 240.0)
        if s != self._speed:
            self._speed = s
            self.speed_changed.emit(s)

    def play(self) -> None:
        if self._playing or self.T == 0:
            return
        if self.position >= self.n_positions - 1:  # at the very end, playing starts again
            self._pos = 0.0
        self._playing = True
        self._last_tick = time.perf_counter()
        self._timer.start()
        self.playing_changed.emit(True)
        self.set_position(self._pos)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.playing_changed.emit(False)
        self.set_position(math.floor(self._pos))  # rest on the step every view shows, not between two

    def toggle_play(self) -> None:
        self.pause() if self._playing else self.play()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        dt, self._last_tick = now - self._last_tick, now
        end = self.n_positions - 1  # forward, then straight on into the backward pass
        new = self._pos + dt * self._speed
        if new >= end:
            self.set_position(end)
            self.pause()
        else:
            self.set_position(new)

    # ------------------------------------------------------------------ hover and view options
    def set_hover(self, t: int) -> None:
        self.hover_changed.emit(int(t))

    def set_view_options(self, **changes) -> None:
        self._view = replace(self._view, **changes)
        self.view_options_changed.emit(self._view)
