"""How fast the unrolled graph repaints, offscreen: frames/s of the backward animation and the
latency of one step (cursor move + forced repaint of the viewport), for the vanilla chain and for
stacks of cells (goals: step -> repaint < 16 ms and the backward animation >= 30 frames/s at T = 200
for a 2-layer bidirectional LSTM with n_a = 128; a 3-layer LSTM at T = 1000 steps in < 16 ms), and the
paint time of a 4-layer bidirectional LSTM at T = 10,000: virtualised, it does not grow with T.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_graph.py [--quick]
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


def make(T: int, n_a: int, zoom: float | None, size=(1400, 500), **model):
    state = AppState(Config(source=(TEXT * (T // len(TEXT) + 2))[: T + 1], hidden=n_a, **model))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    view.resize(*size)
    view.show()
    QApplication.processEvents()
    if zoom is not None:
        view.set_zoom(zoom)
    return state, view


def repaint(view) -> None:
    view.canvas.viewport().repaint()


def animation_fps(T: int, n_a: int, zoom: float | None, frames: int = 120, **model) -> float:
    """Backward pass played at 1/4 step per frame: set_position + repaint, as the play timer does."""
    state, view = make(T, n_a, zoom, **model)
    start = float(T)
    t0 = time.perf_counter()
    for i in range(frames):
        state.set_position(start + (i * 0.25) % (T - 1))
        repaint(view)
    return frames / (time.perf_counter() - t0)


def step_latency_ms(T: int, n_a: int, zoom: float | None, steps: int = 100, **model) -> float:
    """Median time of one key press worth of work: step_forward + repaint."""
    state, view = make(T, n_a, zoom, **model)
    state.step_to(T // 2, "forward")
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        state.step_forward()
        repaint(view)
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * times[len(times) // 2]


def paint_ms(state, view, reps: int = 20) -> float:
    """Median time of one repaint of the viewport in the backward pass, mid-way."""
    state.set_position(state.T + state.T // 2 + 0.5)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        repaint(view)
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * times[len(times) // 2]


def models(quick: bool) -> None:
    lstm2b = dict(cell="lstm", layers=2, bidirectional=True)
    for zoom, label in ((150.0, "zoomed in (150 px/step)"), (None, "fit to window")):
        print(f"-- 2-layer bidirectional LSTM, n_a = 128, T = 200, 1400 x 700, {label}")
        print(f"backward animation: {animation_fps(200, 128, zoom, size=(1400, 700), **lstm2b):7.1f} frames/s (goal >= 30)")
        print(f"stepping latency:   {step_latency_ms(200, 128, zoom, size=(1400, 700), **lstm2b):7.2f} ms (goal < 16)")
        print(f"-- 3-layer LSTM, n_a = 128, T = 1000, 1400 x 700, {label}")
        print(f"stepping latency:   {step_latency_ms(1000, 128, zoom, size=(1400, 700), cell='lstm', layers=3):7.2f} ms "
              f"(goal < 16)")
    print("-- virtualisation: 4-layer bidirectional LSTM, n_a = 4, repaint mid-BPTT at 150 px/step and fitted")
    for T in ((1000, 10_000) if not quick else (1000,)):
        state, view = make(T, 4, 150.0, size=(1400, 900), cell="lstm", layers=4, bidirectional=True)
        zoomed = paint_ms(state, view)
        view.fit_all()
        fitted = paint_ms(state, view)
        print(f"T = {T:>6}: {zoomed:7.2f} ms zoomed in, {fitted:7.2f} ms fitted (bands)")


def main() -> None:
    quick = "--quick" in sys.argv
    app = QApplication.instance() or QApplication([])  # noqa: F841
    models(quick)
    if quick:
        return
    for zoom, label in ((150.0, "zoomed in (150 px/step)"), (None, "fit to window")):
        print(f"-- {label}")
        for T, n_a in ((200, 128), (1000, 256)):
            print(f"backward animation T={T:>5} n_a={n_a:>3}: {animation_fps(T, n_a, zoom):7.1f} frames/s")
        for T, n_a in ((1000, 256), (10000, 128)):
            print(f"stepping latency   T={T:>5} n_a={n_a:>3}: {step_latency_ms(T, n_a, zoom):7.2f} ms (median)")


if __name__ == "__main__":
    main()
