"""Atomic file writes: write a temp file in the target's folder, then os.replace it into place.

A failure (or a cancel) at any point leaves either the old file or no file, never half of one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
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
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
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
