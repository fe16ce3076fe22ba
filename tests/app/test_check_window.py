"""File ▸ Check my implementation… driven through the window as a student does: the menu (the file
dialog answered), the Check panel's list and step buttons, saving the file, Cancel. A wrong file
shows where it first parts from ours; a correct one passes; a file that loops forever leaves the
window responsive and Cancel stops it; saving (also by rename, as editors do) checks again."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.app.drive import open_window

STUDENT = (Path(__file__).resolve().parents[1] / "checker" / "student.py").read_text(encoding="utf-8")
NO_BA = ("a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba)",
         "a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev))")
FORWARD_CALL = "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)"
LATE = (FORWARD_CALL, FORWARD_CALL + "\n        if t >= 2:\n            a_next = a_next * 1.01")


def write(path: Path, *changes) -> Path:
    text = STUDENT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot, size=(1280, 720))
    yield w
    w.student_check.shutdown()


def check_through_menu(qtbot, w, monkeypatch, path: Path, wait: bool = True) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    act = next(a for a in w.file_menu.actions() if a.text().startswith("Check my &implementation"))
    runs = w.student_check.runs
    act.trigger()
    assert w.student_check.runs == runs + 1
    if wait:
        qtbot.waitUntil(lambda: not w.student_check.busy, timeout=60000)


def running(path: Path) -> bool:
    """Whether a process runs `path` (the checker's child has it on its command line)."""
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if str(path).encode() in f.read():
                    return True
        except OSError:
            continue
    return False


def rows(w) -> dict:
    """(function, inputs) -> (result text, largest difference text), as the panel's list shows them."""
    t, out = w.check_panel.table, {}
    for g in range(t.topLevelItemCount()):
        group = t.topLevelItem(g)
        for k in range(group.childCount()):
            it = group.child(k)
            out[(it.text(0), group.text(0))] = (it.text(1), it.text(2))
    return out


def click_row(qtbot, w, function: str, group_starts: str = "on the notes'") -> None:
    t = w.check_panel.table
    for g in range(t.topLevelItemCount()):
        group = t.topLevelItem(g)
        if not group.text(0).startswith(group_starts):
            continue
        for k in range(group.childCount()):
            it = group.child(k)
            if it.text(0) == function:
                t.scrollToItem(it)
                qtbot.mouseClick(t.viewport(), Qt.MouseButton.LeftButton, pos=t.visualItemRect(it).center())
                assert t.currentItem() is it
                return
    raise AssertionError(f"no row {function} {group_starts}")


def details(w) -> str:
    return w.check_panel.details.toPlainText()


NOTES = "on the notes' examples"
WINDOWS = "on the window's sequence"


def test_a_correct_file_passes_everything(qtbot, window, tmp_path, monkeypatch):
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "right.py"))
    shown = rows(window)
    assert len([k for k in shown if k[1] == NOTES]) == 8
    assert (("rnn_forward", WINDOWS) in shown) and (("rnn_backward", WINDOWS) in shown)
    assert all(v[0] == "✓ pass" for v in shown.values()), shown
    assert window.tabs.currentWidget() is window.check_panel and window.check_panel.isVisible()
    assert "10 pass · 0 fail · 8 of 8 functions defined" in window.check_panel.status.text()


def test_a_wrong_file_shows_the_first_step_quantity_unit_and_hint(qtbot, window, tmp_path, monkeypatch):
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "no_ba.py", NO_BA))
    shown = rows(window)
    assert shown[("rnn_cell_forward", NOTES)][0] == "✗ fail"
    assert shown[("rnn_backward", NOTES)][0] == "✓ pass"
    # the first failure is picked: the cell's a_next, unit 1 of example 1, with the hint
    text = details(window)
    assert "rnn_cell_forward" in text and "a_next" in text and "unit 1, example 1" in text
    assert "ba is missing" in text
    click_row(qtbot, window, "rnn_forward")
    text = details(window)
    assert "first step" in text and "t = 1" in text and "a⟨1⟩" in text
    # ours and theirs side by side at that step, every unit
    assert "a⟨1⟩, example 1" in text and "5 of 5 units differ at this step" in text


def test_the_step_buttons_move_through_both(qtbot, window, tmp_path, monkeypatch):
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "late.py", LATE))
    click_row(qtbot, window, "rnn_forward")
    panel = window.check_panel
    assert "t = 3" in details(window) and "a⟨3⟩, example 1" in details(window)
    assert panel.step_label.text().startswith("step 3 of 4")
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert "a⟨4⟩, example 1" in details(window) and not panel.next_button.isEnabled()
    for _ in range(2):
        qtbot.mouseClick(panel.prev_button, Qt.MouseButton.LeftButton)
    assert "a⟨2⟩, example 1" in details(window) and "they agree at this step" in details(window)


def test_on_the_windows_sequence_stepping_moves_the_window_too(qtbot, window, tmp_path, monkeypatch):
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "late.py", LATE))
    assert rows(window)[("rnn_forward", WINDOWS)][0] == "✗ fail"
    click_row(qtbot, window, "rnn_forward", "on the window's")
    panel = window.check_panel
    assert panel.step_label.text() == "step 3 of 10 (where they part)"
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert window.state.t == 3 and window.state.phase == "forward"       # step 4, 0-based 3
    window.graph.setFocus()
    qtbot.keyClick(window.graph, Qt.Key.Key_Right)                          # stepping in the window
    assert window.state.t == 4 and panel.step_label.text().startswith("step 5 of 10")
    assert "a⟨5⟩, example 1" in details(window)


def test_saving_the_file_checks_it_again(qtbot, window, tmp_path, monkeypatch):
    p = write(tmp_path / "mine.py")
    check_through_menu(qtbot, window, monkeypatch, p)
    assert rows(window)[("rnn_cell_forward", NOTES)][0] == "✓ pass"
    runs = window.student_check.runs
    write(p, NO_BA)                                                         # saved in place
    qtbot.waitUntil(lambda: window.student_check.runs > runs and not window.student_check.busy, timeout=20000)
    assert rows(window)[("rnn_cell_forward", NOTES)][0] == "✗ fail"
    runs = window.student_check.runs
    tmp = write(tmp_path / ".mine.py.swp", LATE)                             # saved by rename, as vim does
    os.replace(tmp, p)
    qtbot.waitUntil(lambda: window.student_check.runs > runs and not window.student_check.busy, timeout=20000)
    shown = rows(window)
    assert shown[("rnn_cell_forward", NOTES)][0] == "✓ pass" and shown[("rnn_forward", NOTES)][0] == "✗ fail"
    runs = window.student_check.runs
    write(p)                                                                # and the watch survived the rename
    qtbot.waitUntil(lambda: window.student_check.runs > runs and not window.student_check.busy, timeout=20000)
    assert rows(window)[("rnn_forward", NOTES)][0] == "✓ pass"


def test_a_file_that_loops_forever_never_freezes_the_window_and_cancel_stops_it(qtbot, window, tmp_path,
                                                                                 monkeypatch):
    loop = write(tmp_path / "loop.py", ("    Wax, Waa, Wya = parameters[\"Wax\"], parameters[\"Waa\"], parameters[\"Wya\"]\n",
                                        "    while True:\n        pass\n"))
    check_through_menu(qtbot, window, monkeypatch, loop, wait=False)
    panel = window.check_panel
    assert window.student_check.busy and panel.cancel_button.isEnabled() and panel.progress.isVisible()
    window.graph.setFocus()
    for k in range(3):                                                      # the window still steps
        qtbot.keyClick(window.graph, Qt.Key.Key_Right)
        assert window.state.t == k + 1
    qtbot.wait(300)
    assert running(loop) and window.student_check.busy                                        # still looping in its process
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.student_check.busy, timeout=5000)
    assert panel.status.text().startswith("Cancelled")
    qtbot.waitUntil(lambda: not running(loop), timeout=5000)               # its process was killed
    assert not panel.cancel_button.isEnabled() and panel.rerun_button.isEnabled()


def test_a_function_that_raises_shows_its_traceback_as_text(qtbot, window, tmp_path, monkeypatch):
    p = write(tmp_path / "raises.py", ("def rnn_forward(x, a0, parameters):\n", "def rnn_forward(x, a0, parameters):\n    1 / 0\n"))
    check_through_menu(qtbot, window, monkeypatch, p)
    assert rows(window)[("rnn_forward", NOTES)][0] == "! raised"
    click_row(qtbot, window, "rnn_forward")
    text = details(window)
    assert "ZeroDivisionError" in text and "Traceback" in text and "raises.py" in text
    flags = window.check_panel.details.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse


def test_the_check_tab_comes_with_the_first_check_and_its_button_asks_for_a_file(qtbot, window, tmp_path,
                                                                                  monkeypatch):
    bar = window.tabs.tabBar()
    titles = lambda: [bar.tabText(k) for k in range(bar.count())]   # noqa: E731
    assert "Check" not in titles()                 # the tab bar keeps its room until a check is asked for
    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "right.py"))
    assert titles()[-1] == "Check" and window.tabs.currentWidget() is window.check_panel
    need = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
    assert need <= bar.width()                     # every label whole at 1280 x 720
    i = titles().index("Heatmaps")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    window.check_action.trigger()                  # a new check brings the tab back to the front
    qtbot.waitUntil(lambda: not window.student_check.busy, timeout=60000)
    assert window.tabs.currentWidget() is window.check_panel
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: asked.append(a) or ("", ""))
    runs = window.student_check.runs
    qtbot.mouseClick(window.check_panel.choose_button, Qt.MouseButton.LeftButton)   # the same dialog
    assert len(asked) == 1 and window.student_check.runs == runs                    # cancelled: nothing runs


def test_the_equations_show_the_students_values_beside_ours_at_the_failing_step(qtbot, window, tmp_path,
                                                                                monkeypatch):
    from tests.app.drive import press, side, type_sequence

    check_through_menu(qtbot, window, monkeypatch, write(tmp_path / "late.py", LATE))
    side(window, "Equations")
    press(qtbot, window, "Home")
    text = window.equations.text()
    assert "Your functions at this step" in text and "yours the same" in " ".join(text.split())  # step 1 agrees
    press(qtbot, window, "Right", "Right")
    text = window.equations.text()
    assert window.state.t == 2 and "Your functions at this step" in text
    a3 = window.state.trace.a[:, 0, 2]
    from rnnviz.app import numfmt
    assert "yours" in text and numfmt.short(float(a3[0]) * 1.01, 4) in text    # theirs: ours × 1.01
    type_sequence(qtbot, window, "abcabc")                                      # another sequence: not theirs
    qtbot.waitUntil(lambda: window.state.student is None, timeout=5000)
    assert "Your functions at this step" not in window.equations.text()


def test_closing_the_window_ends_a_running_file(qtbot, window, tmp_path, monkeypatch):
    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\nwhile True:\n    time.sleep(0.05)\n", encoding="utf-8")   # no CPU limit ends it
    check_through_menu(qtbot, window, monkeypatch, sleeper, wait=False)
    qtbot.waitUntil(lambda: running(sleeper), timeout=10000)
    window.close()
    qtbot.waitUntil(lambda: not running(sleeper), timeout=3000)


def test_a_file_that_prints_megabytes_or_allocates_without_bound_is_reported(qtbot, window, tmp_path, monkeypatch):
    chatty = write(tmp_path / "chatty.py", ("def rnn_forward(x, a0, parameters):\n",
                                            "def rnn_forward(x, a0, parameters):\n    print('x' * 10_000_000)\n"))
    check_through_menu(qtbot, window, monkeypatch, chatty)
    assert rows(window)[("rnn_forward", NOTES)][0] == "✓ pass"
    click_row(qtbot, window, "rnn_forward")
    text = details(window)
    assert "What it printed" in text and "the rest is not shown" in text and len(text) < 20_000
    greedy = write(tmp_path / "greedy.py", ("def rnn_backward(da, caches):\n",
                                            "def rnn_backward(da, caches):\n    hog = []\n    while True:\n"
                                            "        hog.append(np.empty(10 ** 8))\n"))   # address space, not RAM
    check_through_menu(qtbot, window, monkeypatch, greedy)
    assert rows(window)[("rnn_backward", NOTES)][0] == "! raised"
    click_row(qtbot, window, "rnn_backward")
    assert "MemoryError" in details(window)
    assert rows(window)[("lstm_backward", NOTES)][0] == "✓ pass"       # the functions after it still ran


def test_a_name_that_is_not_a_function_and_a_file_that_ends_itself_say_so(qtbot, window, tmp_path, monkeypatch):
    """`lstm_forward = 5` showed as "— missing"; a file that calls os._exit(3) as it loads "raised"."""
    p = tmp_path / "stub.py"
    p.write_text(STUDENT + "\nlstm_forward = 5\n", encoding="utf-8")
    check_through_menu(qtbot, window, monkeypatch, p)
    assert rows(window)[("lstm_forward", NOTES)] == ("✗ not a function", "")
    assert rows(window)[("rnn_forward", NOTES)][0] == "✓ pass"
    assert "1 fail" in window.check_panel.status.text()
    click_row(qtbot, window, "lstm_forward")
    assert "defined but is not a function (it is an int)" in details(window)
    p = tmp_path / "ends.py"
    p.write_text("import os\nos._exit(3)\n", encoding="utf-8")
    check_through_menu(qtbot, window, monkeypatch, p)
    status = window.check_panel.status.text()
    assert "Your file could not be loaded" in status and "raised" not in status
    click_row(qtbot, window, "rnn_forward")
    assert "Your file could not be loaded:\nthe file ended the process (exit code 3) while loading" in details(window)
