"""What the GUI thread did inside each long event-loop gap (bench_train_window --frames).

    app = TimedApplication([])          # instead of QApplication: times every event it delivers
    log = app.frame_log
    ... run ...
    print(log.report(gaps, threshold=0.04))

TimedApplication.notify times each event delivered on the GUI thread: its receiver's class (and the
widget it sits in, for a viewport), its type, start and end, and how deep it was nested (a paint event
inside the window's UpdateRequest, a queued signal inside the loop). For each gap over `threshold`
the report lists the outermost events in it, with the longest nested ones beneath them: which view
painted, which slot ran, and how long each took. The cyclic collector's runs are logged as events too.
A few microseconds per event: for finding causes, not for the figures of record.
"""
from __future__ import annotations

import gc
import time

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget


def _name(obj) -> str:
    cls = type(obj).__name__
    if isinstance(obj, QWidget):
        p = obj.parentWidget()
        if cls in ("QWidget", "QOpenGLWidget") and p is not None:      # a viewport: name its view
            cls = f"{type(p).__name__}.viewport"
        owner = p
        while owner is not None and type(owner).__module__.startswith(("PySide6", "pyqtgraph")):
            owner = owner.parentWidget()
        if owner is not None and owner is not p:
            cls += f" in {type(owner).__name__}"
    return cls


class FrameLog:
    def __init__(self):
        self.events: list[tuple[float, float, int, str]] = []     # (start, end, depth, what)
        self.depth = 0
        self.on = False
        self._gc = None

    def start(self) -> None:
        self.events.clear()
        self.on = True
        gc.callbacks.append(self._collected)

    def stop(self) -> None:
        self.on = False
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)

    def _collected(self, phase, info) -> None:
        if phase == "start":
            self._gc = time.perf_counter()
        elif self._gc is not None:
            self.events.append((self._gc, time.perf_counter(), self.depth, f"gc generation {info['generation']}"))
            self._gc = None

    def wrap(self, owner, name: str, label: str | None = None, detail=None) -> None:
        """Log each call of owner.name (a class's method or a module's function) as an event;
        detail(*args): more words for the label (the view a Lazy flush is for)."""
        fn = getattr(owner, name)
        label = label or f"{getattr(owner, '__name__', owner)}.{name}"
        log = self

        def timed(*a, **k):
            if not log.on:
                return fn(*a, **k)
            t = time.perf_counter()
            log.depth += 1
            try:
                return fn(*a, **k)
            finally:
                log.depth -= 1
                extra = ""
                if detail is not None:
                    try:
                        extra = " " + detail(*a)
                    except Exception:        # (a view being deleted)
                        extra = ""
                log.events.append((t, time.perf_counter(), log.depth + 1, label + "()" + extra))

        setattr(owner, name, timed)

    def report(self, gaps, threshold: float = 0.04, top: int = 8) -> str:
        """gaps: a GapSampler whose `ends` hold each gap's end (perf_counter)."""
        out = []
        long = [(e - g, e, g) for g, e in zip(gaps.gaps, gaps.ends) if g > threshold]
        for t0, t1, g in sorted(long, key=lambda x: -x[2])[:top]:
            out.append(f"    gap of {1e3 * g:.0f} ms:")
            inside = sorted(ev for ev in self.events if ev[1] > t0 and ev[0] < t1)
            outer = min((ev[2] for ev in inside), default=0)
            for s, e, d, what in inside:
                if d == outer or e - s > 0.002:
                    out.append(f"      {'  ' * (d - outer)}{1e3 * (s - t0):6.1f} +{1e3 * (e - s):5.1f} ms  {what}")
        return "\n".join(out)


def _wrap_app(log: FrameLog) -> None:
    """The app's slots that a long gap is most often made of."""
    from rnnviz.app import gui_gc, state, training_controller
    from rnnviz.app.panels import train_panel
    from rnnviz.app.views import lazy, train_plots

    ctl = training_controller.TrainController
    for owner, name in ((ctl, "_on_partial"), (ctl, "_push"), (ctl, "_trace_arrived"), (ctl, "_release"),
                        (ctl, "_painted"), (gui_gc.GuiCollector, "check"), (lazy._Turns, "_next"),
                        (train_plots.TrainPlotsView, "set_series"), (train_plots.TrainPlotsView, "_show"),
                        (train_panel.TrainPanel, "_sync"), (train_panel.TrainPanel, "_sync_scrub"),
                        (train_panel.TrainPanel, "status_text"),
                        (state.AppState, "set_base_params"), (state.AppState, "_accept")):
        if hasattr(owner, name):
            log.wrap(owner, name, f"{owner.__name__}.{name}")
    log.wrap(lazy.Lazy, "flush", "Lazy.flush", lambda self: type(self.view).__name__)


FrameLog.wrap_app = lambda self: _wrap_app(self)


class TimedApplication(QApplication):
    def __init__(self, argv):
        super().__init__(argv)
        self.frame_log = FrameLog()
        self.frame_log.wrap_app()

    def notify(self, obj, event):
        log = self.frame_log
        if not log.on:
            return super().notify(obj, event)
        t = time.perf_counter()
        log.depth += 1
        try:
            return super().notify(obj, event)
        finally:
            log.depth -= 1
            e = time.perf_counter()
            if e - t > 0.0005:
                try:
                    what = f"{QEvent.Type(event.type()).name} → {_name(obj)}"
                except Exception:          # (an event type Qt doesn't name)
                    what = f"event {int(event.type())} → {_name(obj)}"
                log.events.append((t, e, log.depth, what))
