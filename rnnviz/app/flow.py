"""What flows back in BPTT, in words, for every view that follows Config.flow (graph, equations, the
BPTT panel, the Gradients tab): "total" is the total loss L = Σ L⟨t⟩, "last" the last step's loss L⟨T⟩.

No Qt and no math of its own: the facts come from rnnviz.core.diagnostics.
"""
from __future__ import annotations

from rnnviz.core import diagnostics as D

TOTAL, LAST = "total", "last"
FLOW_CHOICE = {TOTAL: "total loss L", LAST: "last step's loss L⟨T⟩"}


def loss_symbol(flow: str) -> str:
    """'L' or 'L⟨T⟩'."""
    return "L" if flow == TOTAL else "L⟨T⟩"


def grad_symbol(flow: str, wrt: str = "a⟨t⟩") -> str:
    """'∂L/∂a⟨t⟩' or '∂L⟨T⟩/∂a⟨t⟩'."""
    return f"∂{loss_symbol(flow)}/∂{wrt}"


def silent_note(trace, flow: str = LAST, short: bool = False) -> str:
    """Why the L⟨T⟩ views are empty when nothing flows back from the last step's loss ('' otherwise,
    or when `flow` is the total loss)."""
    if trace is None or flow != LAST or not D.last_loss_silent(trace):
        return ""
    T = trace.T
    zero = float(trace.loss[-1]) == 0.0
    if short:
        why = f"L⟨{T}⟩ = 0 exactly" if zero else f"∂L⟨{T}⟩/∂a⟨{T}⟩ = 0 exactly"
        return f"{why}: nothing flows back from it (choose flow L)"
    why = (f"L⟨{T}⟩ = 0 exactly (ŷ⟨{T}⟩ gives its target probability 1)" if zero
           else f"the gradient of L⟨{T}⟩ is exactly 0")
    text = (f"{why}, so nothing flows back from the last step's loss: ∂L⟨T⟩/∂a⟨t⟩ = 0 at every step. "
            f"Choose “{FLOW_CHOICE[TOTAL]}” under Flows back to see the gradient.")
    ref = D.reference_step(trace)
    if ref < T - 1:
        text += f" The verdict measures L⟨{ref + 1}⟩, the last step's loss that still sends a gradient."
    return text
