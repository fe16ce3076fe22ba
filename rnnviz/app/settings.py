"""The window's own settings (geometry, the folders file dialogs last used), kept in the settings
folder (rnnviz.io.paths: $RNNVIZ_HOME when set) as window.ini, and read back at the next start.

Also how the window confirms what a file action wrote: a message in the status bar.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QWidget

from rnnviz.io import paths

STATUS_MS = 10000


def window_settings() -> QSettings:
    """QSettings on <settings folder>/window.ini (never ~/.config: tests and users keep them apart)."""
    return QSettings(str(paths.settings_dir() / "window.ini"), QSettings.Format.IniFormat)


def start_folder(kind: str, fallback: str | os.PathLike | None = None) -> str:
    """Where a file dialog of this kind ("sessions", "weights", "figures"...) opens: the folder used
    last time, else `fallback`, else the home folder."""
    for candidate in (window_settings().value(f"folders/{kind}"), fallback):
        if candidate and Path(str(candidate)).is_dir():
            return str(candidate)
    return str(Path.home())


def remember_folder(kind: str, path: str | os.PathLike) -> None:
    """Remember the folder of `path` (a file, or a folder itself) for the next dialog of `kind`."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    s = window_settings()
    s.setValue(f"folders/{kind}", str(folder.resolve()))
    s.sync()


def announce(widget: QWidget | None, text: str, msecs: int = STATUS_MS) -> None:
    """Say in the window's status bar what was done (e.g. the file an export wrote)."""
    win = widget.window() if widget is not None else None
    if isinstance(win, QMainWindow):
        win.statusBar().showMessage(text, msecs)
