"""Playback: the cursor on the timeline and the player that moves it (AppState owns one).

The cursor is a position on a rnnviz.core.timeline.Timeline of 2T places: the forward pass t = 1..T,
then the backward pass t = T..1; the Timeline is the one place that converts a position to (step,
phase) and back. Playing moves a fractional position smoothly (`progress_changed`, about 60 times a
second) so animations can interpolate between steps; `step_changed` fires when the integer step or
the phase changes. AppState re-emits these signals under the same names and forwards its cursor
methods here, so views keep connecting to the state.
"""
from __future__ import annotations

import math
import time

from PySide6.QtCore import QObject, QTimer, Signal

from rnnviz.core.timeline import Phase, Timeline

MIN_SPEED, MAX_SPEED = 0.25, 240.0   # steps per second
TICK_MS = 16


class Playback(QObject):
    step_changed = Signal(int, str)          # t (0-based), phase "forward" | "backward"
    progress_changed = Signal(float)         # fractional timeline position while playing / scrubbing
    playing_changed = Signal(bool)
    speed_changed = Signal(float)            # steps per second

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.timeline = Timeline(0)
        self._pos = 0.0
        self._speed = 4.0
        self._playing = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._last_tick = 0.0

    # ------------------------------------------------------------------ where the cursor is
    @property
    def T(self) -> int:
        return self.timeline.T

    @property
    def n_positions(self) -> int:
        return self.timeline.n_positions

    @property
    def position(self) -> int:
        return int(self._pos)

    @property
    def progress(self) -> float:
        return self._pos

    @property
    def phase(self) -> str:
        return self.timeline.phase(self._pos).value

    @property
    def t(self) -> int:
        """The current step, 0-based."""
        return self.timeline.step(self._pos)

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    def position_of(self, t: int, phase: str) -> int:
        return self.timeline.position(t, phase)

    # ------------------------------------------------------------------ a new trace
    def set_timeline(self, timeline: Timeline, pos: float) -> None:
        """A new trace: its timeline, and the cursor at `pos` (clamped), without a signal: the state
        announces the trace first, then calls announce() so that slots read a cursor inside it."""
        self.timeline = timeline
        self._pos = timeline.clamp(pos) if timeline.T else 0.0

    def announce(self) -> None:
        self.step_changed.emit(self.t, self.phase)
        self.progress_changed.emit(self._pos)

    # ------------------------------------------------------------------ moving the cursor
    def set_position(self, pos: float) -> None:
        if self.T == 0:
            return
        pos = self.timeline.clamp(pos)
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
        self.set_position(self.timeline.next_step(self._pos))

    def step_back(self) -> None:
        self.set_position(self.timeline.prev_step(self._pos))

    def go_start(self) -> None:
        """Back to step 1 of the current phase."""
        self.set_position(self.timeline.start(self.phase))

    def go_end(self) -> None:
        """To the end of the current phase: step T forward, or step 1 backward."""
        self.set_position(self.timeline.end(self.phase))

    def start_backward(self) -> None:
        """Jump to the start of BPTT (gradient at step T) and play it."""
        self.set_position(self.timeline.start(Phase.BACKWARD))
        self.play()

    # ------------------------------------------------------------------ playing
    def set_speed(self, steps_per_second: float) -> None:
        s = min(max(float(steps_per_second), MIN_SPEED), MAX_SPEED)
        if s != self._speed:
            self._speed = s
            self.speed_changed.emit(s)

    def play(self) -> None:
        if self._playing or self.T == 0:
            return
        if self._pos >= self.timeline.last:  # at the very end, playing starts again
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
        end = self.timeline.last  # forward, then straight on into the backward pass
        new = self._pos + dt * self._speed
        if new >= end:
            self.set_position(end)
            self.pause()
        else:
            self.set_position(new)
