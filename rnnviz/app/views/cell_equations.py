"""The equations of one step of a GRU, an LSTM or a stacked / bidirectional vanilla layer, in the
course's notation with the trace's numbers, as (lhs, formula, value) rows for EquationView.

LSTM (course names; PyTorch's gate order i, f, g, o in the files):
    Γf = σ(W_f [a⟨t−1⟩; x⟨t⟩] + b_f)   Γu = σ(W_u ...)   c̃ = tanh(W_c ...)   Γo = σ(W_o ...)
    c⟨t⟩ = Γf ⊙ c⟨t−1⟩ + Γu ⊙ c̃⟨t⟩,   a⟨t⟩ = Γo ⊙ tanh(c⟨t⟩)
GRU as PyTorch computes it (the course applies Γr to a⟨t−1⟩ before the product; PyTorch after it):
    Γr = σ(W_ir x + b_ir + W_hr a⟨t−1⟩ + b_hr)   z = σ(...) = 1 − Γu
    c̃ = tanh(W_in x + b_in + Γr ⊙ (W_hn a⟨t−1⟩ + b_hn)),   a⟨t⟩ = (1 − z) ⊙ c̃ + z ⊙ a⟨t−1⟩
Backward: ∂L/∂a⟨t⟩ (and ∂L/∂c⟨t⟩) with its parts, each shown as the vector it adds, the gates'
pre-activation gradients and what step t adds to each weight. Every number comes from the Trace.
"""
from __future__ import annotations

import numpy as np

from rnnviz.app.views.eq_format import num, sup, vec
from rnnviz.core import diagnostics as D

ARROW = ("", "→")


def where(lt, spec) -> str:
    """'layer 2 of 3, ← direction' (empty for one forward layer)."""
    parts = []
    if spec.layers > 1:
        parts.append(f"layer {lt.layer + 1} of {spec.layers}")
    if spec.bidirectional:
        parts.append("← backward direction" if lt.direction else "→ forward direction")
    return ", ".join(parts)


def _input(tr, lt, t: int, d: str) -> tuple[str, str]:
    """(name, value) of what this layer reads at step t."""
    if lt.layer == 0:
        seq = tr.seq
        if seq.kind == "text":
            import html
            return f"x{sup(t + 1)}", f"one-hot({html.escape(seq.input_label(t))})"
        if tr.n_x > 1:                                   # vectors (the notes' test input)
            return f"x{sup(t + 1)}", vec(tr.x[:, 0, t], d)
        return f"x{sup(t + 1)}", num(float(tr.x[0, 0, t]), d)
    return f"a{sup(t + 1)}[{lt.layer}]", vec(tr._layer_input(lt.layer)[t, :, 0], d)


def forward_rows(tr, lt, t: int, d: str) -> list[tuple[str, str, str]]:
    s = t + 1
    prev = t + 1 if lt.direction else t - 1          # the step this one started from
    ps = sup(prev + 1)
    name, xval = _input(tr, lt, t, d)
    a_prev = lt.a_prev()[t, :, 0]
    rows = [(name, "", xval), (f"a{ps}", "", vec(a_prev, d))]
    q = lt.quantity
    x = name
    if lt.cell.name == "lstm":
        c_prev = lt.run.natural([c.prev("c") for c in lt.run.caches])[t, :, 0]
        cat = f"[a{ps}; {x}]"
        rows += [(f"c{ps}", "", vec(c_prev, d)),
                 ("Γf", f"σ(W<sub>f</sub> {cat} + b<sub>f</sub>)", vec(q("f")[t, :, 0], d)),
                 ("Γu", f"σ(W<sub>u</sub> {cat} + b<sub>u</sub>)", vec(q("i")[t, :, 0], d)),
                 (f"c̃{sup(s)}", f"tanh(W<sub>c</sub> {cat} + b<sub>c</sub>)", vec(q("g")[t, :, 0], d)),
                 (f"c{sup(s)}", f"Γf ⊙ c{ps} + Γu ⊙ c̃{sup(s)}", vec(q("c")[t, :, 0], d)),
                 ("Γo", f"σ(W<sub>o</sub> {cat} + b<sub>o</sub>)", vec(q("o")[t, :, 0], d)),
                 (f"a{sup(s)}", f"Γo ⊙ tanh(c{sup(s)})", vec(q("a")[t, :, 0], d))]
    elif lt.cell.name == "gru":
        rows += [("Γr", f"σ(W<sub>ir</sub> {x} + W<sub>hr</sub> a{ps} + b<sub>r</sub>)", vec(q("r")[t, :, 0], d)),
                 ("z = 1 − Γu", f"σ(W<sub>iz</sub> {x} + W<sub>hz</sub> a{ps} + b<sub>z</sub>)", vec(q("z")[t, :, 0], d)),
                 (f"c̃{sup(s)}", f"tanh(W<sub>in</sub> {x} + b<sub>in</sub> + Γr ⊙ (W<sub>hn</sub> a{ps} + b<sub>hn</sub>))",
                  vec(q("n")[t, :, 0], d)),
                 (f"a{sup(s)}", f"(1 − z) ⊙ c̃{sup(s)} + z ⊙ a{ps}", vec(q("a")[t, :, 0], d))]
    else:
        g = "tanh" if tr.activation == "tanh" else "ReLU"
        W = ("aa", "ax", "a") if tr.spec.notes_naming else ("hh", "ih", "")   # the notes' names for one layer
        rows += [(f"z{sup(s)}", f"W<sub>{W[0]}</sub> a{ps} + W<sub>{W[1]}</sub> {x} + b<sub>{W[2]}</sub>",
                  vec(q("z")[t, :, 0], d)),
                 (f"a{sup(s)}", f"{g}(z{sup(s)})", vec(q("a")[t, :, 0], d))]
    return rows


def backward_rows(tr, lt, t: int, flow: str, L: str, d: str) -> list[tuple[str, str, str]]:
    s = t + 1
    b = D.backward_terms(tr, t, flow, lt.layer, lt.direction)
    nxt = t - 1 if lt.direction else t + 1           # the step the carried gradient comes from
    has_next = 0 <= nxt < tr.T
    top = lt.layer == tr.spec.layers - 1
    frm = f"ŷ{sup(s)}" if top else f"layer {lt.layer + 2}"
    rows = [(f"∂{L}/∂a{sup(s)}", f"from {frm} + from a{sup(nxt + 1)}" if has_next else f"from {frm}",
             vec(b["da"][:, 0], d)),
            (f"&nbsp;&nbsp;from {frm}", "", vec(b["direct"][:, 0], d)),
            (f"&nbsp;&nbsp;from a{sup(nxt + 1)}", "", vec(b["recurrent"][:, 0], d) if has_next else "0")]
    g = lt.grads if flow == "total" else lt.grads_last
    n = tr.n_a
    dz = g.dxproj[t, :, 0]
    if lt.cell.name == "lstm":
        dc = lt.grad("c", flow)[t, :, 0]
        f_next = lt.quantity("f")[nxt, :, 0] if has_next else None
        with np.errstate(invalid="ignore", over="ignore"):   # inf x 0 is NaN: a state to show
            carried = lt.grad("c", flow)[nxt, :, 0] * f_next if has_next else np.zeros(n)
        rows += [(f"∂{L}/∂c{sup(s)}", f"∂{L}/∂a{sup(s)} ⊙ Γo ⊙ (1 − tanh² c{sup(s)})"
                  + (f" + ∂{L}/∂c{sup(nxt + 1)} ⊙ Γf{sup(nxt + 1)}" if has_next else ""), vec(dc, d)),
                 (f"&nbsp;&nbsp;along the cell state", f"∂{L}/∂c{sup(nxt + 1)} ⊙ Γf{sup(nxt + 1)}",
                  vec(carried, d) if has_next else "0"),
                 ("dΓf (pre-activation)", "", vec(dz[n:2 * n], d)),
                 ("dΓu", "", vec(dz[:n], d)), ("dc̃", "", vec(dz[2 * n:3 * n], d)), ("dΓo", "", vec(dz[3 * n:], d))]
    elif lt.cell.name == "gru":
        rows += [("dΓr (pre-activation)", "", vec(dz[:n], d)), ("dz", "", vec(dz[n:2 * n], d)),
                 ("dc̃", "", vec(dz[2 * n:], d))]
    else:
        rows += [(f"dz{sup(s)}", f"∂{L}/∂a{sup(s)} ⊙ g′(z{sup(s)})", vec(dz, d))]
    w_ih, w_hh, bias = D.step_weight_names(tr, t, lt.layer, lt.direction)   # an encoder step: encoder.*
    rows += [(f"d{w_hh} +=", f"dz{sup(s)} a{sup(s - 1 if not lt.direction else s + 1)}<sup>T</sup>",
              f"‖·‖ = {num(b[w_hh], d)}"),
             (f"d{w_ih} +=", f"dz{sup(s)} (input){sup(s)}<sup>T</sup>", f"‖·‖ = {num(b[w_ih], d)}"),
             (f"d{bias} +=", f"dz{sup(s)}", f"‖·‖ = {num(b[bias], d)}")]
    return rows


def gain_line(lt, t: int, d: str, ready: bool = True) -> str:
    """The step's local gain (`ready` False: the trace's gains are still being computed)."""
    from rnnviz.core.trace import GAINS_PENDING
    return (f"<p class='m'>local gain ‖∂s{sup(t + 1)}/∂s{sup(t)}‖₂ of this layer's state "
            f"= {num(float(lt.local_gain[t, 0]), d) if ready else GAINS_PENDING}</p>")
