"""Where the rows, nodes and edges of the unrolled graph go (pure Python, no Qt).

Scene coordinates: x counts columns (columns.py), one scene unit per column; y is in device pixels
(the view scales x only, so text and boxes never stretch). Sizes depend on the zoom (`col_px`, the
width of one column on screen) and the font size, so one Geometry describes one zoom.

Level of detail: where a step is wide enough for its numbers (`col_px >= DETAIL_EM` font sizes: a
two-digit value such as ‖a‖ = 2.4 in the small font inside a state node) each step is drawn as labelled
nodes joined by edges; below, each row becomes a compact band (bands.py), and the legend row says how to
see the numbers (zoom in; the Equations panel has the current step's).

Rows never overlap; how tall each is, at full size and when the window is short, is rows.py's.

A cell (one layer-direction: the rows c, gates, a) is a block: edges up the column leave the top of
a block and enter the bottom of the next; an edge that must pass other blocks (a bidirectional
layer's two directions both read the layer below) goes round them in a lane beside the nodes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from rnnviz.app.views.graph.columns import CONTEXT, INIT, Columns
from rnnviz.app.views.graph.rows import Place, place_rows, rows_em
from rnnviz.app.views.graph.spec import Edge, EdgeKind, GraphSpec, Role

DETAIL_EM = 2.7        # below this many font sizes per step, draw compact bands (46 px at any font did,
                       # so 14-17 steps at 1280 x 720 lost numbers that fit, and F11 kept nodes too narrow)
TOP3_PX = 72.0         # enough room in ŷ<t> for the top-3 predictions


@dataclass(frozen=True)
class Hit:
    what: str      # "node" or "edge"
    kind: str      # node: its row's key; edge: its key (the vanilla graph: Wax, Waa, Wya, L)
    t: int         # 0-based step (-1: a forward initial state, T: a backward one, -2: the context)
    src: str = ""  # edge: the key of the row it leaves


class Geometry:
    """The layout of `spec` at one zoom: rows, node rectangles, edge paths, picking."""

    def __init__(self, spec: GraphSpec, col_px: float, height_px: float, font_px: float = 14.0,
                 top_px: float = 0.0, bottom_px: float = 0.0, gutter_px: float = 0.0, tight: bool = False):
        self.spec, self.col_px, self.height_px, self.font_px = spec, float(col_px), float(height_px), float(font_px)
        self.tight = bool(tight)   # presenting: a stack's rows give up their gaps before the font shrinks
        self.top_px, self.bottom_px, self.gutter_px = float(top_px), float(bottom_px), float(gutter_px)
        self.cols = Columns.of(spec)
        self.T = spec.T
        self.top3 = self.col_px >= TOP3_PX and self.avail_px >= rows_em(spec, top3=True) * self.font_px
        self.places = self._place()
        self._blocks = {}
        for r in spec.rows:
            if r.block is not None:
                self._blocks.setdefault(r.block, []).append(r.key)

    def _key(self) -> tuple:
        return (id(self.spec), self.col_px, self.height_px, self.font_px, self.top_px, self.bottom_px, self.gutter_px,
                self.tight)

    def __eq__(self, other) -> bool:
        return isinstance(other, Geometry) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # ---------------------------------------------------------------- level of detail
    @property
    def detail_px(self) -> float:
        """The narrowest step (pixels) drawn as nodes with their numbers."""
        return DETAIL_EM * self.font_px

    @property
    def detailed(self) -> bool:
        return self.col_px >= self.detail_px

    @property
    def avail_px(self) -> float:
        return max(self.height_px - self.top_px - self.bottom_px, 40.0)

    # ---------------------------------------------------------------- rows
    def _place(self) -> dict[str, Place]:
        return place_rows(self.spec, self.font_px, self.avail_px, self.top_px, self.top3, self.tight)

    def row_band(self, key: str) -> tuple[float, float]:
        p = self.places[key]
        return p.top, p.bottom

    def cy(self, key: str) -> float:
        return self.places[key].cy

    def row_height(self, key: str) -> float:
        p = self.places[key]
        return p.bottom - p.top

    # ---------------------------------------------------------------- columns
    def cx(self, t: float) -> float:
        return self.cols.cx(t)

    def steps_between(self, x0: float, x1: float, pad: int = 1) -> range:
        return self.cols.steps_between(x0, x1, pad)

    def step_at(self, x: float) -> int | None:
        return self.cols.step_at(x)

    def node_x(self, t: int) -> float:
        """Scene x of the centre of the nodes of step t (INIT, T or CONTEXT for the special ones)."""
        if t == CONTEXT:
            return self.cols.col_x(self.cols.context_col)
        return self.cols.col_x(self.cols.col(t))

    # ---------------------------------------------------------------- nodes
    def node_w_px(self, key: str) -> float:
        f = self.font_px
        w = min(0.72 * self.col_px, 10.5 * f)
        if key in ("x", "L"):
            w = min(w, 5.2 * f)
        return w

    def node_size(self, key: str) -> tuple[float, float]:
        """(width, height) in pixels."""
        return self.node_w_px(key), self.places[key].node_h

    def node_rect(self, key: str, t: int) -> tuple[float, float, float, float]:
        """(x, y, w, h) in scene units (x in columns, y in pixels)."""
        w, h = self.node_size(key)
        sw = w / self.col_px
        p = self.places[key]
        return (self.node_x(t) - sw / 2, p.node_top, sw, h)

    def has_node(self, key: str, t: int) -> bool:
        """Whether row `key` has a node at step t (outputs: the view also asks the trace)."""
        if 0 <= t < self.T:
            return True
        row = self.spec.row(key)
        if row.role != Role.STATE:
            return False
        if t == INIT:
            return row.direction == 0
        if t == self.T:
            return row.direction == 1
        return t == CONTEXT and self.cols.context_col is not None

    def special_steps(self) -> list[int]:
        """INIT, CONTEXT and T where those columns exist."""
        out = [INIT]
        if self.cols.context_col is not None:
            out.append(CONTEXT)
        if self.cols.right_init:
            out.append(self.T)
        return out

    # ---------------------------------------------------------------- blocks (cells)
    def block_span(self, key: str) -> tuple[float, float]:
        """(top, bottom) pixels of the nodes of the block row `key` belongs to (the row itself if none)."""
        row = self.spec.row(key)
        keys = self._blocks.get(row.block, [key])
        a, b = self.places[keys[0]], self.places[keys[-1]]
        return a.node_top, b.node_top + b.node_h

    # ---------------------------------------------------------------- edges
    def recurrent_line(self, key: str, t: int, backward: bool) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) scene units of the edge into step t's node of a state row (t = CONTEXT: the
        edge from the encoder's last step into the context)."""
        sw = self.node_w_px(key) / self.col_px
        y = self.places[key].cy
        if t == CONTEXT:
            x_src, x_dst = self.node_x(self.cols.gap_at - 1), self.node_x(CONTEXT)
        else:
            col = self.cols.col(t)
            x_dst = self.node_x(t)
            x_src = self.cols.col_x(col + 1 if backward else col - 1)
        d = -1 if backward else 1
        return (x_src + d * sw / 2, y, x_dst - d * sw / 2, y)

    def edge_line(self, key: str, t: int) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the first edge named `key` into step t (its ends, for straight edges)."""
        e = next(e for e in self.spec.edges if e.key == key)
        pts = self.edge_path(e, t)
        return (*pts[0], *pts[-1])

    def edge_path(self, e: Edge, t: int) -> list[tuple[float, float]]:
        """The points (scene units) of edge `e` into step t, from its source to its destination."""
        if e.kind in (EdgeKind.RECURRENT, EdgeKind.CELL):
            x0, y0, x1, y1 = self.recurrent_line(e.dst, t, e.dt > 0)
            return [(x0, y0), (x1, y1)]
        if e.kind == EdgeKind.FEEDBACK:
            return self._feedback_path(t)
        return self._vertical_path(e, t)

    def _vertical_path(self, e: Edge, t: int) -> list[tuple[float, float]]:
        rows = self.spec.rows
        index = {r.key: i for i, r in enumerate(rows)}
        src, dst = self.spec.row(e.src), self.spec.row(e.dst)
        ys = self.block_span(e.src)[0]          # leaves the top of its block
        yd = self.block_span(e.dst)[1]          # enters the bottom of the next
        x = self.node_x(t)
        lo, hi = sorted((index[e.src], index[e.dst]))
        between = [r for r in rows[lo + 1:hi] if r.block is not None and r.block not in (src.block, dst.block)]
        if not between:
            return [(x, ys), (x, yd)]
        top = self.block_span(between[0].key)[0]
        bottom = self.block_span(between[-1].key)[1]
        side = -1.0 if (src.block is not None and self.spec.dirs > 1 and src.direction == 0) else 1.0
        w = self.node_w_px(e.dst) / self.col_px
        gap = max(1.0 - w, 0.0)
        lane = x + side * (w / 2 + 0.35 * gap)
        end = x + side * w / 4
        y1, y2 = (ys + bottom) / 2, (top + yd) / 2
        return [(end, ys), (end, y1), (lane, y1), (lane, y2), (end, y2), (end, yd)]

    def _feedback_path(self, t: int) -> list[tuple[float, float]]:
        """ŷ⟨t−1⟩ -> x⟨t⟩: out of ŷ's right side, down between the columns, into x's left side."""
        wy = self.node_w_px("y") / self.col_px
        wx = self.node_w_px("x") / self.col_px
        x_prev, x_now = self.node_x(t - 1), self.node_x(t)
        xb = (x_prev + wy / 2 + x_now - wx / 2) / 2
        xb = min(max(xb, x_prev + wy / 2 + 0.02), x_now - wx / 2 - 0.02)
        yy, yx = self.places["y"].cy, self.places["x"].cy
        return [(x_prev + wy / 2, yy), (xb, yy), (xb, yx), (x_now - wx / 2, yx)]

    def edges_into(self, t: int) -> list[Edge]:
        """The spec's edges whose destination is at step t (the view drops those the trace lacks)."""
        return [e for e in self.spec.edges if not (e.kind == EdgeKind.FEEDBACK and t == 0)]

    # ---------------------------------------------------------------- picking
    def hit(self, x: float, y: float, slack_px: float = 5.0, edges=None, exists=None) -> Hit | None:
        """What lies under scene point (x, y): a node first, else an edge within `slack_px`.
        `edges(t)` lists the edges present at step t (default: every edge of the spec), `exists(key, t)`
        says whether a node is drawn (default: has_node)."""
        exists = exists or self.has_node
        steps = [s for s in (self.step_at(x),) if s is not None]
        steps += [s for s in self.special_steps() if abs(x - self.node_x(s)) <= 0.5]
        for t in steps:
            for r in self.spec.rows:
                if not exists(r.key, t):
                    continue
                rx, ry, rw, rh = self.node_rect(r.key, t)
                if rx <= x <= rx + rw and ry <= y <= ry + rh:
                    return Hit("node", r.key, t)
        near = self.steps_between(x - 1.0, x + 1.0, pad=0)
        best, best_d = None, math.inf
        for t in near:
            for e in (edges(t) if edges is not None else self.edges_into(t)):
                pts = self.edge_path(e, t)
                d = _distance_px(pts, x, y, self.col_px)
                if d < best_d:
                    best, best_d = Hit("edge", e.key, t, e.src), d
        return best if best is not None and best_d <= slack_px + 2 else None


def _distance_px(pts, x: float, y: float, col_px: float) -> float:
    """Distance in pixels from (x, y) to a polyline of scene points."""
    px, best = x * col_px, math.inf
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        ax, bx = x0 * col_px, x1 * col_px
        dx, dy = bx - ax, y1 - y0
        n = dx * dx + dy * dy
        u = 0.0 if n == 0 else min(max(((px - ax) * dx + (y - y0) * dy) / n, 0.0), 1.0)
        best = min(best, math.hypot(px - (ax + u * dx), y - (y0 + u * dy)))
    return best


def subsample_units(n_a: int, k_max: int = 32) -> list[int]:
    """Indices of at most k_max units spread evenly over 0..n_a-1 (all of them when n_a <= k_max)."""
    if n_a <= k_max:
        return list(range(n_a))
    return sorted({round(i * (n_a - 1) / (k_max - 1)) for i in range(k_max)})


def log_fraction(value: float, lo: float, hi: float) -> float:
    """Where log10(value) sits in [lo, hi] (0..1, clamped); NaN for non-positive or non-finite values."""
    if not (value > 0) or not math.isfinite(value):
        return float("nan")
    return min(max((math.log10(value) - lo) / max(hi - lo, 1e-12), 0.0), 1.0)
