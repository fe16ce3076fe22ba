"""Views behind another tab don't redraw on every change (a training run pushes new weights twice a
second): they keep the latest call of each slot and redraw when the user shows them. Driven as a
user: train with the panel's buttons, then click the tab; and the helper itself (views/lazy.py)."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from rnnviz.app import export
from rnnviz.app.views.lazy import Lazy
from rnnviz.core import diagnostics as D

from .test_train_panel import click, same_params, train_window, wait_idle


def click_tab(qtbot, tabs, title):
    bar = tabs.tabBar()
    i = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    assert tabs.currentIndex() == i


def shown_a(state):
    """The top layer's hidden states of the trace on screen, as the heatmap draws them (n_a, T)."""
    tr = state.trace
    return tr.layer(tr.spec.layers - 1, 0).quantity("a")[:, :, 0].T


def train_a_while(qtbot, t, updates=40):
    click(qtbot, t["panel"].play_button)
    qtbot.waitUntil(lambda: t["controller"].updates >= updates, timeout=30000)
    click(qtbot, t["panel"].play_button)      # pause: the views get the last weights
    wait_idle(qtbot, t)


def test_hidden_tabs_show_the_trained_weights_when_the_user_opens_them(qtbot):
    w, t = train_window(qtbot)
    st, ctl = w.state, t["controller"]
    click_tab(qtbot, w.tabs, "Outputs ŷ⟨t⟩")      # the heatmaps and the influence map are hidden
    before = w.heatmap._values.copy()
    train_a_while(qtbot, t)
    assert same_params(st.trace.params, ctl.main.params)
    assert w.heatmap._lazy.pending and w.heatmap._lazy.deferred > 0    # it kept the calls instead of redrawing
    assert np.array_equal(w.heatmap._values, before)                   # (nobody saw it: not redrawn)
    click_tab(qtbot, w.tabs, "Heatmaps")
    assert not w.heatmap._lazy.pending
    assert np.allclose(w.heatmap._values, shown_a(st), equal_nan=True)
    assert not np.allclose(w.heatmap._values, before)                  # the trained weights, not the first ones
    assert w.heatmap.cursor_step() == st.t
    influence = next(v for v in w.figure_views() if type(v).__name__ == "InfluenceView")
    click_tab(qtbot, w.tabs, "Influence")
    want = D.influence_log10(st.trace, influence.layer, 0)
    assert np.allclose(influence.log_maps[0], want, equal_nan=True)


def test_a_step_taken_while_a_tab_is_hidden_shows_when_it_is_opened(qtbot):
    w, t = train_window(qtbot)
    st = w.state
    click_tab(qtbot, w.tabs, "Outputs ŷ⟨t⟩")
    w.graph.setFocus()
    for _ in range(3):
        qtbot.keyClick(w.graph, Qt.Key.Key_Right)
    t_now = st.t
    click_tab(qtbot, w.tabs, "Losses L⟨t⟩")
    assert w.losses.cursor_step() == t_now
    click_tab(qtbot, w.tabs, "Heatmaps")
    assert w.heatmap.cursor_step() == t_now


def test_an_export_of_a_hidden_tab_is_of_the_current_weights(qtbot, tmp_path):
    w, t = train_window(qtbot)
    click_tab(qtbot, w.tabs, "Outputs ŷ⟨t⟩")
    train_a_while(qtbot, t, 20)
    assert w.heatmap._lazy.pending
    img = export.render_image(w.heatmap)
    assert not img.isNull() and not w.heatmap._lazy.pending           # brought up to date first
    assert np.allclose(w.heatmap._values, shown_a(w.state), equal_nan=True)


class _Probe(QWidget):
    def __init__(self, signal_a, signal_b, signal_c):
        super().__init__()
        self.calls = []
        self.lazy = Lazy(self)
        self.lazy.connect(signal_a, lambda v: self.calls.append(("a", v)))
        self.lazy.connect(signal_b, lambda v: self.calls.append(("b", v)))
        self.lazy.connect(signal_c, lambda v: self.calls.append(("c", v)), restyle=True)


def _turns_until_all_called(probes) -> list[int]:
    """Run the event loop until every probe has a call; how many had one after each pass."""
    from PySide6.QtWidgets import QApplication

    done = []
    for _ in range(500):
        QApplication.processEvents()
        done.append(sum(bool(p.calls) for p in probes))
        if done[-1] == len(probes):
            break
        time.sleep(0.001)
    return done


def test_lazy_slots_run_at_once_on_screen_and_in_connection_order_when_shown(qtbot):
    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        a = Signal(int)
        b = Signal(int)
        c = Signal(int)

    src = Source()
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    probe, other = _Probe(src.a, src.b, src.c), QWidget()
    tabs.addTab(other, "other")
    tabs.addTab(probe, "probe")
    src.a.emit(1)                               # the window is not shown: every call runs (tests, exports)
    assert probe.calls == [("a", 1)]
    tabs.show()
    qtbot.waitExposed(tabs)
    probe.calls.clear()
    src.b.emit(2)                               # hidden behind "other": kept
    src.a.emit(3)
    src.b.emit(4)                               # only the latest call of a slot
    assert probe.calls == []
    src.c.emit(5)                               # a restyle: kept too, until the view is shown
    assert probe.calls == []
    src.b.emit(6)
    src.a.emit(7)
    tabs.setCurrentWidget(probe)                # shown: in the order the slots were connected
    assert probe.calls == [("a", 7), ("b", 6), ("c", 5)]
    src.a.emit(8)                               # on screen: at once
    assert probe.calls[-1] == ("a", 8)
    src.c.emit(9)                               # a restyle on screen: in a turn of its own, not in this one
    assert probe.calls[-1] == ("a", 8)
    qtbot.waitUntil(lambda: probe.calls[-1] == ("c", 9))


def test_while_a_window_trains_its_views_on_screen_redraw_one_per_event_loop_turn(qtbot):
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QHBoxLayout

    from rnnviz.app.views.lazy import set_staggered

    class Source(QObject):
        a = Signal(int)
        c = Signal(int)

    src = Source()
    box = QWidget()
    qtbot.addWidget(box)
    lay = QHBoxLayout(box)
    probes = [_Probe(src.a, src.a, src.c) for _ in range(3)]
    for p in probes:
        lay.addWidget(p)
    box.show()
    qtbot.waitExposed(box)
    set_staggered(box, True)
    src.a.emit(1)
    assert [p.calls for p in probes] == [[], [], []]          # none in the turn that delivered it
    done = _turns_until_all_called(probes)
    assert done[-1] == 3 and 1 in done and 2 in done           # one view after the other, each in order
    assert all(p.calls == [("a", 1), ("b", 1)] for p in probes)
    for p in probes:
        p.calls.clear()
    src.a.emit(2)
    src.c.emit(3)                                  # a restyle: a turn for each view, its kept calls first
    assert [p.calls for p in probes] == [[], [], []]
    done = _turns_until_all_called(probes)
    assert done[-1] == 3 and 1 in done and 2 in done
    assert all(p.calls == [("a", 2), ("b", 2), ("c", 3)] for p in probes)
    src.a.emit(4)
    set_staggered(box, False)                                  # training stops: everyone at once
    assert all(p.calls[-2:] == [("a", 4), ("b", 4)] for p in probes)
    src.a.emit(5)
    assert all(p.calls[-2:] == [("a", 5), ("b", 5)] for p in probes)        # and at once again afterwards


def test_training_staggers_the_views_and_stopping_brings_them_all_up_to_date(qtbot):
    from rnnviz.app.views.lazy import STAGGER_PROPERTY

    w, t = train_window(qtbot)
    st = w.state
    click(qtbot, t["panel"].play_button)
    qtbot.waitUntil(lambda: t["controller"].running, timeout=30000)
    assert w.property(STAGGER_PROPERTY)
    qtbot.waitUntil(lambda: t["controller"].updates >= 40, timeout=30000)
    click(qtbot, t["panel"].play_button)
    wait_idle(qtbot, t)
    assert not w.property(STAGGER_PROPERTY)
    assert not w.heatmap._lazy.pending and not w.equations._lazy.pending
    assert np.allclose(w.heatmap._values, shown_a(st), equal_nan=True)


def test_the_bptt_panel_tabbed_behind_the_equations_redraws_when_its_tab_is_clicked(qtbot):
    """Qt keeps a side panel tabbed behind another 'visible' with nothing of it on screen: stepping
    must not redraw it (2-3 ms of every step for a deep LSTM), and clicking its tab shows the step."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.app.views.bptt_panel import BPTTPanel
    from tests.app.projector import open_window, press, settle, tab_bars

    w = open_window(qtbot, 1280, 720)
    panel = w.findChild(BPTTPanel)
    bar = next(b for b in tab_bars(w)[1:] if "Backprop through time" in [b.tabText(i) for i in range(b.count())])
    assert bar.tabText(bar.currentIndex()) == "Equations"           # the equations in front, as the app opens
    before = panel.heading.text()
    press(qtbot, w, Qt.Key.Key_B)                                   # to the backward pass, then two steps back in it
    press(qtbot, w, Qt.Key.Key_Right)
    press(qtbot, w, Qt.Key.Key_Right)
    assert w.state.phase == "backward"
    assert panel._lazy.pending and panel.heading.text() == before   # nobody saw it: not redrawn
    i = next(i for i in range(bar.count()) if bar.tabText(i) == "Backprop through time")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    settle(qtbot)
    QApplication.processEvents()
    assert not panel._lazy.pending
    assert f"Backward pass at step {w.state.t + 1}" in panel.heading.text()


def test_while_training_a_follow_reaches_every_view_on_screen_one_turn_after_another(qtbot):
    """The views take a new trace one per event-loop turn while the window trains (views/lazy.py):
    the graph, the heatmap and the equations all end up showing the trained weights' trace, while it
    still trains (not only once it stops)."""
    w, t = train_window(qtbot)
    st, ctl = w.state, t["controller"]
    before = st.trace
    click(qtbot, t["panel"].play_button)
    qtbot.waitUntil(lambda: ctl.running and not same_params(st.trace.params, before.params), timeout=30000)
    pushed = st.trace
    lazies = [w.graph._lazy, w.heatmap._lazy, w.equations._lazy]
    qtbot.waitUntil(lambda: st.trace is not pushed or not any(z.pending for z in lazies), timeout=10000)
    tr = st.trace
    assert ctl.running
    assert w.graph.item.data.trace is tr                                  # the graph drew it
    assert np.allclose(w.heatmap._values, shown_a(st), equal_nan=True)      # the heatmap too
    assert w.equations._rendered[0] is tr                                 # and the equations
    assert not same_params(tr.params, before.params)                      # trained weights (a follow came in)
    click(qtbot, t["panel"].play_button)
    wait_idle(qtbot, t)


def test_f11_restyles_the_views_on_screen_one_a_turn_and_a_covered_tab_when_it_is_opened(qtbot):
    """F11 restyled every view, shown or not, in the key's own event-loop turn (0.3 s of the GUI thread
    in one piece; over the monkey's 1 s bound beside a worker loading the compiled kernels). Now the
    views on screen take a turn each, and a tab nobody sees restyles when the user opens it."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.app.views.lazy import _Turns
    from tests.app.drive import open_window, press

    w = open_window(qtbot, (1280, 720))
    heatmap = w.heatmap                                    # on screen (the Heatmaps tab)
    gradients = next(v for v in w.figure_views() if type(v).__name__ == "GradientView")   # a tab behind it
    tick = lambda v: v.plot.getAxis("bottom").style["tickFont"].pointSizeF()   # noqa: E731
    small_heat, small_grad = tick(heatmap), tick(gradients)
    press(qtbot, w, "F11")
    assert w.state.view_options.presentation
    assert tick(heatmap) == small_heat                          # not in the key's own turn
    for _ in range(2000):
        QApplication.processEvents()
        if tick(heatmap) > small_heat and not _Turns.queue:
            break
        time.sleep(0.001)
    assert tick(heatmap) > small_heat                           # in a turn of its own, soon after
    assert gradients._lazy.pending and tick(gradients) == small_grad              # covered: not yet
    click_tab(qtbot, w.tabs, "Gradients")
    assert not gradients._lazy.pending and tick(gradients) > small_grad
