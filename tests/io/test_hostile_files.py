"""Hostile and damaged files (issue 13, items 17 and 23): every problem is one ValueError naming the
file, sizes are checked before anything is allocated, and nothing blocks (a pipe) or unpickles."""
from __future__ import annotations

import io
import json
import os
import threading
import time
import zipfile

import numpy as np
import pytest

from rnnviz.app.config import Config
from rnnviz.io import atomic
from rnnviz.io.session import NewerFormatError, Session, load_session, save_session, session_version
from rnnviz.io.weights import load_weights
from rnnviz.io.zipread import MAX_MEMBER_BYTES
from tests.hostile import flip_a_byte, single_npy, weights, zip_bomb


def _session(path, **settings):
    save_session(path, Session(dict(Config(source="hello world", hidden=4).to_dict(), **settings)))
    return path


def test_a_flipped_byte_is_a_clear_error(tmp_path):
    f = _session(tmp_path / "s.rnnviz")
    flip_a_byte(f, "session.json")
    with pytest.raises(ValueError, match="s.rnnviz.*damaged"):  # zlib.error or a bad CRC before
        load_session(f)


def test_a_flipped_byte_in_the_weights_is_a_clear_error(tmp_path):
    f = tmp_path / "w.npz"
    rng = np.random.default_rng(0)
    np.savez_compressed(f, Wax=rng.normal(size=(4, 3)), Waa=rng.normal(size=(4, 4)), ba=np.zeros((4, 1)),
                        Wya=rng.normal(size=(3, 4)), by=np.zeros((3, 1)))
    flip_a_byte(f, "Waa.npy")
    with pytest.raises(ValueError, match="w.npz"):
        load_weights(f)


def test_a_zip_bomb_session_is_refused_before_it_is_unpacked(tmp_path):
    f = zip_bomb(tmp_path / "bomb.rnnviz", "session.json", 256 << 20)
    with pytest.raises(ValueError, match="bomb.rnnviz.*would unpack to"):  # json.loads read 256 MB before
        load_session(f)


def test_a_zip_bomb_array_is_refused_by_its_compression_ratio(tmp_path):
    f = zip_bomb(tmp_path / "bomb.npz", "Waa.npy", 256 << 20)
    with pytest.raises(ValueError, match="zip bomb"):
        load_weights(f)


def test_a_member_larger_than_the_limit_is_refused_from_the_directory(tmp_path, monkeypatch):
    monkeypatch.setattr("rnnviz.io.zipread.MAX_MEMBER_BYTES", 1000)
    f = tmp_path / "w.npz"
    np.savez(f, Waa=np.zeros((20, 20)))
    with pytest.raises(ValueError, match="would unpack to 3,328 bytes"):
        load_weights(f)
    assert MAX_MEMBER_BYTES >= 2048 * 2048 * 8  # the largest Waa the window shows still loads


def test_an_npy_header_that_lies_about_its_shape_allocates_nothing(tmp_path):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
    f = tmp_path / "lie.npz"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("Waa.npy", buf.getvalue() + b"\0" * 64)
    with pytest.raises(ValueError, match=r"header says \(1000000, 1000000\) float64"):  # MemoryError before
        load_weights(f)


def test_a_single_npy_renamed_npz(tmp_path):
    f = single_npy(tmp_path / "one.npz")
    with pytest.raises(ValueError, match="single .npy array"):  # TypeError traceback before
        load_weights(f)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("loader, name", [(load_weights, "pipe.npz"), (load_session, "pipe.rnnviz")])
def test_a_named_pipe_is_refused_without_blocking(tmp_path, loader, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = []
    t = threading.Thread(target=lambda: result.append(_error_of(loader, fifo)), daemon=True)
    t.start()
    t.join(20)  # it blocked forever before; a writer below releases it if it still does
    if t.is_alive():
        with open(fifo, "wb"):
            pass
        t.join(5)
        pytest.fail("reading a named pipe blocked")
    assert "pipe" in result[0] and name in result[0]


def _error_of(fn, *args) -> str:
    try:
        fn(*args)
    except ValueError as e:
        return str(e)
    return "no error"


@pytest.mark.parametrize("seed", [2**31, 2**64])
def test_a_seed_beyond_the_spin_box_is_refused(tmp_path, seed):
    f = _session(tmp_path / "seed.rnnviz", seed=seed)
    with pytest.raises(ValueError, match=f"seed.rnnviz.*seed must be a whole number from 0 to 2147483647, not {seed}"):
        load_session(f)


def test_a_5001_digit_number_names_the_file(tmp_path):
    f = _session(tmp_path / "digits.rnnviz")
    with zipfile.ZipFile(f) as z:
        doc = json.loads(z.read("session.json"))
    doc["settings"]["seed"] = "SEED"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("session.json", json.dumps(doc).replace('"SEED"', "1" * 5001))
    with pytest.raises(ValueError, match="digits.rnnviz: the session data is damaged") as e:
        load_session(f)
    assert "set_int_max_str_digits" not in str(e.value)


def test_deeply_nested_json_is_damage_not_a_recursion_error(tmp_path):
    f = tmp_path / "deep.rnnviz"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("session.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="damaged"):
        load_session(f)


def test_too_many_distinct_characters_for_memory_is_a_clear_error(tmp_path, monkeypatch):
    f = _session(tmp_path / "wide.rnnviz", source="".join(chr(0x4E00 + i) for i in range(200)))

    def no_memory(*a, **k):  # what 20,000 distinct characters gave on a 4 GB machine
        raise MemoryError("Unable to allocate 2.98 GiB")

    monkeypatch.setattr("rnnviz.io.session.make_run_sequence", no_memory)
    with pytest.raises(ValueError, match="wide.rnnviz: the saved sequence is too large for the memory"):
        load_session(f)


def test_weights_without_hidden_units_are_refused(tmp_path):
    f = weights(tmp_path / "empty.npz", 0, 1.0)
    with pytest.raises(ValueError, match="empty.npz: the weights have no hidden units"):
        load_weights(f)


def test_a_newer_format_is_its_own_error(tmp_path):
    f = tmp_path / "new.rnnviz"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("session.json", '{"format": "rnnviz-session", "version": 7, "settings": {"source": "ab"}}')
    with pytest.raises(NewerFormatError, match="newer rnnviz"):
        load_session(f)
    assert session_version(f) == 7 and session_version(tmp_path / "missing.rnnviz") is None


def test_a_draft_round_trips(tmp_path):
    f = tmp_path / "d.rnnviz"
    s = Session(Config(source="hello world").to_dict(), draft=Config(source="h", hidden=3).to_dict())
    save_session(f, s)
    back = load_session(f)
    assert back.draft["source"] == "h" and back.draft["hidden"] == 3 and back.settings["source"] == "hello world"


def test_stale_part_files_of_killed_writers_are_cleaned(tmp_path):
    dead = 2**22 + 12345  # above any pid the kernel hands out by default
    while True:
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
    killed = tmp_path / f".last.rnnviz.{dead}-abc123.part"   # kill -9 in the middle of a save
    live = tmp_path / f".last.rnnviz.{os.getpid()}-def456.part"  # a save running now
    old = tmp_path / ".graph.png.xyz.part"                    # no pid (older rnnviz), a day old
    recent = tmp_path / ".graph.png.uvw.part"
    other = tmp_path / ".hidden-but-not-ours"
    for p in (killed, live, old, recent, other):
        p.write_bytes(b"half")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert sorted(atomic.clean_stale_parts(tmp_path)) == sorted([killed, old])
    assert live.exists() and recent.exists() and other.exists()


def test_a_write_removes_the_stale_parts_of_its_file(tmp_path):
    stale = tmp_path / ".x.txt.999999999-abc.part"
    stale.write_bytes(b"half")
    atomic.write_text_atomic(tmp_path / "x.txt", "whole")
    assert not stale.exists() and (tmp_path / "x.txt").read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
