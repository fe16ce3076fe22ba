"""The one place that converts a cursor position into (step, phase), and back.

The timeline has 2T places: the forward pass t = 1..T (positions 0..T-1), then the backward pass
t = T..1 (positions T..2T-1). Positions may be fractional while playing: the animation interpolates
between steps. Segments (an encoder–decoder's encoder and decoder steps) divide the steps; a
position never needs to know about them, a view asks which segment a step is in.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class Phase(str, Enum):
    """Which pass the cursor is in. A str, so 'forward' == Phase.FORWARD."""

    FORWARD = "forward"
    BACKWARD = "backward"


@dataclass(frozen=True)
class Timeline:
    T: int
    segments: tuple = ()          # trace.Segment objects (name, start, stop); () = one sequence

    @property
    def n_positions(self) -> int:
        return 2 * self.T

    @property
    def last(self) -> int:
        """The last position (step 1 of the backward pass)."""
        return max(self.n_positions - 1, 0)

    def clamp(self, pos: float) -> float:
        return min(max(float(pos), 0.0), float(self.last))

    def phase(self, pos: float) -> Phase:
        return Phase.FORWARD if int(pos) < self.T else Phase.BACKWARD

    def step(self, pos: float) -> int:
        """The 0-based step at an (integer part of a) position."""
        p = int(pos)
        return p if p < self.T else 2 * self.T - 1 - p

    def locate(self, pos: float) -> tuple[int, Phase]:
        return self.step(pos), self.phase(pos)

    def position(self, t: int, phase: str) -> int:
        """The position of 0-based step t in `phase`."""
        return t if phase == Phase.FORWARD else 2 * self.T - 1 - t

    def start(self, phase: str) -> int:
        """Where a phase begins: step 1 forward, step T backward."""
        return 0 if phase == Phase.FORWARD else self.T

    def end(self, phase: str) -> int:
        """Where a phase ends: step T forward, step 1 backward."""
        return self.T - 1 if phase == Phase.FORWARD else self.last

    def cursor_x(self, progress: float) -> float:
        """The cursor's step, 1-based and fractional while playing (forward t, then backward T..1)."""
        return progress + 1.0 if progress < self.T else 2 * self.T - progress

    def back_step(self, progress: float) -> float:
        """How far the backward pulse has come, as a fractional 0-based step (T: not started)."""
        if progress < self.T:
            return float(self.T)
        return 2 * self.T - 1 - progress

    def segment_of(self, t: int):
        for s in self.segments:
            if s.start <= t < s.stop:
                return s
        return None

    def next_step(self, pos: float) -> int:
        return math.floor(pos) + 1

    def prev_step(self, pos: float) -> int:
        return math.ceil(pos) - 1
