"""The engine's small per-step products run on one BLAS thread.

A 128 x 128 matrix-vector product takes ~2 µs; OpenBLAS's threads cost more than that to wake, and
when another process is multiplying matrices (a notebook beside the app, a second computation) they
fight over the cores: the vanilla engine at (T, n_a) = (1000, 128) took 10.6 ms idle but 80 ms busy
with the default threads, 11.7 ms busy with one (benchmarks/bench_engine.py prints both). threadpoolctl
sets the limit for the duration of a computation only; without it installed, nothing changes.
"""
from __future__ import annotations

from contextlib import contextmanager

_controller = None


@contextmanager
def one_blas_thread():
    """Limit BLAS to one thread inside the block (cheap: ~10 µs)."""
    global _controller
    try:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        limiter = _controller.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - threadpoolctl missing or unable to inspect: run as is
        yield
        return
    with limiter:
        yield


def single_threaded(fn):
    """Decorator: run `fn` inside one_blas_thread()."""
    from functools import wraps

    @wraps(fn)
    def run(*args, **kwargs):
        with one_blas_thread():
            return fn(*args, **kwargs)
    return run
