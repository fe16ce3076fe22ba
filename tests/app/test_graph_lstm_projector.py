"""A 2-layer bidirectional LSTM at a projector's 1280 x 720, in the window and in presentation mode
(F11): fifteen rows share a third of the window, and a teacher must still read the cell state c⟨t⟩
(the conveyor belt: a strip of its units as tall as a⟨t⟩'s) and each gate (a strip of its own, in its
own colour, named top down in the legend), with every row named on its own in the gutter."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF

from rnnviz.app.views.graph.painters import GATE_BOX_EM
from tests.app.drive import near
from tests.app.projector import open_window, press, settle
from tests.app.test_graph_text import drawn
from tests.app.test_model_views import bidirectional_lstm

BLOCKS = [(1, 1), (1, 0), (0, 1), (0, 0)]   # (layer, direction), top down


@pytest.fixture(params=["window", "F11"])
def lstm_720(request, qtbot):
    w = open_window(qtbot, 1280, 720)
    bidirectional_lstm(qtbot, w, layers=2)
    if request.param == "F11":
        press(qtbot, w, Qt.Key.Key_F11)
    settle(qtbot, 100)
    yield w
    from PySide6.QtWidgets import QApplication        # F11 set the application's font: the next test's
                                                      # window gets the normal one again
    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    theme.apply_app_theme(QApplication.instance(), AppState().view_options)


def view_rect(w, kind, t, layer, direction):
    g = w.graph
    return g.canvas.viewportTransform().mapRect(g.node_for(kind, t, layer, direction).scene_rect)


def test_the_cell_state_and_each_gate_keep_a_readable_strip(lstm_720, qtbot):
    w = lstm_720
    g = w.graph
    f = g.item.style.f
    assert g.detailed and f >= 11.0                     # the graph's text did not shrink to a footnote
    image = g.canvas.viewport().grab().toImage()
    for layer, d in BLOCKS:
        a, c, gates = (view_rect(w, k, 0, layer, d) for k in ("a", "c", "gates"))
        assert c.height() >= 8 and c.height() >= 0.65 * a.height(), (layer, d, c.height(), a.height())   # was 5.7 of 15 px
        row = g.item.spec.find("gates", layer, d)
        gs = g.item.data.gates[row.key]
        n = len(gs.names)
        assert gates.height() < GATE_BOX_EM * f             # too short for σ boxes: a strip per gate
        strip = gates.height() / n
        assert strip >= 3.0, (layer, d, gates.height())
        # the picture: each gate's strip is painted in that gate's colour at the cursor's step
        for i in range(n):
            y = gates.top() + (i + 0.5) * strip
            px = image.pixelColor(int(gates.center().x()), int(y))
            want = QColor(*[int(v) for v in gs.rgba[i, 0][:3]])
            assert near(px, want, 45), (layer, d, gs.names[i], px.name(), want.name())


def test_every_row_is_named_on_its_own_and_the_legend_says_which_strip_is_which(lstm_720, qtbot):
    w = lstm_720
    g = w.graph
    st, geom = g.item.style, g.item.geom
    texts = drawn(w)
    names = {k.removeprefix("row:"): (r, t) for k, _s, r, t, _w in texts if k.startswith("row:")}
    rows = g.item.spec.rows
    assert set(names) == {r.key for r in rows}          # no "c Γ" written over two rows
    for layer, d in BLOCKS:
        tag = f"[{layer + 1}]{'←' if d else '→'}"
        for kind, label in (("c", "c" + tag), ("gates", "Γ" + tag)):
            assert names[g.item.spec.find(kind, layer, d).key][1] == label
    # each name's letters stand inside its own row, so none meets the next one's
    fm = QFontMetricsF(st.font_small)
    for r in rows:
        top, bottom = geom.row_band(r.key)
        assert fm.tightBoundingRect(r.label).height() <= bottom - top, r.key
    # the legends' row says the strips' order, top down, and fits in the graph
    from PySide6.QtGui import QImage, QPainter

    from rnnviz.app.views.graph import legends
    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    painter.setFont(st.font_small)
    width = g.canvas.viewport().width()
    entries, ends, compact = legends.legend_layout(painter, width, g.item)
    painter.end()
    assert not compact and "gate strips ↓ Γf Γu c̃ Γo (mean)" in [e[1] for e in entries]
    assert all(e <= width - 0.5 * st.f for e in ends)
