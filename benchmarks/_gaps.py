"""Event-loop gaps of the GUI thread, shared by the window benchmarks (bench_app, bench_train_window).

    gaps = GapSampler()          # a 5 ms QTimer on the GUI thread records the time between its ticks
    gaps.start(); ...; gaps.stop()
    gaps.longest, gaps.p99, gaps.median

StackSampler (--profile in bench_train_window): a watchdog thread that looks at the GUI thread's Python
stack every few ms while a gap is open (no tick for `threshold` s) and tallies, per long gap, the
innermost rnnviz / pyqtgraph frames it found there: which slot, which view, how long. A gap in which
the GUI thread sat in the event loop itself (no Python frame of ours) is counted as "in Qt / waiting
for the GIL" (the worker thread held the interpreter, or Qt painted).
"""
from __future__ import annotations

import statistics
import sys
import threading
import time
from collections import Counter


class GapSampler:
    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.ends: list[float] = []          # when each gap ended (perf_counter): _frame_log's report
        self.cpu: list[float] = []           # the GUI thread's own CPU time in each gap
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last_tick = self._last          # read by StackSampler's thread

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append(now - self._last)
        self.ends.append(now)
        self.cpu.append(cpu - self._last_cpu)
        self._last, self._last_cpu = now, cpu
        self.last_tick = now

    def start(self) -> None:
        self.gaps.clear()
        self.ends.clear()
        self.cpu.clear()
        self._last = self.last_tick = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _sorted(self) -> list[float]:
        return sorted(self.gaps) or [0.0]

    @property
    def longest(self) -> float:
        return self._sorted()[-1]

    @property
    def p99(self) -> float:
        g = self._sorted()
        return g[int(0.99 * (len(g) - 1))]

    @property
    def median(self) -> float:
        return statistics.median(self._sorted())

    @property
    def longest_cpu(self) -> float:
        """The most CPU time the GUI thread itself spent in one gap (its own work, whatever the load)."""
        return max(self.cpu, default=0.0)

    @property
    def cpu_of_longest(self) -> float:
        """The GUI thread's CPU time in the longest gap (the rest: waiting for a core or the interpreter)."""
        return self.cpu[self.gaps.index(max(self.gaps))] if self.gaps else 0.0

    def over(self, seconds: float) -> int:
        return sum(1 for g in self.gaps if g > seconds)


def run_for(app, seconds: float) -> None:
    """Let the event loop run for `seconds` (as a user's window would)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        app.processEvents()
        time.sleep(0.001)


def _where(frame, depth: int = 40) -> tuple[str, ...]:
    """The rnnviz / pyqtgraph frames of a stack, innermost first (file:function)."""
    out = []
    while frame is not None and len(out) < depth:
        f = frame.f_code.co_filename
        if ("rnnviz" in f or "pyqtgraph" in f) and "benchmarks" not in f:
            short = f.split("rnnviz/", 1)[-1] if "rnnviz/" in f else "pg:" + f.split("pyqtgraph/", 1)[-1]
            out.append(f"{short}:{frame.f_code.co_name}")
        frame = frame.f_back
    return tuple(out)


class StackSampler:
    """Samples the GUI thread's stack while an event-loop gap of `gaps` is open."""

    def __init__(self, gaps: GapSampler, threshold: float = 0.03, every: float = 0.003):
        self.gaps, self.threshold, self.every = gaps, threshold, every
        self.main = threading.main_thread().ident
        self.samples: Counter = Counter()       # innermost-first tuple of our frames -> samples seen in gaps
        self.slots: Counter = Counter()         # the outermost frame of ours (the slot Qt called) -> samples
        self.views: Counter = Counter()         # the innermost frame of ours -> samples
        self.n = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if time.perf_counter() - self.gaps.last_tick < self.threshold:
                continue
            frame = sys._current_frames().get(self.main)
            where = _where(frame)
            self.n += 1
            if not where:
                where = ("in Qt / waiting for the GIL",)
            self.samples[where[:6]] += 1
            self.slots[where[-1]] += 1
            self.views[where[0]] += 1

    def report(self, top: int = 12) -> str:
        ms = 1e3 * self.every
        lines = [f"    GUI thread inside long gaps: {self.n} samples (~{ms:.0f} ms each)"]
        lines.append("      by slot (outermost frame of ours):")
        lines += [f"        {c:5d}  {k}" for k, c in self.slots.most_common(top)]
        lines.append("      by innermost frame of ours:")
        lines += [f"        {c:5d}  {k}" for k, c in self.views.most_common(top)]
        return "\n".join(lines)
