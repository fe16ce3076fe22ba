"""`rnnviz check FILE.py [--json]`: the checker's report as a table, or one JSON object per function.
Exit status: 0 when every function the file defines passes, 1 when one fails (or the file can't run),
2 when the file can't be read or is not a .py file. A teacher can grade a folder with a loop."""
from __future__ import annotations

import json
import sys

from .run import CheckReport, check_file

CHECK_EPILOG = """\
The file runs in a separate process (its folder on the import path, as a notebook's helpers need),
limited to 30 s, 2 GB of memory and the first 4,000 characters of what it prints. Each of the notes'
eight functions it defines (rnn_cell_forward, rnn_forward, rnn_cell_backward, rnn_backward and the
lstm_* four) is called on the notes' own example (np.random.seed(1); n_x = 3, m = 10, T_x = 4,
n_a = 5, n_y = 2); backward functions get rnnviz's caches. For a failure the report says the first
step, quantity and unit where the numbers part, and names the mistake when it recognises it.

examples:
  rnnviz check my_rnn.py
  rnnviz check my_rnn.py --json
  for f in submissions/*.py; do rnnviz check "$f" --json > "${f%.py}.json" || echo "$f fails"; done"""


def add_parser(sub) -> None:
    import argparse

    c = sub.add_parser("check", help="check a student's own RNN / LSTM functions against rnnviz's",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=CHECK_EPILOG,
                       description="Run the notes' eight functions from a Python file and compare them, "
                                   "step by step, with rnnviz's.")
    c.add_argument("file", metavar="FILE.py", help="the student's Python file")
    c.add_argument("--json", action="store_true", help="one JSON object per function on stdout")


def run(args) -> int:
    try:
        report = check_file(args.file)
    except ValueError as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        if report.import_error:
            print(json.dumps({"function": None, "status": report.load_failure or "raised",
                              "message": _not_loaded(report, short=True), "traceback": report.import_error}))
        for r in report.results:
            print(json.dumps(r.to_json(), ensure_ascii=False))
    else:
        print(table(report))
    return 0 if report.ok else 1


def _not_loaded(report: CheckReport, short: bool = False) -> str:
    """Why the file could not be loaded: what ended it, or the error it raised (with its traceback;
    short: one line, the error's last line)."""
    text = report.import_error.strip()
    if report.load_failure in ("timeout", "ended"):
        return text.splitlines()[0] if short else text   # says what happened itself, then the file's stderr
    if short:
        return "the file could not be loaded: it raised " + (text.splitlines()[-1] if text else "an error")
    return "the file could not be loaded: it raised this error:\n" + text


def table(report: CheckReport) -> str:
    lines = [f"{report.path}  ({report.seconds:.1f} s)"]
    if report.import_error:          # nothing was run: no rows of "not run", no count of passes
        lines.append(_not_loaded(report))
        if report.stdout.strip():
            lines += ["what it printed:", report.stdout.rstrip()[:800]]
        lines.append("no function was checked: the file could not be loaded")
        return "\n".join(lines)
    width = max(len(r.function) for r in report.results)
    for r in report.results:
        lines.append(f"  {r.function:<{width}}  {r.summary()}")
        if r.status == "raised" and r.traceback:
            lines += ["      " + ln for ln in r.traceback.rstrip().splitlines()[-3:]]
    if report.stdout.strip():
        lines += ["what it printed:", report.stdout.rstrip()[:800]]
    passed = sum(r.status == "pass" for r in report.results)
    lines.append(f"{passed} of {len(report.defined)} defined function(s) pass")
    return "\n".join(lines)
