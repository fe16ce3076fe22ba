"""Reading zip archives (.rnnviz sessions, .npz weights) from untrusted files, with limits.

Every problem is a ValueError naming the file: never zlib.error, MemoryError or a hang. Sizes are
checked from the archive's directory before anything is decompressed (a member's declared size
also bounds what zipfile will inflate), and a .npy member's header (shape x dtype) is checked
against the member's size before its data is allocated.
"""
from __future__ import annotations

import math
import os
import stat
import zipfile
import zlib
from pathlib import Path

import numpy as np

MAX_MEMBER_BYTES = 1 << 30      # one array or document, uncompressed (Wax at n_a = 2048 and 60k characters)
MAX_TOTAL_BYTES = 2 << 30       # a whole archive, uncompressed
MAX_RATIO = 200                 # compression ratio above which a large member is taken for a zip bomb
RATIO_FROM_BYTES = 128 << 20    # ... from this size up: arrays of zeros (an identity Waa) compress 1000:1 too
NPY_MAGIC = b"\x93NUMPY"

# what reading a damaged or hostile archive can raise besides ValueError
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, RuntimeError,
               NotImplementedError, KeyError, MemoryError, OverflowError, RecursionError)


def check_regular_file(path: str | os.PathLike, what: str = "a file") -> Path:
    """`path` as a Path if it is a regular file; ValueError otherwise (reading a pipe would block)."""
    if not str(path).strip():     # Path("") is the current folder: say what is wrong, not "." is a folder
        raise ValueError(f"the file name is empty: give the path of {what}")
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise ValueError(f"{p}: no such file") from None
    except OSError as e:
        raise ValueError(f"{p} can't be read ({e.strerror or e})") from None
    if stat.S_ISDIR(mode):
        raise ValueError(f"{p} is a folder, not {what}")
    if not stat.S_ISREG(mode):
        raise ValueError(f"{p} is not {what} but a pipe, socket or device; rnnviz reads only regular files")
    return p


def open_zip(source, label: str, kind: str) -> zipfile.ZipFile:
    """A ZipFile on a path or binary file object, its total size checked; ValueError if it isn't one."""
    try:
        head = _head(source)
        if head.startswith(NPY_MAGIC):
            raise ValueError(f"{label} is a single .npy array, not {kind} (an .npz archive of named arrays)")
        z = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise ValueError(f"{label} is not {kind} (not a zip archive; damaged or another format)") from None
    except READ_ERRORS as e:
        raise ValueError(f"{label} can't be read ({type(e).__name__}: {e})") from None
    total = sum(i.file_size for i in z.infolist())
    if total > MAX_TOTAL_BYTES:
        z.close()
        raise ValueError(f"{label} would unpack to {total / 2**30:.1f} GiB; rnnviz reads files of up to "
                         f"{MAX_TOTAL_BYTES / 2**30:.0f} GiB (damaged, or a zip bomb)")
    return z


def _head(source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read(len(NPY_MAGIC))
    pos = source.tell()
    head = source.read(len(NPY_MAGIC))
    source.seek(pos)
    return head


def check_member(z: zipfile.ZipFile, name: str, label: str, limit: int | None = None) -> zipfile.ZipInfo:
    """The member's ZipInfo after the size (default MAX_MEMBER_BYTES) and compression-ratio checks."""
    limit = MAX_MEMBER_BYTES if limit is None else limit
    info = z.getinfo(name)
    if info.file_size > limit:
        raise ValueError(f"{label}: {name} would unpack to {info.file_size:,} bytes (at most {limit:,}): "
                         "damaged, or not a file rnnviz wrote")
    if info.file_size >= RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ValueError(f"{label}: {name} unpacks {info.file_size // max(info.compress_size, 1):,} times "
                         "larger than it is stored (a zip bomb?); refused")
    return info


def read_member(z: zipfile.ZipFile, name: str, label: str, limit: int | None = None) -> bytes:
    """The member's bytes, checked first; damage (bad CRC, broken deflate data) is a ValueError."""
    info = check_member(z, name, label, limit)
    try:
        with z.open(info) as f:
            data = f.read(info.file_size + 1)
    except READ_ERRORS as e:
        raise ValueError(f"{label}: {name} is damaged ({type(e).__name__}: {e})") from None
    if len(data) != info.file_size:
        raise ValueError(f"{label}: {name} is damaged (its size does not match the archive's directory)")
    return data


def read_npy_member(z: zipfile.ZipFile, name: str, label: str) -> np.ndarray:
    """One .npy member as an array: the header's shape x dtype must fit the member before reading."""
    info = check_member(z, name, label)
    try:
        with z.open(info) as f:
            shape, fortran, dtype = _npy_header(f)
            size = info.file_size - f.tell()
            if dtype.hasobject:
                raise ValueError(f"{label}: {name} holds Python objects, not plain numbers; rnnviz never "
                                 "unpickles files (save the arrays as numbers with numpy.savez)")
            count = math.prod(int(n) for n in shape)
            if count < 0 or count * dtype.itemsize != size:
                raise ValueError(f"{label}: {name} is damaged (its header says {shape} {dtype}: "
                                 f"{count * dtype.itemsize:,} bytes of data, but it holds {size:,})")
            buf = bytearray(size)               # allocated only now that the size is known to be true
            if f.readinto(buf) != size or f.read(1):
                raise ValueError(f"{label}: {name} is damaged (truncated array data)")
    except ValueError as e:
        if str(e).startswith(label):
            raise
        raise ValueError(f"{label}: {name} is not a valid NumPy array ({e})") from None
    except READ_ERRORS as e:
        raise ValueError(f"{label}: {name} is damaged ({type(e).__name__}: {e})") from None
    a = np.frombuffer(buf, dtype=dtype, count=count)
    return a.reshape(shape[::-1]).T if fortran else a.reshape(shape)


def _npy_header(f) -> tuple[tuple, bool, np.dtype]:
    """(shape, fortran_order, dtype) from a .npy header (numpy checks its syntax and length)."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(f)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(f)
    return np.lib.format._read_array_header(f, version)  # 3.0: the same header, UTF-8 field names
