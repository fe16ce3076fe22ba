"""How tall the rows of the unrolled graph are (pure Python, no Qt): each row is its node's height
(node_em font sizes) plus a gap for the edge labels (gap_em); spare height is shared by weight. When
the drawing area is too short, the rows of the cells (a stack of layers) shrink towards their smallest
readable height first; the canvas picks a smaller font only when even that does not fit
(`fit_font_px`), and below the smallest font every row shrinks by the same factor. One vanilla chain
keeps the notes' proportions. At their smallest (a deep LSTM at 1280 x 720) c⟨t⟩ keeps a strip of its
units and each gate a strip of its own. Presenting (`tight`), a stack's rows give up most of the gaps
between them at their smallest, so that its text stays larger than in the window.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from rnnviz.app.views.graph.spec import GraphSpec, Role, Row

TOP3_EM = 5.3          # the ŷ<t> node with the top-3 predictions and the target: four lines of x<t>-sized letters
FONT_MIN_PX = 9.0      # the canvas shrinks the graph's font to fit a short window, never below this


@dataclass(frozen=True)
class RowDims:
    node_em: float
    gap_em: float
    weight: float
    min_node_em: float
    min_gap_em: float


GATE_STRIP_EM = 0.27   # the smallest strip of one gate (3 pixels at an 11-pixel font): its colour reads
C_MIN_EM = 0.75        # the smallest c⟨t⟩ node: its units' strip as readable as a⟨t⟩'s when short
TIGHT_GAP_EM = 0.15    # presenting a stack: the smallest gap of a one-line row (L, ŷ, x; else 0.4)
TIGHT_A_GAP_EM = 0.22  # ... and of a⟨t⟩: its band stays >= 1.25 font sizes, its name in the bold font


def row_dims(row: Row, stacked: bool, tight: bool = False) -> RowDims:
    """Heights of a row (see _row_dims); `tight` (presenting a stack): smaller gaps at its smallest."""
    d = _row_dims(row, stacked)
    gap = TIGHT_A_GAP_EM if row.role == Role.STATE else TIGHT_GAP_EM
    if tight and stacked and d.min_gap_em > gap:
        return RowDims(d.node_em, d.gap_em, d.weight, d.min_node_em, gap)
    return d


def _row_dims(row: Row, stacked: bool) -> RowDims:
    """Heights (in font sizes) of a row; `stacked`: more than one cell row shares the height, and every
    row may shrink (the notes' four rows keep their size: the font shrinks first). At their smallest
    (a deep LSTM at 1280 x 720) c⟨t⟩ keeps a strip of its units and each gate a strip of its own; the
    one-line rows L, ŷ and x and the gaps give up that height."""
    # ŷ⟨t⟩ holds two lines (the best guess and the target) in the x⟨t⟩ nodes' large letters: 0.6 font
    # sizes taller than it was, taken from the L⟨t⟩ and x⟨t⟩ nodes and the gap round L⟨t⟩ (no edge label
    # there): the rows' total is the same
    if row.role == Role.LOSS:
        return RowDims(1.85, 0.8, 0.8, 1.25 if stacked else 1.85, 0.4 if stacked else 0.8)
    if row.role == Role.OUTPUT:
        return RowDims(2.8, 1.0, 1.55, 1.45 if stacked else 2.8, 0.4 if stacked else 1.0)
    if row.role == Role.INPUT:
        return RowDims(1.85, 1.0, 0.9, 1.35 if stacked else 1.85, 0.4 if stacked else 1.0)
    if row.role == Role.GATE:
        return RowDims(1.9, 0.35, 0.45, GATE_STRIP_EM * max(len(row.gates), 1), 0.1)
    if row.name == "c":
        return RowDims(2.3, 0.5, 0.45, C_MIN_EM, 0.1)
    return RowDims(3.2, 1.0, 1.25, 1.05 if stacked else 3.2, 0.4 if stacked else 1.0)


def _dims(spec: GraphSpec, top3: bool, tight: bool = False) -> list[RowDims]:
    stacked = sum(r.role in (Role.STATE, Role.GATE) for r in spec.rows) > 1
    out = []
    for r in spec.rows:
        d = row_dims(r, stacked, tight)
        if top3 and r.role == Role.OUTPUT:
            d = RowDims(TOP3_EM, d.gap_em, d.weight, TOP3_EM, d.min_gap_em)
        out.append(d)
    return out


def rows_em(spec: GraphSpec, top3: bool = False, minimum: bool = False, tight: bool = False) -> float:
    """Height of all rows in font sizes, gaps included (at their smallest with `minimum`)."""
    return sum((d.min_node_em + d.min_gap_em) if minimum else (d.node_em + d.gap_em) for d in _dims(spec, top3, tight))


def graph_share(spec: GraphSpec) -> float:
    """The part of the window's centre the graph asks for: about half for one cell of one layer,
    up to 70 % for a stack whose rows would otherwise be strips (2 layers x 2 directions of LSTM)."""
    em = rows_em(spec)
    return 0.52 + 0.18 * min(max((em - 19.0) / 27.0, 0.0), 1.0)


def fit_font_px(spec: GraphSpec, nominal: float, height_px: float, other_em: float, tight: bool = False) -> float:
    """The largest font (<= nominal, in half pixels) at which the rows at their smallest plus
    `other_em` font sizes of title and axis fit in height_px."""
    f = height_px / (rows_em(spec, minimum=True, tight=tight) + other_em)
    return max(FONT_MIN_PX, min(nominal, math.floor(f * 2) / 2))


@dataclass(frozen=True)
class Place:
    top: float          # the row's band, pixels
    bottom: float
    node_top: float     # its nodes
    node_h: float

    @property
    def cy(self) -> float:
        return self.node_top + self.node_h / 2


def place_rows(spec: GraphSpec, f: float, avail: float, top_px: float, top3: bool,
               tight: bool = False) -> dict[str, Place]:
    """Each row's band and node, top down from top_px, in `avail` pixels at a font of f pixels: at
    full size with the spare height shared by weight; else shrunk towards the smallest; else every
    row scaled down alike."""
    dims = _dims(spec, top3, tight)
    full = [(d.node_em + d.gap_em) * f for d in dims]
    small = [(d.min_node_em + d.min_gap_em) * f for d in dims]
    out, y = {}, top_px
    if avail >= sum(full):
        spare, wsum = avail - sum(full), sum(d.weight for d in dims)
        heights = [h + spare * d.weight / wsum for h, d in zip(full, dims)]
        nodes = [d.node_em * f for d in dims]
    elif avail >= sum(small):
        lam = (avail - sum(small)) / max(sum(full) - sum(small), 1e-9)
        heights = [s + lam * (h - s) for s, h in zip(small, full)]
        nodes = [(d.min_node_em + lam * (d.node_em - d.min_node_em)) * f for d in dims]
    else:
        k = avail / sum(small)
        heights = [s * k for s in small]
        nodes = [d.min_node_em * f * k for d in dims]
    for r, h, n in zip(spec.rows, heights, nodes):
        out[r.key] = Place(y, y + h, y + (h - n) / 2, n)
        y += h
    return out
