"""Presentation mode (F11) in the window as `python main.py` opens it (offscreen, 1280 x 720).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_f11.py [--runs 6] [--size 1280x720] [--worker]
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_f11.py --rows [--size 1280x720]

For each press of F11 (on, off, on, ...): the wall time from the key until the window has handled
every event it posted (the new fonts laid out, the columns restored, every view repainted), and the
CPU time the GUI thread spent on it (this machine is shared: wall time includes waiting for a core).
Also the share of that spent applying the application theme (palette, font, style sheet).
--worker trains an LSTM on the adding problem in a thread meanwhile (what a training session does: a
per-step Python loop that holds the interpreter lock whenever the GUI thread lets go of it);
--worker kernels loads the compiled kernels in a thread as the first press comes (what the window does
when the Training panel is first shown: importing numba is Python that holds the lock).
Also, per press, the longest time the event loop was held in one piece (a 5 ms timer's longest gap, the
monkey test's measure), wall and the GUI thread's CPU.
Prints figures; asserts nothing (goal: well under the monkey test's 1 s freeze bound).
--rows instead prints, per model (vanilla, GRU, LSTM, 2-layer bidirectional LSTM, 4-layer LSTM), in the
window and in presentation mode: the graph's height, its text's px (and its bold row names'), and the
height of the tabs under it (goal at 720p F11: the graph taller than in the window, its text >= 13 px
and >= the window's).
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


def settle(app, ms: float = 40) -> None:
    """Handle events until none is left (the layout's zero-time timers included)."""
    end = time.perf_counter() + ms / 1e3
    app.processEvents()
    while time.perf_counter() < end:
        app.processEvents()


def start_worker(kind: str):
    if kind == "kernels":
        import threading

        from rnnviz.core import kernels

        stop = threading.Event()
        stop.updates = 0
        threading.Thread(target=kernels.load, daemon=True).start()
        return stop
    return _start_training_worker(kind)


def _start_training_worker(kind: str):
    """An LSTM trained on the adding problem (or a pure Python loop, which never lets go of the interpreter
    lock unless asked) in a daemon thread until the returned event is set."""
    import threading

    from rnnviz.core.params import init_model_params
    from rnnviz.core.spec import ModelSpec
    from rnnviz.core.tasks import AddingTask
    from rnnviz.core.training import Trainer, TrainSettings

    spec = ModelSpec("lstm", "tanh", 2, 32, 1)
    trainer = Trainer(spec, init_model_params(spec, seed=0), AddingTask(100, 32, seed=0),
                      TrainSettings("adam", 1e-2, "norm", 1.0, 0))
    stop = threading.Event()
    stop.updates = 0

    def spin():
        while not stop.is_set():
            sum(i * i for i in range(10_000))
            stop.updates += 1

    def run():
        while not stop.is_set():
            for _ in trainer.train(trainer.updates + 5, frame_seconds=1.0, with_params=False):
                pass
            stop.updates = trainer.updates

    threading.Thread(target=run if kind == "train" else spin, daemon=True).start()
    return stop


ROW_MODELS = [("vanilla", dict(cell="rnn", layers=1, bidirectional=False)),
              ("GRU", dict(cell="gru", layers=1, bidirectional=False)),
              ("LSTM", dict(cell="lstm", layers=1, bidirectional=False)),
              ("LSTM 2 layers bi", dict(cell="lstm", layers=2, bidirectional=True)),
              ("LSTM 4 layers", dict(cell="lstm", layers=4, bidirectional=False))]


def print_rows(app, w, width: int, height: int) -> None:
    """The graph's room and text per model, in the window and in presentation mode (F11 as a user presses it)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    print(f"the graph at {width}x{height}: height px, text px (bold row names px), tabs px under it")
    for name, config in ROW_MODELS:
        w.state.update_config(**config)
        settle(app, 300)
        cells = []
        for presenting in (False, True):
            if w.state.view_options.presentation != presenting:
                QTest.keyClick(w.graph.canvas, Qt.Key.Key_F11)
                settle(app, 500)
            g = w.graph
            st = g.item.style
            cells.append(f"{g.canvas.viewport().height():4d} px, text {st.f:4.1f} ({st.font_bold.pixelSize():2d}), "
                         f"tabs {w.tabs.height():3d}")
        QTest.keyClick(w.graph.canvas, Qt.Key.Key_F11)
        settle(app, 500)
        print(f"  {name:17s} {len(w.graph.item.spec.rows):2d} rows   window {cells[0]}   F11 {cells[1]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=6, help="F11 presses (alternately on and off)")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--worker", nargs="?", const="train", choices=["train", "python", "kernels"],
                    help="meanwhile a thread trains an LSTM (train), or runs a pure Python loop (python)")
    ap.add_argument("--cell", default=None, help="the model's cell (rnn, gru, lstm; default: the example's)")
    ap.add_argument("--panel", default=None, help="open this side panel in front first (e.g. Cell)")
    ap.add_argument("--rows", action="store_true",
                    help="print the graph's height and text size per model, in the window and in F11")
    ap.add_argument("--gil-interval", type=float, default=None,
                    help="override the interpreter's switch interval the app sets (s; Python's default 0.005)")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from rnnviz.app import theme
    from rnnviz.app.main_window import build_window
    from rnnviz.app.state import AppState
    from rnnviz.app.views.lazy import _Turns
    from tests.app.monkey import run_queue_wait      # the monkey test's measure of the waits for a core

    theme.apply_app_theme(app, AppState().view_options)
    w = build_window(None)
    w.state.async_threshold = float("inf")
    if args.gil_interval is not None:
        sys.setswitchinterval(args.gil_interval)
    w.resize(width, height)
    w.show()
    w.start_layout()
    settle(app, 300)
    if args.rows:
        print_rows(app, w, width, height)
        w.close()
        return
    if args.cell:
        w.state.update_config(cell=args.cell)
        settle(app, 300)
    for dock in w._side_docks:
        if args.panel and dock.windowTitle().lower() == args.panel.lower():
            dock.show()
            dock.raise_()
    settle(app, 300)

    stop = start_worker(args.worker) if args.worker else None
    spent = {"theme": 0.0, "theme_cpu": 0.0}
    real_apply = theme.apply_app_theme

    def timed_apply(*a, **k):
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return real_apply(*a, **k)
        finally:
            spent["theme"] += time.perf_counter() - t0
            spent["theme_cpu"] += time.thread_time() - c0

    theme.apply_app_theme = timed_apply

    from PySide6.QtCore import QTimer

    beats = []
    heart = QTimer()
    heart.timeout.connect(lambda: beats.append((time.perf_counter(), time.thread_time())))
    heart.start(5)
    rows = {True: [], False: []}
    holds = {True: [], False: []}
    for _ in range(args.runs):
        beats.clear()
        beats.append((time.perf_counter(), time.thread_time()))
        spent["theme"] = spent["theme_cpu"] = 0.0
        t0, c0, q0 = time.perf_counter(), time.thread_time(), run_queue_wait()
        QTest.keyClick(w.graph.canvas, Qt.Key.Key_F11)   # as a user would
        app.processEvents()
        t1, c1 = time.perf_counter(), time.thread_time()
        settle(app, 1)    # the posted layout and paint events (each pass is timed within)
        while _Turns.queue:   # and the views on screen, which restyle one a turn
            app.processEvents()
        t2, c2, q2 = time.perf_counter(), time.thread_time(), run_queue_wait()
        rows[w.state.view_options.presentation].append((t2 - t0, c2 - c0, spent["theme"], spent["theme_cpu"],
                                                        t2 - t0 - (q2 - q0)))
        settle(app, 400)      # (the views on screen restyle one a turn: the gaps are timed until they have)
        holds[w.state.view_options.presentation].append(
            max(((b[0] - a[0], b[1] - a[1]) for a, b in zip(beats, beats[1:])), default=(0.0, 0.0)))
    heart.stop()
    theme.apply_app_theme = real_apply
    # the other view option that restyles: light <-> dark (the colours are in the style sheet)
    themes = []
    for name in ("dark", "light", "dark", "light"):
        t0, c0 = time.perf_counter(), time.thread_time()
        w.state.set_view_options(theme=name)
        app.processEvents()
        settle(app, 1)
        themes.append((time.perf_counter() - t0, time.thread_time() - c0))
        settle(app, 100)

    if stop is not None:
        stop.set()
    beside = f", beside a training worker ({stop.updates} updates)" if stop is not None else ""
    shown = f", the {args.panel} panel in front" if args.panel else ""
    print(f"F11 at {width}x{height} (T = {w.state.T}, cell {w.state.config.cell}{shown}){beside}, "
          f"{args.runs} presses:")
    for on, label in ((True, "into presentation"), (False, "out of presentation")):
        r = rows[on]
        if not r:
            continue
        wall, cpu, th, th_cpu, held = (statistics.median(x[i] for x in r) for i in range(5))
        print(f"  {label:20s} median wall {wall * 1e3:5.0f} ms, {held * 1e3:5.0f} ms without the waits for a "
              f"core (CPU {cpu * 1e3:4.0f} ms), of which applying "
              f"the theme {th * 1e3:4.0f} ms (CPU {th_cpu * 1e3:4.0f} ms)  "
              f"(walls: {', '.join(f'{x[0] * 1e3:.0f}' for x in r)} ms)")
        print(f"  {'':20s} the event loop held at most (wall / GUI CPU): "
              f"{', '.join(f'{a * 1e3:.0f}/{b * 1e3:.0f}' for a, b in holds[on])} ms")
    print(f"  light <-> dark theme   median wall {statistics.median(x[0] for x in themes) * 1e3:5.0f} ms "
          f"(CPU {statistics.median(x[1] for x in themes) * 1e3:4.0f} ms)")
    w.close()


if __name__ == "__main__":
    main()
