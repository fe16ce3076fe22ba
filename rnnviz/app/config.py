"""The window's names for the run settings (they live in rnnviz.core.settings, Qt-free) and the
window-only options: the cursor's two phases and the view options."""
from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.settings import (  # noqa: F401 - re-exported for the app
    ASYNC_COST, MAX_HIDDEN, MAX_OUTPUTS, MAX_RADIUS, MAX_SEED, MAX_STEPS, Config, Stopped, build_params,
    check_config, check_size, config_for_weights, estimated_cost, make_run_sequence, prepare_run, run_config,
    spec_of,
)

FORWARD = "forward"
BACKWARD = "backward"


@dataclass(frozen=True)
class ViewOptions:
    theme: str = "light"            # light | dark
    presentation: bool = False      # large fonts for projectors
