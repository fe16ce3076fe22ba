"""What a model is: its cell, sizes, layers, directions and segments, and the names of its weights.

A ModelSpec decides everything about the shapes; `param_shapes` lists the public names:

- the one-layer, one-direction vanilla RNN keeps the notes' names Wax (n_a, n_x), Waa (n_a, n_a),
  ba (n_a, 1), Wya (n_y, n_a), by (n_y, 1);
- every other model uses PyTorch's nn.RNN / nn.GRU / nn.LSTM state_dict names, weight_ih_l{k}
  (G n_a, n_in), weight_hh_l{k} (G n_a, n_a), bias_ih_l{k} and bias_hh_l{k} (G n_a,), with the suffix
  _reverse for the backward direction and the prefixes encoder. / decoder. for an encoder–decoder,
  plus the read-out Wya (n_y, dirs n_a) and by (n_y, 1). G = 1 (RNN), 3 (GRU: r, z, n), 4 (LSTM:
  i, f, g, o), so a state_dict saved with np.savez imports unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass

from .activations import ACTIVATIONS
from .cells import CELLS, make_cell

MAX_LAYERS = 4
GATES = {"rnn": 1, "gru": 3, "lstm": 4}
NOTES_NAMES = ("Wax", "Waa", "Wya", "ba", "by")
DIRECTION_TITLES = ("→", "←")


@dataclass(frozen=True)
class ModelSpec:
    cell: str = "rnn"               # rnn | gru | lstm
    activation: str = "tanh"        # the vanilla cell's g: tanh | relu
    n_x: int = 1
    n_a: int = 16
    n_y: int = 1
    layers: int = 1
    bidirectional: bool = False
    encoder_decoder: bool = False   # two segments with their own weights; the decoder starts from the encoder

    def check(self) -> None:
        """ValueError naming the first impossible setting."""
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {', '.join(CELLS)}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        for name, v in (("n_x", self.n_x), ("hidden size n_a", self.n_a), ("n_y", self.n_y)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a whole number >= 1, not {v!r}")
        if not isinstance(self.layers, int) or not 1 <= self.layers <= MAX_LAYERS:
            raise ValueError(f"the number of layers must be from 1 to {MAX_LAYERS}, not {self.layers!r}")
        if self.bidirectional and self.encoder_decoder:
            raise ValueError("an encoder–decoder here has a one-directional encoder: its last state starts "
                             "the decoder, which reads left to right (turn bidirectional off)")

    @property
    def dirs(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def gates(self) -> int:
        return GATES[self.cell]

    @property
    def notes_naming(self) -> bool:
        """The notes' names Wax Waa ba Wya by apply (one vanilla layer, one direction, one segment)."""
        return self.cell == "rnn" and self.layers == 1 and not self.bidirectional and not self.encoder_decoder

    @property
    def segments(self) -> tuple[str, ...]:
        """Name prefixes of the weight sets along the timeline."""
        return ("encoder.", "decoder.") if self.encoder_decoder else ("",)

    @property
    def n_out(self) -> int:
        """Size of what the read-out sees: [a→; a←] of the top layer."""
        return self.n_a * self.dirs

    def n_in(self, layer: int) -> int:
        return self.n_x if layer == 0 else self.n_out

    def make_cell(self):
        return make_cell(self.cell, self.activation)

    def layer_dirs(self) -> list[tuple[int, int]]:
        """(layer, direction) pairs, bottom to top, forward before backward."""
        return [(l, d) for l in range(self.layers) for d in range(self.dirs)]

    def layer_names(self, segment: int, layer: int, direction: int) -> tuple[str, str, str, str]:
        """Public names of (W_ih, W_hh, b_ih, b_hh) of one layer-direction; for the notes' naming the
        two biases are one, ba, and b_hh is '' (zero)."""
        if self.notes_naming:
            return "Wax", "Waa", "ba", ""
        pre = self.segments[segment]
        suf = f"_l{layer}" + ("_reverse" if direction else "")
        return (f"{pre}weight_ih{suf}", f"{pre}weight_hh{suf}", f"{pre}bias_ih{suf}", f"{pre}bias_hh{suf}")

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every weight's public name and shape, in a fixed order."""
        if self.notes_naming:
            n_a, n_x, n_y = self.n_a, self.n_x, self.n_y
            return {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)}
        G, n_a = self.gates, self.n_a
        out = {}
        for s in range(len(self.segments)):
            for l, d in self.layer_dirs():
                w_ih, w_hh, b_ih, b_hh = self.layer_names(s, l, d)
                out[w_ih] = (G * n_a, self.n_in(l))
                out[w_hh] = (G * n_a, n_a)
                out[b_ih] = (G * n_a,)
                out[b_hh] = (G * n_a,)
        out["Wya"] = (self.n_y, self.n_out)
        out["by"] = (self.n_y, 1)
        return out

    def param_count(self) -> int:
        n = 0
        for shape in self.param_shapes().values():
            k = 1
            for s in shape:
                k *= s
            n += k
        return n

    def title(self) -> str:
        """'2-layer bidirectional LSTM', 'vanilla RNN (tanh)'."""
        from .cells import CELL_TITLES

        cell = CELL_TITLES[self.cell] + (f" ({self.activation})" if self.cell == "rnn" else "")
        parts = ([f"{self.layers}-layer"] if self.layers > 1 else []) + (["bidirectional"] if self.bidirectional else [])
        text = " ".join(parts + [cell])
        return f"encoder–decoder {text}" if self.encoder_decoder else text
