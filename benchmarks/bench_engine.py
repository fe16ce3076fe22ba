"""Forward + full BPTT time of the rnnviz engine for every cell, beside PyTorch, idle and busy.

    .venv/bin/python benchmarks/bench_engine.py                               # NumPy only
    .venv/bin/python benchmarks/bench_engine.py --torch-python /work/torchvenv/bin/python

Every column computes the same thing (one-hot text, n_x = n_y = 64, m = 1, float64): the layers'
states, ŷ<t> = softmax(Wya a<t> + by), L = sum_t cross-entropy, and the gradient of L for every weight.
  bare     rnnviz's Model.forward + losses + Model.backward (what PyTorch's autograd computes)
  trace    compute_trace: the above plus dL<T>/ds<t>, the local gains ||ds<t>/ds<t-1>||_2 (batched
           Lanczos) and everything the window shows; "x bare" is their ratio
  first    compute_trace(gains=False): what the window waits for before every view draws (the gains
           follow in a background job: app/gains.py); "gains" is compute_gains alone
  torch    torch.nn.RNN / GRU / LSTM + Linear + cross_entropy + autograd, float64, CPU (its default
           threads), run in the interpreter given by --torch-python
  notes    the notes' functions (rnn_* / lstm_* of rnnviz.core.compat, on the engine) against a plain
           NumPy loop written as the course writes it
The compiled kernels (numba) are loaded first, as in the window once they have loaded (the gated
cells' loops, the local gains' passes); --numpy measures the NumPy reference alone.
"busy": the same while another process multiplies 600 x 600 matrices with the default BLAS threads
(a notebook beside the app). The median of several runs, in milliseconds; this VM's speed drifts
±30% between runs, the ratios less.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from rnnviz.core import compat, kernels
from rnnviz.core.blas import one_blas_thread
from rnnviz.core.compute import compute_gains, compute_trace
from rnnviz.core.losses import output_loss
from rnnviz.core.model import Inputs, Model
from rnnviz.core.params import init_model_params
from rnnviz.core.sequences import text_sequence
from rnnviz.core.spec import ModelSpec

N_X = 64
CASES = [(cell, T, n, 1, False) for cell in ("rnn", "gru", "lstm") for T, n in ((100, 32), (1000, 128), (1000, 512))]
CASES.append(("lstm", 1000, 128, 2, True))


def median_ms(fn, budget=1.5, runs=(3, 9)) -> float:
    fn()
    times, start = [], time.perf_counter()
    while len(times) < runs[1] and (len(times) < runs[0] or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def problem(cell, T, n_a, layers, bidir, seed=0):
    rng = np.random.default_rng(seed)
    vocab = tuple(chr(0x41 + i) for i in range(N_X))
    seq = text_sequence("".join(rng.choice(vocab, size=T + 1)), vocab)
    spec = ModelSpec(cell, "tanh", N_X, n_a, N_X, layers, bidir)
    return seq, spec, init_model_params(spec, seed=seed, radius=0.9)


def bare(spec, p, seq):
    """Forward + loss + full BPTT with every parameter gradient, on one BLAS thread."""
    with one_blas_thread():
        model = Model(spec, p)
        cache = model.forward(Inputs(None, np.ascontiguousarray(seq.x_index.T), N_X))
        _, _, dlogits = output_loss("cross_entropy", cache.logits, np.ascontiguousarray(seq.target_index.T))
        return model.backward(cache, dlogits)


def key(case) -> str:
    cell, T, n, layers, bidir = case
    return f"{cell} {T} {n}" + (f" x{layers}{' bi' if bidir else ''}" if layers > 1 or bidir else "")


def engine_times(cases):
    out = {}
    for case in cases:
        seq, spec, p = problem(*case)
        kw = dict(cell=spec.cell, layers=spec.layers, bidirectional=spec.bidirectional)
        out[key(case)] = (median_ms(lambda: bare(spec, p, seq)), median_ms(lambda: compute_trace(p, seq, **kw)))
    return out


SPLIT_CASES = [("rnn", 1000, 128, 1, False), ("lstm", 1000, 128, 1, False),
               ("rnn", 10000, 128, 1, False), ("lstm", 10000, 128, 1, False)]


def split_times(cases):
    """(bare, whole trace, first trace, gains alone) in ms: the trace the window shows first, then its gains."""
    out = {}
    for case in cases:
        seq, spec, p = problem(*case)
        kw = dict(cell=spec.cell, layers=spec.layers, bidirectional=spec.bidirectional)
        budget = 1.5 if case[1] <= 1000 else 4.0
        first = compute_trace(p, seq, gains=False, **kw)
        out[key(case)] = (median_ms(lambda: bare(spec, p, seq), budget), median_ms(lambda: compute_trace(p, seq, **kw), budget),
                          median_ms(lambda: compute_trace(p, seq, gains=False, **kw), budget),
                          median_ms(lambda: compute_gains(first), budget))
    return out


def split_table(title, res):
    print(f"\n{title}")
    print(f"{'case':>20} | {'bare':>8} | {'whole':>8} {'x bare':>7} | {'first':>8} {'x bare':>7} | {'gains':>8} {'x bare':>7}")
    for k, (b, whole, first, gains) in res.items():
        print(f"{k:>20} | {b:8.1f} | {whole:8.1f} {whole / b:6.1f}x | {first:8.1f} {first / b:6.1f}x | "
              f"{gains:8.1f} {gains / b:6.1f}x")


def torch_times(python, cases, threads=None):
    if not python:
        return None
    args = [python, os.path.join(os.path.dirname(__file__), "torch_reference.py")] + ([str(threads)] if threads else [])
    todo = [[key(c)] + list(c) for c in cases]
    try:
        res = subprocess.run(args, input=json.dumps(todo), capture_output=True, text=True, check=True, timeout=900)
        return json.loads(res.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        print(f"(PyTorch skipped: {e})")
        return None


# ---- the notes' style, as the course writes it --------------------------------------------------------
def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - np.max(x, axis=0))
    return e / e.sum(axis=0)


def notes_rnn(P, x, a0, da):
    caches, a_next = [], a0
    for t in range(x.shape[2]):
        a_prev = a_next
        a_next = np.tanh(P["Wax"] @ x[:, :, t] + P["Waa"] @ a_next + P["ba"])
        caches.append((a_next, a_prev, x[:, :, t]))
    g = {k: np.zeros_like(P[k]) for k in ("Wax", "Waa", "ba")}
    carry = np.zeros_like(a0)
    for t in reversed(range(x.shape[2])):
        a_next, a_prev, xt = caches[t]
        dtanh = (1 - a_next ** 2) * (da[:, :, t] + carry)
        g["Wax"] += dtanh @ xt.T
        g["Waa"] += dtanh @ a_prev.T
        g["ba"] += dtanh.sum(axis=1, keepdims=True)
        carry = P["Waa"].T @ dtanh
    return g


def notes_lstm(P, x, a0, da):
    n_a = a0.shape[0]
    caches, a, c = [], a0, np.zeros_like(a0)
    for t in range(x.shape[2]):
        concat = np.concatenate([a, x[:, :, t]])
        f, i = _sig(P["Wf"] @ concat + P["bf"]), _sig(P["Wi"] @ concat + P["bi"])
        cc, o = np.tanh(P["Wc"] @ concat + P["bc"]), _sig(P["Wo"] @ concat + P["bo"])
        c_prev, c = c, f * c + i * cc
        a = o * np.tanh(c)
        caches.append((a, c, c_prev, f, i, cc, o, concat))
    g = {k: np.zeros_like(P[k]) for k in ("Wf", "Wi", "Wc", "Wo")}
    da_c, dc_c = np.zeros_like(a0), np.zeros_like(a0)
    for t in reversed(range(x.shape[2])):
        a, c, c_prev, f, i, cc, o, concat = caches[t]
        dan = da[:, :, t] + da_c
        tc = np.tanh(c)
        dc = dc_c + dan * o * (1 - tc ** 2)
        do, dcc = dan * tc * o * (1 - o), dc * i * (1 - cc ** 2)
        di, df = dc * cc * i * (1 - i), dc * c_prev * f * (1 - f)
        for k, d in (("Wf", df), ("Wi", di), ("Wc", dcc), ("Wo", do)):
            g[k] += d @ concat.T
        da_c = P["Wf"][:, :n_a].T @ df + P["Wi"][:, :n_a].T @ di + P["Wc"][:, :n_a].T @ dcc + P["Wo"][:, :n_a].T @ do
        dc_c = dc * f
    return g


def notes_times(T=1000, n_a=128, n_x=N_X):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n_x, 1, T))
    a0, da = np.zeros((n_a, 1)), rng.standard_normal((n_a, 1, T))
    R = {"Wax": rng.standard_normal((n_a, n_x)) * 0.1, "Waa": rng.standard_normal((n_a, n_a)) * 0.08,
         "ba": np.zeros((n_a, 1)), "Wya": rng.standard_normal((n_x, n_a)), "by": np.zeros((n_x, 1))}
    L = {k: rng.standard_normal((n_a, n_a + n_x)) * 0.08 for k in ("Wf", "Wi", "Wc", "Wo")}
    L.update({b: np.zeros((n_a, 1)) for b in ("bf", "bi", "bc", "bo")}, Wy=R["Wya"], by=R["by"])
    ours_r = lambda: compat.rnn_backward(da, compat.rnn_forward(x, a0, R)[2])          # noqa: E731
    ours_l = lambda: compat.lstm_backward(da, compat.lstm_forward(x, a0, L)[3])        # noqa: E731
    assert np.allclose(ours_r()["dWaa"], notes_rnn(R, x, a0, da)["Waa"])
    assert np.allclose(ours_l()["dWf"], notes_lstm(L, x, a0, da)["Wf"])
    return {"rnn": (median_ms(ours_r), median_ms(lambda: notes_rnn(R, x, a0, da))),
            "lstm": (median_ms(ours_l), median_ms(lambda: notes_lstm(L, x, a0, da)))}


def _burn(stop):
    a = np.random.default_rng(1).standard_normal((600, 600))
    while not stop.is_set():
        a = np.tanh(a @ a)


def table(title, eng, tor):
    print(f"\n{title}")
    print(f"{'case':>20} | {'bare':>8} {'trace':>8} {'x bare':>7} | {'torch':>8} {'torch/bare':>10}")
    for k, (b, t) in eng.items():
        tt = tor["times"].get(k) if tor else None
        ratio = f"{tt / b:9.1f}x" if tt else f"{'-':>10}"
        print(f"{k:>20} | {b:8.1f} {t:8.1f} {t / b:6.1f}x | {tt if tt else float('nan'):8.1f} {ratio}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--torch-python", default=os.environ.get("RNNVIZ_TORCH_PYTHON"),
                    help="an interpreter with torch installed (never a dependency of rnnviz)")
    ap.add_argument("--quick", action="store_true", help="only the (1000, 128) cases")
    ap.add_argument("--split", action="store_true", help="only the first trace / local gains table")
    ap.add_argument("--numpy", action="store_true",
                    help="without the compiled kernels (the engine's NumPy reference, as before they load)")
    args = ap.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores shared: quote ratios)")
    if args.numpy:
        os.environ["RNNVIZ_NO_NUMBA"] = "1"
    loaded = kernels.load_gains() is not None
    print("compiled kernels (numba): " + (f"loaded, as in the window once they have; products by {kernels.ready().source}"
                                          if loaded else
                                          "off (--numpy, or numba missing): NumPy alone"))
    if args.split:
        split_table("the trace first, its gains after (ms): idle or not, see the load above", split_times(SPLIT_CASES))
        return 0
    cases = [c for c in CASES if not args.quick or (c[1], c[2]) == (1000, 128)]
    print(f"numpy {np.__version__}, {os.cpu_count()} cores; engine products on one BLAS thread")
    tor = torch_times(args.torch_python, cases)
    if tor:
        print(f"torch {tor['version']} with {tor['threads']} threads")
    table("idle machine (ms)", engine_times(cases), tor)
    split_table("the trace first, its gains after (ms)", split_times(SPLIT_CASES))
    stop = mp.Event()
    burner = mp.Process(target=_burn, args=(stop,), daemon=True)
    burner.start()
    try:
        time.sleep(0.5)
        tor_busy = torch_times(args.torch_python, [c for c in cases if (c[1], c[2]) == (1000, 128)])
        busy = engine_times([c for c in cases if (c[1], c[2]) == (1000, 128)])
    finally:
        stop.set()
        burner.join(5)
    table("busy machine: another process multiplies matrices (ms)", busy, tor_busy)
    n = notes_times()
    print("\nthe notes' functions at (1000, 128), forward + backward (ms)")
    for cell, (ours, theirs) in n.items():
        print(f"{cell:>6}: rnnviz.core.compat {ours:7.1f}   the notes' loop {theirs:7.1f}   ({theirs / ours:.1f}x)")
    seq, spec, p = problem("lstm", 10000, 128, 1, False)
    tracemalloc.start()
    compute_trace(p, seq, cell="lstm")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nmemory: an LSTM trace at T = 10000, n_a = 128 peaks at {peak / 2**20:.0f} MiB while computing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
