"""Where the BPTT pulse is in every row of the graph at a timeline position (pure Python).

Backpropagation runs back in time through a forward direction (from step T down to 1, arrows
right to left) and forward in time through a backward direction (from step 1 up to T), and down
through the layers. At a resting position every row has reached the cursor's step in its own sense;
between two positions (while playing) the top layer moves first and each layer below follows a
little later, so the pulse is seen going down the stack as well as along it. Every layer arrives
at the next step by the end of the interval, so a paused picture is the same for all layers.
"""
from __future__ import annotations

import math

from rnnviz.core.timeline import Timeline

LAYER_SPAN = 0.5       # part of a step's interval each layer takes to move (the rest is the stagger)
EPS = 1e-9


def layer_phase(frac: float, depth: int, layers: int) -> float:
    """How far (0..1) a layer `depth` below the top has moved when the cursor is `frac` (0..1) of the way
    from one backward step to the next."""
    if layers <= 1:
        return frac
    span = LAYER_SPAN
    start = depth * (1.0 - span) / (layers - 1)
    return min(max((frac - start) / span, 0.0), 1.0)


class Fronts:
    """The gradient front of each row at one timeline position.

    front(direction, depth) is a fractional step: a forward row has its gradient at every step
    t >= front, a backward row at every t <= front. Before the backward pass nothing is reached."""

    def __init__(self, timeline: Timeline, progress: float, layers: int = 1):
        self.T, self.layers = timeline.T, layers
        self.backward = timeline.T > 0 and timeline.phase(progress).value == "backward"
        u = max(progress - timeline.T, 0.0)          # steps covered by the backward pass
        self.k = math.floor(u + EPS)
        self.frac = 0.0 if u - self.k < EPS else u - self.k
        self.back_step = timeline.back_step(progress)   # the top forward row's front (T: not started)

    def moved(self, depth: int) -> float:
        return layer_phase(self.frac, depth, self.layers)

    def front(self, direction: int, depth: int = 0) -> float:
        if not self.backward:
            return math.inf if direction == 0 else -math.inf
        m = self.moved(depth)
        if direction == 0:
            return self.T - 1 - self.k - m
        return self.k + m

    def reached(self, t: int, direction: int, depth: int = 0) -> bool:
        """The gradient has arrived at step t of a row (t may be -1 / T: the initial states)."""
        f = self.front(direction, depth)
        return t >= f - EPS if direction == 0 else t <= f + EPS

    def entering(self, direction: int, depth: int = 0) -> tuple[int, float] | None:
        """(step, 0..1) while the pulse of a row is on its way to a step (None at rest)."""
        if not self.backward:
            return None
        m = self.moved(depth)
        if m <= EPS or m >= 1 - EPS:
            return None
        step = self.T - 2 - self.k if direction == 0 else self.k + 1
        return (step, m) if 0 <= step < self.T else None
