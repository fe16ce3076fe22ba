"""Every built-in lesson run page by page in the window as a user does: started from the lesson list,
each page's keys, drags and choices done, Next clicked; on every page the text shows the live numbers
of the trace on screen, the app is as the page set it up, and the views show what the text claims."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from rnnviz.app.lessons.controller import find_tab
from rnnviz.lessons import builtin_paths
from rnnviz.lessons.values import read_value
from tests.app.drive import open_window, press
from tests.app.lesson_drive import (ACTIONS, check_setup, check_text, click_next, start_lesson, user_context,
                                    verdict_text, wait_done)


def _claim_vanishing_verdict(w, text):
    assert "vanishing" in verdict_text(w) and "vanishing" in text


def _claim_pascanu(w, text):
    ctx = user_context(w)
    assert read_value(ctx, "gamma_sigma") < 1
    assert read_value(ctx, "grad_last", "1") < 1e-20


def _claim_saturation(w, text):
    assert w.state.config.radius >= 2 and "tanh saturation" in verdict_text(w)


def _claim_exploding(w, text):
    assert "exploding" in verdict_text(w).split("\n")[0] and "exploding" in text


def _claim_overflow(w, text):
    tr = w.state.trace
    assert tr.first_nonfinite is not None and "overflow" in verdict_text(w)
    assert not np.isfinite(tr.loss[-1])


def _claim_norm_clip(w, text):
    panel = verdict_text(w)
    assert "clipping (norm ‖g‖ ≤ θ = 5): clipped" in panel and "→ 5\n" in panel
    assert w.state.clip.norm_after == pytest.approx(5.0) and "1060" in text


def _claim_value_clip(w, text):
    assert "clipping (each entry to ±c = 5): clipped" in verdict_text(w) and read_value(user_context(w), "clip_cos") < 0.95


def _claim_summing(w, text):
    panel_norm = read_value(user_context(w), "dWaa_sum")
    assert panel_norm > 0


def _claim_lstm_orders_larger(w, text):
    s = w.state
    assert s.config.cell == "rnn" and s.compare_config.cell == "lstm"
    assert s.compare_trace.da_last_norm[0] > 1e6 * s.trace.da_last_norm[0]     # orders of magnitude at step 1
    assert find_tab(w, "compare").has_figure() and w.tabs.currentWidget() is find_tab(w, "compare")


def _claim_forget_bias(w, text):
    s = w.state
    assert s.config.forget_bias == 3.0 and s.trace.top.quantity("f").mean() > 0.9


def _claim_one_to_many(w, text):
    seq = w.state.trace.seq
    assert w.state.trace.fed_back[w.state.t] == 1
    assert seq.input_label(w.state.t) == seq.target_label(w.state.t - 1)


def _claim_many_to_one(w, text):
    assert w.state.trace.step_weight.sum() == 1 and w.state.trace.step_weight[-1] == 1


def _claim_encoder_decoder(w, text):
    assert [s.name for s in w.state.trace.segments] == ["encoder", "decoder"]


def _claim_deep(w, text):
    assert w.state.trace.spec.layers == 2


def _claim_bidirectional(w, text):
    assert w.state.trace.spec.dirs == 2


def _claim_learned(w, text):
    """The LSTM's MSE on the adding problem falls below 0.01; the vanilla RNN's stays near the baseline."""
    ctl = w.state.training
    lstm, rnn = (float(np.mean(h.column("loss")[-50:])) for h in ctl.mirrors)
    assert [t.spec.cell for t in ctl.trainers] == ["lstm", "rnn"]
    assert lstm < 0.01 and rnn > 0.5 * ctl.main.task.baseline
    # the lesson panel draws both losses (the Training panel's Curves are behind the lesson): the LSTM's
    # curve falls below 0.01, the vanilla RNN's stays near the dashed baseline
    plot = w.lessons.panel.controls.widgets["train_plot"]
    assert plot.isVisible() and not plot.viewport().visibleRegion().isEmpty()
    (x0, y0), (x1, y1) = ((c.xData, c.yData) for c in plot.lesson_plot.curves)    # (not log10 of them)
    assert len(x0) > 10 and len(x1) > 10 and x0[-1] >= 0.9 * ctl.updates
    assert y0.min() < 0.01 and y1[-5:].mean() > 0.5 * ctl.main.task.baseline
    assert plot.lesson_plot.baseline.yData[0] == pytest.approx(ctl.main.task.baseline)


def _claim_trained(w, text):
    """Lesson 1's last page shows the shipped trained weights: the file's numbers, a small L, every next
    character predicted (the random weights of page 1: L ≈ 19)."""
    from rnnviz.lessons.format import LESSONS_DIR
    f = np.load(LESSONS_DIR / "weights" / "01-hello-world.npz", allow_pickle=False)
    tr = w.state.trace
    np.testing.assert_array_equal(tr.params["Waa"], f["Waa"])
    assert tr.total_loss < 0.5 and "L = 0.14" in text
    seq = tr.seq
    assert [seq.vocab[i] for i in tr.y_hat[:, 0, :].argmax(0)] == list("ello world")
    assert "Imported weights" in w.model_panel.weights_info.text()


CLAIMS = {
    ("01-forward-pass", "trained"): _claim_trained,
    ("06-long-dependency", "train"): _claim_learned,
    ("05-gated-cells", "compare"): _claim_lstm_orders_larger,
    ("05-gated-cells", "forget-bias"): _claim_forget_bias,
    ("07-rnn-types", "many-to-one"): _claim_many_to_one,
    ("07-rnn-types", "one-to-many"): _claim_one_to_many,
    ("07-rnn-types", "encoder-decoder"): _claim_encoder_decoder,
    ("07-rnn-types", "deep"): _claim_deep,
    ("07-rnn-types", "bidirectional"): _claim_bidirectional,
    ("03-vanishing", "pascanu"): _claim_pascanu,
    ("03-vanishing", "verdict"): _claim_vanishing_verdict,
    ("03-vanishing", "saturation"): _claim_saturation,
    ("04-exploding", "relu"): _claim_exploding,
    ("04-exploding", "overflow"): _claim_overflow,
    ("04-exploding", "norm-clipping"): _claim_norm_clip,
    ("04-exploding", "value-clipping"): _claim_value_clip,
    ("02-bptt", "summing"): _claim_summing,
}


def run_lesson(qtbot, w, stem: str):
    from rnnviz.lessons import load_lesson
    lesson = load_lesson(next(p for p in builtin_paths() if p.stem == stem), w.lessons.caps)
    L = start_lesson(qtbot, w, lesson.title)
    seen = []
    for k, page in enumerate(lesson.pages):
        assert L.controller.index == k
        assert L.panel.page_title.text() == page.title
        check_setup(w, reached_by_next=k > 0)
        action = ACTIONS.get((stem, page.id))
        if page.wait is not None:
            assert action is not None, f"no test action for the page {page.id!r} that waits for {page.wait.text}"
            assert not L.controller.done and "▶" in L.panel.hint.text()
            action(qtbot, w)
            wait_done(qtbot, w)
        text = check_text(w)
        claim = CLAIMS.get((stem, page.id))
        if claim is not None:
            claim(w, text)
        seen.append(page.id)
        if k + 1 < len(lesson.pages):
            click_next(qtbot, w)
    assert not L.panel.next_button.isEnabled()
    return seen


@pytest.mark.parametrize("stem", [p.stem for p in builtin_paths()])
def test_every_lesson_page_by_page(qtbot, stem):
    w = open_window(qtbot, size=(1280, 720))
    seen = run_lesson(qtbot, w, stem)
    assert len(seen) >= 3


def test_back_sets_a_page_up_again_and_the_remote_keys_turn_pages(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "3.")
    for _ in range(5):
        qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageDown)      # a presenter remote's "next"
    qtbot.waitUntil(lambda: L.controller.index == 5 and not w.state.busy, timeout=20000)
    from tests.app.lesson_drive import drag_slider
    drag_slider(qtbot, L.panel.controls.widgets["radius"], 2.5)
    qtbot.waitUntil(lambda: w.state.config.radius >= 2.4 and not w.state.busy, timeout=10000)
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: L.controller.index == 4 and not w.state.busy, timeout=20000)
    assert w.state.config.radius == 0.5          # Back: the page as the lesson set it up
    check_setup(w, reached_by_next=False)
    check_text(w)
    press(qtbot, w, "Left")                      # arrows still step the views
    assert w.state.t + 1 == w.state.T - 1 or w.state.phase == "forward"


def test_leaving_a_lesson_keeps_what_it_set_up(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "4.")
    click_next(qtbot, w)                        # rho = 2.5, ReLU, the Gradients tab, backward at T
    config, t, phase, tab = w.state.config, w.state.t, w.state.phase, w.tabs.currentIndex()
    qtbot.mouseClick(L.panel.leave_button, Qt.MouseButton.LeftButton)
    assert L.controller.lesson is None and L.panel.stack.currentIndex() == 0    # back to the lesson list
    assert (w.state.config, w.state.t, w.state.phase, w.tabs.currentIndex()) == (config, t, phase, tab)
    assert config.radius == 2.5 and config.activation == "relu"
    assert L.highlight.targets() == []
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageDown)     # no lesson: the remote's key does nothing
    assert w.state.config == config


def test_numbers_typed_after_a_lesson_are_read_as_numbers(qtbot):
    """A first start opens the first lesson; a student who then types a series of numbers gets
    numbers, not their characters (the lessons' texts read as text in the auto mode too)."""
    from tests.app.drive import type_sequence

    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "1.")
    assert w.state.trace.seq.kind == "text"
    qtbot.mouseClick(L.panel.leave_button, Qt.MouseButton.LeftButton)
    type_sequence(qtbot, w, "0.1 0.5 -2 3e-2")
    qtbot.waitUntil(lambda: w.state.trace.seq.source == "0.1 0.5 -2 3e-2" and not w.state.busy, timeout=20000)
    assert w.state.trace.seq.kind == "numbers" and w.state.trace.seq.tokens == (0.1, 0.5, -2.0, 0.03)


def test_presentation_mode_keeps_the_lesson_readable_at_720p(qtbot):
    from PySide6.QtWidgets import QApplication

    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    theme.apply_app_theme(QApplication.instance(), AppState().view_options)   # normal fonts (an earlier test may present)
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "2.")
    normal = L.panel.text.fontInfo().pointSizeF()
    w.presentation_action.trigger()
    qtbot.waitUntil(lambda: L.panel.text.fontInfo().pointSizeF() > normal, timeout=3000)
    qtbot.wait(50)
    assert L.dock.isVisible() and not w.input_dock.isVisible()      # the lesson keeps its column
    assert L.dock.width() >= 260
    assert L.panel.next_button.isVisible() and L.panel.next_button.rect().height() > 0
    check_text(w)


def test_presenting_a_lesson_shows_a_side_panel_only_on_the_pages_that_set_one_up(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "2.")        # page 1: no side panel
    w.presentation_action.trigger()
    qtbot.waitUntil(lambda: not any(d.isVisible() for d in w._side_docks), timeout=3000)
    for _ in range(2):                       # page 3 sets up the Equations panel
        click_next(qtbot, w)
    qtbot.waitUntil(lambda: w._side_docks[0].isVisible(), timeout=3000)
    assert L.controller.page.panel == "equations"
    click_next(qtbot, w)                     # page 4: Backprop through time
    bptt = next(d for d in w._side_docks if d.windowTitle().startswith("Backprop"))
    qtbot.waitUntil(lambda: not bptt.visibleRegion().isEmpty(), timeout=3000)
    qtbot.mouseClick(L.panel.leave_button, Qt.MouseButton.LeftButton)
    w.presentation_action.trigger()
    qtbot.waitUntil(lambda: w._side_docks[0].isVisible() and w.input_dock.isVisible(), timeout=3000)

@pytest.fixture
def normal_fonts_after():
    """The app's fonts back to normal after a test that presents (F11 sets them app-wide: the next test
    file's windows would open with presentation fonts)."""
    yield
    from PySide6.QtWidgets import QApplication

    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    theme.apply_app_theme(QApplication.instance(), AppState().view_options)


@pytest.mark.parametrize("title", ["1.", "2.", "3.", "4.", "5.", "6.", "7."])
def test_presenting_every_lesson_at_720p_every_page_fits_the_screen(qtbot, title, normal_fonts_after):
    """F11 at 1280 x 720, page after page by Next: the window stays the screen's size (a tab's least
    height made it 890 px tall on lesson 5's Gradients pages: Next and the step bar were off the screen;
    the step bar's one row beside the lesson and a side panel made it 1310 and 1379 px wide on lesson
    2's page 3 and lesson 4's page 4: the timeline now takes a row of its own when the column is narrow)."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    theme.apply_app_theme(QApplication.instance(), AppState().view_options)   # normal fonts (an earlier test may present)
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, title)
    w.presentation_action.trigger()
    qtbot.waitUntil(lambda: w.state.view_options.presentation, timeout=3000)
    screen = QRect(0, 0, 1280, 720)
    for k in range(len(L.controller.lesson.pages)):
        if k:
            click_next(qtbot, w)
        qtbot.wait(30)
        assert (w.width(), w.height()) == (1280, 720), (title, k + 1, w.tabs.tabText(w.tabs.currentIndex()))
        page = L.controller.page
        controls = [L.panel.controls.widgets[c] for c in page.controls]
        for widget in (L.panel.next_button, w.playback, *controls):
            box = QRect(widget.mapTo(w, widget.rect().topLeft()), widget.size())
            assert screen.contains(box), (title, k + 1, widget)
            assert not widget.visibleRegion().isEmpty(), (title, k + 1, widget)   # not scrolled out of sight
        for name, target in zip(page.highlight, L.targets(page.highlight)):     # what the page frames is shown
            assert target is not None and target.isVisible(), (title, k + 1, name)
            box = QRect(target.mapTo(w, target.rect().topLeft()), target.size())
            assert screen.intersected(box).height() >= min(40, box.height()), (title, k + 1, name)


def test_presenting_lesson_5s_gradients_page_at_720p_keeps_the_plot_wide(qtbot, normal_fonts_after):
    """Lesson 5, page 2 (the cell state's path) in F11 at 1280 x 720: the LSTM's six curves are named
    in one column beside the plot (the packed rows fit the canvas; two columns left the plot a third)."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.app import theme
    from rnnviz.app.state import AppState
    from rnnviz.app.views.gradient_view import GradientView
    theme.apply_app_theme(QApplication.instance(), AppState().view_options)
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "5.")
    w.presentation_action.trigger()
    qtbot.waitUntil(lambda: w.state.view_options.presentation, timeout=3000)
    click_next(qtbot, w)
    qtbot.wait(50)
    g = w.findChild(GradientView)
    assert w.tabs.currentWidget() is g and len(g.legend.items) == 6
    assert g.legend.columnCount == 1 and g.plot.vb.width() >= 0.5 * g.canvas.width()
    # a little shorter (a projector's taskbar): still one column while the packed rows fit the canvas
    row_h = max(max(s.boundingRect().height(), lab.item.boundingRect().height()) for s, lab in g.legend.items)
    packed = 6 * row_h - 5 * 4 + 18 + 4          # six rows 4 px closer, the margins
    for height in range(720, 600, -3):
        w.resize(1280, height)
        qtbot.wait(20)
        if g.canvas.height() < packed + 3 * 4:    # where rows counted unpacked would not fit
            break
    assert packed <= g.canvas.height(), (height, g.canvas.height(), packed)
    assert g.legend.columnCount == 1, (height, g.canvas.height(), row_h)
    assert g.plot.vb.width() >= 0.5 * g.canvas.width(), (g.plot.vb.width(), g.canvas.width())
    legend = g.legend.sceneBoundingRect()
    assert legend.bottom() <= g.canvas.height() and legend.right() <= g.canvas.width()   # every name shown


def test_a_page_reached_by_back_or_a_link_shows_the_tab_the_pages_before_it_chose(qtbot):
    """Lesson 3's Jacobians page sets no tab of its own: by Next it shows page 1's Gradients. Reached by
    Back after the student looked at another tab, or by a help text's link from another tab, it showed
    that tab (Heatmaps) instead of the plot its text reads."""
    from tests.app.test_view_help import follow_first_link
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "3.")
    gradients = find_tab(w, "gradients")
    click_next(qtbot, w)
    click_next(qtbot, w)                              # page 3 (Pascanu's bound), on the Gradients tab
    assert w.tabs.currentWidget() is gradients
    bar = w.tabs.tabBar()
    heat = next(i for i in range(w.tabs.count()) if w.tabs.tabText(i).startswith("Heatmaps"))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(heat).center())     # the student looks
    assert w.tabs.currentWidget() is not gradients
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageUp)                                     # Back
    qtbot.waitUntil(lambda: L.controller.index == 1 and not w.state.busy, timeout=20000)
    assert w.tabs.currentWidget() is gradients
    check_setup(w, reached_by_next=False)
    qtbot.mouseClick(L.panel.leave_button, Qt.MouseButton.LeftButton)
    influence = next(i for i in range(w.tabs.count()) if w.tabs.tabText(i).startswith("Influence"))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(influence).center())
    qtbot.mouseClick(w.view_help.tab_button, Qt.MouseButton.LeftButton)    # the Influence map's help
    qtbot.waitUntil(w.view_help.popup.isVisible, timeout=3000)
    follow_first_link(qtbot, w.view_help.popup.label)                      # "Explained in a lesson ›"
    qtbot.waitUntil(lambda: L.controller.lesson is not None and not w.state.busy, timeout=20000)
    assert L.controller.page.id == "product" and w.tabs.currentWidget() is gradients
    check_setup(w, reached_by_next=False)


def test_closing_the_lesson_panel_leaves_the_lesson_and_keeps_its_state(qtbot):
    """The lesson panel's × hid it and the lesson ran on unseen: its frames stayed and PageDown turned
    its hidden pages (lesson 4's page 2 set ρ = 2.5 under the user's eyes)."""
    from PySide6.QtWidgets import QAbstractButton
    w = open_window(qtbot, size=(1280, 720))
    L = start_lesson(qtbot, w, "4.")
    config = w.state.config
    close = next(b for b in L.dock.findChildren(QAbstractButton) if b.objectName() == "qt_dockwidget_closebutton")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not L.dock.isVisible(), timeout=3000)
    assert L.controller.lesson is None and L.highlight.targets() == []
    qtbot.keyClick(w.graph.canvas, Qt.Key.Key_PageDown)
    assert w.state.config == config and config.radius == 0.9
    L.menu.actions()[0].trigger()                  # Lessons > Lesson list: the list again
    qtbot.waitUntil(L.dock.isVisible, timeout=3000)
    assert L.panel.stack.currentIndex() == 0
