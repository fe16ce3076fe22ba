"""Small reference images and a tolerant comparison (pyqtgraph's assertImageApproved idea).

A test renders a figure, shrinks it to a low resolution (so that a font rendered a little
differently, or a line moved by a pixel, does not count) and compares it with a PNG kept in
tests/app/reference/. The images are made on purpose, never silently:

    RNNVIZ_UPDATE_REFERENCES=1 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q tests/app/test_graph_reference.py

writes (or rewrites) them; look at each one before committing it. Without that variable a missing
reference fails the test and says how to make it. When an image differs, the test fails and writes
the new image, the reference and their difference next to each other in one PNG (the path is in
the message), so the change can be seen.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

REFERENCE_DIR = Path(__file__).parent / "reference"
UPDATE_VAR = "RNNVIZ_UPDATE_REFERENCES"
SHRINK = 4                 # the reference keeps one pixel of every SHRINK x SHRINK block
PIXEL_TOL = 40             # a channel may differ this much (of 255) and still count as the same
MAX_BAD_FRACTION = 0.01    # at most this fraction of pixels may differ by more than PIXEL_TOL
MAX_MEAN_DIFF = 3.0        # and the mean difference (of 255) over all pixels stays below this


def low_res(img: QImage, shrink: int = SHRINK) -> QImage:
    """The image averaged down by `shrink` in each direction, as RGB32."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    w, h = max(img.width() // shrink, 1), max(img.height() // shrink, 1)
    return img.scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio,
                      Qt.TransformationMode.SmoothTransformation).convertToFormat(QImage.Format.Format_RGB32)


def rgb_array(img: QImage) -> np.ndarray:
    """(h, w, 3) int16 of an RGB32 image."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)[:, :4 * w]
    bgra = buf.reshape(h, w, 4)
    return bgra[:, :, [2, 1, 0]].astype(np.int16)


def compare(new: np.ndarray, ref: np.ndarray) -> str:
    """'' when new matches ref within the tolerances, else what differs."""
    if new.shape != ref.shape:
        return f"the image is {new.shape[1]} x {new.shape[0]}, the reference {ref.shape[1]} x {ref.shape[0]}"
    diff = np.abs(new - ref).max(axis=2)
    bad = float(np.mean(diff > PIXEL_TOL))
    mean = float(np.mean(np.abs(new - ref)))
    if bad > MAX_BAD_FRACTION or mean > MAX_MEAN_DIFF:
        return (f"{100 * bad:.2f} % of the pixels differ by more than {PIXEL_TOL} (at most "
                f"{100 * MAX_BAD_FRACTION:.1f} %), mean difference {mean:.2f} (at most {MAX_MEAN_DIFF})")
    return ""


def _side_by_side(new: QImage, ref: QImage) -> QImage:
    a, b = rgb_array(new), rgb_array(ref)
    h = max(a.shape[0], b.shape[0])
    w = max(a.shape[1], b.shape[1])
    pad = lambda x: np.pad(x, ((0, h - x.shape[0]), (0, w - x.shape[1]), (0, 0)), constant_values=255)
    a, b = pad(a), pad(b)
    d = 255 - np.clip(np.abs(a - b).max(axis=2, keepdims=True) * 3, 0, 255).repeat(3, axis=2)
    rgb = np.ascontiguousarray(np.concatenate([a, b, d], axis=0).astype(np.uint8))
    out = QImage(rgb.data, w, rgb.shape[0], 3 * w, QImage.Format.Format_RGB888).copy()
    return out


def assert_image_approved(img: QImage, name: str) -> None:
    """Fail unless `img`, shrunk, matches tests/app/reference/<name>.png (see the module docstring)."""
    small = low_res(img)
    path = REFERENCE_DIR / f"{name}.png"
    if os.environ.get(UPDATE_VAR):
        REFERENCE_DIR.mkdir(exist_ok=True)
        assert small.save(str(path), "PNG"), f"could not write {path}"
        return
    assert path.exists(), (f"no reference image {path.name}: make it on purpose with "
                           f"{UPDATE_VAR}=1 (see tests/app/imagecmp.py), look at it, commit it")
    ref = QImage(str(path))
    problem = compare(rgb_array(small), rgb_array(ref))
    if problem:
        out = Path(tempfile.gettempdir()) / f"rnnviz-reference-{name}-failed.png"
        _side_by_side(small, ref).save(str(out), "PNG")
        raise AssertionError(f"{name}: the picture changed: {problem}. New (top), reference (middle), "
                             f"difference (bottom): {out}. If the change is intended, regenerate with "
                             f"{UPDATE_VAR}=1 and look at the new reference before committing it.")

