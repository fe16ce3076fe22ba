"""The BPTT animation as a GIF (and an MP4 when imageio-ffmpeg is installed).

One frame per backward step, t = T..1 (sampled evenly when there are more than MAX_FRAMES steps):
the graph view rendered with the cursor at that backward step, the gradient plot below it. The
cursor is put back where it was afterwards. Frames are produced one by one so a progress dialog
can cancel; a cancelled or failed export deletes its temp file and leaves nothing behind.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QImage, QPainter

from rnnviz.io.atomic import atomic_path

from .export import background_color, render_image

MAX_FRAMES = 300
FRAME_WIDTH = 960


class ExportCancelled(Exception):
    """The user pressed Cancel; nothing was written."""


def frame_steps(T: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """0-based steps the backward animation shows, from T-1 down to 0, at most max_frames of them."""
    if T <= max_frames:
        return list(range(T - 1, -1, -1))
    idx = np.unique(np.round(np.linspace(T - 1, 0, max_frames)).astype(int))
    return [int(t) for t in idx[::-1]]


def frame_durations(n: int) -> list[int]:
    """Milliseconds per frame: the whole pass lasts about 2-12 s; the last frame holds 2 s."""
    per = int(min(max(8000 / max(n, 1), 40), 600))
    return [per] * (n - 1) + [2000] if n else []


def has_mp4() -> bool:
    return importlib.util.find_spec("imageio_ffmpeg") is not None


def stack_images(images: list[QImage], background) -> QImage:
    """Images one above the other, centred, on the page colour."""
    W = max(i.width() for i in images)
    H = sum(i.height() for i in images)
    out = QImage(W, H, QImage.Format.Format_RGB32)
    out.fill(background)
    p = QPainter(out)
    y = 0
    for i in images:
        p.drawImage(QPoint((W - i.width()) // 2, y), i)
        y += i.height()
    p.end()
    return out


def to_pil(img: QImage) -> Image.Image:
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)
    return Image.fromarray(buf[:, : w * 3].reshape(h, w, 3).copy(), "RGB")


def render_frames(state, graph, gradients=None, scale: float = 1.0, width: int = FRAME_WIDTH,
                  max_frames: int = MAX_FRAMES):
    """Yield (t, QImage) for each backward step; the cursor returns to its place at the end."""
    from rnnviz.app.state import BACKWARD

    if state.trace is None:
        raise ValueError("there is nothing to animate: the input has no valid trace yet")
    views = [v for v in (graph, gradients) if v is not None]
    sizes = [QSize(width, round(width * 0.56)), QSize(width, round(width * 0.34))]
    old = state.progress
    try:
        for t in frame_steps(state.T, max_frames):
            state.step_to(t, BACKWARD)
            imgs = [render_image(v, scale, sizes[i]) for i, v in enumerate(views)]
            yield t, stack_images(imgs, background_color(graph))
    finally:
        state.set_position(old)


def write_gif(path: str | os.PathLike, frames, n: int, progress=None) -> Path:
    """frames: iterable of (t, QImage). progress(i, n) returning False cancels (ExportCancelled)."""
    pil = []
    for i, (_t, img) in enumerate(frames):
        if progress is not None and progress(i, n) is False:
            raise ExportCancelled()
        pil.append(to_pil(img).quantize(colors=255, method=Image.Quantize.MEDIANCUT))
    if not pil:
        raise ValueError("the animation has no frames")
    try:
        with atomic_path(path) as tmp:
            # disposal 1 and optimize=False: every backward step stays its own frame
            pil[0].save(tmp, format="GIF", save_all=True, append_images=pil[1:], loop=0,
                        duration=frame_durations(len(pil)), disposal=1, optimize=False)
    except OSError as e:
        raise ValueError(f"can't write {path}: {e.strerror or e}") from None
    return Path(path)


def write_mp4(path: str | os.PathLike, frames, n: int, progress=None, fps: float = 8.0) -> Path:
    """The same frames as an H.264 MP4 through imageio-ffmpeg (streamed, not held in memory)."""
    import imageio_ffmpeg

    writer = None
    try:
        with atomic_path(path) as tmp:
            for i, (_t, img) in enumerate(frames):
                if progress is not None and progress(i, n) is False:
                    raise ExportCancelled()
                rgb = np.asarray(to_pil(img))
                h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2  # yuv420p needs even sides
                rgb = np.ascontiguousarray(rgb[:h, :w])
                if writer is None:
                    writer = imageio_ffmpeg.write_frames(str(tmp), (w, h), fps=fps, macro_block_size=2,
                                                         output_params=["-f", "mp4"])
                    writer.send(None)
                writer.send(rgb.tobytes())
            if writer is None:
                raise ValueError("the animation has no frames")
            writer.close()
            writer = None
    except OSError as e:
        raise ValueError(f"can't write {path}: {e.strerror or e}") from None
    finally:
        if writer is not None:
            writer.close()
    return Path(path)


def export_animation(path, state, graph, gradients=None, scale: float = 1.0, progress=None,
                     width: int = FRAME_WIDTH) -> Path:
    """GIF or MP4 by the file's suffix."""
    n = len(frame_steps(state.T)) if state.trace is not None else 0
    mp4 = Path(path).suffix.lower() == ".mp4"
    if mp4 and not has_mp4():
        raise ValueError("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); GIF works without it")
    frames = render_frames(state, graph, gradients, scale, width)
    try:
        return (write_mp4 if mp4 else write_gif)(path, frames, n, progress)
    finally:
        frames.close()  # puts the cursor back even when cancelled


Cancelled = ExportCancelled


def export_animation_gif(state, graph_view, path: str | os.PathLike, progress_cb=None, cancel_cb=None,
                         scale: float = 1.0, gradients=None) -> Path:
    """The backward animation of the graph view as a GIF (or MP4 for a .mp4 path). progress_cb(done, total) reports;
    cancel_cb() -> True stops it (ExportCancelled, nothing written)."""
    graph_view.fit_all()

    def progress(i, n):
        if progress_cb is not None:
            progress_cb(i, n)
        return not (cancel_cb is not None and cancel_cb())

    mp4 = Path(path).suffix.lower() == ".mp4"   # an MP4 by the file's suffix, where imageio-ffmpeg is installed
    if mp4 and not has_mp4():
        raise ValueError("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); GIF works without it")
    widget = graph_view.figure_widget()
    old_size = widget.size()  # frames are rendered at FRAME_WIDTH; the window's view gets its size back
    frames = render_frames(state, graph_view, gradients, scale)
    try:
        write = write_mp4 if mp4 else write_gif
        return write(path, frames, len(frame_steps(state.T)) if state.trace is not None else 0, progress)
    finally:
        frames.close()
        widget.resize(old_size)
