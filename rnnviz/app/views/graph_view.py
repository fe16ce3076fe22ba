"""GraphView: the unrolled computational graph of the RNN (work in progress)."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.views.base import FigureView


class GraphView(QWidget, FigureView):
    figure_name = "graph"
    figure_title = "Unrolled computational graph"

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        QVBoxLayout(self)

    def figure_csv(self):
        return ["t"], []

    def fit_all(self) -> None:
        pass
