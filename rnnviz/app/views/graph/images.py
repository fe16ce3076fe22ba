"""NumPy colour bytes as QImages for the graph's painters (one helper, imported by every painter)."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def rgba_image(arr: np.ndarray) -> QImage:
    """(h, w, 4) uint8 -> QImage sharing a contiguous copy (kept alive on the image object)."""
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    h, w = arr.shape[:2]
    img = QImage(arr.data, w, h, w * 4, QImage.Format.Format_RGBA8888)
    img._keep = arr  # the QImage does not own the buffer
    return img


class ImageCache:
    """QImages made on first use from arrays (a T = 10,000 stack of 8 cells makes only what it paints)."""

    def __init__(self):
        self._images: dict = {}
        self._makers: dict = {}

    def clear(self) -> None:
        self._images.clear()
        self._makers.clear()

    def define(self, key, make) -> None:
        """`make()` returns the (h, w, 4) uint8 array of image `key` when it is first asked for."""
        self._makers[key] = make
        self._images.pop(key, None)

    def put(self, key, arr: np.ndarray) -> None:
        self._images[key] = rgba_image(arr)

    def __contains__(self, key) -> bool:
        return key in self._images or key in self._makers

    def __getitem__(self, key) -> QImage:
        img = self._images.get(key)
        if img is None:
            img = self._images[key] = rgba_image(self._makers[key]())
        return img

    def pop(self, key, default=None):
        self._makers.pop(key, None)
        return self._images.pop(key, default)
