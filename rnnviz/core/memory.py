"""Large temporaries without page faults (glibc only; elsewhere nothing changes).

A training update allocates and frees arrays of a few MB each (an LSTM at T = 100, batch 32 makes a
dozen of 3.3 MB). glibc serves such sizes with fresh mmap()s, or trims the freed top of its heap back
to the system, so each update touched its memory anew: 6,000 page faults an update, 40 % of its time
in the kernel (benchmarks/bench_train.py, adding problem). keep_freed_memory() raises glibc's mmap
threshold to its maximum (32 MB) and its trim threshold to 256 MB: freed blocks stay in the heap
and the next update reuses them. The process keeps at most that much freed memory for later.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024

_done: list[bool] = []
_lock = threading.Lock()


def keep_freed_memory() -> bool:
    """Once per process: whether glibc accepted the thresholds (False elsewhere: macOS, Windows, musl)."""
    with _lock:
        if not _done:
            ok = False
            if sys.platform.startswith("linux"):
                try:
                    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                    mallopt = libc.mallopt
                    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
                    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
                except (OSError, AttributeError):
                    ok = False
            _done.append(ok)
        return _done[0]
