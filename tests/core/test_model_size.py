"""Models too big to compute are refused before anything is allocated, with the size that would fit
(a 4-layer bidirectional LSTM of 2048 units has 336 million weights: 2.5 GB, and as much again for
their gradients; 100,000 steps of 2048 units would need ~29 GB of trace)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from rnnviz.core.settings import (MAX_TRACE_BYTES, MAX_WEIGHTS, TRACE_BYTES_PER_VALUE, Config, make_run_sequence,
                                  prepare_run, run_config, spec_of)

LONG = " ".join(str(i % 5) for i in range(100_000))


def _fit(message: str) -> int:
    return int(message.split("choose at most ")[1].split(" hidden")[0].replace(",", ""))


def test_too_many_weights_is_refused_with_the_hidden_size_that_fits():
    c = Config(cell="lstm", hidden=2048, layers=4, bidirectional=True)
    with pytest.raises(ValueError, match=r"4-layer bidirectional LSTM of 2,048 units has 336 million weights") as e:
        prepare_run(c)
    fit = _fit(str(e.value))
    seq = make_run_sequence(c)
    assert spec_of(replace(c, hidden=fit), seq).param_count() <= MAX_WEIGHTS
    assert spec_of(replace(c, hidden=fit + 1), seq).param_count() > MAX_WEIGHTS
    prepare_run(replace(c, hidden=fit))                      # what the message offers runs


def test_a_trace_too_big_for_memory_is_refused_with_what_fits():
    c = Config(source=LONG, hidden=2048)
    with pytest.raises(ValueError, match=r"99,999 steps of a vanilla RNN \(tanh\) of 2,048 units need about 2\d\.\d GB"):
        prepare_run(c)
    with pytest.raises(ValueError) as e:
        prepare_run(replace(c, cell="lstm", hidden=64))
    fit = _fit(str(e.value))
    assert TRACE_BYTES_PER_VALUE * 4 * 99_999 * fit <= MAX_TRACE_BYTES < TRACE_BYTES_PER_VALUE * 4 * 99_999 * (fit + 1)
    prepare_run(replace(c, cell="lstm", hidden=fit))


def test_the_largest_models_the_app_offers_still_run():
    prepare_run(Config(cell="lstm", hidden=2048))            # one 2048-unit LSTM layer: 17 million weights
    prepare_run(Config(cell="gru", hidden=2048, layers=2))
    prepare_run(Config(source=LONG))                         # 100,000 numbers at the default 16 units
    prepare_run(Config(source=LONG[:20_000], cell="lstm", layers=4, bidirectional=True, hidden=16))


def test_the_estimate_is_near_what_a_trace_holds_at_its_peak():
    """TRACE_BYTES_PER_VALUE is measured: the peak of a real trace is within a factor 2 of the estimate."""
    import tracemalloc

    for cell in ("rnn", "gru", "lstm"):
        c = Config(source=" ".join(str(i % 7) for i in range(1500)), hidden=96, cell=cell)
        tracemalloc.start()
        run_config(c)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
        estimate = TRACE_BYTES_PER_VALUE * gates * 1499 * 96
        assert estimate / 2 < peak < estimate * 2, (cell, peak, estimate)
