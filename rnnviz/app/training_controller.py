"""TrainController: training in the window. The Train panel's widgets call it; it runs the core's
update loop (rnnviz.core.training) off the GUI thread and tells the window what happened.

- One JobRunner of its own (app/jobs.py), lane "train": the views' recomputations keep theirs.
  While a job runs, only the worker touches the Trainer objects; the window keeps its own copy of
  the history (`mirrors`), filled from the partial results (at most ~30 a second, each with as
  many updates as fitted in 1/30 s). Settings changed while training are single attribute writes.
- Pause asks the loop to stop after its update and the job returns normally; Reset supersedes a
  running job (its results are dropped) and starts from new weights.
- The other views show the current weights: AppState.set_base_params with the trained weights
  (and the characters they were made for) when the task is a text, at most twice a second while
  training and whenever it stops; scrubbing shows a snapshot's weights instead.
"""
from __future__ import annotations

import math

import threading
import time
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from rnnviz.app.jobs import JobRunner
from rnnviz.app.train_session import apply_panel
from rnnviz.core import kernels
from rnnviz.core.optimizers import Optimizer
from rnnviz.core.params import init_model_params, model_radius
from rnnviz.core.sequences import text_sequence
from rnnviz.core.settings import make_run_sequence, prepare_run
from rnnviz.core.spec import ModelSpec
from rnnviz.core.tasks import RECIPES, AddingTask, CopyTask, NamesTask, SequenceTask, TaskChoice, reads_its_targets
from rnnviz.core.training import History, Trainer, TrainSettings, compiles_first, run_trainers

HOLD_MS = 400               # the longest the worker waits for the views to draw pushed weights
FRAME_HOLD_MS = 60          # the longest it waits while the window paints a frame of the plots
PUSH_SECONDS = 0.5          # the other views follow the weights this often while training
FRAME_SECONDS = 1 / 30      # the loop reports (and the plots redraw) at most this often


def _train_job(task, trainers, until, pause: threading.Event, go: threading.Event | None = None):
    """The training loop in the worker. Twice per push interval the report also carries the spectral
    radius of the weights it holds (`radius`), which the views' config needs: an eigendecomposition
    of each recurrent block, seconds for a 2048-unit GRU, that the GUI thread did at every push."""
    last, radius_at = None, -PUSH_SECONDS
    for last in run_trainers(trainers, until, lambda: task.should_stop() or pause.is_set(), FRAME_SECONDS, go=go):
        now = time.monotonic()
        if last and last[0].params is not None and now - radius_at >= PUSH_SECONDS / 2:
            radius_at = now
            last[0].radius = model_radius(trainers[0].spec, last[0].params)
        task.set_partial_result(last)
    return last


class TrainController(QObject):
    _hold = True                    # the worker waits while a frame is drawn (benchmarks turn it off)
    changed = Signal()              # new rows, a new run or new settings: plots and labels redraw
    running_changed = Signal(bool)
    message_changed = Signal(str)

    def __init__(self, state, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.runner = JobRunner(self)
        self._kernels_asked = False
        self.runner.partial_result.connect(self._on_partial)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.choice = TaskChoice()
        self.settings = TrainSettings()
        self.max_updates = 100_000
        self.compare_cell = ""                # "": no second run; else its cell
        self.trainers: list[Trainer] = []
        self.mirrors: list[History] = []
        self.snapshot_updates: list[int] = []
        self.updates_per_s = 0.0
        self.viewing: int | None = None       # the snapshot the views show (None: the latest weights)
        self.message = ""
        self._job = None
        self.preparing = False      # the loop loads the compiled kernels before its first update
        self._pause = threading.Event()
        self.go = threading.Event()           # cleared while the window draws a frame: the worker waits
        self.go.set()
        self._awaiting_trace = False          # a push's trace is computed and drawn: the worker waits
        state.trace_changed.connect(self._trace_arrived)     # (connected after the views: runs last)
        state.config_changed.connect(self._on_config)
        self._window = None                   # watch_paints: the window whose paints the worker waits for
        self._plots = None                    # ... and the training plots' viewport in it
        self._frame_pending = False           # a frame was posted: the worker waits until it is painted
        self._frame_timer = QTimer(self)      # ... but never longer than FRAME_HOLD_MS
        self._frame_timer.setSingleShot(True)
        self._frame_timer.timeout.connect(self._release)
        self._last_push = 0.0
        self._frozen: list = []               # the loop's last consistent copies of the runs
        self._renewed = ""                    # why the runs were just made anew (_renew_if_stale), said once
        self._was_stale = False               # whether the window showed what the runs don't train

    # ------------------------------------------------------------------ reading
    @property
    def running(self) -> bool:
        return self._job is not None

    @property
    def updates(self) -> int:
        return self.mirrors[0].n if self.mirrors else 0

    @property
    def main(self) -> Trainer | None:
        return self.trainers[0] if self.trainers else None

    def consistent_runs(self) -> list[Trainer]:
        """The runs as they are between two updates: the trainers when idle, else the copies the
        loop made at its last report (the worker is changing the trainers themselves)."""
        if self._job is None:
            return list(self.trainers)
        return [f for f in self._frozen if f is not None] if len(self._frozen) == len(self.trainers) else []

    def restore_session(self, runs: list[Trainer], panel: dict) -> None:
        """A session's runs (none: nothing trained) and the panel's choices, ready to continue."""
        self._drop_job()
        if not runs:
            self.trainers, self.mirrors, self.snapshot_updates, self.viewing = [], [], [], None
            self._set_message("")
            self.changed.emit()
            return
        apply_panel(self, panel, runs)
        self.adopt(runs)
        v = panel.get("viewing")
        if isinstance(v, int) and 0 <= v < len(runs[0].snapshots):
            self.viewing = v
        self._was_stale = False
        self._on_config(self.state.config)    # saved after the model or text changed: say what ▶ Train does
        self.changed.emit()

    def last(self, column: str) -> float:
        h = self.mirrors[0] if self.mirrors else None
        return float(h.column(column)[-1]) if h is not None and h.n else float("nan")

    # ------------------------------------------------------------------ the runs
    def build_task(self):
        c, ch = self.state.config, self.choice
        if ch.kind == "names":
            return NamesTask(batch=ch.batch, seed=ch.seed)
        if ch.kind == "adding":
            return AddingTask(ch.length, ch.batch, ch.seed)
        if ch.kind == "copy":
            return CopyTask(ch.length, ch.batch, ch.seed)
        if ch.kind == "file":
            if not ch.file_text:
                raise ValueError("open a text file to train on")
            return SequenceTask(text_sequence(ch.file_text), "cross_entropy", "many-to-many", ch.window)
        try:
            seq, loss = prepare_run(c)
        except ValueError:
            if not c.vocab:
                raise
            # the trained weights' characters (c.vocab) don't fit a newly typed text: its own characters
            c = replace(c, vocab="")
            seq, loss = prepare_run(c)
        return SequenceTask(make_run_sequence(c), loss, c.architecture, ch.window)

    def stale(self) -> str:
        """What the window shows that the runs don't train ("the model", "the typed sequence"), or ""
        when they train what is on screen. The runs are made from the Model panel and the typed
        sequence when they start; the user may change either afterwards (New random weights frees
        the model's widgets, the activation is never locked)."""
        main = self.main
        if main is None:
            return ""
        c, task = self.state.config, main.task
        if self.choice.kind == "text" and isinstance(task, SequenceTask) and c.kind != "notes":
            seq = task.seq
            if (c.source != seq.source or c.architecture != task.architecture
                    or (c.encoder_decoder and c.target != (seq.target or ""))):
                return "the typed sequence"
        if self.spec_for(task) != main.spec:
            return "the model"
        return ""

    def _same_characters(self) -> bool:
        """Whether the typed sequence, changed since the runs were made, can go on training them: the
        same model, a plain text (no source → target pair) in the runs' characters."""
        main, c = self.main, self.state.config
        task = main.task
        return (self.spec_for(task) == main.spec and isinstance(task, SequenceTask) and task.seq.kind == "text"
                and not task.seq.n_source and c.architecture == task.architecture and not c.encoder_decoder
                and bool(c.source) and set(c.source) <= set(task.vocab))

    def _renew_if_stale(self) -> bool:
        """Before a run starts, when the window shows what the runs don't train (their pushes then put
        the old network or the old text back on screen over the user's choice): a typed text in the
        runs' characters becomes their task (weights, optimizer and history kept); anything else gets
        new runs. False when neither can be made (the message says why)."""
        what = self.stale()
        if not what:
            return True
        self._was_stale = False               # (said here: the pushes that follow match again)
        if what == "the typed sequence" and self._same_characters():
            try:
                task = self.build_task()
            except (ValueError, MemoryError) as e:
                self._set_message(f"Can't train: {e}")
                return False
            if task.vocab == self.main.task.vocab:
                for tr in self.trainers:
                    tr.task, tr.carry = task, None
                self._renewed = ("The typed sequence changed: training goes on with it (the same characters; "
                                 "the weights, the optimizer and the history are kept).")
                self._set_message(self._renewed)
                return True
        dropped = self.updates
        self.reset()
        if not self.trainers or self.stale():
            return False
        self._renewed = (f"{what[0].upper()}{what[1:]} changed since the last run: new runs train the one on "
                         "screen" + (f" (the earlier run's {dropped:,} updates are dropped)." if dropped else ".")
                         + (" " + self._caveat() if self._caveat() else ""))
        self._set_message(self._renewed)
        return True

    def _on_config(self, _config) -> None:
        """The user changed the model or the sequence: a run of the old one stops (its pushes would
        put the old network back on screen), and the panel says what ▶ Train will do."""
        what = self.stale()
        was, self._was_stale = self._was_stale, bool(what)
        if not what:
            if was:                           # changed back: these runs are what is on screen again
                self._set_message(self._caveat())
                self.changed.emit()
            return
        self.pause()
        self.viewing = None                   # (a snapshot of the old network is no longer on screen)
        paused = ", so training pauses" if self.running else ""
        if what == "the typed sequence" and self._same_characters():
            self._set_message(f"The typed sequence changed{paused}. ▶ Train, +1 or +N go on training on it.")
        else:
            self._set_message(f"{what[0].upper()}{what[1:]} changed: the runs trained another one{paused}. "
                              "▶ Train, +1 or +N start new runs on what the window shows.")
        if not was:
            self.changed.emit()               # (the snapshot slider: those weights can't be shown now)

    def spec_for(self, task, cell: str | None = None) -> ModelSpec:
        c = self.state.config
        return ModelSpec(cell or c.cell, c.activation, task.n_x, c.hidden, task.n_y, c.layers, c.bidirectional,
                         task.architecture == "encoder-decoder")

    def reset(self, fresh: bool = False) -> None:
        """New runs from the current model settings and task: the weights on screen when they fit
        (the typed text: imported ones, say), else a seeded draw; `fresh` (the Reset weights button):
        always the seeded draw, whatever is on screen (after training, the trained weights). A running
        job is superseded."""
        self._drop_job()
        c = self.state.config
        try:
            task = self.build_task()
            specs = [self.spec_for(task)] + ([self.spec_for(task, self.compare_cell)] if self.compare_cell else [])
            trainers = []
            for i, spec in enumerate(specs):
                tr = self.state.trace
                if not fresh and i == 0 and self.choice.kind == "text" and tr is not None and tr.spec == spec:
                    params = tr.params
                else:
                    params = init_model_params(spec, seed=c.seed, radius=c.radius, forget_bias=c.forget_bias)
                trainers.append(Trainer(spec, params, task, TrainSettings(**vars(self.settings))))
        except (ValueError, MemoryError) as e:
            self._set_message(f"Can't train: {e}")
            return
        self.trainers = trainers
        self.mirrors = [History() for _ in trainers]
        self.snapshot_updates = [u for u, _ in trainers[0].snapshots]
        self.viewing, self.updates_per_s = None, 0.0
        self._set_message(self._caveat())
        self._push(trainers[0].params)
        self.changed.emit()

    def adopt(self, trainers: list[Trainer]) -> None:
        """Runs restored from a session: continue where they stopped."""
        self._drop_job()
        self.trainers = trainers
        self.mirrors = [History(t.history.rows()) if t.history.n else History() for t in trainers]
        self.snapshot_updates = [u for u, _ in trainers[0].snapshots]
        self.viewing = None
        self._set_message(trainers[0].error)
        self.changed.emit()

    def play(self) -> None:
        self._start(self.max_updates)

    def step(self, n: int = 1) -> None:
        if self._job is not None:
            return
        if not self.trainers:
            self.reset()
        elif not self._renew_if_stale():
            return
        if self.trainers:
            self._start(self.trainers[0].updates + max(int(n), 1))

    def pause(self) -> None:
        if self._job is not None:
            self._pause.set()

    def _start(self, until: int) -> None:
        if self._job is not None:
            return
        if not self.trainers:
            self.reset()
            if not self.trainers:
                return
        elif not self._renew_if_stale():
            return
        if self.trainers[0].error:
            self._set_message(self.trainers[0].error + " — Reset to start again.")
            return
        if self.trainers[0].updates >= until:
            self._set_message(f"{self.trainers[0].updates:,} updates done: the maximum; raise it to go on.")
            return
        self._pause.clear()
        self._frozen = [t.clone() for t in self.trainers]
        self.viewing = None
        self._set_message(self._renewed or self._caveat())
        self._renewed = ""
        # the loop first loads the compiled kernels (training.COMPILE_FROM): a second from numba's
        # cache, some seconds the first time on a machine; the panel says so until the first report
        self.preparing = compiles_first(self.trainers[0].updates, until)
        self.go.set()
        self._job = self.runner.submit("train", _train_job, self.trainers, until, self._pause, self.go)
        self.running_changed.emit(True)

    def _drop_job(self) -> None:
        if self._job is not None:
            self.runner.cancel("train")
            self._job = None
            self.running_changed.emit(False)

    def shutdown(self) -> None:
        self._job = None
        self.runner.shutdown()

    # ------------------------------------------------------------------ reports from the worker
    def watch_paints(self, window, plots=None) -> None:
        """Let the worker wait while `window` paints what a report changed: drawing calls into Python
        (pyqtgraph's items) many times, and each call waits for the interpreter while a Python thread
        computes (up to the switch interval each time). The window's paint of all its dirty widgets is
        one UpdateRequest; the worker goes on once that has been handled (it used to be let go before
        the paint: the release was posted ahead of it). With `plots` (the training plots' viewport) on
        screen, it goes on once they have painted: the status line's repaint came first, in an
        UpdateRequest of its own, and let the worker go before the plots' paint (10 ms alone, 25-30 ms
        beside the worker)."""
        self._window, self._plots = window, plots
        window.installEventFilter(self)
        if plots is not None:
            plots.installEventFilter(self)

    def _plots_on_screen(self) -> bool:
        p = self._plots
        return p is not None and p.isVisible() and not p.visibleRegion().isEmpty()

    def eventFilter(self, obj, event) -> bool:
        if self._frame_pending:
            kind = event.type()
            if (obj is self._plots and kind == QEvent.Type.Paint) or (
                    obj is self._window and kind == QEvent.Type.UpdateRequest and not self._plots_on_screen()):
                QTimer.singleShot(0, self._painted)       # (runs once this paint is done)
        return False

    def _painted(self) -> None:
        if self._frame_pending and not self._awaiting_trace:
            self._release()

    def _hold_frame(self) -> None:
        """The worker waits (before its next update) until the window has painted, at most FRAME_HOLD_MS."""
        w = self._window
        if not self._hold or w is None or not w.isVisible():
            self.go.set()                     # nothing on screen to wait for (tests, a hidden window)
            return
        self.go.clear()
        self._frame_pending = True
        self._frame_timer.start(FRAME_HOLD_MS)

    def prepare_kernels(self) -> None:
        """Load the compiled training loops in the background as soon as the Training panel is first
        shown, not when ▶ Train is pressed: the first run then starts at once. (numba: ~10^5 objects and
        ~110 MB, so not before the user looks at training; ▶ Train meanwhile waits behind the load, and
        says "preparing…".)"""
        if self._kernels_asked or kernels.ready() is not None or kernels.disabled():
            return
        self._kernels_asked = True
        self.runner.submit("prepare", lambda _task: kernels.load())

    def _on_partial(self, job, progs) -> None:
        if job is not self._job:
            return
        self.preparing = False
        self._hold_frame()
        for h, p in zip(self.mirrors, progs):
            for i in range(len(p.rows["loss"])):
                h.append(**{k: v[i] for k, v in p.rows.items()})
        self._frozen = [p.frozen for p in progs]
        self.updates_per_s = progs[0].updates_per_s
        self.snapshot_updates = progs[0].snapshot_updates
        now = time.monotonic()
        radius = getattr(progs[0], "radius", None)         # worked out in the worker (_train_job)
        if now - self._last_push >= PUSH_SECONDS and radius is not None and not progs[0].done:
            self._last_push = now
            if self.shows_in_views():         # every view redraws: the worker waits (at most HOLD_MS)
                self._awaiting_trace = True
                QTimer.singleShot(HOLD_MS, self._trace_arrived)
            if self._push(progs[0].params, radius=radius):
                self._awaiting_trace = False
        self.changed.emit()

    def _release(self) -> None:
        if not self._awaiting_trace:
            self._frame_pending = False
            self._frame_timer.stop()
            self.go.set()

    def _trace_arrived(self, _trace=None) -> None:
        """The views have the pushed weights' trace: let the worker go once they have painted it."""
        if self._awaiting_trace:
            self._awaiting_trace = False
            self._hold_frame()

    def _on_finished(self, job) -> None:
        if job is not self._job:
            return
        self._job = None
        last = job.result
        self.snapshot_updates = [u for u, _ in self.trainers[0].snapshots]
        err = self._push(self.trainers[0].params, quiet=True)
        if last and last[0].done == "diverged":
            self._set_message(last[0].message + (f". {err}" if err else ""))
        elif err:
            self._set_message(err)
        self.running_changed.emit(False)
        self.changed.emit()

    def _on_failed(self, job) -> None:
        if job is self._job:
            self._job = None
            self._set_message(f"Training stopped: {job.error}")
            self.running_changed.emit(False)

    def _caveat(self) -> str:
        """What the user should know of the runs before reading their loss (a bidirectional model on a
        next-step task reads its targets), or ""."""
        main = self.main
        why = reads_its_targets(main.task, main.spec.bidirectional) if main is not None else ""
        return f"⚠ {why[0].upper()}{why[1:]}" if why else ""

    def say(self, msg: str) -> None:
        """A message of the Train panel's own (a text file it can't read): shown until the next one."""
        self._set_message(msg)

    def _set_message(self, msg: str) -> None:
        if msg != self.message:
            self.message = msg
            self.message_changed.emit(msg)

    # ------------------------------------------------------------------ the other views
    def shows_in_views(self) -> bool:
        """Whether the other views can show this run's weights (they show typed sequences: a text)."""
        t = self.trainers[0].task if self.trainers else None
        return isinstance(t, NamesTask) or (isinstance(t, SequenceTask) and self.choice.kind in ("text", "file"))

    def _push(self, params: dict, quiet: bool = False, radius: float | None = None) -> str:
        """Show `params` (whose spectral radius is `radius`, None: work it out) in the other views; the
        reason when they can't (said unless `quiet`)."""
        if not self.shows_in_views() or self.stale():      # (never the old network over the user's new one)
            return ""
        task, c = self.trainers[0].task, self.state.config
        vocab = "".join(task.vocab) if task.vocab and not getattr(getattr(task, "seq", None), "n_source", 0) else ""
        candidates = [replace(c, vocab=vocab)]
        if isinstance(task, NamesTask):
            candidates.append(replace(c, source=task.shown_text(), kind="text", vocab=vocab,
                                      architecture="many-to-many"))
        elif self.choice.kind == "file":
            candidates.append(replace(c, source=shown_prefix(task.seq.source, task.vocab), kind="text", vocab=vocab))
        elif isinstance(task, SequenceTask):
            candidates.append(replace(c, source=task.seq.source, kind=task.seq.kind, vocab=vocab))
        err = ""
        for config in candidates:
            try:
                self.state.set_base_params(params, radius, config=config)
                return ""
            except ValueError as e:
                err = str(e)
        err = f"The other views can't show these weights: {err}"
        if not quiet:
            self._set_message(err)
        return err

    def show_snapshot(self, index: int | None) -> None:
        """The views show snapshot `index` of the main run (None: the latest weights)."""
        if self.running or not self.trainers or self.stale():
            return
        snaps = self.trainers[0].snapshots
        if index is None or not snaps or index >= len(snaps):
            self.viewing = None
            self._push(self.trainers[0].params)
        else:
            self.viewing = int(index)
            self._push(snaps[self.viewing][1])
        self.changed.emit()

    # ------------------------------------------------------------------ settings
    def set_optimizer(self, name: str, lr: float) -> None:
        """Change the update rule (its state starts afresh) or only the learning rate (state kept)."""
        self.settings.optimizer, self.settings.lr = name, float(lr)
        for tr in self.trainers:
            tr.settings.optimizer, tr.settings.lr = name, float(lr)
            if tr.optimizer.name != name:
                tr.optimizer = Optimizer(name, lr)
            else:
                tr.optimizer.lr = float(lr)
        self.changed.emit()

    def set_clipping(self, mode: str, threshold: float) -> None:
        if not (math.isfinite(threshold) and threshold > 0):     # never a setting a session can't restore
            raise ValueError(f"the clipping threshold must be a positive number, not {threshold}")
        self.settings.clip_mode, self.settings.clip_threshold = mode, float(threshold)
        for tr in self.trainers:
            tr.settings.clip_mode, tr.settings.clip_threshold = mode, float(threshold)
        self.changed.emit()

    def set_snapshot_every(self, n: int) -> None:
        self.settings.snapshot_every = int(n)
        for tr in self.trainers:
            tr.settings.snapshot_every = int(n)

    def set_window(self, window: int) -> None:
        """A text's window: later updates read the new windows (the carried state starts at 0)."""
        self.choice.window = int(window)
        for tr in self.trainers:
            if isinstance(tr.task, SequenceTask) and tr.task.window != window:
                old = tr.task
                tr.task = SequenceTask(old.seq, old.loss, old.architecture, int(window))
                tr.carry = None

    def set_task(self, choice: TaskChoice) -> None:
        """Another task (or its length / batch): new runs, with the task's recipe."""
        kind_changed = choice.kind != self.choice.kind
        self.choice = choice
        if kind_changed:
            opt, lr, mode, thr, _h, batch, length = RECIPES["text" if choice.kind == "file" else choice.kind]
            self.settings = TrainSettings(opt, lr, mode, thr, self.settings.snapshot_every)
            self.choice.batch = batch if choice.kind in ("names", "adding", "copy") else self.choice.batch
            self.choice.length = length or self.choice.length
        self.reset()

    def set_compare(self, cell: str) -> None:
        self.compare_cell = cell
        self.reset()


def shown_prefix(text: str, vocab: tuple[str, ...], least: int = 400, most: int = 20_000) -> str:
    """The start of a long text, long enough to hold every character of the vocabulary (so that the
    views can run the trained weights on it), at most `most` characters when possible."""
    need, seen = set(vocab), set()
    for i, ch in enumerate(text):
        seen.add(ch)
        if i + 1 >= least and seen >= need:
            return text[:i + 1]
        if i + 1 >= most and seen >= need:
            return text[:i + 1]
    return text
