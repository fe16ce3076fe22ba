"""The session saved on quit and restored at start (last.rnnviz in the settings folder).

A last session must never stop the app: whatever is wrong with it (damage, a zip bomb, more than
memory allows, a newer format, a bug), the window starts on the example, the file is renamed aside
(last.rnnviz.bad-<time>, or .newer-<time> for a newer rnnviz's file, which is never overwritten)
and a message in the window says what happened and where the file is.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from rnnviz.app.session_state import apply_session, session_of
from rnnviz.io import paths
from rnnviz.io.atomic import clean_stale_parts
from rnnviz.io.session import FORMAT_VERSION, NewerFormatError, load_session, save_session, session_version


def keep_aside(path: Path, why: str) -> Path | None:
    """Rename `path` to <name>.<why>-<time> next to it (nothing is lost); None if that fails."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for i in range(100):
        target = path.with_name(f"{path.name}.{why}-{stamp}" + (f"-{i}" if i else ""))
        if os.path.lexists(target):
            continue
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target
    return None


def restore_last_session(window) -> bool:
    """Open the session saved on the last quit, if there is one; False (and a message) if it can't be."""
    clean_stale_parts(paths.settings_dir())  # temp files of saves interrupted by a kill or a crash
    p = paths.last_session_path()
    if not os.path.lexists(p):
        return False
    state = window.state
    before = (state.config, state.base_params)
    try:
        apply_session(state, load_session(p))
        return True
    except NewerFormatError as e:
        why, reason = "newer", str(e)
    except ValueError as e:
        why, reason = "bad", str(e)
    except Exception as e:  # noqa: BLE001 - a bug must not stop every start either
        why, reason = "bad", f"internal error: {type(e).__name__}: {e}"
        state.restore(*before)  # whatever half-applied, back to the example
    kept = keep_aside(p, why)
    where = (f"It was kept as {kept}." if kept else f"It could not be renamed and stays at {p}; "
             "it will be replaced when you quit.")
    notify(window, "Last session not restored",
           f"The session saved when rnnviz last closed could not be restored:\n{reason}\n\n{where}\n"
           "rnnviz starts on the example instead.")
    return False


def notify(window, title: str, text: str) -> QMessageBox:
    """A message that does not block the window (shown once the event loop runs)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, window)
    box.setModal(False)
    window.startup_notice = box
    QTimer.singleShot(0, box.show)
    print(f"rnnviz: {title.lower()}: {text.splitlines()[1] if len(text.splitlines()) > 1 else text}",
          file=sys.stderr)
    return box


def autosave(state) -> None:
    """Save what the user saw (and their draft) as the last session; a newer rnnviz's file is kept."""
    if state.trace is None:
        return
    p = paths.last_session_path()
    version = session_version(p) if os.path.lexists(p) else None
    if version is not None and version > FORMAT_VERSION:
        keep_aside(p, "newer")
    try:
        save_session(p, session_of(state))
    except (ValueError, OSError) as e:
        print(f"rnnviz: the session could not be saved on quit: {e}", file=sys.stderr)
