"""The engine's small per-step products run on one BLAS thread.

A 128 x 128 matrix-vector product takes ~2 µs; OpenBLAS's threads cost more than that to wake, and
when another process is multiplying matrices (a notebook beside the app, a second computation) they
fight over the cores: the vanilla engine at (T, n_a) = (1000, 128) took 10.6 ms idle but 80 ms busy
with the default threads, 11.7 ms busy with one (benchmarks/bench_engine.py prints both).

Changing OpenBLAS's thread count while another thread is inside a BLAS call is not safe (it resized
the pool under a running dgeev: a segmentation fault when the window computed in the background
while the GUI thread computed too). So:
- a program with several threads doing NumPy work (the window: rnnviz.app.jobs) calls
  pin_one_thread() once before it starts them, and every one_blas_thread() after that is free;
- elsewhere (a script, a notebook), one_blas_thread() limits BLAS for the outermost block only,
  under a lock, and restores the caller's setting when the last block ends.
Without threadpoolctl installed, nothing changes.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

_controller = None
_pinned = False
_lock = threading.Lock()
_depth = 0
_limiter = None


def _get_controller():
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def pin_one_thread() -> bool:
    """BLAS on one thread for the rest of the process (call before starting worker threads)."""
    global _pinned
    with _lock:
        if _pinned:
            return True
        try:
            _get_controller().limit(limits=1, user_api="blas")
        except Exception:  # noqa: BLE001 - threadpoolctl missing or unable to inspect: run as is
            return False
        _pinned = True
        return True


@contextmanager
def one_blas_thread():
    """Limit BLAS to one thread inside the block (cheap: ~10 µs; free once pinned)."""
    global _depth, _limiter
    if _pinned:
        yield
        return
    with _lock:
        if _depth == 0:
            try:
                _limiter = _get_controller().limit(limits=1, user_api="blas")
            except Exception:  # noqa: BLE001 - threadpoolctl missing or unable to inspect: run as is
                _limiter = None
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None


def single_threaded(fn):
    """Decorator: run `fn` inside one_blas_thread()."""
    from functools import wraps

    @wraps(fn)
    def run(*args, **kwargs):
        with one_blas_thread():
            return fn(*args, **kwargs)
    return run
