"""A Trainer as data and back: JSON-able settings plus named arrays, for sessions (rnnviz/io/session.py).

    doc     {"spec": ModelSpec fields, "task": Task.describe() (+ "seq" for a typed sequence),
             "settings": TrainSettings fields, "optimizer": Optimizer.settings(), "updates", "smooth",
             "error", "snapshot_updates": [...]}
    arrays  param/<name>, opt/<slot>/<name>, carry/<layer>/<i>, history/<column>,
            snap/<name> (snapshots stacked, first axis = snapshot), task/text (code points)

Everything a Trainer needs to continue exactly where it stopped: a task's batches are a function of
the update count, so no random generator state is kept.
"""
from __future__ import annotations

from dataclasses import asdict, fields

import numpy as np

from .optimizers import Optimizer
from .sequences import number_sequence, pair_sequence, text_sequence
from .spec import ModelSpec
from .tasks import NamesTask, SequenceTask, make_task
from .training import COLUMNS, History, Trainer, TrainSettings


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64) if text else np.zeros(0, np.int64)


def _text(codes: np.ndarray) -> str:
    codes = np.asarray(codes)
    if codes.ndim != 1 or codes.dtype.kind not in "iu" or (codes.size and (codes.min() < 0 or codes.max() > 0x10FFFF)):
        raise ValueError("the task's text is not a list of characters")
    return np.asarray(codes, dtype="<u4").tobytes().decode("utf-32-le", errors="replace")


def trainer_to_data(tr: Trainer) -> tuple[dict, dict]:
    task = tr.task
    desc = dict(task.describe())
    arrays: dict[str, np.ndarray] = {f"param/{k}": v.copy() for k, v in tr.params.items()}
    if isinstance(task, SequenceTask):
        seq = task.seq
        desc["seq"] = {"kind": seq.kind, "target": seq.target,
                       "vocab": "".join(seq.vocab) if seq.kind == "text" and not seq.n_source else None}
        arrays["task/text"] = _codes(seq.source)
    elif isinstance(task, NamesTask):
        arrays["task/text"] = _codes("\n".join(task.names))
    arrays.update({f"opt/{k}": v for k, v in tr.optimizer.state_arrays().items()})
    for (l, _d), states in (tr.carry or {}).items():
        for i, s in enumerate(states):
            arrays[f"carry/{l}/{i}"] = np.array(s)
    arrays.update({f"history/{c}": v for c, v in tr.history.rows().items()})
    if tr.snapshots:
        arrays.update({f"snap/{k}": np.stack([p[k] for _, p in tr.snapshots]) for k in tr.params})
    doc = {"spec": asdict(tr.spec), "task": desc, "settings": asdict(tr.settings),
           "optimizer": tr.optimizer.settings(), "updates": tr.updates, "smooth": tr.smooth, "error": tr.error,
           "snapshot_updates": [u for u, _ in tr.snapshots]}
    return doc, arrays


def _whole(v, what: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError(f"{what} {v!r} is not a whole number >= 0")
    return v


def trainer_from_data(doc: dict, arrays: dict) -> Trainer:
    """The Trainer trainer_to_data described; ValueError naming what doesn't fit."""
    try:
        spec = ModelSpec(**{f.name: doc["spec"][f.name] for f in fields(ModelSpec) if f.name in doc["spec"]})
        settings = TrainSettings(**{f.name: doc["settings"][f.name] for f in fields(TrainSettings)
                                    if f.name in doc["settings"]})
        desc = dict(doc["task"])
    except (KeyError, TypeError) as e:
        raise ValueError(f"the training data is incomplete ({e})") from None
    spec.check()
    settings.check()
    text = _text(arrays["task/text"]) if "task/text" in arrays else None
    if desc.get("kind") == "text":
        s = desc.get("seq") or {}
        if text is None:
            raise ValueError("the training data has no text")
        if s.get("kind") == "numbers":
            seq = number_sequence(text)
        elif s.get("target"):
            seq = pair_sequence(text, str(s["target"]))
        else:
            vocab = s.get("vocab")
            seq = text_sequence(text, tuple(vocab) if isinstance(vocab, str) and vocab else None)
        task = make_task(desc, seq)
    elif desc.get("kind") == "names" and text is not None:
        task = NamesTask(text.split("\n"), batch=int(desc.get("batch", 1)), seed=int(desc.get("seed", 0)),
                         shuffle=False)
    else:
        task = make_task(desc)
    if (task.n_x, task.n_y) != (spec.n_x, spec.n_y):
        raise ValueError(f"the task has {task.n_x} inputs and {task.n_y} outputs, the model {spec.n_x} and {spec.n_y}")
    params = {k[len("param/"):]: v for k, v in arrays.items() if k.startswith("param/")}
    missing = [k for k in spec.param_shapes() if k not in params]
    if missing:
        raise ValueError(f"the training data lacks the weights {', '.join(missing[:4])}")
    for k, shape in spec.param_shapes().items():
        if params[k].shape != shape:
            raise ValueError(f"the trained weight {k} has shape {params[k].shape}, expected {shape}")
        if not np.all(np.isfinite(params[k])):
            raise ValueError(f"the trained weight {k} contains NaN or infinity")
    opt = Optimizer.restore(doc.get("optimizer") or {}, {k[4:]: v for k, v in arrays.items() if k.startswith("opt/")})
    opt.check_fits(params)
    tr = Trainer(spec, params, task, settings, opt)
    tr.updates = _whole(doc.get("updates", 0), "the number of updates")
    tr.smooth = float(doc.get("smooth", task.baseline))
    tr.error = str(doc.get("error", ""))
    rows = {c: arrays.get(f"history/{c}") for c in COLUMNS}
    if all(v is not None for v in rows.values()):
        n = {len(v) for v in rows.values()}
        if len(n) != 1 or n.pop() != tr.updates:
            raise ValueError("the training history does not have one row per update")
        tr.history = History(rows)
    carry = {}
    for key, v in arrays.items():
        if key.startswith("carry/"):
            _, l, i = key.split("/")
            carry.setdefault((int(l), 0), {})[int(i)] = np.array(v, dtype=np.float64)
    tr.carry = {k: tuple(d[i] for i in sorted(d)) for k, d in carry.items()} or None
    ups = doc.get("snapshot_updates") or []
    if ups and all(f"snap/{k}" in arrays for k in params):
        if any(arrays[f"snap/{k}"].shape != (len(ups),) + params[k].shape for k in params):
            raise ValueError("the training snapshots don't fit the weights")
        tr.snapshots = [(_whole(u, "a snapshot's update"), {k: arrays[f"snap/{k}"][i].copy() for k in params})
                        for i, u in enumerate(ups)]
    else:
        tr.snapshots = []
    return tr
