"""PyTorch's time for the same problems as bench_engine.py: nn.RNN / nn.GRU / nn.LSTM + Linear +
cross-entropy + autograd, float64, CPU. Run by bench_engine.py with an interpreter that has torch
(`--torch-python PATH`); prints one JSON object: {"version", "threads", "times": {key: ms}}.
Reads the problems as JSON on stdin: [[key, cell, T, n_a, layers, bidirectional], ...]."""
import json
import statistics
import sys
import time

import torch

N_X = 64


def median_ms(fn, budget=1.5, runs=(3, 9)):
    fn()
    times, start = [], time.perf_counter()
    while len(times) < runs[1] and (len(times) < runs[0] or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main():
    torch.set_default_dtype(torch.float64)
    if len(sys.argv) > 1:
        torch.set_num_threads(int(sys.argv[1]))
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "times": {}}
    for key, cell, T, n_a, layers, bidir in json.load(sys.stdin):
        torch.manual_seed(0)
        rnn = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell](
            N_X, n_a, num_layers=layers, bidirectional=bidir)
        lin = torch.nn.Linear(n_a * (2 if bidir else 1), N_X)
        ids = torch.randint(0, N_X, (T + 1,))
        x = torch.nn.functional.one_hot(ids[:-1], N_X).double()[:, None, :]
        target = ids[1:]

        def run():
            rnn.zero_grad()
            lin.zero_grad()
            y, _ = rnn(x)
            torch.nn.functional.cross_entropy(lin(y[:, 0]), target, reduction="sum").backward()

        out["times"][key] = median_ms(run)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
