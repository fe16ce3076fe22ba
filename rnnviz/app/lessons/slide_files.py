"""The slides' file names, the mark each slide carries, and the removal of an older export's extra slides.

Re-exporting a lesson into a folder that holds an older, longer export (the lesson had 12 pages, now 7;
or another lesson) left the old extra PNGs beside the new ones, so the folder showed slides that are no
longer the lesson. A complete export now removes them, but only files that are surely ours: a name
such as slide_name writes (NN-words.png) *and* the mark rnnviz writes into each slide's PNG (a text chunk
with the key MARK). A user's own PNG, whatever its name, has no mark and is never touched; neither is
any other file, a link, or a slide an older rnnviz wrote without the mark. Qt-free.
"""
from __future__ import annotations

import os
import re
import stat
import struct
from pathlib import Path

MARK = "rnnviz-slide"        # the PNG text key of every slide (its value: the lesson and the page)
_NAME = re.compile(r"\d{2,}-[a-z0-9-]+\.png")
_PNG = b"\x89PNG\r\n\x1a\n"


def slide_name(k: int, page) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (page.id or page.title).lower()).strip("-")[:40] or "page"
    return f"{k + 1:02d}-{slug}.png"


def is_slide_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def has_mark(path: Path) -> bool:
    """Whether the PNG at `path` carries MARK in a text chunk (tEXt, zTXt or iTXt) before its image data."""
    key = MARK.encode("latin-1") + b"\0"
    try:
        with open(path, "rb") as f:
            if f.read(8) != _PNG:
                return False
            for _ in range(64):                        # IHDR, pHYs, a few text chunks, then IDAT
                head = f.read(8)
                if len(head) < 8:
                    return False
                n, kind = struct.unpack(">I4s", head)
                if kind in (b"IDAT", b"IEND"):
                    return False
                if kind in (b"tEXt", b"zTXt", b"iTXt") and n < 1 << 16:
                    if f.read(n).startswith(key):
                        return True
                    f.seek(4, os.SEEK_CUR)
                else:
                    f.seek(n + 4, os.SEEK_CUR)
    except OSError:
        return False
    return False


def stale_slides(folder: Path, keep: set[str]) -> list[Path]:
    """The slides of an older export in `folder` that this export did not write again (names in keep)."""
    out = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return out
    for e in entries:
        if e.name in keep or not is_slide_name(e.name):
            continue
        try:
            if not stat.S_ISREG(e.stat(follow_symlinks=False).st_mode):
                continue
        except OSError:
            continue
        if has_mark(Path(e.path)):
            out.append(Path(e.path))
    return sorted(out)


def remove_stale_slides(folder: Path, keep: set[str]) -> list[str]:
    """Remove the older export's extra slides (stale_slides); the names removed."""
    removed = []
    for p in stale_slides(folder, keep):
        try:
            p.unlink()
        except OSError:
            continue
        removed.append(p.name)
    return removed


def removed_note(removed: list[str]) -> str:
    """'; removed 5 slides of an older export (08-x.png … 12-y.png)', or '' (the CLI's line and the
    window's status bar)."""
    if not removed:
        return ""
    names = removed[0] if len(removed) == 1 else f"{removed[0]} … {removed[-1]}"
    n = len(removed)
    return f"; removed {n} slide{'s' if n > 1 else ''} of an older export ({names})"
