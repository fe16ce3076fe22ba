"""Read a sequence from a file (`rnnviz export --text-file / --numbers-file`): UTF-8 text only.

A command line cannot carry 100,000 numbers (the OS limits one argument to 128 KiB), so long
sequences come from files. Every problem is one clear ValueError naming the file: missing, not a
regular file (a folder, or a named pipe that would block), too large, binary, not UTF-8.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_BYTES = 32 * 1024 * 1024   # far above 100,000 steps of any sequence rnnviz can show


def read_source(path: str | os.PathLike, what: str = "text") -> str:
    """The file's text. For what == "text" one final line break (an editor's) is dropped."""
    if not str(path).strip():     # Path("") is the current folder
        raise ValueError("the file name is empty: give the path of a UTF-8 text file")
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise ValueError(f"{p}: no such file") from None
    except OSError as e:
        raise ValueError(f"can't read {p}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ValueError(f"{p} is {kind}; give a UTF-8 text file")
    if st.st_size > MAX_BYTES:
        raise ValueError(f"{p} is {st.st_size / 2**20:.0f} MiB; rnnviz reads at most {MAX_BYTES // 2**20} MiB")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ValueError(f"can't read {p}: {e.strerror or e}") from None
    if b"\0" in data:
        raise ValueError(f"{p} looks like a binary file (it contains NUL bytes); give a UTF-8 text file")
    try:
        text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{p} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
                         "save it as UTF-8") from None
    if what == "text":
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
    if not text.strip() and what != "text":
        raise ValueError(f"{p} is empty; it should hold numbers separated by spaces, commas or lines")
    return text
