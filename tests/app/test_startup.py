"""Starting the window (issue 13, items 14, 17, 23): a bad last session never stops the app (it starts
on the example, says why, keeps the file aside), a newer rnnviz's autosave is never overwritten,
stale temp files are cleaned, window settings live in $RNNVIZ_HOME and are read back."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from rnnviz.app.config import Config
from rnnviz.app.file_actions import restore_last_session
from rnnviz.app.main_window import build_window, restore_geometry
from rnnviz.io import paths
from rnnviz.io.session import Session, save_session
from tests.hostile import flip_a_byte, zip_bomb

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "hello world"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    return paths.settings_dir()


def _flipped(path: Path) -> None:
    save_session(path, Session(Config(source="my lecture text", hidden=5).to_dict()))
    flip_a_byte(path, "session.json")


def _bomb(path: Path) -> None:
    zip_bomb(path, "session.json", 256 << 20)   # 256 MiB of spaces in about 256 KB


def _distinct(path: Path) -> None:
    """20,000 distinct characters (written directly: saving would build their one-hot inputs here)."""
    doc = {"format": "rnnviz-session", "version": 1,
           "settings": dict(Config(source="".join(chr(0x4E00 + i) for i in range(20_000))).to_dict())}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("session.json", json.dumps(doc, ensure_ascii=False))


def _seed(path: Path) -> None:
    save_session(path, Session(dict(Config(source="my lecture text").to_dict(), seed=2**31)))


def _start(qtbot):
    """What run_app does before the window shows: the example, then the last session."""
    w = build_window()
    qtbot.addWidget(w)
    w.state.async_threshold = float("inf")
    restored = restore_last_session(w)
    return w, restored


@pytest.mark.parametrize("make, why", [(_flipped, "damaged"), (_bomb, "would unpack to"),
                                       (_seed, "seed must be a whole number from 0 to 2147483647")])
def test_a_bad_last_session_starts_on_the_example_says_why_and_is_kept(qtbot, home, make, why):
    last = paths.last_session_path()
    make(last)
    content = last.read_bytes()
    w, restored = _start(qtbot)  # raised zlib.error / MemoryError / OverflowError in the panel before
    assert not restored
    assert w.state.trace.seq.source == EXAMPLE and w.sequence_panel.edit.toPlainText() == EXAMPLE
    kept = [p for p in home.iterdir() if p.name.startswith("last.rnnviz.bad-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content and not last.exists()
    box = w.startup_notice
    qtbot.waitUntil(box.isVisible, timeout=3000)
    assert not box.isModal() and why in box.text() and str(kept[0]) in box.text()
    box.close()
    # the window works, and quitting saves a good session where the bad one was
    w.model_panel.hidden.setFocus()
    w.model_panel.hidden.selectAll()
    qtbot.keyClicks(w.model_panel.hidden, "7")
    qtbot.keyClick(w.model_panel.hidden, Qt.Key.Key_Return)
    assert w.state.trace.n_a == 7
    w.close()
    fresh, restored = _start(qtbot)
    assert restored and fresh.state.trace.n_a == 7


def test_a_newer_format_autosave_is_kept_aside_and_never_overwritten(qtbot, home):
    last = paths.last_session_path()
    with zipfile.ZipFile(last, "w") as z:
        z.writestr("session.json", '{"format": "rnnviz-session", "version": 99, "settings": {"source": "future"}}')
    content = last.read_bytes()
    w, restored = _start(qtbot)
    assert not restored and w.state.trace.seq.source == EXAMPLE
    kept = [p for p in home.iterdir() if p.name.startswith("last.rnnviz.newer-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert "newer rnnviz" in w.startup_notice.text()
    w.close()
    assert kept[0].read_bytes() == content and paths.last_session_path().is_file()


def test_quitting_keeps_a_newer_autosave_even_when_it_was_not_read(qtbot, home):
    """`rnnviz gui --text ...` does not restore; its autosave must still not overwrite a newer file."""
    last = paths.last_session_path()
    with zipfile.ZipFile(last, "w") as z:
        z.writestr("session.json", '{"format": "rnnviz-session", "version": 99, "settings": {"source": "future"}}')
    content = last.read_bytes()
    w = build_window("given on the command line")
    qtbot.addWidget(w)
    w.close()
    kept = [p for p in home.iterdir() if p.name.startswith("last.rnnviz.newer-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content


def test_stale_part_files_are_cleaned_at_start(qtbot, home):
    stale = home / ".last.rnnviz.999999999-k9abcd.part"  # a save killed with kill -9
    stale.write_bytes(b"half a session")
    _start(qtbot)
    assert not stale.exists()


def test_window_settings_go_to_rnnviz_home_and_are_read_back(qtbot, home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # where QSettings() wrote before
    w = build_window()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.resize(w.width(), 580)
    saved = w.geometry()
    w.close()
    assert (home / "window.ini").is_file()
    assert not (tmp_path / "xdg").exists()
    again = build_window()
    qtbot.addWidget(again)
    again.resize(again.width(), 900)
    assert restore_geometry(again)
    # the offscreen screen is 800 x 600: restoreGeometry keeps the window on it, so compare the height
    assert again.height() == saved.height() == 580


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (5 << 29, 5 << 29))  # 2.5 GB: the one-hot inputs alone are 3 GB


@pytest.mark.parametrize("make", [_distinct, _bomb])
def test_the_app_starts_whatever_the_last_session_holds(tmp_path, make):
    """The real start (main.py) with 2.5 GB of memory: 20,000 distinct characters or a zip bomb in the
    autosave stopped every start with a MemoryError traceback."""
    home = tmp_path / "home"
    home.mkdir()
    make(home / "last.rnnviz")
    env = dict(os.environ, RNNVIZ_HOME=str(home), QT_QPA_PLATFORM="offscreen", RNNVIZ_SMOKE_EXIT_MS="1500")
    env.pop("DISPLAY", None)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                          timeout=240, cwd=tmp_path, preexec_fn=_limit_memory)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "rnnviz: window shown" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert "last session not restored" in proc.stderr
    assert [p.name.startswith("last.rnnviz.bad-") for p in home.iterdir()].count(True) == 1


def test_message_boxes_are_not_needed_to_start(qtbot, home, monkeypatch):
    """No modal dialog at start: a test (or a user) that never answers one still gets the window."""
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()))
    _flipped(paths.last_session_path())
    w, restored = _start(qtbot)
    assert not restored and shown == []
