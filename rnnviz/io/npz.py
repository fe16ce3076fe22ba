"""Reading and writing .npz safely: never unpickle, always atomic, clear errors."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from .atomic import write_atomic


def save_npz(path: str | os.PathLike, arrays: dict, compressed: bool = False) -> Path:
    """Write `arrays` to `path` atomically (np.savez would add .npz to a temp name, so use a handle)."""
    save = np.savez_compressed if compressed else np.savez

    def writer(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            save(f, **{k: np.asarray(v) for k, v in arrays.items()})

    return write_atomic(path, writer)


def load_npz(source, what: str = "file") -> dict[str, np.ndarray]:
    """All arrays of an .npz (path or binary file object) as a dict; ValueError on any problem.

    allow_pickle=False: an array of Python objects is refused, never unpickled.
    """
    name = str(source) if isinstance(source, (str, os.PathLike)) else what
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if not p.exists():
            raise ValueError(f"{name}: no such file")
        if p.is_dir():
            raise ValueError(f"{name} is a folder, not an .npz file")
    try:
        with np.load(source, allow_pickle=False) as z:
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise ValueError(f"{name} is a single .npy array, not an .npz archive of named arrays")
            return {k: z[k] for k in z.files}
    except ValueError as e:
        msg = str(e)
        if "Object arrays" in msg:
            raise ValueError(f"{name} holds Python objects, not plain numbers; rnnviz never unpickles "
                             "files (save the arrays as numbers with numpy.savez)") from None
        if "pickled" in msg:  # numpy's wording for any file that is neither .npz nor .npy
            raise ValueError(f"{name} is not a valid .npz file (text, a pickle or another format; "
                             "rnnviz never unpickles files)") from None
        if msg.startswith(name):
            raise
        raise ValueError(f"{name} is not a valid .npz file ({msg})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ValueError(f"{name} is not a valid .npz file ({type(e).__name__}: {e})") from None
