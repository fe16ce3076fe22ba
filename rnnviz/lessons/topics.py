"""The verdict's reasons by topic, so that each reason can link to the lesson page that explains it.

rnnviz.core.diagnostics writes each reason as a sentence with its measured numbers; topic_of() names
the idea behind it. A lesson page declares the topics it explains ("explains": ["pascanu_bound"]),
and the window links a reason to the first built-in page that explains its topic.
"""
from __future__ import annotations

import re

TOPICS = {
    "pascanu_bound": "γ·σ_max(Waa) < 1: Pascanu's bound shrinks every step",
    "radius_below_one": "ρ(Waa) < 1: repeated products of Waa shrink",
    "radius_above_one": "ρ(Waa) > 1: the leading direction grows every step",
    "saturation": "g′(z) small: tanh saturates and passes little gradient",
    "dead_relu": "dead ReLU units pass no gradient",
    "relu_unbounded": "ReLU does not saturate: nothing stops the growth",
    "step_gain": "the step Jacobians ‖∂a⟨t⟩/∂a⟨t−1⟩‖₂, multiplied step after step",
    "overflow": "inf/NaN: the numbers left the float range",
    "forget_gates": "the forget gates' product along the cell state",
    "cell_state_path": "the cell state carries the gradient past W_hh",
    "clipping": "gradient clipping: norm against element-wise",
}

_RULES = (
    (r"^γ·σ_max\(Waa\) = .* < 1", "pascanu_bound"),
    (r"^ρ\(Waa\) = [^,]* < 1/γ", "radius_below_one"),
    (r"^ρ\(Waa\) = .* ≥ 1, but g′", "saturation"),
    (r"^ρ\(Waa\) = .* > 1/γ", "radius_above_one"),
    (r"^ρ\(Waa\) = .*, γ·σ_max = ", "radius_above_one"),
    (r"^ρ\(Waa\) = .* with g′\(z\) averaging", "step_gain"),
    (r"^ReLU: .* dead", "dead_relu"),
    (r"^ReLU (does not saturate|is unbounded)", "relu_unbounded"),
    (r"^tanh saturation", "saturation"),
    (r"^the step Jacobians", "step_gain"),
    (r"overflowed to inf/NaN", "overflow"),
    (r"^(Γf|z) \(", "forget_gates"),
    (r"forgets: no unit keeps its past", "forget_gates"),
    (r"carries the gradient past", "cell_state_path"),
)


def topic_of(reason: str) -> str | None:
    """The topic of one of the verdict's reasons (None: not one rnnviz knows)."""
    for pattern, topic in _RULES:
        if re.search(pattern, reason):
            return topic
    return None


def explaining_pages(lessons) -> dict[str, tuple]:
    """topic -> (lesson, page index) of the first page that explains it, over `lessons` in order."""
    out = {}
    for lesson in lessons:
        for i, page in enumerate(lesson.pages):
            for topic in page.explains:
                out.setdefault(topic, (lesson, i))
    return out
