"""The BPTT animation as a GIF: the graph view rendered at every backward step (Pillow writes it).

Frames follow the backward pass from step T down to step 1, one per step, sampled evenly when
there are more than MAX_FRAMES steps. The GIF is written atomically: a cancel or a failure leaves
no file (and no temp file) behind. The cursor is put back where it was.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtGui import QImage

from rnnviz.io.atomic import write_atomic

MAX_FRAMES = 300


class Cancelled(Exception):
    """The user cancelled a long export."""


def backward_positions(T: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """Timeline places of the frames: T..2T-1 (steps T..1), evenly sampled down to max_frames."""
    if T <= max_frames:
        return list(range(T, 2 * T))
    idx = np.unique(np.round(np.linspace(0, T - 1, max_frames)).astype(int))
    return [T + int(i) for i in idx]


def qimage_to_pil(img: QImage) -> Image.Image:
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buf = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)
    return Image.fromarray(buf[:, : 3 * w].reshape(h, w, 3).copy(), "RGB")


def frame_duration_ms(n_frames: int) -> int:
    """About 6 s for the whole pass, each frame between 40 ms and 400 ms."""
    return int(min(400, max(40, 6000 / max(n_frames, 1))))


def export_animation_gif(state, graph_view, path: str | os.PathLike, progress_cb=None, cancel_cb=None,
                         scale: float = 1.0, max_frames: int = MAX_FRAMES) -> Path:
    """Write the backward animation to `path`. progress_cb(done, total); cancel_cb() -> True cancels
    (raises Cancelled). ValueError when there is nothing to animate or the file can't be written."""
    from rnnviz.app.export import render_image

    if state.trace is None:
        raise ValueError("there is no trace to animate: enter a valid sequence first")
    positions = backward_positions(state.T, max_frames)
    old = state.progress
    frames: list[Image.Image] = []
    try:
        graph_view.fit_all()
        for i, pos in enumerate(positions):
            if cancel_cb is not None and cancel_cb():
                raise Cancelled("the animation export was cancelled")
            state.set_position(pos)
            frames.append(qimage_to_pil(render_image(graph_view, scale)))
            if progress_cb is not None:
                progress_cb(i + 1, len(positions))
    finally:
        state.set_position(old)
    # one shared palette keeps colours steady from frame to frame
    palette_src = frames[len(frames) // 2].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    quantized = [f.quantize(palette=palette_src, dither=Image.Dither.NONE) for f in frames]

    def writer(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            quantized[0].save(f, format="GIF", save_all=True, append_images=quantized[1:], loop=0,
                              duration=frame_duration_ms(len(quantized)), optimize=False, disposal=1)

    return write_atomic(path, writer)
