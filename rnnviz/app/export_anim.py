"""The BPTT animation as a GIF (an MP4 where imageio-ffmpeg is installed): one code path for the
window's File > Export animation… and `rnnviz export`.

AnimOptions say what it shows: the forward pass, the backward pass or both; the graph alone, or the
graph with the Gradients plot and the verdict beside it ("full"); at most max_frames frames (the
steps are sampled evenly, the first and last of each pass always kept).

The frames are drawn by views made for the export, offscreen, at a fixed slide size (the window's
views are neither resized nor re-zoomed), each painted once. The GIF is small (rnnviz/io/gif.py):
one global palette and, after the first frame, only the rectangle that changed. Frames are streamed
to a temp file; a cancelled or failed export deletes it and leaves nothing behind. The cursor is put
back where it was.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QRegion
from PySide6.QtWidgets import QApplication

from rnnviz.io.atomic import atomic_path
from rnnviz.io.gif import GifStream, make_palette

from .export import CHILDREN_ONLY, background_color, prepare

PASSES = ("forward", "backward", "both")
CONTENTS = ("graph", "full")
DEFAULT_FRAMES = 100        # about 8 s at 12 frames/s: enough steps to read, small enough for slides
MIN_FRAMES, MAX_FRAMES = 2, 1000
# frame layouts in pixels: (graph width, gradients width, height)
LAYOUTS = {"graph": (960, 0, 540), "full": (840, 640, 600)}


class ExportCancelled(Exception):
    """The user pressed Cancel; nothing was written."""


Cancelled = ExportCancelled


@dataclass(frozen=True)
class AnimOptions:
    passes: str = "backward"        # forward | backward | both
    content: str = "graph"          # graph | full (graph + Gradients plot + verdict)
    max_frames: int = DEFAULT_FRAMES

    def check(self) -> "AnimOptions":
        if self.passes not in PASSES:
            raise ValueError(f"unknown animation passes {self.passes!r}; choose {', '.join(PASSES)}")
        if self.content not in CONTENTS:
            raise ValueError(f"unknown animation content {self.content!r}; choose {', '.join(CONTENTS)}")
        if not (isinstance(self.max_frames, int) and MIN_FRAMES <= self.max_frames <= MAX_FRAMES):
            raise ValueError(f"the frame count must be a whole number from {MIN_FRAMES} to {MAX_FRAMES}, "
                             f"not {self.max_frames}")
        return self

    @property
    def size(self) -> QSize:
        g, r, h = LAYOUTS[self.content]
        return QSize(g + r, h)


def _sample(T: int, k: int) -> list[int]:
    """k >= 2 or fewer 0-based steps from 0 to T-1, evenly spread, both ends kept."""
    if T <= k:
        return list(range(T))
    return [int(t) for t in np.unique(np.round(np.linspace(0, T - 1, k)).astype(int))]


def frame_positions(T: int, options: AnimOptions = AnimOptions()) -> list[tuple[int, str]]:
    """(t, phase) of every frame: forward t = 1..T, then backward t = T..1 (0-based t)."""
    if T <= 0:
        return []
    passes = ("forward", "backward") if options.passes == "both" else (options.passes,)
    budget = [options.max_frames // len(passes)] * len(passes)
    budget[-1] += options.max_frames - sum(budget)
    out = []
    for phase, k in zip(passes, budget):
        steps = _sample(T, k) if k > 1 else [T - 1 if phase == "forward" else 0]   # one frame: the pass's end
        out += [(t, phase) for t in (steps if phase == "forward" else steps[::-1])]
    return out


def frame_durations(positions: list[tuple[int, str]]) -> list[int]:
    """Milliseconds per frame: each pass lasts about 2-12 s; the end of a pass holds (2 s at the end)."""
    out = []
    for i, (_t, phase) in enumerate(positions):
        n = sum(1 for _, p in positions if p == phase)
        per = int(min(max(8000 / max(n, 1), 40), 600))
        last_of_pass = i + 1 == len(positions) or positions[i + 1][1] != phase
        out.append(2000 if i + 1 == len(positions) else (1000 if last_of_pass else per))
    return out


def has_mp4() -> bool:
    return importlib.util.find_spec("imageio_ffmpeg") is not None


class FrameRenderer:
    """Offscreen views of `state` laid out for the frames; frame(t, phase) -> QImage (RGB32).

    Use as a context manager: on exit the views are deleted and the cursor goes back.
    """

    def __init__(self, state, options: AnimOptions):
        from rnnviz.app.views.gradient_view import GradientView
        from rnnviz.app.views.graph_view import GraphView

        self.state, self.options = state, options
        self._old = state.progress
        g, r, h = LAYOUTS[options.content]
        self.views = [(GraphView(state), QSize(g, h), 0)]
        if r:
            self.views.append((GradientView(state), QSize(r, h), g))
        for v, size, _x in self.views:
            v.figure_widget().setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            prepare(v, size)
            if hasattr(v, "fit_all"):
                v.fit_all()
        self.background = background_color(self.views[0][0])
        QApplication.processEvents()
        for v, _size, _x in self.views:
            v.figure_widget().hide()   # laid out; hidden, so the event loop never repaints it: frame() draws it

    def frame(self, t: int, phase: str) -> QImage:
        self.state.step_to(t, phase)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)   # labels that changed size
        size = self.options.size
        img = QImage(size.width(), size.height(), QImage.Format.Format_RGB32)
        img.fill(self.background)
        p = QPainter(img)
        p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                         | QPainter.RenderHint.SmoothPixmapTransform)
        for v, _size, x in self.views:
            v.figure_widget().render(p, QPoint(x, 0), QRegion(), CHILDREN_ONLY)
        p.end()
        return img

    def __enter__(self) -> "FrameRenderer":
        return self

    def __exit__(self, *exc) -> None:
        for v, _size, _x in self.views:
            v.figure_widget().deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        self.state.set_position(self._old)


def as_array(img: QImage) -> np.ndarray:
    """An RGB32 QImage as an (H, W) uint32 array 0xFFRRGGBB (a copy)."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)
    return buf[:, : 4 * w].copy().view(np.uint32).reshape(h, w)


def _check(progress, i: int, n: int) -> None:
    if progress is not None and progress(i, n) is False:
        raise ExportCancelled()


def write_gif(path, renderer: FrameRenderer, positions, progress=None) -> Path:
    durations = frame_durations(positions)
    # one palette for every frame, from the frames that show the most colours: each pass's first and last
    ends = {i for i in range(len(positions))
            if i in (0, len(positions) - 1) or positions[i][1] != positions[i + 1][1] or positions[i][1] != positions[i - 1][1]}
    samples = [as_array(renderer.frame(*positions[i])) for i in sorted(ends)]
    palette = make_palette(samples)
    size = renderer.options.size
    with atomic_path(path) as tmp, open(tmp, "wb") as fp:
        gif = GifStream(fp, size.width(), size.height(), palette)
        for i, (pos, ms) in enumerate(zip(positions, durations)):
            _check(progress, i, len(positions))
            gif.add(as_array(renderer.frame(*pos)), ms)
        gif.close()
    return Path(path)


def write_mp4(path, renderer: FrameRenderer, positions, progress=None, fps: float = 12.0) -> Path:
    """The same frames as an H.264 MP4 through imageio-ffmpeg (streamed, not held in memory)."""
    import imageio_ffmpeg

    size = renderer.options.size
    w, h = size.width() // 2 * 2, size.height() // 2 * 2   # yuv420p needs even sides
    with atomic_path(path) as tmp:
        writer = imageio_ffmpeg.write_frames(str(tmp), (w, h), fps=fps, macro_block_size=2,
                                             output_params=["-f", "mp4"])
        writer.send(None)
        try:
            for i, pos in enumerate(positions):
                _check(progress, i, len(positions))
                f = as_array(renderer.frame(*pos))[:h, :w]
                rgb = np.stack([(f >> 16) & 255, (f >> 8) & 255, f & 255], axis=-1).astype(np.uint8)
                writer.send(np.ascontiguousarray(rgb).tobytes())
        finally:
            writer.close()
    return Path(path)


def export_animation(path: str | os.PathLike, state, options: AnimOptions = AnimOptions(), progress=None) -> Path:
    """Write the animation (GIF, or MP4 for a .mp4 path). progress(i, n) is called before frame i of n;
    returning False cancels (ExportCancelled, nothing written). ValueError for anything else."""
    options.check()
    if state.trace is None:
        raise ValueError("there is nothing to animate: the input has no valid trace yet")
    mp4 = Path(path).suffix.lower() == ".mp4"
    if mp4 and not has_mp4():
        raise ValueError("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); GIF works without it")
    if getattr(state, "playing", False):
        state.pause()   # playback would move the cursor between frames
    positions = frame_positions(state.T, options)
    try:
        with FrameRenderer(state, options) as renderer:
            return (write_mp4 if mp4 else write_gif)(path, renderer, positions, progress)
    except OSError as e:
        raise ValueError(f"can't write {path}: {e.strerror or e}") from None
