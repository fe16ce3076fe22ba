"""Run a test on the NumPy reference and again on the compiled kernels (skipped without numba)."""
from contextlib import contextmanager

import pytest

from rnnviz.core import kernels

MODES = pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "numba"])


@contextmanager
def compiled_mode(on: bool):
    if on:
        with kernels.use_kernels(True):
            if kernels.load_gains() is None:
                pytest.skip("numba is not available (or RNNVIZ_NO_NUMBA is set)")
    with kernels.use_kernels(on):
        yield
