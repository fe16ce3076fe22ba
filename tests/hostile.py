"""Hostile files for the tests of issue 13 (items 17, 21, 23): built here so every test damages
files the same way a disk, a download or a tester does."""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np


def flip_a_byte(path: Path, member: str) -> Path:
    """Flip one byte of `member`'s deflated data so that reading it raises zlib.error (the traceback
    a user got), not just a bad CRC: try the bytes in turn until one does."""
    original = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(info.compress_size):
        data = bytearray(original)
        data[start + i] ^= 0xFF
        path.write_bytes(bytes(data))
        try:
            with zipfile.ZipFile(path) as z:
                z.read(member)
        except zlib.error:
            return path
        except Exception:  # noqa: BLE001 - another kind of damage: try the next byte
            pass
    raise AssertionError(f"no single byte of {member} gives zlib.error")


def zip_bomb(path: Path, member: str, n_bytes: int) -> Path:
    """A zip whose `member` inflates to n_bytes of spaces from about n_bytes / 1000 stored."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open(member, "w", force_zip64=True) as f:
            chunk = b" " * (1 << 22)
            for _ in range(n_bytes // len(chunk)):
                f.write(chunk)
    return path


def weights(path: Path, n_a: int, value: float, n_x: int = 8) -> Path:
    """Weights for a text of n_x characters with n_a hidden units, every entry `value`."""
    np.savez(path, Wax=np.full((n_a, n_x), value), Waa=np.full((n_a, n_a), value), ba=np.zeros((n_a, 1)),
             Wya=np.full((n_x, n_a), value), by=np.zeros((n_x, 1)))
    return path


def single_npy(path: Path) -> Path:
    """One .npy array under an .npz name."""
    with open(path, "wb") as f:
        np.save(f, np.ones((4, 4)))
    return path
