"""A lesson page's text: a little markup, and live numbers filled in through named placeholders.

Markup (kept small so that a teacher can write it in any editor):
  a blank line          a new paragraph
  "- " at a line start  a bullet
  **bold**, *italic*, `code`
  {name}, {name[step]}, {name:.3f}, {name[step]:.2e}   a live value (rnnviz.lessons.values.VALUES);
                        {{ and }} are literal braces
The notes' notation is written as it is printed: a⟨t⟩, ŷ⟨t⟩, L⟨t⟩, Waa, ∂L/∂a⟨t⟩, Σ, ρ, γ, σ_max.
"""
from __future__ import annotations

import html
import math
import re

import numpy as np

from .values import VALUES, Context, parse_index, read_value

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]{}]*)\])?(?::([^{}]*))?\}")
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(x: float, spec: str = "") -> str:
    """4 significant digits between 10⁻³ and 10⁵, else 3.2×10⁻⁹; ∞ and NaN as such."""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)) and not spec:
        return f"{int(x):,}".replace(",", " ") if abs(int(x)) >= 10_000 else str(int(x))
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if spec:
        return format(x, spec).replace("-", "−")
    if x == 0:
        return "0"
    if 1e3 <= abs(x) < 1e5:
        return f"{x:.0f}".replace("-", "−")
    if 1e-3 <= abs(x) < 1e3:
        return f"{x:.4g}".replace("-", "−")
    mant, exp = f"{x:.1e}".split("e")
    mant = mant[:-2] if mant.endswith(".0") else mant
    sup = str(int(exp)).translate(_SUP)
    return ("" if mant == "1" else mant.replace("-", "−") + "×") + "10" + sup


def format_value(v, spec: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return format_number(v, spec)


def placeholders(text: str) -> list[tuple[str, str | None, str]]:
    """(name, index or None, format spec) of every placeholder in the text."""
    body = text.replace("{{", "").replace("}}", "")
    return [(m.group(1), m.group(2), m.group(3) or "") for m in PLACEHOLDER.finditer(body)]


def check_placeholder(name: str, index: str | None, spec: str) -> str | None:
    """Why a placeholder can't be filled in (None: it can)."""
    if name not in VALUES:
        return f"no live value is called {{{name}}}"
    v = VALUES[name]
    if index is not None and not v.indexed:
        return f"{{{name}}} takes no step, but {{{name}[{index}]}} gives one"
    if index is not None and parse_index(index) is None:
        return f"{{{name}[{index}]}}: {index!r} is not a step (a number from 1, t, T, t-1, T-2, ...)"
    if spec:
        try:
            format(1.5, spec)
        except ValueError:
            return f"{{{name}:{spec}}}: {spec!r} is not a number format (.3f, .2e, .4g, ...)"
    return None


def stray_braces(text: str) -> str | None:
    """A brace that opens or closes no placeholder (a typo such as {loss or loss})."""
    rest = PLACEHOLDER.sub("", text.replace("{{", "").replace("}}", ""))
    for ch in "{}":
        if ch in rest:
            i = rest.index(ch)
            return f"a stray {ch!r} near {rest[max(0, i - 12):i + 12]!r} (write {ch * 2} for a brace)"
    return None


def fill(text: str, ctx: Context) -> str:
    """The text with every placeholder replaced by its value in ctx (plain text, no markup changes)."""
    def one(m):
        try:
            return format_value(read_value(ctx, m.group(1), m.group(2)), m.group(3) or "")
        except (KeyError, ValueError):
            return "—"
    out = []
    for part in re.split(r"(\{\{|\}\})", text):
        out.append({"{{": "{", "}}": "}"}.get(part) or PLACEHOLDER.sub(one, part))
    return "".join(out)


_LONG_WORD = re.compile(r"[^\s*`]{31,}")


def breakable(s: str) -> str:
    """Long unbroken runs (a URL, a typo'd row of x) given a zero-width break every 24 characters: a label
    can't wrap inside a word, and one such word widened the lesson column over the views."""
    return _LONG_WORD.sub(lambda m: "\u200b".join(m.group(0)[i:i + 24] for i in range(0, len(m.group(0)), 24)), s)


def _inline(s: str) -> str:
    s = html.escape(breakable(s), quote=False)
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", s)
    s = re.sub(r"(?<![*\w])\*([^*\s][^*]*)\*(?!\w)", r"<i>\1</i>", s)
    return s


def to_html(text: str, ctx: Context | None = None, value_style: str = "") -> str:
    """The page's text as rich text for a label, live values filled in (and styled with value_style)."""
    if ctx is not None:
        marker_open, marker_close = "\x01", "\x02"

        def mark(m):
            try:
                v = format_value(read_value(ctx, m.group(1), m.group(2)), m.group(3) or "")
            except (KeyError, ValueError):
                v = "—"
            return marker_open + v + marker_close
        parts = re.split(r"(\{\{|\}\})", text)
        text = "".join({"{{": "{", "}}": "}"}.get(p) or PLACEHOLDER.sub(mark, p) for p in parts)
    blocks, out = re.split(r"\n\s*\n", text.strip()), []
    for block in blocks:
        lines = [ln.strip() for ln in block.strip().splitlines()]
        if lines and all(ln.startswith("- ") for ln in lines):
            out.append("<ul>" + "".join(f"<li>{_inline(ln[2:])}</li>" for ln in lines) + "</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(lines))}</p>")
    body = "".join(out)
    return body.replace("\x01", f"<span style='{value_style}'>" if value_style else "<span>").replace("\x02", "</span>")


def to_inline_html(text: str, ctx: Context | None = None, value_style: str = "") -> str:
    """One paragraph's worth of rich text (a hint): the paragraphs joined by line breaks."""
    body = to_html(text, ctx, value_style)
    body = body.replace("</p><p>", "<br>").replace("<p>", "").replace("</p>", "")
    return body


def to_plain(text: str, ctx: Context | None = None) -> str:
    """The page's text without markup (tests, slides' alt text, the CLI)."""
    s = fill(text, ctx) if ctx is not None else text
    s = re.sub(r"\*\*([^*]+)\*\*", r"\1", s)
    s = re.sub(r"`([^`]+)`", r"\1", s)
    return re.sub(r"(?<![*\w])\*([^*\s][^*]*)\*(?!\w)", r"\1", s)
