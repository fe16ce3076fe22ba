"""Reading and writing .npz safely: never unpickle, always atomic, clear errors."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .atomic import write_atomic
from .zipread import check_regular_file, open_zip, read_npy_member


def save_npz(path: str | os.PathLike, arrays: dict, compressed: bool = False) -> Path:
    """Write `arrays` to `path` atomically (np.savez would add .npz to a temp name, so use a handle)."""
    save = np.savez_compressed if compressed else np.savez

    def writer(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            save(f, **{k: np.asarray(v) for k, v in arrays.items()})

    return write_atomic(path, writer)


def load_npz(source, what: str = "file") -> dict[str, np.ndarray]:
    """All arrays of an .npz (path or binary file object) as a dict; ValueError on any problem.

    Never unpickles (an array of Python objects is refused); sizes are checked before anything is
    allocated (zipread), so a damaged or hostile file gives a message, not a crash or a hang.
    Members that are not .npy arrays are ignored, as numpy's own keys ignore them.
    """
    name = str(source) if isinstance(source, (str, os.PathLike)) else what
    if isinstance(source, (str, os.PathLike)):
        check_regular_file(source, "an .npz file")
    kind = "a valid .npz file"
    with open_zip(source, name, kind) as z:
        members = [i.filename for i in z.infolist() if i.filename.endswith(".npy")]
        if not members and z.infolist():
            raise ValueError(f"{name} is not {kind} (a zip archive without NumPy arrays)")
        out = {}
        for m in members:
            key = m[: -len(".npy")]
            if key in out:
                raise ValueError(f"{name} holds the array {key!r} twice")
            out[key] = read_npy_member(z, m, name)
        return out
