"""`rnnviz lesson NAME --out DIR`: the lesson's slides written by a window that is never shown on a
screen (rnnviz.app.lessons.slides does the work, as the window's Lessons > Export does)."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from rnnviz.app.lessons.slides import export_slides, settle, too_small
from rnnviz.interrupts import INTERRUPTS
from rnnviz.io.atomic import check_writable_dir


def run_lesson_export(args, removed: list | None = None) -> list[Path]:
    """`rnnviz lesson NAME --out DIR`: ValueError (one line) for a bad name, lesson, size or folder;
    KeyboardInterrupt (saying what was written) after Ctrl-C. `removed` gets the names of an older
    export's extra slides that were removed."""
    m = re.fullmatch(r"(\d{3,4})x(\d{3,4})", args.size or "")
    if not m or not (640 <= int(m.group(1)) <= 3840 and 480 <= int(m.group(2)) <= 2160):
        raise ValueError(f"--size {args.size!r}: give WIDTHxHEIGHT from 640x480 to 3840x2160, e.g. 1280x720")
    with INTERRUPTS.taken() as interrupted:      # (a Ctrl-C is taken between slides: rnnviz/interrupts.py)
        return _export(args, m, interrupted, removed)


def _export(args, m, interrupted, removed) -> list[Path]:
    import sys

    from rnnviz.app.headless import Progress, ensure_app
    from rnnviz.lessons.format import LessonError, find_lesson
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
        size = QSize(int(m.group(1)), int(m.group(2)))
        window.resize(size)
        window.show()
        window.start_layout()
        settle(window)
        if window.size() != size:     # the panels' smallest window: before anything is written
            window.resize(size)
            settle(window)
            if window.size() != size:
                raise ValueError(too_small(size, window.size(), "the lesson's first page"))
        if interrupted():
            raise KeyboardInterrupt("no slides were written")
        progress = Progress(sys.stderr)
        try:
            return export_slides(window.lessons, lesson, args.out, progress, stop=interrupted, removed=removed,
                                 size=size)
        finally:
            progress.clear()
    finally:
        window.state.shutdown()
        window.close()
        window.deleteLater()
        QApplication.sendPostedEvents()
