"""A lesson as PNG slides: one picture of the window per page, set up as the page says, with the page's
text (and its live numbers) in the lesson panel; and slides.txt, the pages' texts as plain text.
One code path for the window (Lessons > Export this lesson as slides…) and the CLI
(`rnnviz lesson NAME --out DIR`)."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
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
    """Until the page's computation is in and every view has drawn it."""
    window.state.wait_idle()
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def export_slides(lessons, lesson, folder, progress=None) -> list[Path]:
    """Every page of `lesson` set up in lessons.window and grabbed; returns the files written. The
    window is left on the page it was on (or the lesson closed, if none was open)."""
    folder = check_writable_dir(folder)
    w, c = lessons.window, lessons.controller
    before = (c.lesson, c.index)
    lessons.open(lesson)
    written, texts = [], []
    try:
        for k, page in enumerate(lesson.pages):
            if progress is not None:
                progress(f"slide {k + 1} of {len(lesson.pages)}")
            c.go(k, cumulative=True)
            settle(w)
            path = folder / slide_name(k, page)
            write_bytes_atomic(path, _png(w.grab().toImage()))
            written.append(path)
            texts.append(f"{k + 1}. {page.title}\n\n{to_plain(page.text, c.context())}\n")
        write_text_atomic(folder / "slides.txt", f"{lesson.title}\n\n" + "\n".join(texts))
        written.append(folder / "slides.txt")
    finally:
        if before[0] is not None:
            lessons.open(before[0], before[1])
        else:
            c.close()
    return written


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
