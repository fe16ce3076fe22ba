"""The training plots' frame, by the length of the run: does a frame cost more after 10^5 updates?

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_train_plots.py [--width 600]

For runs of 10^3, 10^4 and 10^5 updates (one run, and two as in compare mode), the median time of
what the window does for one frame while training: set_series (the new rows folded into the curves'
envelopes, the axes' ranges) and a repaint of the plots, with the axes cached as while training. The
series are noisy (a random loss per update: the most lines to draw). Asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=600)
    ap.add_argument("--frames", type=int, default=20)
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from rnnviz.app.views.train_plots import Series, TrainPlotsView

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; plots {args.width} x 640 px, "
          f"median of {args.frames} frames (ms)")
    rng = np.random.default_rng(0)
    for runs in (1, 2):
        for n in (1_000, 10_000, 100_000):
            view = TrainPlotsView()
            view.resize(args.width, 640)
            view.show()
            app.processEvents()
            view.set_live(True)
            full = []
            for i in range(runs):
                loss = 3 + rng.random(n + args.frames)
                full.append(Series(f"run {i}", loss, loss * 0.9, 10 * rng.random(loss.size),
                                   (rng.random(loss.size) > 0.7).astype(float), 10 ** (-10 * rng.random(loss.size))))

            def upto(m):
                return [Series(s.label, s.loss[:m], s.smooth[:m], s.grad_norm[:m], s.clipped[:m], s.reach[:m])
                        for s in full]

            view.set_series(upto(n), 4.0)
            app.processEvents()
            draw, paint = [], []
            for f in range(1, args.frames + 1):          # one new row a frame, as a slow run
                t0 = time.perf_counter()
                view.set_series(upto(n + f), 4.0)
                t1 = time.perf_counter()
                view.canvas.viewport().repaint()
                t2 = time.perf_counter()
                draw.append(t1 - t0)
                paint.append(t2 - t1)
            print(f"  {runs} run{'s' if runs > 1 else ' '} x {n:>7,} updates: set_series "
                  f"{1e3 * statistics.median(draw):5.1f} · repaint {1e3 * statistics.median(paint):5.1f}")
            view.close()


if __name__ == "__main__":
    main()
