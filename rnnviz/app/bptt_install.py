"""install_bptt_views(window): the BPTT plots as tabs and the BPTT panels as side sections."""
from __future__ import annotations

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
    window.add_side_panel(views["controls"], "BPTT controls")
    window.add_side_panel(views["panel"], "BPTT: why it vanishes or explodes")
    return views
