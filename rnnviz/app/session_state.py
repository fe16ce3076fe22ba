"""The window's work as a session and back: session_of(state) -> Session, apply_session(state, s).

What the File menu saves and opens, and what the autosave on quit writes and the next start restores
(rnnviz.app.last_session): the trace on screen with the weights it was computed with, the view, the
compare run, the draft the user entered but had not seen yet, and the Train panel's runs.
"""
from __future__ import annotations

import numpy as np

from rnnviz.app.config import Config, build_params, config_for_weights, prepare_run
from rnnviz.io.session import Session, check_settings


def session_of(state) -> Session:
    """The window's work as a Session: the trace on screen with the weights actually used (so open
    -> identical trace), and as the draft the settings entered but not shown yet."""
    tr = state.trace
    shown = state.shown_config or state.config
    draft = state.config.to_dict() if state.config != shown else None
    if draft is not None:
        try:
            check_settings(draft)
        except ValueError:
            draft = None  # settings no session can hold (can't come from the widgets)
    compare = state.compare_config.to_dict() if state.compare_config is not None else None
    s = Session(settings=shown.to_dict(), params=tr.params if tr is not None else None,
                weights_origin="imported" if state.shown_base_params is not None else "seed",
                position=state.position,
                view={"theme": state.view_options.theme, "presentation": state.view_options.presentation},
                compare=compare, draft=draft)
    if getattr(state, "training", None) is not None:      # the Train panel's runs (train_install.py)
        from rnnviz.app.train_session import training_data

        s.training, s.training_arrays = training_data(state.training)
    return s


def apply_session(state, s: Session, view_later: bool = False) -> None:
    """Put a loaded session into AppState. Raises ValueError before changing anything if it can't apply.

    Never waits for a background computation: the cursor (and the draft) follow when the trace is in.
    view_later: the session's theme and presentation mode come in the event loop's next turn (a new
    theme repolishes every widget, ~0.4 s, and a new model's views take as long again: one after the
    other, the window paints in between instead of holding up for both)."""
    config = Config.from_dict(s.settings)
    seq, _ = prepare_run(config)
    params = s.params
    if params is not None:
        if s.weights_origin != "imported" and _seeded_draw(config, seq, params):
            params = None  # the seed gives these weights again
        else:
            # imported weights, or a seeded draw that no longer gives the saved weights: use the saved ones
            config = config_for_weights(config, params, config.radius)
    training = getattr(state, "training", None)
    if training is not None:                               # checked before anything changes
        from rnnviz.app.train_session import runs_from_session

        runs, panel = runs_from_session(s.training, s.training_arrays)
    if view_later and s.view and any(getattr(state.view_options, k, v) != v for k, v in s.view.items()):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, state, lambda view=dict(s.view): state.set_view_options(**view))
    else:
        state.set_view_options(**s.view)
    state.restore(config, params, Config.from_dict(s.compare) if s.compare else None, s.position,
                  draft=Config.from_dict(s.draft) if s.draft else None)
    if training is not None:
        training.restore_session(runs, panel)


def _seeded_draw(config: Config, seq, params: dict) -> bool:
    """Whether the config's seed draws exactly these weights (then the session need not hold them)."""
    try:
        p = build_params(config, seq, None)
    except ValueError:
        return False
    return set(p) == set(params) and all(
        np.shape(p[k]) == np.shape(params[k]) and np.array_equal(np.reshape(p[k], np.shape(params[k])), params[k])
        for k in p)
