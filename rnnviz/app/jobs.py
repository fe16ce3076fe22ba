"""Background work: pure functions run off the GUI thread, with progress, partial results and cancel.

In the style of Orange3's TaskState: the function gets a TaskState as its first argument, reports
with set_progress / set_partial_result and polls should_stop() (is_interruption_requested) between
chunks of work. Results come back to the GUI thread as signals of the JobRunner.

Jobs run one at a time on one worker thread. Each job belongs to a lane ("main", "compare", ...):
a newer job supersedes the older ones of its lane, so a queued one is dropped and a running one is
asked to stop; whatever it returns afterwards is dropped too, and it is reported as cancelled.
The worker is a daemon thread and nobody waits for it: closing the window (shutdown) is immediate.
A job still inside a long NumPy call when the program ends must not see the interpreter finalize
around it (that crashed, or hung in OpenBLAS's exit handler): the app then leaves with
exit_process(), which skips finalization (everything worth keeping was saved when the window closed).
"""
from __future__ import annotations

import itertools
import os
import sys
import threading
import weakref
from collections import deque

from PySide6.QtCore import QObject, Signal, Slot

_ids = itertools.count(1)
_runners: "weakref.WeakSet[JobRunner]" = weakref.WeakSet()


def working() -> bool:
    """Whether a worker thread of any runner is still running (a worker ends when its queue is empty)."""
    return any(r._thread is not None for r in list(_runners))


def busy(besides: tuple[str, ...] = ()) -> bool:
    """Whether a worker of any runner (the window's, a training's) is computing a job of a lane not
    in `besides`, or has one queued: work that takes the interpreter lock in turn with the GUI thread."""
    for r in list(_runners):
        if r._closed:        # its window is gone (shutdown): its job was asked to stop and is nobody's
            continue
        with r._cond:
            running = r._running
            jobs = ([running] if running is not None and running.computing else []) + list(r._queue)
        if any(j.lane not in besides for j in jobs):
            return True
    return False


def wait_all(seconds: float) -> bool:
    """Let every worker thread end (tests, before their process exits); False if one still runs."""
    return all(r.wait_idle(seconds * 1000) for r in list(_runners))


def exit_process(code: int) -> None:
    """End the process now, without finalizing the interpreter around a worker inside NumPy."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class TaskState:
    """What a running function sees of its job: report progress, check whether to stop."""

    def __init__(self, runner: "JobRunner", job: "Job"):
        self._runner, self._job = runner, job
        self._stop = threading.Event()

    def is_interruption_requested(self) -> bool:
        return self._stop.is_set()

    should_stop = is_interruption_requested  # the name core's functions take (should_stop=...)

    def request_interruption(self) -> None:
        self._stop.set()

    def set_progress(self, fraction: float) -> None:
        self._runner._post(self._job, "progress", float(fraction))

    def set_partial_result(self, value) -> None:
        self._runner._post(self._job, "partial", value)


class Job:
    """One call fn(task, *args) in a lane; status: queued, running, done, failed or cancelled."""

    def __init__(self, runner: "JobRunner", lane: str, fn, args: tuple):
        self.id, self.lane, self.fn, self.args = next(_ids), lane, fn, args
        self.task = TaskState(runner, self)
        self.status = "queued"
        self.computing = False     # its function is running in the worker now (not yet returned)
        self.result = None
        self.error = ""

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.lane} {self.status}>"


# A worker's Python loop keeps the interpreter lock until another thread has asked for it for this long;
# the GUI thread lets go of the lock in every call into Qt (PySide releases it), so a redraw of a few
# thousand calls beside a worker waited up to 5 ms (Python's default) at each: F11 beside a training
# worker took 0.5-1.2 s instead of 0.2-0.3 s (benchmarks/bench_f11.py --worker). At 0.5 ms the worker
# loses little (it hands over only when asked) and the window is as quick as it is alone.
GIL_SWITCH_INTERVAL_S = 0.0005


def hand_the_gil_back_quickly() -> None:
    if sys.getswitchinterval() > GIL_SWITCH_INTERVAL_S:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


class JobRunner(QObject):
    finished = Signal(object)             # Job (job.result holds what fn returned)
    failed = Signal(object)               # Job (job.error holds the message)
    cancelled = Signal(object)            # Job: superseded, cancelled, or shut down
    progress = Signal(object, float)      # Job, fraction done
    partial_result = Signal(object, object)
    _posted = Signal(object, str, object)  # worker -> GUI thread (a queued connection)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        # workers and the GUI thread both run NumPy: BLAS's thread count is set once, never toggled
        # under a running call (that crashed in dgeev); see rnnviz/core/blas.py
        from rnnviz.core.blas import pin_one_thread

        pin_one_thread()
        hand_the_gil_back_quickly()
        self._queue: deque[Job] = deque()
        self._running: Job | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        # held while the worker posts and while shutdown closes: once shutdown has returned no worker
        # is inside an emit on this runner (the window may delete it right after)
        self._post_lock = threading.Lock()
        self.counts = {"submitted": 0, "started": 0, "done": 0, "failed": 0, "cancelled": 0}
        self._posted.connect(self._deliver)
        _runners.add(self)

    # ------------------------------------------------------------------ GUI thread
    def submit(self, lane: str, fn, *args) -> Job:
        """Run fn(task, *args) after the jobs before it; older jobs of `lane` are superseded."""
        self.cancel(lane)
        job = Job(self, lane, fn, args)
        with self._cond:
            self._closed = False
            self._queue.append(job)
            self.counts["submitted"] += 1
            if self._thread is None:  # a worker runs while there is work, then ends (see _work)
                self._thread = threading.Thread(target=self._work, name="rnnviz-jobs", daemon=True)
                self._thread.start()
        return job

    def cancel(self, lane: str | None = None) -> None:
        """Drop the queued jobs of `lane` (None: every lane) and ask its running job to stop."""
        with self._cond:
            dropped = [j for j in self._queue if lane is None or j.lane == lane]
            for j in dropped:
                self._queue.remove(j)
            running = self._running
            if running is not None and (lane is None or running.lane == lane):
                running.task.request_interruption()
        for j in dropped:
            j.task.request_interruption()
            self._finish_cancelled(j)

    def shutdown(self) -> None:
        """Cancel everything and let the worker end after its current call; never waits."""
        self.cancel()
        with self._post_lock, self._cond:
            self._closed = True

    def pending(self) -> list[Job]:
        """The running job and the queued ones, in order."""
        with self._cond:
            return ([self._running] if self._running else []) + list(self._queue)

    def wait_idle(self, msecs: int = 60000) -> bool:
        """Block until no job is queued or running (tests and scripts; the window never waits)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._thread is None, msecs / 1000)

    def _finish_cancelled(self, job: Job) -> None:
        job.status = "cancelled"
        self.counts["cancelled"] += 1
        self.cancelled.emit(job)

    @Slot(object, str, object)
    def _deliver(self, job: Job, kind: str, value) -> None:
        if kind in ("progress", "partial"):
            if not job.task.is_interruption_requested():
                (self.progress if kind == "progress" else self.partial_result).emit(job, value)
            return
        if job.task.is_interruption_requested():  # superseded while it ran: its result is dropped
            self._finish_cancelled(job)
        elif kind == "done":
            job.status, job.result = "done", value
            self.counts["done"] += 1
            self.finished.emit(job)
        else:
            job.status, job.error = "failed", value
            self.counts["failed"] += 1
            self.failed.emit(job)

    # ------------------------------------------------------------------ worker thread
    def _post(self, job: Job, kind: str, value) -> None:
        with self._post_lock:
            if self._closed:
                return  # the window is gone: nobody to tell (and its objects may be deleted)
            try:
                self._posted.emit(job, kind, value)     # queued: it only posts an event
            except RuntimeError:  # the runner was deleted while the job ran
                pass

    def _work(self) -> None:
        while True:
            with self._cond:
                self._running = None
                if not self._queue:  # nothing left: this thread ends (submit starts another)
                    self._thread = None
                    self._cond.notify_all()
                    return
                job = self._running = self._queue.popleft()
                job.status = "running"
                job.computing = True
                self.counts["started"] += 1
            try:
                kind, value = "done", job.fn(job.task, *job.args)
            except ValueError as e:
                kind, value = "failed", str(e)
            except MemoryError:
                kind, value = "failed", "not enough memory for this computation; use fewer steps or hidden units"
            except Exception as e:  # noqa: BLE001 - a bug or a stop: a message, never a dead thread
                kind, value = "failed", f"internal error: {type(e).__name__}: {e}"
            job.computing = False       # (before the GUI thread hears of it: busy() is then False)
            self._post(job, kind, value)
