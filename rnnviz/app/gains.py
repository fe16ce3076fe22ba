"""The local gains of the trace on screen, filled in after it: a second background job.

The local gains ||ds<t>/ds<t-1>||_2 (a batched Lanczos, some 30 products per step) cost more than the
forward pass and BPTT together, so a trace computed in the background comes without them
(run_config(gains=False)): every view draws it at once, and the views that quote a gain (the Gradients
tab's gain curve and verdict, the BPTT panel, the equations, the graph's tooltips, the lessons) say
"computing local gains…" until this job's result arrives; AppState then emits gains_changed(trace) and
they redraw. A newer trace supersedes the job (its lane is "gains"); so does any new computation, which
must not wait behind it on the one worker thread. Small traces, the CLI and exports compute everything
at once (no half figures in files).

The compiled kernels make the gains 3-4x faster (kernels/gain_kernels.py). Loading them costs a
second (the first time on a machine, some ten of compiling) and ~110 MB, so the window loads them
only when they pay: the Training panel in view (training_controller.prepare_kernels), or a trace whose
gains take some tenths of a second on NumPy (COMPILE_FOR_MADDS). They load in a job of their own; the
gains of that trace run on NumPy meanwhile, the next ones compiled.
"""
from __future__ import annotations

import copy

import numpy as np

from rnnviz.app.jobs import JobRunner
from rnnviz.core import kernels
from rnnviz.core.compute import compute_gains
from rnnviz.core.diagnostics import verdict

COMPILE_FOR_MADDS = 3e8     # a trace's gains this many multiply-adds (~0.2 s on NumPy): load the kernels
_ITERATIONS = 30            # Lanczos iterations per column, about (core/jacobians.py)
_PRODUCT = {"rnn": 1, "gru": 6, "lstm": 8}   # multiply-adds of one J^T J q per column, in units of n_a^2


def gains_madds(trace) -> float:
    """About how many multiply-adds the local gains of `trace` take."""
    total = 0.0
    for lt in trace.layers:
        n_a = lt.run.caches[0].states["a"].shape[1]
        total += _ITERATIONS * trace.T * trace.m * _PRODUCT.get(lt.cell.name, 8) * n_a * n_a
    return total


def with_gains(trace, gains: dict):
    """A copy of `trace` with `gains` put in, sharing its arrays: the trace on screen is not changed
    (the window reads it while a worker computes)."""
    view = copy.copy(trace)
    view.__dict__.pop("_verdicts", None)             # (the copy's memo is its own)
    view.layers = [copy.copy(lt) for lt in trace.layers]
    view.set_gains(gains)
    return view


def _gains_job(task, trace):
    """The gains and the verdict that quotes them (the default one: the top layer's forward direction),
    worked out here and not on the GUI thread when they arrive (it took 7 ms a push while training)."""
    gains = compute_gains(trace, should_stop=task.should_stop, progress=task.set_progress)
    view = with_gains(trace, gains)
    verdict(view)
    return gains, view.__dict__.get("_verdicts", {})


class GainsFill:
    """AppState's part that fills in the gains of the trace on screen (state.gains_pending, gains_progress)."""

    def __init__(self, state):
        self.state = state
        self.job = None
        self.progress = 0.0
        self.loader = None              # the JobRunner loading the compiled kernels, once asked
        state.jobs.progress.connect(self._on_progress)
        state.jobs.cancelled.connect(self._on_cancelled)

    @property
    def pending(self) -> bool:
        tr = self.state.trace
        return tr is not None and not tr.gains_ready

    def start(self, trace) -> None:
        """Compute the gains of `trace` (the one on screen) if it has none; supersedes an older job."""
        self.drop()
        if trace is None or trace.gains_ready:
            return
        self.progress = 0.0
        self.job = self.state.jobs.submit("gains", _gains_job, trace)
        if gains_madds(trace) > COMPILE_FOR_MADDS:
            self.load_kernels()

    def load_kernels(self) -> None:
        """Start loading the compiled kernels in a worker of their own (once; never if switched off)."""
        if self.loader is not None or kernels.gains_ready() is not None or kernels.disabled():
            return
        self.loader = JobRunner(self.state)
        self.loader.submit("prepare", lambda _task: kernels.load_gains())

    def shutdown(self) -> None:
        if self.loader is not None:
            self.loader.shutdown()

    def drop(self) -> None:
        """Stop computing (a new computation starts: it must not queue behind this job)."""
        if self.job is not None:
            self.job = None
            self.state.jobs.cancel("gains")

    def resume(self) -> None:
        """The trace on screen stays (a new computation failed or was cancelled): its gains again."""
        if self.job is None and self.pending:
            self.start(self.state.trace)

    def take(self, job, ok: bool) -> bool:
        """A finished or failed job of the runner: True if it was this one (then handled)."""
        if job is not self.job:
            return job.lane == "gains"      # an older gains job that finished as it was superseded
        self.job = None
        trace = job.args[0]
        if ok:
            gains, verdicts = job.result
            trace.set_gains(gains)
            trace.__dict__["_verdicts"] = dict(verdicts)
        else:   # no gains (not enough memory...): NaN, with the reason the views give
            trace.extras["gains_error"] = job.error
            trace.set_gains({(lt.layer, lt.direction): np.full_like(lt.local_gain, np.nan) for lt in trace.layers})
        if trace is self.state.trace:
            self.state.gains_changed.emit(trace)
        return True

    def _on_progress(self, job, fraction: float) -> None:
        if job is self.job:
            self.progress = fraction
            self.state.gains_progress.emit(fraction)

    def _on_cancelled(self, job) -> None:
        if job is self.job:       # the runner shut down, or someone cancelled every lane
            self.job = None


def wait_for_gains(state, parent=None) -> bool:
    """Before an export writes a file: let the local gains of the trace on screen arrive (no half
    figure in a file), under a progress dialog that keeps the window's events running; False if the
    user cancelled it (or the gains can't come)."""
    if state is None or not getattr(state, "gains_pending", False):
        return True
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QProgressDialog

    dlg = QProgressDialog("Computing the local gains before writing…", "Cancel", 0, 100, parent)
    dlg.setWindowTitle("Export")
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(300)       # a short wait never flashes a dialog
    dlg.setValue(round(100 * state._gains.progress))
    loop = QEventLoop()

    def check(*_):
        if not state.gains_pending or state._gains.job is None or dlg.wasCanceled():
            loop.quit()

    def show(fraction):
        dlg.setValue(min(99, round(100 * fraction)))

    links = [(state.gains_changed, check), (state.gains_progress, show), (state.jobs.cancelled, check),
             (state.jobs.failed, check), (dlg.canceled, check)]
    for sig, slot in links:
        sig.connect(slot)
    try:
        check()
        if state.gains_pending and state._gains.job is not None and not dlg.wasCanceled():
            loop.exec()
    finally:
        for sig, slot in links:
            sig.disconnect(slot)
        cancelled = dlg.wasCanceled()
        dlg.close()
    return not state.gains_pending and not cancelled
