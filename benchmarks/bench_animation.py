"""Frames/s of the BPTT backward animation, offscreen: the graph plus every BPTT view, the cursor
advanced by small fractional steps (as playing does) and each widget repainted per frame.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_animation.py

Goal: >= 30 frames/s, also for a 2-layer bidirectional LSTM with n_a = 128 at T = 200.
"""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from PySide6.QtWidgets import QApplication  # noqa: E402

from rnnviz.app.panels.bptt_controls import BPTTControls  # noqa: E402
from rnnviz.app.state import AppState, Config  # noqa: E402
from rnnviz.app.views.bptt_panel import BPTTPanel  # noqa: E402
from rnnviz.app.views.compare_view import CompareView  # noqa: E402
from rnnviz.app.views.gradient_view import GradientView  # noqa: E402
from rnnviz.app.views.graph_view import GraphView  # noqa: E402
from rnnviz.app.views.influence_view import InfluenceView  # noqa: E402

TEXT = "the quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun. "
FRAME_STEP = 0.25          # timeline places per frame: 4 frames per step, smooth motion
FRAMES = 240


def bench(T: int, n_a: int, **model) -> float:
    state = AppState(Config(source=(TEXT * (T // len(TEXT) + 2))[:T], hidden=n_a, **model))
    state.async_threshold = float("inf")
    t0 = time.perf_counter()
    state.set_config(state.config)
    compute = time.perf_counter() - t0
    widgets = [GraphView(state), GradientView(state), InfluenceView(state), CompareView(state), BPTTPanel(state),
               BPTTControls(state)]
    for w in widgets:
        w.resize(1100, 450)
        w.show()
    QApplication.processEvents()
    state.set_position(state.T)           # the start of the backward pass (gradient at step T)
    for w in widgets:
        w.repaint()
    pos = float(state.T)
    t0 = time.perf_counter()
    for _ in range(FRAMES):
        pos = min(pos + FRAME_STEP, state.n_positions - 1)
        state.set_position(pos)
        for w in widgets:
            w.repaint()
    fps = FRAMES / (time.perf_counter() - t0)
    what = f"{model.get('layers', 1)}-layer {'bidirectional ' if model.get('bidirectional') else ''}" \
        f"{model.get('cell', 'rnn').upper()}"
    print(f"{what:30s} T={T:5d} n_a={n_a:4d}: {fps:6.1f} frames/s backward animation "
          f"({len(widgets)} widgets repainted per frame; trace computed in {compute:.2f} s)")
    for w in widgets:
        w.close()
    return fps


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)  # noqa: F841
    for T, n_a in ((200, 128), (1000, 256)):
        bench(T, n_a)
    bench(200, 128, cell="lstm", layers=2, bidirectional=True)
    bench(1000, 128, cell="lstm", layers=3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
