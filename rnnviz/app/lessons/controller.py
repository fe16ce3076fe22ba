"""LessonController: runs a lesson on the window. Opening a page sets the app up as the page says,
through AppState and the window's own widgets (tabs, side panels); the page's text is filled in with
the live values of what is on screen and redrawn as they change; the page's condition is checked
against the state after every change.

Going Next applies the next page's own changes on top of what the user did (a ρ they dragged stays
unless the page sets it); Back, or a jump to a page, sets up everything from page 1 to that page, so
a page always looks the same when reached that way. Leaving a lesson keeps the state it set up.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from rnnviz.lessons.format import Lesson, page_weights, tab_key
from rnnviz.lessons.values import Context


class LessonController(QObject):
    lesson_changed = Signal(object)      # Lesson or None
    page_changed = Signal(int)           # 0-based page
    refreshed = Signal()                 # the live values (or the condition) may have changed
    done_changed = Signal(bool)          # the page's condition holds (always True for a Next page)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.state = window.state
        self.lesson: Lesson | None = None
        self.index = 0
        self.done = False
        self._cursor = None               # (t, phase) to put once the page's trace is in
        self._verdicts: dict = {}
        self.problem = ""                 # why the page's weights file was not used ("" : fine)
        s = self.state
        for sig in (s.trace_changed, s.step_changed, s.clip_changed, s.compare_changed, s.config_changed,
                    s.gains_changed):
            sig.connect(self._on_state_changed)
        s.busy_changed.connect(self._on_busy_changed)

    # ------------------------------------------------------------------ opening and moving
    @property
    def page(self):
        return self.lesson.pages[self.index] if self.lesson is not None else None

    def open(self, lesson: Lesson, page: int = 0) -> None:
        self.lesson = lesson
        self.lesson_changed.emit(lesson)
        self.go(page, cumulative=True)

    def close(self) -> None:
        """Leave the lesson; everything it set up stays as it is."""
        self.lesson = None
        self._cursor = None
        self.lesson_changed.emit(None)

    def next(self) -> None:
        if self.lesson is not None and self.index + 1 < len(self.lesson.pages):
            self.go(self.index + 1, cumulative=False)

    def back(self) -> None:
        if self.lesson is not None and self.index > 0:
            self.go(self.index - 1, cumulative=True)

    def go(self, k: int, cumulative: bool = True) -> None:
        if self.lesson is None:
            return
        k = min(max(int(k), 0), len(self.lesson.pages) - 1)
        self.index = k
        self._setup(k, cumulative)
        self.page_changed.emit(k)
        self._on_state_changed()

    # ------------------------------------------------------------------ setting the app up
    def _setup(self, k: int, cumulative: bool) -> None:
        st, lesson, page = self.state, self.lesson, self.lesson.pages[k]
        st.pause()
        config = lesson.config_at(k, start=st.config) if cumulative else replace(st.config, **page.config)
        if self._weights(k, page, config, cumulative):
            pass
        elif st.base_params is not None:
            st.set_base_params(None, config=config)     # a page without a weights file runs on seeded weights
        elif config != st.config:
            if replace(config, clip_mode=st.config.clip_mode, clip_threshold=st.config.clip_threshold) == st.config:
                st.set_clipping(config.clip_mode, config.clip_threshold)   # only the clipping: no recompute
            else:
                st.set_config(config)
        compare = lesson.compare_at(k) if cumulative else page.compare
        if compare is not ...:
            target = None if compare is None else replace(st.config, **compare)
            if target != st.compare_config:
                st.set_compare(target)
        self._cursor = self._cursor_of(page, cumulative, k)
        if not st.busy:
            self._put_cursor()
        w = self.window
        # reached by Back or a jump (a help text's or the verdict's link, --page): the tab and the side
        # panel the pages up to it chose, as by Next (a link to lesson 3's Jacobians page showed Heatmaps)
        tab_name = page.tab or (self._last(k, "tab") if cumulative else None)
        panel_name = page.panel or (self._last(k, "panel") if cumulative else None)
        if tab_name:
            tab = find_tab(w, tab_name)
            if tab is not None:
                w.tabs.setCurrentWidget(tab)
        if panel_name:
            dock = find_panel(w, panel_name)
            if dock is not None:
                dock.show()
                dock.raise_()
        if page.hover is not None:
            st.set_hover(page.hover - 1)
        train = lesson.train_at(k) if cumulative else page.train
        if train is not None:
            from rnnviz.app.lessons.training import apply_train, training_of
            ctl = training_of(w)
            if ctl is not None and not getattr(self, "_follows_training", False):
                self._follows_training = True
                ctl.changed.connect(self._on_state_changed)     # the training values and conditions
                ctl.running_changed.connect(self._on_state_changed)
            apply_train(w, train)

    def _last(self, k: int, key: str):
        """What the last page up to k chose for `key` (tab, panel), or None."""
        return next((getattr(p, key) for p in reversed(self.lesson.pages[:k + 1]) if getattr(p, key)), None)

    def _weights(self, k: int, page, config, cumulative: bool) -> bool:
        """The page's weights file put in, as File > Import weights does; False: the page runs on seeded
        weights (none chosen, or the file can't be used: self.problem says why, naming the file)."""
        st = self.state
        self.problem = ""
        if self.lesson.weights_at(k) is None:
            return False
        if not cumulative and page.weights is ... and st.base_params is not None:
            return False         # Next keeps the weights in (as the user may have rescaled them)
        try:
            params, config = page_weights(self.lesson, k, config)
            st.set_base_params(params, config.radius, config=config)
        except ValueError as e:          # LessonError too: the file changed or the user's text doesn't fit
            self.problem = str(e) + " The page runs on seeded weights instead."
            return False
        return True

    def _cursor_of(self, page, cumulative: bool, k: int):
        step, phase = page.step, page.phase
        if step is None and phase is None and cumulative:
            for p in reversed(self.lesson.pages[:k + 1]):   # the cursor where the last page that set it put it
                if p.step is not None or p.phase is not None:
                    step, phase = p.step, p.phase
                    break
        if step is None and phase is None:
            return None
        phase = phase or "forward"
        if step is None:
            step = 1 if phase == "forward" else "T"
        return step, phase

    def _put_cursor(self) -> None:
        if self._cursor is None or self.state.trace is None:
            return
        step, phase = self._cursor
        self._cursor = None
        T = self.state.T
        self.state.step_to((T if step == "T" else min(step, T)) - 1, phase)

    def _on_busy_changed(self, busy: bool) -> None:
        if not busy:
            self._put_cursor()
            self._on_state_changed()

    # ------------------------------------------------------------------ live values
    def context(self) -> Context:
        st = self.state
        tr = st.trace
        from rnnviz.app.lessons.training import train_values
        ctx = Context(tr, st.shown_config or st.config, st.t, st.phase, st.clip, st.compare_trace,
                      st.compare_config if st.compare_trace is not None else None, extra=train_values(self.window))
        for name, trace in (("verdict", tr), ("compare_verdict", st.compare_trace)):
            if trace is not None:
                key = (id(trace), trace.gains_ready)     # the reasons quote the gains, which come later
                if key not in self._verdicts:
                    from rnnviz.core.diagnostics import verdict
                    if len(self._verdicts) > 8:
                        self._verdicts.clear()
                    self._verdicts[key] = (trace, verdict(trace))   # the trace kept: its id stays unique
                ctx.__dict__[name] = self._verdicts[key][1]
        return ctx

    def _on_state_changed(self, *_args) -> None:
        if self.lesson is None:
            return
        page = self.page
        done = True if page.wait is None else (self.state.trace is not None and not self.state.busy
                                               and page.wait.holds(self.context()))
        if done != self.done:
            self.done = done
            self.done_changed.emit(done)
        self.refreshed.emit()


def find_tab(window, key: str):
    for i in range(window.tabs.count()):
        if tab_key(window.tabs.tabText(i)) == key:
            return window.tabs.widget(i)
    return None


def find_panel(window, key: str):
    from rnnviz.lessons.format import PANELS
    from PySide6.QtWidgets import QDockWidget
    title = PANELS.get(key, key)
    for dock in list(window._side_docks) + window.findChildren(QDockWidget):   # the side panels first
        if dock.windowTitle().startswith(title) and dock.windowTitle() != "Lesson":
            return dock
    return None
