"""The compiled kernels (rnnviz/core/kernels) against the NumPy reference they replace, for every cell
and update they cover, with one column (m = 1, training min-char-rnn's way) and several; the
fallback to NumPy without numba; the compilation happening in the training loop, not at import."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from rnnviz.core import kernels
from rnnviz.core.cells import GRUCell, LSTMCell, VanillaCell
from rnnviz.core.optimizers import Optimizer
from rnnviz.core.params import init_model_params
from rnnviz.core.spec import ModelSpec
from rnnviz.core.tasks import AddingTask, text_task
from rnnviz.core.training import Trainer, TrainSettings

from .kernel_modes import compiled_mode

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-12
SHAPES = [(1, 5, 1), (25, 9, 1), (13, 6, 3), (8, 4, 4)]      # (T, n_a, m)


def both(fn):
    """fn() on the NumPy path and on the kernels: (reference, compiled)."""
    with compiled_mode(False):
        ref = fn()
    with compiled_mode(True):
        fast = fn()
    return ref, fast


def close(a, b, rtol=RTOL):
    np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(a))) if np.size(a) else 1.0))


def _vanilla(rng, T, n, m):
    p = {"W_hh": rng.standard_normal((n, n)) * 1.2 / np.sqrt(n), "b_hh": rng.standard_normal((n, 1))}
    return p, rng.standard_normal((T, n, m)), (rng.standard_normal((n, m)),)


@pytest.mark.parametrize("T,n,m", SHAPES)
def test_vanilla_forward_and_backward_match_numpy(T, n, m):
    rng = np.random.default_rng(T * 100 + n * 10 + m)
    p, xp, s0 = _vanilla(rng, T, n, m)
    da_ext, ds_T = rng.standard_normal((T, n, m)), (rng.standard_normal((n, m)),)
    cell = VanillaCell("tanh")

    def run():
        c = cell.forward(p, xp.copy(), s0)
        g = cell.backward(p, c, da_ext, ds_T)
        return c, g
    (c0, g0), (c1, g1) = both(run)
    for a, b in [(c0.states["a"], c1.states["a"]), (c0.pre["z"], c1.pre["z"]), (c0.extra["gprime"], c1.extra["gprime"]),
                 (g0.ds["a"], g1.ds["a"]), (g0.dxproj, g1.dxproj), (g0.ds0[0], g1.ds0[0])]:
        assert a.shape == b.shape
        close(a, b)


def test_vanilla_kernel_keeps_inf_and_nan():
    """Overflow is a state to show: the kernel's gradients are inf/NaN where NumPy's are."""
    rng = np.random.default_rng(5)
    p, xp, s0 = _vanilla(rng, 6, 4, 1)
    da_ext = rng.standard_normal((6, 4, 1))
    da_ext[4, 1] = np.inf
    da_ext[2, 2] = np.nan
    cell = VanillaCell("tanh")
    c = cell.forward(p, xp, s0)
    ref, fast = both(lambda: cell.backward(p, c, da_ext).ds["a"])
    for test in (np.isnan, np.isposinf, np.isneginf):
        np.testing.assert_array_equal(test(ref), test(fast))
    assert np.isnan(ref).any() and np.isinf(ref).any()
    ok = np.isfinite(ref)
    close(ref[ok], fast[ok])


LSTM_SHAPES = SHAPES + [(6, 5, 9), (4, 7, 16)]                 # m >= 8: the kernels' other product


@pytest.mark.parametrize("T,n,m", LSTM_SHAPES)
def test_lstm_forward_and_backward_match_numpy(T, n, m):
    rng = np.random.default_rng(7 + T + n + m)
    p = {"W_hh": rng.standard_normal((4 * n, n)) / np.sqrt(n), "b_hh": rng.standard_normal((4 * n, 1))}
    xp = rng.standard_normal((T, 4 * n, m)) * 2
    s0 = (rng.standard_normal((n, m)), rng.standard_normal((n, m)))
    da_ext = rng.standard_normal((T, n, m))
    ds_T = (rng.standard_normal((n, m)), rng.standard_normal((n, m)))
    cell = LSTMCell()

    def run():
        c = cell.forward(p, xp.copy(), s0)
        return c, cell.backward(p, c, da_ext, ds_T)
    (c0, g0), (c1, g1) = both(run)
    for k in ("a", "c"):
        close(c0.states[k], c1.states[k])
        close(g0.ds[k], g1.ds[k])
    for k in ("i", "f", "g", "o"):
        close(c0.gates[k], c1.gates[k])
        close(c0.pre[k], c1.pre[k])
    close(c0.extra["tanh_c"], c1.extra["tanh_c"])
    close(g0.dxproj, g1.dxproj)
    assert g1.dhproj is g1.dxproj
    for a, b in zip(g0.ds0, g1.ds0):
        close(a, b)


@pytest.mark.parametrize("T,n,m", SHAPES)
def test_lstm_slopes_kernel_gives_numpys_bits(T, n, m):
    """The views' slopes (jac_data) from one forward pass: elementwise in the same order, the same bits."""
    rng = np.random.default_rng(3 + T + n + m)
    p = {"W_hh": rng.standard_normal((4 * n, n)) / np.sqrt(n), "b_hh": rng.standard_normal((4 * n, 1))}
    cache = LSTMCell().forward(p, rng.standard_normal((T, 4 * n, m)) * 2,
                               (rng.standard_normal((n, m)), rng.standard_normal((n, m))))

    def run():
        cache.extra.pop("slopes", None)
        return LSTMCell.slopes(cache)
    s0_, s1_ = both(run)
    for k in ("A", "P", "Qo", "f"):
        np.testing.assert_array_equal(s1_[k], s0_[k])


def test_compiled_tanh_is_within_3_ulp_of_numpys():
    """The kernels' own tanh (vectorizable; libm's is a call per element) against np.tanh, from tiny
    arguments to where tanh rounds to 1, and at the special values."""
    with compiled_mode(True):
        fast = kernels.load()
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(20000) * s for s in (1e-300, 1e-9, 1e-3, 0.1, 0.5, 1, 3, 10, 30)])
    x = np.concatenate([x, [0.0, -0.0, np.inf, -np.inf, np.nan, 19.0, -19.0, 18.99, 5e-324, -5e-324, 1e308]])
    out = np.empty_like(x)
    fast.tanh_into(x, out)
    ref = np.tanh(x)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref))
    ok = ~np.isnan(ref)
    np.testing.assert_array_equal(np.signbit(out[ok]), np.signbit(ref[ok]))      # tanh(-0) = -0
    ulps = np.abs(out[ok] - ref[ok]) / np.spacing(np.abs(ref[ok]))
    assert ulps.max() <= 3


def test_lstm_kernels_keep_inf_and_nan():
    """Overflow is a state to show: non-finite inputs give inf/NaN where NumPy's do."""
    rng = np.random.default_rng(9)
    n, m, T = 4, 8, 6
    p = {"W_hh": rng.standard_normal((4 * n, n)), "b_hh": rng.standard_normal((4 * n, 1))}
    xp = rng.standard_normal((T, 4 * n, m))
    xp[2, 3, 1] = np.nan
    xp[3, 2 * n, 4] = np.inf
    da_ext = rng.standard_normal((T, n, m))
    da_ext[4, 1, 2] = np.inf
    cell = LSTMCell()

    def run():
        c = cell.forward(p, xp.copy(), (np.zeros((n, m)), np.zeros((n, m))))
        return c.states["a"], cell.backward(p, c, da_ext).ds["c"]
    (a0, d0), (a1, d1) = both(run)
    for ref, fast in ((a0, a1), (d0, d1)):
        for test in (np.isnan, np.isposinf, np.isneginf):
            np.testing.assert_array_equal(test(ref), test(fast))
        ok = np.isfinite(ref)
        close(ref[ok], fast[ok])
    assert np.isnan(d0).any()


@pytest.mark.parametrize("T,n,m", LSTM_SHAPES)
def test_gru_forward_and_backward_match_numpy(T, n, m):
    rng = np.random.default_rng(17 + T + n + m)
    p = {"W_hh": rng.standard_normal((3 * n, n)) / np.sqrt(n), "b_hh": rng.standard_normal((3 * n, 1))}
    xp = rng.standard_normal((T, 3 * n, m)) * 2
    s0 = (rng.standard_normal((n, m)),)
    da_ext = rng.standard_normal((T, n, m))
    ds_T = (rng.standard_normal((n, m)),)
    cell = GRUCell()

    def run():
        c = cell.forward(p, xp.copy(), s0)
        return c, cell.backward(p, c, da_ext, ds_T)
    (c0, g0), (c1, g1) = both(run)
    close(c0.states["a"], c1.states["a"])
    close(c0.extra["hn"], c1.extra["hn"])
    for k in ("r", "z", "n"):
        close(c0.gates[k], c1.gates[k])
        close(c0.pre[k], c1.pre[k])
    close(g0.ds["a"], g1.ds["a"])
    close(g0.dxproj, g1.dxproj)
    close(g0.dhproj, g1.dhproj)
    close(g0.ds0[0], g1.ds0[0])


def test_gru_kernels_keep_inf_and_nan():
    rng = np.random.default_rng(19)
    n, m, T = 4, 8, 6
    p = {"W_hh": rng.standard_normal((3 * n, n)), "b_hh": rng.standard_normal((3 * n, 1))}
    xp = rng.standard_normal((T, 3 * n, m))
    xp[2, 1, 1] = np.nan
    xp[3, 2 * n, 4] = -np.inf
    da_ext = rng.standard_normal((T, n, m))
    da_ext[4, 1, 2] = np.inf
    cell = GRUCell()

    def run():
        c = cell.forward(p, xp.copy(), (np.zeros((n, m)),))
        return c.states["a"], cell.backward(p, c, da_ext).dxproj
    (a0, d0), (a1, d1) = both(run)
    for ref, fast in ((a0, a1), (d0, d1)):
        for test in (np.isnan, np.isposinf, np.isneginf):
            np.testing.assert_array_equal(test(ref), test(fast))
        ok = np.isfinite(ref)
        close(ref[ok], fast[ok])
    assert np.isnan(a0).any() and np.isnan(d0).any()


@pytest.mark.parametrize("name", ["adagrad", "adam"])
def test_optimizer_kernels_give_numpys_bits(name):
    rng = np.random.default_rng(11)
    shapes = {"W": (7, 5), "b": (7, 1), "v": (3,)}
    grads = [{k: rng.standard_normal(s) * 3 for k, s in shapes.items()} for _ in range(4)]
    start = {k: rng.standard_normal(s) for k, s in shapes.items()}
    grads[1]["W"] = np.asfortranarray(grads[1]["W"])            # a transposed gradient (weight_grad's .T)

    def run():
        p = {k: v.copy() for k, v in start.items()}
        opt = Optimizer(name, 0.05)
        for g in grads:
            opt.step(p, g)
        return p, opt.state_arrays()
    (p0, s0), (p1, s1) = both(run)
    for k in p0:
        np.testing.assert_array_equal(p1[k], p0[k])
    for k in s0:
        np.testing.assert_array_equal(s1[k], s0[k])


@pytest.mark.parametrize("cell,kind", [("rnn", "text"), ("lstm", "adding"), ("rnn", "adding"), ("gru", "text"),
                                       ("gru", "adding"), ("lstm", "text")])
def test_training_on_kernels_follows_numpy(cell, kind):
    """Whole updates (forward, loss, backward, clipping, reach, optimizer) agree to round-off."""
    if kind == "text":
        task = text_task("the quick brown fox jumps over the lazy dog. " * 3, 25)
        spec, st = ModelSpec(cell, "tanh", task.n_x, 12, task.n_y), TrainSettings()
    else:
        task = AddingTask(20, 9, seed=1)          # a batch of 9: the kernels' row-blocked products
        spec, st = ModelSpec(cell, "tanh", 2, 8, 1), TrainSettings("adam", 1e-2, "norm", 1.0, 0)

    def run():
        tr = Trainer(spec, init_model_params(spec, seed=3), task, TrainSettings(**vars(st)))
        for _ in range(8):
            assert tr.step()
        return tr
    a, b = both(run)
    for k in a.params:
        close(a.params[k], b.params[k], 1e-10)
    for c in ("loss", "grad_norm", "reach"):
        close(a.history.column(c), b.history.column(c), 1e-10)


def test_no_numba_env_forces_numpy(monkeypatch):
    with compiled_mode(True):
        assert kernels.ready() is not None
    monkeypatch.delenv("RNNVIZ_NO_NUMBA", raising=False)
    assert kernels.ready() is not None
    monkeypatch.setenv("RNNVIZ_NO_NUMBA", "1")
    assert kernels.ready() is None and kernels.load() is None
    spec = ModelSpec("rnn", "tanh", 3, 4, 3)
    tr = Trainer(spec, init_model_params(spec), text_task("abcabcabc" * 4, 5), TrainSettings())
    assert tr.step()


def _run(code: str, **env) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k != "RNNVIZ_NO_NUMBA"}
    e.update({"PYTHONPATH": str(ROOT), **env})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=e,
                          cwd=ROOT, timeout=180)


def test_without_numba_training_runs_on_numpy_and_says_so_once(tmp_path):
    """numba failing to import: one warning line in the log, no traceback, training works."""
    fake = tmp_path / "numba"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('numba is broken here')\n")
    out = _run("""
        from rnnviz.core import kernels
        from rnnviz.core.params import init_model_params
        from rnnviz.core.spec import ModelSpec
        from rnnviz.core.tasks import text_task
        from rnnviz.core.training import Trainer, TrainSettings
        task = text_task("hello world, hello rnn. " * 3, 25)
        spec = ModelSpec("rnn", "tanh", task.n_x, 8, task.n_y)
        for _ in range(2):
            tr = Trainer(spec, init_model_params(spec), task, TrainSettings())
            for _ in tr.train(600):
                pass
            assert tr.updates == 600
        print("ready", kernels.ready())
    """, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    assert out.returncode == 0, out.stderr
    assert "ready None" in out.stdout
    assert out.stderr.count("compiled kernels are not available") == 1, out.stderr
    assert "numba is broken here" in out.stderr and "Traceback" not in out.stderr


def test_compiling_waits_for_a_long_training_loop():
    """Importing the engine, the app's config, making a trainer and a few updates neither import numba
    nor compile: the first training loop asked for COMPILE_FROM updates does, in its own thread."""
    out = _run("""
        import sys, threading
        import rnnviz.core, rnnviz.core.compute, rnnviz.core.training, rnnviz.app.config
        from rnnviz.core import kernels
        from rnnviz.core.params import init_model_params
        from rnnviz.core.spec import ModelSpec
        from rnnviz.core.tasks import AddingTask
        from rnnviz.core.training import Trainer, TrainSettings
        spec = ModelSpec("lstm", "tanh", 2, 4, 1)
        tr = Trainer(spec, init_model_params(spec), AddingTask(10, 2), TrainSettings("adam", 1e-2, "norm", 1.0, 0))
        tr.step()
        for _ in tr.train(20):
            pass
        print("before", "numba" in sys.modules, kernels.ready() is None)
        from rnnviz.core.training import COMPILE_FROM
        t = threading.Thread(target=lambda: [None for _ in tr.train(tr.updates + COMPILE_FROM)])
        t.start(); t.join()
        print("after", "numba" in sys.modules, kernels.ready() is not None)
    """)
    assert out.returncode == 0, out.stderr
    assert "before False True" in out.stdout
    assert "after True True" in out.stdout


def test_the_cache_goes_to_rnnvizs_folder_when_the_package_is_read_only(monkeypatch, tmp_path):
    """An installed package's folder may be read-only: numba's cache then goes under RNNVIZ_HOME
    (set before numba is imported), or to the user's cache, or a temporary folder."""
    package = Path(kernels.__file__).resolve().parent / "__pycache__"
    monkeypatch.setenv("NUMBA_CACHE_DIR", "")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path))
    monkeypatch.setattr(kernels, "_writable", lambda folder: folder != package and kernels_writable(folder))
    kernels._cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "numba-cache")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    kernels._cache_dir()                                  # the user's own setting wins
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")


kernels_writable = kernels._writable


@pytest.mark.parametrize("T,m", [(25, 1), (9, 4)])
def test_one_hot_weight_gradient_matches_numpy(T, m):
    """sum_t dxproj<t> x<t>^T for token ids (-1: nothing fed), compiled and not."""
    from rnnviz.core.model import Inputs

    rng = np.random.default_rng(T + m)
    ids = rng.integers(-1, 6, size=(T, m))
    ids[0, 0] = -1
    dxproj = rng.standard_normal((T, 10, m))
    inputs = Inputs(None, ids, 7)
    ref, fast = both(lambda: inputs.weight_grad(dxproj[2:], 2, T))
    assert ref.shape == fast.shape == (10, 7)
    close(ref, fast)
    assert not fast[:, 6].any() and fast[:, :6].any()   # token 6 is never read: its column stays 0


def test_gated_cells_use_their_kernels_at_every_size():
    """With the products on BLAS the kernels pay at every size (a big W_hh with one column included:
    dgemv streams it as fast as NumPy's step by step) and give NumPy's values to round-off."""
    with compiled_mode(True):
        for n, m in ((32, 32), (512, 8), (128, 1), (512, 1)):
            assert kernels.sequence_kernels(n, m) is not None
        rng = np.random.default_rng(4)
        n = 200
        p = {"W_hh": rng.standard_normal((4 * n, n)) / np.sqrt(n), "b_hh": rng.standard_normal((4 * n, 1))}
        xp = rng.standard_normal((3, 4 * n, 1))
        fast = LSTMCell().forward(p, xp, (np.zeros((n, 1)), np.zeros((n, 1)))).states["a"]
    with compiled_mode(False):
        assert kernels.sequence_kernels(512, 1) is None
        ref = LSTMCell().forward(p, xp, (np.zeros((n, 1)), np.zeros((n, 1)))).states["a"]
    close(ref, fast)


# ---------------------------------------------------------------- the kernels' products (BLAS or loops)
def _implementations():
    with compiled_mode(True):
        fast = kernels.load()
    impls = [("plain loops", fast._plain.address)]
    if fast._shim is not None:
        impls.append((fast.source, fast._shim.address))
    return fast, impls


@pytest.mark.parametrize("M,N,K", [(6, 4, 5), (128, 32, 32), (1, 1, 1), (3, 7, 1), (512, 1, 128), (7, 1, 5)])
def test_each_product_implementation_matches_numpy(M, N, K):
    """The symbol the kernels multiply through, whichever it points at: NumPy's BLAS by a shim, or the
    plain loops used when no BLAS is found. C = A B (one column: dgemv), and C = C + A B^T (weight
    gradients)."""
    fast, impls = _implementations()
    rng = np.random.default_rng(M * 100 + N)
    A, B, Bt, C0 = (rng.standard_normal(s) for s in ((M, K), (K, N), (N, K), (M, N)))
    for name, address in impls:
        C = np.full((M, N), np.nan)                      # beta = 0 overwrites, NaN included
        fast.call(address, A, B, C)
        np.testing.assert_allclose(C, A @ B, rtol=1e-13, atol=1e-13, err_msg=name)
        C = C0.copy()
        fast.call(address, A, Bt, C, b_transposed=True, beta=1.0)
        np.testing.assert_allclose(C, C0 + A @ Bt.T, rtol=1e-13, atol=1e-13, err_msg=name)


def test_kernel_products_give_numpys_bits_and_handle_empty_shapes():
    fast, _ = _implementations()
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((128, 32)), rng.standard_normal((32, 32))
    C = np.empty((128, 32))
    fast.matmul(A, B, C)
    if fast.source.startswith("BLAS"):
        np.testing.assert_array_equal(C, A @ B)         # the very library np.matmul calls
    else:
        np.testing.assert_allclose(C, A @ B, rtol=1e-13)
    C = np.full((3, 2), 7.0)
    fast.matmul(np.empty((3, 0)), np.empty((0, 2)), C)   # a sum over nothing is 0
    np.testing.assert_array_equal(C, 0.0)
    D, X, out = rng.standard_normal((5, 6, 3)), rng.standard_normal((5, 4, 3)), np.full((6, 4), np.nan)
    fast.sum_outer(D, X, out)
    np.testing.assert_allclose(out, np.einsum("tgm,tkm->gk", D, X), rtol=1e-13, atol=1e-13)
    out = np.full((6, 4), np.nan)
    fast.sum_outer(D[:0], X[:0], out)                    # no steps
    np.testing.assert_array_equal(out, 0.0)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("shape", ["2 layers bidirectional", "encoder-decoder", "token ids"])
def test_batch_weight_gradients_on_the_kernels_match_numpy(cell, shape):
    """With a batch (m > 1) the kernels sum every weight gradient step by step (no (G n_a, T m) copy);
    every parameter's gradient agrees with the NumPy reference's one big product."""
    from rnnviz.core.losses import output_loss
    from rnnviz.core.model import Inputs, Model

    T, m, n_x, n_y = 7, 3, 4, 5
    spec = ModelSpec(cell, "tanh", n_x, 6, n_y, 2 if shape.startswith("2") else 1, shape.startswith("2"),
                     shape == "encoder-decoder")
    params = init_model_params(spec, seed=5, radius=1.1)
    rng = np.random.default_rng(7)
    if shape == "token ids":
        inputs = Inputs(None, rng.integers(-1, n_x, size=(T, m)), n_x)
    else:
        inputs = Inputs(rng.standard_normal((T, n_x, m)), None, n_x)
    targets = rng.integers(0, n_y, size=(T, m))
    bounds = [(0, 4), (4, T)] if shape == "encoder-decoder" else None

    def grads():
        model = Model(spec, params, bounds)
        cache = model.forward(inputs)
        _, _, dlogits = output_loss("cross_entropy", cache.logits, targets)
        return model.backward(cache, dlogits)[1]
    ref, fast = both(grads)
    assert set(ref) == set(fast)
    for k in ref:
        close(ref[k], fast[k])
