"""The words behind every node of the graph (its tooltip), from the Trace: plain text, numbers worded
by rnnviz.app.numfmt, steps 1-based as in the notes."""
from __future__ import annotations

import numpy as np

from rnnviz.app import numfmt
from rnnviz.app.views.graph.columns import CONTEXT, INIT
from rnnviz.app.views.graph.data import GraphData
from rnnviz.app.views.graph.spec import ARROWS, GATE_HELP, GATE_SYMBOL, Role
from rnnviz.core.trace import GAINS_PENDING, StateRef

fmt_sci = numfmt.short


def _vec(v: np.ndarray, small: int = 8) -> str:
    """A whole vector for small sizes, else its norm and leading entries."""
    v = np.asarray(v, dtype=float).ravel()
    if v.size <= small:
        return "[" + ", ".join(f"{x:.3g}" for x in v) + "]"
    with np.errstate(over="ignore", invalid="ignore"):
        n = float(np.sqrt(np.sum(v * v)))
    lead = ", ".join(f"{x:.3g}" for x in v[:4])
    return f"‖·‖ = {fmt_sci(n)}, n = {v.size}: [{lead}, …]"


def _where(d: GraphData, layer: int, direction: int) -> str:
    spec = d.spec
    parts = []
    if spec.layers > 1:
        parts.append(f"layer {layer + 1} of {spec.layers}")
    if spec.dirs > 1:
        parts.append(f"{ARROWS[direction]} {'backward' if direction else 'forward'} direction")
    return f" ({', '.join(parts)})" if parts else ""


def tooltip(d: GraphData, kind: str, t: int) -> str:
    """Plain-text tooltip for the node of row `kind` at step t (0-based; -1 / T: initial states,
    -2: the context)."""
    tr, s = d.trace, t + 1
    row = d.spec.row(kind) if kind in d.spec._by_key else None
    if row is None:
        return ""
    if row.role == Role.INPUT:
        if not d.has_input[t]:
            return f"x⟨{s}⟩ = 0 (nothing is fed at this step)"
        fed = "\n(the previous target, fed back: teacher forcing)" if d.fed_back[t] else ""
        if tr.seq.kind != "text" and tr.n_x > 1:   # a vector of numbers (the notes' n_x = 3)
            return f"x⟨{s}⟩ = {_vec(tr.x[:, 0, t], 16)}{fed}"
        return f"x⟨{s}⟩ = {tr.seq.input_label(t)!s}{fed}\n{_vec(tr.x[:, 0, t])}"
    if row.role == Role.OUTPUT:
        lines = [f"ŷ⟨{s}⟩ target {d.target_text(t)}"]
        if d.mode == "classes":
            lines += [f"{d.labels[int(i)]}: {float(p):.3f}" for i, p in zip(d.top_idx[t], d.top_p[t])]
            lines.append(f"p(target {d.target_text(t)}) = {d.target_p(t):.3g}")
        else:
            lines.append(f"ŷ = {_vec(d.y_hat0[:, t])}")
        return "\n".join(lines)
    if row.role == Role.LOSS:
        return f"L⟨{s}⟩ = {fmt_sci(float(d.loss[t]))} ({tr.loss_name})\nL = Σ L⟨t⟩ = {fmt_sci(tr.total_loss)}"
    where = _where(d, row.layer, row.direction)
    if row.role == Role.GATE:
        gs = d.gates[kind]
        lt = tr.layer(row.layer, row.direction)
        lines = [f"the gates at step {s}{where}, mean over the units:"]
        for i, g in enumerate(gs.names):
            v = lt.quantity(g)[t, :, 0]
            if g == "z":
                v = 1.0 - v
            lines.append(f"{GATE_SYMBOL[g]} = {float(gs.mean[i, t]):.3g}  {_vec(v)}  ({GATE_HELP[g]})")
        return "\n".join(lines)
    return _state_tip(d, row, t, where)


def _state_tip(d: GraphData, row, t: int, where: str) -> str:
    tr, s = d.trace, t + 1
    st = d.states[row.key]
    name = row.name
    if t == INIT or t == d.T:
        step = 0 if t == INIT else d.T + 1
        what = "initial hidden state" if name == "a" else "initial cell state"
        lines = [f"{name}⟨{step}⟩{where} ({what})", _vec(st.init)]
        if t == INIT and name == "a" and row.layer == 0 and row.direction == 0:
            lines.append(f"‖∂L/∂a⟨0⟩‖ = {fmt_sci(st.init_grad)}")
        elif t == d.T:
            lines.append("the backward direction reads the sequence from its end, starting from zeros")
        return "\n".join(lines)
    if t == CONTEXT:
        k = d.spec.segments[1].start
        return (f"context{where}: the encoder's last state {name}⟨{k}⟩, where the decoder starts\n"
                f"{_vec(st.values[:, k - 1])}\nall the decoder knows of the source passes through it")
    if d.spec.single and d.spec.cell == "rnn" and name == "a":
        return _vanilla_tip(d, t)
    prev = f"⟨{s + 1}⟩" if row.direction else f"⟨{s - 1}⟩"
    lt = tr.layer(row.layer, row.direction)
    title = {"a": "hidden state", "c": "cell state (the conveyor belt: c⟨t⟩ = Γf ⊙ c⟨t−1⟩ + Γu ⊙ c̃⟨t⟩)"}[name]
    lines = [f"{name}⟨{s}⟩{where}: {title}, from {name}{prev}", f"{name} = {_vec(st.values[:, t])}",
             f"‖∂L/∂{name}⟨{s}⟩‖ = {fmt_sci(float(st.grads['total'][t]))}",
             f"‖∂L⟨T⟩/∂{name}⟨{s}⟩‖ = {fmt_sci(float(st.grads['last'][t]))}"]
    if name == "a" and lt.cell.name != "rnn":   # the rest of the cell at this step: its other states, its gates
        for other in [n for n in lt.cell.state_names if n != "a"] + list(lt.cell.gate_names):
            lines.append(f"{other} = {_vec(lt.quantity(other)[t][:, 0])}")
    if name == "a":
        lines.append(f"local gain ‖∂s⟨{s}⟩/∂s⟨{s - 1 if not row.direction else s + 1}⟩‖₂ = "
                     f"{fmt_sci(float(lt.local_gain[t, 0])) if tr.gains_ready else GAINS_PENDING}")
    if len(st.units) < tr.n_a:
        lines.append(f"strip shows {len(st.units)} of {tr.n_a} units")
    if st.bad_at(t):
        lines.append("not finite: the forward pass overflowed")
    lines.append("click: explain this layer-direction in the other views" if not d.spec.single else "")
    return "\n".join(x for x in lines if x)


def _vanilla_tip(d: GraphData, t: int) -> str:
    tr, s = d.trace, t + 1
    st = d.main
    lines = [f"a⟨{s}⟩ = g(Waa a⟨{s - 1}⟩ + Wax x⟨{s}⟩ + ba)", f"a = {_vec(st.values[:, t])}",
             f"z = {_vec(tr.state(StateRef(0, 0, 'z'))[:, 0, t])}",
             f"‖∂L/∂a⟨{s}⟩‖ = {fmt_sci(float(st.grads['total'][t]))}",
             f"‖∂L⟨T⟩/∂a⟨{s}⟩‖ = {fmt_sci(float(st.grads['last'][t]))}",
             f"local gain ‖diag(g′(z)) Waa‖₂ = "
             f"{fmt_sci(float(tr.local_gain[0, t])) if tr.gains_ready else GAINS_PENDING}"]
    if len(st.units) < tr.n_a:
        lines.append(f"strip shows {len(st.units)} of {tr.n_a} units")
    if st.bad_at(t):
        lines.append("not finite: the forward pass overflowed")
    return "\n".join(lines)
