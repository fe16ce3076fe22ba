"""How fast the unrolled graph repaints, offscreen: frames/s of the backward animation and the
latency of one step (cursor move + forced repaint of the viewport).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_graph.py
"""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from PySide6.QtWidgets import QApplication  # noqa: E402

from rnnviz.app.state import AppState, Config  # noqa: E402
from rnnviz.app.views.graph_view import GraphView  # noqa: E402

TEXT = "the quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun. "


def make(T: int, n_a: int, zoom: float | None):
    state = AppState(Config(source=(TEXT * (T // len(TEXT) + 2))[: T + 1], hidden=n_a))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    view.resize(1400, 500)
    view.show()
    QApplication.processEvents()
    if zoom is not None:
        view.set_zoom(zoom)
    return state, view


def repaint(view) -> None:
    view.canvas.viewport().repaint()


def animation_fps(T: int, n_a: int, zoom: float | None, frames: int = 120) -> float:
    """Backward pass played at 1/4 step per frame: set_position + repaint, as the play timer does."""
    state, view = make(T, n_a, zoom)
    start = float(T)
    t0 = time.perf_counter()
    for i in range(frames):
        state.set_position(start + (i * 0.25) % (T - 1))
        repaint(view)
    return frames / (time.perf_counter() - t0)


def step_latency_ms(T: int, n_a: int, zoom: float | None, steps: int = 100) -> float:
    """Median time of one key press worth of work: step_forward + repaint."""
    state, view = make(T, n_a, zoom)
    state.step_to(T // 2, "forward")
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        state.step_forward()
        repaint(view)
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * times[len(times) // 2]


def main() -> None:
    app = QApplication.instance() or QApplication([])  # noqa: F841
    for zoom, label in ((150.0, "zoomed in (150 px/step)"), (None, "fit to window")):
        print(f"-- {label}")
        for T, n_a in ((200, 128), (1000, 256)):
            print(f"backward animation T={T:>5} n_a={n_a:>3}: {animation_fps(T, n_a, zoom):7.1f} frames/s")
        for T, n_a in ((1000, 256), (10000, 128)):
            print(f"stepping latency   T={T:>5} n_a={n_a:>3}: {step_latency_ms(T, n_a, zoom):7.2f} ms (median)")


if __name__ == "__main__":
    main()
