"""A lesson exported as PNG slides from the window (offscreen, 1280 x 720 by default).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_slides.py [--lesson 02-bptt] [--size 1280x720]

Prints, per slide, the GUI thread's time to grab the window, to encode the PNG (when that is done on
the GUI thread) and to set the page up (what Next costs), and the longest event-loop gap during the whole export (a 5 ms timer): what a user who
keeps working while the slides are written feels. Asserts nothing (goal: no gap much beyond one page's set-up).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RNNVIZ_HOME", tempfile.mkdtemp(prefix="rnnviz-bench-"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lesson", default="02-bptt")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from rnnviz.app.lessons import slides
    from rnnviz.app.main_window import build_window
    from rnnviz.lessons.format import find_lesson

    w = build_window("hello world")
    w.resize(width, height)
    w.show()
    w.start_layout()
    slides.settle(w)
    lesson = find_lesson(args.lesson, w.lessons.caps)

    timings = {"grab": [], "png": [], "page": []}

    import threading

    def timed(name, f):
        def run(*a, **k):
            t0 = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                if threading.current_thread() is threading.main_thread():
                    timings[name].append(time.perf_counter() - t0)
        return run

    real_grab = type(w).grab
    w.grab = timed("grab", lambda *a: real_grab(w, *a))
    slides._png = timed("png", slides._png)
    ctl = w.lessons.controller
    ctl.go = timed("page", ctl.go)              # setting the page up (a small trace computes right here)     # on the GUI thread only where the exporter calls it there

    gaps, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    for run in range(args.runs):
        for v in timings.values():
            v.clear()
        gaps.clear()
        out = Path(tempfile.mkdtemp(prefix="rnnviz-slides-"))
        last[0] = time.perf_counter()
        timer.start()
        t0 = time.perf_counter()
        files = slides.export_slides(w.lessons, lesson, out)
        total = time.perf_counter() - t0
        timer.stop()
        png = timings["png"]
        print(f"run {run + 1}: {len(files) - 1} slides of {lesson.title!r} at {args.size} in {total:.2f} s; "
              f"grab median {1e3 * statistics.median(timings['grab']):.0f} ms (max {1e3 * max(timings['grab']):.0f}); "
              + (f"PNG on the GUI thread median {1e3 * statistics.median(png):.0f} ms; " if png else
                 "PNG encoded off the GUI thread; ")
              + f"page set-up median {1e3 * statistics.median(timings['page']):.0f} ms; "
              + f"longest event-loop gap {1e3 * max(gaps or [0]):.0f} ms, median {1e3 * statistics.median(gaps or [0]):.0f} ms")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    w.state.shutdown()


if __name__ == "__main__":
    main()
