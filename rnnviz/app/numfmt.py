"""How every view writes a number (no Qt): one short form, and shorter ones for a box that is narrow.

    short(0.13812)   -> '0.138'      short(7.1e-4) -> '7.1e-4'     short(2519.6) -> '2520'
    short(-3.2e27)   -> '−3.2e27'    short(inf)    -> '∞'          short(nan)    -> 'NaN'
    forms(0.13812)   -> ['0.138', '0.14', '0.1']      (most precise first)
    fit(7.1e-4, lambda s: len(s) <= 4) -> '7e-4'

Plain decimals from 0.01 to 10⁴, powers of ten outside (no '+' and no leading zeros in the exponent),
the minus sign U+2212. A box that cannot hold even the shortest form gets None from `fit`, so the
caller leaves it empty (its tooltip has the value) instead of drawing a clipped, misleading number.
"""
from __future__ import annotations

import math
from typing import Callable

MINUS = "−"
PLAIN_LO, PLAIN_HI = 1e-2, 1e4   # plain decimals inside, powers of ten outside


def _nonfinite(v: float) -> str:
    return "NaN" if math.isnan(v) else ("∞" if v > 0 else MINUS + "∞")


def _plain(v: float, sig: int) -> str:
    """v with `sig` significant digits as a plain decimal (trailing zeros dropped)."""
    e = math.floor(math.log10(abs(v)))
    decimals = max(sig - 1 - e, 0)
    s = f"{abs(v):.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _sci(v: float, sig: int) -> str:
    """v as m·10^e written 'me e' with `sig` significant digits: 7.1e-4, 3e27."""
    m, e = f"{abs(v):.{max(sig - 1, 0)}e}".split("e")
    if "." in m:
        m = m.rstrip("0").rstrip(".")
    return f"{m}e{int(e)}"


def forms(v: float, sig: int = 3) -> list[str]:
    """Ways to write v, most precise first, each shorter than or as long as the one before."""
    v = float(v)
    if not math.isfinite(v):
        return [_nonfinite(v)]
    if v == 0:
        return ["0"]
    sign = MINUS if v < 0 else ""
    plain = PLAIN_LO <= abs(v) < PLAIN_HI
    out: list[str] = []
    for s in range(max(sig, 1), 0, -1):
        text = _plain(v, s) if plain else _sci(v, s)
        # rounding can reach the next decade (9.99 -> 10): the plain form stays right, only longer
        text = sign + text
        if text not in out and (not out or len(text) <= len(out[-1])):
            out.append(text)
    if plain and abs(v) >= 100:      # 2520 -> 2.5e3, 3e3: shorter than the plain digits
        for s in (2, 1):
            text = sign + _sci(v, s)
            if len(text) < len(out[-1]):
                out.append(text)
    return out


def short(v: float, sig: int = 3) -> str:
    """The usual way to write v (sig significant digits)."""
    return forms(v, sig)[0]


def fit(v: float, fits: Callable[[str], bool], sig: int = 3, prefix: str = "") -> str | None:
    """The most precise form of v (with `prefix` if there is room, else without) for which fits(text)
    is true; None when none fits."""
    options = forms(v, sig)
    for p in ([prefix, ""] if prefix else [""]):
        for text in options:
            if fits(p + text):
                return p + text
    return None


def short_pow10(x: float, sig: int = 3) -> str:
    """10**x written like short(), also where 10**x itself would overflow (x > 308: a log range's top)."""
    if not math.isfinite(x):
        return _nonfinite(x)
    if -300 < x < 308:
        return short(10.0 ** x, sig)
    e = math.floor(x)
    m = 10.0 ** (x - e)
    text = _sci(m, sig)
    mant, e2 = text.split("e")
    return f"{mant}e{int(e2) + e}"
