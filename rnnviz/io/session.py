"""`.rnnviz` session files: one zip holding session.json (versioned settings, sequence, cursor,
view options) and params.npz (the weights in the model's names: the notes' Wax Waa Wya ba by for a
one-layer vanilla RNN, PyTorch's state_dict names otherwise). Qt-free; never unpickles.

session.json (format version 2; version 1, the vanilla RNN's, still opens: its settings lack the
model fields, which then take their defaults):
  {"format": "rnnviz-session", "version": 2, "app_version": "...", "saved": "ISO time",
   "settings": {Config fields (rnnviz.core.settings): source, kind, hidden, activation, loss,
                architecture, radius, seed, flow, clip_mode, clip_threshold, and since version 2
                cell, layers, bidirectional, forget_bias, target},
   "sequence": {"source", "kind", "T", "vocab"},
   "cursor": {"position": timeline place 0..2T-1, "t": 0-based step, "phase": "forward"|"backward"},
   "view": {"theme": "light"|"dark", "presentation": bool},
   "weights": {"origin": "seed"|"imported", "file": "params.npz"},
   "compare": null or a second settings dict,
   "draft": null or the settings the user had entered but the views did not show yet (an invalid
            text, or a recomputation still running); "settings" and the weights are what was shown,
   "training": optional (absent or null: no training): {"runs": [one doc of
            rnnviz.core.train_state per trained model: the main run, then the compared one], "panel":
            the Train panel's own choices}, with the arrays of run k in the optional member
            training.npz as "k:<name>" (the trained weights, the optimizer's state, the carried
            state, the history, the snapshots). Older readers of format 2 ignore both.}

Reading is defensive (zipread): sizes are checked before anything is unpacked, and every problem,
damage included, is one ValueError naming the file. A file of a newer format raises
NewerFormatError (a ValueError) so the caller can keep it instead of overwriting it.
"""
from __future__ import annotations

import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import rnnviz
from rnnviz.core.settings import Config, check_config, config_for_weights, make_run_sequence
from rnnviz.core.timeline import Timeline

from .atomic import write_atomic
from .npz import load_npz
from .weights import params_from_arrays
from .zipread import check_regular_file, open_zip, read_member

FORMAT = "rnnviz-session"
FORMAT_VERSION = 2
SUFFIX = ".rnnviz"
_JSON, _PARAMS, _TRAINING = "session.json", "params.npz", "training.npz"
MAX_JSON_BYTES = 64 << 20   # 100,000 numbers of 25 digits are 2.5 MB

# type of every setting a session may carry (Config's fields); unknown keys are ignored
SETTING_TYPES = Config.field_types()


@dataclass
class Session:
    settings: dict                        # Config.to_dict()
    params: dict | None = None            # the weights the trace was computed with
    weights_origin: str = "seed"          # "seed": redraw from settings; "imported": use params
    position: int = 0                     # cursor place on the 2T timeline
    view: dict = field(default_factory=lambda: {"theme": "light", "presentation": False})
    compare: dict | None = None           # compare mode's second settings
    version: int = FORMAT_VERSION
    draft: dict | None = None             # settings entered but not shown yet (see the module doc)
    training: dict | None = None          # {"runs": [doc, ...], "panel": {...}} (see the module doc)
    training_arrays: dict | None = None   # "k:<name>" -> array for run k


class NewerFormatError(ValueError):
    """The file was written by a newer rnnviz: don't overwrite it, ask to update."""


def check_settings(d, label: str = "settings") -> dict:
    """The known settings with the right types (ints stay ints); ValueError naming a bad one."""
    if not isinstance(d, dict):
        raise ValueError(f"{label} must be a JSON object")
    out = {}
    for k, typ in SETTING_TYPES.items():
        if k not in d:
            continue
        v = d[k]
        if typ is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, typ) or (isinstance(v, bool) and typ is not bool):
            raise ValueError(f"{label}: {k} should be {typ.__name__}, not {type(v).__name__} {v!r}")
        if typ is float and not math.isfinite(v):
            raise ValueError(f"{label}: {k} is not finite")
        out[k] = v
    if "source" not in out:
        raise ValueError(f"{label}: the sequence (source) is missing")
    return out


def _to_json(s: Session) -> str:
    seq = make_run_sequence(Config.from_dict(s.settings))
    T = seq.T
    timeline = Timeline(T)
    pos = int(timeline.clamp(s.position))
    doc = {
        "format": FORMAT, "version": FORMAT_VERSION, "app_version": rnnviz.__version__,
        "saved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": dict(s.settings),
        "sequence": {"source": seq.source, "kind": seq.kind, "T": T, "vocab": "".join(seq.vocab)},
        "cursor": {"position": pos, "t": timeline.step(pos), "phase": timeline.phase(pos).value},
        "view": {"theme": str(s.view.get("theme", "light")), "presentation": bool(s.view.get("presentation"))},
        "weights": {"origin": s.weights_origin, "file": _PARAMS if s.params is not None else None},
        "compare": s.compare,
        "draft": s.draft,
    }
    if s.training is not None:
        doc["training"] = s.training
    return json.dumps(doc, indent=2, ensure_ascii=False)


def save_session(path: str | os.PathLike, s: Session) -> Path:
    """Write the session atomically (ValueError if the settings or folder are unusable)."""
    s.settings = check_settings(s.settings)
    if s.draft is not None:
        s.draft = check_settings(s.draft, "draft settings")
    text = _to_json(s)
    npz = io.BytesIO()
    if s.params is not None:
        params_from_arrays(s.params, "the session's weights")   # names and shapes of one model
        np.savez(npz, **{k: np.asarray(v, dtype=np.float64) for k, v in s.params.items()})
    training = io.BytesIO()
    if s.training is not None and s.training_arrays:
        np.savez(training, **{k: np.asarray(v) for k, v in s.training_arrays.items()})

    def writer(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(_JSON, text)
            if s.params is not None:
                z.writestr(_PARAMS, npz.getvalue(),
                           compress_type=zipfile.ZIP_STORED)  # floats hardly compress: quitting stays quick
            if training.tell():
                z.writestr(_TRAINING, training.getvalue(), compress_type=zipfile.ZIP_STORED)

    return write_atomic(path, writer)


def load_session(path: str | os.PathLike) -> Session:
    """Read and check a session; ValueError with a clear message for anything wrong.

    Checks go as far as parsing the sequence, checking the settings as the window does and fitting
    the weights to the sequence, so a session that loads can be applied without failing halfway.
    """
    p, doc, params = _read(path, with_params=True)
    arrays = load_npz(io.BytesIO(params), f"{p} ({_PARAMS})") if params is not None else None
    try:
        s = _from_doc(doc, arrays, str(p))
    except MemoryError:
        raise ValueError(f"{p}: the saved sequence is too large for the memory available") from None
    training = doc.get("training") if isinstance(doc, dict) else None
    if training is not None:
        if not isinstance(training, dict) or not isinstance(training.get("runs"), list):
            raise ValueError(f"{p}: the training data is not valid")
        s.training = training
        s.training_arrays = _read_training(p)
    return s


def _read_training(p: Path) -> dict:
    with open_zip(p, str(p), "an rnnviz session file") as z:
        if _TRAINING not in set(z.namelist()):
            return {}
        raw = read_member(z, _TRAINING, str(p))
    return load_npz(io.BytesIO(raw), f"{p} ({_TRAINING})")


def session_version(path: str | os.PathLike) -> int | None:
    """The format version a session file declares (None if it is not a readable session)."""
    try:
        _, doc, _ = _read(path, with_params=False)
    except ValueError:
        return None
    v = doc.get("version") if isinstance(doc, dict) else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _read(path, with_params: bool) -> tuple[Path, object, bytes | None]:
    """(path, the parsed session.json, the params.npz bytes or None), every read size-checked."""
    p = check_regular_file(path, "an rnnviz session file")
    label = str(p)
    with open_zip(p, label, "an rnnviz session file") as z:
        names = set(z.namelist())
        if _JSON not in names:
            raise ValueError(f"{p} is not an rnnviz session (no {_JSON} inside)")
        raw = read_member(z, _JSON, label, MAX_JSON_BYTES)
        params = read_member(z, _PARAMS, label) if with_params and _PARAMS in names else None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # bad UTF-8 or JSON, a 5000-digit number, deep nesting
        why = str(e).split("; use sys.")[0][:200]  # Python's advice on long integers is not for users
        raise ValueError(f"{p}: the session data is damaged ({why})") from None
    return p, doc, params


def _from_doc(doc, arrays, label: str) -> Session:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{label} is not an rnnviz session")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{label}: the format version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise NewerFormatError(f"{label} was saved by a newer rnnviz (session format {version}; this version "
                         f"reads up to {FORMAT_VERSION}): update rnnviz to open it")
    settings = check_settings(doc.get("settings"), f"{label}: settings")
    try:
        seq = make_run_sequence(Config.from_dict(settings))
    except ValueError as e:
        raise ValueError(f"{label}: the saved sequence is not valid ({e})") from None
    try:
        check_config(Config.from_dict(settings))
    except ValueError as e:
        raise ValueError(f"{label}: the saved settings are not valid ({e})") from None
    weights = doc.get("weights") or {}
    origin = weights.get("origin", "seed") if isinstance(weights, dict) else "seed"
    if origin not in ("seed", "imported"):
        raise ValueError(f"{label}: unknown weights origin {origin!r}")
    params = None
    if arrays is not None:
        params = params_from_arrays(arrays, f"{label} ({_PARAMS})").params
        try:
            config_for_weights(Config.from_dict(settings), params, settings.get("radius"))
        except ValueError as e:
            raise ValueError(f"{label}: the saved weights don't fit the saved sequence ({e})") from None
    elif origin == "imported":
        raise ValueError(f"{label}: the session says its weights were imported but holds no {_PARAMS}")
    cursor = doc.get("cursor") or {}
    pos = cursor.get("position", 0) if isinstance(cursor, dict) else 0
    if not isinstance(pos, int) or isinstance(pos, bool):
        raise ValueError(f"{label}: the cursor position {pos!r} is not a whole number")
    view = doc.get("view") or {}
    if not isinstance(view, dict):
        raise ValueError(f"{label}: view options must be a JSON object")
    view = {"theme": view.get("theme") if view.get("theme") in ("light", "dark") else "light",
            "presentation": bool(view.get("presentation", False))}
    compare = doc.get("compare")
    if compare is not None:
        compare = check_settings(dict(compare, source=settings["source"]) if isinstance(compare, dict) else compare,
                                 f"{label}: compare settings")
        try:   # as the main settings: a hidden size of -1 opened without a word
            check_config(Config.from_dict(compare))
        except ValueError as e:
            raise ValueError(f"{label}: the saved compare settings are not valid ({e})") from None
    draft = doc.get("draft")
    if draft is not None:
        draft = check_settings(draft, f"{label}: draft settings")
    return Session(settings, params, origin, int(Timeline(seq.T).clamp(pos)), view, compare, version, draft)
