"""Sampling from a character model, as the notes' `sample` does: feed a character, read
ŷ = softmax(z / temperature), pick the next character, feed it back.

The seed text is read first (from zero states; the names task's models first read x<1> = 0, the
course's "None", as they were trained). Each pick is argmax(ŷ) or a draw from ŷ with a seeded
generator, so the same seed gives the same text. Temperature divides the logits: below 1 the
likely characters become likelier (safer, more repetitive text), above 1 the distribution
flattens (more surprising, more mistakes); 1 samples the model's own probabilities.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Inputs, Model
from .spec import ModelSpec

MAX_SAMPLE = 5000


@dataclass
class Sample:
    seed_text: str
    text: str                    # the generated characters (without the seed)
    probs: np.ndarray            # (len(text), V): ŷ (after temperature) each character was drawn from
    vocab: tuple[str, ...]

    def top(self, i: int, k: int = 10) -> list[tuple[str, float]]:
        """The k likeliest next characters at generated step i (0-based)."""
        p = self.probs[i]
        order = np.argsort(-p, kind="stable")[:k]
        return [(self.vocab[j], float(p[j])) for j in order]


def temperature_words(t: float) -> str:
    """What a temperature does, in a sentence for the panel."""
    if t < 0.5:
        return "cautious: almost always the likeliest character (repeats itself)"
    if t < 0.9:
        return "conservative: likely characters more often than the model says"
    if t <= 1.1:
        return "the model's own probabilities"
    if t <= 1.5:
        return "adventurous: unlikely characters more often (more surprises, more mistakes)"
    return "wild: close to random characters"


def _states(cache, spec: ModelSpec) -> dict:
    return {(l, 0): cache.run(l, 0).caches[-1].final() for l in range(spec.layers)}


def sample(spec: ModelSpec, params: dict, vocab: tuple[str, ...], seed_text: str = "", length: int = 200,
           temperature: float = 1.0, argmax: bool = False, seed: int = 0, zero_first: bool = False,
           stop: str | None = None) -> Sample:
    """Generate `length` characters after `seed_text` (stopping early after the character `stop`)."""
    if spec.bidirectional:
        raise ValueError("a bidirectional model reads the whole text in both directions: it can't write one "
                         "character at a time; train a one-directional model to sample")
    if spec.encoder_decoder:
        raise ValueError("sampling here writes from a character model; an encoder–decoder writes its target "
                         "from a source (see its decoder in the graph)")
    if not 0 < temperature <= 100 or not np.isfinite(temperature):
        raise ValueError(f"the temperature must be above 0, not {temperature}")
    index = {c: i for i, c in enumerate(vocab)}
    missing = [c for c in seed_text if c not in index]
    if missing:
        raise ValueError(f"the seed text uses characters the model doesn't know: {' '.join(map(repr, missing[:5]))}")
    length = int(min(max(length, 0), MAX_SAMPLE))
    model = Model(spec, params)
    rng = np.random.default_rng(seed)
    feed = ([-1] if zero_first or not seed_text else []) + [index[c] for c in seed_text]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        cache = model.forward(Inputs(None, np.array(feed, dtype=np.int64)[:, None], len(vocab)))
        states, logits = _states(cache, spec), cache.logits[-1, :, 0]
        out, probs = [], []
        for _ in range(length):
            z = logits / temperature
            p = np.exp(z - np.max(z))
            p /= p.sum()
            if not np.all(np.isfinite(p)):
                raise ValueError("the model's outputs are not finite (inf/NaN): nothing to sample")
            j = int(np.argmax(p)) if argmax else int(rng.choice(len(vocab), p=p))
            out.append(vocab[j])
            probs.append(p)
            if stop is not None and vocab[j] == stop:
                break
            cache = model.forward(Inputs(None, np.array([[j]], dtype=np.int64), len(vocab)), states)
            states, logits = _states(cache, spec), cache.logits[-1, :, 0]
    return Sample(seed_text, "".join(out), np.array(probs).reshape(len(out), len(vocab)), tuple(vocab))


def next_probs(spec: ModelSpec, params: dict, vocab: tuple[str, ...], text: str, temperature: float = 1.0,
               zero_first: bool = False) -> np.ndarray:
    """ŷ after reading `text` (the bars before anything is generated)."""
    return sample(spec, params, vocab, text, 1, temperature, True, zero_first=zero_first).probs[0]
