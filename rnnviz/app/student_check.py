"""StudentCheck: the window's side of the checker (rnnviz.checker) — which file is checked, the
check running off the GUI thread, and the file watched so that saving it checks it again.

The check runs as a background job (app/jobs.py) on its own JobRunner, so a student file that runs
for its whole 30 s never holds up the window's own recomputations; a newer check (another file, a
save) supersedes the running one, and cancel() kills its child process at once. The file runs in a
child process (rnnviz.checker.run) with time, memory and output limits: a file that loops forever or
allocates without bound costs the window nothing.

The watcher is robust to editors that save by writing a new file and renaming it over the old one
(vim, many IDEs): the file's folder is watched too, the file is watched again when it reappears, and
a save is recognised by the file's size and modification time, after a short quiet period (editors
write in several steps).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from rnnviz.app.jobs import JobRunner
from rnnviz.checker.run import CheckReport, check_file

SETTLE_MS = 300          # a save is checked once the file has been quiet this long
MAX_WINDOW_ENTRIES = 2_000_000   # the window's sequence is checked too when its arrays are this small


def _signature(path: Path):
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _window_cases(trace) -> tuple[list, str]:
    """The window's sequence and weights as extra cases (the one-layer, one-direction tanh RNN or LSTM
with softmax outputs: the notes' rnn_* or lstm_* functions)."""
    from rnnviz.checker.cases import trace_cases

    if trace is None:
        return [], ""
    trace = trace.extras.get("batch", trace)      # a batch: the student's function gets all of it
    if trace.T * trace.m * max(trace.n_x, trace.n_a, trace.n_y) > MAX_WINDOW_ENTRIES:
        return [], "the window's sequence is too large to send to your file; only the notes' examples were run"
    try:
        cases = trace_cases(trace)
    except (ValueError, KeyError, MemoryError):
        return [], ""
    if not cases:
        return [], ("the window shows a model the notes' functions do not describe (they are the one-layer, "
                    "one-direction tanh RNN or LSTM with softmax outputs): only the notes' examples were run")
    return cases, ""


def fingerprint(trace) -> str | None:
    """What the window's sequence cases depend on (the batch's x, a⟨0⟩, targets and weights), so that a
    new trace showing another example of the same batch does not make a check stale."""
    import hashlib

    import numpy as np

    if trace is None:
        return None
    trace = trace.extras.get("batch", trace)
    if trace.T * trace.m * max(trace.n_x, trace.n_a, trace.n_y) > MAX_WINDOW_ENTRIES:
        return None
    h = hashlib.blake2b(digest_size=16)
    for arr in [trace.x, trace.a0, trace.y, trace.step_weight] + [trace.params[k] for k in sorted(trace.params)]:
        h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    h.update(repr((trace.spec, trace.loss_name)).encode())
    return h.hexdigest()


def _run_check(task, path: str, trace) -> CheckReport:
    extra, note = _window_cases(trace)
    task.set_progress(0.0)
    report = check_file(path, extra, should_stop=task.should_stop, progress=task.set_progress)
    if note:
        report.notes.append(note)
    return report


class StudentCheck(QObject):
    """One student file at a time: check(path), rerun(), cancel(); results by signal."""

    started = Signal(str)              # the path being checked
    finished = Signal(object)          # CheckReport
    failed = Signal(str)               # why the check could not run (the file unreadable, ...)
    cancelled = Signal()
    progress = Signal(float)
    busy_changed = Signal(bool)
    watching_changed = Signal(str)     # the path watched ("" when none)

    def __init__(self, state, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.path: Path | None = None
        self.report: CheckReport | None = None
        self.runs = 0                      # checks started (tests read it)
        self._job = None
        self.jobs = JobRunner(self)
        self.jobs.finished.connect(self._on_finished)
        self.jobs.failed.connect(self._on_failed)
        self.jobs.cancelled.connect(self._on_cancelled)
        self.jobs.progress.connect(lambda job, f: job is self._job and self.progress.emit(f))
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._on_changed)
        self.watcher.directoryChanged.connect(self._on_changed)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        self._seen = None                  # the file's signature when it was last checked
        self.checked = None                # fingerprint() of the window's sequence it was checked on

    @property
    def busy(self) -> bool:
        return self._job is not None

    # ------------------------------------------------------------------ what the user does
    def check(self, path) -> None:
        """Check `path` now and watch it from now on."""
        p = Path(path).resolve()
        if p != self.path:
            self._unwatch()
            self.path = p
            self._watch()
            self.watching_changed.emit(str(p))
        self._start()

    def rerun(self) -> None:
        if self.path is not None:
            self._start()

    def cancel(self) -> None:
        """Stop the running check (its child process is killed); the last results stay."""
        if self._job is not None:
            self.jobs.cancel("check")

    def stop_watching(self) -> None:
        self.cancel()
        self._unwatch()
        self.path = None
        self.watching_changed.emit("")

    def shutdown(self) -> None:
        """The window closes: drop the check and end the student's process now (never waits)."""
        from rnnviz.checker.run import kill_children

        self._settle.stop()
        self._job = None
        self.jobs.shutdown()
        kill_children()

    # ------------------------------------------------------------------ the job
    def _start(self) -> None:
        self._seen = _signature(self.path)
        self.runs += 1
        was_busy = self.busy
        self.checked = fingerprint(self.state.trace)
        self._job = self.jobs.submit("check", _run_check, str(self.path), self.state.trace)
        self.started.emit(str(self.path))
        if not was_busy:
            self.busy_changed.emit(True)

    def _done(self) -> None:
        self._job = None
        self.busy_changed.emit(False)

    def _on_finished(self, job) -> None:
        if job is self._job:
            self._done()
            self.report = job.result
            self.finished.emit(job.result)

    def _on_failed(self, job) -> None:
        if job is self._job:
            self._done()
            self.failed.emit(job.error)

    def _on_cancelled(self, job) -> None:
        if job is self._job:          # cancelled by the user (a superseded job is not self._job any more)
            self._done()
            self.cancelled.emit()

    # ------------------------------------------------------------------ the watcher
    def _watch(self) -> None:
        p = self.path
        if p is None:
            return
        if p.parent.is_dir() and str(p.parent) not in self.watcher.directories():
            self.watcher.addPath(str(p.parent))
        if p.exists() and str(p) not in self.watcher.files():
            self.watcher.addPath(str(p))

    def _unwatch(self) -> None:
        self._settle.stop()
        for lst in (self.watcher.files(), self.watcher.directories()):
            if lst:
                self.watcher.removePaths(lst)

    def _on_changed(self, _changed: str) -> None:
        if self.path is None:
            return
        self._watch()                 # saved by rename: the new file is watched again
        self._settle.start()

    def _on_settled(self) -> None:
        if self.path is None:
            return
        self._watch()
        sig = _signature(self.path)
        if sig is None or sig == self._seen:
            return                    # deleted (for now), or another file in the folder changed
        self._start()
