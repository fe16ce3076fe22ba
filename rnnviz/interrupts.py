"""Ctrl-C on the command line, taken at a safe point.

Python's own handler raises KeyboardInterrupt wherever the main thread happens to be. In `rnnviz
export` and `rnnviz lesson` that is often inside Qt: in PySide6's import (an abort, exit 134), in a
view's paint called from C++ (a segfault, or the interrupt printed and swallowed while the export ran
on to exit 0). INTERRUPTS, installed by the CLI for its headless commands before anything is imported,
only records the signal; the work calls check() between its steps (each figure, each GIF frame, each
slide) and stops there with KeyboardInterrupt, in plain Python. Inside raising() (a computation in
NumPy, no Qt) Ctrl-C interrupts at once. A process that ignores SIGINT (nohup, a background job)
goes on ignoring it. No Qt here.
"""
from __future__ import annotations

import contextlib
import signal


class Interrupts:
    def __init__(self):
        self.asked = False
        self._raise_now = False
        self._old = None
        self._installed = False

    def install(self) -> bool:
        """Take SIGINT (unless it is ignored, or already taken); whether this call took it."""
        if self._installed:
            return False
        old = signal.getsignal(signal.SIGINT)
        if old is signal.SIG_IGN:
            return False
        self._old, self._installed, self.asked = old, True, False
        signal.signal(signal.SIGINT, self._on_signal)
        return True

    def uninstall(self) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._old if self._old is not None else signal.SIG_DFL)
            self._installed, self._raise_now = False, False

    @contextlib.contextmanager
    def taken(self):
        """SIGINT is recorded for the block (given back after it, if this block took it)."""
        mine = self.install()
        try:
            yield self
        finally:
            if mine:
                self.uninstall()

    def _on_signal(self, *_args) -> None:
        self.asked = True
        if self._raise_now:
            raise KeyboardInterrupt

    def check(self) -> None:
        """KeyboardInterrupt if Ctrl-C was pressed since the handler was installed."""
        if self.asked:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def raising(self):
        """Pure Python / NumPy work: Ctrl-C interrupts it at once."""
        self.check()
        before, self._raise_now = self._raise_now, True
        try:
            yield
        finally:
            self._raise_now = before

    def __call__(self) -> bool:
        return self.asked


INTERRUPTS = Interrupts()
