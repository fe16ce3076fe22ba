"""A small FigureView used by the export tests (the real views are tested with it too)."""
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.views.base import FigureView


class DemoView(QWidget, FigureView):
    figure_name = "demo"
    figure_title = "Demo losses"

    def __init__(self, state=None, parent=None):
        super().__init__(parent)
        self.state = state
        self.plot = pg.PlotWidget(background="w")
        self.plot.setTitle("Loss per step")
        self.plot.setLabel("bottom", "step t")
        self.plot.setLabel("left", "loss L<t>", units="nats")
        self.plot.addLegend()
        self.values = np.abs(np.sin(np.arange(1, 21) / 3.0)) + 0.1
        self.plot.plot(np.arange(1, 21), self.values, pen=pg.mkPen("#0b6bcb", width=2), name="L<t>")
        QVBoxLayout(self).addWidget(self.plot)

    def figure_csv(self):
        return ["step", "loss"], [[t + 1, float(v)] for t, v in enumerate(self.values)]
