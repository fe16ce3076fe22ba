"""The NumPy engine: no Qt, no files. See trace.compute_trace for the one computation."""
from .activations import ACTIVATIONS, get_activation
from .losses import LOSSES, LOSS_TITLES, default_loss
from .params import PARAM_NAMES, init_params, param_count, scale_to_radius, sigma_max, spectral_radius
from .sequences import SequenceData, char_label, make_sequence, number_sequence, parse_numbers, text_sequence
from .trace import ARCHITECTURES, Trace, compute_trace

__all__ = [
    "ACTIVATIONS", "ARCHITECTURES", "LOSSES", "LOSS_TITLES", "PARAM_NAMES", "SequenceData", "Trace",
    "char_label", "compute_trace", "default_loss", "get_activation", "init_params", "make_sequence",
    "number_sequence", "param_count", "parse_numbers", "scale_to_radius", "sigma_max",
    "spectral_radius", "text_sequence",
]
