"""Forward + full BPTT time of the rnnviz engine, side by side with the notes' style and PyTorch.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_engine.py            # NumPy only
    PYTHONPATH=. /work/torchvenv/bin/python benchmarks/bench_engine.py  # with PyTorch, if importable

Every column computes the same thing on the same data: a<t> = tanh(Waa a<t-1> + Wax x<t> + ba),
ŷ<t> = softmax(Wya a<t> + by), L = sum_t cross-entropy, and the gradient of L for all five weights.
  engine   rnnviz.core.rnn: Wax x for all steps in one product, loop only the recurrence, weight grads
           as single products after the loop (what PyTorch computes)
  trace    rnnviz compute_trace: the above plus dL<T>/da<t>, the per-step local gains ||diag(g') Waa||_2
           (batched Lanczos, shown separately as "gains") and everything the views show
  compat   rnnviz.core.compat rnn_forward + rnn_backward (the notes' API on the engine)
  notes    the notes' cell functions called in a Python loop with per-step caches
  torch    torch.nn.RNN(float64) + Linear + cross_entropy + autograd, CPU
n_x = n_y = 64, m = 1, float64; the median of several runs, in milliseconds.
"""
from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

import numpy as np

from rnnviz.core import compat, compute_trace, init_params, text_sequence
from rnnviz.core.activations import ACTIVATIONS
from rnnviz.core.jacobians import local_gains
from rnnviz.core.losses import output_loss
from rnnviz.core.rnn import _flat, backprop_hidden, matmul_steps, rnn_forward_tm, weight_grads

SIZES = [(100, 32), (1000, 128), (10000, 128), (1000, 512)]
N_X = 64
TANH = ACTIVATIONS["tanh"]


# ---- (a) the engine's gradient path -----------------------------------------------------------------
def engine_grads(p, x_tm, y_tm):
    """L and dL/dparam: forward, read-out, BPTT, weight gradients."""
    cache = rnn_forward_tm(p["Wax"], p["Waa"], p["ba"], x_tm, np.zeros((p["Waa"].shape[0], 1)), TANH)
    logits = matmul_steps(p["Wya"], cache.a) + p["by"][None]
    _, L, dlogits = output_loss("cross_entropy", logits, y_tm)
    da_direct = matmul_steps(p["Wya"].T, dlogits)
    _, dz, _ = backprop_hidden(p["Waa"], cache.gprime, da_direct)
    grads = weight_grads(cache, dz)
    grads["Wya"] = _flat(dlogits) @ _flat(cache.a).T
    grads["by"] = _flat(dlogits).sum(axis=1, keepdims=True)
    return L.sum(), grads


# ---- (c) the compat functions -----------------------------------------------------------------------
def compat_grads(p, x, y):
    a, y_pred, caches = compat.rnn_forward(x, np.zeros((p["Waa"].shape[0], 1)), p)
    da = np.einsum("ya,ymt->amt", p["Wya"], y_pred - y)      # dL<t>/da<t> through ŷ<t>
    return compat.rnn_backward(da, caches)


# ---- (d) the notes' style ---------------------------------------------------------------------------
def softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def rnn_cell_forward(xt, a_prev, parameters):
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]
    a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba)
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def rnn_cell_backward(da_next, cache):
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    dtanh = (1 - a_next ** 2) * da_next
    dxt = np.dot(Wax.T, dtanh)
    dWax = np.dot(dtanh, xt.T)
    da_prev = np.dot(Waa.T, dtanh)
    dWaa = np.dot(dtanh, a_prev.T)
    dba = np.sum(dtanh, keepdims=True, axis=-1)
    return {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}


def notes_grads(parameters, x, y):
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    a_next = np.zeros((n_a, m))
    caches, y_pred = [], np.zeros((n_y, m, T_x))
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    dWax, dWaa, dba = np.zeros((n_a, n_x)), np.zeros((n_a, n_a)), np.zeros((n_a, 1))
    dWya, dby = np.zeros((n_y, n_a)), np.zeros((n_y, 1))
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        dy = y_pred[:, :, t] - y[:, :, t]                  # softmax + cross-entropy
        dWya += np.dot(dy, caches[t][0].T)
        dby += np.sum(dy, axis=1, keepdims=True)
        gradients = rnn_cell_backward(np.dot(parameters["Wya"].T, dy) + da_prevt, caches[t])
        da_prevt = gradients["da_prev"]
        dWax += gradients["dWax"]
        dWaa += gradients["dWaa"]
        dba += gradients["dba"]
    return {"dWax": dWax, "dWaa": dWaa, "dba": dba, "dWya": dWya, "dby": dby}


# ---- (e) PyTorch ------------------------------------------------------------------------------------
def torch_runner(p, x_tm, target):
    try:
        import torch
    except ImportError:
        return None
    n_a = p["Waa"].shape[0]
    rnn = torch.nn.RNN(N_X, n_a, nonlinearity="tanh", dtype=torch.float64)
    lin = torch.nn.Linear(n_a, p["Wya"].shape[0], dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(p["Wax"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(p["Waa"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(p["ba"][:, 0]))
        rnn.bias_hh_l0.zero_()
        lin.weight.copy_(torch.from_numpy(p["Wya"]))
        lin.bias.copy_(torch.from_numpy(p["by"][:, 0]))
    xt = torch.from_numpy(np.ascontiguousarray(x_tm.transpose(0, 2, 1)))   # (T, m, n_x)
    tt = torch.from_numpy(target)

    def run():
        rnn.zero_grad()
        lin.zero_grad()
        out, _ = rnn(xt)
        loss = torch.nn.functional.cross_entropy(lin(out[:, 0, :]), tt, reduction="sum")
        loss.backward()
        return float(loss.detach()), rnn.weight_hh_l0.grad.numpy()

    return run


def median_ms(fn, budget=1.5, runs=(3, 9)) -> float:
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while len(times) < runs[1] and (len(times) < runs[0] or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def problem(T, n_a, seed=0):
    rng = np.random.default_rng(seed)
    chars = [chr(0x41 + i) for i in range(N_X)]
    text = "".join(rng.choice(chars, size=T + 1))
    seq = text_sequence(text, vocab=tuple(chars))
    p = init_params(N_X, n_a, N_X, seed=seed, radius=0.9)
    return seq, p


def main() -> int:
    try:
        import torch
        torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch_note = "torch not importable: PyTorch column skipped"
    print(f"numpy {np.__version__}; {torch_note}")
    cols = ["engine", "trace", "(gains)", "compat", "notes", "torch", "notes/eng", "torch/eng"]
    print(f"{'T':>6} {'n_a':>4} | " + " ".join(f"{c:>9}" for c in cols))
    for T, n_a in SIZES:
        seq, p = problem(T, n_a)
        x_tm = np.ascontiguousarray(np.moveaxis(seq.x, -1, 0))
        y_tm = np.ascontiguousarray(np.moveaxis(seq.y, -1, 0))
        # all paths agree before they are timed
        L, g = engine_grads(p, x_tm, y_tm)
        tr = compute_trace(p, seq, "tanh", "cross_entropy", gains=False)
        assert np.isclose(L, tr.total_loss) and np.allclose(g["Waa"], tr.grads["Waa"])
        assert np.allclose(compat_grads(p, seq.x, seq.y)["dWaa"], g["Waa"])
        assert np.allclose(notes_grads(p, seq.x, seq.y)["dWaa"], g["Waa"])
        gp = np.moveaxis(tr.gprime, -1, 0)
        r = {
            "engine": median_ms(lambda: engine_grads(p, x_tm, y_tm)),
            "trace": median_ms(lambda: compute_trace(p, seq, "tanh", "cross_entropy")),
            "(gains)": median_ms(lambda: local_gains(p["Waa"], gp)),
            "compat": median_ms(lambda: compat_grads(p, seq.x, seq.y)),
            "notes": median_ms(lambda: notes_grads(p, seq.x, seq.y), budget=3.0, runs=(3, 5)),
        }
        run = torch_runner(p, x_tm, seq.target_index[0])
        if run is not None:
            Lt, dWaa = run()
            assert np.isclose(Lt, L) and np.allclose(dWaa, g["Waa"])
            r["torch"] = median_ms(run)
        cells = [f"{r[c]:9.2f}" if c in r else f"{'-':>9}" for c in cols[:6]]
        cells.append(f"{r['notes'] / r['engine']:8.1f}x")
        cells.append(f"{r['torch'] / r['engine']:8.1f}x" if "torch" in r else f"{'-':>9}")
        print(f"{T:>6} {n_a:>4} | " + " ".join(cells), flush=True)

    # memory of one full trace at (10000, 128)
    seq, p = problem(10000, 128)
    tracemalloc.start()
    tr = compute_trace(p, seq, "tanh", "cross_entropy")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = sum(v.nbytes for v in vars(tr).values() if isinstance(v, np.ndarray))
    print(f"\nmemory at T=10000, n_a=128: the trace holds {held / 2**20:.0f} MiB of arrays; "
          f"peak while computing it {peak / 2**20:.0f} MiB (tracemalloc)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
