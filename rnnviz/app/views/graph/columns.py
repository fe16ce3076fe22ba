"""The graph's columns (pure Python): one per step, plus the initial states and the context.

Scene x counts columns, one scene unit each. Column 0 holds the forward rows' initial states a⟨0⟩
(c⟨0⟩); each step has its column; an encoder–decoder has one more column between its segments for
the context (the encoder's last state, which starts the decoder); a bidirectional model has one
after the last step for the backward direction's initial state a←⟨T+1⟩ = 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

INIT = -1          # the step "number" of an initial-state node (forward rows; T for backward rows)
CONTEXT = -2       # ... of a context node


@dataclass(frozen=True)
class Columns:
    T: int
    gap_at: int | None = None     # the first decoder step (a context column before it), or None
    right_init: bool = False      # a column after the last step (backward rows' initial states)

    @classmethod
    def of(cls, spec) -> "Columns":
        segs = spec.segments
        gap = segs[1].start if len(segs) > 1 and 0 < segs[1].start < spec.T else None
        return cls(spec.T, gap, spec.dirs > 1)

    @property
    def n_columns(self) -> int:
        return self.T + 1 + (self.gap_at is not None) + self.right_init

    def col(self, t: int) -> int:
        """The column of 0-based step t (-1: the forward initial states; T: the backward ones)."""
        if t < 0:
            return 0
        return t + 1 + (self.gap_at is not None and t >= self.gap_at)

    @property
    def context_col(self) -> int | None:
        return None if self.gap_at is None else self.gap_at + 1

    def cx(self, t: float) -> float:
        """Scene x of the centre of step t's column; fractional t lies between two steps' columns."""
        lo = math.floor(t)
        c0 = self.col(int(lo)) + 0.5
        if t == lo:
            return c0
        c1 = self.col(int(lo) + 1) + 0.5
        return c0 + (t - lo) * (c1 - c0)

    def col_x(self, col: int) -> float:
        return col + 0.5

    def step_of_col(self, col: int) -> int | None:
        """The 0-based step shown in a column (None: an initial-state or context column, or outside)."""
        if col < 1:
            return None
        t = col - 1
        if self.gap_at is not None and t >= self.gap_at:
            if t == self.gap_at:
                return None
            t -= 1
        return t if t < self.T else None

    def step_at(self, x: float) -> int | None:
        return self.step_of_col(int(math.floor(x)))

    def steps_between(self, x0: float, x1: float, pad: int = 1) -> range:
        """0-based steps whose column meets scene x in [x0, x1] (plus `pad` on each side)."""
        lo = self._first_step_from(int(math.floor(x0))) - pad
        hi = self._last_step_to(int(math.floor(x1))) + pad
        lo, hi = max(lo, 0), min(hi, self.T - 1)
        return range(lo, hi + 1) if hi >= lo else range(0)

    def _first_step_from(self, col: int) -> int:
        """The first step whose column is >= col."""
        col = max(col, 1)
        t = col - 1
        if self.gap_at is not None and t >= self.gap_at:
            t -= 1
            if t < self.gap_at:
                t = self.gap_at
        return t

    def _last_step_to(self, col: int) -> int:
        """The last step whose column is <= col."""
        t = col - 1
        if self.gap_at is not None and t >= self.gap_at:
            t -= 1
        return t

    def special_cols(self) -> list[int]:
        """Columns with initial-state or context nodes."""
        out = [0]
        if self.context_col is not None:
            out.append(self.context_col)
        if self.right_init:
            out.append(self.col(self.T))
        return out
