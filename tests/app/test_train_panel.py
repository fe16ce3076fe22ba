"""The Train panel, driven through its buttons, spin boxes and sliders as a user does: train, pause,
resume, reset, scrub back through snapshots (every view then shows those weights), survive a
blow-up, sample, check gradients, tasks and compare mode, and a session that continues training."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSlider

from .drive import choose, open_window, type_number, type_sequence

TEXT = "hello world, hello rnn. hello world"


def train_window(qtbot, text=TEXT):
    w = open_window(qtbot)
    type_sequence(qtbot, w, text)
    w.training["dock"].raise_()
    return w, w.training


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_tab(qtbot, t, title):
    """Click the Training panel's tab of this title."""
    bar = t["tabs"].tabBar()
    i = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    assert t["tabs"].currentIndex() == i


def wait_idle(qtbot, ctl, timeout=20000):
    qtbot.waitUntil(lambda: not ctl["controller"].running, timeout=timeout)


def same_params(a, b):
    return set(a) == set(b) and all(np.array_equal(np.asarray(a[k]).reshape(np.shape(b[k])), b[k]) for k in a)


def test_train_pause_resume_reset_and_scrub_through_the_buttons(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    assert panel.optimizer.currentData() == "adagrad" and panel.lr.value() == 0.1     # min-char-rnn's recipe
    assert panel.window.value() == 25 and panel.clip_mode.currentData() == "value" and panel.clip.value() == 5
    type_number(qtbot, panel.snapshot_every, "10")
    click(qtbot, panel.play_button)
    assert panel.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: ctl.updates >= 30, timeout=20000)
    click(qtbot, panel.play_button)                                   # pause
    wait_idle(qtbot, t)
    done = ctl.updates
    assert panel.play_button.text() == "▶ Train" and "update" in panel.status.text()
    qtbot.wait(200)
    assert ctl.updates == done                                        # paused means paused
    assert same_params(st.trace.params, ctl.main.params)              # every view shows the trained weights
    assert st.trace.total_loss < 0.7 * ctl.mirrors[0].column("loss")[0]
    click(qtbot, panel.play_button)                                   # resume
    qtbot.waitUntil(lambda: ctl.updates > done + 10, timeout=20000)
    click(qtbot, panel.play_button)
    wait_idle(qtbot, t)
    snaps = ctl.main.snapshots
    assert [u for u, _ in snaps] == list(range(0, ctl.updates + 1, 10))[:len(snaps)] and len(snaps) >= 4
    # scrub back: the views show update 20's weights, the plots mark it
    panel.scrub.setFocus()
    panel.scrub.setValue(2)
    assert same_params(st.trace.params, snaps[2][1])
    assert "after update 20" in panel.scrub_label.text()
    assert all(line.isVisible() and line.value() == 20 for line in t["plots"].marker_lines)
    panel.scrub.triggerAction(QSlider.SliderAction.SliderToMaximum)   # back to the latest
    assert same_params(st.trace.params, ctl.main.params)
    # reset: new weights (the seed's, not the trained ones on screen), nothing trained, in every view
    trained_loss = st.trace.total_loss
    click(qtbot, panel.reset_button)
    assert ctl.updates == 0 and ctl.main.updates == 0 and "update 0" in panel.status.text()
    from rnnviz.core.params import init_model_params

    c = st.config
    seeded = init_model_params(ctl.main.spec, seed=c.seed, radius=c.radius, forget_bias=c.forget_bias)

    def close(a, b):            # (the radius the config carries is measured: equal to the last bits or so)
        return set(a) == set(b) and all(np.allclose(np.reshape(a[k], np.shape(b[k])), b[k], rtol=1e-9) for k in a)

    assert close(ctl.main.params, seeded)
    qtbot.waitUntil(lambda: close(st.trace.params, seeded), timeout=10000)
    assert st.trace.total_loss > 2 * trained_loss
    # +1 and +N
    click(qtbot, panel.step_button)
    wait_idle(qtbot, t)
    assert ctl.updates == 1
    type_number(qtbot, panel.steps, "25")
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    assert ctl.updates == 26 and len(t["plots"]._per_run) == 1


def test_a_blow_up_is_a_message_and_the_last_finite_weights_stay(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    w.input_dock.raise_()                                             # the Model panel, beside Train
    choose(qtbot, w.model_panel.activation, "relu")
    type_number(qtbot, w.model_panel.hidden, "64")
    t["dock"].raise_()
    choose(qtbot, panel.optimizer, "sgd")
    type_number(qtbot, panel.lr, "1")
    choose(qtbot, panel.clip_mode, "none")
    click(qtbot, panel.reset_button)
    click(qtbot, panel.play_button)
    wait_idle(qtbot, t, 60000)
    assert "diverged" in panel.message.text() and "last finite weights" in panel.message.text()
    assert all(np.isfinite(v).all() for v in ctl.main.params.values())
    # weights that blew up to 1e13 are finite but beyond what the views compute with: they say so
    # and keep the last weights they could show
    assert same_params(st.trace.params, ctl.main.params) or "can't show these weights" in panel.message.text()
    assert all(np.isfinite(v).all() for v in st.trace.params.values())
    click(qtbot, panel.play_button)                                   # it won't go on from there
    assert not ctl.running and "Reset" in panel.message.text()


def test_sampling_is_reproducible_and_opens_in_the_views(qtbot):
    w, t = train_window(qtbot)
    panel, sampler, st = t["panel"], t["sample"], w.state
    type_number(qtbot, panel.steps, "150")
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    open_tab(qtbot, t, "Sample")
    qtbot.keyClicks(sampler.seed_text, "hel")
    type_number(qtbot, sampler.length, "40")
    type_number(qtbot, sampler.rng_seed, "7")
    click(qtbot, sampler.generate)
    first = sampler.output.toPlainText()
    assert first.startswith("hel") and len(first) == 43
    click(qtbot, sampler.generate)
    assert sampler.output.toPlainText() == first                       # the same seed, the same text
    sampler.temperature.setValue(40)
    assert "2.00" in sampler.t_value.text() and "wild" in sampler.t_words.text()
    qtbot.mouseClick(sampler.argmax, Qt.MouseButton.LeftButton)
    assert not sampler.temperature.isEnabled()
    click(qtbot, sampler.generate)
    assert len(sampler.bar_item.opts["height"]) > 0 and abs(sum(sampler.result.probs[0]) - 1) < 1e-9
    assert "Character 1" in sampler.bars_title.text()
    text = sampler.output.toPlainText()
    params = st.trace.params
    click(qtbot, sampler.open_button)
    assert st.config.source == text and st.trace.T == len(text) - 1
    assert same_params(st.trace.params, params)


def test_gradient_check_panel_says_every_gradient_is_right(qtbot):
    w, t = train_window(qtbot)
    check = t["check"]
    open_tab(qtbot, t, "Check")
    click(qtbot, check.check_button)
    qtbot.waitUntil(lambda: check.table.rowCount() == 5, timeout=20000)
    assert [check.table.item(i, 4).text() for i in range(5)] == ["good"] * 5
    assert "right" in check.status.text()
    assert float(check.table.item(0, 3).text()) < 1e-7


def test_adding_task_and_compare_mode(qtbot):
    w, t = train_window(qtbot)
    panel, ctl, st = t["panel"], t["controller"], w.state
    before = st.trace.params
    choose(qtbot, panel.task, "adding")
    assert panel.optimizer.currentData() == "adam" and panel.clip_mode.currentData() == "norm"
    type_number(qtbot, panel.length, "20")
    type_number(qtbot, panel.batch, "8")
    choose(qtbot, panel.compare, "lstm")
    assert len(ctl.trainers) == 2 and ctl.trainers[1].spec.cell == "lstm"
    type_number(qtbot, panel.steps, "20")
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    assert [tr.updates for tr in ctl.trainers] == [20, 20]
    assert len(t["plots"]._per_run) == 2
    labels = [label.text for _sample, label in t["plots"].legend.items]
    assert labels[:2] == [tr.spec.title() for tr in ctl.trainers] and labels[-1] == "blind guess 0.167"
    assert "keep the typed sequence" in panel.status.text()
    assert same_params(st.trace.params, before)                        # the views keep their sequence
    assert abs(ctl.main.task.baseline - 1 / 6) < 1e-12


def test_state_session_round_trip_continues_training_identically(qtbot, tmp_path):
    """A state test of the session: save after 20 updates, open in a new window, 20 more; equals 40 straight."""
    from rnnviz.app.file_actions import apply_session, session_of
    from rnnviz.io.session import load_session, save_session

    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    type_number(qtbot, panel.steps, "20")
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    save_session(tmp_path / "s.rnnviz", session_of(w.state))
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    straight = {k: v.copy() for k, v in ctl.main.params.items()}
    loss = ctl.mirrors[0].column("loss").copy()

    w2, t2 = train_window(qtbot, "something else entirely")
    apply_session(w2.state, load_session(tmp_path / "s.rnnviz"))
    ctl2 = t2["controller"]
    assert ctl2.updates == 20 and ctl2.main.optimizer.t == 20
    assert t2["panel"].status.text().startswith("update 20")
    type_number(qtbot, t2["panel"].steps, "20")
    click(qtbot, t2["panel"].steps_button)
    wait_idle(qtbot, t2)
    assert ctl2.updates == 40
    np.testing.assert_array_equal(ctl2.mirrors[0].column("loss"), loss)
    assert same_params(ctl2.main.params, straight)


def test_the_run_buttons_stay_in_reach_and_the_curves_fit_a_720p_column(qtbot):
    from .projector import open_window as open_projected

    w = open_projected(qtbot, 1280, 720)
    t, panel, plots = w.training, w.training["panel"], w.training["plots"]
    t["dock"].raise_()
    open_tab(qtbot, t, "Curves")
    type_number(qtbot, panel.steps, "30")
    click(qtbot, panel.steps_button)                                  # +N, with the curves in view
    wait_idle(qtbot, t)
    qtbot.wait(50)
    assert panel.steps_button.isVisible() and panel.play_button.isVisible() and plots.isVisible()
    assert panel.status.height() >= panel.status.heightForWidth(panel.status.width())   # every line shown
    assert "update 30" in panel.status.text()
    width = plots.canvas.viewport().width()
    assert width < 520                                                 # a narrow column: the title wraps
    for item in [plots.title_label, plots.legend, *plots.plots.values()]:
        r = plots.canvas.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert r.left() >= 0 and r.right() <= width + 1, (item, r, width)
    assert "<br>" in plots.title_label.text and len(plots.legend.items) == 4


def test_a_clipping_threshold_typed_as_zero_stays_one_a_session_can_restore(qtbot):
    """The threshold box showed 3 decimals of a minimum of 1e-4, which Qt rounded to 0.000: a typed 0
    (or Home) clipped at 0, the autosave kept it and the next start refused the session (the monkey,
    seed 12)."""
    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    type_number(qtbot, panel.clip, "0")
    assert panel.clip.value() > 0 and ctl.settings.clip_threshold > 0
    panel.clip.setFocus()
    qtbot.keyClick(panel.clip, Qt.Key.Key_Home)               # down to the box's least value
    qtbot.keyClick(panel.clip, Qt.Key.Key_Return)
    assert panel.clip.value() == ctl.settings.clip_threshold > 0
    ctl.settings.check()                                      # what the session saves, it restores


def test_the_clipping_threshold_is_written_without_trailing_zeros(qtbot):
    """'5.0000' said four digits of nothing on a projector: the box shows 5, 0.25, 0.0001, and what is
    typed is still kept to 4 decimals (the BPTT panel's box too)."""
    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    assert panel.clip.text() == "5"
    for typed, shown, value in (("0.25", "0.25", 0.25), ("0.0001", "0.0001", 1e-4), ("12", "12", 12.0),
                                ("1.5", "1.5", 1.5)):
        type_number(qtbot, panel.clip, typed)
        assert panel.clip.text() == shown
        assert ctl.settings.clip_threshold == value
    from rnnviz.app.panels.bptt_controls import BPTTControls
    bptt = w.findChild(BPTTControls)                                  # the BPTT panel's box is the same kind
    assert bptt.threshold.value() == 5.0 and bptt.threshold.text() == "5"


def test_while_training_the_views_get_the_weights_without_an_eigendecomposition_on_the_gui_thread(qtbot,
                                                                                                  monkeypatch):
    """Every push of the weights to the views (twice a second) worked out their spectral radius on the
    GUI thread: seconds for a 2048-unit GRU, every half second (the monkey, seed 22). The worker now
    works it out with its report. (The trace of this small model is computed on the GUI thread, as
    small ones are: that is not the push's.)"""
    import threading
    import traceback

    import rnnviz.core.params as P

    pushes_on_gui, workers = [], []
    real = P.spectral_radius

    def spy(W):
        if threading.current_thread() is not threading.main_thread():
            workers.append(1)
        else:
            names = {f.name for f in traceback.extract_stack()}
            if "_on_partial" in names and "config_for_weights" in names:
                pushes_on_gui.append(1)
        return real(W)

    monkeypatch.setattr(P, "spectral_radius", spy)
    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    pushed = []
    w.state.trace_changed.connect(lambda tr: ctl.running and pushed.append(tr))
    click(qtbot, panel.play_button)
    qtbot.waitUntil(lambda: len(pushed) >= 2, timeout=30000)     # the views followed the training twice
    click(qtbot, panel.play_button)
    wait_idle(qtbot, t)
    assert workers and not pushes_on_gui


def test_reset_weights_on_numbers_near_the_largest_float_warns_nothing(qtbot):
    """The numbers task's baseline is the targets' variance: of 0 1e308 -1e308 1 it overflowed, and
    "Reset weights" printed NumPy's overflow warnings to the terminal (the monkey, seed 20). There is
    then no baseline; nothing is printed."""
    import warnings

    w, t = train_window(qtbot, "0 1e308 -1e308 1 0 1e308")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        click(qtbot, t["panel"].reset_button)
        qtbot.wait(100)
    assert not [c for c in caught if issubclass(c.category, RuntimeWarning)], [str(c.message) for c in caught]
    assert np.isnan(t["controller"].main.task.baseline)


def test_the_panel_says_it_prepares_the_compiled_loops_before_the_first_update(qtbot, monkeypatch):
    """▶ Train on a machine that has not compiled the kernels yet: seconds before the first update,
    which the panel and the status line explain instead of showing "update 0 · 0 updates/s"."""
    import threading

    from rnnviz.core import kernels

    loaded = threading.Event()
    monkeypatch.setattr(kernels, "ready", lambda: None)
    monkeypatch.setattr(kernels, "disabled", lambda: False)
    monkeypatch.setattr(kernels, "load", lambda: loaded.wait(20) and None)    # (then NumPy's loops)
    w, t = train_window(qtbot)
    click(qtbot, t["panel"].play_button)
    qtbot.waitUntil(lambda: t["controller"].running, timeout=10000)
    qtbot.wait(100)
    assert "preparing the compiled training loops" in t["panel"].status.text()
    assert t["controller"].updates == 0
    loaded.set()
    qtbot.waitUntil(lambda: t["controller"].updates > 0, timeout=20000)
    qtbot.waitUntil(lambda: "updates/s" in t["panel"].status.text(), timeout=5000)
    assert "preparing" not in t["panel"].status.text()
    click(qtbot, t["panel"].play_button)
    wait_idle(qtbot, t)


def test_the_status_lines_count_the_updates_without_laying_the_window_out_each_frame(qtbot):
    """The panel's status line and the status bar's counter change at every frame while training; a
    label that asks its layout for room at each change laid the whole window out again (1-15 ms a
    frame, the longest event-loop gaps while training). They repaint only, and every line still shows."""
    from PySide6.QtCore import QEvent

    from .drive import count_events

    w, t = train_window(qtbot, TEXT * 8)
    panel, ctl = t["panel"], t["controller"]
    bar_label = next(lab for lab in w.statusBar().findChildren(type(panel.message)) if lab.objectName() == "trainStatus")
    layouts = count_events(panel.run_box, QEvent.Type.LayoutRequest)
    click(qtbot, panel.play_button)
    qtbot.waitUntil(lambda: ctl.updates > 0 and "updates/s" in panel.status.text(), timeout=20000)
    qtbot.wait(100)
    layouts.n, texts, counters = 0, set(), set()

    def seen():
        texts.add(panel.status.text())
        counters.add(bar_label.text())
        return len(texts) >= 8 and len(counters) >= 8

    try:
        qtbot.waitUntil(seen, timeout=30000)
    finally:
        click(qtbot, panel.play_button)
        wait_idle(qtbot, t)
    assert layouts.n <= 2, f"{layouts.n} layouts of the Run box for {len(texts)} status lines"
    assert panel.status.height() >= panel.status.heightForWidth(panel.status.width())     # every line shown
    shown = bar_label.text()
    assert shown.startswith("trained ") and bar_label.fontMetrics().horizontalAdvance(shown) <= bar_label.contentsRect().width()


def test_a_frame_holds_the_worker_until_the_plots_have_painted_not_the_status_line(qtbot):
    """While the Curves are on screen the worker waits until the plots' own paint is done (a repaint
    of the status line alone came first and let it go: the plots then painted beside it, 2-3x slower);
    with the Curves covered, the window's next paint lets it go, as before."""
    w, t = train_window(qtbot)
    ctl, panel, plots = t["controller"], t["panel"], t["plots"]
    open_tab(qtbot, t, "Curves")
    qtbot.wait(50)
    ctl._hold_frame()
    assert not ctl.go.is_set()
    panel.status.setText("a new status line")         # (repaints the status line only)
    qtbot.wait(30)
    assert not ctl.go.is_set()
    plots.canvas.viewport().update()
    qtbot.waitUntil(ctl.go.is_set, timeout=1000)
    open_tab(qtbot, t, "Train")                        # the Curves covered: any paint of the window will do
    qtbot.wait(50)
    ctl._hold_frame()
    assert not ctl.go.is_set()
    panel.status.setText("another status line")
    qtbot.waitUntil(ctl.go.is_set, timeout=1000)


def test_the_status_line_fits_its_text_and_keeps_its_room_only_while_a_run_changes_it(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from rnnviz.app.panels.widgets import LiveText

    box = QWidget()
    qtbot.addWidget(box)
    line = LiveText("short")
    lay = QVBoxLayout(box)
    lay.addWidget(line)
    lay.addStretch(1)
    box.resize(220, 300)
    box.show()
    qtbot.waitExposed(box)
    one = line.fontMetrics().lineSpacing()
    long = "update 12,345 · 678 updates/s · loss 3.141 (smoothed 3.2; a blind guess 4.7) " * 2

    def settled_height():
        qtbot.wait(20)
        return line.height()

    assert settled_height() < 2 * one
    line.setText(long)
    assert settled_height() >= 3 * one                      # every line of a long text shows
    line.setText("short")
    assert settled_height() < 2 * one                      # idle: it fits again
    line.set_keep_room(True)                                # a run: the room only grows
    line.setText(long)
    tall = settled_height()
    line.setText("short")
    assert settled_height() == tall
    line.set_keep_room(False)                               # the run stopped: it fits its text
    assert settled_height() < 2 * one


def test_training_a_bidirectional_model_on_the_text_says_it_reads_its_targets(qtbot):
    """Its loss falls to about 0 at once (the backward direction has read the next character): the
    panel says why before anyone reads the curve as learning. A one-direction model: no such word."""
    w, t = train_window(qtbot)
    click(qtbot, t["panel"].step_button)                              # +1, one direction
    wait_idle(qtbot, t)
    assert "reads each step's target" not in t["panel"].message.text()
    w, t = train_window(qtbot)                                        # a new window: tick it before training
    w.input_dock.raise_()
    click(qtbot, w.model_panel.bidirectional)
    qtbot.waitUntil(lambda: w.state.trace is not None and w.state.trace.spec.bidirectional, timeout=10000)
    t["dock"].raise_()
    click(qtbot, t["panel"].step_button)
    wait_idle(qtbot, t)
    assert "reads each step's target" in t["panel"].message.text() and t["panel"].message.isVisible()


def test_the_learning_rate_slider_moves_below_1e_3_and_the_box_keeps_its_value(qtbot):
    """The box had 4 decimals: the slider's 1.26e-4 became 0.0001 and the slider, set back from the box,
    jumped back to 1e-4 (PageUp could not leave it); 3.16e-3 trained as 0.0032."""
    from PySide6.QtCore import Qt

    w, t = train_window(qtbot)
    panel, ctl = t["panel"], t["controller"]
    type_number(qtbot, panel.lr, "0.0001")
    assert panel.lr_slider.value() == 0
    panel.lr_slider.setFocus()
    qtbot.keyClick(panel.lr_slider, Qt.Key.Key_PageUp)
    assert panel.lr_slider.value() == 10 and ctl.settings.lr == 0.000126 and panel.lr.text() == "0.000126"
    qtbot.keyClick(panel.lr_slider, Qt.Key.Key_PageUp)
    assert panel.lr_slider.value() == 20 and ctl.settings.lr == 0.000158
    type_number(qtbot, panel.lr, "0.00025")
    assert ctl.settings.lr == 0.00025 and panel.lr_slider.value() == 40
    qtbot.keyClick(panel.lr, Qt.Key.Key_Up)                  # the box's arrow: one step of the slider's scale
    assert panel.lr_slider.value() == 50 and ctl.settings.lr == 0.000316
    panel.lr_slider.setValue(150)                            # (a drag)
    assert ctl.settings.lr == 0.00316 and panel.lr_slider.value() == 150
    type_number(qtbot, panel.lr, "1")
    qtbot.keyClick(panel.lr, Qt.Key.Key_Up)
    assert ctl.settings.lr == 1.0


def test_sampling_beside_a_task_the_views_dont_show_says_whose_network_writes(qtbot):
    """Trained on the adding problem, Generate wrote the typed text's (untrained) network's characters
    without a word: a first-time user read them as the trained network's."""
    w, t = train_window(qtbot)
    panel, sampler = t["panel"], t["sample"]
    choose(qtbot, panel.task, "adding")
    type_number(qtbot, panel.steps, "3")
    click(qtbot, panel.steps_button)
    wait_idle(qtbot, t)
    open_tab(qtbot, t, "Sample")
    click(qtbot, sampler.generate)
    assert sampler.output.toPlainText()
    assert "adding problem's trained network doesn't write characters" in sampler.message.text()
    open_tab(qtbot, t, "Train")
    choose(qtbot, panel.task, "text")                 # a text run: its own network writes, no note
    click(qtbot, panel.step_button)
    wait_idle(qtbot, t)
    open_tab(qtbot, t, "Sample")
    click(qtbot, sampler.generate)
    assert sampler.message.text() == ""
