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

The compiled kernels (numba, loaded in a worker once the Training panel has been in view for a
second, or when training first starts) bring some 8 x 10^4 objects of their own that live as long
as the app: once they are loaded, the next tick collects everything once and freezes what is left,
as at start-up, instead of scanning them again in every older collection (40 ms each, before). (Freezing without the collection would keep for good whatever
garbage was waiting for the next full collection.)
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from rnnviz.core import kernels

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
        self._kernels_frozen = kernels.ready() is not None

    def check(self) -> None:
        if not self._kernels_frozen and kernels.ready() is not None:
            self._kernels_frozen = True
            freeze_start_up()
            self._long_lived = len(gc.get_objects(2))
            return
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
