"""rnnviz/io/gif.py: one global palette, only the changed rectangle per frame, exact round trips."""
from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image

from rnnviz.io.gif import TRANSPARENT, GifStream, PaletteMap, make_palette


def gif_blocks(data: bytes) -> dict:
    """The structure of a GIF: its global table and, per frame, (x, y, w, h, local table?, delay cs,
    transparency?)."""
    assert data[:6] == b"GIF89a"
    w, h, flags = struct.unpack("<HHB", data[6:11])
    pos, frames, gce = 13, [], (0, False)
    if flags & 0x80:
        pos += 3 << ((flags & 7) + 1)
    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            label = data[pos + 1]
            if label == 0xF9:
                packed, delay = data[pos + 3], struct.unpack("<H", data[pos + 4:pos + 6])[0]
                gce = (delay, bool(packed & 1))
            pos += 2
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        elif data[pos] == 0x2C:
            x, y, fw, fh, f = struct.unpack("<HHHHB", data[pos + 1:pos + 10])
            frames.append((x, y, fw, fh, bool(f & 0x80), *gce))
            pos += 10 + (3 << ((f & 7) + 1) if f & 0x80 else 0) + 1
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        else:
            raise AssertionError(f"unexpected block 0x{data[pos]:02x}")
    return {"size": (w, h), "global_table": bool(flags & 0x80), "table_size": 2 << (flags & 7), "frames": frames}


def argb(rgb):
    r, g, b = rgb
    return np.uint32(0xFF000000 | (r << 16) | (g << 8) | b)


COLOURS = [(255, 255, 255), (0, 0, 0), (200, 30, 40), (20, 90, 200), (250, 200, 0)]


def frames_moving_box(n=5, H=40, W=64):
    out = []
    for i in range(n):
        f = np.full((H, W), argb(COLOURS[0]), dtype=np.uint32)
        f[5:15, 4 + 10 * i: 12 + 10 * i] = argb(COLOURS[1 + i % 4])
        f[30:34, :] = argb(COLOURS[2])        # never changes
        out.append(f)
    return out


def write(frames, ms=100, palette=None):
    buf = io.BytesIO()
    g = GifStream(buf, frames[0].shape[1], frames[0].shape[0],
                  make_palette(frames) if palette is None else palette)
    for f in frames:
        g.add(f, ms)
    g.close()
    return buf.getvalue()


def decoded(data):
    im = Image.open(io.BytesIO(data))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(np.asarray(im.convert("RGB")))
    return out


def test_round_trip_is_exact_when_the_palette_holds_every_colour():
    frames = frames_moving_box()
    got = decoded(write(frames))
    assert len(got) == len(frames)
    for f, g in zip(frames, got):
        want = np.stack([(f >> 16) & 255, (f >> 8) & 255, f & 255], axis=-1)
        assert np.array_equal(g, want)


def test_one_global_palette_and_only_the_changed_rectangle_per_frame():
    frames = frames_moving_box()
    info = gif_blocks(write(frames))
    assert info["global_table"] and info["table_size"] == 256
    assert not any(f[4] for f in info["frames"])                  # no local colour table
    first, *rest = info["frames"]
    assert first[:4] == (0, 0, 64, 40) and not first[6]
    for i, (x, y, w, h, _local, _delay, transparent) in enumerate(rest, start=1):
        # the box moved from 4+10(i-1) to 4+10i: the union of old and new, rows 5..14
        assert (x, y, w, h) == (4 + 10 * (i - 1), 5, 18, 10) and transparent


def test_identical_frames_make_the_previous_one_last_longer():
    frames = frames_moving_box(3)
    frames.insert(2, frames[1].copy())
    info = gif_blocks(write(frames, ms=100))
    assert [f[5] for f in info["frames"]] == [10, 20, 10]           # centiseconds


def test_colours_outside_the_palette_map_to_the_nearest_and_never_to_transparent():
    pal = np.array([(0, 0, 0), (255, 255, 255)], dtype=np.uint8)
    m = PaletteMap(pal)
    f = np.array([[argb((10, 10, 10)), argb((240, 250, 255)), argb((0, 0, 0))]], dtype=np.uint32)
    assert m(f).tolist() == [[0, 1, 0]]
    rng = np.random.default_rng(0)
    f = rng.integers(0, 1 << 24, size=(50, 50), dtype=np.uint32)
    assert TRANSPARENT not in m(f)


def test_palette_has_at_most_255_colours():
    rng = np.random.default_rng(1)
    noise = (rng.integers(0, 1 << 24, size=(64, 64)) | 0xFF000000).astype(np.uint32)
    pal = make_palette([noise])
    assert 2 <= len(pal) <= 255 and pal.dtype == np.uint8
