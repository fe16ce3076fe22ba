"""A GIF written frame by frame: one global palette, and after the first frame only what changed.

Slides want small files. Consecutive frames of the BPTT animation differ in a cursor, a band of
colour and a title, so each frame after the first stores only the rectangle that changed, with the
pixels inside it that did not change left transparent (GIF disposal 1 keeps the rest on screen).
Every frame uses the one global colour table (no local tables), chosen once by median cut over a few
sample frames; colours are mapped to it by nearest match through a lookup table that fills as new
colours appear. Pillow encodes the pixels (LZW); the file structure is written here, streamed, so
memory stays a few frames whatever the frame count.

Qt-free: frames are (H, W) uint32 arrays 0xAARRGGBB (Qt's RGB32 layout; alpha is ignored).
"""
from __future__ import annotations

import io
import struct
from typing import BinaryIO

import numpy as np
from PIL import Image

TRANSPARENT = 255          # palette index of "unchanged"; never used by a real colour
N_COLOURS = 255


def rgb_of(frame: np.ndarray) -> np.ndarray:
    """(H, W) 0xAARRGGBB -> (H, W, 3) uint8 RGB."""
    f = np.asarray(frame, dtype=np.uint32)
    return np.stack([(f >> 16) & 255, (f >> 8) & 255, f & 255], axis=-1).astype(np.uint8)


def make_palette(samples: list[np.ndarray], n: int = N_COLOURS) -> np.ndarray:
    """(k, 3) uint8, k <= n: a median-cut palette over the sample frames (stacked)."""
    rgb = np.concatenate([rgb_of(s) for s in samples], axis=0)
    q = Image.fromarray(rgb, "RGB").quantize(colors=n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    used = sorted({int(i) for i in np.unique(np.asarray(q))})
    pal = np.asarray(q.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)
    return np.unique(pal[used], axis=0)[:n]


class PaletteMap:
    """RGB -> nearest palette index, remembered per colour (a 16 MB table filled on demand)."""

    def __init__(self, palette: np.ndarray):
        self.palette = np.asarray(palette, dtype=np.int32)
        self._lut = np.full(1 << 24, TRANSPARENT, dtype=np.uint8)   # TRANSPARENT: not looked up yet

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        keys = np.asarray(frame, dtype=np.uint32) & 0xFFFFFF
        idx = self._lut[keys]
        missing = idx == TRANSPARENT
        if missing.any():
            new = np.unique(keys[missing])
            rgb = np.stack([(new >> 16) & 255, (new >> 8) & 255, new & 255], axis=-1).astype(np.int32)
            best = np.empty(len(new), dtype=np.uint8)
            for i in range(0, len(new), 4096):   # (chunk, colours) distances at a time
                d = rgb[i:i + 4096, None, :] - self.palette[None, :, :]
                best[i:i + 4096] = np.argmin(np.einsum("ijk,ijk->ij", d, d), axis=1)
            self._lut[new] = best
            idx = self._lut[keys]
        return idx


def _lzw_data(indices: np.ndarray, palette_bytes: bytes) -> bytes:
    """Pillow's LZW encoding of one frame's indices: code size, data sub-blocks, terminator."""
    im = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8), "P")
    im.putpalette(palette_bytes)
    buf = io.BytesIO()
    im.save(buf, format="GIF", optimize=False, interlace=False)
    b = buf.getvalue()
    pos = 13
    if b[10] & 0x80:                                  # skip the global colour table
        pos += 3 << ((b[10] & 7) + 1)
    while b[pos] == 0x21:                             # skip extensions: label, then sub-blocks
        pos += 2
        while b[pos]:
            pos += b[pos] + 1
        pos += 1
    if b[pos] != 0x2C:
        raise ValueError("unexpected GIF structure from Pillow")
    if b[pos + 9] & 0xC0:                             # a local table or interlacing: not what was asked
        raise ValueError("unexpected GIF frame layout from Pillow")
    pos += 10
    start = pos
    pos += 1                                          # LZW minimum code size
    while b[pos]:
        pos += b[pos] + 1
    return b[start:pos + 1]


class GifStream:
    """Write frames as they come: add(frame, ms) ... close(). Identical frames extend the previous one."""

    def __init__(self, fp: BinaryIO, width: int, height: int, palette: np.ndarray, loop: int = 0):
        self.fp, self.size = fp, (int(width), int(height))
        self.map = PaletteMap(palette)
        table = np.zeros((256, 3), dtype=np.uint8)
        table[: len(palette)] = palette
        self.table = table.tobytes()
        self.frames = 0
        self._shown: np.ndarray | None = None   # palette indices on screen so far
        self._last: np.ndarray | None = None    # the previous frame's colours
        self._pending: tuple | None = None      # (x, y, indices, transparent) waiting for its duration
        self._ms = 0
        fp.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + self.table)
        fp.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")

    def add(self, frame: np.ndarray, ms: int) -> None:
        """frame: (H, W) uint32 0xAARRGGBB of the stream's size; ms: how long it stays."""
        if frame.shape != (self.size[1], self.size[0]):
            raise ValueError(f"frame of {frame.shape[1]} x {frame.shape[0]} in a {self.size[0]} x {self.size[1]} GIF")
        rgb = np.asarray(frame, dtype=np.uint32) & 0xFFFFFF
        if self._shown is None:
            self._shown, self._last = self.map(rgb), rgb
            self._queue((0, 0, self._shown.copy(), False), ms)
            return
        changed = rgb != self._last
        self._last = rgb
        box = _bbox(changed)
        if box is not None:
            y0, y1, x0, x1 = box
            new = self.map(rgb[y0:y1, x0:x1])
            moved = new != self._shown[y0:y1, x0:x1]
            inner = _bbox(moved)
            if inner is not None:
                a0, a1, b0, b1 = inner
                new, moved = new[a0:a1, b0:b1], moved[a0:a1, b0:b1]
                y0, x0 = y0 + a0, x0 + b0
                self._shown[y0:y0 + new.shape[0], x0:x0 + new.shape[1]] = new
                self._queue((x0, y0, np.where(moved, new, TRANSPARENT).astype(np.uint8), True), ms)
                return
        self._ms += ms                           # nothing visible changed: the previous frame stays longer

    def _queue(self, part: tuple, ms: int) -> None:
        self._flush()
        self._pending, self._ms = part, ms

    def _flush(self) -> None:
        if self._pending is None:
            return
        x, y, idx, transparent = self._pending
        delay = max(2, round(self._ms / 10))     # centiseconds; browsers treat < 2 as 10
        packed = (1 << 2) | (1 if transparent else 0)   # disposal 1: leave the frame in place
        self.fp.write(b"\x21\xf9\x04" + struct.pack("<BHB", packed, delay, TRANSPARENT) + b"\x00")
        h, w = idx.shape
        self.fp.write(b"\x2c" + struct.pack("<HHHHB", x, y, w, h, 0))
        self.fp.write(_lzw_data(idx, self.table))
        self.frames += 1
        self._pending = None

    def close(self) -> int:
        """Finish the file; returns the number of frames written."""
        self._flush()
        self.fp.write(b";")
        return self.frames


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
