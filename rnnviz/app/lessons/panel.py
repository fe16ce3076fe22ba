"""LessonPanel: the lesson beside the views. Without a lesson, the list of lessons (the start page);
with one, the page's title, its text with the live numbers, what it waits for, the controls it asks
for, and Back / Next (PageUp / PageDown on a presenter remote)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QScrollArea, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget)

from rnnviz.app.colors import palette
from rnnviz.app.lessons.controls import PageControls
from rnnviz.app.views.eq_format import rich
from rnnviz.lessons.text import breakable, to_html, to_inline_html


class LessonPanel(QWidget):
    open_requested = Signal(object)      # a Lesson from the list
    open_file_requested = Signal()

    def __init__(self, controller, lessons: list, parent=None, problems=()):
        super().__init__(parent)
        self.controller = controller
        self.state = controller.state
        self.stack = QStackedWidget()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.stack)
        self.stack.addWidget(self._build_list(lessons, problems))
        self.stack.addWidget(self._build_page())
        controller.lesson_changed.connect(self._on_lesson_changed)
        controller.page_changed.connect(self._on_page_changed)
        controller.refreshed.connect(self._refresh)
        self.state.view_options_changed.connect(lambda _o: self._refresh())

    # ------------------------------------------------------------------ the list
    def _build_list(self, lessons, problems=()) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QLabel("<b>Lessons</b>")
        head.setObjectName("lessonHeading")
        intro = QLabel("Each lesson sets the app up page by page, explains what you see in the notes' "
                       "words with the numbers on screen, and asks you to try things. Leave at any page: "
                       "what it set up stays.")
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.list.itemActivated.connect(self._open_item)
        self.set_lessons(lessons, problems)
        self.open_button = QPushButton("Start lesson")
        self.open_button.clicked.connect(self._open_selected)
        self.file_button = QPushButton("Open a lesson file…")
        self.file_button.clicked.connect(self.open_file_requested)
        for b in (self.open_button, self.file_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(head)
        lay.addWidget(intro)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.file_button)
        lay.addLayout(row)
        return w

    def set_lessons(self, lessons, problems=()) -> None:
        self.list.clear()
        for lesson in lessons:
            it = QListWidgetItem(f"{lesson.title}\n{lesson.summary}" if lesson.summary else lesson.title)
            it.setData(Qt.ItemDataRole.UserRole, lesson)
            it.setToolTip(f"{len(lesson.pages)} pages")
            self.list.addItem(it)
        for msg in problems:      # a lesson file the start-up check refused: named with its page and reason
            it = QListWidgetItem(f"⚠ Left out: {msg}")
            it.setFlags(Qt.ItemFlag.ItemIsEnabled)        # not selectable: nothing to start
            it.setForeground(QColor("#c0392b"))
            it.setToolTip(msg)
            self.list.addItem(it)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _open_selected(self) -> None:
        self._open_item(self.list.currentItem())

    def _open_item(self, it) -> None:
        if it is not None and it.data(Qt.ItemDataRole.UserRole) is not None:     # (not a left-out one)
            self.open_requested.emit(it.data(Qt.ItemDataRole.UserRole))

    # ------------------------------------------------------------------ a page
    def _build_page(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.lesson_title = QLabel()
        self.lesson_title.setObjectName("muted")
        self.lesson_title.setWordWrap(True)
        self.page_number = QLabel()
        self.page_number.setObjectName("muted")
        self.leave_button = QPushButton("Leave")
        self.leave_button.setToolTip("Leave the lesson; what it set up stays as it is")
        self.leave_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.leave_button.clicked.connect(self.controller.close)
        top.addWidget(self.page_number, 1)
        top.addWidget(self.leave_button)
        self.page_title = QLabel()
        self.page_title.setWordWrap(True)
        self.page_title.setObjectName("lessonPageTitle")
        for label in (self.lesson_title, self.page_title):
            label.setTextFormat(Qt.TextFormat.PlainText)     # a teacher's "<" is a character, not markup
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setObjectName("lessonText")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setFrameShape(QFrame.Shape.StyledPanel)
        self.hint.setObjectName("lessonHint")
        self.problem = QLabel()          # a weights file the page could not use, named with the reason
        self.problem.setWordWrap(True)
        self.problem.setObjectName("lessonProblem")
        self.problem.setStyleSheet("QLabel#lessonProblem { color: #c0392b; font-weight: bold; }")
        self.problem.hide()
        self.controls = PageControls(self.state)
        body = QWidget()
        blay = QVBoxLayout(body)
        blay.setContentsMargins(0, 0, 4, 0)
        blay.addWidget(self.page_title)
        blay.addWidget(self.problem)
        blay.addWidget(self.text)
        blay.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav = QHBoxLayout()
        self.back_button = QPushButton("‹ Back")
        self.next_button = QPushButton("Next ›")
        self.back_button.setToolTip("The previous page (PageUp)")
        self.next_button.setToolTip("The next page (PageDown)")
        for b in (self.back_button, self.next_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # arrow keys keep stepping the views
            nav.addWidget(b)
        self.back_button.clicked.connect(self.controller.back)
        self.next_button.clicked.connect(self.controller.next)
        lay.addLayout(top)
        lay.addWidget(self.lesson_title)
        lay.addWidget(self.scroll, 1)
        # what the page asks for and the controls to do it stay in sight below a long text (a
        # presented page at 720p had its slider or ▶ Train scrolled out of sight)
        lay.addWidget(self.hint)
        lay.addWidget(self.controls)
        lay.addLayout(nav)
        return w

    def _on_lesson_changed(self, lesson) -> None:
        self.stack.setCurrentIndex(0 if lesson is None else 1)
        if lesson is not None:
            self.lesson_title.setText(breakable(lesson.title))
        else:
            self.controls.set_controls(())

    def _on_page_changed(self, k: int) -> None:
        c = self.controller
        page = c.page
        n = len(c.lesson.pages)
        self.page_title.setText(breakable(page.title))
        self.page_number.setText(f"page {k + 1} of {n}")
        self.back_button.setEnabled(k > 0)
        self.next_button.setEnabled(k + 1 < n)
        self.next_button.setText("Next ›" if k + 1 < n else "End")
        self.controls.set_controls(page.controls)
        self.scroll.verticalScrollBar().setValue(0)
        self._refresh()

    def _refresh(self) -> None:
        c = self.controller
        if c.lesson is None:
            return
        opts = self.state.view_options
        p = palette(opts.theme)
        page = c.page
        ctx = c.context()
        self.page_title.setStyleSheet("font-weight: bold; font-size: 120%;")
        self.problem.setText(c.problem)
        self.problem.setVisible(bool(c.problem))
        self.text.setText(rich(to_html(page.text, ctx, f"color:{p.forward}; font-weight:bold")))   # c̃'s tilde on top
        if page.wait is None:
            self.hint.setVisible(bool(page.hint))
            self.hint.setText(rich(to_html(page.hint, ctx)) if page.hint else "")
            self.hint.setStyleSheet("")
        else:
            self.hint.show()
            sign = "✓ " if c.done else "▶ "
            tail = " Next ›" if c.done and c.index + 1 < len(c.lesson.pages) else ""
            self.hint.setText(f"<b>{sign}</b>" + rich(to_inline_html(page.hint, ctx)) + (f"<b>{tail}</b>" if tail else ""))
            colour = p.forward if not c.done else "#2e8b57"
            self.hint.setStyleSheet(f"QLabel#lessonHint {{ border: 2px solid {colour}; padding: 6px; }}")

    # ------------------------------------------------------------------ for tests and slides
    def plain_text(self) -> str:
        from PySide6.QtGui import QTextDocument
        doc = QTextDocument()
        doc.setHtml(self.text.text())
        return doc.toPlainText()
