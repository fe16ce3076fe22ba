"""install_lessons(window): the Lessons menu, the lesson panel (a dock beside the views, sharing the
input column), PageUp / PageDown for a presenter remote, the highlights, and opening a user's
lesson file. The built-in lessons are checked here, at start, against what this window has."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from rnnviz.app.lessons.controller import LessonController, find_panel, find_tab
from rnnviz.app.lessons.highlight import Highlight
from rnnviz.app.lessons.panel import LessonPanel
from rnnviz.lessons.format import (CONTROLS, HIGHLIGHTS, PANELS, TABS, Capabilities, LessonError,
                                   builtin_paths, load_lesson)


def capabilities(window) -> Capabilities:
    """What this window has that a lesson may name."""
    panels = frozenset(k for k in PANELS if find_panel(window, k) is not None)
    return Capabilities(
        tabs=frozenset(k for k in TABS if find_tab(window, k) is not None), panels=panels,
        highlights=frozenset(h for h in HIGHLIGHTS if h in panels or h not in PANELS),
        controls=frozenset(c for c in CONTROLS if c != "train" or getattr(window.state, "training", None) is not None))


class _LeaveOnClose(QObject):
    """Closing the lesson panel (its ×, or View > Panels) leaves the lesson, as Leave does: it ran on
    hidden, its highlights stayed, and PageDown turned its unseen pages (changing the model)."""

    def __init__(self, dock, controller):
        super().__init__(dock)
        self.controller = controller
        dock.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close and self.controller.lesson is not None:
            self.controller.close()
        return False


class Lessons:
    """The window's lessons: what install_lessons put in, for the menu, the tests and the slides."""

    def __init__(self, window):
        self.window = window
        self.caps = capabilities(window)
        self.lessons, self.problems = [], []
        for p in builtin_paths():
            try:
                self.lessons.append(load_lesson(p, self.caps))
            except LessonError as e:      # a broken built-in lesson is left out, and said so
                self.problems.append(str(e))
        self.controller = LessonController(window)
        self.panel = LessonPanel(self.controller, self.lessons, problems=self.problems)
        self.highlight = Highlight(window)
        self.dock = window._dock(self.panel, "Lesson", Qt.DockWidgetArea.LeftDockWidgetArea)
        # F11 puts the input column away, and the lesson column with it unless a lesson is open (the list
        # alone beside a presented graph left the heatmap a line high at 1280 x 720): see _on_lesson
        self.dock.setProperty("staysWhilePresenting", False)
        window.tabifyDockWidget(window.input_dock, self.dock)
        self.dock.hide()
        self._leave_on_close = _LeaveOnClose(self.dock, self.controller)
        self.panel.open_requested.connect(self.open)
        self.panel.open_file_requested.connect(self.ask_open_file)
        self.controller.page_changed.connect(self._on_page)
        self.controller.lesson_changed.connect(self._on_lesson)
        self._build_menu()
        # PageDown / PageUp (a presenter remote's buttons) turn the pages while a lesson is open;
        # shortcuts, so they win over the graph and the scroll areas, which would scroll
        self.remote = []
        for key, slot in ((Qt.Key.Key_PageDown, self.controller.next), (Qt.Key.Key_PageUp, self.controller.back)):
            sc = QShortcut(QKeySequence(key), window)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)
            sc.setEnabled(False)
            self.remote.append(sc)
        self._side_hidden = False
        window.state.view_options_changed.connect(lambda _o: self._fit_presenting())
        if self.problems:
            window.statusBar().showMessage("Lesson left out: " + self.problems[0], 15000)

    # ------------------------------------------------------------------ menu
    def _build_menu(self) -> None:
        w = self.window
        mb = w.menuBar()
        help_action = next((a for a in mb.actions() if a.text().replace("&", "") == "Help"), None)
        self.menu = w.menuBar().addMenu("&Lessons")
        if help_action is not None:
            mb.insertMenu(help_action, self.menu)
        self.menu.addAction("Lesson list", self.show_list)
        self.menu.addSeparator()
        for lesson in self.lessons:
            self.menu.addAction(lesson.title, lambda _=False, le=lesson: self.open(le))
        self.menu.addSeparator()
        self.menu.addAction("Open a lesson file…", self.ask_open_file)
        self.export_action = self.menu.addAction("Export this lesson as slides…", self.ask_export)
        self.leave_action = self.menu.addAction("Leave the lesson", self.controller.close)
        for a in (self.export_action, self.leave_action):
            a.setEnabled(False)

    # ------------------------------------------------------------------ opening
    def show_list(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def open(self, lesson, page: int = 0) -> None:
        self.show_list()
        self.controller.open(lesson, page)

    def open_file(self, path) -> bool:
        """Open a user's lesson file; a clear message (the page and the reason) when it is refused."""
        try:
            lesson = load_lesson(path, self.caps)
        except LessonError as e:
            QMessageBox.warning(self.window, "This lesson can't be opened", str(e))
            return False
        self.open(lesson)
        return True

    def ask_open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a lesson", str(Path.home()),
                                              "Lessons (*.json *.toml);;All files (*)")
        if path:
            self.open_file(path)

    def ask_export(self) -> None:
        """Lessons > Export this lesson as slides…: the pages set up one after another without blocking
        the window (the status bar counts them), then where they went."""
        from rnnviz.app.lessons.slides import SlideExporter
        lesson = self.controller.lesson
        if lesson is None or getattr(self, "exporter", None) is not None:
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Export the lesson's slides into", str(Path.home()))
        if not folder:
            return
        try:
            ex = SlideExporter(self, lesson, folder)
        except ValueError as e:
            QMessageBox.warning(self.window, "The slides were not written", str(e))
            return
        sb = self.window.statusBar()
        self.exporter = ex
        self.export_action.setEnabled(False)
        ex.progress.connect(lambda msg: sb.showMessage(f"Exporting the slides: {msg}…"))
        # the window shows each page as it is grabbed: a window-modal progress with Cancel keeps the
        # user's clicks and keys from turning the pages or moving the step under it, from the start (a
        # PageDown before a delayed dialog showed turned the page, and the export waited for its page)
        n = len(lesson.pages)
        dlg = QProgressDialog(f"Exporting {n} slides of {lesson.title}…", "Cancel", 0, n, self.window)
        dlg.setWindowTitle("Export slides")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setValue(0)
        self.export_dialog = dlg
        dlg.canceled.connect(ex.cancel)
        ex.advanced.connect(lambda k, _n: dlg.setValue(k) if not ex.done else None)

        def done(files=None, error=None):
            self.exporter = self.export_dialog = None
            dlg.canceled.disconnect(ex.cancel)
            dlg.close()
            dlg.deleteLater()
            self.export_action.setEnabled(self.controller.lesson is not None)
            if error:
                QMessageBox.warning(self.window, "The slides were not written", error)
            elif ex.cancelled:
                sb.showMessage(f"Export cancelled: {len(files)} of {n} slides written into {folder}", 8000)
            else:
                from rnnviz.app.lessons.slide_files import removed_note
                sb.showMessage(f"Wrote {len(files) - 1} slides and slides.txt into {folder}"
                               + removed_note(ex.removed), 8000)
        ex.finished.connect(lambda files: done(files=files))
        ex.failed.connect(lambda msg: done(error=msg))
        ex.start()

    def page_for(self, name: str, page_id: str):
        """(lesson, page index) of a built-in lesson's page by its id, or None."""
        for lesson in self.lessons:
            if lesson.name == name:
                k = lesson.page_of(page_id)
                return (lesson, k) if k is not None else None
        return None

    def open_page(self, name: str, page_id: str) -> bool:
        found = self.page_for(name, page_id)
        if found is not None:
            self.open(*found)
        return found is not None

    # ------------------------------------------------------------------ page changes
    def targets(self, names) -> list:
        w = self.window
        from rnnviz.app.views.bptt_panel import BPTTPanel
        bptt = w.findChild(BPTTPanel)
        table = {"graph": w.graph, "tabs": w.tabs, "model": w.model_panel, "sequence": w.sequence_panel,
                 "playback": w.playback, "controls": self.panel.controls,
                 "verdict": getattr(bptt, "verdict_label", None)}
        out = []
        for n in names:
            if n in table:
                out.append(table[n])
            else:
                dock = find_panel(w, n)
                out.append(dock.widget() if dock is not None else None)
        return out

    def _on_page(self, _k: int) -> None:
        self.highlight.show_on(self.targets(self.controller.page.highlight))
        self._fit_presenting()

    def _fit_presenting(self) -> None:
        """Presenting a lesson at 720p leaves room for the graph, the lesson and one more column: the
        side panels are shown only on the pages that set one up (and come back afterwards)."""
        w, page = self.window, self.controller.page
        presenting = w.state.view_options.presentation and page is not None
        wants = page is not None and bool(page.panel)
        hide = presenting and not wants
        if hide and not self._side_hidden:
            self._side_hidden = True
            for d in w._side_docks:
                d.hide()
        elif not hide and self._side_hidden:
            self._side_hidden = False
            for d in w._side_docks:
                d.show()
            target = find_panel(w, page.panel) if page is not None and page.panel else None
            (target or w._side_docks[0]).raise_()

    def _on_lesson(self, lesson) -> None:
        self.dock.setProperty("staysWhilePresenting", lesson is not None)
        for a in (self.export_action, self.leave_action):
            a.setEnabled(lesson is not None)
        for sc in self.remote:
            sc.setEnabled(lesson is not None)       # without a lesson the keys scroll as usual
        if lesson is None:
            self.highlight.clear()
            self._fit_presenting()


def install_lessons(window) -> Lessons:
    from rnnviz.app.lessons.help import install_help
    from rnnviz.app.lessons.verdict_links import VerdictLinks
    from rnnviz.app.views.bptt_panel import BPTTPanel

    window.lessons = Lessons(window)
    panel = window.findChild(BPTTPanel)
    if panel is not None:
        window.lessons.verdict_links = VerdictLinks(window.lessons, panel)
    install_help(window)
    return window.lessons
