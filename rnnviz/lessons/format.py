"""Lesson files: reading, checking, and what each page sets up (Qt-free).

A lesson is a JSON (or TOML) document, format version FORMAT_VERSION, documented in
docs/lessons.md. check_lesson() refuses a lesson that names a setting, tab, panel, highlight,
control, placeholder or condition the app lacks, or whose settings can't run, with the page and the
reason (LessonError); the window checks the built-in lessons at start and a user's file on opening.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from .conditions import Condition, ConditionError, parse_condition
from .text import check_placeholder, placeholders, stray_braces

FORMAT_VERSION = 1
MAX_BYTES = 1 << 20
# a page is a short text beside the views: longer ones are refused (a 1 MB text took the window 7 s to lay
# out, and 20,000 pages 25 s to check); the built-in lessons' longest text is 700 characters
MAX_PAGES = 200
MAX_CHARS = {"title": 160, "summary": 600, "text": 5000, "hint": 1000, "id": 80, "name": 80}
LESSONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "lessons"

# what a page may name; the window says which of them it has (Capabilities)
# a tab by the start of its title (the hidden states' tab became "Heatmaps" when it grew to c⟨t⟩ and the gates)
TABS = {"hidden": ("Hidden states", "Heatmaps"), "outputs": ("Outputs",), "losses": ("Losses",),
        "gradients": ("Gradients",), "influence": ("Influence",), "compare": ("Compare",)}
PANELS = {"equations": "Equations", "bptt": "Backprop through time", "cell": "Cell", "train": "Training"}
HIGHLIGHTS = ("graph", "tabs", "equations", "bptt", "verdict", "model", "sequence", "playback", "controls", "cell", "train")
CONTROLS = ("radius", "activation", "clip", "flow", "cell", "forget_bias", "train")
PHASES = ("forward", "backward")
LESSON_KEYS = {"format", "name", "title", "summary", "setup", "pages"}
PAGE_KEYS = {"id", "title", "text", "setup", "wait", "hint", "explains"}
SETUP_KEYS = {"config", "compare", "step", "phase", "tab", "panel", "highlight", "hover", "controls", "train",
              "weights"}
# the Train panel's choices a page may make (setup "train")
TRAIN_KEYS = {"task": ("text", "file", "names", "adding", "copy"), "length": (2, 1000), "batch": (1, 1024),
              "compare": ("", "rnn", "gru", "lstm"), "optimizer": ("sgd", "momentum", "adagrad", "adam"),
              "lr": (1e-6, 10.0), "clip_mode": ("none", "norm", "value"), "clip_threshold": (1e-6, 1e6),
              "reset": (False, True)}


def tab_key(title: str) -> str | None:
    """The lesson's name of a tab from its title ("Heatmaps" -> "hidden")."""
    return next((k for k, starts in TABS.items() if title.startswith(starts)), None)


class LessonError(ValueError):
    """A lesson that can't be used: the message names the file, the page and the reason."""


@dataclass(frozen=True)
class Capabilities:
    """What the app has that a lesson may name: by default the whole app; the window says what it has."""
    tabs: frozenset = frozenset(TABS)
    panels: frozenset = frozenset(PANELS)
    highlights: frozenset = frozenset(HIGHLIGHTS)
    controls: frozenset = frozenset(CONTROLS)


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    id: str = ""
    config: dict = field(default_factory=dict)   # the settings this page changes
    compare: object = ...                         # ...: unchanged; None: off; dict: the compared settings
    step: object = None                           # 1-based step, "T", or None (unchanged)
    phase: str | None = None
    tab: str | None = None
    panel: str | None = None
    highlight: tuple = ()
    hover: int | None = None
    controls: tuple = ()
    wait: Condition | None = None                 # None: Next
    hint: str = ""
    explains: tuple = ()
    train: dict | None = None                     # the Train panel's choices (TRAIN_KEYS)
    weights: object = ...                         # ...: unchanged; None: seeded weights; Path: an .npz to show


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    summary: str
    pages: tuple
    base: dict = field(default_factory=dict)      # settings before page 1 (the lesson's "setup.config")
    path: Path | None = None

    def config_at(self, k: int, start=None):
        """The settings page k (0-based) runs, reached from page 1: every change up to it on `start`."""
        from rnnviz.core.settings import Config
        c = start if start is not None else Config()
        changes = dict(self.base)
        for p in self.pages[:k + 1]:
            changes.update(p.config)
        return replace(c, **changes)

    def train_at(self, k: int) -> dict | None:
        """The training choices up to page k, merged (None: no page chose any)."""
        out = None
        for p in self.pages[:k + 1]:
            if p.train is not None:
                out = {**(out or {}), **p.train}
        return out

    def weights_at(self, k: int):
        """(j, path) of the weights file page j chose, the last choice up to page k; None: seeded weights."""
        for j in range(min(k, len(self.pages) - 1), -1, -1):
            w = self.pages[j].weights
            if w is not ...:
                return None if w is None else (j, w)
        return None

    def weights_radius(self, j: int, k: int) -> bool:
        """Whether a page from j (which loaded the weights) to k sets ρ: the weights are rescaled to it."""
        return any("radius" in p.config for p in self.pages[j:k + 1])

    def model_settings(self, k: int) -> dict:
        """The settings of the model itself (cell, layers, ...) that the lesson names up to page k."""
        from .weights import MODEL_KEYS
        changes = dict(self.base)
        for p in self.pages[:k + 1]:
            changes.update(p.config)
        return {key: changes[key] for key in MODEL_KEYS if key in changes}

    def compare_at(self, k: int):
        """Compare mode as the pages up to k left it: a dict, None (off), or ... (no page chose)."""
        for p in reversed(self.pages[:k + 1]):
            if p.compare is not ...:
                return p.compare
        return ...

    def page_of(self, page_id: str) -> int | None:
        for i, p in enumerate(self.pages):
            if p.id == page_id:
                return i
        return None


# ----------------------------------------------------------------------------- reading
def read_document(path: str | Path) -> dict:
    """The file's document (JSON, or TOML by its suffix); LessonError naming the file otherwise."""
    from rnnviz.io.zipread import check_regular_file
    p = Path(path)
    try:
        check_regular_file(p, "a lesson file")
        if p.stat().st_size > MAX_BYTES:
            raise LessonError(f"{p.name} is {p.stat().st_size / 2**20:.1f} MB; a lesson file is at most 1 MB of text")
        raw = p.read_bytes().decode("utf-8")
        if not raw.strip():
            raise LessonError(f"{p.name} is empty: a lesson file holds a lesson's format, title and pages "
                              "(see docs/lessons.md)")
    except UnicodeDecodeError:
        raise LessonError(f"{p.name} is not UTF-8 text") from None
    except LessonError:
        raise
    except ValueError as e:
        raise LessonError(str(e)) from None
    except OSError as e:                 # unreadable: "[Errno 13] Permission denied: '/the/whole/path'"
        raise LessonError(f"{p.name} can't be read: {e.strerror or e}") from None
    try:
        if p.suffix.lower() == ".toml":
            import tomllib
            return tomllib.loads(raw)
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise LessonError(f"{p.name}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except ImportError:
        raise LessonError(f"{p.name}: TOML lessons need Python 3.11 or later; write the lesson as JSON") from None
    except ValueError as e:     # tomllib.TOMLDecodeError
        raise LessonError(f"{p.name}: not valid TOML: {e}") from None


def load_lesson(path: str | Path, caps: Capabilities | None = None) -> Lesson:
    p = Path(path)
    return check_lesson(read_document(p), p.name, caps, name=p.stem, path=p)


def builtin_paths() -> list[Path]:
    return sorted(LESSONS_DIR.glob("*.json")) if LESSONS_DIR.is_dir() else []


def builtin_lessons(caps: Capabilities | None = None) -> list[Lesson]:
    """The lessons shipped in resources/lessons/, in file-name order; LessonError if one is bad."""
    return [load_lesson(p, caps) for p in builtin_paths()]


def find_lesson(name: str, caps: Capabilities | None = None) -> Lesson:
    """A built-in lesson by its name (file stem, with or without its number) or a lesson file's path."""
    for p in builtin_paths():
        stem = p.stem
        if name in (stem, stem.split("-", 1)[-1], p.name):
            return load_lesson(p, caps)
    p = Path(name)
    if name.strip() and (p.suffix.lower() in (".json", ".toml") or p.exists()):   # "" is no path (not ".")
        return load_lesson(p, caps)
    names = ", ".join(q.stem for q in builtin_paths())
    raise LessonError(f"no lesson called {name!r}; the built-in lessons are {names}, or give a lesson file's path")


# ----------------------------------------------------------------------------- checking
def _fail(where: str, msg: str):
    raise LessonError(f"{where}: {msg}")


def _settings(d, where: str) -> dict:
    from rnnviz.core.settings import Config
    types = Config.field_types()
    if not isinstance(d, dict):
        _fail(where, "the settings must be an object of name: value")
    out = {}
    for k, v in d.items():
        if k not in types:
            _fail(where, f"rnnviz has no setting {k!r} (settings: {', '.join(types)})")
        typ = types[k]
        if typ is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, typ) or (isinstance(v, bool) and typ is not bool):
            _fail(where, f"the setting {k} should be {typ.__name__}, not {v!r}")
        if typ is float and not math.isfinite(v):
            _fail(where, f"the setting {k} is not finite")
        out[k] = v
    return out


def _str(d: dict, key: str, where: str, required: bool = False) -> str:
    v = d.get(key, "")
    if required and key not in d:
        _fail(where, f"it has no {key}")
    if not isinstance(v, str):
        _fail(where, f"{key} should be text, not {_short(v)}")
    limit = MAX_CHARS.get(key)
    if limit is not None and len(v) > limit:
        _fail(where, f"its {key} is {len(v):,} characters long; a lesson's {key} is at most {limit:,}"
                     + (" (split it into pages)" if key == "text" else ""))
    return v


def _short(v) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "…"


def _names(v, known, what: str, where: str) -> tuple:
    items = [v] if isinstance(v, str) else v
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        _fail(where, f"{what} should be a name or a list of names")
    for x in items:
        if x not in known:
            _fail(where, f"the app has no {what} {x!r} (it has: {', '.join(sorted(known))})")
    return tuple(items)


def _setup(d, where: str, caps: Capabilities) -> dict:
    if not isinstance(d, dict):
        _fail(where, "setup should be an object")
    unknown = set(d) - SETUP_KEYS
    if unknown:
        _fail(where, f"setup has no {sorted(unknown)[0]!r} (it takes: {', '.join(sorted(SETUP_KEYS))})")
    out = {}
    if "config" in d:
        out["config"] = _settings(d["config"], where)
    if "compare" in d:
        out["compare"] = None if d["compare"] in (None, False) else _settings(d["compare"], where + ", compare")
    if "step" in d:
        s = d["step"]
        if not (s == "T" or (isinstance(s, int) and not isinstance(s, bool) and s >= 1)):
            _fail(where, f"step should be a step from 1 or \"T\", not {s!r}")
        out["step"] = s
    if "phase" in d:
        if d["phase"] not in PHASES:
            _fail(where, f"phase should be forward or backward, not {d['phase']!r}")
        out["phase"] = d["phase"]
    if "tab" in d:
        out["tab"] = _names(d["tab"], caps.tabs, "tab", where)[0]
    if "panel" in d:
        out["panel"] = _names(d["panel"], caps.panels, "panel", where)[0]
    if "highlight" in d:
        out["highlight"] = _names(d["highlight"], caps.highlights, "view to highlight", where)
    if "controls" in d:
        out["controls"] = _names(d["controls"], caps.controls, "control", where)
    if "train" in d:
        out["train"] = _train(d["train"], where, caps)
    if "weights" in d:
        out["weights"] = d["weights"]          # a file's name, checked against the lesson's folder
    if "hover" in d:
        h = d["hover"]
        if not (isinstance(h, int) and not isinstance(h, bool) and h >= 1):
            _fail(where, f"hover should be a step from 1, not {h!r}")
        out["hover"] = h
    return out


def _train(d, where: str, caps: Capabilities) -> dict:
    if "train" not in caps.panels:
        _fail(where, "it trains, and this window has no training (the Train panel)")
    if not isinstance(d, dict):
        _fail(where, "train should be an object of the Train panel's choices")
    for k, v in d.items():
        if k not in TRAIN_KEYS:
            _fail(where, f"train has no {k!r} (it takes: {', '.join(TRAIN_KEYS)})")
        allowed = TRAIN_KEYS[k]
        if isinstance(allowed[0], str) or isinstance(allowed[0], bool):
            if v not in allowed or (isinstance(allowed[0], bool) and not isinstance(v, bool)):
                _fail(where, f"train's {k} should be one of {', '.join(map(repr, allowed))}, not {v!r}")
        else:
            lo, hi = allowed
            whole = isinstance(lo, int)
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and (not whole or isinstance(v, int))
            if not ok or not lo <= v <= hi:
                _fail(where, f"train's {k} should be {'a whole number' if whole else 'a number'} from {lo:g} to {hi:g}, "
                             f"not {v!r}")
    return dict(d)


def _text(text: str, where: str) -> None:
    bad = stray_braces(text)
    if bad:
        _fail(where, bad)
    for name, index, spec in placeholders(text):
        why = check_placeholder(name, index, spec)
        if why:
            _fail(where, why)


def _runs(config, where: str, cache: dict | None = None) -> int:
    """The number of steps the settings run; LessonError when they can't run (`cache`: the settings
    already checked, so that pages that change nothing cost nothing)."""
    from rnnviz.core.settings import prepare_run
    if cache is not None and config in cache:
        return cache[config]
    try:
        seq, _ = prepare_run(config)
    except ValueError as e:
        _fail(where, f"its settings can't run: {e}")
    if cache is not None:
        cache[config] = seq.T
    return seq.T


def check_lesson(doc, label: str = "the lesson", caps: Capabilities | None = None, name: str = "",
                 path: Path | None = None) -> Lesson:
    """A Lesson from a document, or LessonError naming the page and the reason."""
    from .topics import TOPICS
    caps = caps or Capabilities()
    if not isinstance(doc, dict):
        _fail(label, "a lesson is an object with format, title and pages")
    fmt = doc.get("format")
    if "format" not in doc:
        _fail(label, f"it has no format version (\"format\": {FORMAT_VERSION})")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        _fail(label, f"its format version should be the whole number {FORMAT_VERSION} (\"format\": "
                     f"{FORMAT_VERSION}), not {_short(fmt)}")
    if fmt > FORMAT_VERSION:
        _fail(label, f"it is written in lesson format {fmt}, for a newer rnnviz; this one reads format {FORMAT_VERSION}")
    if fmt < 1:
        _fail(label, f"format {fmt} is not a lesson format (this rnnviz reads format {FORMAT_VERSION})")
    unknown = set(doc) - LESSON_KEYS
    if unknown:
        _fail(label, f"a lesson has no {sorted(unknown)[0]!r} (it takes: {', '.join(sorted(LESSON_KEYS))})")
    title = _str(doc, "title", label, required=True)
    summary = _str(doc, "summary", label)
    base_setup = _setup(doc.get("setup", {}), label + ", setup", caps)
    if set(base_setup) - {"config"}:
        _fail(label, "the lesson's own setup takes only config (the pages set up the rest)")
    base = base_setup.get("config", {})
    pages_doc = doc.get("pages")
    if not isinstance(pages_doc, list) or not pages_doc:
        _fail(label, "it has no pages (\"pages\": [ ... ])")
    if len(pages_doc) > MAX_PAGES:
        _fail(label, f"it has {len(pages_doc):,} pages; a lesson has at most {MAX_PAGES} (split it into lessons)")
    pages, ids, runs, weighed = [], set(), {}, set()
    chosen = None                  # (j, path): the weights file in effect, as Lesson.weights_at finds it
    from rnnviz.core.settings import Config
    config = replace(Config(), **base)
    for i, pd in enumerate(pages_doc):
        where = f"{label}, page {i + 1}"
        if not isinstance(pd, dict):
            _fail(where, "a page is an object with title and text")
        if isinstance(pd.get("title"), str):
            where += f" ({pd['title']})"
        unknown = set(pd) - PAGE_KEYS
        if unknown:
            _fail(where, f"a page has no {sorted(unknown)[0]!r} (it takes: {', '.join(sorted(PAGE_KEYS))})")
        ptitle = _str(pd, "title", where, required=True)
        text = _str(pd, "text", where, required=True)
        _text(text, where)
        setup = _setup(pd.get("setup", {}), where, caps)
        config = replace(config, **setup.get("config", {}))
        T = _runs(config, where, runs)
        for key in ("compare",):
            if isinstance(setup.get(key), dict):
                _runs(replace(config, **setup[key]), where + ", compare", runs)
        step = setup.get("step")
        if isinstance(step, int) and step > T:
            _fail(where, f"step {step} is past the last step: its sequence has T = {T}")
        if setup.get("hover", 0) > T:
            _fail(where, f"hover {setup['hover']} is past the last step: its sequence has T = {T}")
        wait, hint = pd.get("wait", "next"), _str(pd, "hint", where)
        cond = None
        if wait != "next":
            if not isinstance(wait, str):
                _fail(where, "wait should be \"next\" or a condition such as \"t == 4\"")
            try:
                cond = parse_condition(wait)
            except ConditionError as e:
                _fail(where, f"its condition {wait!r}: {e}")
            if not hint.strip():
                _fail(where, "a page that waits for a condition needs a hint saying what to do")
        _text(hint, where + ", hint")
        pid = _str(pd, "id", where)
        if pid and pid in ids:
            _fail(where, f"the id {pid!r} is used by an earlier page")
        ids.add(pid)
        explains = _names(pd.get("explains", []), TOPICS, "topic", where)
        weights = ...
        if "weights" in setup:
            weights = None if setup["weights"] is None else _weights_file(setup["weights"], path, where)
        pages.append(Page(ptitle, text, pid, setup.get("config", {}), setup.get("compare", ...), step,
                          setup.get("phase"), setup.get("tab"), setup.get("panel"), setup.get("highlight", ()),
                          setup.get("hover"), setup.get("controls", ()), cond, hint, explains, setup.get("train"),
                          weights))
        if weights is not ...:
            chosen = None if weights is None else (i, weights)
        if chosen is not None:
            lesson = Lesson("", "", "", tuple(pages), base, path)
            key = (chosen, config, lesson.weights_radius(chosen[0], i), tuple(sorted(lesson.model_settings(i).items())))
            if key not in weighed:          # the same file on the same settings: read once
                weighed.add(key)
                page_weights(lesson, i, config, where)
    return Lesson(_str(doc, "name", label) or name, title, summary, tuple(pages), base, path)


def _weights_file(value, path: Path | None, where: str) -> Path:
    from .weights import WeightsProblem, weights_path
    try:
        return weights_path(value, path)
    except WeightsProblem as e:
        _fail(where, str(e))


def page_weights(lesson: Lesson, k: int, config, where: str | None = None):
    """(params, config) of the weights file in effect on page k, shown on the page's settings `config`;
    None when the page runs on seeded weights; LessonError naming the lesson, the page and the file when
    the file can't be used (checked when the lesson is opened, and again when the window shows the page)."""
    from .weights import WeightsProblem, load_page_weights
    chosen = lesson.weights_at(k)
    if chosen is None:
        return None
    j, path = chosen
    if where is None:
        p = lesson.pages[k]
        where = f"{lesson.path.name if lesson.path else lesson.title}, page {k + 1} ({p.title})"
    radius = config.radius if lesson.weights_radius(j, k) else None
    try:
        return load_page_weights(path, config, radius, lesson.model_settings(k))
    except WeightsProblem as e:
        _fail(where, str(e))
