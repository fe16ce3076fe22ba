"""Numbers and vectors for the equation panels: one place that writes them (via rnnviz.app.numfmt)."""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from rnnviz.app import numfmt

FULL = 8      # vectors up to this size are shown whole
LEAD = 5      # leading entries shown for longer ones
SIG = 4       # significant digits of a number
# shorter forms for a panel too short for the page (presenting at 1280 x 720): (leading entries, digits)
COMPACT = ((3, 3), (2, 3))
_form = {"lead": LEAD, "sig": SIG}


@contextmanager
def compact(lead: int, sig: int):
    """Numbers and vectors written shorter while the block runs: `lead` leading entries of a long vector,
    `sig` significant digits (an equation page that would not fit its panel otherwise)."""
    old = dict(_form)
    _form.update(lead=lead, sig=sig)
    try:
        yield
    finally:
        _form.update(old)


def num(v: float, danger: str) -> str:
    text = numfmt.short(v, _form["sig"])
    return text if math.isfinite(v) else f'<b style="color:{danger}">{text}</b>'


def norm(v: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.linalg.norm(np.asarray(v, dtype=float)))


def vec(v: np.ndarray, danger: str) -> str:
    """[0.12, −0.5, …] whole for short vectors; ‖v‖ and the leading entries for long ones."""
    v = np.asarray(v, dtype=float).ravel()
    if v.size <= FULL:
        return "[" + ", ".join(num(x, danger) for x in v) + "]"
    k = _form["lead"]
    lead = ", ".join(num(x, danger) for x in v[:k])
    return f"‖·‖ = {num(norm(v), danger)} &nbsp; [{lead}, … {v.size - k} more]"


# DejaVu Sans (many Linux desktops' default) draws the combining tilde of c̃ under the c: in rich text
# c̃ is written in a face that places it above (Helvetica-like ones first, so it matches the text)
TILDE_FACES = "'Nimbus Sans', 'Liberation Sans', Arial, Helvetica, 'DejaVu Serif'"
TILDE_FAMILIES = ("Nimbus Sans", "Liberation Sans", "Arial", "Helvetica")


def rich(text: str) -> str:
    """Rich text (already escaped) with c̃ in a face that draws it right."""
    return text.replace("c\u0303", f'<span style="font-family:{TILDE_FACES}">c\u0303</span>')


def sup(t: int) -> str:
    return f"⟨{t}⟩"


def rows_table(rows) -> str:
    """(lhs, formula, value) rows as an HTML table: lhs = formula on one line, the numbers on the next,
    so a narrow panel never squeezes them; an lhs ending in += is an accumulated gradient."""
    out = []
    for lhs, rhs, val in rows:
        op = "+=" if lhs.endswith("+=") else "="
        name = f'<td><i>{lhs.removesuffix("+=")}</i></td><td>{op}</td>'
        if rhs:
            out.append(f'<tr>{name}<td>{rhs}</td></tr><tr><td></td><td>=</td><td class="n">{val}</td></tr>')
        else:
            out.append(f'<tr>{name}<td class="n">{val}</td></tr>')
    return rich("<table>" + "".join(out) + "</table>")
