""""What am I seeing": F1 and the ⓘ buttons show each view's help, the axis titles and colour bars carry
the same texts as tooltips, and the verdict's reasons link to the lesson page that explains them."""
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from rnnviz.lessons.help_texts import HELP
from tests.app.drive import open_window, side, type_number
from tests.app.lesson_drive import activate


def popup_title(w) -> str:
    return w.view_help.popup.label.text()


def follow_first_link(qtbot, label) -> None:
    """Tab to the label's first link and press Enter, as a keyboard user does."""
    label.setFocus()
    qtbot.waitUntil(label.hasFocus, timeout=3000)
    qtbot.wait(20)   # the focus-in is handled before the keys (the spin box handed it back just now)
    qtbot.keyClick(label, Qt.Key.Key_Tab)
    qtbot.keyClick(label, Qt.Key.Key_Return)


def test_every_view_and_panel_has_a_help_text(qtbot):
    w = open_window(qtbot)
    keys = w.view_help.widgets
    for i in range(w.tabs.count()):
        assert w.tabs.widget(i) in keys, w.tabs.tabText(i)
    from PySide6.QtWidgets import QDockWidget
    for dock in w.findChildren(QDockWidget):
        if dock.windowTitle() != "Input and model":      # its panels have their own texts
            assert dock.widget() in keys, dock.windowTitle()
    for widget in (w.graph, w.sequence_panel, w.model_panel, w.playback, w.lessons.panel):
        assert widget in keys and widget.whatsThis()


def test_f1_shows_the_focused_views_help(qtbot):
    w = open_window(qtbot)
    activate(qtbot, w)
    w.graph.canvas.setFocus()
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_F1)
    qtbot.waitUntil(w.view_help.popup.isVisible, timeout=3000)
    assert HELP["graph"].title in popup_title(w) and "a⟨0⟩ = 0" in popup_title(w)
    w.view_help.popup.close()
    w.tabs.setCurrentWidget(w.losses)
    w.losses.setFocus()
    qtbot.keyClick(w.losses, Qt.Key.Key_F1)
    qtbot.waitUntil(w.view_help.popup.isVisible, timeout=3000)
    assert HELP["losses"].title in popup_title(w) and "Σₜ L⟨t⟩" in popup_title(w)
    w.view_help.popup.close()


def test_the_info_buttons_and_the_link_to_the_lesson(qtbot):
    w = open_window(qtbot)
    gradients = next(w.tabs.widget(i) for i in range(w.tabs.count()) if w.tabs.tabText(i) == "Gradients")
    w.tabs.setCurrentWidget(gradients)
    qtbot.mouseClick(w.view_help.tab_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.view_help.popup.isVisible, timeout=3000)
    assert "(γσ_max)^(T−t)" in popup_title(w)
    follow_first_link(qtbot, w.view_help.popup.label)
    qtbot.waitUntil(lambda: w.lessons.controller.lesson is not None, timeout=5000)
    assert w.lessons.controller.lesson.name == "03-vanishing" and w.lessons.controller.page.id == "product"
    assert not w.view_help.popup.isVisible()
    qtbot.mouseClick(w.view_help.graph_button, Qt.MouseButton.LeftButton)
    assert HELP["graph"].title in popup_title(w)
    w.view_help.popup.close()


def test_axis_titles_and_colour_bars_have_the_help_as_tooltips(qtbot):
    w = open_window(qtbot)
    plot = w.heatmap.plot
    assert plot.getAxis("left").toolTip() == HELP["hidden"].axes["left"]
    assert plot.getAxis("bottom").toolTip() == HELP["hidden"].axes["bottom"]
    bars = [it for it in w.heatmap.findChildren(pg.GraphicsView)[0].scene().items() if isinstance(it, pg.ColorBarItem)]
    assert bars and all(b.toolTip() == HELP["hidden"].colorbar for b in bars)
    assert w.losses.plot.getAxis("right").toolTip() == HELP["losses"].axes["right"]


def test_the_verdicts_reasons_link_to_the_lesson_pages(qtbot):
    w = open_window(qtbot)
    side(w, "Backprop through time")
    links = w.lessons.verdict_links
    type_number(qtbot, w.model_panel.radius_spin, "0.5")
    qtbot.waitUntil(lambda: w.state.config.radius == 0.5, timeout=5000)
    assert links.isVisibleTo(links.parentWidget()) and "Explained in a lesson" in links.text()
    reason, name, k = links.links[0]
    assert reason.startswith("γ·σ_max(Waa)") and name == "03-vanishing"
    follow_first_link(qtbot, links)
    qtbot.waitUntil(lambda: w.lessons.controller.lesson is not None, timeout=5000)
    assert w.lessons.controller.page.id == "pascanu" and "pascanu_bound" in w.lessons.controller.page.explains


def hover_tooltip(qtbot, view, item) -> str:
    """Rest the mouse on a plot item (an axis title) and read the tooltip the view shows."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip
    QToolTip.hideText()
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseMove(view.viewport(), pos)
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_every_plots_axis_titles_say_what_they_show_also_in_the_side_panels(qtbot):
    """The gain plot under the gradients says it is the gain (it said 'the norm of the gradient'); the
    Training panel's curves and the Cell panel's charts have their tooltips too, and the Cell panel's
    charts, built again for the backward pass, have them when the mouse rests on an axis title."""
    from rnnviz.app.views.gate_view import CellView
    from rnnviz.app.views.gradient_view import GradientView
    from rnnviz.app.views.train_plots import TrainPlotsView
    from tests.app.drive import choose, press
    w = open_window(qtbot)
    g = w.findChild(GradientView)
    w.tabs.setCurrentWidget(g)
    assert g.gain_plot.getAxis("left").toolTip() == HELP["gradients"].labels["gain"]
    assert g.plot.getAxis("left").toolTip() == HELP["gradients"].axes["left"]
    train = w.findChild(TrainPlotsView)
    from rnnviz.app.lessons.controller import find_panel
    dock = find_panel(w, "train")
    dock.show()
    dock.raise_()
    assert train.plots["reach"].getAxis("left").toolTip() == HELP["training"].labels["reach"]
    assert train.plots["loss"].getAxis("left").toolTip() == HELP["training"].labels["loss"]
    choose(qtbot, w.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: w.state.trace is not None and w.state.trace.spec.cell == "lstm", timeout=10000)
    cell_dock = find_panel(w, "cell")
    cell_dock.show()
    cell_dock.raise_()
    view = cell_dock.widget() if isinstance(cell_dock.widget(), CellView) else cell_dock.widget().findChild(CellView)
    activate(qtbot, w)
    press(qtbot, w, "End", "Right")             # into the backward pass: the charts are built again
    qtbot.waitUntil(lambda: w.state.phase == "backward", timeout=5000)
    qtbot.wait(50)
    last = list(view.plots.values())[-1]
    axis = last.getAxis("bottom")
    assert axis.labelText == "unit"
    shown = hover_tooltip(qtbot, view.canvas, axis.label)
    assert shown == HELP["cell"].axes["bottom"]


def spot_tooltip(qtbot, w, kind_or_text: str) -> str:
    """Rest the mouse on a row name or colour legend painted on the graph; the tooltip shown."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip
    canvas = w.graph.canvas
    canvas.spots = []
    canvas.viewport().update()                        # painted afresh: the spots of what is on screen
    qtbot.waitUntil(lambda: bool(canvas.spots), timeout=3000)
    kind, text, rect = next(s for s in canvas.spots if kind_or_text in (s[0], s[1]) or s[1].startswith(kind_or_text))
    pos = QPoint(int(rect.center().x()), int(rect.center().y()))
    QToolTip.hideText()
    qtbot.mouseMove(canvas.viewport(), pos)
    QApplication.sendEvent(canvas.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, canvas.viewport().mapToGlobal(pos)))
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_the_graphs_row_names_and_colour_legends_have_the_help_as_tooltips(qtbot):
    """The graph paints its row names (its axis titles) and colour bars itself: they had no tooltips."""
    from tests.app.drive import press
    w = open_window(qtbot)
    labels = HELP["graph"].labels
    assert spot_tooltip(qtbot, w, "row:L") == labels["row:L"]
    assert spot_tooltip(qtbot, w, "row:a") == labels["row:a"]
    assert spot_tooltip(qtbot, w, "a⟨t⟩ units") == labels["legend:a⟨t⟩"]
    activate(qtbot, w)
    press(qtbot, w, "B")                              # the backward pass: the gradient's colour bar
    qtbot.waitUntil(lambda: w.state.phase == "backward", timeout=5000)
    assert spot_tooltip(qtbot, w, "‖") == labels["legend:‖"]


def test_f1_that_reaches_the_window_as_a_key_shows_the_help(qtbot):
    """Some X servers' key maps (Xvfb's) never match the F1 shortcut: the key then reaches the window as
    a plain key press, which showed nothing."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    w = open_window(qtbot)
    activate(qtbot, w)
    w.view_help.shortcut.setEnabled(False)          # as on such a server: the shortcut never matches
    w.graph.canvas.setFocus()
    QApplication.sendEvent(w, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(w.view_help.popup.isVisible, timeout=3000)
    assert HELP["graph"].title in popup_title(w)
    w.view_help.popup.close()


def test_the_help_popup_fits_the_window_when_presenting_at_720p(qtbot):
    """F11 at 1280 x 720: the graph's help ran past the popup's bottom (its last paragraphs and the lesson
    link cut off); it scrolls inside a popup no taller than the window, the link within reach."""
    from PySide6.QtCore import QRect
    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    w = open_window(qtbot, size=(1280, 720))
    try:
        activate(qtbot, w)
        w.presentation_action.trigger()
        qtbot.waitUntil(lambda: w.state.view_options.presentation, timeout=3000)
        qtbot.wait(50)
        qtbot.mouseClick(w.view_help.graph_button, Qt.MouseButton.LeftButton)
        pop = w.view_help.popup
        qtbot.waitUntil(pop.isVisible, timeout=3000)
        qtbot.wait(50)
        assert QRect(w.mapToGlobal(w.rect().topLeft()), w.size()).contains(pop.frameGeometry()), pop.frameGeometry()
        from PySide6.QtWidgets import QPushButton, QScrollArea
        assert not pop.findChild(QPushButton).visibleRegion().isEmpty()
        lab = pop.label
        assert lab.height() >= lab.heightForWidth(lab.width()) - 2, (lab.height(), lab.heightForWidth(lab.width()))
        scroll = pop.findChild(QScrollArea)      # the whole text laid out: shown, or a scroll away
        shown = scroll.viewport().height() if scroll is not None else lab.height()
        assert lab.height() <= shown or scroll.verticalScrollBar().maximum() >= lab.height() - shown - 2
        assert "Explained in a lesson" in lab.text()
        pop.close()
    finally:
        theme.apply_app_theme(QApplication.instance(), AppState().view_options)
