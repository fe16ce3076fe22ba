"""AppState: the one source of truth of the window (config, weights, trace, cursor, playback).

Only its methods change it; it emits past-tense signals and views redraw in their slots. Views
never compute math: everything they show is in `trace` (rnnviz.core.Trace) or derived here.

The cursor and the player are rnnviz.app.playback.Playback (`state.playback`), on the trace's
rnnviz.core.timeline.Timeline of 2T places (the forward pass t = 1..T, then the backward pass t = T..1);
AppState re-emits its signals and forwards its methods under the same names. Playing moves a
fractional position smoothly (`progress_changed`) so animations can interpolate between steps;
`step_changed` fires when the integer step changes.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, Signal

from rnnviz.app.config import (  # noqa: F401 - Config and run_config are also used through this module
    ASYNC_COST, BACKWARD, FORWARD, MAX_HIDDEN, MAX_SEED, MAX_STEPS, Config, ViewOptions, build_params,
    check_config, check_size, config_for_weights, estimated_cost, make_run_sequence, prepare_run, run_config,
    spec_of,
)
from rnnviz.app.compare import CompareMode
from rnnviz.app.gains import GainsFill
from rnnviz.app import jobs
from rnnviz.app.jobs import JobRunner
from rnnviz.app.playback import Playback
from rnnviz.core import make_sequence
from rnnviz.core.clipping import ClipResult, clip_gradients
from rnnviz.core.diagnostics import verdict
from rnnviz.core.timeline import Timeline
from rnnviz.core.trace import StateRef, Trace


def _run_job(task, config: Config, base: dict | None) -> Trace:
    """A recomputation in the background (rnnviz.app.jobs): stops between stages when superseded. The
    local gains follow in a job of their own (rnnviz/app/gains.py): the trace shows without waiting.
    The verdict that several views show is worked out here too, off the GUI thread (kept with the
    trace until its gains come in)."""
    tr = run_config(config, base, should_stop=task.should_stop, gains=False)
    if not task.should_stop():
        verdict(tr)
    return tr


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
    selection_changed = Signal(object)       # StateRef: the layer-direction the views explain
    student_changed = Signal(object)         # the student's results on the window's sequence, or None
    gains_changed = Signal(object)           # Trace: the trace on screen got its local gains (app/gains.py)
    gains_progress = Signal(float)           # fraction of the local gains computed so far

    def __init__(self, config: Config | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._config = config or Config()
        self._base_params: dict | None = None
        self._trace: Trace | None = None
        self._compare = CompareMode(self)      # rnnviz/app/compare.py
        self._clip: ClipResult | None = None
        self._error = ""
        self._busy = False
        self._main_job = None                  # the background recomputation whose result is wanted
        self._pending_position: int | None = None  # where restore() puts the cursor once the trace is in
        self._pending_draft: tuple | None = None   # (restored config, draft) it applies after that
        self._shown_run: tuple = (None, None)  # (config, base params) of the trace on screen
        self._selection: StateRef | None = None
        self._view = ViewOptions()
        self._student = None                   # File ▸ Check my implementation…: results on this trace
        self.jobs = JobRunner(self)
        self.jobs.finished.connect(self._on_job_finished)
        self.jobs.failed.connect(self._on_job_failed)
        self._gains = GainsFill(self)          # the local gains, after the trace (rnnviz/app/gains.py)
        self.playback = Playback(self)         # the cursor and the player; its signals are ours
        for name in ("step_changed", "progress_changed", "playing_changed", "speed_changed"):
            getattr(self.playback, name).connect(getattr(self, name))
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
        return self._compare.trace

    @property
    def compare_config(self) -> Config | None:
        return self._compare.config

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
    def gains_pending(self) -> bool:
        """The trace on screen is shown without its local gains: they are being computed."""
        return self._gains.pending

    @property
    def playing(self) -> bool:
        return self.playback.playing

    @property
    def speed(self) -> float:
        return self.playback.speed

    @property
    def view_options(self) -> ViewOptions:
        return self._view

    @property
    def base_params(self) -> dict | None:
        return self._base_params

    @property
    def shown_config(self) -> Config | None:
        """The settings of the trace on screen (with the current clipping, applied to it at once)."""
        config = self._shown_run[0]
        if config is None:
            return None
        c = self._config
        return replace(config, clip_mode=c.clip_mode, clip_threshold=c.clip_threshold)

    @property
    def shown_base_params(self) -> dict | None:
        """The imported weights behind the trace on screen (None: seeded weights)."""
        return self._shown_run[1]

    @property
    def T(self) -> int:
        return self._trace.T if self._trace is not None else 0

    @property
    def timeline(self) -> Timeline:
        return self.playback.timeline

    @property
    def n_positions(self) -> int:
        return self.playback.n_positions

    @property
    def position(self) -> int:
        return self.playback.position

    @property
    def progress(self) -> float:
        return self.playback.progress

    @property
    def phase(self) -> str:
        return self.playback.phase

    @property
    def t(self) -> int:
        """The current step, 0-based."""
        return self.playback.t

    def position_of(self, t: int, phase: str) -> int:
        return self.playback.position_of(t, phase)

    # ------------------------------------------------------------------ config and computation
    def set_config(self, config: Config) -> None:
        """Recompute for a new config. Bad input keeps the last good trace and sets input_error."""
        try:
            check_config(config)
            seq = make_run_sequence(config)   # parse now: errors show at once (an encoder–decoder's pair too)
            if self._base_params is None:       # (imported weights were measured as they came in)
                check_size(spec_of(config, seq), seq)    # a model too big to compute: say so now
        except (ValueError, MemoryError) as e:
            if isinstance(e, MemoryError):
                e = ValueError("this input is too large for the memory available")
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
        """Drop imported weights and draw new ones from the next seed (after MAX_SEED comes 0); the
        text's own characters again (not those trained or imported weights were made for)."""
        self._base_params = None
        seed = self._config.seed
        seed = seed + 1 if isinstance(seed, int) and 0 <= seed < MAX_SEED else 0
        self.update_config(seed=seed, vocab="")

    def set_base_params(self, params: dict | None, radius: float | None = None, config: Config | None = None) -> None:
        """Use imported weights (None: back to seeded random weights), with `config` if given (else the current one).

        Weights that can't run (no or too many hidden units, an infinite radius, the wrong size for
        the sequence) raise ValueError before anything changes."""
        config = config or self._config
        if params is None:
            self._base_params = None
            self.set_config(config)
            return
        params = {k: np.array(v, dtype=float) for k, v in params.items()}
        config = config_for_weights(config, params, radius)
        self._base_params = params
        self.set_config(config)

    def restore(self, config: Config, params: dict | None, compare: Config | None = None,
                position: int = 0, draft: Config | None = None) -> None:
        """Put back saved work (a session): weights, settings, compare mode and, once the trace is
        in, the cursor; then the draft (settings entered but not shown when it was saved) as if
        typed again. Never waits for a background computation. ValueError before any change if
        the weights can't run."""
        if params is not None:
            config = config_for_weights(config, {k: np.asarray(v, dtype=float) for k, v in params.items()},
                                        config.radius)
        self.pause()
        self.set_compare(None)
        self._pending_position = int(position)
        self._pending_draft = None
        self.set_base_params(params, config.radius if params is not None else None, config=config)
        self._pending_draft = (self._config, draft) if draft is not None else None
        if compare is not None:
            self.set_compare(compare)
        if not self._busy:
            self._pending_position = None
            self.set_position(position)
            self._apply_draft(self._config)

    def _apply_draft(self, shown: Config) -> None:
        """After a restored trace is in: the draft, unless the user changed the settings meanwhile."""
        restored, draft = self._pending_draft or (None, None)
        self._pending_draft = None
        if draft is not None and shown == restored == self._config and draft != self._config:
            self.set_config(draft)

    def _set_error(self, msg: str) -> None:
        if msg != self._error:
            self._error = msg
            self.input_error_changed.emit(msg)

    def computes_here(self, c: Config) -> bool:
        """Whether `c` is computed on the GUI thread: when it is small, and no worker computes beside it
        (one in a Python loop takes the interpreter lock in turn with the GUI thread: beside a training
        run and a superseded trace, a compare that takes 30 ms alone held the window over 1 s). The
        first trace is computed here (a window has something to show). async_threshold = inf: always
        here (tests, the command line)."""
        if estimated_cost(c) > self.async_threshold:
            return False
        return self.async_threshold == float("inf") or self._trace is None or not jobs.busy(besides=("gains",))

    def _recompute(self) -> None:
        c = self._config
        self._gains.drop()     # the worker is needed now; the gains start again if this trace stays
        if self.computes_here(c):
            self._drop_main_job()
            try:
                tr = run_config(c, self._base_params)
            except (ValueError, MemoryError) as e:
                self._set_error(str(e) if isinstance(e, ValueError) else "not enough memory for this computation")
                self._gains.resume()
                return
            self._accept(tr, (c, self._base_params))
            return
        # a newer request supersedes the older one: jobs drops it from its queue or asks it to stop
        self._main_job = self.jobs.submit("main", _run_job, c, self._base_params)
        self._set_busy(True)

    def _drop_main_job(self) -> None:
        if self._main_job is not None:
            self.jobs.cancel("main")
            self._main_job = None
            self._set_busy(False)

    def _on_job_finished(self, job) -> None:
        if job is self._main_job:
            self._main_job = None
            self._set_busy(False)
            self._accept(job.result, job.args)
        elif not self._gains.take(job, True):
            self._compare.take(job, True)

    def _on_job_failed(self, job) -> None:
        if job is self._main_job:
            self._main_job = None
            self._pending_position = self._pending_draft = None
            self._set_busy(False)
            self._set_error(job.error)
            self._gains.resume()
        elif not self._gains.take(job, False):
            self._compare.take(job, False)

    def cancel_compute(self) -> None:
        """Forget a running recomputation; the last finished trace stays on screen."""
        if self._busy:
            self._drop_main_job()
            self._pending_position = self._pending_draft = None
            config, base = self._shown_run
            if config is not None and not self._runs_current(config):
                # back to the settings of the trace on screen: the widgets and a saved session match it
                self._base_params = base
                self._config = replace(config, clip_mode=self._config.clip_mode,
                                       clip_threshold=self._config.clip_threshold)
                self._set_error("")
                self.config_changed.emit(self._config)
                if self._compare.on:
                    self._compare.recompute()
            self._gains.resume()

    def shutdown(self) -> None:
        """The window closes: stop playing and drop every background job without waiting for it."""
        self.pause()
        self._main_job = None
        self._compare.drop()
        self.jobs.shutdown()
        self._gains.shutdown()
        self._set_busy(False)

    def _runs_current(self, config: Config) -> bool:
        """Whether `config` computes what the current config does (clipping is applied afterwards)."""
        c = self._config
        return replace(config, clip_mode=c.clip_mode, clip_threshold=c.clip_threshold) == c

    def wait_idle(self, msecs: int = 60000) -> bool:
        """Block until background work is done (tests and the CLI; the window never waits)."""
        return self.jobs.wait_idle(msecs)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _accept(self, tr: Trace, run: tuple) -> None:
        """Show `tr`, computed from run = (config, base params)."""
        self._shown_run = run
        old_top = self._trace.spec.layers - 1 if self._trace is not None else None
        old_T = self.T
        old_t, old_phase = self.t, self.phase
        self._trace = tr
        # keep the cursor where it was when the length allows, else clamp; done before trace_changed
        # so that its slots read a cursor (t, phase) inside the new trace
        timeline = Timeline(tr.T, tr.segments)
        if self._pending_position is not None and self._runs_current(run[0]):
            pos = self._pending_position  # a restored session's cursor
            self._pending_position = None
        elif old_T == 0:
            pos = 0  # a new window starts at step 1: → reveals the forward pass step by step
        else:
            pos = timeline.position(min(old_t, tr.T - 1), old_phase)
        self.playback.set_timeline(timeline, float(pos))
        if self._runs_current(run[0]):
            self._set_error("")  # else the input became invalid while this ran: its message stays
        self._update_clip()
        if self._selection is not None and self._selection.layer == old_top:
            self._selection = replace(self._selection, layer=tr.spec.layers - 1)   # the top layer stays the top
        self._selection = self._valid_selection(self._selection, tr)
        self.trace_changed.emit(tr)
        self.selection_changed.emit(self._selection)
        self.playback.announce()
        if self._compare.on and self._runs_current(run[0]):
            self._compare.recompute()
        if self._pending_draft is not None and not self._busy:
            self._apply_draft(run[0])
        if tr is self._trace and not self._busy:
            self._gains.start(tr)    # after the compared trace's job: the main trace's gains follow it

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
        """A second configuration on the same sequence (None ends compare mode): see rnnviz/app/compare.py.
        What differs from the main settings (an LSTM, two layers, radius 1.2...) is kept as the main
        settings change; the rest follows them."""
        self._compare.set(config)

    # ------------------------------------------------------------------ cursor and playback (playback.py)
    def set_position(self, pos: float) -> None:
        self.playback.set_position(pos)

    def step_to(self, t: int, phase: str | None = None) -> None:
        """Move the cursor to step t (0-based) of `phase` (default: the current phase)."""
        self.playback.step_to(t, phase)

    def step_forward(self) -> None:
        """One place along the timeline (past the forward pass's end, into the backward pass)."""
        self.playback.step_forward()

    def step_back(self) -> None:
        self.playback.step_back()

    def go_start(self) -> None:
        """Back to step 1 of the current phase."""
        self.playback.go_start()

    def go_end(self) -> None:
        """To the end of the current phase: step T forward, or step 1 backward."""
        self.playback.go_end()

    def start_backward(self) -> None:
        """Jump to the start of BPTT (gradient at step T) and play it."""
        self.playback.start_backward()

    def set_speed(self, steps_per_second: float) -> None:
        self.playback.set_speed(steps_per_second)

    def play(self) -> None:
        self.playback.play()

    def pause(self) -> None:
        self.playback.pause()

    def toggle_play(self) -> None:
        self.playback.toggle_play()

    # ------------------------------------------------------------------ hover and view options
    def set_hover(self, t: int) -> None:
        self.hover_changed.emit(int(t))

    # ------------------------------------------------------------------ which layer-direction the views explain
    @property
    def selection(self) -> StateRef:
        """The layer and direction (and state) that the equations, the heatmap, the Gradients tab and the
        BPTT panel show: the top layer's forward direction until the user picks another."""
        return self._selection or StateRef()

    def select(self, layer: int, direction: int = 0, name: str = "a") -> None:
        """Show layer `layer` (0 = bottom), direction 0 (→) or 1 (←): clamped to the model on screen."""
        sel = self._valid_selection(StateRef(int(layer), int(direction), name), self._trace)
        if sel != self._selection:
            self._selection = sel
            self.selection_changed.emit(sel)

    @staticmethod
    def _valid_selection(sel: StateRef | None, tr: Trace | None) -> StateRef:
        if tr is None:
            return sel or StateRef()
        spec = tr.spec
        if sel is None or sel.layer >= spec.layers or sel.direction >= spec.dirs:
            return StateRef(spec.layers - 1, 0, "a")
        if sel.name not in tr.layer(sel.layer, sel.direction).cell.state_names:
            return StateRef(sel.layer, sel.direction, "a")
        return sel

    # ------------------------------------------------------------------ a student's own functions on this sequence
    @property
    def student(self):
        """The checker's FunctionResults on the window's sequence (rnnviz.checker.run), or None: what
        views show beside ours. Set by the Check panel; None once the sequence changes."""
        return self._student

    def set_student(self, results) -> None:
        if results is not self._student:
            self._student = results
            self.student_changed.emit(results)

    def set_view_options(self, **changes) -> None:
        view = replace(self._view, **changes)
        if view == self._view:
            return  # every view restyles on this signal (a session with the same options: nothing to do)
        self._view = view
        self.view_options_changed.emit(self._view)
