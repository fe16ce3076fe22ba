"""What a layer of each cell holds, for the views that show one: its symbol in the course's notation,
its name, how to colour it, and the file name of its figure. No Qt, no numbers.

Colour scales: "tanh" values live in −1…1 (a⟨t⟩ of tanh / GRU / LSTM, c̃⟨t⟩): a fixed diverging
scale, so saturation shows; "gate" values live in 0…1: the sequential scale; "signed" values are
unbounded (c⟨t⟩, z⟨t⟩, a ReLU's a⟨t⟩): a diverging scale centred on 0, as wide as the largest |value|.
"""
from __future__ import annotations

from dataclasses import dataclass

TANH, GATE, SIGNED = "tanh", "gate", "signed"


@dataclass(frozen=True)
class Quantity:
    name: str          # the trace's name: trace.layer(l, d).quantity(name)
    symbol: str        # a⟨t⟩, Γf, c̃⟨t⟩ (rich text safe)
    title: str         # "hidden state", "forget gate"
    scale: str         # TANH | GATE | SIGNED
    file: str          # figure file stem: hidden_states, cell_states, forget_gate, ...

    @property
    def limits(self) -> tuple[float, float] | None:
        """Fixed colour / axis limits, or None (SIGNED: from the data)."""
        return {TANH: (-1.0, 1.0), GATE: (0.0, 1.0)}.get(self.scale)

    @property
    def label(self) -> str:
        """'Γf forget gate'."""
        return f"{self.symbol} {self.title}"


A = Quantity("a", "a⟨t⟩", "hidden state", TANH, "hidden_states")
A_RELU = Quantity("a", "a⟨t⟩", "hidden state", SIGNED, "hidden_states")
Z = Quantity("z", "z⟨t⟩", "pre-activation", SIGNED, "pre_activations")
C = Quantity("c", "c⟨t⟩", "cell state", SIGNED, "cell_states")
LSTM = (Quantity("f", "Γf", "forget gate", GATE, "forget_gate"),
        Quantity("i", "Γu", "update gate", GATE, "update_gate"),
        Quantity("g", "c̃⟨t⟩", "candidate", TANH, "candidate"),
        C,
        Quantity("o", "Γo", "output gate", GATE, "output_gate"),
        A)
GRU = (Quantity("r", "Γr", "reset gate", GATE, "reset_gate"),
       Quantity("z", "z = 1 − Γu", "keep gate", GATE, "keep_gate"),
       Quantity("n", "c̃⟨t⟩", "candidate", TANH, "candidate"),
       A)


def step_order(cell: str, activation: str = "tanh") -> tuple[Quantity, ...]:
    """A cell's quantities in the order one step computes them (the gate view's bars)."""
    if cell == "lstm":
        return LSTM
    if cell == "gru":
        return GRU
    return (Z, A if activation == "tanh" else A_RELU)


def heatmap_order(cell: str, activation: str = "tanh") -> tuple[Quantity, ...]:
    """The heatmap chooser's list: the hidden state first, then the cell state, the candidate, the gates."""
    first = {"a": 0, "c": 1, "g": 2, "n": 2}
    qs = step_order(cell, activation)
    return tuple(sorted(qs, key=lambda q: first.get(q.name, 3)))


def find(cell: str, activation: str, name: str) -> Quantity:
    for q in step_order(cell, activation):
        if q.name == name:
            return q
    return step_order(cell, activation)[-1]     # a⟨t⟩: every cell has it


def where(spec, layer: int, direction: int) -> str:
    """'layer 2 of 3 ←' for a figure title ('' for one layer in one direction)."""
    parts = []
    if spec.layers > 1:
        parts.append(f"layer {layer + 1} of {spec.layers}")
    if spec.bidirectional:
        parts.append("←" if direction else "→")
    return " ".join(parts)


def file_suffix(spec, layer: int, direction: int) -> str:
    """'' for the top layer's forward direction (what the one-layer names mean), else '_l0',
    '_l1_reverse', ... as in trace.npz (0-based layers, PyTorch's _reverse)."""
    if layer == spec.layers - 1 and direction == 0:
        return ""
    return f"_l{layer}" + ("_reverse" if direction else "")
