"""Lessons that train: a page's setup "train" chooses the task and the second model in the Train panel
(state.training, the TrainController), and the live values {train_loss}, {train_updates}, ... read the
runs. Only where the window has training (the "train" panel); elsewhere such a lesson is refused."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from rnnviz.lessons.values import TRAIN_MEAN_OF as MEAN_OF


def training_of(window):
    return getattr(window.state, "training", None)


def train_values(window) -> dict:
    ctl = training_of(window)
    if ctl is None or not ctl.trainers:
        return {}
    out = {"train_updates": ctl.updates, "train_task": ctl.main.task.title,
           "train_baseline": float(ctl.main.task.baseline), "train_cell": ctl.trainers[0].spec.cell}
    for key, i in (("train_loss", 0), ("train_compare_loss", 1)):
        if i < len(ctl.mirrors) and ctl.mirrors[i].n:
            out[key] = float(np.mean(ctl.mirrors[i].column("loss")[-MEAN_OF:]))
    if len(ctl.trainers) > 1:
        out["train_compare_cell"] = ctl.trainers[1].spec.cell
    return out


def apply_train(window, spec: dict) -> None:
    """The page's training setup: task (kind, length, batch), second model, optimizer, clipping. New
    runs start (reset) only when the task or the models change."""
    ctl = training_of(window)
    if ctl is None:
        return
    ctl.pause()
    choice = replace(ctl.choice, kind=spec.get("task", ctl.choice.kind))
    if choice.kind != ctl.choice.kind:
        ctl.set_task(choice)                     # the task's recipe (optimizer, length, batch)
    choice = replace(ctl.choice, length=spec.get("length", ctl.choice.length),
                     batch=spec.get("batch", ctl.choice.batch))
    if choice != ctl.choice:
        ctl.set_task(choice)
    if spec.get("compare", ctl.compare_cell) != ctl.compare_cell:
        ctl.set_compare(spec.get("compare") or "")
    if "optimizer" in spec or "lr" in spec:
        ctl.set_optimizer(spec.get("optimizer", ctl.settings.optimizer), spec.get("lr", ctl.settings.lr))
    if "clip_mode" in spec or "clip_threshold" in spec:
        ctl.set_clipping(spec.get("clip_mode", ctl.settings.clip_mode),
                         spec.get("clip_threshold", ctl.settings.clip_threshold))
    if spec.get("reset"):
        ctl.reset()
