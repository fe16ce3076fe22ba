"""The checker on a correct submission and on wrong ones (one per mistake it recognises, plus one that
raises, one that loops forever, one that allocates without bound and one that prints megabytes): each
is reported correctly, with the first step, quantity and unit where it departs, and nothing hangs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnviz.checker.run import CheckLimits, check_file

HERE = Path(__file__).parent
STUDENT = (HERE / "student.py").read_text(encoding="utf-8")
MAIN = Path(__file__).resolve().parents[2] / "main.py"


def submission(tmp_path, name: str, *changes: tuple[str, str], extra: str = "") -> Path:
    """The correct student file with `changes` (old, new) applied, each of which must apply once."""
    text = STUDENT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    p = tmp_path / f"{name}.py"
    p.write_text(text + extra, encoding="utf-8")
    return p


def by_function(report):
    return {r.function: r for r in report.results}


def test_a_correct_implementation_passes_everything(tmp_path):
    r = check_file(submission(tmp_path, "right"))
    assert r.ok and not r.import_error
    assert {x.function for x in r.results if x.status == "pass"} == {x.function for x in r.results}


WRONG = [
    ("no_carry", ("gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
                  "gradients = rnn_cell_backward(da[:, :, t], caches[t])"),
     "rnn_backward", "carried back", "dx⟨3⟩"),   # step T has nothing to carry: 3 is the first
    ("dtanh_prev", ("dtanh = (1 - a_next ** 2) * da_next", "dtanh = (1 - a_prev ** 2) * da_next"),
     "rnn_cell_backward", "tanh′ is taken at a⟨t−1⟩", "dxt"),
    ("softmax_axis", ("""    e_x = np.exp(x - np.max(x, axis=0))
    return e_x / e_x.sum(axis=0)""", """    e_x = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e_x / e_x.sum(axis=1, keepdims=True)"""),
     "rnn_cell_forward", "wrong axis", "yt_pred"),
    ("no_ba", ("a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba)",
               "a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev))"),
     "rnn_forward", "ba is missing", "a⟨1⟩"),
    ("no_forget", ("c_next = ft * c_prev + it * cct", "c_next = c_prev + it * cct"),
     "lstm_forward", "forget gate", "c⟨2⟩"),       # c⟨0⟩ = 0: step 1 agrees
    ("concat_xa", ("concat = np.concatenate((a_prev, xt), axis=0)\n    ft", "concat = np.concatenate((xt, a_prev), axis=0)\n    ft"),
     "lstm_cell_forward", "a_prev first", "a_next"),
]


@pytest.mark.parametrize("name,change,function,hint,first", WRONG, ids=[w[0] for w in WRONG])
def test_each_common_mistake_is_found_and_named(tmp_path, name, change, function, hint, first):
    r = by_function(check_file(submission(tmp_path, name, change)))
    res = r[function]
    assert res.status == "fail" and hint in res.hint, res.summary()
    assert res.difference.quantity.startswith(first), res.difference
    if res.difference.step is not None:
        assert res.difference.unit is not None and res.difference.theirs != res.difference.ours


def test_the_first_wrong_step_of_a_forward_pass(tmp_path):
    """A mistake from step 3 on is reported at step 3, with the unit and both numbers."""
    p = submission(tmp_path, "late", ("        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                      "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
                                      "        if t >= 2:\n            a_next = a_next * 1.01"))
    res = by_function(check_file(p))["rnn_forward"]
    assert res.status == "fail" and res.difference.quantity == "a⟨3⟩" and res.difference.step == 3
    assert abs(res.difference.theirs - 1.01 * res.difference.ours) < 1e-9


def test_a_function_that_raises_shows_its_traceback_and_the_others_still_run(tmp_path):
    p = submission(tmp_path, "raises", ("    dtanh = (1 - a_next ** 2) * da_next",
                                        "    raise ValueError('not done yet')"))
    r = by_function(check_file(p))
    assert r["rnn_cell_backward"].status == "raised" and "not done yet" in r["rnn_cell_backward"].traceback
    assert r["lstm_forward"].status == "pass" and r["rnn_forward"].status == "pass"


def test_a_file_that_loops_forever_times_out_and_keeps_what_finished(tmp_path):
    p = submission(tmp_path, "loops", ("def lstm_cell_forward(xt, a_prev, c_prev, parameters):\n",
                                       "def lstm_cell_forward(xt, a_prev, c_prev, parameters):\n    while True:\n        pass\n"))
    r = check_file(p, limits=CheckLimits(seconds=8))
    assert r.timed_out and r.seconds < 30
    res = by_function(r)
    assert res["rnn_backward"].status == "pass"                       # before it: checked
    assert res["lstm_cell_forward"].status == "timeout"
    assert res["lstm_backward"].status == "not run"


def test_a_file_that_allocates_without_bound_is_stopped(tmp_path):
    p = submission(tmp_path, "greedy", ("    caches = []\n    n_x, m, T_x = x.shape\n    n_y, n_a = parameters[\"Wya\"].shape",
                                        "    caches = []\n    hog = [bytearray(1 << 27) for _ in range(10 ** 6)]\n"
                                        "    n_x, m, T_x = x.shape\n    n_y, n_a = parameters[\"Wya\"].shape"))
    r = by_function(check_file(p, limits=CheckLimits(seconds=20, memory_mb=600)))
    assert r["rnn_forward"].status in ("raised", "timeout")
    assert "MemoryError" in r["rnn_forward"].traceback or r["rnn_forward"].status == "timeout"
    assert r["lstm_forward"].status == "pass"


def test_a_file_that_prints_megabytes_is_cut_not_stored(tmp_path):
    p = submission(tmp_path, "chatty", extra="\nfor _ in range(200000):\n    print('x' * 100)\n")
    r = check_file(p)
    assert r.ok and len(r.stdout) < 5000 and "characters in all" in r.stdout


def test_a_file_that_fails_to_import_says_so(tmp_path):
    p = tmp_path / "broken.py"
    p.write_text("import numpy as np\nfrom rnn_utils_missing import softmax\n", encoding="utf-8")
    r = check_file(p)
    assert not r.ok and "rnn_utils_missing" in r.import_error


def test_the_files_folder_is_on_the_import_path(tmp_path):
    (tmp_path / "rnn_utils.py").write_text("import numpy as np\n\ndef softmax(x):\n    e = np.exp(x - np.max(x, axis=0))\n"
                                           "    return e / e.sum(axis=0)\n", encoding="utf-8")
    p = submission(tmp_path, "uses_utils", ('def softmax(x):\n    e_x = np.exp(x - np.max(x, axis=0))\n'
                                            '    return e_x / e_x.sum(axis=0)\n', "from rnn_utils import softmax\n"))
    assert check_file(p).ok


def run_cli(*args):
    return subprocess.run([sys.executable, str(MAIN), "check", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def test_cli_table_json_and_exit_codes(tmp_path):
    good = run_cli(submission(tmp_path, "right"))
    assert good.returncode == 0 and "rnn_backward" in good.stdout and "pass" in good.stdout
    bad = run_cli(submission(tmp_path, "no_ba", WRONG[3][1]), "--json")
    assert bad.returncode == 1
    rows = [json.loads(line) for line in bad.stdout.splitlines()]
    assert {r["function"] for r in rows} >= {"rnn_forward", "lstm_backward"}
    rf = next(r for r in rows if r["function"] == "rnn_forward")
    assert rf["status"] == "fail" and rf["first_difference"]["step"] == 1 and "ba is missing" in rf["hint"]
    missing = run_cli(tmp_path / "nope.py")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
