"""The data behind the figures, as NPZ and CSV files (Qt-free, atomic).

trace.npz (one sequence, m = 1 squeezed; steps along the last axis):
  x (n_x, T) inputs · targets (T,) class indices (text) or values (numbers) · a (n_a, T) hidden
  states · y_hat (n_y, T) outputs · loss (T,) L<t> · da (n_a, T) total dL/da<t> · da_last (n_a, T)
  dL<T>/da<t>
"""
from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np

from rnnviz.core.params import PARAM_NAMES

from .atomic import write_text_atomic
from .npz import save_npz

TRACE_KEYS = ("x", "targets", "a", "y_hat", "loss", "da", "da_last")


def trace_arrays(tr) -> dict[str, np.ndarray]:
    """The arrays of trace.npz for the first sequence of the batch."""
    seq = tr.seq
    if seq.kind == "text" and seq.target_index is not None:
        targets = np.asarray(seq.target_index[0], dtype=np.int64)
    else:
        targets = np.asarray(tr.y[0, 0, :], dtype=np.float64)
    return {
        "x": tr.x[:, 0, :], "targets": targets, "a": tr.a[:, 0, :], "y_hat": tr.y_hat[:, 0, :],
        "loss": tr.loss_steps[0], "da": tr.da[:, 0, :], "da_last": tr.da_last[:, 0, :],
    }


def save_trace_npz(path: str | os.PathLike, tr) -> Path:
    return save_npz(path, trace_arrays(tr))


def save_grads_npz(path: str | os.PathLike, tr) -> Path:
    """dL/dparam under the notes' names, L = sum_t L<t>."""
    return save_npz(path, {k: np.asarray(tr.grads[k], dtype=np.float64) for k in PARAM_NAMES})


def _cell(v):
    """Numbers at full precision (repr round-trips), inf/NaN spelled out."""
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(v, np.integer):
        return int(v)
    return v


def csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def write_csv(path: str | os.PathLike, header: list[str], rows: list[list]) -> Path:
    return write_text_atomic(path, csv_text(header, rows))


def loss_table(tr) -> tuple[list[str], list[list]]:
    """One row per step: what went in, what should come out, what came out, the loss L<t>."""
    seq, loss = tr.seq, tr.loss_steps[0]
    if seq.kind != "text":
        header = ["step", "input", "target", "y_hat", "loss", "counts"]
        return header, [[t + 1, seq.tokens[t], seq.tokens[t + 1], tr.y_hat[0, 0, t], loss[t],
                         int(tr.step_weight[t])] for t in range(tr.T)]
    header = ["step", "input", "target", "prediction", "p_target", "loss", "counts"]
    rows = []
    for t in range(tr.T):
        y_hat = tr.y_hat[:, 0, t]
        pred = seq.vocab[int(np.argmax(y_hat))] if np.all(np.isfinite(y_hat)) else "nan"
        p_target = y_hat[int(seq.target_index[0, t])]  # probability given to the right character
        rows.append([t + 1, seq.tokens[t], seq.tokens[t + 1], pred, p_target, loss[t], int(tr.step_weight[t])])
    return header, rows


def gradient_table(tr) -> tuple[list[str], list[list]]:
    """One row per step: ||dL/da<t>||, ||dL<T>/da<t>||, the local gain, the bound, contributions."""
    contrib = tr.step_contributions()
    cols = {
        "da_norm": tr.da_norm, "da_last_norm": tr.da_last_norm, "local_gain": tr.local_gain[0],
        "pascanu_bound": tr.pascanu_bound(),
        "dWax_contribution": contrib["Wax"], "dWaa_contribution": contrib["Waa"], "dba_contribution": contrib["ba"],
    }
    header = ["step"] + list(cols)
    rows = [[t + 1] + [float(c[t]) for c in cols.values()] for t in range(tr.T)]
    return header, rows
