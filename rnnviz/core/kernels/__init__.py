"""Compiled kernels (numba) for the hot loops of training and of the engine's cells.

The NumPy code (cells/, optimizers.py, training.py) stays the reference: every kernel here computes
the same values (tests/core/test_kernels.py compares them, float64, rtol 1e-12) and is used only where
it pays (benchmarks/bench_train.py).

    load()   import numba and compile every kernel, or load it from numba's cache (seconds the first
             time on a machine, about a second after). Blocks: call it off the GUI thread — a
             training loop asked for many updates does, before its first (training.run_trainers).
    ready()  the kernels once load() has succeeded, else None. Never imports or compiles anything,
             so any thread may ask (the engine's cells use the kernels only once they are ready).
    load_gains() / gains_ready()   the same for the local gains' kernels too (app/gains.py loads
             them for a long sequence; training does not wait for them).
    use_kernels(False)   a context manager forcing the NumPy path (tests run both);
                         RNNVIZ_NO_NUMBA=1 in the environment does the same for a whole run.

Without numba (not installed, or it fails to import or compile) everything runs on NumPy; the log
says so once (a warning, no traceback). Compiled code is cached next to this module when that
folder is writable (a source checkout), else in numba's user-wide cache or, failing that, in a
folder of rnnviz's own (NUMBA_CACHE_DIR, set before numba is imported).
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded = None          # the namespace of kernels once compiled
_tried = False
_gains_loaded = False   # the local gains' kernels (gain_kernels.py) compiled too
_gains_tried = False
_forced: list[bool] = []   # use_kernels(...) stack; the innermost wins


def disabled() -> bool:
    """Whether the NumPy path is forced (RNNVIZ_NO_NUMBA=1, or use_kernels(False))."""
    if _forced:
        return not _forced[-1]
    return os.environ.get("RNNVIZ_NO_NUMBA", "").strip() not in ("", "0")


@contextmanager
def use_kernels(on: bool):
    """Force the kernels on (when they load) or off inside the block."""
    _forced.append(bool(on))
    try:
        yield
    finally:
        _forced.pop()


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
        return True
    except OSError:
        return False


def _cache_dir() -> None:
    """numba caches next to the module, else in the user's cache; when neither is writable (an
    installed package and a read-only home), in a temporary folder of rnnviz's."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    if _writable(Path(__file__).resolve().parent / "__pycache__"):
        return
    home = os.environ.get("RNNVIZ_HOME")
    for folder in ([Path(home) / "numba-cache"] if home else []) + \
            [Path.home() / ".cache" / "rnnviz" / "numba", Path(tempfile.gettempdir()) / "rnnviz-numba-cache"]:
        if _writable(folder):
            os.environ["NUMBA_CACHE_DIR"] = str(folder)
            return


def load():
    """The compiled kernels (compiling or loading them from the cache on first call), or None."""
    global _loaded, _tried
    if disabled():
        return None
    with _lock:
        if not _tried:
            _tried = True
            try:
                _cache_dir()
                from . import compiled

                compiled.warm_up()
                _loaded = compiled
            except Exception as e:  # noqa: BLE001 - numba missing, too old or failing to compile
                _log.warning("the compiled kernels are not available (%s: %s); training runs on NumPy",
                             type(e).__name__, str(e).splitlines()[0] if str(e) else "")
    return ready()


def load_gains():
    """load(), then the local gains' kernels (kernels/gain_kernels.py: some 3 s more the first time
    on a machine, which training need not wait for); the namespace once both are ready, or None."""
    global _gains_loaded, _gains_tried
    fast = load()
    if fast is None:
        return None
    with _lock:
        if not _gains_tried:
            _gains_tried = True
            try:
                fast.gain_kernels.warm_up()
                _gains_loaded = True
            except Exception as e:  # noqa: BLE001 - as load(): NumPy does the gains
                _log.warning("the local gains' compiled kernels are not available (%s: %s); NumPy computes them",
                             type(e).__name__, str(e).splitlines()[0] if str(e) else "")
    return gains_ready()


def gains_ready():
    """The kernels, the local gains' included, once load_gains() has succeeded; else None (never
    compiles anything: the gains then run on NumPy)."""
    return ready() if _gains_loaded else None


def sequence_kernels(n_a: int, m: int):
    """The kernels for a gated cell's whole-sequence loops (LSTM, GRU) once loaded, else None. With
    their products on BLAS (dgemv for one column) they match or beat NumPy's step by step at every
    size measured: at T = 1000, m = 1 an LSTM's forward and backward take 22 ms against 23 at
    n_a = 128 and 663 against 690 at 512, a GRU's 14 against 23 and 481 against 521; with a batch the
    per-step calls NumPy makes cost more than the work (the adding problem's update: 12 ms to 5.3).
    (Before BLAS, plain loops lost at n_a = 512 and one column, 1211 ms against 678, and NumPy kept those.)"""
    return ready()


def ready():
    """The compiled kernels if load() has succeeded (and they are not switched off), else None."""
    return None if disabled() else _loaded
