"""PyTorch's updates/s for bench_train.py's two settings, run by it with an interpreter that has torch
(`--torch-python PATH`). One thread (the rnnviz side runs on one core too); float64 (what rnnviz
computes in) and float32 (PyTorch's default). Prints one JSON object: {"version", "times": {...}}.

  minchar  nn.RNN(tanh, n_a = 100) + Linear + cross-entropy summed over a window of 25, hidden state
           carried (detached) between windows, clip_grad_value_(5), Adagrad(lr 0.1)
  adding   nn.LSTM(n_a = 32) + Linear on the last step, T = 100, batch 32, MSE, clip_grad_norm_(1), Adam
"""
import json
import sys
import time

import torch


def per_second(step, budget=4.0, warm=10):
    """Updates per second of this process's CPU time (as bench_train.py counts rnnviz's)."""
    clock = time.process_time
    for _ in range(warm):
        step()
    n, t0 = 0, clock()
    while clock() - t0 < budget:
        step()
        n += 1
    return n / (clock() - t0)


def minchar(V, dtype):
    torch.manual_seed(0)
    rnn, lin = torch.nn.RNN(V, 100).to(dtype), torch.nn.Linear(100, V).to(dtype)
    ps = list(rnn.parameters()) + list(lin.parameters())
    opt = torch.optim.Adagrad(ps, lr=0.1, eps=1e-8)
    data = torch.randint(0, V, (10_000,))
    state = {"p": 0, "h": torch.zeros(1, 1, 100, dtype=dtype)}

    def step():
        p = state["p"]
        if p + 26 >= len(data):
            p, state["h"] = 0, torch.zeros(1, 1, 100, dtype=dtype)
        ids = data[p:p + 26]
        x = torch.nn.functional.one_hot(ids[:-1], V).to(dtype)[:, None, :]
        opt.zero_grad()
        y, h = rnn(x, state["h"])
        torch.nn.functional.cross_entropy(lin(y[:, 0]), ids[1:], reduction="sum").backward()
        torch.nn.utils.clip_grad_value_(ps, 5.0)
        opt.step()
        state["h"], state["p"] = h.detach(), p + 25
    return per_second(step)


def adding(dtype):
    torch.manual_seed(0)
    lstm, lin = torch.nn.LSTM(2, 32).to(dtype), torch.nn.Linear(32, 1).to(dtype)
    ps = list(lstm.parameters()) + list(lin.parameters())
    opt = torch.optim.Adam(ps, lr=1e-2)

    def step():
        x = torch.zeros(100, 32, 2, dtype=dtype)
        x[:, :, 0] = torch.rand(100, 32, dtype=dtype)
        x[torch.randint(0, 50, (32,)), torch.arange(32), 1] = 1
        x[torch.randint(50, 100, (32,)), torch.arange(32), 1] = 1
        y = (x[:, :, 0] * x[:, :, 1]).sum(0)[:, None]
        opt.zero_grad()
        out, _ = lstm(x)
        ((lin(out[-1]) - y) ** 2).mean().backward()
        torch.nn.utils.clip_grad_norm_(ps, 1.0)
        opt.step()
    return per_second(step)


def main():
    torch.set_num_threads(1)
    V = json.load(sys.stdin)["V"]
    times = {}
    for name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
        times[f"minchar {name}"] = minchar(V, dtype)
        times[f"adding {name}"] = adding(dtype)
    print(json.dumps({"version": torch.__version__, "times": times}))


if __name__ == "__main__":
    main()
