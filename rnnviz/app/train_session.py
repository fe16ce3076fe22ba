"""Training in sessions: the controller's runs as the session's optional `training` members, and
back (rnnviz/io/session.py documents the format). While a run trains, the last consistent copy the
loop made (between two updates, at most 1/30 s old) is what is saved: quitting never waits."""
from __future__ import annotations

import math
from dataclasses import asdict, fields

from rnnviz.core.tasks import TASK_KINDS, TaskChoice
from rnnviz.core.train_state import trainer_from_data, trainer_to_data
from rnnviz.core.training import TrainSettings


def training_data(ctl) -> tuple[dict | None, dict | None]:
    """(doc, arrays) of the controller's runs, or (None, None) when nothing was trained."""
    runs = ctl.consistent_runs()
    if not runs:
        return None, None
    docs, arrays = [], {}
    for k, tr in enumerate(runs):
        doc, arr = trainer_to_data(tr)
        docs.append(doc)
        arrays.update({f"{k}:{name}": v for name, v in arr.items()})
    panel = {"choice": {f: getattr(ctl.choice, f) for f in ("kind", "length", "batch", "window", "file_path", "seed")},
             "settings": asdict(ctl.settings), "max_updates": ctl.max_updates, "compare_cell": ctl.compare_cell,
             "viewing": ctl.viewing}
    return {"runs": docs, "panel": panel}, arrays


def runs_from_session(training: dict | None, arrays: dict | None) -> tuple[list, dict]:
    """The trainers a session holds and the panel's choices; ValueError naming what is wrong."""
    if not training:
        return [], {}
    runs = []
    for k, doc in enumerate(training.get("runs") or []):
        prefix = f"{k}:"
        mine = {name[len(prefix):]: v for name, v in (arrays or {}).items() if name.startswith(prefix)}
        try:
            runs.append(trainer_from_data(doc, mine))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"the saved training can't continue ({e})") from None
    panel = training.get("panel") if isinstance(training.get("panel"), dict) else {}
    return runs, checked_panel(panel)


# The Train panel's ranges (its spin boxes, rnnviz/app/panels/train_panel.py; a test keeps them equal)
CHOICE_RANGES = {"length": (2, 2000), "batch": (1, 1024), "window": (1, 10_000), "seed": (0, 2**31 - 1)}
MAX_UPDATES_RANGE = (1, 10_000_000)
SNAPSHOT_RANGE = (0, 1_000_000)
LR_RANGE = (1e-4, 1.0)
CLIP_RANGE = (1e-4, 1e6)


def checked_panel(panel: dict) -> dict:
    """The panel's saved choices, each of the right type and in its widget's range; ValueError naming
    the first that isn't (a hand-edited or damaged session), before anything in the window changes:
    they went into the panel's spin boxes unchecked (tracebacks) and into the next training run."""
    from rnnviz.core.cells import CELLS
    from rnnviz.core.clipping import CLIP_MODES
    from rnnviz.core.optimizers import OPTIMIZERS

    def bad(what, v, want):
        return ValueError(f"the saved Train panel's {what} {v!r} is not {want}")

    def whole(what, v, lo, hi):
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise bad(what, v, f"a whole number from {lo:,} to {hi:,}")
        return v

    def number(what, v, lo, hi):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not (math.isfinite(v) and lo <= v <= hi):
            raise bad(what, v, f"a number from {lo:g} to {hi:g}")
        return float(v)

    def one_of(what, v, choices):
        if v not in choices:
            raise bad(what, v, "one of " + ", ".join(repr(c) for c in choices))
        return v

    out = dict(panel)
    for part in ("choice", "settings"):
        if not isinstance(panel.get(part) or {}, dict):
            raise bad(part, panel[part], "a JSON object")
    choice = dict(panel.get("choice") or {})
    if "kind" in choice:
        one_of("task", choice["kind"], TASK_KINDS)
    for f, (lo, hi) in CHOICE_RANGES.items():
        if f in choice:
            whole(f, choice[f], lo, hi)
    if not isinstance(choice.get("file_path", ""), str):
        raise bad("file", choice["file_path"], "a file name")
    settings = dict(panel.get("settings") or {})
    for f, check in (("optimizer", lambda v: one_of("optimizer", v, OPTIMIZERS)),
                     ("lr", lambda v: number("learning rate", v, *LR_RANGE)),
                     ("clip_mode", lambda v: one_of("clipping", v, CLIP_MODES)),
                     ("clip_threshold", lambda v: number("clipping threshold", v, *CLIP_RANGE)),
                     ("snapshot_every", lambda v: whole("snapshot interval", v, *SNAPSHOT_RANGE))):
        if f in settings:
            settings[f] = check(settings[f])
    if "max_updates" in panel:
        whole("maximum number of updates", panel["max_updates"], *MAX_UPDATES_RANGE)
    if panel.get("compare_cell"):
        one_of("second model", panel["compare_cell"], ("",) + tuple(CELLS))
    out.update(choice=choice, settings=settings)
    return out


def apply_panel(ctl, panel: dict, runs: list) -> None:
    """The Train panel's choices as saved (a file's text comes back from the saved run)."""

    choice = panel.get("choice") or {}
    known = {f: choice[f] for f in ("kind", "length", "batch", "window", "file_path", "seed") if f in choice}
    ctl.choice = TaskChoice(**known)
    if ctl.choice.kind == "file" and runs:
        ctl.choice.file_text = runs[0].task.seq.source
    s = panel.get("settings") or {}
    ctl.settings = TrainSettings(**{f.name: s[f.name] for f in fields(TrainSettings) if f.name in s})
    ctl.max_updates = int(panel.get("max_updates", ctl.max_updates))
    ctl.compare_cell = str(panel.get("compare_cell", "") or "")
