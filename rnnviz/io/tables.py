"""The data behind the figures, as NPZ and CSV files (Qt-free, atomic).

One table function per figure, used by the window's "Export data as CSV…", File > Export all figures
and `rnnviz export`, so the same figure always gives the same columns. Every table has one row per
step (the influence map: one per pair of steps), `step` 1-based as in the notes, and columns named
in the notes' notation (ASCII: `y_hat<t>` for ŷ<t>):

  graph.csv          step, x<t>, ||a<t>||, prediction, y<t>, L<t>, ||dL/da<t>||, ||dL<T>/da<t>||
  hidden_states.csv  step, x<t>, a<t>[1] ... a<t>[n_a]
  outputs.csv        text:    step, x<t>, y<t>, scored, prediction, y_hat<t>[y<t>], y_hat<t>[c] per character c
                     classes (the notes' batch): the same, prediction and y<t> the class's number, then
                              y_hat<t>[class 0], y_hat<t>[class 1]
                     numbers: step, x<t>, y<t>, scored, y_hat<t>
  losses.csv         step, x<t>, y<t>, scored, L<t>, L<1>+...+L<t>
  gradients.csv      step, ||dL/da<t>||, ||dL<T>/da<t>||, ||dL<T>/da<T>|| (gamma sigma_max)^(T-t) (Pascanu's
                     envelope), ||da<t>/da<t-1>||_2, ||dWax<t>||_F, ||dWaa<t>||_F, ||dba<t>|| (step t's share)
  influence.csv      t, ||dL<t>/da<1>||, ..., ||dL<t>/da<T>||   (a matrix; empty where k > t)

x<t> is the character or number fed at step t (a vector: its numbers separated by spaces; empty where
nothing is fed: one-to-many), y<t> the
target, `scored` 1 where L<t> counts in L, `prediction` the most likely character (text) or ŷ<t>.
Numbers are written at full precision (they read back exactly); inf and NaN are spelled out.

trace.npz (one sequence, m = 1 squeezed; steps along the last axis):
  x (n_x, T) inputs · targets (T,) class indices (text, or classes as the notes' batch; -1 where a
  step has no target) or values (numbers) · a (n_a·dirs, T) the top layer's hidden states, directions stacked (forward first) ·
  y_hat (n_y, T) outputs · loss (T,) L<t> · da (n_a·dirs, T) the top layer's total dL/da<t> ·
  da_last (n_a·dirs, T) dL<T>/da<t>
  and for every layer l (0 = bottom) and direction (suffix _reverse for the backward one), as
  "l{l}.{name}" / "l{l}_reverse.{name}", each (n_a, T): the states a (and c for the LSTM), the gates
  (vanilla: z, the pre-activation; GRU: r, z, n; LSTM: i, f, g, o), da / dc (dL/da<t>, dL/dc<t>) and
  da_last / dc_last (dL<T>/da<t>, dL<T>/dc<t>).
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from rnnviz.core import diagnostics as D

from .atomic import write_text_atomic
from .npz import save_npz

TRACE_KEYS = ("x", "targets", "a", "y_hat", "loss", "da", "da_last")
# outputs.csv keeps one probability column per character up to this many cells (T x characters)
MAX_OUTPUT_CELLS = 5_000_000

Table = tuple[list[str], list[list]]


def trace_arrays(tr) -> dict[str, np.ndarray]:
    """The arrays of trace.npz for the first sequence of the batch."""
    seq = tr.seq
    if seq.target_index is not None:   # classes: a text's characters, the notes' batch's 0 / 1
        targets = np.asarray(seq.target_index[0], dtype=np.int64)
    else:
        targets = np.asarray(tr.y[0, 0, :], dtype=np.float64)
    out = {
        "x": tr.x[:, 0, :], "targets": targets, "a": tr.a[:, 0, :], "y_hat": tr.y_hat[:, 0, :],
        "loss": tr.loss_steps[0], "da": tr.da[:, 0, :], "da_last": tr.da_last[:, 0, :],
    }
    out.update(layer_arrays(tr))
    return out


def layer_key(layer: int, direction: int, name: str) -> str:
    """'l0.a', 'l1_reverse.dc': the name of a layer-direction's array in trace.npz."""
    return f"l{layer}{'_reverse' if direction else ''}.{name}"


def layer_arrays(tr) -> dict[str, np.ndarray]:
    """Every layer-direction's states, gates and gradients (first sequence of the batch), (n_a, T) each."""
    out = {}
    for lt in tr.layers:
        names = list(lt.cell.state_names) + (list(lt.cell.gate_names) or ["z"])
        for name in names:
            out[layer_key(lt.layer, lt.direction, name)] = lt.quantity(name)[:, :, 0].T
        for name in lt.cell.state_names:
            out[layer_key(lt.layer, lt.direction, "d" + name)] = lt.grad(name)[:, :, 0].T
            out[layer_key(lt.layer, lt.direction, f"d{name}_last")] = lt.grad(name, "last")[:, :, 0].T
    return out


def save_trace_npz(path: str | os.PathLike, tr) -> Path:
    return save_npz(path, trace_arrays(tr))


def save_grads_npz(path: str | os.PathLike, grads: dict) -> Path:
    """Gradients under the weights' names (trace.grads: dL/dparam, L = sum_t L<t>; or clipped ones):
    the notes' Wax Waa Wya ba by for the one-layer vanilla RNN, PyTorch's names for other models."""
    return save_npz(path, {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()})


# ----------------------------------------------------------------------------- CSV text
def _cell(v) -> str:
    """Numbers at full precision (repr round-trips), inf/NaN spelled out."""
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(v, (np.floating, np.integer)):
        return _cell(v.item())
    if v is None:
        return ""
    v = str(v)
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def _column_text(col) -> list[str]:
    """One column as CSV fields; columns of plain floats (or gaps) and of ints take a fast path."""
    kinds = set(map(type, col))
    if kinds <= {float, type(None)}:
        # v - v == 0 is False exactly for inf and NaN
        return ["" if v is None else (repr(v) if v - v == 0 else _cell(v)) for v in col]
    if kinds <= {int}:
        return list(map(str, col))
    return [_cell(v) for v in col]


def csv_text(header: list[str], rows: list[list]) -> str:
    """RFC 4180 CSV (what csv.writer writes), built a column at a time: millions of cells in seconds."""
    lines = [",".join(_cell(h) for h in header)]
    if rows:
        cols = [_column_text(c) for c in zip(*rows)]
        lines += map(",".join, zip(*cols))
    return "\n".join(lines) + "\n"


def write_csv(path: str | os.PathLike, header: list[str], rows: list[list]) -> Path:
    return write_text_atomic(path, csv_text(header, rows))


# ----------------------------------------------------------------------------- per-step columns
def _floats(v) -> list:
    """A (T,) array as Python floats (what csv_text writes fastest)."""
    return np.asarray(v, dtype=np.float64).tolist()


def _steps(tr) -> list[int]:
    return list(range(1, tr.T + 1))


def _inputs(tr) -> list:
    """x<t>: the character or number fed at step t (a vector's numbers separated by spaces: the notes'
    n_x = 3), "" where nothing is fed."""
    fed = np.asarray(tr.input_weight) > 0
    toks = tr.seq.input_tokens
    if tr.seq.kind != "text" and tr.n_x > 1:
        toks = [" ".join(repr(float(v)) for v in tr.x[:, 0, t]) for t in range(tr.T)]
    elif tr.seq.kind != "text":
        toks = [float(v) for v in toks]
    return [toks[t] if fed[t] else "" for t in range(tr.T)]


def _targets(tr) -> list:
    """y<t>: the target of step t (the next character or number; "" where a step has none)."""
    toks = tr.seq.target_tokens[: tr.T]
    if tr.seq.kind == "text":
        return ["" if c is None else c for c in toks]
    return [float(v) for v in toks]


def _scored(tr) -> list[int]:
    return (np.asarray(tr.step_weight) > 0).astype(int).tolist()


def _classes(tr) -> bool:
    """Whether ŷ<t> scores classes of vector inputs (the notes' batch: class 0 / class 1), not values."""
    return tr.seq.kind != "text" and tr.seq.target_index is not None and tr.n_y > 1


def _predictions(tr) -> list:
    """The most likely character (text) or class (its number, as y<t>: the notes' batch), or ŷ<t>
    itself (numbers: a value, or p(1) for BCE)."""
    y0 = tr.y_hat[:, 0, :]
    if tr.seq.kind != "text" and not _classes(tr):
        return _floats(y0[0])
    ok = np.all(np.isfinite(y0), axis=0)
    best = np.argmax(np.nan_to_num(y0, nan=-1.0), axis=0)
    if _classes(tr):
        return [float(i) if good else "nan" for i, good in zip(best, ok)]
    vocab = tr.seq.vocab
    return [vocab[int(i)] if good else "nan" for i, good in zip(best, ok)]


def _columns(named: dict) -> Table:
    header = list(named)
    return header, [list(r) for r in zip(*named.values())]


# ----------------------------------------------------------------------------- one table per figure
def graph_table(tr) -> Table:
    """graph.csv: what each column of the unrolled graph shows."""
    a0 = tr.a[:, 0, :]
    with np.errstate(over="ignore", invalid="ignore"):
        a_norm = np.sqrt(np.sum(a0 * a0, axis=0))
    return _columns({
        "step": _steps(tr), "x<t>": _inputs(tr), "||a<t>||": _floats(a_norm), "prediction": _predictions(tr),
        "y<t>": _targets(tr), "L<t>": _floats(tr.loss), "||dL/da<t>||": _floats(tr.da_norm),
        "||dL<T>/da<t>||": _floats(tr.da_last_norm),
    })


def hidden_states_table(tr) -> Table:
    """hidden_states.csv: every unit of a<t>."""
    cols = {"step": _steps(tr), "x<t>": _inputs(tr)}
    for i, row in enumerate(tr.a[:, 0, :].tolist()):
        cols[f"a<t>[{i + 1}]"] = row
    return _columns(cols)


def outputs_table(tr) -> Table:
    """outputs.csv: ŷ<t>. Text: the probability of every character, while T x characters stays
    under MAX_OUTPUT_CELLS (beyond that only the prediction and the target's probability)."""
    seq = tr.seq
    cols = {"step": _steps(tr), "x<t>": _inputs(tr), "y<t>": _targets(tr), "scored": _scored(tr)}
    y0 = tr.y_hat[:, 0, :]
    if seq.kind != "text" and not _classes(tr):
        cols["y_hat<t>"] = _floats(y0[0])
        return _columns(cols)
    cols["prediction"] = _predictions(tr)
    ti = seq.target_index[0].astype(int)
    at = _floats(y0[np.maximum(ti, 0), np.arange(tr.T)])
    cols["y_hat<t>[y<t>]"] = [v if k >= 0 else None for v, k in zip(at, ti.tolist())]   # "": no target
    names = seq.vocab if seq.kind == "text" else seq.output_labels()
    if y0.size <= MAX_OUTPUT_CELLS:
        for c, row in zip(names, y0.tolist()):
            cols[f"y_hat<t>[{c}]"] = row
    return _columns(cols)


def losses_table(tr) -> Table:
    """losses.csv: L<t> and the running total of the scored ones."""
    loss = np.asarray(tr.loss, dtype=np.float64)
    scored = np.asarray(tr.step_weight) > 0
    with np.errstate(invalid="ignore", over="ignore"):
        total = np.cumsum(np.where(scored, loss, 0.0))
    return _columns({
        "step": _steps(tr), "x<t>": _inputs(tr), "y<t>": _targets(tr), "scored": scored.astype(int).tolist(),
        "L<t>": _floats(loss), "L<1>+...+L<t>": _floats(total),
    })


def gradients_table(tr, layer: int | None = None, direction: int = 0, all_layers: bool = False) -> Table:
    """gradients.csv: the curves of the Gradients plot for one layer-direction (the top forward one by
    default) and each step's share of its weight gradients (dWax, dWaa, dba for the notes' RNN;
    PyTorch's names otherwise; an encoder–decoder's columns are named W_ih, W_hh, b: its steps add to
    the encoder's or the decoder's weights). all_layers: ||dL/da<t>|| and ||dL<T>/da<t>|| of every
    layer-direction (l0, l1_reverse, ... as in trace.npz)."""
    if all_layers:
        from rnnviz.core.trace import StateRef

        cols = {"step": _steps(tr)}
        for l, d in tr.spec.layer_dirs():
            key = f"l{l}{'_reverse' if d else ''}"
            ref = StateRef(l, d, "a")
            cols[f"{key} ||dL/da<t>||"] = _floats(tr.grad_norm(ref))
            cols[f"{key} ||dL<T>/da<t>||"] = _floats(tr.grad_norm(ref, "last"))
        return _columns(cols)
    curves = D.gradient_curves(tr, layer, direction)
    contrib = tr.step_contributions(layer, direction)
    w_ih, w_hh, b = tr.weight_names(layer, direction)
    cols = {"step": _steps(tr), "||dL/da<t>||": _floats(curves["da"]),
            "||dL<T>/da<t>||": _floats(curves["da_last"])}
    if "dc" in curves:
        cols.update({"||dL/dc<t>||": _floats(curves["dc"]), "||dL<T>/dc<t>||": _floats(curves["dc_last"])})
    if tr.spec.cell == "rnn":
        cols["||dL<T>/da<T>|| (gamma sigma_max)^(T-t)"] = _floats(curves["envelope"])
    else:
        cols["max prod of keep gates, t..T"] = _floats(curves["gates"])
        cols["direct path: ||dL<T>/ds<T>|| max prod of keep gates"] = _floats(curves["path"])
    cols["||da<t>/da<t-1>||_2"] = _floats(curves["gain"])
    names = (w_ih, w_hh, b) if len(tr.segments) == 1 else ("W_ih", "W_hh", "b")
    for name, key in zip(names, (w_ih, w_hh, b)):
        cols[f"||d{name}<t>||_F" if name != names[2] else f"||d{name}<t>||"] = _floats(contrib[key])
    return _columns(cols)


def influence_table(tr, layer: int | None = None) -> Table:
    """influence.csv: a row per loss step t, a column per state a<k>: ||dL<t>/da<k>|| of one layer (the
    top one by default), empty where nothing flows (k > t for the forward direction). A bidirectional
    layer has a second block of columns for its backward direction, ||dL<t>/da_reverse<k>||, empty
    for k < t (it reads right to left). No rows when the trace has no influence map
    (tr.influence_message says why)."""
    layer = tr.spec.layers - 1 if layer is None else layer
    maps = [tr.layer(layer, d).influence for d in range(tr.spec.dirs)]
    T = tr.T
    header = ["t"] + [f"||dL<t>/da<{k}>||" for k in range(1, T + 1)]
    if len(maps) == 2:
        header += [f"||dL<t>/da_reverse<{k}>||" for k in range(1, T + 1)]
    if any(m is None for m in maps):
        return header, []
    rows = []
    blocks = [np.asarray(m, dtype=np.float64).tolist() for m in maps]
    for t in range(T):
        row = [t + 1] + blocks[0][t][: t + 1] + [None] * (T - t - 1)
        if len(blocks) == 2:
            row += [None] * t + blocks[1][t][t:]
        rows.append(row)
    return header, rows


# ----------------------------------------------------------------------------- per layer-direction
# the trace's names -> column names in the notes' notation (ASCII)
QUANTITY_COLUMNS = {"a": "a<t>", "c": "c<t>", "z": "z<t>", "f": "Gamma_f<t>", "i": "Gamma_u<t>",
                    "g": "c_tilde<t>", "o": "Gamma_o<t>", "r": "Gamma_r<t>", "n": "c_tilde<t>"}
CELL_ORDER = {"lstm": ("f", "i", "g", "c", "o", "a"), "gru": ("r", "z", "n", "a"), "rnn": ("z", "a")}


def _column(lt, name: str) -> str:
    if name == "z" and lt.cell.name == "gru":
        return "z<t> (1-Gamma_u)"
    return QUANTITY_COLUMNS.get(name, f"{name}<t>")


def layer_state_table(tr, layer: int, direction: int, name: str) -> Table:
    """A heatmap's table: one row per step, a column per unit of one layer-direction's state or gate
    (`name` as in trace.layer(l, d).quantity: a, c, z; f i g o; r z n)."""
    lt = tr.layer(layer, direction)
    col = _column(lt, name).split(" ")[0]
    cols = {"step": _steps(tr), "x<t>": _inputs(tr)}
    for i, row in enumerate(lt.quantity(name)[:, :, 0].T.tolist()):
        cols[f"{col}[{i + 1}]"] = row
    return _columns(cols)


def cell_table(tr, layer: int, direction: int, t: int, flow: str = "total") -> Table:
    """The Cell view's table: one row per unit at step t (0-based) of one layer-direction: the states it
    started from, every gate and state in the order the step computes them, and the gradients
    reaching the states (dL/d. for flow "total", dL<T>/d. for "last")."""
    lt = tr.layer(layer, direction)
    loss = "L" if flow == "total" else "L<T>"
    cols = {"unit": list(range(1, tr.n_a + 1)), "step": [t + 1] * tr.n_a}
    before = "<t+1>" if direction else "<t-1>"      # the backward direction starts from the step after
    for k in lt.cell.state_names:
        cols[k + before] = _floats(lt.run.natural([c.prev(k) for c in lt.run.caches])[t, :, 0])
    for k in CELL_ORDER.get(lt.cell.name, ("a",)):
        cols[_column(lt, k)] = _floats(lt.quantity(k)[t, :, 0])
    for k in lt.cell.state_names:
        cols[f"d{loss}/d{k}<t>"] = _floats(lt.grad(k, flow)[t, :, 0])
    return _columns(cols)


# figure_name -> its table, for the views and the CLI
TABLES = {
    "graph": graph_table, "hidden_states": hidden_states_table, "outputs": outputs_table,
    "losses": losses_table, "gradients": gradients_table, "influence": influence_table,
}


def figure_table(name: str, tr) -> Table:
    """The table of figure `name` for trace tr (a header and no rows when there is no trace)."""
    fn = TABLES[name]
    if tr is None:
        return [], []
    return fn(tr)
