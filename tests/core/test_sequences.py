"""Typed input -> SequenceData: any Unicode text, number series, and a clear message for bad input."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.core import char_label, make_sequence, parse_numbers, text_sequence
from rnnviz.core.sequences import number_sequence


@pytest.mark.parametrize("text", ["hello", "a\tb\nc d", "😀🎉😀 ok", "e\u0301te\u0301", "ab", "\n\n\t",
                                  "日本語のテキスト", "x" * 500])
def test_text_vocab_one_hot_and_targets(text):
    seq = make_sequence(text)
    assert seq.kind == "text" and seq.source == text
    assert seq.vocab == tuple(sorted(set(text)))          # sorted unique characters
    assert seq.T == len(text) - 1 and seq.m == 1
    assert seq.x.shape == (len(seq.vocab), 1, seq.T) and seq.y.shape == seq.x.shape
    assert np.all(seq.x.sum(axis=0) == 1) and np.all(seq.y.sum(axis=0) == 1)   # one-hot
    for t in range(seq.T):
        assert seq.vocab[int(np.argmax(seq.x[:, 0, t]))] == text[t]
        assert seq.vocab[int(np.argmax(seq.y[:, 0, t]))] == text[t + 1]
        assert seq.vocab[seq.target_index[0, t]] == text[t + 1]
    assert seq.output_labels() == [char_label(c) for c in seq.vocab]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.text(min_size=2, max_size=40))
def test_any_unicode_text(text):
    seq = text_sequence(text)
    assert seq.vocab == tuple(sorted(set(text)))
    ids = np.argmax(seq.x[:, 0, :], axis=0)
    assert "".join(seq.vocab[i] for i in ids) == text[:-1]
    assert all(isinstance(seq.input_label(t), str) for t in range(seq.T))


def test_combining_characters_and_emoji_are_separate_code_points():
    seq = text_sequence("e\u0301😀")
    assert seq.vocab == ("e", "\u0301", "😀") and seq.T == 2


def test_labels_make_whitespace_visible():
    seq = text_sequence("a b\tc\nd")
    assert char_label(" ") == "␣" and char_label("\n") == "⏎" and char_label("\t") == "⇥"
    assert seq.input_label(1) == "␣" and seq.target_label(0) == "␣"
    assert char_label("\x00") == "U+0000"


def test_numbers_parse_in_any_separator_style():
    np.testing.assert_array_equal(parse_numbers("0.1, 0.5 -2 3e-2"), [0.1, 0.5, -2.0, 0.03])
    np.testing.assert_array_equal(parse_numbers(" 1;2 ,\n3\t4 "), [1, 2, 3, 4])
    np.testing.assert_array_equal(parse_numbers("1, 2, 3,"), [1, 2, 3])  # one trailing comma is fine
    seq = make_sequence("0.1, 0.5 -2 3e-2")
    assert seq.kind == "numbers" and seq.n_x == seq.n_y == 1 and seq.T == 3 and seq.vocab == ()
    np.testing.assert_array_equal(seq.x[0, 0], [0.1, 0.5, -2.0])
    np.testing.assert_array_equal(seq.y[0, 0], [0.5, -2.0, 0.03])
    assert seq.target_index is None and seq.output_labels() == ["value"]
    assert seq.input_label(2) == "-2" and seq.target_label(2) == "0.03"
    # auto: numbers only when everything reads as numbers
    assert make_sequence("1 2 three").kind == "text"
    assert make_sequence("1 2", kind="text").kind == "text"
    np.testing.assert_array_equal(number_sequence(np.array([1.0, 2.0, 4.0])).y[0, 0], [2, 4])


@pytest.mark.parametrize("source,kind,message", [
    ("", "text", "empty"),
    ("a", "text", "one character"),
    ("", "auto", "empty"),
    ("x", "auto", "one character"),
    ("", "numbers", "empty"),
    ("   , ;", "numbers", "empty"),
    ("1 2 abc", "numbers", r"'abc' \(item 3\) is not a number"),
    ("1, 2, 3..4", "numbers", r"'3..4' \(item 3\)"),
    ("1 nan 2", "numbers", r"'nan' \(item 2\) is not finite"),
    ("1 2 inf", "numbers", r"'inf' \(item 3\) is not finite"),
    ("1 -infinity", "numbers", "not finite"),
    ("42", "numbers", "one number"),
    ("1,,2", "numbers", r"item 2 is empty"),
    ("1, ;3 4", "numbers", r"item 2 is empty"),
    (",1,2", "numbers", r"item 1 is empty"),
    ("1 2", "words", "unknown sequence kind 'words'"),
])
def test_bad_input_raises_a_clear_value_error(source, kind, message):
    with pytest.raises(ValueError, match=message):
        make_sequence(source, kind=kind)


def test_bad_arrays_and_vocabularies():
    with pytest.raises(ValueError, match="at least two"):
        number_sequence(np.array([1.0]))
    with pytest.raises(ValueError, match="NaN or infinity"):
        number_sequence(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="not in the weights' vocabulary: 'z'"):
        text_sequence("abz", vocab=("a", "b"))
    with pytest.raises(ValueError, match="string"):
        text_sequence(123)


def test_the_vectorised_number_parse_gives_the_item_by_item_results_and_messages():
    """parse_numbers reads 100,000 numbers with NumPy (the window's background job held the GIL a
    quarter of a second in a Python loop); its reference parses item by item. Seeded random series
    of numbers, words, NaN/inf, empty items and every separator give the same values (sign of zero
    included) or the same message."""
    import random

    from rnnviz.core.sequences import _parse_numbers_by_item

    parts = ["1", "-2.5", "3e-2", "0", "-0", "1_000", "١٢", "+.5", "5.", "1e400", "nan", "inf", "-infinity",
             "abc", "3..4", "0x10", "−1", "1e", ".", "x" * 30, "7.25e+3", "1e-400"]
    seps = [" ", ", ", ",", ";", " ; ", "\t", "\n", "  ", ",,", ", ;", "\u00a0", "\u2003"]
    rng = random.Random(13)

    def outcome(f, s):
        try:
            v = f(s)
        except ValueError as e:
            return "error", str(e)
        return "ok", v.tolist(), np.signbit(v).tolist()

    for _ in range(3000):
        n = rng.randint(0, 6)
        s = rng.choice(["", " ", ",", ";"]) * rng.randint(0, 1)
        for i in range(n):
            s += rng.choice(parts[:8] * 4 + parts) + (rng.choice(seps) if i < n - 1 or rng.random() < 0.3 else "")
        assert outcome(parse_numbers, s) == outcome(_parse_numbers_by_item, s), repr(s)
    big = " ".join(str(i * 0.5) for i in range(100_001))
    np.testing.assert_array_equal(parse_numbers(big), _parse_numbers_by_item(big))
    assert make_sequence(big).T == 100_000
    with pytest.raises(ValueError, match=r"'abc' \(item 100002\) is not a number"):
        parse_numbers(big + ", abc")
    with pytest.raises(ValueError, match="must be given as text"):
        parse_numbers(None)


class _Untouchable(str):
    """A text that fails the test if anything reads it character by character (builds its tokens,
    its vocabulary or its one-hot ids)."""

    def __iter__(self):
        raise AssertionError("the text was read character by character before its length was checked")


def test_a_sequence_too_long_is_refused_before_it_is_built():
    """A 30 MB text took 7.5 s to be turned into three 30-million-item tuples before its length was
    refused: the length is checked first, in the same words as before."""
    from rnnviz.core.settings import MAX_STEPS, Config, make_run_sequence, prepare_run

    long_text = _Untouchable("ab c" * (MAX_STEPS // 4 + 1))          # MAX_STEPS + 4 characters
    for kind in ("text", "auto"):
        with pytest.raises(ValueError) as e:
            make_run_sequence(Config(source=long_text, kind=kind))
        assert str(e.value) == f"the sequence has {MAX_STEPS + 3:,} steps; rnnviz shows at most {MAX_STEPS:,}"
        with pytest.raises(ValueError, match=f"has {MAX_STEPS + 3:,} steps"):
            prepare_run(Config(source=long_text, kind=kind))
    with pytest.raises(ValueError, match=f"the sequence has {MAX_STEPS + 8:,} steps; rnnviz shows at most"):
        make_run_sequence(Config(source=long_text, kind="text", architecture="encoder-decoder", target="xyz"))
    # numbers: counted before they are read (a bad item far down is not what the user hears about first)
    series = " ".join(["0.5"] * (MAX_STEPS + 2)) + " abc"
    with pytest.raises(ValueError, match=f"the sequence has {MAX_STEPS + 2:,} steps; rnnviz shows at most"):
        make_run_sequence(Config(source=series, kind="numbers"))
    with pytest.raises(ValueError, match=f"the sequence has {MAX_STEPS + 1:,} steps"):
        make_run_sequence(Config(source=series[:-4], kind="auto"))
    # at the limit nothing changes
    assert make_run_sequence(Config(source="ab" * (MAX_STEPS // 2) + "a", kind="text")).T == MAX_STEPS


def test_auto_tells_text_from_numbers_as_the_full_parse_does():
    """"auto" reads a text whose first item is no number as text at once (without splitting all of it):
    the same decision, on the same random inputs, as trying the item-by-item parse."""
    import random

    from rnnviz.core.sequences import _parse_numbers_by_item

    parts = ["1", "-2.5", "3e-2", "0", "1_000", "١٢", "+.5", "nan", "inf", "abc", "0x10", "−1", ".", "x" * 70,
             "9" * 70, "hello", "1e400"]
    seps = [" ", ", ", ",", ";", "\t", "\n", ",,", "\u00a0", "\u2003", ""]
    rng = random.Random(5)
    for _ in range(3000):
        s = rng.choice(["", " ", ",", ";", "\n "]) * rng.randint(0, 1)
        s += "".join(rng.choice(parts) + rng.choice(seps) for _ in range(rng.randint(1, 5)))
        try:
            _parse_numbers_by_item(s)
            want = "numbers"
        except ValueError:
            want = "text"
        try:
            got = make_sequence(s, "auto").kind
        except ValueError:
            continue                   # one character: no sequence either way
        assert got == want, repr(s)
