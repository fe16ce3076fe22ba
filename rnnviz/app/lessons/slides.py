"""A lesson as PNG slides: one picture of the window per page, set up as the page says, with the page's
text (and its live numbers) in the lesson panel; and slides.txt, the pages' texts as plain text.
One code path for the window (Lessons > Export this lesson as slides…) and the CLI
(`rnnviz lesson NAME --out DIR`)."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from rnnviz.io.atomic import check_writable_dir, write_bytes_atomic, write_text_atomic
from rnnviz.lessons.text import to_plain


def slide_name(k: int, page) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (page.id or page.title).lower()).strip("-")[:40] or "page"
    return f"{k + 1:02d}-{slug}.png"


def _png(image) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise ValueError("the slide could not be encoded as PNG")
    buf.close()
    return bytes(data)


def settle(window) -> None:
    """Until the computation is in and every view has drawn it (the CLI; the window never waits)."""
    window.state.wait_idle()
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    for _ in range(100):          # the local gains follow the trace, in a job of their own
        if not window.state.gains_pending or not window.state.jobs.pending():
            break
        window.state.wait_idle()
        for _ in range(3):
            QApplication.sendPostedEvents()
            QApplication.processEvents()


class SlideExporter(QObject):
    """Sets up each page in turn and grabs the window once the page's trace is in, without blocking
    the event loop (a long sequence computes in the background meanwhile). The window goes back to
    the page it was on (or the lesson closes, if none was open)."""

    progress = Signal(str)
    finished = Signal(list)          # the files written
    failed = Signal(str)

    def __init__(self, lessons, lesson, folder):
        super().__init__(lessons.window)
        self.lessons, self.lesson = lessons, lesson
        self.folder = check_writable_dir(folder)
        self.written, self.texts, self.k = [], [], 0
        self.done = False
        c = lessons.controller
        self._before = (c.lesson, c.index)

    def start(self) -> None:
        self.lessons.open(self.lesson)
        self.lessons.window.state.busy_changed.connect(self._on_busy)
        self.lessons.window.state.gains_changed.connect(self._on_gains)
        self.lessons.controller.lesson_changed.connect(self._on_lesson)
        self._page()

    def _on_lesson(self, lesson) -> None:
        if lesson is not self.lesson and not self.done:      # the user left or opened another lesson
            self._before = (lesson, self.lessons.controller.index)
            self._end(f"the export stopped after {self.k} of {len(self.lesson.pages)} slides: "
                      "another lesson was opened or this one was left")

    def _page(self) -> None:
        self.progress.emit(f"slide {self.k + 1} of {len(self.lesson.pages)}")
        self.lessons.controller.go(self.k, cumulative=True)
        if not self.lessons.window.state.busy:
            QTimer.singleShot(0, self._shoot)

    def _on_gains(self, _trace) -> None:
        if not self.done:
            QTimer.singleShot(0, self._shoot)

    def _on_busy(self, busy: bool) -> None:
        if not busy and not self.done:
            QTimer.singleShot(0, self._shoot)

    def _shoot(self) -> None:
        w, c = self.lessons.window, self.lessons.controller
        if self.done or w.state.busy or w.state.gains_pending or c.index != self.k:   # no half slide
            return
        page = self.lesson.pages[self.k]
        try:
            path = self.folder / slide_name(self.k, page)
            write_bytes_atomic(path, _png(w.grab().toImage()))
            self.written.append(path)
            self.texts.append(f"{self.k + 1}. {page.title}\n\n{to_plain(page.text, c.context())}\n")
            self.k += 1
            if self.k < len(self.lesson.pages):
                return self._page()
            write_text_atomic(self.folder / "slides.txt", f"{self.lesson.title}\n\n" + "\n".join(self.texts))
            self.written.append(self.folder / "slides.txt")
        except (OSError, ValueError) as e:
            return self._end(str(e))
        self._end(None)

    def _end(self, error: str | None) -> None:
        self.done = True
        self.lessons.window.state.busy_changed.disconnect(self._on_busy)
        self.lessons.window.state.gains_changed.disconnect(self._on_gains)
        self.lessons.controller.lesson_changed.disconnect(self._on_lesson)
        lesson, index = self._before
        if lesson is not None:
            if lesson is not self.lessons.controller.lesson or index != self.lessons.controller.index:
                self.lessons.open(lesson, index)
        else:
            self.lessons.controller.close()
        if error:
            self.failed.emit(error)
        else:
            self.finished.emit(self.written)


def export_slides(lessons, lesson, folder, progress=None) -> list[Path]:
    """The exporter run to its end (an event loop of its own): the CLI and the tests."""
    ex = SlideExporter(lessons, lesson, folder)
    loop = QEventLoop()
    out = {}
    ex.finished.connect(lambda files: (out.setdefault("files", files), loop.quit()))
    ex.failed.connect(lambda msg: (out.setdefault("error", msg), loop.quit()))
    if progress is not None:
        ex.progress.connect(progress)
    ex.start()
    if not ex.done:
        loop.exec()
    if "error" in out:
        raise ValueError(out["error"])
    return out["files"]


def run_lesson_export(args) -> list[Path]:
    """`rnnviz lesson NAME --out DIR`: ValueError (one line) for a bad name, lesson, size or folder."""
    import sys

    from rnnviz.app.headless import Progress, ensure_app
    from rnnviz.lessons.format import LessonError, find_lesson

    m = re.fullmatch(r"(\d{3,4})x(\d{3,4})", args.size or "")
    if not m or not (640 <= int(m.group(1)) <= 3840 and 480 <= int(m.group(2)) <= 2160):
        raise ValueError(f"--size {args.size!r}: give WIDTHxHEIGHT from 640x480 to 3840x2160, e.g. 1280x720")
    ensure_app()
    from rnnviz.app.lessons.install import capabilities
    from rnnviz.app.main_window import build_window

    window = build_window("hello world")
    try:
        try:
            lesson = find_lesson(args.name, capabilities(window))
        except LessonError as e:
            raise ValueError(str(e)) from None
        check_writable_dir(args.out)
        if args.presentation:
            window.state.set_view_options(presentation=True)
        window.resize(int(m.group(1)), int(m.group(2)))
        window.show()
        window.start_layout()
        settle(window)
        progress = Progress(sys.stderr)
        written = export_slides(window.lessons, lesson, args.out, progress)
        progress.clear()
        return written
    finally:
        window.state.shutdown()
        window.close()
        window.deleteLater()
        QApplication.sendPostedEvents()
