"""Ctrl-C on the command line as a request to stop at the next safe point (`rnnviz train`)."""
from __future__ import annotations

import signal


class CtrlC:
    """A context in which SIGINT asks the work to stop instead of raising KeyboardInterrupt wherever
    Python happens to be: `rnnviz train` stops after the update it is making, so that the weights and
    the history it writes are those of whole updates (a KeyboardInterrupt in the middle of the
    optimizer's step lost the whole run). Calling the object says whether it was asked (the training
    loop's should_stop).

    - Nothing worth keeping yet (worth_keeping() False: no update made): Ctrl-C interrupts at once.
    - A second Ctrl-C interrupts at once (KeyboardInterrupt: the files being made are dropped).
    - While `moving` (the finished files go into place) Ctrl-C waits, so a folder never holds half
      of one run's files and half of another's.
    - A process that ignores SIGINT (started with nohup, or in the background) goes on ignoring it."""

    def __init__(self, worth_keeping=lambda: False):
        self.worth_keeping = worth_keeping
        self.asked = False
        self.moving = False
        self.updates_written = 0      # what the work says it kept (train: the updates in the files)
        self._old = None

    def __enter__(self) -> "CtrlC":
        from rnnviz.interrupts import INTERRUPTS

        INTERRUPTS.check()          # pressed while the command started (PySide6's import): nothing to keep
        self._old = signal.getsignal(signal.SIGINT)
        if self._old is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, self._on_signal)
        return self

    def __exit__(self, *_exc) -> None:
        if self._old is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, self._old if self._old is not None else signal.SIG_DFL)

    def _on_signal(self, *_args) -> None:
        again = self.asked
        self.asked = True
        if self.moving:
            return
        if again or not self.worth_keeping():
            raise KeyboardInterrupt

    def __call__(self) -> bool:
        return self.asked
