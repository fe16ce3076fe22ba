"""What a first-time user, or a teacher projecting the window at 1280 x 720, sees: every plot says what its
lines are, the graph's ŷ letters are as large as its x letters, the graph's numbers show whenever they
fit (and say how to see them when they do not), the Training panel fits its column, and F11's equations
fit theirs. Driven as a user: the lesson list, typing, keys, the panels' tabs."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt

from tests.app.drive import open_window, press
from tests.app.test_graph_text import drawn
from tests.app.lesson_drive import click_next, start_lesson

SMALL = (1280, 720)


def _in_view(view, item) -> bool:
    """Whether a pyqtgraph item lies wholly inside its view's viewport (nothing of it cut off)."""
    r = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return QRectF(view.viewport().rect()).adjusted(-1, -1, 1, 1).contains(QRectF(r))


def test_lesson_loss_plot_names_its_lines(qtbot):
    """Lesson 6's small loss plot: a legend under it names the two models' curves and the dashed blind
    guess (with its value), wholly in view in the lesson's column at 1280 x 720, and stays after training."""
    w = open_window(qtbot, SMALL)
    start_lesson(qtbot, w, "6.")
    click_next(qtbot, w)                                   # page 2: "Train them live"
    controls = w.lessons.panel.controls
    canvas = controls.widgets["train_plot"]
    qtbot.waitUntil(lambda: canvas.isVisible() and canvas.width() > 100, timeout=3000)
    plot = canvas.lesson_plot
    ctl = w.state.training
    qtbot.waitUntil(lambda: plot.legend_names() == ["LSTM", "vanilla RNN", "blind guess 0.167"], timeout=3000)
    samples = [s.item for s, _label in plot.legend.items]
    assert samples == [*plot.curves, plot.baseline]        # each entry drawn with its own line's pen
    qtbot.wait(50)                                         # (the layout settles in the next turn)
    assert _in_view(canvas, plot.legend) and _in_view(canvas, plot.plot)
    # the legend is under the plot, not over its curves
    assert plot.legend.sceneBoundingRect().top() >= plot.plot.vb.sceneBoundingRect().bottom()
    qtbot.mouseClick(controls.widgets["train"], Qt.MouseButton.LeftButton)          # ▶ Train
    qtbot.waitUntil(lambda: ctl.updates >= 3, timeout=30000)
    qtbot.mouseClick(controls.widgets["train"], Qt.MouseButton.LeftButton)          # Pause
    qtbot.waitUntil(lambda: not ctl.running, timeout=10000)
    assert len(plot.curves[0].xData) >= 3
    assert plot.legend_names() == ["LSTM", "vanilla RNN", "blind guess 0.167"]
    assert _in_view(canvas, plot.legend)


def _training_tabs(w):
    from PySide6.QtWidgets import QTabWidget

    from rnnviz.app.panels.train_panel import TrainPanel

    panel = w.findChild(TrainPanel)
    tabs = panel.parentWidget()
    while not isinstance(tabs, QTabWidget):
        tabs = tabs.parentWidget()
    return panel, tabs


def test_training_panel_fits_its_column_without_a_sideways_scroll_bar(qtbot):
    """At 1280 x 720 the Training panel's pages scroll up and down (they are taller than the column) but
    never sideways: 'SGD with momentum' and 'Snapshot every:' made the Train page 14 px wider than its
    column once its vertical scroll bar showed. Each page is looked at as a user opens it."""
    from PySide6.QtWidgets import QScrollArea

    w = open_window(qtbot, SMALL)
    dock = next(d for d in w.findChildren(type(w.input_dock)) if d.windowTitle() == "Training")
    dock.toggleViewAction().trigger() if not dock.isVisible() else None
    dock.raise_()
    panel, tabs = _training_tabs(w)
    qtbot.waitUntil(lambda: dock.isVisible() and tabs.isVisible(), timeout=3000)
    bar = tabs.tabBar()
    seen = 0
    for i in range(tabs.count()):
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
        qtbot.waitUntil(lambda: tabs.currentIndex() == i, timeout=2000)
        page = tabs.currentWidget()
        if not isinstance(page, QScrollArea):
            continue                                          # the Curves fit any size
        qtbot.wait(20)
        assert not page.horizontalScrollBar().isVisible(), (tabs.tabText(i), page.widget().minimumSizeHint().width(),
                                                             page.viewport().width())
        assert page.widget().width() <= page.viewport().width()
        seen += 1
    assert seen == 3
    # the text keeps the window's size (nothing was made smaller to fit)
    assert panel.optimizer.font().pointSizeF() >= w.font().pointSizeF()
    assert panel.optimizer.currentText() and panel.snapshot_every.text() == "every 100"


def test_presenting_at_720p_the_equations_fit_or_say_there_is_more(qtbot):
    """F11 at 1280 x 720: the forward step's equations fit the panel, L⟨1⟩ included (its last line was
    cut off behind a thin scroll bar); the numbers are shorter, not smaller. The backward step's page is
    longer than any panel of that height: the line under it says there is more below, until the user
    has scrolled to its end."""
    from rnnviz.app import theme
    from rnnviz.app.views.equation_view import EquationView
    from tests.app import projector
    from tests.app.drive import side
    from tests.app.test_graph_f11_room import reset_fonts

    w = projector.open_window(qtbot, 1280, 720, "hello world")
    try:
        side(w, "Equations")
        projector.press(qtbot, w, Qt.Key.Key_F11)
        projector.settle(qtbot, 200)
        assert w.state.view_options.presentation
        eq = w.findChild(EquationView)
        bar = eq.browser.verticalScrollBar()
        qtbot.waitUntil(lambda: "L⟨1⟩" in eq.text() and bar.maximum() == 0, timeout=3000)
        assert "−log" in eq.text().split("L⟨1⟩")[-1]          # the loss's own line, with its value
        assert not eq.more.isVisible()
        # the page's text as large as presenting makes it (fit by shorter numbers, not a smaller font)
        loss = eq.browser.document().find("−log 0.")                 # the last line: L⟨1⟩'s value
        assert not loss.isNull()
        assert loss.charFormat().font().pointSizeF() >= theme.point_size(w.state.view_options, 1.05) - 0.05
        projector.press(qtbot, w, Qt.Key.Key_End)
        projector.press(qtbot, w, Qt.Key.Key_Right)            # the backward pass, step T
        qtbot.waitUntil(lambda: "Backward pass" in eq.text(), timeout=3000)
        projector.settle(qtbot, 50)
        assert bar.maximum() > 0                               # (eight rows of vectors and their sums)
        assert eq.more.isVisible() and "more below" in eq.more.text()
        bar.setValue(bar.maximum())                            # scrolled to the end: nothing more below
        qtbot.waitUntil(lambda: not eq.more.isVisible(), timeout=2000)
    finally:
        reset_fonts()


def _legible_numbers(w) -> dict:
    """kind -> steps whose L⟨t⟩ / ‖a⟨t⟩‖ is written in a font larger than the graph's tiny one."""
    from PySide6.QtGui import QFontMetricsF

    tiny = QFontMetricsF(w.graph.item.style.font_tiny)
    out: dict = {"L": set(), "norm": set()}
    for kind, t, box, text, width in drawn(w):
        if kind in out:
            assert width <= box.width() + 0.01, (kind, t, text)
            if width > tiny.horizontalAdvance(text) + 0.5:
                out[kind].add(t)
    return out


def test_the_graph_writes_its_numbers_whenever_they_fit_and_says_how_to_see_them(qtbot):
    """1280 x 720, texts of T = 10 to 40 typed into the box: wherever a fitted step is wide enough for a
    two-digit number in the small font, every step's L⟨t⟩ and ‖a⟨t⟩‖ are written in it (at T = 13 the
    graph drew bands without numbers: a fixed 46 px per step); narrower, the legend row says how to see
    them, and zooming in with + brings them."""
    from tests.app.drive import type_sequence

    w = open_window(qtbot, SMALL)
    text = "the quick brown fox jumps over the lazy dog again and again"
    seen = {}
    for T in (10, 13, 14, 17, 20, 40):
        type_sequence(qtbot, w, text[:T + 1])                  # T + 1 characters: T steps
        press(qtbot, w, "F", "End")                            # fitted; every step reached
        assert w.state.T == T
        g = w.graph
        fits = g.zoom() >= 2.7 * g.item.style.f                # ‖a‖ = 2.4 fits the small font's node
        seen[T] = g.detailed()
        if g.detailed():
            legible = _legible_numbers(w)
            assert legible["L"] == set(range(T)) and legible["norm"] == set(range(T)), (T, legible)
        else:
            assert not fits
            hint = [text_ for kind, _t, _b, text_, _w in drawn(w) if kind == "hint"]
            assert hint and "zoom in" in hint[0], (T, hint)
            for _ in range(12):
                if g.detailed():
                    break
                press(qtbot, w, "Plus")
            assert g.detailed()
            legible = _legible_numbers(w)
            visible = [t for t in g.visible_steps() if g.canvas.mapFromScene(g.node_for("L", t).scene_rect)
                       .boundingRect().left() >= 60 and g.canvas.mapFromScene(g.node_for("L", t).scene_rect)
                       .boundingRect().right() <= g.canvas.viewport().width()]
            assert visible and set(visible) <= legible["L"] and set(visible) <= legible["norm"], (T, visible, legible)
    assert seen[10] and seen[13] and not seen[40], seen


def test_the_prediction_letters_are_as_large_as_the_input_letters(qtbot):
    """The ŷ⟨t⟩ nodes' letters (the best guess, the target ✓) in the x⟨t⟩ nodes' large bold font, one
    size for the whole row, at 1280 x 720 (two lines a node), 1920 x 1080 (the top 3 and the target) and
    for an LSTM at 1280 x 720 (its stack leaves ŷ one line: the best guess): they were the body's bold
    font, two thirds of the x letters' height (the LSTM's, squeezed, two lines in the small font)."""
    from PySide6.QtGui import QFontMetricsF

    from tests.app import projector
    from tests.app.drive import choose

    for size, cell, lines in ((SMALL, "rnn", 2), ((1920, 1080), "rnn", 4), (SMALL, "lstm", 1)):
        w = projector.open_window(qtbot, *size, "hello world")   # as main.py opens it (the app's theme)
        if cell != "rnn":
            choose(qtbot, w.model_panel.cell, cell)
            qtbot.waitUntil(lambda: w.state.trace.spec.cell == cell, timeout=8000)
        press(qtbot, w, "F", "End")                               # every step reached, none dimmed
        st = w.graph.item.style
        big, small = QFontMetricsF(st.font_big), QFontMetricsF(st.font_small)
        texts = drawn(w)
        xs = {t: width for kind, t, _b, text, width in texts if kind == "x"}
        assert len(xs) == w.state.T and all(abs(width - big.horizontalAdvance(w.state.trace.seq.input_label(t))) < 1.01
                                            for t, width in xs.items())   # (the x letters: the large font)
        labels = [(t, text, width) for kind, t, _b, text, width in texts if kind == "p" and not text[-1].isdigit()]
        assert len(labels) >= w.state.T and max(sum(1 for t_, *_ in labels if t_ == t) for t in range(w.state.T)) <= lines
        for t, text, width in labels:
            mark = small.horizontalAdvance("✓") - 0.25 * st.f if text.startswith("✓") else 0.0
            assert abs(width - mark - big.horizontalAdvance(text.removeprefix("✓"))) < 1.51, (size, cell, t, text, width)
        if lines > 1:
            assert any(text.startswith("✓") for _t, text, _w in labels)   # the target still marked
        w.close()
