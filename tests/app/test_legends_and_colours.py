"""Issue 13, items 7 and 9: legends never cover data (Sine wave's losses, Bits' outputs, the BPTT plots),
and in Compare each setting's verdict is written in its own curve's colour, its kind told by a sign."""
import re

import pytest
from PySide6.QtCore import Qt

from tests.app.projector import open_window, settle


@pytest.fixture
def win(qtbot):
    return open_window(qtbot, 1280, 720)


def click_example(qtbot, w, name):
    b = next(b for b in w.sequence_panel.example_buttons if b.text() == name)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.state.trace is not None and w.state.config.source.startswith(
        w.state.trace.seq.source[:5]), timeout=3000)
    settle(qtbot)


def open_tab(qtbot, w, title):
    bar = w.tabs.tabBar()
    i = next(i for i in range(bar.count()) if bar.tabText(i).startswith(title))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    settle(qtbot)
    return w.tabs.widget(i)


def legend_clear_of_data(view, plots):
    legend = view.legend
    assert legend.isVisible() and legend.items
    box = legend.mapRectToScene(legend.boundingRect())
    for p in plots:
        assert not box.intersects(p.vb.sceneBoundingRect()), (box, p.vb.sceneBoundingRect())


@pytest.mark.parametrize("example, tab", [("Sine wave", "Losses"), ("Bits", "Outputs")])
def test_legend_sits_outside_the_plot(win, qtbot, example, tab):
    click_example(qtbot, win, example)
    view = open_tab(qtbot, win, tab)
    legend_clear_of_data(view, [view.plot])     # bars 2-6 / steps 18-29 were under it


def test_bptt_legends_sit_outside_the_plots(win, qtbot):
    from rnnviz.app.panels.bptt_controls import BPTTControls

    g = open_tab(qtbot, win, "Gradients")
    legend_clear_of_data(g, [g.plot, g.gain_plot])
    win.findChild(BPTTControls).compare.click()
    qtbot.waitUntil(lambda: win.state.compare_trace is not None, timeout=3000)
    c = open_tab(qtbot, win, "Compare")
    legend_clear_of_data(c, [c.plot])


def test_compare_verdicts_take_their_curves_colours(win, qtbot):
    from rnnviz.app.panels.bptt_controls import BPTTControls

    controls = win.findChild(BPTTControls)
    controls.compare.click()
    controls.cmp_activation.setCurrentIndex(controls.cmp_activation.findData("relu"))
    qtbot.waitUntil(lambda: win.state.compare_config is not None
                    and win.state.compare_config.activation == "relu" and win.state.compare_trace is not None,
                    timeout=3000)
    view = open_tab(qtbot, win, "Compare")
    lines = view.verdict_label.text().split("<br>")
    assert len(lines) == 2
    for i, (line, label) in enumerate(zip(lines, view.labels)):
        curve = view.curves[(i, "da")].opts["pen"].color().name()
        colours = re.findall(r"color:\s*(#[0-9a-fA-F]{6})", line)
        assert colours and {c.lower() for c in colours} == {curve.lower()}, (line, curve)
        assert label in line and re.search("[↘↗→] (vanishing|exploding|stable)", line)
    # the kinds differ but their colours follow the settings, not the kinds
    assert view.curves[(0, "da")].opts["pen"].color() != view.curves[(1, "da")].opts["pen"].color()


def test_the_gradients_legend_speaks_the_models_own_symbols(win, qtbot):
    """The notes' one vanilla layer: a and Waa, as the lessons and equations beside it say; an LSTM:
    its state (a, c) and PyTorch's W_hh. The bound and γσ_max are drawn differently."""
    from tests.app.drive import choose

    view = open_tab(qtbot, win, "Gradients")

    def labels():
        return [lab.text for _, lab in view.legend.items]

    qtbot.waitUntil(lambda: any("gain" in t for t in labels()), timeout=10000)
    text = " ".join(labels())
    assert "∂a⟨t⟩/∂a⟨t−1⟩" in text and "ρ(Waa)" in text and "σ_max(Waa)" in text
    assert "W_hh" not in text and "∂s" not in text
    choose(qtbot, win.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: win.state.trace.spec.cell == "lstm" and not win.state.busy, timeout=20000)
    settle(qtbot)
    text = " ".join(labels())
    assert "∂(a,c)⟨t⟩/∂(a,c)⟨t−1⟩" in text and "Waa" not in text
    assert view.curves["sigma"].opts["pen"].style() != view.curves["envelope"].opts["pen"].style()
