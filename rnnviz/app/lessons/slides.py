"""A lesson as PNG slides: one picture of the window per page, set up as the page says, with the page's
text (and its live numbers) in the lesson panel; and slides.txt, the pages' texts as plain text.
One code path for the window (Lessons > Export this lesson as slides…) and the CLI
(`rnnviz lesson NAME --out DIR`). A complete export removes the slides of an older export that it
did not write again (slide_files: only PNGs with rnnviz's slide names and its mark)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from rnnviz.app.lessons.slide_files import MARK, remove_stale_slides, slide_name
from rnnviz.io.atomic import check_writable_dir, write_bytes_atomic, write_text_atomic
from rnnviz.lessons.text import to_plain

__all__ = ["SlideExporter", "export_slides", "settle", "slide_name"]


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


def _write_png(_task, image, path: Path) -> Path:
    """A slide encoded and written off the GUI thread (QImage is reentrant: the grab is a copy)."""
    try:
        write_bytes_atomic(path, _png(image))
    except OSError as e:
        raise ValueError(f"the slide {path.name} could not be written: {e.strerror or e}") from None
    return path


class SlideExporter(QObject):
    """Sets up each page in turn and grabs the window once the page's trace is in, without blocking
    the event loop: one page per event-loop turn (set up, then grabbed in a later turn), a long
    sequence computing in the background meanwhile, and the PNGs encoded and written on a worker
    thread. cancel() stops after the slide being made. The window goes back to the page it was on
    (or the lesson closes, if none was open)."""

    progress = Signal(str)
    advanced = Signal(int, int)      # slides grabbed, of how many
    finished = Signal(list)          # the files written (cancelled: those written before); then
                                     # `removed` names an older export's extra slides taken away
    failed = Signal(str)

    def __init__(self, lessons, lesson, folder, size=None):
        super().__init__(lessons.window)
        self.size = size                 # QSize every slide must have (rnnviz lesson --size), or None
        from rnnviz.app.jobs import JobRunner
        self.lessons, self.lesson = lessons, lesson
        self.folder = check_writable_dir(folder)
        self.written, self.texts, self.k = [], [], 0
        self.removed: list[str] = []
        self.done = self.cancelled = False
        self._writing = 0                # PNGs handed to the writer and not yet written
        self._grabbed_all = False
        self.writer = JobRunner(self)
        self.writer.finished.connect(self._on_written)
        self.writer.failed.connect(lambda job: self._end(job.error))
        c = lessons.controller
        self._before = (c.lesson, c.index)

    def start(self) -> None:
        self.lessons.open(self.lesson)
        self.lessons.window.state.busy_changed.connect(self._on_busy)
        self.lessons.window.state.gains_changed.connect(self._on_gains)
        self.lessons.controller.lesson_changed.connect(self._on_lesson)
        self._page()

    def cancel(self) -> None:
        """No more pages: the slides already grabbed are written, then finished says which (no slides.txt)."""
        if not self.done and not self.cancelled:
            self.cancelled = self._grabbed_all = True     # no more grabs; those grabbed are written
            self._finish_if_written()

    def _on_lesson(self, lesson) -> None:
        if lesson is not self.lesson and not self.done:      # the user left or opened another lesson
            self._before = (lesson, self.lessons.controller.index)
            self._end(f"the export stopped after {self.k} of {len(self.lesson.pages)} slides: "
                      "another lesson was opened or this one was left")

    def _page(self) -> None:
        if self.done or self.cancelled:
            return
        self.progress.emit(f"slide {self.k + 1} of {len(self.lesson.pages)}")
        self.lessons.controller.go(self.k, cumulative=True)
        if not self.lessons.window.state.busy:
            QTimer.singleShot(0, self._shoot)         # the grab in a later turn: events run between

    def _on_gains(self, _trace) -> None:
        if not self.done:
            QTimer.singleShot(0, self._shoot)

    def _on_busy(self, busy: bool) -> None:
        if not busy and not self.done:
            QTimer.singleShot(0, self._shoot)

    def _shoot(self) -> None:
        w, c = self.lessons.window, self.lessons.controller
        if self.done or w.state.busy or w.state.gains_pending or self._grabbed_all:   # no half slide
            return
        if c.index != self.k:        # the page was turned under the export: set it up again
            QTimer.singleShot(0, self._page)
            return
        if self.size is not None and w.size() != self.size:
            # a page that needed more room grew the window (it stays grown): back to the size asked for,
            # unless this page's panels need more, then no slide of another size
            w.resize(self.size)
            if w.size() != self.size:
                return self._end(too_small(self.size, w.size(), f"page {self.k + 1}"))
            QTimer.singleShot(0, self._shoot)         # grabbed once laid out at that size
            return
        page = self.lesson.pages[self.k]
        path = self.folder / slide_name(self.k, page)
        self._writing += 1
        image = w.grab().toImage()
        image.setText(MARK, f"{self.lesson.title}: page {self.k + 1} of {len(self.lesson.pages)}")
        self.writer.submit(f"slide {self.k}", _write_png, image, path)
        self.texts.append(f"{self.k + 1}. {page.title}\n\n{to_plain(page.text, c.context())}\n")
        self.k += 1
        if self.k < len(self.lesson.pages):
            QTimer.singleShot(0, self._page)          # the next page in a later turn
        else:
            self._grabbed_all = True
        self.advanced.emit(self.k, len(self.lesson.pages))     # last: a modal progress dialog runs events
        self._finish_if_written()

    def _on_written(self, job) -> None:
        self._writing -= 1
        if not self.done:
            self.written.append(job.result)
            self._finish_if_written()

    def _finish_if_written(self) -> None:
        if not self._grabbed_all or self._writing or self.done:
            return
        if self.cancelled:
            return self._end(None)
        try:
            write_text_atomic(self.folder / "slides.txt", f"{self.lesson.title}\n\n" + "\n".join(self.texts))
        except (OSError, ValueError) as e:
            return self._end(str(e))
        self.written.append(self.folder / "slides.txt")
        self.removed = remove_stale_slides(self.folder, {p.name for p in self.written})
        self._end(None)

    def _end(self, error: str | None) -> None:
        if self.done:
            return
        self.done = True
        self.writer.shutdown()           # after a failure: the PNGs still queued are dropped
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
            self.finished.emit(sorted(self.written, key=lambda p: (p.suffix != ".png", p.name)))


def too_small(want, got, where: str) -> str:
    """The error of a slide size the window can't take (its panels need `got`)."""
    return (f"--size {want.width()}x{want.height()}: the window can't be that small ({where} needs at least "
            f"{max(got.width(), want.width())}x{max(got.height(), want.height())} for its panels); give a larger --size")


def export_slides(lessons, lesson, folder, progress=None, stop=None, removed: list | None = None,
                  size=None) -> list[Path]:
    """The exporter run to its end (an event loop of its own): the CLI and the tests. `stop`: asked
    every 50 ms; once it says True the export is cancelled as the window's Cancel does, and
    KeyboardInterrupt says how many slides were written (Ctrl-C on the CLI). `removed` gets the names
    of an older export's extra slides that were removed. `size`: every slide's (QSize), or the export
    fails (ValueError) at the first page whose panels need a larger window."""
    ex = SlideExporter(lessons, lesson, folder, size)
    loop = QEventLoop()
    out = {}
    ex.finished.connect(lambda files: (out.setdefault("files", files), loop.quit()))
    ex.failed.connect(lambda msg: (out.setdefault("error", msg), loop.quit()))
    if progress is not None:
        ex.progress.connect(progress)
    poll = QTimer()
    if stop is not None:
        poll.timeout.connect(lambda: ex.cancel() if stop() else None)
        poll.start(50)
    ex.start()
    if stop is not None and stop():
        ex.cancel()
    if not ex.done:
        loop.exec()
    poll.stop()
    if removed is not None:
        removed.extend(ex.removed)
    if "error" in out:
        raise ValueError(out["error"])
    if ex.cancelled:
        n = sum(p.suffix == ".png" for p in out["files"])
        raise KeyboardInterrupt(f"{n} of {len(lesson.pages)} slides were written into {ex.folder}, without slides.txt")
    return out["files"]
