"""What flows back (Flows back: L or L⟨T⟩ in the BPTT panel) drives every view, and every part an
equation shows adds up to its total. Driven as a user: typing, clicking the combo boxes, keys.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from rnnviz.app import numfmt
from rnnviz.app.views.graph import overlay as graph_overlay
from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.app.views.gradient_view import GradientView
from rnnviz.core import diagnostics as D
from tests.app.drive import (bptt_controls, choose, go_backward, open_window, press, side, tab, type_number,
                             type_sequence)

EXPLODING = "quick brown fox jumps over the lazy dog and keeps on running away"   # 65 characters


def numbers(text: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"−?\d+(?:\.\d+)?(?:e−?\d+)?", text)]


def equations(view) -> dict[str, tuple[str, str]]:
    """name -> (formula, value) as the Equations panel's table shows them (read from its document)."""
    from PySide6.QtGui import QTextCursor, QTextTable

    out, last = {}, None
    for frame in view.browser.document().rootFrame().childFrames():
        if not isinstance(frame, QTextTable):
            continue
        for r in range(frame.rows()):
            cells = []
            for c in range(frame.columns()):
                cell = frame.cellAt(r, c)
                cur = cell.firstCursorPosition()
                cur.setPosition(cell.lastCursorPosition().position(), QTextCursor.MoveMode.KeepAnchor)
                cells.append(cur.selectedText().strip())
            name, op, rest = (cells + ["", "", ""])[:3]
            if name:
                last = name
                out[name] = (rest, rest)
            elif last is not None:
                out[last] = (out[last][0], rest)   # the numbers' line under the formula
    return out


def values_of(view, name: str) -> tuple[float, list[float]]:
    """(norm, leading entries) shown for the vector `name` in the equations."""
    value = equations(view)[name][1]
    m = re.search(r"‖·‖ = (\S+)\s+\[(.*?)(?:, …|\])", value, re.S)
    assert m, value
    return numbers(m.group(1))[0], numbers(m.group(2))


def graph_text(w, kind: str, t: int) -> str:
    """The text the graph draws in node `kind` ('grad': the gradient in a⟨t⟩) at 0-based step t."""
    item = w.graph.item
    item.drawn = []
    w.graph.canvas.viewport().grab()
    drawn = [text for k, s, _, text, _ in item.drawn if (k, s) == (kind, t)]
    item.drawn = None
    assert drawn, f"nothing drawn for {kind} at step {t + 1}"
    return drawn[-1]


def graph_subtitle(w) -> str:
    return graph_overlay.subtitle(w.graph.item)


@pytest.fixture
def window(qtbot):
    return open_window(qtbot)


def test_every_view_follows_the_flow_chosen_in_the_bptt_panel(window, qtbot):
    w, st = window, window.state
    ctl = bptt_controls(w)
    for flow, loss in (("last", "L⟨T⟩"), ("total", "L")):
        choose(qtbot, ctl.flow, flow)
        assert st.config.flow == flow
        go_backward(qtbot, w, 8)
        tr = st.trace
        side(w, "Equations")
        text = w.equations.text()
        want = tr.da_last_norm[7] if flow == "last" else tr.da_norm[7]
        norm, lead = values_of(w.equations, f"∂{loss}/∂a⟨8⟩")
        assert norm == pytest.approx(want, rel=1e-3)              # 0.0981 for L⟨T⟩, 1.037 for L
        # the graph writes the same gradient in a⟨8⟩ (and says which one it is)
        shown = graph_text(w, "grad", 7)
        assert numbers(shown.split("=")[-1])[0] == pytest.approx(want, rel=0.05)
        assert f"∂{loss}/∂a⟨t⟩" in w.graph.status_message() + graph_subtitle(w)
        # L⟨T⟩ does not depend on ŷ⟨8⟩: no "from ŷ⟨8⟩" term for it
        direct = equations(w.equations)["from ŷ⟨8⟩"][1]
        if flow == "last":
            assert "does not depend on ŷ⟨8⟩" in direct and "‖·‖" not in direct
        else:
            assert "‖·‖" in direct
        # the BPTT panel sums the same loss's gradient, the Gradients tab draws its curve thicker
        side(w, "Backprop through time")      # (a panel tabbed behind the equations redraws when shown)
        panel = w.findChild(BPTTPanel)
        sums = D.PartialGrads(tr, flow).at(7)
        assert panel.norms["Waa"] == pytest.approx(D.frobenius(sums["Waa"]))
        sym = "L<T>" if flow == "last" else "L"
        assert f"‖∂{sym}/∂Waa‖" in panel.text
        grad = w.findChild(GradientView)
        tab(w, grad)                          # (a hidden tab redraws when it is shown)
        thick = "da_last" if flow == "last" else "da"
        thin = "da" if flow == "last" else "da_last"
        assert grad.curves[thick].opts["pen"].widthF() > grad.curves[thin].opts["pen"].widthF()
    # at step T the equations' contribution to dWaa is what the panel has summed so far
    for flow, loss in (("last", "L⟨T⟩"), ("total", "L")):
        choose(qtbot, bptt_controls(w).flow, flow)
        go_backward(qtbot, w, st.T)
        side(w, "Equations")
        block = equations(w.equations)["dWaa"][1]
        side(w, "Backprop through time")
        panel = w.findChild(BPTTPanel)
        assert numbers(block.split("‖·‖ =")[1])[0] == pytest.approx(panel.norms["Waa"], rel=1e-3)


def test_equation_parts_add_up_to_their_total(window, qtbot):
    w, st = window, window.state
    go_backward(qtbot, w, 9)                    # "hello world", backward at step 9: from a⟨10⟩ exists
    side(w, "Equations")
    text = w.equations.text()
    tr = st.trace
    total, t_lead = values_of(w.equations, "∂L/∂a⟨9⟩")
    d_norm, d_lead = values_of(w.equations, "from ŷ⟨9⟩")
    r_norm, r_lead = values_of(w.equations, "from a⟨10⟩")
    Waa = tr.params["Waa"]
    term = Waa.T @ tr.dz[:, 0, 9]
    assert r_norm == pytest.approx(np.linalg.norm(term), rel=1e-3)      # 0.4767, not ‖dz⟨10⟩‖
    assert r_norm != pytest.approx(np.linalg.norm(tr.dz[:, 0, 9]), rel=1e-3)
    assert total == pytest.approx(np.linalg.norm(tr.da[:, 0, 8]), rel=1e-3)
    # the entries shown add up, entry by entry, to the total's (to the digits shown)
    for a, b, c in zip(d_lead, r_lead, t_lead):
        assert a + b == pytest.approx(c, abs=2e-3 * max(abs(c), 1e-3) + 1e-4)


def test_a_loss_line_adds_up_where_the_probability_underflows(window, qtbot):
    """ReLU, ρ = 2.5: p(target) underflows to 0 while L⟨t⟩ = 2602 comes from the logits; the line must
    not read '−log 0 = 2602'."""
    w, st = window, window.state
    type_sequence(qtbot, w, EXPLODING)
    choose(qtbot, w.model_panel.activation, "relu")
    type_number(qtbot, w.model_panel.radius_spin, "2.5")
    qtbot.waitUntil(lambda: st.config.radius == 2.5 and st.trace.activation == "relu", timeout=5000)
    side(w, "Equations")
    press(qtbot, w, "Home")
    bad = 0
    for t in range(st.T):
        assert (st.phase, st.t) == ("forward", t)
        value = equations(w.equations)[f"L⟨{t + 1}⟩"][1]
        L = float(st.trace.loss[t])
        p = float(st.trace.y_hat[int(st.trace.seq.target_index[0, t]), 0, t])
        assert value.startswith("−log") and numfmt.short(L, 4) in value
        if "−log 0 =" in value:
            assert not np.isfinite(L), value            # −log 0 is ∞, nothing else
        if p == 0 and np.isfinite(L):
            bad += 1
            assert f"−log e−{numfmt.short(L, 4)} = {numfmt.short(L, 4)}" in value, value
        press(qtbot, w, "Right")
    assert bad > 0      # the case happens in this trace


def test_exploding_demo_says_why_the_last_loss_views_are_empty(window, qtbot):
    w, st = window, window.state
    type_sequence(qtbot, w, EXPLODING)
    choose(qtbot, w.model_panel.activation, "relu")
    type_number(qtbot, w.model_panel.radius_spin, "2.5")
    qtbot.waitUntil(lambda: st.config.radius == 2.5 and st.trace.activation == "relu", timeout=5000)
    tr = st.trace
    assert tr.loss[-1] == 0 and not np.any(tr.da_last)           # the saturated softmax of the issue
    choose(qtbot, bptt_controls(w).flow, "last")
    go_backward(qtbot, w, 30)
    why = f"L⟨{st.T}⟩ = 0 exactly"
    # the graph, where the gradients would be
    assert why in w.graph.status_message() and "nothing flows back" in w.graph.status_message()
    # the BPTT panel, under its all-zero sums
    side(w, "Backprop through time")
    panel = w.findChild(BPTTPanel)
    assert panel.norms["Waa"] == 0 and why in panel.text and "total loss L" in panel.text
    # the Gradients tab, where the L⟨T⟩ curve would be, and under the plot
    grad = w.findChild(GradientView)
    tab(w, grad)
    assert why in grad.silent_text.toPlainText() and grad.silent_text.isVisible()
    assert why in grad.verdict_label.text()
    # the equations
    side(w, "Equations")
    assert why in w.equations.text()
    # flowing L instead: something flows back, and no note
    choose(qtbot, bptt_controls(w).flow, "total")
    assert why not in w.graph.status_message() and why not in panel.text
    side(w, "Equations")
    assert why not in w.equations.text()
