"""compute_trace(gains=False) + compute_gains: the same trace as compute_trace, its gains computed after."""
from __future__ import annotations

import numpy as np
import pytest

from rnnviz.core import diagnostics as D
from rnnviz.core.compute import Cancelled, compute_gains
from rnnviz.core.settings import Config, run_config
from rnnviz.core.trace import GAINS_PENDING


@pytest.mark.parametrize("cell, layers, bidir, arch", [("rnn", 1, False, "many-to-many"), ("lstm", 2, True, "many-to-many"),
                                                       ("gru", 1, False, "many-to-one"), ("lstm", 1, False, "encoder-decoder")])
def test_the_gains_computed_after_are_those_computed_with_the_trace(cell, layers, bidir, arch):
    c = Config(source="abcdabcdabc", cell=cell, layers=layers, bidirectional=bidir, architecture=arch,
               target="dcba" if arch == "encoder-decoder" else "")
    full, first = run_config(c), run_config(c, gains=False)
    assert full.gains_ready and not first.gains_ready
    for a, b in zip(full.layers, first.layers):          # everything but the gains is there already
        assert np.array_equal(a.quantity("a"), b.quantity("a")) and np.array_equal(a.grad("a"), b.grad("a"))
        assert np.all(np.isnan(b.local_gain))
    pending = D.verdict(first)
    assert pending.kind == D.verdict(full).kind and pending.headline == D.verdict(full).headline
    assert pending.gains_pending == any(GAINS_PENDING in r for r in pending.reasons)
    assert pending.gains_pending or cell == "rnn"      # a gated cell's reasons always quote the step gains
    assert not any(" nan" in r for r in pending.reasons)
    seen = []
    gains = compute_gains(first, progress=seen.append)
    assert np.all(np.diff(seen) > 0) and seen[-1] == pytest.approx(1.0)
    first.set_gains(gains)
    assert first.gains_ready
    for a, b in zip(full.layers, first.layers):
        assert np.array_equal(a.local_gain, b.local_gain)   # bit for bit: the same products in the same order
    assert D.verdict(first) == D.verdict(full) and not D.verdict(first).gains_pending


def test_computing_the_gains_stops_when_asked():
    first = run_config(Config(source="abcdefgh" * 20, hidden=32), gains=False)
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 3            # a newer request comes after three products
    with pytest.raises(Cancelled):
        compute_gains(first, should_stop=stop)
    assert len(calls) == 4 and not first.gains_ready
