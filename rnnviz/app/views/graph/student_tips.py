"""The lines the student's overlay (student.Overlay) adds to a node's tooltip: theirs and ours at the
node's step, which units differ, each gate's units, the cache entries tagged on the node."""
from __future__ import annotations

import numpy as np

from rnnviz.app import numfmt

FEEDS = {"a": "a⟨t⟩", "c": "c⟨t⟩", "gates": "the gates Γf Γu c̃ Γo"}    # what a tagged cache entry feeds


def _values(v: np.ndarray, units: np.ndarray) -> str:
    return ", ".join(f"{numfmt.short(float(v[u]), 4)}" for u in units)


def _lines(name: str, o: np.ndarray, th: np.ndarray, differs: np.ndarray) -> list[str]:
    """ours / yours of one column (every unit when there are few, else the differing ones) and which differ."""
    n, bad = o.shape[0], np.flatnonzero(differs)
    if n <= 10:
        units = np.arange(n)
        lines = [f"  ours  [{_values(o, units)}]", f"  yours [{_values(th, units)}]"]
    else:
        lines = [f"  unit {u + 1}: ours {numfmt.short(float(o[u]), 4)}, yours {numfmt.short(float(th[u]), 4)}"
                 for u in bad[:6]]
    if bad.size:
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(th - o)
        worst = int(bad[np.nanargmax(diff[bad])]) if np.isfinite(diff[bad]).any() else int(bad[0])
        which = ", ".join(str(u + 1) for u in bad[:12]) + (", …" if bad.size > 12 else "")
        lines.append(f"{bad.size} of {n} differ (unit{'s' if bad.size > 1 else ''} {which}); the largest "
                     f"|yours − ours| = {numfmt.short(float(diff[worst]), 3)} at unit {worst + 1}")
    else:
        lines.append("yours is the same as ours at this step (to 1e-6)")
    return lines


def tooltip(ov, key: str, t: int, backward: bool) -> str:
    """The lines the node's tooltip gets: theirs and ours at this step, which units differ; the cache
    entries tagged on it."""
    if ov is None:
        return ""
    out = []
    part = ov.part(key, backward)
    if part is not None and 0 <= t < part.ours.shape[1]:
        if part.detail:                   # the gates: each gate's units
            out.append(f"the gates at step {t + 1} from your {part.function} ({ov.source}):")
            for label, (o, th, d) in part.detail.items():
                out.append(f"{label}⟨{t + 1}⟩" + ("" if d[:, t].any() else ": the same as ours"))
                if d[:, t].any():
                    out += _lines(label, o[:, t], th[:, t], d[:, t])
        else:
            out.append(f"{part.name}⟨{t + 1}⟩ from your {part.function} ({ov.source}):")
            out += _lines(part.name, part.ours[:, t], part.theirs[:, t], part.differs[:, t])
    for n in ov.notes_at(key, t, backward):
        if out:
            out.append("")
        out.append(f"caches[0][{t}] {n.name} in your {n.function} ({ov.source}) differs from ours; it has no "
                   f"node of its own and feeds {FEEDS.get(key, key)}:")
        out += _lines(n.name, n.ours[:, t], n.theirs[:, t], n.differs[:, t])
    return "\n".join(out)
