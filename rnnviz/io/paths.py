"""Where rnnviz keeps its settings, recent files and the last session (Qt-free).

The folder is $RNNVIZ_HOME when set (tests point it to a temp dir), else the platform's app-data
folder, the same place Qt's QStandardPaths.AppDataLocation gives, with ~/.rnnviz as the fallback.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .atomic import write_text_atomic

APP_NAME = "rnnviz"
RECENT_MAX = 10


def settings_dir(create: bool = True) -> Path:
    home = os.environ.get("RNNVIZ_HOME")
    if home:
        d = Path(home).expanduser()
    else:
        d = _platform_dir()
    if create:
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError:
            d = Path.home() / f".{APP_NAME}"
            d.mkdir(parents=True, exist_ok=True)
    return d


def _platform_dir() -> Path:
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg) / APP_NAME
    base = Path.home() / ".local" / "share"
    return base / APP_NAME if base.is_dir() else Path.home() / f".{APP_NAME}"


def last_session_path() -> Path:
    """The session saved automatically on quit and restored at start."""
    return settings_dir() / "last.rnnviz"


def _recent_file() -> Path:
    return settings_dir() / "recent.json"


def recent_files() -> list[Path]:
    """Most recent first; files that no longer exist are left out. A damaged list reads as empty."""
    try:
        data = json.loads(_recent_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [Path(p) for p in data if isinstance(p, str) and Path(p).is_file()][:RECENT_MAX]


def add_recent_file(path: str | os.PathLike) -> list[Path]:
    """Put `path` at the top of the recent list (and drop its older entry)."""
    p = Path(path).resolve()
    items = [p] + [q for q in recent_files() if q.resolve() != p]
    items = items[:RECENT_MAX]
    write_text_atomic(_recent_file(), json.dumps([str(q) for q in items], indent=1))
    return items


def clear_recent_files() -> None:
    write_text_atomic(_recent_file(), "[]")
