"""The cyclic garbage collector runs on the GUI thread only (rnnviz/app/gui_gc.py): a cycle holding
a Qt object collected in a worker thread ran the object's C++ destructor there, leaving its timer
registered with the GUI thread's dispatcher: the next tick segfaulted (the monkey, seed 6)."""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from rnnviz.app.gui_gc import collect_on_the_gui_thread


class Cycle(QObject):
    died_in: list = []

    def __init__(self):
        super().__init__()
        self.me = self                 # a reference cycle: only the cyclic collector frees it
        self.timer = QTimer(self)
        self.timer.start(5)

    def __del__(self):
        Cycle.died_in.append(threading.current_thread().name)


def test_a_qt_cycle_is_collected_on_the_gui_thread_not_in_a_worker(qtbot):
    collector = collect_on_the_gui_thread(QApplication.instance())   # (the suite's own, tests/conftest.py)
    assert collect_on_the_gui_thread(QApplication.instance()) is collector     # one per application
    assert not gc.isenabled()
    Cycle.died_in.clear()
    for _ in range(20):
        Cycle()
    done = threading.Event()

    kept = []

    def worker():                  # makes (and keeps) enough containers to fill every generation
        for i in range(20_000):
            kept.append([i])
        done.set()

    threading.Thread(target=worker, name="worker").start()
    done.wait(30)
    assert Cycle.died_in == []                      # the worker collected nothing
    qtbot.waitUntil(lambda: len(Cycle.died_in) == 20, timeout=5000)   # the GUI's timer did
    assert set(Cycle.died_in) == {threading.main_thread().name} and collector.collections > 0


def test_what_start_up_made_is_no_longer_scanned_by_full_collections():
    """run_app freezes what start-up made (it lives as long as the app): a full collection then scans
    only what came after (its 30-87 ms while training were the longest pauses of the window)."""
    from rnnviz.app.gui_gc import freeze_start_up

    made = [[i] for i in range(50_000)]          # long-lived objects made at start-up
    before = len(gc.get_objects(2))
    try:
        freeze_start_up()
        assert gc.get_freeze_count() >= len(made)
        assert len(gc.get_objects(2)) < before - len(made) // 2    # a full collection no longer looks at them
        cycle = []
        cycle.append(cycle)                      # garbage made after start-up is still collected
        ref = id(cycle)
        del cycle
        gc.collect()
        assert all(id(o) != ref for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_a_full_collection_waits_until_a_quarter_more_objects_are_long_lived(monkeypatch):
    """CPython's own rule (which a collector of our own has to keep): a full collection is due when
    the oldest generation has grown by a quarter since the last one, else the middle one is collected."""
    import types

    from rnnviz.app import gui_gc

    collector = collect_on_the_gui_thread(QApplication.instance())
    oldest = [0]
    done = []
    fake = types.SimpleNamespace(get_count=lambda: (800, 20, 20), get_objects=lambda gen=None: range(oldest[0]),
                                 collect=lambda gen=2: done.append(gen))
    monkeypatch.setattr(gui_gc, "gc", fake)
    monkeypatch.setattr(collector, "_long_lived", 40_000)
    oldest[0] = 45_000                       # an eighth more: not yet
    collector.check()
    oldest[0] = 51_000                       # over a quarter more: a full collection
    collector.check()
    assert done == [1, 2] and collector._long_lived == 51_000
