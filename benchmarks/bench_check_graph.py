"""The student's values on the graph (File ▸ Check my implementation…): the cost of building the
overlay for a trace and of one step (cursor move + repaint) with and without it, zoomed in and
zoomed out, at T = 1,000 and T = 20,000. The overlay is built from the checker's own results (our
rnn_forward on the window's sequence, theirs = ours x 1.01 from step 3 on, as a wrong file returns).
The ratio with / without is what to read on a loaded machine.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_check_graph.py
"""
from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.bench_graph import make  # noqa: E402
from rnnviz.checker.cases import trace_cases  # noqa: E402
from rnnviz.checker.run import FunctionResult  # noqa: E402
from rnnviz.checker.values import OnWindow  # noqa: E402
from rnnviz.app.views.graph import student  # noqa: E402


def results_for(trace) -> OnWindow:
    case = trace_cases(trace)[0]
    ours = case.reference()
    a = np.array(ours[0])
    a[:, :, 2:] *= 1.01
    from rnnviz.checker.compare import Difference

    d = Difference("a⟨3⟩", 3, (0, 0), float(a[0, 0, 2]), float(ours[0][0, 0, 2]), path=(0,), index=(0, 0, 2))
    return OnWindow([FunctionResult("rnn_forward", "fail", "your sequence", d, 0.01, theirs=(a,) + tuple(ours[1:]),
                                    ours=ours)], "bench.py")


def step_ms(state, view, steps: int = 60) -> float:
    state.step_to(state.T // 2, "forward")
    times = []
    for i in range(steps):
        t0 = time.perf_counter()
        (state.step_forward if i % 2 == 0 else state.step_back)()
        view.canvas.viewport().repaint()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    app = QApplication.instance() or QApplication([])  # noqa: F841
    print(f"load average {os.getloadavg()[0]:.2f}")
    for T in (1000, 20000):
        for zoom in (120.0, None):
            state, view = make(T, 16, zoom)
            plain = step_ms(state, view)
            res = results_for(state.trace)
            t0 = time.perf_counter()
            ov = student.build(res, view.item.data)
            build = 1000 * (time.perf_counter() - t0)
            assert ov is not None
            state.set_student(res)
            with_ = step_ms(state, view)
            what = "zoomed in (120 px/step)" if zoom else "fit (bands)"
            print(f"T = {T:6d}, {what:24s}: build {build:6.1f} ms; step + repaint {plain:5.1f} ms without, "
                  f"{with_:5.1f} ms with the overlay (x{with_ / plain:.2f})")
            view.close()


if __name__ == "__main__":
    main()
