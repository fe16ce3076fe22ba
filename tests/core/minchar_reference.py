"""min-char-rnn's training loop (Karpathy, 2015), as it is written, for one reference run.

Only what a test needs changed: the data and initial weights are arguments, the vocabulary is
sorted (min-char-rnn's `list(set(data))` has no fixed order), it runs `n_updates` times and returns
each update's loss, smooth loss, the weights, Adagrad's memory and hprev after it (and the weights,
memory and hprev it started from); no sampling, no printing."""
import numpy as np


def minchar_train(data, Wxh, Whh, Why, bh, by, n_updates, seq_length=25, learning_rate=1e-1):
    chars = sorted(set(data))
    vocab_size = len(chars)
    char_to_ix = {ch: i for i, ch in enumerate(chars)}
    Wxh, Whh, Why, bh, by = (np.array(a, dtype=np.float64) for a in (Wxh, Whh, Why, bh, by))
    hidden_size = Whh.shape[0]

    def lossFun(inputs, targets, hprev):
        xs, hs, ys, ps = {}, {}, {}, {}
        hs[-1] = np.copy(hprev)
        loss = 0
        for t in range(len(inputs)):
            xs[t] = np.zeros((vocab_size, 1))
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
            ys[t] = np.dot(Why, hs[t]) + by
            ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
            loss += -np.log(ps[t][targets[t], 0])
        dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
        dbh, dby = np.zeros_like(bh), np.zeros_like(by)
        dhnext = np.zeros_like(hs[0])
        for t in reversed(range(len(inputs))):
            dy = np.copy(ps[t])
            dy[targets[t]] -= 1
            dWhy += np.dot(dy, hs[t].T)
            dby += dy
            dh = np.dot(Why.T, dy) + dhnext
            dhraw = (1 - hs[t] * hs[t]) * dh
            dbh += dhraw
            dWxh += np.dot(dhraw, xs[t].T)
            dWhh += np.dot(dhraw, hs[t - 1].T)
            dhnext = np.dot(Whh.T, dhraw)
        for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
            np.clip(dparam, -5, 5, out=dparam)
        return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]

    n, p = 0, 0
    mWxh, mWhh, mWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    mbh, mby = np.zeros_like(bh), np.zeros_like(by)
    smooth_loss = -np.log(1.0 / vocab_size) * seq_length
    out = []
    names = ("Wax", "Waa", "Wya", "ba", "by")

    def snap(arrays):
        return {k: a.copy() for k, a in zip(names, arrays)}
    while n < n_updates:
        if p + seq_length + 1 >= len(data) or n == 0:
            hprev = np.zeros((hidden_size, 1))
            p = 0
        start = (snap([Wxh, Whh, Why, bh, by]), snap([mWxh, mWhh, mWhy, mbh, mby]), hprev.copy(), p)
        inputs = [char_to_ix[ch] for ch in data[p:p + seq_length]]
        targets = [char_to_ix[ch] for ch in data[p + 1:p + seq_length + 1]]
        loss, dWxh, dWhh, dWhy, dbh, dby, hprev = lossFun(inputs, targets, hprev)
        smooth_loss = smooth_loss * 0.999 + loss * 0.001
        for param, dparam, mem in zip([Wxh, Whh, Why, bh, by], [dWxh, dWhh, dWhy, dbh, dby],
                                      [mWxh, mWhh, mWhy, mbh, mby]):
            mem += dparam * dparam
            param += -learning_rate * dparam / np.sqrt(mem + 1e-8)
        p += seq_length
        n += 1
        out.append({"loss": loss, "smooth_loss": smooth_loss, "params": snap([Wxh, Whh, Why, bh, by]),
                    "mem": snap([mWxh, mWhh, mWhy, mbh, mby]), "hprev": hprev.copy(), "start": start})
    return out
