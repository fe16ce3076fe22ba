"""Small helpers shared by the BPTT views (gradient, influence, compare, panel): labels and cursor maths.

No numerics beyond picking values: everything shown comes from the Trace or rnnviz.core.diagnostics.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy

SHRINK_AFTER_MS = 1500     # a steady label gives back room its text no longer needs after this long

from rnnviz.app.colors import palette
from rnnviz.app.theme import no_si_prefix, point_size

# the verdict's kind is told by a sign and its word, never by a colour: the plots colour their curves
# (blue is the total-loss gradient, and in Compare the first setting), and a blue "vanishing" next to
# them would read as "the blue curve vanishes"
VERDICT_SIGNS = {"vanishing": "↘", "exploding": "↗", "stable": "→"}


def esc(text: str) -> str:
    """Text with a<t> in it, safe for pyqtgraph's HTML labels."""
    return html.escape(text, quote=False)


def positive_or_nan(values: np.ndarray) -> np.ndarray:
    """What a log axis can draw: finite positive values, NaN elsewhere (gaps in the curve)."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def log10_limits(*arrays: np.ndarray, pad: float = 0.4, min_decades: float = 1.0) -> tuple[float, float]:
    """(lo, hi) in decades around the finite positive values of the arrays, for setYRange in log mode."""
    vals = np.concatenate([positive_or_nan(a).ravel() for a in arrays]) if arrays else np.array([])
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return (-1.0, 1.0)
    lo, hi = float(np.log10(vals.min())), float(np.log10(vals.max()))
    if hi - lo < min_decades:
        mid = 0.5 * (lo + hi)
        lo, hi = mid - min_decades / 2, mid + min_decades / 2
    return lo - pad, hi + pad


def cursor_x(state) -> float:
    """The cursor's step, 1-based and fractional while playing (forward t, then backward T..1)."""
    T = state.T
    p = state.progress
    return p + 1.0 if p < T else 2 * T - p


class SteadyLabel(QLabel):
    """A word-wrapped label whose height doesn't jump as its text changes: it grows at once, and gives
    back room only once its text has needed less for SHRINK_AFTER_MS. While a training run pushes new
    weights, the verdict's text changes twice a second ("computing local gains…", then the numbers),
    and the plots under it moved up and down by a line each time (and were relaid out)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._held, self._held_width = 0, -1     # the height kept at that width
        self._shrink = QTimer(self)
        self._shrink.setSingleShot(True)
        self._shrink.setInterval(SHRINK_AFTER_MS)
        self._shrink.timeout.connect(self._release)

    def setText(self, text: str) -> None:
        super().setText(text)
        w = self.width()
        need = super().heightForWidth(w) if w > 0 else 0
        if w != self._held_width or need >= self._held:
            self._shrink.stop()
            self._held, self._held_width = need, w
        else:
            self._shrink.start()

    def _release(self) -> None:
        self._held = 0
        self.updateGeometry()

    def heightForWidth(self, w: int) -> int:
        need = super().heightForWidth(w)
        return max(need, self._held) if w == self._held_width else need

    def minimumSizeHint(self) -> QSize:
        """As tall as the text needs at the width the label has (QLabel's own answer is for its narrowest
        width: five lines where two are shown, which made a tab under the graph claim ~80 px it never
        used, the graph's room in presentation mode)."""
        hint = super().minimumSizeHint()
        if self.wordWrap() and self.width() > 0:
            return QSize(hint.width(), max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()   # another width, another height the text needs


def verdict_label() -> QLabel:
    lab = SteadyLabel()
    lab.setWordWrap(True)
    lab.setTextFormat(lab.textFormat().RichText)
    lab.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)   # at least minimumSizeHint
    lab.setObjectName("verdict")
    lab.setContentsMargins(6, 2, 8, 4)     # off the figure's edges (an exported GIF ends where the label does)
    return lab


def verdict_text(verdict) -> str:
    """'↘ vanishing: the gradient from step 10 is …': the kind as a sign and a word."""
    head = verdict.headline if verdict.headline.startswith(verdict.kind) else f"{verdict.kind}: {verdict.headline}"
    return f"{VERDICT_SIGNS.get(verdict.kind, '•')} {head}"


def verdict_html(verdict, options, with_reason: bool = True, prefix: str = "", colour: str | None = None,
                 with_rule: bool = False) -> str:
    """The verdict as rich text: the headline (in `colour`, e.g. its curve's colour in Compare, else
    the text colour), the reason below, and (with_rule) the rule that decides the kind."""
    p = palette(options.theme)
    colour = colour or p.foreground
    pt = point_size(options, 1.1)
    out = (f"<span style='font-size:{pt}pt; font-weight:bold; color:{colour}'>"
           f"{esc(prefix)}{esc(verdict_text(verdict))}</span>")
    if with_reason and verdict.reasons:
        out += (f"<br><span style='font-size:{point_size(options)}pt; color:{p.foreground}'>"
                f"Why: {esc(verdict.reason)}.</span>")
    elif getattr(verdict, "gains_pending", False):   # the reasons quote the local gains: still to come
        from rnnviz.core.trace import GAINS_PENDING
        out += f"<br><span style='font-size:{point_size(options)}pt; color:{p.muted}'>{esc(GAINS_PENDING)}</span>"
    if with_rule and getattr(verdict, "rule", ""):
        out += (f"<br><span style='font-size:{point_size(options, 0.9)}pt; color:{p.muted}'>"
                f"Rule: {esc(verdict.rule)}.</span>")
    return out


def clip_html(clip, options) -> str:
    """'clipping (norm ≤ θ=5): ‖g‖ 12.3 → 5' as a line of rich text ('' when clipping is off)."""
    if clip is None or clip.mode == "none":
        return ""
    p = palette(options.theme)
    what = f"norm ‖g‖ ≤ θ = {clip.threshold:g}" if clip.mode == "norm" else f"element-wise to ±{clip.threshold:g}"
    state = "clipped" if clip.clipped else "unchanged"
    colour = p.backward if clip.clipped else p.muted
    return (f"<br><span style='font-size:{point_size(options)}pt; color:{colour}'>"
            f"Clipping ({esc(what)}): global ‖g‖ {clip.norm_before:.4g} → {clip.norm_after:.4g} ({state})</span>")


def log_ticks(lo: float, hi: float, max_major: int = 6) -> list[list[tuple[float, str]]]:
    """Tick positions (in log10 units) and labels for a log axis spanning lo..hi decades, without the
    crowded unlabeled minor ticks pyqtgraph shows on short ranges: every k-th decade, plus 2 and 5
    when the range is under two decades."""
    d0, d1 = int(np.ceil(lo)), int(np.floor(hi))
    step = max(1, int(np.ceil((d1 - d0 + 1) / max_major)))
    first = int(np.ceil(d0 / step)) * step      # multiples of the stride, so 1 = 10^0 is labelled
    major = [(float(d), decade_text(d)) for d in range(first, d1 + 1, step)]
    minor = []
    if hi - lo < 2.0:
        for d in range(int(np.floor(lo)), d1 + 1):
            for f in (2.0, 5.0):
                v = d + np.log10(f)
                if lo <= v <= hi:
                    minor.append((float(v), f"{f * 10.0 ** d:g}"))
    return [major, minor]


def decade_text(d: int) -> str:
    """10^d for a tick label: 1, 10, 0.1 near 1, else 10⁻⁵ with superscripts."""
    if -1 <= d <= 2:
        return f"{10.0 ** d:g}"
    return "10" + str(d).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def setup_log_plot(plot) -> None:
    """A pyqtgraph PlotItem with a log10 y axis, a light grid and no pyqtgraph menus or buttons."""
    plot.setLogMode(False, True)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    no_si_prefix(plot.getAxis("left"))
