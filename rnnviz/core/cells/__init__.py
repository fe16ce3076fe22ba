"""Recurrent cells behind one interface (base.Cell): vanilla (tanh / ReLU), GRU, LSTM."""
from __future__ import annotations

from .base import Cell, CellCache, CellGrads, unit_first, wmul
from .gru import GRUCell
from .lstm import LSTMCell
from .vanilla import VanillaCell

CELLS = ("rnn", "gru", "lstm")
CELL_TITLES = {"rnn": "vanilla RNN", "gru": "GRU", "lstm": "LSTM"}


def make_cell(name: str, activation: str = "tanh") -> Cell:
    """The cell called `name` (rnn | gru | lstm); `activation` is the vanilla cell's g."""
    if name == "rnn":
        return VanillaCell(activation)
    if name == "gru":
        return GRUCell()
    if name == "lstm":
        return LSTMCell()
    raise ValueError(f"unknown cell {name!r}; choose one of {', '.join(CELLS)}")


__all__ = ["CELLS", "CELL_TITLES", "Cell", "CellCache", "CellGrads", "GRUCell", "LSTMCell", "VanillaCell",
           "make_cell", "unit_first", "wmul"]
