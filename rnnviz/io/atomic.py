"""Atomic file writes: write a temp file in the target's folder, then os.replace it into place.

A failure (or a cancel) at any point leaves either the old file or no file, never half of one.
The temp file is named .<target>.<pid>-<random>.part; one left behind by a killed process (kill -9,
a power cut) is removed by the next write of the same file, and clean_stale_parts(folder) removes
all of a folder's (the window calls it on its settings folder at start).
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator


def check_writable_dir(folder: str | os.PathLike, create: bool = True) -> Path:
    """The folder as a Path, created if asked; ValueError with a clear message if it can't be used."""
    if not str(folder).strip():
        raise ValueError("the output folder name is empty (give one, e.g. --out figs)")
    d = Path(folder)
    if d.exists() and not d.is_dir():
        raise ValueError(f"{d} is a file, not a folder")
    if create:
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ValueError(f"can't create the folder {d}: {e.strerror or e}") from None
    if not d.is_dir():
        raise ValueError(f"the folder {d} does not exist")
    if not os.access(d, os.W_OK | os.X_OK):
        raise ValueError(f"the folder {d} is not writable")
    return d


PART_SUFFIX = ".part"
STALE_SECONDS = 24 * 3600  # a temp file without a live owner's pid in its name is stale after this
_PART = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)-[^.]+\.part$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else
    return True


def clean_stale_parts(folder: str | os.PathLike, target: str | None = None) -> list[Path]:
    """Remove temp files of interrupted atomic writes in `folder` (only those of `target` if given):
    those whose writing process is gone, and old ones of unknown owner. Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for e in entries:
        if not (e.name.startswith(".") and e.name.endswith(PART_SUFFIX)):
            continue
        m = _PART.match(e.name)
        if target is not None and not (m and m.group("target") == target):
            continue
        try:
            if not e.is_file(follow_symlinks=False):
                continue
            stale = not _alive(int(m.group("pid"))) if m else now - e.stat().st_mtime > STALE_SECONDS
            if stale:
                os.unlink(e.path)
                removed.append(Path(e.path))
        except OSError:
            continue
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path next to `path`; on success it replaces `path`, on any error it is deleted."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"can't write {target}: the folder {folder} does not exist")
    clean_stale_parts(folder, target.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-", suffix=PART_SUFFIX, dir=folder)
    except OSError as e:
        raise ValueError(f"can't write {target}: {e.strerror or e}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_atomic(path: str | os.PathLike, writer: Callable[[Path], None]) -> Path:
    """Call writer(temp_path) and move the result to `path`. OSError -> ValueError naming the file."""
    try:
        with atomic_path(path) as tmp:
            writer(tmp)
    except OSError as e:
        raise ValueError(f"can't write {path}: {e.strerror or e}") from None
    return Path(path)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
