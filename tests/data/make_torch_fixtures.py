"""Regenerate tests/data/torch_*.npz with PyTorch (not a dependency; run in a venv that has torch 2.13):

    /path/to/torch-venv/bin/python tests/data/make_torch_fixtures.py

Each torch_<model>.npz holds a state_dict saved with np.savez (PyTorch's names and shapes) plus the
read-out Wya, by; torch_<model>.expected.npz the input token ids and what PyTorch computed in float64:
the top layer's outputs, the per-step cross-entropy losses and the gradient of their sum for every
parameter (prefix 'grad.')."""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
CASES = [("RNN", 1, False), ("RNN", 2, True), ("GRU", 1, False), ("GRU", 2, True), ("LSTM", 1, False),
         ("LSTM", 3, True)]


def main():
    for kind, layers, bidir in CASES:
        torch.manual_seed(7)
        V, n_a, T = 5, 4, 9
        rnn = getattr(torch.nn, kind)(V, n_a, num_layers=layers, bidirectional=bidir)
        lin = torch.nn.Linear(n_a * (2 if bidir else 1), V)
        ids = torch.randint(0, V, (T + 1,))
        x = torch.nn.functional.one_hot(ids[:-1], V).double()[:, None, :]      # (T, m=1, V)
        out, _ = rnn(x)
        logits = lin(out[:, 0])
        losses = torch.nn.functional.cross_entropy(logits, ids[1:], reduction="none")
        losses.sum().backward()
        weights = {k: v.detach().numpy() for k, v in rnn.state_dict().items()}
        weights["Wya"] = lin.weight.detach().numpy()
        weights["by"] = lin.bias.detach().numpy()
        arrays = {}
        for k, p in rnn.named_parameters():
            arrays["grad." + k] = p.grad.numpy()
        arrays["grad.Wya"] = lin.weight.grad.numpy()
        arrays["grad.by"] = lin.bias.grad.numpy()
        arrays["ids"] = ids.numpy()
        arrays["out"] = out.detach().numpy()[:, 0]          # (T, dirs n_a)
        arrays["losses"] = losses.detach().numpy()
        name = f"tests/data/torch_{kind.lower()}_l{layers}{'_bi' if bidir else ''}"
        np.savez(name + ".npz", **weights)
        np.savez(name + ".expected.npz", **arrays)
        print("wrote", name)


if __name__ == "__main__":
    main()
