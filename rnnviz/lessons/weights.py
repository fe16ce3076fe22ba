"""A lesson page's weights file (setup "weights"): a NumPy .npz shipped beside the lesson, read and
checked as File > Import weights reads them (np.load without pickle, the notes' or PyTorch's names,
the fit to the page's sequence), Qt-free, so the checker refuses a missing or unfitting file when the
lesson is opened and the window loads the same arrays when the page is shown."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath

# the settings that describe the model itself: a page that names one must agree with its weights
MODEL_KEYS = ("cell", "layers", "bidirectional", "hidden")


class WeightsProblem(ValueError):
    """The page's weights file can't be used (the message says why, without the page)."""


def weights_path(value, lesson_path: Path | None) -> Path:
    """The file a page's "weights" names: a path relative to the lesson file's folder."""
    if not isinstance(value, str) or not value.strip():
        raise WeightsProblem(f"weights should name an .npz file beside the lesson, or be null, not {value!r}")
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute():
        raise WeightsProblem(f"the weights file {value!r} is an absolute path; write it relative to the lesson "
                             "file, so that the lesson and its weights move together")
    if not value.lower().endswith(".npz"):
        raise WeightsProblem(f"the weights file {value!r} is not an .npz file (such as the params.npz that "
                             "main.py export and main.py train write)")
    if lesson_path is None:
        raise WeightsProblem(f"it names the weights file {value!r}, and a lesson with weights must be opened "
                             "from its file (the file's folder is where its weights are)")
    return Path(lesson_path).resolve().parent / value


def load_page_weights(path: Path, config, radius: float | None = None, explicit: dict | None = None):
    """(params, config) to show the weights in `path` on the page's settings `config`, as File > Import
    weights would: WeightsProblem naming the file and the reason otherwise. `explicit`: the model
    settings the lesson names up to this page, which must agree with the weights."""
    from rnnviz.core.settings import config_for_weights, make_run_sequence
    from rnnviz.io.weights import check_fits, load_weights

    name = path.name
    if not path.exists():
        raise WeightsProblem(f"the weights file {name} is not there (looked in {path.parent})")
    try:
        w = load_weights(path)
    except ValueError as e:
        raise WeightsProblem(f"the weights file {name} can't be read: {_short(str(e), path)}") from None
    got = {"cell": w.spec.cell, "layers": w.spec.layers, "bidirectional": w.spec.bidirectional, "hidden": w.n_a}
    for key, value in (explicit or {}).items():
        if key in got and got[key] != value:
            raise WeightsProblem(f"the weights file {name} holds a {w.spec.title()} with n_a = {w.n_a}, but the "
                                 f"lesson sets {key} = {value!r}")
    if w.vocab is not None and config.kind == "text" and not config.encoder_decoder:
        config = replace(config, vocab="".join(w.vocab))     # the characters the weights were made for
    try:
        if w.spec.encoder_decoder == config.encoder_decoder:
            check_fits(w, make_run_sequence(config))
        config = config_for_weights(config, w.params, radius)
    except ValueError as e:
        raise WeightsProblem(f"the weights file {name} doesn't fit the page's model: {_short(str(e), path)}") from None
    return w.params, config


def _short(msg: str, path: Path) -> str:
    """The reader's message without the file's whole path (the caller names the file)."""
    return msg.replace(f"{path}: ", "").replace(str(path), path.name)
