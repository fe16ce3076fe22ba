"""install_bptt_views(window): the BPTT plots as tabs and the BPTT panels as side sections."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.panels.bptt_controls import BPTTControls
from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.app.views.compare_view import CompareView
from rnnviz.app.views.gradient_view import GradientView
from rnnviz.app.views.influence_view import InfluenceView


def install_bptt_views(window) -> dict:
    """Create the BPTT views on window.state and add them; returns them by name (for tests)."""
    st = window.state
    views = {
        "gradients": GradientView(st), "influence": InfluenceView(st), "compare": CompareView(st),
        "controls": BPTTControls(st), "panel": BPTTPanel(st),
    }
    window.add_plot_tab(views["gradients"], "Gradients")
    window.add_plot_tab(views["influence"], "Influence")
    window.add_plot_tab(views["compare"], "Compare")
    # one side section: the knobs above, what they do to the gradient below
    side = QWidget()
    lay = QVBoxLayout(side)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(views["controls"])
    lay.addWidget(views["panel"], 1)
    window.add_side_panel(side, "Backprop through time")
    views["controls"].show_compare.connect(lambda: window.tabs.setCurrentWidget(views["compare"]))
    return views
