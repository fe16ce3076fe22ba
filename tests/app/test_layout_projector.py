"""Issue 13, items 1, 5, 6: the window at 1280 x 720 (a projector) and in presentation mode (F11),
driven by the keys and menus a teacher uses: every column keeps its width across F11 and Reset
layout, the current tab can fill the window, and no text a user needs is cut off."""
import pytest
from PySide6.QtCore import Qt

from tests.app.projector import column_widths, open_window, press, settle


@pytest.fixture
def win(qtbot):
    return open_window(qtbot, 1280, 720)


def test_f11_twice_gives_back_the_same_columns(win, qtbot):
    before = column_widths(win)
    split = win.splitter.sizes()
    press(qtbot, win, Qt.Key.Key_F11)
    assert win.state.view_options.presentation and not win.input_dock.isVisible()
    press(qtbot, win, Qt.Key.Key_F11)
    assert not win.state.view_options.presentation
    assert column_widths(win) == before          # the input column was ~64 px wider
    assert win.splitter.sizes() == split
    assert win.width() == 1280


def test_reset_layout_sizes_the_columns_as_at_start(win, qtbot):
    before = column_widths(win)
    win.resizeDocks([win.input_dock, win._side_docks[0]], [b + 12 for b in before], Qt.Orientation.Horizontal)
    settle(qtbot)
    press(qtbot, win, Qt.Key.Key_F11)
    press(qtbot, win, Qt.Key.Key_F11)
    assert column_widths(win) != before
    reset = next(a for a in win.view_menu.actions() if a.text() == "Reset layout")
    reset.trigger()
    settle(qtbot)
    assert column_widths(win) == before          # it restored widths saved before they were sized
    assert win._side_docks[0].width() <= 400


def test_reset_layout_in_presentation_mode_keeps_the_graph_wide(win, qtbot):
    press(qtbot, win, Qt.Key.Key_F11)
    wide = win.graph.width()
    win.reset_layout()
    settle(qtbot)
    assert not win.input_dock.isVisible() and win.graph.width() == wide
    press(qtbot, win, Qt.Key.Key_F11)
    assert win.input_dock.isVisible() and win.width() == 1280


def test_export_all_writes_no_compare_figure_when_compare_is_off(win, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "off"))
    win.file_actions.actions["export_all"].trigger()
    names = {p.name for p in (tmp_path / "off").iterdir()}
    assert "gradients.png" in names and not {n for n in names if n.startswith("compare")}
    # compare mode on (the user ticks the box): now there is something to compare
    from rnnviz.app.panels.bptt_controls import BPTTControls

    win.findChild(BPTTControls).compare.click()
    qtbot.waitUntil(lambda: win.state.compare_trace is not None, timeout=3000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "on"))
    win.file_actions.actions["export_all"].trigger()
    names = {p.name for p in (tmp_path / "on").iterdir()}
    assert {"compare.png", "compare.csv"} <= names


# ---------------------------------------------------------------------- item 1: room for the key figure
def open_tab(qtbot, w, title):
    bar = w.tabs.tabBar()
    i = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    settle(qtbot)
    return w.tabs.widget(i)


def axis_titles_apart(plots):
    """The shown left-axis titles of stacked plots: each fits its plot's height, none meets another."""
    rects = []
    for p in plots:
        ax = p.getAxis("left")
        if ax.label.isVisible():
            r = ax.label.mapRectToScene(ax.label.boundingRect())
            assert max(r.width(), r.height()) <= p.vb.height() + 1
            rects.append(r)
    return all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_gradients_plot_is_readable_at_1280x720(win, qtbot):
    g = open_tab(qtbot, win, "Gradients")
    assert g.plot.vb.height() >= 100          # was ~40 (17 offscreen)
    assert g.gain_plot.vb.height() >= 30
    assert axis_titles_apart([g.plot, g.gain_plot])  # "‖gradient‖" printed across "gain"


def test_gradients_plot_in_presentation_mode_at_720p(win, qtbot):
    press(qtbot, win, Qt.Key.Key_F11)
    g = open_tab(qtbot, win, "Gradients")
    assert g.plot.vb.height() >= 50 and g.gain_plot.vb.height() >= 30   # was 0: a line
    assert axis_titles_apart([g.plot, g.gain_plot])


@pytest.mark.parametrize("presenting", [False, True])
def test_m_maximises_the_current_tab_and_gives_everything_back(win, qtbot, presenting):
    if presenting:
        press(qtbot, win, Qt.Key.Key_F11)
    g = open_tab(qtbot, win, "Gradients")
    columns, split, small = column_widths(win), win.splitter.sizes(), g.plot.vb.height()
    press(qtbot, win, Qt.Key.Key_M)
    assert not win.graph.isVisible() and not any(d.isVisible() for d in [win.input_dock] + win._side_docks)
    assert win.playback.isVisible()                    # stepping stays at hand
    assert g.plot.vb.height() >= 2.5 * small and g.plot.vb.height() >= 250   # (small: ~120 px at 720p)
    assert g.plot.vb.width() >= 0.6 * win.width()
    assert win.focus_button.isChecked()
    press(qtbot, win, Qt.Key.Key_M)
    assert win.graph.isVisible() and column_widths(win) == columns and win.splitter.sizes() == split
    press(qtbot, win, Qt.Key.Key_M)
    press(qtbot, win, Qt.Key.Key_Escape)               # Esc leaves it too
    assert win.graph.isVisible() and column_widths(win) == columns


def test_g_maximises_the_graph_and_the_button_comes_back(win, qtbot):
    h = win.graph.height()
    press(qtbot, win, Qt.Key.Key_G)
    assert not win.tabs.isVisible() and win.graph.height() > 1.6 * h
    qtbot.mouseClick(win.focus_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert win.tabs.isVisible() and win.graph.height() == h


def node_rows(graph, t):
    """(top, bottom) of step t's nodes, top row first."""
    return [(r.top(), r.bottom()) for r in (graph.node_for(k, t).scene_rect for k in ("L", "y", "a", "x"))]


@pytest.mark.parametrize("presenting", [False, True])
def test_graph_rows_never_overlap_at_any_height(win, qtbot, presenting):
    if presenting:
        press(qtbot, win, Qt.Key.Key_F11)
    graph, total = win.graph, sum(win.splitter.sizes())
    fonts = []
    for share in (0.2, 0.3, 0.45, 0.6, 0.8):            # the user drags the splitter
        win.splitter.moveSplitter(int(total * share), 1)
        settle(qtbot)
        st = graph.item.style
        rows = node_rows(graph, 0)
        for (t0, b0), (t1, b1) in zip(rows, rows[1:]):
            assert b0 + 0.9 * st.f <= t1               # room for the Wax / Wya label between rows
        g = graph.item.geom
        assert g.top_px <= rows[0][0] and rows[-1][1] <= g.height_px - g.bottom_px
        fonts.append(st.f)
    assert fonts == sorted(fonts) and fonts[0] < fonts[-1]   # smaller text only when short
    if not presenting:
        assert fonts[-1] == graph.item.style.nominal_f


def test_view_panels_brings_the_input_column_back_while_presenting(win, qtbot):
    press(qtbot, win, Qt.Key.Key_F11)
    act = next(a for a in win.panels_menu.actions() if a.text() == "Input and model")
    assert act.isEnabled()                     # greyed out: the docks were not closable
    act.trigger()
    settle(qtbot)
    assert win.input_dock.isVisible() and win.width() == 1280   # it grew to 1587 px, off the screen
    scroll = win.input_dock.widget()   # all three columns can't have their F11 width: it scrolls sideways
    fits = scroll.viewport().width() >= scroll.widget().minimumSizeHint().width()
    assert fits or scroll.horizontalScrollBar().isVisible()


def test_the_default_example_keeps_its_detailed_graph_at_1280x720(win, qtbot):
    assert win.graph.detailed()                # wider side columns would turn it into bands


def test_typing_m_or_g_in_the_sequence_box_types_them(win, qtbot):
    edit = win.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "mag")
    qtbot.waitUntil(lambda: win.state.config.source == "mag", timeout=3000)
    assert win.window_layout.focus is None and win.graph.isVisible() and win.tabs.isVisible()


def test_f11_beside_the_lesson_list_puts_it_away_but_keeps_an_open_lesson(win, qtbot):
    """The first start shows the lesson list in the left column; F11 kept it there while no lesson was
    open, and the Gradients plot beside it and the Equations was a line at 720p. An open lesson stays."""
    lessons = win.lessons
    next(a for a in lessons.menu.actions() if a.text() == "Lesson list").trigger()   # Lessons > Lesson list
    settle(qtbot)
    assert lessons.dock.isVisible()
    press(qtbot, win, Qt.Key.Key_F11)
    assert not lessons.dock.isVisible() and not win.input_dock.isVisible()
    g = open_tab(qtbot, win, "Gradients")
    assert g.plot.vb.height() >= 50
    press(qtbot, win, Qt.Key.Key_F11)
    assert lessons.dock.isVisible()                      # back as it was
    next(a for a in lessons.menu.actions() if a.text() == lessons.lessons[0].title).trigger()
    settle(qtbot)
    press(qtbot, win, Qt.Key.Key_F11)
    assert lessons.dock.isVisible() and not win.input_dock.isVisible()    # presenting the lesson


def test_the_heatmap_in_presentation_mode_at_720p_gives_its_rows_the_room(win, qtbot):
    """F11 at 1280 x 720 left the heatmap's 16 rows ~35 px under a two-line title, and the colour bar
    printed five ticks over each other in that height. Short of room, the top axis's title steps aside
    (its characters stay), the bar names its two ends and the title drops the scale they name."""
    heat = open_tab(qtbot, win, "Heatmaps")
    assert heat.compact and heat.plot.vb.height() >= 120     # 1280 x 720 too: ~95 px of rows in the full look
    press(qtbot, win, Qt.Key.Key_F11)
    settle(qtbot, 100)
    assert heat.compact and heat.plot.vb.height() >= 70
    assert "colours" not in heat.plot.titleLabel.text and "16 units × 10 steps" in heat.plot.titleLabel.text
    top = heat.plot.getAxis("top")
    assert not top.label.isVisible() and len(top._tickLevels[0]) == 10     # every character still on top
    bar = heat.colorbar.axis
    assert sorted(v for level in bar._tickLevels for v, _ in level) == [-1.0, 1.0]
    press(qtbot, win, Qt.Key.Key_F11)                  # back, and a larger window: everything again
    win.resize(1600, 1000)
    settle(qtbot, 100)
    assert not heat.compact and top.label.isVisible() and "colours −1…1" in heat.plot.titleLabel.text
    assert bar._tickLevels is None                      # pyqtgraph's own ticks again


def test_the_step_bar_takes_two_rows_when_its_column_is_narrow_and_one_again_when_wide(win, qtbot):
    """Beside a lesson and a side panel in F11 at 720p the step bar's one row (buttons, timeline, speed)
    needed 738 px and widened the window past the screen. A narrow column puts the timeline on a row of
    its own above the buttons; no two of its widgets overlap; wide again, one row."""
    bar = win.playback
    assert not bar.two_rows
    one_row = bar.minimumSizeHint().width()
    press(qtbot, win, Qt.Key.Key_F11)
    win.resize(900, 720)                 # (F11 put the input column away: the centre is the window's less a side)
    settle(qtbot, 100)
    assert bar.width() < bar._one_row_width() and bar.two_rows and win.width() == 900
    parts = [bar.timeline, bar.step_label, bar.start_button, bar.play_button, bar.end_button, bar.backward_button,
             bar.speed, win.focus_button]
    boxes = [p.geometry().translated(p.parentWidget().mapTo(bar, p.parentWidget().rect().topLeft())) for p in parts]
    assert all(bar.rect().contains(b) for b in boxes)
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert boxes[0].bottom() < boxes[2].top()            # the timeline above the buttons
    press(qtbot, win, Qt.Key.Key_F11)
    win.resize(1280, 720)
    settle(qtbot, 100)
    assert not bar.two_rows and bar.minimumSizeHint().width() <= one_row
