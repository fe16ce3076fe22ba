"""The NumPy engine: no Qt, no files. compute.compute_trace is the one computation; settings.run_config
runs it from a Config; cells/ model.py spec.py describe the networks."""
from .activations import ACTIVATIONS, get_activation
from .cells import CELL_TITLES, CELLS, make_cell
from .compute import Cancelled, compute_gains, compute_trace
from .losses import LOSSES, LOSS_TITLES, default_loss
from .params import (PARAM_NAMES, init_model_params, init_params, param_count, scale_to_radius, sigma_max,
                     spectral_radius)
from .sequences import (END, START, SequenceData, char_label, make_sequence, number_sequence, pair_sequence,
                        parse_numbers, text_sequence)
from .spec import ModelSpec
from .trace import ARCHITECTURES, StateRef, Trace

__all__ = [
    "ACTIVATIONS", "ARCHITECTURES", "CELLS", "CELL_TITLES", "Cancelled", "END", "LOSSES", "LOSS_TITLES",
    "ModelSpec", "PARAM_NAMES", "START", "SequenceData", "StateRef", "Trace", "char_label", "compute_gains", "compute_trace",
    "default_loss", "get_activation", "init_model_params", "init_params", "make_cell", "make_sequence",
    "number_sequence", "pair_sequence", "param_count", "parse_numbers", "scale_to_radius", "sigma_max",
    "spectral_radius", "text_sequence",
]
