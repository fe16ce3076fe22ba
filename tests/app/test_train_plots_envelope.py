"""The training plots draw long runs from min/max envelopes: what is drawn keeps every spike and dip,
zooming in shows the updates themselves, and a frame's data does not grow with the run."""
import math

import numpy as np
import pytest

from rnnviz.app.views.envelope import Envelope
from rnnviz.app.views.train_plots import Series, TrainPlotsView


def _naive(v: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    m = v.size >> k
    b = np.where(np.isfinite(v[:m << k]), v[:m << k], np.nan).reshape(m, 1 << k)
    with np.errstate(invalid="ignore"):
        return np.fmin.reduce(b, axis=1), np.fmax.reduce(b, axis=1)


def _series(n: int, seed: int = 0) -> np.ndarray:
    v = 3 + np.random.default_rng(seed).random(n)
    v[n // 3] = 40.0                       # one spike
    v[n // 2] = -5.0                       # one dip
    v[10:20] = np.nan                      # a gap
    v[25] = np.inf
    return v


def test_envelope_fed_in_pieces_equals_the_buckets_min_and_max():
    v = _series(10_001)
    pieces, whole = Envelope(), Envelope()
    for stop in (1, 2, 3, 7, 64, 65, 1000, 5001, 10_001):
        pieces.update(v[:stop])
    whole.update(v)
    for env in (pieces, whole):
        assert env.n == v.size and len(env._mins) == int(math.log2(v.size))
        for k in range(1, len(env._mins) + 1):
            lo, hi = _naive(v, k)
            assert np.array_equal(env._mins[k - 1][:lo.size], lo, equal_nan=True)
            assert np.array_equal(env._maxs[k - 1][:hi.size], hi, equal_nan=True)
        assert env.lo == -5.0 and env.hi == 40.0


def test_a_new_run_is_read_afresh():
    env = Envelope()
    env.update(_series(5000, seed=1))
    other = _series(6000, seed=2)
    env.update(other)                      # longer, but not the same rows: a new run
    assert np.array_equal(env.values(), np.where(np.isfinite(other), other, np.nan), equal_nan=True)
    env.update(other[:100])                # shorter: a reset
    assert env.n == 100


def test_log_transform_makes_zeros_and_negatives_gaps():
    env = Envelope(np.log10)
    env.update(np.array([1.0, 10.0, 0.0, -1.0, 1e-300, 100.0]))
    assert np.array_equal(env.values(), [0.0, 1.0, np.nan, np.nan, -300.0, 2.0], equal_nan=True)
    assert env.lo == -300.0 and env.hi == 2.0


@pytest.mark.parametrize("n", [1, 2, 999, 100_000])
def test_curve_keeps_every_extreme_in_few_points(n):
    v = _series(n) if n > 30 else np.arange(1.0, n + 1)
    env = Envelope()
    env.update(v)
    x, y = env.curve(1, n, 500)
    assert x.size <= max(2 * 500, n) and np.all(np.diff(x) >= 0)
    assert np.nanmax(y) == np.nanmax(np.where(np.isfinite(v), v, np.nan))
    assert np.nanmin(y) == np.nanmin(np.where(np.isfinite(v), v, np.nan))
    assert x[0] >= 1 and x[-1] <= n


def test_curve_zoomed_in_gives_the_rows_themselves():
    v = _series(100_000)
    env = Envelope()
    env.update(v)
    x, y = env.curve(50_000, 50_100, 500)
    assert np.array_equal(y, v[x.astype(int) - 1]) and 50_000 in x and 50_100 in x


def _plots(qtbot, n: int):
    view = TrainPlotsView()
    qtbot.addWidget(view)
    view.resize(600, 640)
    view.show()
    qtbot.waitExposed(view)
    loss = _series(n)
    clipped = np.zeros(n)
    clipped[[5, n // 3, n - 2]] = 1
    grad = np.full(n, 2.0)
    grad[n // 3] = 1e6
    view.set_series([Series("run", loss, loss * 0.9, grad, clipped, np.full(n, 1e-3))], 4.0)
    return view, loss


def test_the_plot_of_a_long_run_is_drawn_from_its_envelope(qtbot):
    view, loss = _plots(qtbot, 100_000)
    run = view._per_run[0]
    width = view.plots["loss"].vb.width()
    x, y = run["raw"].getData()
    assert 0 < x.size <= 2 * width + 4                 # about a bucket of updates per pixel
    assert np.nanmax(y) == 40.0 and np.nanmin(y) == -5.0    # the spike and the dip are drawn
    gx, gy = run["grad"].getData()
    assert np.nanmax(gy) == 6.0                         # log10 of the gradient's spike
    mx, my = run["marks"].getData()
    assert list(mx) == [6.0, 100_000 / 3 // 1 + 1, 99_999.0] and my[1] == 6.0


def test_zooming_into_the_plot_shows_the_updates_themselves(qtbot):
    view, loss = _plots(qtbot, 100_000)
    view.plots["loss"].setXRange(33_300, 33_400, padding=0)
    x, y = view._per_run[0]["raw"].getData()
    assert 33_300 in x and 33_400 in x and x.size < 120
    assert np.array_equal(y, loss[x.astype(int) - 1], equal_nan=True)
    assert 40.0 in y                                     # the spike at update 33,334
    mx, _my = view._per_run[0]["marks"].getData()
    assert list(mx) == [33_334.0]


@pytest.mark.parametrize("loss", [
    [1.0, 2.0, 1.7e308, 1.7e308],            # a loss near the largest float (a blow-up that is still finite)
    [1.7976931348623157e308] * 3,
    [np.nan, np.nan],
    [1.0, np.inf, 3.0],
    [5.0],
    [],
    [1e-320, 0.0],
])
def test_the_plots_take_any_loss_a_run_can_give(qtbot, loss):
    view = TrainPlotsView()
    qtbot.addWidget(view)
    view.resize(500, 600)
    view.show()
    qtbot.waitExposed(view)
    v = np.asarray(loss, dtype=np.float64)
    view.set_series([Series("run", v, v, np.abs(v), np.ones_like(v), np.abs(v))], 4.0)
    view.canvas.viewport().repaint()
    lo, hi = view.plots["loss"].vb.viewRange()[1]
    assert math.isfinite(lo) and math.isfinite(hi) and hi > lo
    finite = v[np.isfinite(v)]
    if finite.size:
        assert hi >= min(float(finite.max()), 1e307)        # the largest finite loss is on the axis (pyqtgraph
                                                             # keeps its view ranges within ±1e307)
