"""The child process that runs a student's file: `python -m rnnviz.checker.child FILE JOB_DIR`.

JOB_DIR holds cases.json (which functions to call, with which arguments as tree nodes) and
inputs.npz. For each case whose function the file defines, the result (or the exception) is written
at once to JOB_DIR/results.jsonl and JOB_DIR/out<i>.npz, so whatever finished before a time-out or a
crash is kept. Limits set here: address space, CPU time, file size; stdout / stderr go to files in
JOB_DIR (the parent reads only their start). Imports only NumPy and the checker's tree module.
"""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import traceback


def _limits(memory_mb: int, cpu_s: int, file_mb: int) -> None:
    try:
        import resource
    except ImportError:      # not POSIX: the parent's wall-clock time-out still applies
        return
    for lim, value in ((resource.RLIMIT_AS, memory_mb << 20), (resource.RLIMIT_CPU, cpu_s),
                       (resource.RLIMIT_FSIZE, file_mb << 20)):
        try:
            resource.setrlimit(lim, (value, value))
        except (ValueError, OSError):
            pass
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a full output file makes writes fail, not the process


class _Capped:
    """A text stream that keeps the first `cap` characters written to it and counts the rest, so a
    file that prints megabytes keeps running (and the report shows the start and the total)."""

    def __init__(self, path: str, cap: int):
        self._f = open(path, "w", encoding="utf-8", errors="replace")
        self.cap, self.kept, self.dropped = cap, 0, 0

    def write(self, s: str) -> int:
        room = self.cap - self.kept
        if room > 0:
            self._f.write(s[:room])
            self.kept += min(len(s), room)
        self.dropped += max(len(s) - max(room, 0), 0)
        return len(s)

    def flush(self) -> None:
        self._f.flush()

    def isatty(self) -> bool:
        return False

    def close_note(self) -> None:
        if self.dropped:
            self._f.write(f"\n… ({self.kept + self.dropped:,} characters in all; the rest is not shown)")
        self._f.flush()


def _redirect(job: str, cap: int) -> list:
    """C-level output (fds 1, 2) to files limited by RLIMIT_FSIZE; Python's print to capped streams."""
    for fd, name in ((1, "stdout.c.txt"), (2, "stderr.c.txt")):
        f = os.open(os.path.join(job, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd)
        os.close(f)
    sys.stdout = _Capped(os.path.join(job, "stdout.txt"), cap)
    sys.stderr = _Capped(os.path.join(job, "stderr.txt"), cap)
    return [sys.stdout, sys.stderr]


def _theirs(e: BaseException, limit: int) -> str:
    """The traceback from the student's own code on: the checker's frames (this module, importlib's
    loading) are not theirs to read. A SyntaxError, which has no frame of theirs, keeps its
    file, line and caret."""
    tb = e.__traceback__
    while tb is not None and (tb.tb_frame.f_code.co_filename == __file__
                              or tb.tb_frame.f_code.co_filename.startswith("<frozen")):
        tb = tb.tb_next
    if tb is None:
        return "".join(traceback.format_exception_only(type(e), e))
    return "".join(traceback.format_exception(type(e), e, tb, limit=limit))


def _kind(value) -> str:
    """What a value is, in a few words: "None", "an int", "a list"."""
    if value is None:
        return "None"
    name = type(value).__name__
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def main(argv: list[str]) -> int:
    path, job = argv[0], argv[1]
    with open(os.path.join(job, "cases.json"), encoding="utf-8") as f:
        spec = json.load(f)
    _limits(spec.get("memory_mb", 2048), spec.get("cpu_s", 60), spec.get("file_mb", 8))
    streams = _redirect(job, spec.get("output_chars", 20000))
    try:
        return _run(path, job, spec)
    finally:
        for st in streams:
            st.close_note()


def _run(path: str, job: str, spec: dict) -> int:
    import numpy as np

    from rnnviz.checker.tree import decode, encode

    out = open(os.path.join(job, "results.jsonl"), "a", encoding="utf-8")

    def report(d: dict) -> None:
        out.write(json.dumps(d) + "\n")
        out.flush()

    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)                    # the notebooks import helpers such as rnn_utils
    os.chdir(folder)
    try:
        module_spec = importlib.util.spec_from_file_location("student_submission", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    except BaseException as e:                     # noqa: BLE001 - their file's error, reported as text
        report({"event": "import", "status": "raised", "traceback": _theirs(e, 8)[-6000:]})
        return 0
    defined = [name for name in spec["functions"] if callable(getattr(module, name, None))]
    others = {name: _kind(getattr(module, name)) for name in spec["functions"]
              if name not in defined and hasattr(module, name)}      # rnn_forward = 5: named, not a function
    report({"event": "import", "status": "ok", "defined": defined, "not_functions": others})
    with np.load(os.path.join(job, "inputs.npz"), allow_pickle=False) as z:
        inputs = {k: z[k] for k in z.files}
    for i, case in enumerate(spec["cases"]):
        fn = getattr(module, case["function"], None)
        if not callable(fn):
            continue
        args = decode(case["args"], inputs)
        report({"event": "start", "case": i})
        try:
            result = fn(*args)
        except BaseException as e:                 # noqa: BLE001 - MemoryError, RecursionError, ... are theirs
            report({"event": "result", "case": i, "status": "raised", "traceback": _theirs(e, 6)[-6000:]})
            continue
        try:
            node, arrays = encode(result, prefix="r")
            np.savez(os.path.join(job, f"out{i}.npz"), **arrays)
            report({"event": "result", "case": i, "status": "ok", "value": node})
        except BaseException as e:                 # noqa: BLE001
            report({"event": "result", "case": i, "status": "raised",
                    "traceback": f"the result could not be read: {type(e).__name__}: {e}"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
