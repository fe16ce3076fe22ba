"""`rnnviz check` on hostile submissions a reviewer tries: complex, NaN and infinite results, a file
that ends its own process (at load or inside a call), one that can't load. Each was reported wrongly
(a complex result passed, os._exit(0) in a call "timed out" in 0.3 s, "not run (an earlier function
used up the time)" after a load failure, the checker's own frames and NumPy warnings in the text);
now each says what happened."""
from __future__ import annotations

import math
import subprocess
import sys

from rnnviz.checker.run import check_file

from .test_checker import MAIN, by_function, run_cli, submission

RETURN = "    return a, y_pred, (caches, x)"


def test_a_complex_result_fails_and_says_so(tmp_path):
    r = by_function(check_file(submission(tmp_path, "cx", (RETURN, "    a = a + 1e-3j\n" + RETURN))))
    assert r["rnn_forward"].status == "fail"                   # passed before (imaginary part dropped)
    assert "complex" in r["rnn_forward"].summary()
    r = by_function(check_file(submission(tmp_path, "cx0", (RETURN, "    a = a + 0j\n" + RETURN))))
    assert r["rnn_forward"].status == "pass"                   # no imaginary part: the same numbers


def test_nan_results_fail_with_an_infinite_largest_difference(tmp_path):
    r = by_function(check_file(submission(tmp_path, "nan", (RETURN, "    a[:] = np.nan\n" + RETURN))))
    assert r["rnn_forward"].status == "fail" and "yours nan" in r["rnn_forward"].summary()
    assert math.isinf(r["rnn_forward"].max_abs_diff)          # 2.2e-16 before: the NaNs were skipped


def test_the_command_line_report_has_no_numpy_warnings(tmp_path):
    for name, line in (("nan", "    a[:] = np.nan\n"), ("cx", "    a = a + 1e-3j\n")):
        p = submission(tmp_path, name, (RETURN, line + RETURN))
        out = subprocess.run([sys.executable, str(MAIN), "check", str(p)], capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 1 and out.stderr == "", out.stderr   # RuntimeWarning / ComplexWarning before


def test_a_call_that_ends_the_process_is_not_a_time_out(tmp_path):
    p = submission(tmp_path, "exits", (RETURN, "    import os; os._exit(0)\n" + RETURN))
    report = check_file(p)
    r = by_function(report)
    assert not report.timed_out and report.seconds < 20
    assert r["rnn_cell_forward"].status == "pass"
    assert r["rnn_forward"].status == "raised" and "ended the process: it exited with code 0" in r["rnn_forward"].traceback
    assert r["lstm_forward"].summary() == "not run (the process had ended)"


def test_a_file_that_can_not_load_says_why_the_functions_did_not_run(tmp_path):
    p = tmp_path / "crash.py"
    p.write_text("import os\nos._exit(3)\n", encoding="utf-8")
    report = check_file(p)
    assert "exited with code 3 while it was loading" in report.import_error
    assert {x.summary() for x in report.results} == {"not run (the file did not load)"}
    p = tmp_path / "broken.py"
    p.write_text("def rnn_forward(x, a0, parameters):\n    return (\n", encoding="utf-8")
    report = check_file(p)
    assert "SyntaxError" in report.import_error and "broken.py" in report.import_error
    assert "child.py" not in report.import_error and "importlib" not in report.import_error   # the checker's frames
    assert {x.summary() for x in report.results} == {"not run (the file raised while it was loading)"}


def test_a_traceback_starts_in_the_students_file(tmp_path):
    p = submission(tmp_path, "raises", (RETURN, "    1 / 0\n" + RETURN))
    tb = by_function(check_file(p))["rnn_forward"].traceback
    assert "ZeroDivisionError" in tb and "raises.py" in tb and "Traceback" in tb
    assert "child.py" not in tb


def test_a_file_that_is_not_python_is_refused_in_one_line(tmp_path):
    """A binary file, a .txt, a folder, a missing file: one line naming the path, exit 2 (a .dat said
    "AttributeError: 'NoneType' object has no attribute 'loader'" and "0 of 8 defined function(s) pass")."""
    (tmp_path / "x.dat").write_bytes(bytes(range(256)))
    (tmp_path / "notes.txt").write_text("def rnn_forward(x, a0, parameters):\n    pass\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    for name, why in (("x.dat", "is not a Python file (.py)"), ("notes.txt", "is not a Python file (.py)"),
                      ("folder", "is a folder, not a Python file (.py)"), ("gone.py", ": no such file")):
        out = run_cli(tmp_path / name)
        assert out.returncode == 2 and out.stdout == "", (name, out.stdout)
        assert out.stderr == f"rnnviz: error: {tmp_path / name}{'' if why[0] == ':' else ' '}{why}\n", out.stderr
        assert "Error" not in out.stderr and "loader" not in out.stderr
