"""The built-in examples (resources/examples/examples.json, the window's example buttons) by the
names the command line gives them: the button's name in lower case, words joined by '-', a leading
'the' dropped ("hello-world", "sine-wave", "reverse-a-word", "notes"). Qt-free.

`settings(name)` is what the window's button sets (Config fields); the notes' example also brings
its weights and a⟨0⟩ (rnnviz.core.notes_example), as the button does.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

EXAMPLES_FILE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "examples.json"


def load_examples() -> list[dict]:
    """The examples as the file lists them; [] if it is missing or unreadable."""
    try:
        data = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
        return [e for e in data["examples"] if isinstance(e.get("source"), str) and isinstance(e.get("name"), str)]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def slug(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return words[4:] if words.startswith("the-") else words


def names() -> list[str]:
    return [slug(e["name"]) for e in load_examples()]


def find(name: str) -> dict:
    """The example called `name` (its slug or the button's name, any case); ValueError naming them all."""
    for e in load_examples():
        if slug(name) == slug(e["name"]):
            return e
    have = ", ".join(names()) or "none (resources/examples/examples.json is missing)"
    raise ValueError(f"no built-in example {name!r}; the examples are: {have}")


def settings(name: str) -> dict:
    """The Config fields the window's button for this example sets."""
    e = find(name)
    if e.get("kind") == "notes":
        from rnnviz.core.notes_example import NOTES_SOURCE

        return dict(source=NOTES_SOURCE, kind="notes", a0="given", example=0, loss="auto",
                    architecture="many-to-many", cell="rnn", layers=1, bidirectional=False, activation="tanh",
                    target="")
    out = dict(source=e["source"], kind=e.get("kind", "auto"), loss=e.get("loss", "auto"))
    if e.get("architecture") == "encoder-decoder":
        out.update(architecture="encoder-decoder", target=e.get("target", ""), bidirectional=False)
    return out


def params(name: str) -> dict | None:
    """The example's own weights (the notes' parameters_tmp), or None (random ones)."""
    if find(name).get("kind") == "notes":
        from rnnviz.core.notes_example import notes_params

        return notes_params()
    return None
