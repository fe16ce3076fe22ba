"""Compare mode: a second configuration on the same sequence, computed beside the main one.

What the user sets differently from the main settings (say an LSTM where the main model is a vanilla
RNN, two layers, ρ = 1.2, ReLU) is kept as the main settings change; everything else (the sequence,
the hidden size, the seed, ...) follows the main configuration. The compared model may differ in
cell, layers and direction: then it runs on seeded weights, since imported weights hold one model;
otherwise it runs on the main run's weights (imported ones included). Small settings are computed at
once, big ones off the GUI thread as the main trace is (app/jobs.py), a newer request superseding
an older one. AppState owns one CompareMode and keeps the API: set_compare, compare_config,
compare_trace and the compare_changed signal.
"""
from __future__ import annotations

from dataclasses import replace

from rnnviz.app.config import Config, run_config

STRUCTURE = ("cell", "layers", "bidirectional", "hidden", "architecture")   # what imported weights fix
KEPT_APART = ("source", "kind", "target")                                  # always the main run's


def _run_job(task, config: Config, base: dict | None):
    return run_config(config, base, should_stop=task.should_stop)


class CompareMode:
    def __init__(self, state):
        self.state = state
        self.config: Config | None = None
        self.overrides: dict = {}
        self.trace = None
        self.job = None

    @property
    def on(self) -> bool:
        return self.config is not None

    def weights_for(self, config: Config) -> dict | None:
        """The main run's imported weights when the compared model has their shape, else None (seeded)."""
        if any(k in self.overrides for k in STRUCTURE):
            return None
        return self.state.base_params

    def set(self, config: Config | None) -> None:
        """Start (or change) compare mode with `config`; None ends it."""
        st = self.state
        if config is None:
            self.config, self.job, self.overrides, self.trace = None, None, {}, None
            st.jobs.cancel("compare")
            st.compare_changed.emit(None)
            return
        main = st.config
        self.overrides = {k: getattr(config, k) for k in Config.__dataclass_fields__
                          if k not in KEPT_APART and getattr(config, k) != getattr(main, k)}
        if st.busy:   # the main trace is being computed: the compared one follows it (AppState._accept)
            self.config = replace(main, **self.overrides)
            return
        self.recompute()

    def recompute(self) -> None:
        """The compared trace for the main settings as they are now."""
        st = self.state
        c = replace(st.config, **self.overrides)
        if c.encoder_decoder and c.bidirectional:      # an encoder–decoder reads one way: keep it valid
            c = replace(c, bidirectional=False)
        self.config = c
        base = self.weights_for(c)
        if not st.computes_here(c):  # big, or beside other work: off the GUI thread, like the main trace
            self.job = st.jobs.submit("compare", _run_job, c, base)
            return
        self.job = None
        st.jobs.cancel("compare")
        try:
            tr, msg = run_config(c, base), ""
        except (ValueError, MemoryError) as e:
            tr, msg = None, str(e) if isinstance(e, ValueError) else "not enough memory"
        self.done(tr, msg)

    def take(self, job, ok: bool) -> bool:
        """A finished background job: True when it was this mode's (then handled)."""
        if job is not self.job:
            return False
        self.job = None
        self.done(job.result if ok else None, "" if ok else job.error)
        return True

    def drop(self) -> None:
        """Forget a running job (the window closes)."""
        self.job = None

    def done(self, tr, msg: str) -> None:
        if self.config is None:
            return  # compare mode ended meanwhile
        self.trace = tr
        if tr is None:
            self.state._set_error(f"compare: {msg}")
        self.state.compare_changed.emit(tr)
