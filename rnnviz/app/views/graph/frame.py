"""Frame: everything one paint of the graph needs, handed to the painters as an argument (they never
reach into the graphics item): the layout, the style, the data, the cursor and the BPTT fronts."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnnviz.app.views.graph.columns import CONTEXT
from rnnviz.app.views.graph.data import GraphData
from rnnviz.app.views.graph.images import ImageCache
from rnnviz.app.views.graph.layout import Geometry, Hit
from rnnviz.app.views.graph.spec import Role, Row
from rnnviz.app.views.graph.style import Style
from rnnviz.app.views.graph.timing import Fronts
from rnnviz.core.timeline import Timeline

DIM = 0.26   # opacity of steps the forward pass has not reached yet


@dataclass
class Frame:
    geom: Geometry
    style: Style
    data: GraphData
    images: ImageCache
    timeline: Timeline
    position: float                      # the timeline position (fractional while playing)
    grad_frac: dict                      # row key -> (T,) place of its gradient on the shared log scale
    bands: object = None                 # bands.Bands of this trace
    hover: Hit | None = None
    hover_t: int = -1                    # step hovered in another view
    selection: tuple[int, int] | None = None   # (layer, direction) highlighted; None: one cell only
    drawn: list | None = None            # records every text drawn (text.fit_text) when a list
    formats: dict = field(default_factory=dict)   # how each row writes its numbers (chosen per paint)
    memo: dict = field(default_factory=dict)      # per-trace caches kept by the item between paints
    student: object = None               # student.Overlay: a checked file's values beside ours, or None

    def __post_init__(self):
        self.fronts = Fronts(self.timeline, self.position, self.data.spec.layers)
        self.spec = self.data.spec

    # ---------------------------------------------------------------- the cursor
    @property
    def T(self) -> int:
        return self.data.T

    @property
    def backward(self) -> bool:
        return self.fronts.backward

    @property
    def t(self) -> int:
        return self.timeline.step(self.position)

    @property
    def back_step(self) -> float:
        return self.timeline.back_step(self.position)

    def opacity_of(self, t: int) -> float:
        """Forward phase: reached steps opaque, the next one fades in while playing, later ones dim."""
        if self.backward or t <= self.t or t == CONTEXT and self.t >= self.geom.cols.gap_at - 1:
            return 1.0
        if t == self.T:                   # the backward direction's initial state: always there
            return 1.0
        if t == CONTEXT:
            return DIM
        if t == self.t + 1:
            frac = self.position - math.floor(self.position)
            return DIM + (1.0 - DIM) * frac
        return DIM

    # ---------------------------------------------------------------- the gradient front, per row
    def depth(self, row: Row) -> int:
        """0 for the top layer (and the output rows), one more per layer down."""
        return 0 if row.layer < 0 else self.spec.layers - 1 - row.layer

    def reached(self, row: Row, t: int) -> bool:
        """Whether the backward pass has brought the gradient to row's step t."""
        if not self.backward or row.role not in (Role.STATE, Role.GATE):
            return False
        if t == CONTEXT:
            t = self.geom.cols.gap_at - 1
        return self.fronts.reached(t, row.direction, self.depth(row))

    def front(self, row: Row) -> float:
        return self.fronts.front(row.direction, self.depth(row))

    def grad_fill_frac(self, key: str, t: int) -> float:
        fr = self.grad_frac.get(key)
        if fr is None or not 0 <= t < fr.size:
            return float("nan")
        return float(fr[t])

    def edge_width(self, key: str, t: int) -> float:
        """A recurrent edge carrying the gradient back from step t: wider for larger (log) magnitudes."""
        fr = self.grad_fill_frac(key, t)
        return 1.5 if not math.isfinite(fr) else 1.5 + 7.5 * fr

    def selected(self, row: Row) -> bool:
        return self.selection is not None and row.block == self.selection

    def has_node(self, key: str, t: int) -> bool:
        if not self.geom.has_node(key, t):
            return False
        role = self.spec.row(key).role
        if role in (Role.OUTPUT, Role.LOSS):
            return 0 <= t < self.T and bool(self.data.has_output[t])
        return True


def grad_fractions(data: GraphData) -> dict:
    """Row key -> (T,) where each step's gradient norm sits on the shared log10 scale (NaN: none)."""
    lo, hi = data.g_range
    out = {}
    for key, s in data.states.items():
        g = s.grads[data.flow]
        with np.errstate(divide="ignore", invalid="ignore"):
            fr = np.clip((np.log10(g) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
        fr[~(np.isfinite(g) & (g > 0))] = np.nan   # log10 of 0 or inf has no colour
        out[key] = fr
    return out
