"""What the unrolled graph shows, described before it is drawn: a GraphSpec of rows and edges built
from a Trace (pure Python, no Qt, no numbers).

Rows, top to bottom: the loss L⟨t⟩, the output ŷ⟨t⟩, then every layer from the top one down, each
direction a block of rows (the backward direction above the forward one), then the input x⟨t⟩. A
block is the cell of one layer-direction: its cell state c⟨t⟩ (LSTM: the conveyor belt along the top),
its gates, its hidden state a⟨t⟩. Edges join a row at step t + dt to a row at step t: dt = 0 up the
column, -1 the forward recurrence (arrows to the right), +1 the backward direction's (to the left),
-1 also for the previous target fed back as the next input. Segments (encoder, decoder) divide the
columns; the layout puts the context, the encoder's last state, between them.

Layout (layout.py) places the rows and painters dispatch on Row.role, so no view hard-codes the
vanilla picture; its rows keep the notes' names (x⟨t⟩, a⟨t⟩, ŷ⟨t⟩, L⟨t⟩; edges Wax, Waa, Wya).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from rnnviz.core.trace import Segment, StateRef

ARROWS = ("→", "←")
# the course's names of each cell's gates, in the order a cell's box shows them (Olah's left to right)
GATE_ORDER = {"lstm": ("f", "i", "g", "o"), "gru": ("r", "z", "n"), "rnn": ()}
GATE_SYMBOL = {"f": "Γf", "i": "Γu", "g": "c̃", "o": "Γo", "r": "Γr", "z": "Γu", "n": "c̃"}
GATE_HELP = {
    "f": "Γf forget gate: how much of c⟨t−1⟩ is kept",
    "i": "Γu update (input) gate: how much of c̃⟨t⟩ is written",
    "g": "c̃⟨t⟩ candidate value (tanh)",
    "o": "Γo output gate: how much of tanh(c⟨t⟩) is shown as a⟨t⟩",
    "r": "Γr reset gate: how much of a⟨t−1⟩ enters the candidate",
    "z": "Γu update gate = 1 − z (z is PyTorch's keep gate: how much of a⟨t−1⟩ is kept)",
    "n": "c̃⟨t⟩ candidate value (tanh)",
}
SIGNED_GATES = ("g", "n")        # tanh: −1..1; the others are σ: 0..1


class Role(str, Enum):
    INPUT = "input"
    STATE = "state"
    GATE = "gate"
    OUTPUT = "output"
    LOSS = "loss"


class EdgeKind(str, Enum):
    INPUT = "input"          # W_ih: what a layer reads (x⟨t⟩ or the layer below)
    RECURRENT = "recurrent"  # W_hh: a⟨t−1⟩ -> a⟨t⟩ (a⟨t+1⟩ -> a⟨t⟩ backward)
    CELL = "cell"            # c⟨t−1⟩ -> c⟨t⟩: no matrix, only ⊙ Γf
    OUTPUT = "output"        # Wya
    LOSS = "loss"            # ŷ⟨t⟩ and y⟨t⟩ -> L⟨t⟩
    FEEDBACK = "feedback"    # the previous target fed as the next input


@dataclass(frozen=True)
class Row:
    key: str                 # unique; the vanilla rows are "L", "y", "a", "x"
    role: Role
    name: str                # "L", "y", "x"; a state's name ("a", "c"); "gates"
    layer: int = -1          # 0 = bottom; -1 for the input, output and loss rows
    direction: int = 0       # 0 →, 1 ←
    label: str = ""          # the row's name in the gutter
    gates: tuple[str, ...] = ()   # gate rows: the cell's gates, in display order

    @property
    def block(self) -> tuple[int, int] | None:
        """(layer, direction) of the cell this row belongs to (None: input, output, loss)."""
        return (self.layer, self.direction) if self.role in (Role.STATE, Role.GATE) else None

    @property
    def ref(self) -> StateRef:
        return StateRef(self.layer, self.direction, self.name)

    @property
    def backward(self) -> bool:
        return self.direction == 1


@dataclass(frozen=True)
class Edge:
    key: str                 # shared by the same matrix at every step (hovering one lights them all)
    kind: EdgeKind
    src: str                 # row keys
    dst: str
    dt: int                  # the source is at step t + dt (0 up the column, -1 / +1 along time)
    label: str               # written beside the edge
    help: str                # the tooltip and the title line while hovered


@dataclass(frozen=True)
class GraphSpec:
    rows: tuple[Row, ...]
    edges: tuple[Edge, ...]
    segments: tuple[Segment, ...]
    T: int
    layers: int = 1
    dirs: int = 1
    cell: str = "rnn"

    def row(self, key: str) -> Row:
        return self._by_key[key]

    def __post_init__(self):
        object.__setattr__(self, "_by_key", {r.key: r for r in self.rows})

    def find(self, name: str, layer: int | None = None, direction: int = 0) -> Row | None:
        """The row showing `name` ("x", "y", "L", "a", "c", "gates") of a layer-direction (default:
        the top layer)."""
        if layer is None:
            layer = self.layers - 1
        for r in self.rows:
            if r.name == name and (r.block is None or (r.layer, r.direction) == (layer, direction)):
                return r
        return None

    def edge(self, key: str) -> Edge | None:
        return next((e for e in self.edges if e.key == key), None)

    @property
    def single(self) -> bool:
        """One vanilla-style chain of one layer-direction (the notes' picture)."""
        return self.layers == 1 and self.dirs == 1

    @property
    def state_rows(self) -> list[Row]:
        return [r for r in self.rows if r.role == Role.STATE]

    @property
    def blocks(self) -> list[tuple[int, int]]:
        """(layer, direction) of every cell, top row first."""
        out = []
        for r in self.rows:
            if r.block is not None and r.block not in out:
                out.append(r.block)
        return out

    def block_rows(self, block: tuple[int, int]) -> list[Row]:
        return [r for r in self.rows if r.block == block]

    @property
    def encoder_decoder(self) -> bool:
        return len(self.segments) > 1


def _tag(layers: int, dirs: int, layer: int, direction: int) -> str:
    return (f"[{layer + 1}]" if layers > 1 else "") + (ARROWS[direction] if dirs > 1 else "")


def row_key(name: str, layer: int, direction: int, single: bool) -> str:
    return name if single else f"{name}{layer}{'b' if direction else 'f'}"


def build_spec(trace) -> GraphSpec:
    """The rows and edges of `trace`'s model (its cell, layers, directions and segments)."""
    spec = trace.spec
    L, D, cell = spec.layers, spec.dirs, spec.cell
    single = L == 1 and D == 1
    notes = spec.notes_naming
    rows = [Row("L", Role.LOSS, "L", label="L⟨t⟩"), Row("y", Role.OUTPUT, "y", label="ŷ⟨t⟩")]
    edges = [Edge("L", EdgeKind.LOSS, "y", "L", 0, "L", "ŷ⟨t⟩ and the target y⟨t⟩ give the loss L⟨t⟩")]
    states = trace.layer(0, 0).cell.state_names
    gates = GATE_ORDER.get(cell, ())
    for layer in range(L - 1, -1, -1):
        for d in range(D - 1, -1, -1):
            tag = _tag(L, D, layer, d)
            suffix = "⟨t⟩" if single else tag
            key = lambda name: row_key(name, layer, d, single)  # noqa: E731
            if "c" in states:
                rows.append(Row(key("c"), Role.STATE, "c", layer, d, "c" + suffix))
            if gates:
                rows.append(Row(key("gates"), Role.GATE, "gates", layer, d, "Γ" + suffix, gates))
            rows.append(Row(key("a"), Role.STATE, "a", layer, d, "a" + suffix))
    rows.append(Row("x", Role.INPUT, "x", label="x⟨t⟩"))
    top = L - 1
    n_seg = len(spec.segments)

    def names(layer: int, d: int, which: int) -> str:
        """The public name(s) of a layer-direction's W_ih (which = 0) or W_hh (1): one per segment."""
        parts = [spec.layer_names(s, layer, d)[which] for s in range(n_seg)]
        if n_seg == 1:
            return parts[0] + ", the same matrix at every step"
        return f"{parts[0]} at every encoder step, {parts[1]} at every decoder step"

    for layer in range(L):
        for d in range(D):
            tag = _tag(L, D, layer, d)
            a = row_key("a", layer, d, single)
            if notes:
                ih, hh = "Wax", "Waa"
            else:
                ih, hh = f"W_ih{tag}", f"W_hh{tag}"
            back = d == 1
            prev = "a⟨t+1⟩" if back else "a⟨t−1⟩"
            edges.append(Edge(hh, EdgeKind.RECURRENT, a, a, 1 if back else -1, hh,
                              f"{hh}: hidden → hidden, {prev} → a⟨t⟩" + ("" if notes else f" ({names(layer, d, 1)})")
                              + ("" if not notes else ", the same matrix at every step")
                              + " (BPTT multiplies by its transpose each step back)"))
            if "c" in states:
                c = row_key("c", layer, d, single)
                edges.append(Edge(f"c{tag}", EdgeKind.CELL, c, c, 1 if back else -1, "",
                                  f"the cell state {'c⟨t+1⟩' if back else 'c⟨t−1⟩'} → c⟨t⟩: no matrix, only "
                                  f"⊙ Γf (the conveyor belt: the gradient flows back times Γf, so it can survive)"))
            srcs = ["x"] if layer == 0 else [row_key("a", layer - 1, dd, single) for dd in range(D)]
            what = "input → hidden" if layer == 0 else f"layer {layer} → layer {layer + 1}"
            for s in srcs:
                edges.append(Edge(ih, EdgeKind.INPUT, s, a, 0, ih,
                                  f"{ih}: {what}, the same matrix at every step" if notes
                                  else f"{ih}: {what} ({names(layer, d, 0)})"))
            if layer == top:
                edges.append(Edge("Wya", EdgeKind.OUTPUT, a, "y", 0, "Wya",
                                  "Wya: hidden → output" + (" (reads [a→⟨t⟩; a←⟨t⟩])" if D > 1 else "")
                                  + ", the same matrix at every step"))
    if trace.fed_back.any():
        edges.append(Edge("fed", EdgeKind.FEEDBACK, "y", "x", -1, "y⟨t−1⟩",
                          "the previous target y⟨t−1⟩ is fed as the next input x⟨t⟩ (teacher forcing; "
                          "sampling feeds the prediction ŷ⟨t−1⟩ instead)"))
    return GraphSpec(tuple(rows), tuple(edges), tuple(trace.segments), trace.T, L, D, cell)
