"""Training in the window (offscreen): is the window responsive while it trains?

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_train_window.py [--seconds 10]

For each setting, the window trains (▶ Train clicked) for --seconds while a 5 ms timer on the GUI
thread records the gaps between its ticks. Prints the longest event-loop gap and its 99th percentile
(goal: longest < 50 ms), the plots' redraws a second (goal: at most ~30), and updates a second (in the
window, i.e. with the views following the weights twice a second and the plots redrawing).
First the idle window's gaps, the machine's own noise. Beside each longest gap, the GUI thread's own
CPU time in it: what the window itself did then; the rest of the gap it waited for a core (a loaded
machine) or for the interpreter (the worker's Python). --profile: where the GUI thread was during the
long gaps (benchmarks/_gaps.py's StackSampler); --frames: the events the GUI thread handled inside each
gap over 40 ms, with the slots and paints in them (benchmarks/_frame_log.py). The cyclic collector's runs meanwhile are counted by
generation, with the longest (app/gui_gc.py runs them on the GUI thread). --no-follow: the other views
don't follow the weights while training (what the plots and the worker cost alone); --no-hold: the
worker doesn't wait while a frame is drawn. Asserts nothing: the machine's speed drifts (two cores shared by several processes).
On a machine that other work keeps busy, `chrt -f 10 .venv/bin/python benchmarks/bench_train_window.py`
(as root) runs it ahead of that work, as on an idle machine; --seconds 60 shows a long run (the plots'
frame must not grow with the number of updates: benchmarks/bench_train_plots.py).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RNNVIZ_HOME", tempfile.mkdtemp(prefix="rnnviz-bench-"))

from benchmarks._gaps import GapSampler, StackSampler, run_for  # noqa: E402  (one sampler for the benchmarks)

TEXT = ("the quick brown fox jumps over the lazy dog. a recurrent network reads one character at a time "
        "and carries what it has seen in its hidden state. ") * 3

SETTINGS = (
    # (title, model config changes, task kind, compare cell)
    ("min-char-rnn recipe on a 390-character typed text (vanilla, n_a = 100)", {"hidden": 100}, "text", ""),
    ("dinosaur names (vanilla, n_a = 50, batch 32)", {"hidden": 50}, "names", ""),
    ("adding problem T = 100: LSTM and a tanh RNN beside it (n_a = 32, batch 32, Adam)",
     {"hidden": 32, "cell": "lstm"}, "adding", "rnn"),
)


def measure(app, w, seconds: float, profile: bool = False, frames: bool = False) -> dict:
    t = w.training
    ctl, plots = t["controller"], t["plots"]
    redraws, traces = [], []
    original = plots.set_series

    def counted(*a, **k):
        redraws.append(time.perf_counter())
        return original(*a, **k)

    plots.set_series = counted
    w.state.trace_changed.connect(lambda _tr: traces.append(time.perf_counter()))
    gaps = GapSampler()
    stacks = StackSampler(gaps) if profile else None
    collections, started = [], {}

    def collected(phase, info):             # the collector's own pauses (app/gui_gc.py: on the GUI thread)
        if phase == "start":
            started["t"] = time.perf_counter()
        elif "t" in started:
            collections.append((info["generation"], time.perf_counter() - started.pop("t")))

    gc.callbacks.append(collected)
    start_updates = ctl.updates
    t["panel"].play_button.click()
    log = getattr(app, "frame_log", None) if frames else None
    if log:
        log.start()
    gaps.start()
    if stacks:
        stacks.start()
    t0 = time.perf_counter()
    run_for(app, seconds)
    gaps.stop()
    if log:
        log.stop()
    gc.callbacks.remove(collected)
    if stacks:
        stacks.stop()
    elapsed = time.perf_counter() - t0
    done = ctl.updates - start_updates
    t["panel"].play_button.click()                     # pause
    while ctl.running:
        app.processEvents()
        time.sleep(0.002)
    plots.set_series = original
    return {"longest": gaps.longest, "cpu_longest": gaps.cpu_of_longest, "max_cpu": gaps.longest_cpu, "p99": gaps.p99, "median": gaps.median, "over50": gaps.over(0.05),
            "redraws": len([r for r in redraws if r >= t0]) / elapsed, "updates": done / elapsed, "total": done,
            "traces": len([r for r in traces if r >= t0]) / elapsed, "stacks": stacks, "gc": collections,
            "frames": log.report(gaps) if log else None}


def idle_gaps(app, seconds: float) -> tuple[float, float]:
    gaps = GapSampler()
    gaps.start()
    run_for(app, seconds)
    gaps.stop()
    return gaps.longest, gaps.p99


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--switch", type=float, default=None, help="sys.setswitchinterval (s) to try instead of the app's 0.5 ms")
    ap.add_argument("--no-follow", action="store_true", help="the other views don't follow the weights while "
                    "training (they show them when it pauses): the cost of the plots and the worker alone")
    ap.add_argument("--no-hold", action="store_true", help="the worker doesn't wait while the window draws a frame")
    ap.add_argument("--only", type=int, default=None, help="only this setting (0, 1, 2)")
    ap.add_argument("--cprofile", metavar="FILE", default=None, help="cProfile the GUI thread while it trains "
                    "(one file per setting: FILE.0, FILE.1, ...; read them with pstats)")
    ap.add_argument("--frames", action="store_true", help="list the events the GUI thread handled inside "
                    "each gap over 40 ms (benchmarks/_frame_log.py: every event timed, a little slower)")
    ap.add_argument("--profile", action="store_true", help="sample the GUI thread's stack inside long gaps "
                    "(> 30 ms) and print where it was")
    args = ap.parse_args()
    if args.no_hold:
        from rnnviz.app import training_controller

        training_controller.TrainController._release = lambda self: self.go.set()
        training_controller.TrainController._hold = False
    if args.no_follow:
        from rnnviz.app import training_controller

        training_controller.PUSH_SECONDS = float("inf")
    from PySide6.QtWidgets import QApplication

    if args.frames:
        from benchmarks._frame_log import TimedApplication

        app = TimedApplication([])
    else:
        app = QApplication.instance() or QApplication([])
    from rnnviz.app.gui_gc import collect_on_the_gui_thread, freeze_start_up

    collect_on_the_gui_thread(app)     # as run_app: the collector runs on the GUI thread, never in the worker
    from rnnviz.app import theme
    from rnnviz.app.main_window import build_window

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    idle = build_window(TEXT)
    idle.resize(*(int(v) for v in args.size.split("x")))
    idle.show()
    app.processEvents()
    r = idle_gaps(app, min(args.seconds, 5.0))
    print(f"  the window idle (the machine's own noise): longest gap {1e3 * r[0]:.0f} ms, 99th percentile "
          f"{1e3 * r[1]:.0f} ms")
    idle.training["controller"].shutdown()
    idle.close()
    print(f"training in the window ({args.size}, offscreen), {args.seconds:.0f} s each; 5 ms timer on the GUI thread")
    for i, (title, changes, kind, compare) in enumerate(SETTINGS):
        if args.only is not None and i != args.only:
            continue
        w = build_window(TEXT)
        theme.apply_app_theme(app, w.state.view_options)
        width, height = (int(v) for v in args.size.split("x"))
        w.resize(width, height)
        w.show()
        w.training["dock"].raise_()
        app.processEvents()
        w.state.update_config(**changes)
        while w.state.busy:         # (sleeping: under chrt a GUI thread that never blocks starves the worker)
            app.processEvents()
            time.sleep(0.001)
        freeze_start_up()                                # as run_app, once the window is up
        ctl, panel = w.training["controller"], w.training["panel"]
        tabs = w.training["tabs"]
        tabs.setCurrentIndex(1)                          # the Curves, drawn as it trains
        panel.task.setCurrentIndex(panel.task.findData(kind))
        if compare:
            panel.compare.setCurrentIndex(panel.compare.findData(compare))
        ctl.reset()
        app.processEvents()
        if args.switch:
            sys.setswitchinterval(args.switch)        # (after the window: app/jobs.py sets 0.5 ms)
        prof = None
        if args.cprofile:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        r = measure(app, w, args.seconds, args.profile, args.frames)
        if prof is not None:
            prof.disable()
            prof.dump_stats(f"{args.cprofile}.{i}")
        print(f"  {title}")
        print(f"    longest event-loop gap {1e3 * r['longest']:.0f} ms (99th percentile {1e3 * r['p99']:.0f} ms, "
              f"median {1e3 * r['median']:.1f} ms; goal < 50 ms) · plots redrawn {r['redraws']:.1f}/s (goal ≤ ~30) · "
              f"{r['updates']:.0f} updates/s ({r['total']:,} updates) · {r['over50']} gaps over 50 ms · "
              f"the other views got new weights {r['traces']:.1f}/s", flush=True)
        print(f"    the GUI thread's own CPU time: {1e3 * r['cpu_longest']:.0f} ms in the longest gap, at most "
              f"{1e3 * r['max_cpu']:.0f} ms in any gap (the rest of a gap: waiting for a core or the interpreter)")
        by_gen = {g: [d for gg, d in r["gc"] if gg == g] for g in (0, 1, 2)}
        print("    the cyclic collector meanwhile: " + ", ".join(
            f"generation {g} {len(d)}x (longest {1e3 * max(d, default=0):.1f} ms)" for g, d in by_gen.items()))
        if r["stacks"] is not None:
            print(r["stacks"].report(), flush=True)
        if r["frames"]:
            print(r["frames"], flush=True)
        ctl.shutdown()
        w.close()
        app.processEvents()


if __name__ == "__main__":
    main()
