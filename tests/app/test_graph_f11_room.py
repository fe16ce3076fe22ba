"""Presentation mode (F11) on a projector's 1280 x 720 with a deep LSTM: the graph is the lecture's
figure and must read from the back row. Its fifteen rows shared ~320 px (the tabs under it kept 300 px,
and a wrapped verdict label claimed the height of five lines it never showed), so its text shrank to
11.5 px, smaller than in the window. Now presenting gives the graph clearly more height than the window
does and its text stays at least as large (>= 13 px), while the tabs keep a chooser and a plot. And in
the backward pass, where the legends' row is compact, the legend still names the gate strips in order."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from tests.app.projector import open_window, press, settle
from tests.app.test_model_views import bidirectional_lstm, choose, click, keys


def reset_fonts():
    """F11 set the application's font: the next test's window gets the normal one again."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    theme.apply_app_theme(QApplication.instance(), AppState().view_options)


def deep_lstm(qtbot, w, layers: int, bidirectional: bool) -> None:
    """Through the model panel as a user does: LSTM, ↑ to `layers` layers and Enter, bidirectional ticked."""
    if bidirectional:
        bidirectional_lstm(qtbot, w, layers)
        return
    m = w.model_panel
    choose(qtbot, m.cell, "lstm")
    keys(qtbot, m.layers, Qt.Key.Key_Up, layers - m.layers.value())
    qtbot.keyClick(m.layers, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.state.trace.spec.layers == layers and w.state.trace.spec.cell == "lstm", timeout=8000)


def graph_figures(w) -> tuple[int, float, int, int]:
    """(graph's height, its text's px, its bold row names' px, the tabs' height)."""
    g = w.graph
    st = g.item.style
    return g.canvas.viewport().height(), st.f, st.font_bold.pixelSize(), w.tabs.height()


@pytest.mark.parametrize("layers, bidirectional", [(2, True), (4, False)])
def test_presenting_a_deep_lstm_at_720p_gives_the_graph_more_room_and_larger_text(qtbot, layers, bidirectional):
    w = open_window(qtbot, 1280, 720)
    try:
        deep_lstm(qtbot, w, layers, bidirectional)
        settle(qtbot, 100)
        window_h, window_f, window_bold, _ = graph_figures(w)
        press(qtbot, w, Qt.Key.Key_F11)
        settle(qtbot, 200)
        assert w.state.view_options.presentation
        h, f, bold, tabs = graph_figures(w)
        assert h >= window_h + 20, (h, window_h)          # was 318 against the window's 329
        assert f >= 13.0 and f >= window_f, (f, window_f)  # was 11.5 against the window's 12
        assert bold >= window_bold
        assert w.graph.detailed                            # the rows still drawn one by one
        # every row at least as tall as in the window would give it at this font: nothing squeezed
        geom = w.graph.item.geom
        for r in w.graph.item.spec.rows:
            top, bottom = geom.row_band(r.key)
            assert bottom - top >= 0.45 * f, r.key
        # the tabs below keep room for their chooser and a plot
        assert tabs >= 235, tabs
        heat = w.tabs.currentWidget()
        assert heat.height() >= tabs - w.tabs.tabBar().height() - 8
        # F11 again: the window's split and text come back
        press(qtbot, w, Qt.Key.Key_F11)
        settle(qtbot, 200)
        assert graph_figures(w)[:2] == (window_h, window_f)
    finally:
        reset_fonts()


def test_presenting_a_vanilla_rnn_keeps_its_text_at_least_the_windows_size(qtbot):
    w = open_window(qtbot, 1280, 720)
    try:
        window_h, window_f, _, window_tabs = graph_figures(w)
        press(qtbot, w, Qt.Key.Key_F11)
        settle(qtbot, 200)
        h, f, _, tabs = graph_figures(w)
        assert f >= window_f, (f, window_f)                # was 14.5 against the window's 15
        assert tabs >= 245 - 8                             # the plots under it keep their room
    finally:
        reset_fonts()


def test_a_model_changed_around_presenting_gets_its_own_split(qtbot):
    w = open_window(qtbot, 1280, 720)
    try:
        vanilla_window_h = graph_figures(w)[0]
        press(qtbot, w, Qt.Key.Key_F11)
        settle(qtbot, 200)
        vanilla_h = graph_figures(w)[0]
        press(qtbot, w, Qt.Key.Key_F11)                    # the model panel is in the input column
        settle(qtbot, 200)
        bidirectional_lstm(qtbot, w, layers=2)
        press(qtbot, w, Qt.Key.Key_F11)
        settle(qtbot, 200)
        h, f, _, _ = graph_figures(w)
        assert h > vanilla_h + 20 and f >= 13.0
        # leaving, and back to the vanilla cell of one layer in the model panel: the window's split for it
        press(qtbot, w, Qt.Key.Key_F11)
        settle(qtbot, 200)
        m = w.model_panel
        click(qtbot, m.bidirectional)
        keys(qtbot, m.layers, Qt.Key.Key_Down, m.layers.value() - 1)
        qtbot.keyClick(m.layers, Qt.Key.Key_Return)
        choose(qtbot, m.cell, "rnn")
        qtbot.waitUntil(lambda: w.state.trace.spec.cell == "rnn" and w.state.trace.spec.layers == 1
                        and not w.state.trace.spec.bidirectional, timeout=8000)
        settle(qtbot, 200)
        assert abs(graph_figures(w)[0] - vanilla_window_h) <= 2, (graph_figures(w), vanilla_window_h)
    finally:
        reset_fonts()


def test_the_backward_pass_compact_legend_names_the_gate_strips_in_order(qtbot):
    from rnnviz.app.views.graph import legends
    from rnnviz.app.views.graph.spec import GATE_SYMBOL

    w = open_window(qtbot, 1280, 720)
    bidirectional_lstm(qtbot, w, layers=2)
    qtbot.keyClick(w.graph, Qt.Key.Key_B)                  # B: BPTT from step T
    qtbot.waitUntil(lambda: w.graph.item.backward, timeout=5000)
    settle(qtbot, 100)
    g = w.graph
    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    width = g.canvas.viewport().width()
    entries, ends, compact = legends.legend_layout(painter, width, g.item)
    painter.end()
    assert compact                                         # the gradient's legend took the room
    names = next(iter(g.item.data.gates.values())).names
    order = " ".join(GATE_SYMBOL[n] for n in names)
    labels = [e[1] for e in entries]
    gate = next(i for i, lab in enumerate(labels) if "Γ" in lab)
    assert labels[gate] == f"↓ {order}", labels           # top down, each strip by its symbol
    assert all(e <= width - 0.5 * g.item.style.f for e in ends), (ends, width)   # every legend drawn
    # and it is painted: the legend's spot under the step axis carries that text
    g.canvas.viewport().grab()
    assert f"↓ {order}" in [text for kind, text, _r in g.canvas.spots if kind == "legend"]
