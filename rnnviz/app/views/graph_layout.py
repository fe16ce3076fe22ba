"""Where the nodes and edges of the unrolled graph go, for T steps (pure Python, no Qt).

Scene coordinates: x counts columns (column 0 holds a<0>, column t+1 holds step t, 0-based), one scene
unit per column; y is in device pixels (the view scales x only, so text and boxes never stretch).
Rows from top to bottom: L<t>, ŷ<t>, a<t>, x<t>. Sizes are in pixels and depend on the zoom
(`col_px`, the width of one column on screen) and the font size, so one `Geometry` describes one zoom.

Level of detail: at `col_px >= DETAIL_PX` each step is drawn as four labelled nodes joined by the
Wax / Waa / Wya edges; below, each row becomes a compact band (a heatmap strip of a<t>, the loss as bars).

Rows never overlap: each row is its node's height (NODE_EM font sizes) plus a gap for the edge
labels between rows (GAP_EM); spare height is shared by ROW_WEIGHT. When the drawing area is too
short for that, every row shrinks by the same factor (the canvas first picks a smaller font with
`fit_font_px`, so this only happens below the smallest font).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from rnnviz.app import numfmt

KINDS = ("L", "y", "a", "x")          # rows, top to bottom
EDGE_KINDS = ("Wax", "Waa", "Wya", "L")  # x->a, a<t-1>->a<t>, a->ŷ, ŷ->L
DETAIL_PX = 52.0       # below this many pixels per step, draw compact bands
TOP3_PX = 72.0         # enough room in ŷ<t> for the top-3 predictions
ROW_WEIGHT = {"L": 0.8, "y": 1.55, "a": 1.25, "x": 0.9}
NODE_EM = {"L": 2.0, "y": 2.2, "a": 3.2, "x": 2.1}   # node heights in font sizes (ŷ with the top 3: TOP3_EM)
TOP3_EM = 4.7
GAP_EM = 1.0           # between two rows' nodes: an edge label in the small font fits
FONT_MIN_PX = 9.0      # the canvas shrinks the graph's font to fit a short window, never below this


def rows_em(top3: bool = False) -> float:
    """Height of the four rows in font sizes, gaps included."""
    return sum(NODE_EM.values()) + (TOP3_EM - NODE_EM["y"] if top3 else 0.0) + len(KINDS) * GAP_EM


def fit_font_px(nominal: float, height_px: float, other_em: float) -> float:
    """The largest font (<= nominal, in half pixels) at which the rows plus `other_em` font sizes of
    title and axis fit in height_px."""
    f = height_px / (rows_em() + other_em)
    return max(FONT_MIN_PX, min(nominal, math.floor(f * 2) / 2))


@dataclass(frozen=True)
class Hit:
    what: str      # "node" or "edge"
    kind: str      # node: L, y, a, x; edge: Wax, Waa, Wya, L
    t: int         # 0-based step (-1: a<0>)


@dataclass(frozen=True)
class Geometry:
    T: int
    col_px: float            # pixels per column (the zoom)
    height_px: float         # height of the drawing area
    font_px: float = 14.0    # body text size in pixels
    top_px: float = 0.0      # reserved for the title
    bottom_px: float = 0.0   # reserved for the step axis and the colour legend

    # ---------------------------------------------------------------- level of detail
    @property
    def detailed(self) -> bool:
        return self.col_px >= DETAIL_PX

    @property
    def top3(self) -> bool:
        """Room for ŷ's top-3 predictions: wide columns, and the rows fit with the tall ŷ node."""
        return self.col_px >= TOP3_PX and self.avail_px >= rows_em(top3=True) * self.font_px

    @property
    def avail_px(self) -> float:
        return max(self.height_px - self.top_px - self.bottom_px, 40.0)

    def _node_em(self, kind: str) -> float:
        return TOP3_EM if kind == "y" and self.top3 else NODE_EM[kind]

    # ---------------------------------------------------------------- columns
    @property
    def n_columns(self) -> int:
        return self.T + 1

    @staticmethod
    def column_of(t: int) -> int:
        return t + 1

    @staticmethod
    def cx(t: float) -> float:
        """Scene x of the centre of step t's column (t = -1: a<0>); fractional t interpolates."""
        return t + 1.5

    def steps_between(self, x0: float, x1: float, pad: int = 1) -> range:
        """0-based steps whose column meets scene x in [x0, x1] (plus `pad` on each side)."""
        lo = max(int(math.floor(x0)) - 1 - pad, 0)
        hi = min(int(math.floor(x1)) - 1 + pad, self.T - 1)
        return range(lo, hi + 1) if hi >= lo else range(0)

    def step_at(self, x: float) -> int | None:
        t = int(math.floor(x)) - 1
        return t if 0 <= t < self.T else None

    # ---------------------------------------------------------------- rows
    def _fit_scale(self) -> float:
        """1 when the rows fit at full size, else the factor every row shrinks by."""
        need = sum(self._node_em(k) + GAP_EM for k in KINDS) * self.font_px
        return min(1.0, self.avail_px / need)

    def row_height(self, kind: str) -> float:
        f, avail = self.font_px, self.avail_px
        base = {k: (self._node_em(k) + GAP_EM) * f for k in KINDS}
        need = sum(base.values())
        if avail < need:
            return base[kind] * avail / need
        return base[kind] + (avail - need) * ROW_WEIGHT[kind] / sum(ROW_WEIGHT.values())

    def row_band(self, kind: str) -> tuple[float, float]:
        """(top, bottom) pixels of the row."""
        y = self.top_px
        for k in KINDS:
            h = self.row_height(k)
            if k == kind:
                return y, y + h
            y += h
        raise KeyError(kind)

    def cy(self, kind: str) -> float:
        a, b = self.row_band(kind)
        return 0.5 * (a + b)

    # ---------------------------------------------------------------- nodes
    def node_size(self, kind: str) -> tuple[float, float]:
        """(width, height) in pixels."""
        f = self.font_px
        w = min(0.72 * self.col_px, 10.5 * f)
        h = self._node_em(kind) * f * self._fit_scale()   # the row keeps GAP_EM for the edges
        if kind == "x" or kind == "L":
            w = min(w, 5.2 * f)
        return w, h

    def node_rect(self, kind: str, t: int) -> tuple[float, float, float, float]:
        """(x, y, w, h) in scene units (x in columns, y in pixels)."""
        w, h = self.node_size(kind)
        sw = w / self.col_px
        return (self.cx(t) - sw / 2, self.cy(kind) - h / 2, sw, h)

    def has_node(self, kind: str, t: int) -> bool:
        if t == -1:
            return kind == "a"
        return 0 <= t < self.T

    # ---------------------------------------------------------------- edges
    def edge_line(self, kind: str, t: int) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in scene units; Waa at t joins a<t-1> to a<t>."""
        if kind == "Waa":
            _, _, w0, _ = self.node_rect("a", t - 1)
            x0 = self.cx(t - 1) + w0 / 2
            x1 = self.cx(t) - w0 / 2
            y = self.cy("a")
            return (x0, y, x1, y)
        lower, upper = {"Wax": ("x", "a"), "Wya": ("a", "y"), "L": ("y", "L")}[kind]
        _, yl, _, _ = self.node_rect(lower, t)
        _, yu, _, hu = self.node_rect(upper, t)
        x = self.cx(t)
        return (x, yl, x, yu + hu)

    # ---------------------------------------------------------------- picking
    def hit(self, x: float, y: float, slack_px: float = 5.0) -> Hit | None:
        """What lies under scene point (x, y): a node first, else an edge within `slack_px`."""
        t = int(math.floor(x)) - 1
        if t < -1 or t >= self.T:
            return None
        for kind in KINDS:
            if not self.has_node(kind, t):
                continue
            rx, ry, rw, rh = self.node_rect(kind, t)
            if rx <= x <= rx + rw and ry <= y <= ry + rh:
                return Hit("node", kind, t)
        sx = slack_px / self.col_px
        # Waa: the horizontal edge entering a<t> (or a<t+1> when x is right of a<t>'s centre)
        for tt in (t, t + 1):
            if 0 <= tt < self.T:
                x0, y0, x1, _ = self.edge_line("Waa", tt)
                if x0 - sx <= x <= x1 + sx and abs(y - y0) <= slack_px + 2:
                    return Hit("edge", "Waa", tt)
        if t >= 0 and abs(x - self.cx(t)) <= sx:
            for kind in ("Wax", "Wya", "L"):
                _, y0, _, y1 = self.edge_line(kind, t)
                if min(y0, y1) <= y <= max(y0, y1):
                    return Hit("edge", kind, t)
        return None


def subsample_units(n_a: int, k_max: int = 32) -> list[int]:
    """Indices of at most k_max units spread evenly over 0..n_a-1 (all of them when n_a <= k_max)."""
    if n_a <= k_max:
        return list(range(n_a))
    return sorted({round(i * (n_a - 1) / (k_max - 1)) for i in range(k_max)})


def backward_step(position: float, T: int) -> float:
    """Fractional step reached by the backward pass at timeline `position` (T - 1 down to 0)."""
    return 2 * T - 1 - position


def log_fraction(value: float, lo: float, hi: float) -> float:
    """Where log10(value) sits in [lo, hi] (0..1, clamped); NaN for non-positive or non-finite values."""
    if not (value > 0) or not math.isfinite(value):
        return float("nan")
    return min(max((math.log10(value) - lo) / max(hi - lo, 1e-12), 0.0), 1.0)


def fmt_sci(v: float) -> str:
    """3.2e-04 -> '3.2e-4'; inf/NaN as '∞' / 'NaN' (rnnviz.app.numfmt.short)."""
    return numfmt.short(v)
