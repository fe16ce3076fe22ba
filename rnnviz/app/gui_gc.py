"""Python's cyclic garbage collector runs on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a generation fills:
often a worker (a trace, a training run). A cycle it collects there may hold Qt objects the GUI
thread made (a closed dialog, a view rebuilt, pyqtgraph items): their C++ destructors then run in
the worker, and a timer such an object had started stays registered with the GUI thread's event
dispatcher after its object is gone. The next tick of that timer segfaulted in
QCoreApplication::notifyInternal2 (found by the monkey, tests/app/monkey.py). As pyqtgraph advises
(pyqtgraph.util.garbage_collector), automatic collection is turned off and a GUI timer collects
instead, generation by generation as their thresholds fill, as often as the collector would.

The timer ticks often (INTERVAL_MS): a training worker allocates some 10^5 containers a second, and a
collection of the youngest generation after half a second of that took 15-44 ms of the GUI thread's
time at once. A full collection waits, as CPython's own rule has it, until a quarter more objects
have come into the oldest generation since the last one (one took 54 ms).

Nothing is frozen after start-up. Freezing later (when the compiled kernels have loaded, say, with
their ~8 x 10^4 objects) also freezes what dies later, a closed window or a view's rebuilt items:
their cycles then wait for the interpreter's finalization, after Qt is gone; that is the likely
cause of a crash on exit seen once (the monkey, exit -11) while the kernels' objects were frozen.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 50


class GuiCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(INTERVAL_MS)
        self.collections = 0            # (tests read it)
        self._long_lived = len(gc.get_objects(2))    # the oldest generation after the last full collection

    def check(self) -> None:
        l0, l1, l2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if l0 > t0:
            gen = 2 if (l1 > t1 and l2 > t2) else 1 if l1 > t1 else 0
            if gen == 2 and len(gc.get_objects(2)) - self._long_lived <= self._long_lived // 4:
                gen = 1                  # too few new long-lived objects for a full collection to pay
            gc.collect(gen)
            self.collections += 1
            if gen == 2:
                self._long_lived = len(gc.get_objects(2))


def freeze_start_up() -> None:
    """Once the window is up: what start-up made (modules, widgets, pyqtgraph's items, some 10^5
    objects) lives as long as the app, so the collector stops scanning it (gc.freeze). A full
    collection then looks at what was made since: 30 ms of the GUI thread's time while training,
    87 ms in a worker's, before."""
    gc.collect()
    gc.freeze()


def collect_on_the_gui_thread(app) -> GuiCollector:
    """Install once per application (again: the same one)."""
    found = app.findChild(GuiCollector)
    return found if found is not None else GuiCollector(app)
