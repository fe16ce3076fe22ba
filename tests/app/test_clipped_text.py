"""Issue 13, item 6: nothing a user needs is cut off at 1280 x 720, normal or presentation mode (F11):
combo boxes, tab labels, the side columns, the graph's title line, the verdicts."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from rnnviz.app.views.graph import overlay as graph_overlay
from tests.app.projector import combo_field_width, open_window, press, settle, tab_bars, widest_item

TEXT65 = "the quick brown fox jumps over the lazy dog while rnnviz looks on."


@pytest.fixture(params=[False, True], ids=["normal", "F11"])
def win(request, qtbot):
    w = open_window(qtbot, 1280, 720)
    if request.param:
        press(qtbot, w, Qt.Key.Key_F11)
    return w


def show_side_panel(qtbot, w, title):
    dock = next(d for d in w._side_docks if d.windowTitle() == title)
    dock.raise_()
    settle(qtbot)
    return dock


def test_no_combo_box_cuts_its_choices(win, qtbot):
    show_side_panel(qtbot, win, "Backprop through time")
    if not win.input_dock.isVisible():   # presenting: View > Panels brings the model's combos back
        win.input_dock.toggleViewAction().trigger()
        settle(qtbot)
    combos = [c for c in win.findChildren(QComboBox) if c.isVisible()]
    assert len(combos) >= 6
    for c in combos:   # "Binary cross-entropy (sigmoi", "element-wise: ±c (min-"
        assert combo_field_width(c) >= widest_item(c), (c.currentText(), combo_field_width(c), widest_item(c))


def test_every_tab_label_shows_in_full(win, qtbot):
    bars = tab_bars(win)
    assert len(bars) == 2               # the plot tabs and the side panels' tabs
    for bar in bars:                    # "Equa…", "Backprop throug…", "Co" behind scroll arrows
        need = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
        assert bar.elideMode() == Qt.TextElideMode.ElideNone
        assert need <= bar.width(), [bar.tabText(i) for i in range(bar.count())]


def test_side_columns_show_their_contents_whole(win, qtbot):
    for title in ("Equations", "Backprop through time"):
        show_side_panel(qtbot, win, title)
        for dock in [win.input_dock] + win._side_docks:
            if dock.isVisible():
                scroll = dock.widget()
                assert scroll.viewport().width() >= scroll.widget().minimumSizeHint().width(), dock.windowTitle()


def type_text(qtbot, w, text):
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: w.state.config.source == text, timeout=3000)
    qtbot.keyClick(edit, Qt.Key.Key_Escape)


def title_line_fits(w):
    item = w.graph.item
    title, sub, room = graph_overlay.title_line(item, w.graph.canvas.viewport().width())
    from PySide6.QtGui import QFontMetricsF
    assert sub and QFontMetricsF(item.style.font).horizontalAdvance(sub) <= room
    return sub


def test_graph_title_line_says_the_step_in_full(win, qtbot):
    type_text(qtbot, win, TEXT65)
    press(qtbot, win, Qt.Key.Key_End)
    assert title_line_fits(win).endswith("step 65 of 65") or "65 / 65" in title_line_fits(win)
    for _ in range(4):                     # into the backward pass: step 65, 64, 63, 62
        press(qtbot, win, Qt.Key.Key_Right)
    sub = title_line_fits(win)             # was "…at step 62 of 6"
    assert "62" in sub and "65" in sub and sub.startswith(("backward", "BPTT"))
    # the colour legends' row (a⟨t⟩, ŷ row, ‖∂L/∂a⟨t⟩‖) ends inside the graph: the last was cut
    from PySide6.QtGui import QImage, QPainter
    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(img)
    painter.setFont(win.graph.item.style.font_small)
    entries, ends, _compact = graph_overlay.legend_layout(painter, win.graph.canvas.viewport().width(), win.graph.item)
    painter.end()
    width = win.graph.canvas.viewport().width()
    assert len(entries) >= 3 and all(e <= width - 0.5 * win.graph.item.style.f for e in ends)
    assert any("∂L" in e[1] for e in entries)


def test_verdicts_show_every_line(win, qtbot):
    from rnnviz.app.panels.bptt_controls import BPTTControls
    from rnnviz.app.views.bptt_panel import BPTTPanel
    from rnnviz.app.views.compare_view import CompareView
    from rnnviz.app.views.gradient_view import GradientView

    show_side_panel(qtbot, win, "Backprop through time")
    win.findChild(BPTTControls).compare.click()
    qtbot.waitUntil(lambda: win.state.compare_trace is not None, timeout=3000)
    for cls, tab in ((GradientView, "Gradients"), (CompareView, "Compare"), (BPTTPanel, None)):
        view = win.findChild(cls)
        if tab is not None:
            win.tabs.setCurrentWidget(view)
            settle(qtbot)
        lab = view.verdict_label
        assert lab.text() and lab.height() >= lab.heightForWidth(lab.width()), cls.__name__


def test_the_status_line_shows_whole_parts_beside_the_training(win, qtbot):
    """F11 at 720p while training: the summary ran under the training's status and read "computed in
    3 m". It now shows as many whole parts as fit, T and the loss last of all, the rest in its tooltip."""
    t = win.training
    if win.state.view_options.presentation:        # the Train panel's button is in the column F11 put away
        press(qtbot, win, Qt.Key.Key_F11)
    t["dock"].raise_()
    settle(qtbot)
    qtbot.mouseClick(t["panel"].play_button, Qt.MouseButton.LeftButton)
    press(qtbot, win, Qt.Key.Key_F11)
    try:
        qtbot.waitUntil(lambda: t["controller"].updates > 0, timeout=20000)
        settle(qtbot, 100)
        label = win.status_label
        shown = label.text()
        assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
        assert shown.startswith("T = 10") and "L = Σ L⟨t⟩ = " in shown
        whole = label.toolTip()
        assert "computed in" in whole and all(part in whole for part in shown.split("   ·   "))
        status = next(w for w in win.statusBar().findChildren(QLabel) if w.objectName() == "trainStatus")
        assert status.isVisible() and status.text().startswith("trained ")
        assert not label.geometry().intersects(status.geometry())
    finally:
        t["controller"].pause()          # (the Pause button is in the column F11 put away)
        qtbot.waitUntil(lambda: not t["controller"].running, timeout=20000)


def test_the_compare_tabs_hint_fits_its_plot_and_names_the_button_to_press(win, qtbot):
    """With compare mode off the Compare tab says how to turn it on: one line cut at both ends at 720p."""
    from rnnviz.app.panels.bptt_controls import BPTTControls
    from rnnviz.app.views.compare_view import CompareView

    view = win.findChild(CompareView)
    win.tabs.setCurrentWidget(view)
    settle(qtbot)
    hint = view.empty_text
    button = win.findChild(BPTTControls).quick.text()
    assert hint.isVisible() and f"“{button}”" in hint.toPlainText() and "Backprop through time" in hint.toPlainText()
    shown = hint.mapRectToScene(hint.boundingRect())
    box = view.plot.vb.mapRectToScene(view.plot.vb.boundingRect())
    assert box.contains(shown), (shown, box)
