"""Views that nobody sees don't redraw: a view's slots for the window's state signals, run lazily.

    self._lazy = Lazy(self)
    self._lazy.connect(state.trace_changed, self._on_trace_changed)
    self._lazy.connect(state.step_changed, self._on_step_changed)
    self._lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)

While the view is on screen, or its window is not shown at all (tests, exports, the command line), a
slot runs at once, as a plain connection would. While another tab or panel covers it in a shown
window (a training run pushes new weights twice a second; only the visible views need to redraw;
a side panel tabbed behind another counts as covered: Qt keeps it "visible" with nothing on screen),
only the latest call of each slot is kept; when the view is shown again they run, in the order the
slots were connected (the trace before the selection before the step: each reads the state as it is
then), before it paints. A `restyle` slot (F11, the theme) in a shown window runs in a turn
of its own for each view on screen (the queue below, whether or not the window trains), after that
view's pending calls, and is kept like the others for a covered view: F11 restyled every view, shown
or not, in the key's own event-loop turn, 0.28-0.30 s of the GUI thread in one piece, 0.7-0.9 s
beside a worker loading the compiled kernels (the monkey's 1 s bound); one view a turn, 0.10-0.15 s
(benchmarks/bench_f11.py, 'the event loop held at most'). Where the window is not shown, it runs at once.
`bring_up_to_date(widget)` runs the pending calls of a widget and its children now (an export of a
hidden tab).

While a window trains (`set_staggered(window, True)`: its views follow the weights twice a second),
the views on screen don't all redraw in the one event-loop turn that delivers a trace: each view's
calls are kept and run in a turn of their own, one view a turn, TURN_GAP_MS after the last one ended,
so that each view paints, and the window answers (input, its timers), before the next one starts (the
views' updates and their paints together took 40-55 ms of one turn, against a 50 ms goal for the
longest pause while training; back to back, one view's update, its paint and the next view's update
still ran without a pause between them, 35-45 ms).
"""
from __future__ import annotations

import warnings
import weakref
from collections import deque

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

STAGGER_PROPERTY = "rnnviz_staggered_views"
TURN_GAP_MS = 8       # between two views' turns: the first one's paint, then the window's own events


def set_staggered(window: QWidget, on: bool) -> None:
    """Whether the views of `window` on screen take their updates one view per event-loop turn;
    turned off, every view kept waiting runs at once."""
    window.setProperty(STAGGER_PROPERTY, bool(on))
    if not on:
        _Turns.flush_window(window)


class _Turns:
    """The views waiting for a turn of their own (weak references, first come first served)."""
    queue: deque = deque()
    timer: QTimer | None = None

    @classmethod
    def add(cls, lazy: "Lazy") -> None:
        ref = weakref.ref(lazy)
        if any(r() is lazy for r in cls.queue):
            return
        cls.queue.append(ref)
        if cls.timer is None:
            cls.timer = QTimer()
            cls.timer.setSingleShot(True)       # (restarted once a turn has ended: a gap after each)
            cls.timer.setInterval(0)
            cls.timer.timeout.connect(cls._next)
        if not cls.timer.isActive():
            cls.timer.start(0)

    @classmethod
    def _next(cls) -> None:
        while cls.queue:
            lazy = cls.queue.popleft()()
            if lazy is not None and lazy.pending:
                try:
                    lazy.flush()
                except RuntimeError:          # the view was deleted meanwhile
                    pass
                break
        if cls.queue and cls.timer is not None:
            cls.timer.start(TURN_GAP_MS)

    @classmethod
    def flush_window(cls, window: QWidget) -> None:
        for ref in list(cls.queue):
            lazy = ref()
            try:
                if lazy is not None and lazy.view.window() is window:
                    cls.queue.remove(ref)
                    lazy.flush()
            except RuntimeError:
                pass


class Lazy(QObject):
    def __init__(self, view: QWidget):
        super().__init__(view)
        self.view = view
        self._slots: list = []
        self._restyle: list[bool] = []
        self._pending: dict[int, tuple] = {}
        self.deferred = 0                        # calls kept instead of run (tests and benchmarks read it)
        view.installEventFilter(self)
        # the connections are functions (a QObject per connection as receiver crashed PySide in paints):
        # they are dropped when the view is deleted, so that no call reaches a deleted view
        connections = self._connections = []

        def drop(*_):
            with warnings.catch_warnings():    # a sender deleted first (the dock at exit): nothing to drop
                warnings.simplefilter("ignore", RuntimeWarning)
                for signal, fn in connections:
                    try:
                        signal.disconnect(fn)
                    except (RuntimeError, TypeError):
                        pass
            connections.clear()

        view.destroyed.connect(drop)

    def connect(self, signal, slot, restyle: bool = False) -> None:
        index = len(self._slots)
        self._slots.append(slot)
        self._restyle.append(restyle)

        me = weakref.ref(self)            # (the state's signal must not keep the view alive)

        def fire(*args):
            lazy = me()
            if lazy is not None:
                lazy._call(index, args)

        signal.connect(fire)
        self._connections.append((signal, fire))

    def on_screen(self) -> bool:
        v = self.view
        if not v.window().isVisible():
            return True
        return v.isVisible() and not self._behind_a_tab()

    def _behind_a_tab(self) -> bool:
        """Whether the view's dock is tabbed behind another panel's (Qt keeps such a dock 'visible',
        with nothing of it on screen): its calls are kept until its tab is chosen."""
        dock = self.__dict__.get("_dock")
        if dock is None:
            dock = self.view.parentWidget()
            while dock is not None and not isinstance(dock, QDockWidget):
                dock = dock.parentWidget()
            if dock is None:
                return False
            self._dock = dock
            me = weakref.ref(self)

            def chosen(shown: bool) -> None:
                lazy = me()
                if shown and lazy is not None:
                    lazy.flush()

            dock.visibilityChanged.connect(chosen)
            self._connections.append((dock.visibilityChanged, chosen))
        return not dock.isFloating() and dock.visibleRegion().isEmpty()

    def _staggered(self) -> bool:
        """Whether a view on screen waits for a turn of its own: its window is shown and trains."""
        win = self.view.window()
        return win.isVisible() and bool(win.property(STAGGER_PROPERTY))

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def _call(self, index: int, args: tuple) -> None:
        try:
            shown = self.on_screen()
            if self._restyle[index]:
                # F11, the theme: in a shown window each view on screen in a turn of its own, a covered
                # one when it is shown; where the window is not shown (tests, exports) at once
                later = shown and self.view.window().isVisible()
            else:
                later = shown and self._staggered()
            now = shown and not later
        except RuntimeError:                  # the view is being deleted
            return
        if now:
            self.flush()
            self._slots[index](*args)
        else:
            self._pending[index] = args
            self.deferred += 1
            if later:
                _Turns.add(self)

    def flush(self) -> None:
        """Run the kept calls now, in the order the slots were connected."""
        while self._pending:
            index = min(self._pending)
            args = self._pending.pop(index)
            self._slots[index](*args)

    def eventFilter(self, obj, event) -> bool:
        # (the view's own attributes are read only for a Show: while Python deletes a view, Qt may
        # still send its last events through a wrapper of this filter made again, without them)
        if event.type() == QEvent.Type.Show and obj is self.__dict__.get("view") and self.__dict__.get("_pending"):
            self.flush()
        return False


def bring_up_to_date(widget: QWidget) -> None:
    """Run the kept calls of `widget` and of the views inside it (before it is rendered or read)."""
    for lazy in [*widget.findChildren(Lazy)]:
        lazy.flush()


def same_drawing(drawn: tuple | None, trace, selection) -> bool:
    """Whether `drawn` = (trace, selection) a view drew last is this trace (the same object) and
    selection: AppState announces the selection after every new trace, and it is mostly unchanged."""
    return drawn is not None and drawn[0] is trace and drawn[1] == selection
