"""`rnnviz check` on hostile submissions a reviewer tries: complex, NaN and infinite results, a file
that ends its own process (at load or inside a call), one that can't load. Each was reported wrongly
(a complex result passed, os._exit(0) in a call "timed out" in 0.3 s, "not run (an earlier function
used up the time)" after a load failure, the checker's own frames and NumPy warnings in the text);
now each says what happened."""
from __future__ import annotations

import json
import math
import subprocess
import sys

from rnnviz.checker.report import table
from rnnviz.checker.run import CheckLimits, check_file

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
    assert report.import_error == "the file ended the process (exit code 3) while loading"
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


NOT_LOADED = "no function was checked: the file could not be loaded"


def test_a_file_that_never_loaded_says_why_without_a_pass_count(tmp_path):
    """It said "the file raised while it was being run:" (for an os._exit too), eight rows of "not run"
    and "0 of 8 defined function(s) pass"; now one line says why, then the traceback if it raised."""
    for name, text, why in (
            ("syntax", "def rnn_forward(x, a0, parameters):\n    return (\n",
             "the file could not be loaded: it raised this error:"),
            ("raises", "raise RuntimeError('boom')\n", "the file could not be loaded: it raised this error:"),
            ("exits", "import os\nos._exit(3)\n", "the file ended the process (exit code 3) while loading")):
        p = tmp_path / f"{name}.py"
        p.write_text(text, encoding="utf-8")
        out = run_cli(p)
        lines = out.stdout.splitlines()
        assert out.returncode == 1 and lines[1] == why and lines[-1] == NOT_LOADED, out.stdout
        assert "pass" not in out.stdout and "not run" not in out.stdout and "raised while" not in out.stdout
        first = json.loads(run_cli(p, "--json").stdout.splitlines()[0])
        assert first["function"] is None and first["status"] == {"exits": "ended"}.get(name, "raised")
    assert "SyntaxError: '(' was never closed" in run_cli(tmp_path / "syntax.py").stdout
    assert json.loads(run_cli(tmp_path / "raises.py", "--json").stdout.splitlines()[0])["message"] == \
        "the file could not be loaded: it raised RuntimeError: boom"


def test_a_file_that_loads_for_too_long_is_not_said_to_have_raised(tmp_path):
    p = tmp_path / "slow.py"
    p.write_text("import time\ntime.sleep(60)\n", encoding="utf-8")
    report = check_file(p, limits=CheckLimits(seconds=2))
    assert report.timed_out and report.load_failure == "timeout"
    text = table(report).splitlines()
    assert text[1:] == ["the file did not finish loading within 2 s", NOT_LOADED]


def test_a_name_that_is_not_a_function_is_not_called_missing(tmp_path):
    p = tmp_path / "names.py"
    p.write_text("rnn_forward = 5\nlstm_forward = None\n", encoding="utf-8")
    out = run_cli(p)
    assert out.returncode == 1
    assert "  rnn_forward         defined but is not a function (it is an int)" in out.stdout.splitlines()
    assert "  lstm_forward        defined but is not a function (it is None)" in out.stdout.splitlines()
    assert "  rnn_backward        not defined in the file" in out.stdout.splitlines()
    rows = {r["function"]: r for r in map(json.loads, run_cli(p, "--json").stdout.splitlines())}
    assert rows["rnn_forward"]["status"] == "not a function" and rows["rnn_forward"]["why"] == "an int"


def test_a_wrong_return_is_named_with_its_article(tmp_path):
    """'rnn_forward should return 3 values, it returned a int': an int, a NoneType, an ndarray."""
    r = by_function(check_file(submission(tmp_path, "one", (RETURN, "    return 1\n"))))
    assert "it returned an int" in r["rnn_forward"].summary()
    r = by_function(check_file(submission(tmp_path, "none", (RETURN, "    return None\n"))))
    assert "it returned a NoneType" in r["rnn_forward"].summary()
