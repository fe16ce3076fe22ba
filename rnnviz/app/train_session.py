"""Training in sessions: the controller's runs as the session's optional `training` members, and
back (rnnviz/io/session.py documents the format). While a run trains, the last consistent copy the
loop made (between two updates, at most 1/30 s old) is what is saved: quitting never waits."""
from __future__ import annotations

from dataclasses import asdict, fields

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
    return runs, panel


def apply_panel(ctl, panel: dict, runs: list) -> None:
    """The Train panel's choices as saved (a file's text comes back from the saved run)."""
    from rnnviz.app.training_controller import TaskChoice

    choice = panel.get("choice") or {}
    known = {f: choice[f] for f in ("kind", "length", "batch", "window", "file_path", "seed") if f in choice}
    ctl.choice = TaskChoice(**known)
    if ctl.choice.kind == "file" and runs:
        ctl.choice.file_text = runs[0].task.seq.source
    s = panel.get("settings") or {}
    ctl.settings = TrainSettings(**{f.name: s[f.name] for f in fields(TrainSettings) if f.name in s})
    ctl.max_updates = int(panel.get("max_updates", ctl.max_updates))
    ctl.compare_cell = str(panel.get("compare_cell", "") or "")
