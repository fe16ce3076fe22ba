"""check_file(path): run a student's file in a child process on the notes' inputs (and optionally the
window's sequence), compare every function it defines with ours, and say where and why they part.

Limits (all in CheckLimits): wall-clock seconds for the whole file, address space, CPU seconds, the
size of what it prints. A file that loops forever, allocates without bound or prints megabytes is
reported (timed out / raised MemoryError / output cut), never hangs the caller.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import mistakes
from .cases import FUNCTIONS, Case, notes_cases
from .compare import Difference, first_difference, largest_difference
from .tree import decode, encode

OUTPUT_SHOWN = 4000       # characters of the file's stdout / stderr kept in the report
POLL_S = 0.05             # how often a running check looks at should_stop()


_children: set = set()     # the child processes running now (kill_children ends them)


def kill_children() -> None:
    """End every student file still running (the window is closing: nobody waits for them)."""
    for proc in list(_children):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass


class Cancelled(Exception):
    """check_file stopped because its should_stop() said so (the child was killed)."""


@dataclass(frozen=True)
class CheckLimits:
    seconds: float = 30.0
    memory_mb: int = 2048
    cpu_s: int = 60
    output_mb: int = 8


@dataclass
class FunctionResult:
    function: str
    status: str                   # pass | fail | raised | missing | not a function | timeout | not run
    label: str = ""               # which inputs: "the notes' example", "your sequence"
    difference: Difference | None = None
    max_abs_diff: float = float("nan")
    hint: str = ""
    traceback: str = ""
    theirs: object = field(default=None, repr=False)   # both results as returned, for showing values
    ours: object = field(default=None, repr=False)
    why: str = ""                 # why it was not run, when not for the time an earlier one took;
                                  # for "not a function", what it is ("an int")

    def summary(self) -> str:
        if self.status == "pass":
            return f"pass (largest difference {self.max_abs_diff:.1e})"
        if self.status == "fail":
            where = self.difference.text() if self.difference else "the results differ"
            return f"FAIL: {where}" + (f" — {self.hint}" if self.hint else "")
        if self.status == "raised":
            last = self.traceback.strip().splitlines()[-1] if self.traceback.strip() else "an exception"
            return f"raised {last}"
        if self.status == "not run" and self.why:
            return f"not run ({self.why})"
        if self.status == "not a function":
            return f"defined but is not a function (it is {self.why or 'something else'})"
        return {"missing": "not defined in the file", "timeout": "timed out (the file ran too long)",
                "not run": "not run (an earlier function used up the time)"}.get(self.status, self.status)

    def to_json(self) -> dict:
        d = self.difference
        return {"function": self.function, "status": self.status, "inputs": self.label,
                "max_abs_diff": None if np.isnan(self.max_abs_diff) else self.max_abs_diff,
                "first_difference": None if d is None else {
                    "quantity": d.quantity, "step": d.step, "unit": None if d.unit is None else list(d.unit),
                    "theirs": d.theirs, "ours": d.ours, "structure": d.structure, "text": d.text()},
                "hint": self.hint or None, "traceback": self.traceback or None, "why": self.why or None}


@dataclass
class CheckReport:
    path: str
    results: list[FunctionResult]
    import_error: str = ""        # why the file did not load: its traceback, or what ended it (and its stderr)
    load_failure: str = ""        # "" (it loaded) | raised | timeout | ended (exited or killed while loading)
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def defined(self) -> list[str]:
        return sorted({r.function for r in self.results if r.status != "missing"})

    @property
    def ok(self) -> bool:
        """True when the file ran and every function it defines passed."""
        return not self.import_error and all(r.status in ("pass", "missing") for r in self.results) and \
            any(r.status == "pass" for r in self.results)


def check_file(path: str | os.PathLike, extra: list[Case] | None = None, limits: CheckLimits = CheckLimits(),
               should_stop=None, progress=None) -> CheckReport:
    """Run and check the file. ValueError when the file can't be read at all (missing, a folder) or
    is not a Python file (its name must end in .py, as Python's own loader needs).

    should_stop, if given, is polled while the file runs (the window's background job): when it
    returns True the child process is killed and Cancelled is raised. progress, if given, is called
    with the fraction of the cases that have finished, as they finish."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{p}: no such file" if not p.exists() else
                         f"{p} is a folder, not a Python file (.py)" if p.is_dir() else f"{p} is not a file")
    if p.suffix != ".py":
        raise ValueError(f"{p} is not a Python file (.py)")
    cases = notes_cases() + list(extra or [])
    with tempfile.TemporaryDirectory(prefix="rnnviz-check-") as job:
        arrays: dict = {}
        spec = {"functions": list(FUNCTIONS), "memory_mb": limits.memory_mb, "cpu_s": limits.cpu_s,
                "file_mb": limits.output_mb,
                "cases": [{"function": c.function, "args": encode(c.args, arrays, prefix=f"c{i}_")[0]}
                          for i, c in enumerate(cases)]}
        with open(os.path.join(job, "cases.json"), "w", encoding="utf-8") as f:
            json.dump(spec, f)
        np.savez(os.path.join(job, "inputs.npz"), **arrays)
        t0 = time.monotonic()
        timed_out, code = _run_child(p, job, limits, should_stop, progress, len(cases))
        seconds = time.monotonic() - t0
        events = _events(job)
        report = CheckReport(str(p), [], stdout=_head(job, "stdout"), stderr=_head(job, "stderr"),
                             seconds=seconds, timed_out=timed_out)
        imp = next((e for e in events if e.get("event") == "import"), None)
        if imp is None:
            report.load_failure = "timeout" if timed_out else "ended"
            report.import_error = ("the file did not finish loading within "
                                   f"{limits.seconds:g} s" if timed_out else _ended_loading(code))
            if report.stderr:
                report.import_error += "\n" + report.stderr
            why = "the file did not finish loading" if timed_out else "the file did not load"
            report.results = [FunctionResult(c.function, "not run", c.label, why=why) for c in cases]
            return report
        if imp["status"] != "ok":
            report.load_failure = "raised"
            report.import_error = imp.get("traceback", "")
            report.results = [FunctionResult(c.function, "not run", c.label, why="the file raised while it was loading")
                              for c in cases]
            return report
        defined = set(imp.get("defined", []))
        not_functions = imp.get("not_functions", {})
        results = {e["case"]: e for e in events if e.get("event") == "result"}
        started = {e["case"] for e in events if e.get("event") == "start"}
        for i, c in enumerate(cases):
            if c.function in not_functions:
                report.results.append(FunctionResult(c.function, "not a function", c.label,
                                                     why=not_functions[c.function]))
            elif c.function not in defined:
                report.results.append(FunctionResult(c.function, "missing", c.label))
            elif i in results:
                report.results.append(_judge(c, results[i], job, i))
            elif i in started and not timed_out:     # the process ended inside this call (os._exit, a crash)
                report.results.append(FunctionResult(c.function, "raised", c.label,
                                                     traceback=f"{c.function} ended the process: {_ended(code)}"))
            elif i in started:
                report.results.append(FunctionResult(c.function, "timeout", c.label))
            else:
                why = "" if timed_out else "the process had ended"
                report.results.append(FunctionResult(c.function, "not run", c.label, why=why))
        return report


def _ended_loading(code: int | None) -> str:
    """The file's process ended before it had loaded, in words."""
    if code is not None and code < 0:
        return f"the file's process {_ended(code)[3:]} while loading"
    return f"the file ended the process (exit code {code}) while loading"


def _ended(code: int | None) -> str:
    """How the child process ended, in words."""
    if code is not None and code < 0:
        try:
            return f"it was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"it was killed by signal {-code}"
    return f"it exited with code {code}"


def _run_child(path: Path, job: str, limits: CheckLimits, should_stop=None, progress=None, n_cases: int = 1
               ) -> tuple[bool, int | None]:
    """Run the child; (whether it had to be stopped for taking too long, its exit code), Cancelled
    when asked to stop."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("DISPLAY", None)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-m", "rnnviz.checker.child", str(path.resolve()), job],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    _children.add(proc)
    try:
        return _wait_child(proc, job, limits, should_stop, progress, n_cases), proc.returncode
    finally:
        _children.discard(proc)


def _wait_child(proc, job, limits, should_stop, progress, n_cases) -> bool:
    deadline = time.monotonic() + limits.seconds
    done = 0
    while True:
        if progress is not None:
            now = _count_results(job)
            if now != done:
                done = now
                progress(min(done / max(n_cases, 1), 1.0))
        try:
            proc.wait(timeout=max(min(POLL_S, deadline - time.monotonic()), 0.001))
            return False
        except subprocess.TimeoutExpired:
            pass
        stop = should_stop is not None and should_stop()
        if stop or time.monotonic() >= deadline:
            _kill(proc)
            if stop:
                raise Cancelled
            return True


def _count_results(job: str) -> int:
    try:
        with open(os.path.join(job, "results.jsonl"), "rb") as f:
            return f.read().count(b'"event": "result"')
    except OSError:
        return 0


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)      # the file's own child processes too
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _events(job: str) -> list[dict]:
    out = []
    try:
        with open(os.path.join(job, "results.jsonl"), encoding="utf-8") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    break           # a line cut by a kill
    except OSError:
        pass
    return out


def _head(job: str, name: str) -> str:
    """The start of what the file printed (Python's print, then any C-level output), with how much
    there was in all when it is more than OUTPUT_SHOWN characters."""
    parts = []
    for fname in (f"{name}.txt", f"{name}.c.txt"):
        try:
            with open(os.path.join(job, fname), "rb") as f:
                data = f.read(OUTPUT_SHOWN)
                size = os.fstat(f.fileno()).st_size
                f.seek(max(size - 200, 0))
                tail = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        text = data.decode("utf-8", "replace")
        if size > OUTPUT_SHOWN:
            note = next((ln for ln in reversed(tail.splitlines()) if "in all; the rest" in ln),
                        f"… ({size:,} bytes in all; the rest is not shown)")
            text += "\n" + note
        if text:
            parts.append(text)
    return "\n".join(parts)


def _judge(case: Case, event: dict, job: str, i: int) -> FunctionResult:
    if event["status"] != "ok":
        return FunctionResult(case.function, "raised", case.label, traceback=event.get("traceback", ""))
    try:
        with np.load(os.path.join(job, f"out{i}.npz"), allow_pickle=False) as z:
            theirs = decode(event["value"], {k: z[k] for k in z.files})
    except (OSError, ValueError, KeyError) as e:
        return FunctionResult(case.function, "raised", case.label, traceback=f"the result could not be read ({e})")
    ours = case.reference()
    diff = first_difference(case.function, theirs, ours)
    res = FunctionResult(case.function, "pass" if diff is None else "fail", case.label, diff,
                         largest_difference(theirs, ours), theirs=theirs, ours=ours)
    if diff is not None:
        res.hint = _hint(case, theirs)
    return res


def _hint(case: Case, theirs) -> str:
    """The first known mistake whose output equals theirs."""
    for text, wrong in mistakes.MISTAKES.get(case.function, []):
        try:
            with np.errstate(all="ignore"):
                expected = wrong(*case.args)
        except Exception:   # noqa: BLE001 - a variant that can't run on these inputs says nothing
            continue
        if first_difference(case.function, theirs, expected) is None:
            return text
    return ""
