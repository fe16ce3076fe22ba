"""Files and texts a hostile user feeds the window (for tests/app/monkey.py and the tests it finds
bugs for): texts to paste, sessions (format 1 and 2, valid models of every kind and ones edited by
hand), weights (the notes' names and PyTorch state_dicts of RNN / GRU / LSTM, of the right shape
and of others) and things that are not files at all (a folder, a named pipe, a missing path).
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from rnnviz.core.params import init_model_params
from rnnviz.core.settings import Config
from rnnviz.core.spec import ModelSpec
from rnnviz.io.session import Session, save_session
from tests import hostile

HELLO_VOCAB = sorted(set("hello world"))          # 8 characters: n_x = n_y = 8


def hostile_texts(rng) -> list[tuple[str, str]]:
    """(name, text) pairs to paste into the sequence box; `rng` makes the long ones."""
    cjk = "".join(chr(0x4E00 + i) for i in range(20_000))            # 20,000 distinct characters
    many = " ".join(f"{v:.6g}" for v in rng.normal(size=100_000))     # 100,000 numbers
    huge = " ".join(["1.7976931348623157e308", "-1.7976931348623157e308"] * 10)
    return [
        ("empty", ""), ("one char", "a"), ("one number", "3"), ("two chars", "ab"),
        ("20k distinct CJK", cjk), ("near ±1e308", "0 1e308 -1e308 1"), ("20 numbers at ±max", huge),
        ("overflowing number", "0 1e309 1"), ("subnormal", "0 5e-324 -5e-324 1"),
        ("100k numbers", many), ("NaN text", "nan NaN inf -inf"), ("nan among numbers", "0 1 nan 2"),
        ("control chars", "a\x00b\x01c\x07d\x1b[31me\rf\tg\u202eh\ufeffi\x7f"),
        ("emoji", "👩‍👩‍👧‍👦 é e\u0301 ﷽"), ("5001 digits", "1" * 5001 + " 2"),
        ("commas", "1,2,,3,"), ("one line of 200k", "ab" * 100_000), ("newlines", "\n\n\n"),
        ("spaces", "   "), ("minus", "- -- +"), ("hex", "0x10 0b1"),
    ]


def _weights(path: Path, spec: ModelSpec, mutate=None, **extra) -> Path:
    p = init_model_params(spec, seed=3)
    if mutate is not None:
        mutate(p)
    p.update(extra)
    np.savez(path, **p)
    return path


def _text(spec_kw: dict, n_x: int = len(HELLO_VOCAB)) -> ModelSpec:
    return ModelSpec(n_x=n_x, n_y=n_x, **spec_kw)


def weights_files(d: Path) -> list[Path]:
    """Weights of every model for "hello world" (8 characters), and broken ones."""
    d.mkdir(parents=True, exist_ok=True)
    out = []
    good = {"gru": dict(cell="gru", n_a=6), "lstm": dict(cell="lstm", n_a=5),
            "lstm2bi": dict(cell="lstm", n_a=4, layers=2, bidirectional=True),
            "rnn3": dict(cell="rnn", n_a=7, layers=3), "gru_encdec": dict(cell="gru", n_a=5, encoder_decoder=True),
            "notes": dict(cell="rnn", n_a=9), "rnn_bi": dict(cell="rnn", n_a=3, bidirectional=True)}
    for name, kw in good.items():
        out.append(_weights(d / f"{name}.npz", _text(kw)))
    # the right names, the wrong sizes or cells
    out.append(_weights(d / "gru_other_vocab.npz", ModelSpec(cell="gru", n_a=6, n_x=5, n_y=5)))
    out.append(_weights(d / "lstm_numbers.npz", ModelSpec(cell="lstm", n_a=4, n_x=1, n_y=1)))

    def bad_hh(p):  # an LSTM whose weight_hh has the GRU's 3 blocks
        p["weight_hh_l0"] = p["weight_hh_l0"][: 3 * 5]
    out.append(_weights(d / "lstm_gru_hh.npz", _text(good["lstm"]), bad_hh))

    def five_gates(p):
        p["weight_hh_l0"] = np.zeros((25, 5))
    out.append(_weights(d / "five_gates.npz", _text(good["lstm"]), five_gates))

    def gap(p):  # layers 0 and 2 but no 1
        for k in [k for k in p if "_l1" in k]:
            p[k.replace("_l1", "_l2")] = p.pop(k)
    out.append(_weights(d / "layer_gap.npz", _text(dict(cell="gru", n_a=4, layers=2)), gap))
    out.append(_weights(d / "five_layers.npz", _text(dict(cell="rnn", n_a=3, layers=4)),
                        lambda p: p.update({"weight_ih_l4": np.zeros((3, 3)), "weight_hh_l4": np.zeros((3, 3)),
                                            "bias_ih_l4": np.zeros(3), "bias_hh_l4": np.zeros(3)})))
    out.append(_weights(d / "gru_no_readout.npz", _text(good["gru"]), lambda p: (p.pop("Wya"), p.pop("by"))))
    out.append(_weights(d / "gru_nan.npz", _text(good["gru"]), lambda p: p["weight_hh_l0"].fill(np.nan)))
    out.append(_weights(d / "lstm_1e308.npz", _text(good["lstm"]), lambda p: [v.fill(1e308) for v in p.values()]))
    out.append(_weights(d / "gru_int.npz", _text(good["gru"]),
                        lambda p: p.update({k: v.astype(np.int64) for k, v in p.items()})))
    out.append(_weights(d / "gru_complex.npz", _text(good["gru"]),
                        lambda p: p.update(weight_hh_l0=p["weight_hh_l0"] + 1j)))
    out.append(_weights(d / "gru_vocab.npz", _text(good["gru"]), vocab=np.array(HELLO_VOCAB)))
    out.append(_weights(d / "gru_wrong_vocab.npz", _text(good["gru"]), vocab=np.array(list("abcdefgh"))))
    out.append(_weights(d / "mixed_prefix.npz", _text(good["gru"]),
                        lambda p: p.update({"decoder.weight_hh_l0": p["weight_hh_l0"]})))
    # one unit over the limit: small random entries (scaling 2049 x 2049 to a radius took a minute)
    big, rng = ModelSpec(cell="rnn", n_a=2049, n_x=8, n_y=8), np.random.default_rng(0)
    np.savez(d / "rnn_2049.npz", **{k: rng.normal(0, 0.01, s) for k, s in big.param_shapes().items()})
    out.append(d / "rnn_2049.npz")
    out.append(hostile.weights(d / "n_a_0.npz", 0, 0.5))
    out.append(hostile.single_npy(d / "single.npz"))
    out.append(hostile.zip_bomb(d / "bomb.npz", "Wax.npy", 1 << 27))
    obj = d / "pickled.npz"
    np.savez(obj, Wax=np.array([{"a": 1}], dtype=object))
    out.append(obj)
    flipped = _weights(d / "flipped.npz", _text(good["gru"]))
    np.savez_compressed(flipped, **dict(np.load(flipped)))
    out.append(hostile.flip_a_byte(flipped, "weight_hh_l0.npy"))
    return out


def _session(path: Path, config: Config, **kw) -> Path:
    save_session(path, Session(settings=config.to_dict(), **kw))
    return path


def _edit(src: Path, dst: Path, edit) -> Path:
    """A copy of session `src` whose session.json went through edit(doc) (as by hand in an editor)."""
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    doc = json.loads(members["session.json"])
    edit(doc)
    members["session.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(dst, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    return dst


def session_files(d: Path) -> list[Path]:
    """Sessions of every model (GRU, LSTM, stacked, bidirectional, encoder–decoder, one-to-one),
    format 1 and 2, and ones edited by hand."""
    d.mkdir(parents=True, exist_ok=True)
    base = Config(source="hello world")
    models = {
        "gru": dict(cell="gru", hidden=8), "lstm": dict(cell="lstm", hidden=8),
        "lstm2bi": dict(cell="lstm", layers=2, bidirectional=True, hidden=6),
        "rnn4": dict(cell="rnn", layers=4, hidden=5, activation="relu", radius=2.5),
        "gru_encdec": dict(cell="gru", architecture="encoder-decoder", target="dlrow olleh", hidden=6),
        "one_to_one": dict(architecture="one-to-one"), "lstm_many_to_one": dict(cell="lstm", architecture="many-to-one"),
        "lstm_numbers": dict(cell="lstm", source="0 0.5 1 0.5 0 -0.5", kind="numbers", hidden=4),
        "gru_big": dict(cell="gru", hidden=512, source="the quick brown fox jumps over the lazy dog " * 8),
        "lstm_exploding": dict(cell="lstm", radius=100.0, forget_bias=100.0, hidden=4),
    }
    out = []
    for name, kw in models.items():
        from dataclasses import replace
        out.append(_session(d / f"{name}.rnnviz", replace(base, **kw), position=7))
    gru = d / "gru.rnnviz"
    p = init_model_params(_text(dict(cell="lstm", n_a=5)), seed=1)
    out.append(_session(d / "lstm_imported.rnnviz", Config(source="hello world", cell="lstm", hidden=5),
                        params=p, weights_origin="imported"))

    def v1(doc):
        doc["version"] = 1
        for k in ("cell", "layers", "bidirectional", "forget_bias", "target"):
            doc["settings"].pop(k, None)
    out.append(_edit(d / "one_to_one.rnnviz", d / "format1.rnnviz", v1))
    edits = {
        "cell_transformer": lambda doc: doc["settings"].update(cell="transformer"),
        "layers_0": lambda doc: doc["settings"].update(layers=0),
        "layers_99": lambda doc: doc["settings"].update(layers=99),
        "bidir_yes": lambda doc: doc["settings"].update(bidirectional="yes"),
        "encdec_bidir": lambda doc: doc["settings"].update(architecture="encoder-decoder", bidirectional=True,
                                                           target="abc"),
        "encdec_no_target": lambda doc: doc["settings"].update(architecture="encoder-decoder", target=""),
        "encdec_numbers": lambda doc: doc["settings"].update(architecture="encoder-decoder", kind="numbers",
                                                             source="1 2 3", target="abc"),
        "forget_1e308": lambda doc: doc["settings"].update(forget_bias=1e308),
        "target_cjk": lambda doc: doc["settings"].update(
            architecture="encoder-decoder", target="".join(chr(0x4E00 + i) for i in range(20_000))),
        "cursor_huge": lambda doc: doc.update(cursor={"position": 10 ** 30}),
        "version_3": lambda doc: doc.update(version=3),
        "hidden_2048_lstm4bi": lambda doc: doc["settings"].update(hidden=2048, cell="lstm", layers=4,
                                                                  bidirectional=True),
        "v1_with_gru": lambda doc: doc.update(version=1),
        "compare_lstm": lambda doc: doc.update(compare=dict(doc["settings"], cell="lstm", radius=1.5)),
        "draft_layers": lambda doc: doc.update(draft=dict(doc["settings"], layers=3, bidirectional=True)),
        "draft_bad": lambda doc: doc.update(draft=dict(doc["settings"], cell="lstm", layers=7)),
    }
    for name, edit in edits.items():
        out.append(_edit(gru, d / f"{name}.rnnviz", edit))
    # weights of another model than the settings say
    out.append(_edit(d / "lstm_imported.rnnviz", d / "lstm_weights_gru_settings.rnnviz",
                     lambda doc: doc["settings"].update(cell="gru", layers=2)))
    bomb = hostile.zip_bomb(d / "bomb.rnnviz", "session.json", 1 << 27)
    out.append(bomb)
    flipped = d / "flipped.rnnviz"
    with zipfile.ZipFile(flipped, "w", zipfile.ZIP_DEFLATED) as z:
        with zipfile.ZipFile(gru) as src:
            z.writestr("session.json", src.read("session.json"))
    out.append(hostile.flip_a_byte(flipped, "session.json"))
    (d / "not_a_zip.rnnviz").write_text("hello")
    out.append(d / "not_a_zip.rnnviz")
    return out


def not_files(d: Path) -> list[Path]:
    """Paths a file dialog can return that are no file to read: a folder, a named pipe, nothing."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "folder.rnnviz").mkdir(exist_ok=True)
    pipe = d / "pipe.npz"
    if not pipe.exists() and hasattr(os, "mkfifo"):
        os.mkfifo(pipe)
    out = [d / "folder.rnnviz", d / "missing.npz", d / "missing" / "deeper.rnnviz"]
    return out + ([pipe] if pipe.exists() else [])
