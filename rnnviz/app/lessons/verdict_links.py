"""The verdict's reasons, each linked to the lesson page that explains it: a line under the verdict in
the Backprop through time panel ("Explained in: Pascanu's bound › · tanh saturation ›")."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from rnnviz.lessons.topics import TOPICS, explaining_pages, topic_of


class VerdictLinks(QLabel):
    def __init__(self, lessons, panel):
        super().__init__()
        self.lessons = lessons
        self.state = panel.state
        self.setObjectName("verdictLinks")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.linkActivated.connect(self._open)
        self.links: list[tuple[str, str, int]] = []     # (reason, lesson name, page index) shown
        panel.layout().insertWidget(panel.layout().indexOf(panel.verdict_label) + 1, self)
        self.state.trace_changed.connect(self._update)
        self.state.gains_changed.connect(self._update)
        self._update(self.state.trace)

    def _update(self, trace) -> None:
        from rnnviz.core.diagnostics import verdict
        self.links = []
        if trace is None:
            self.setText("")
            return
        pages = explaining_pages(self.lessons.lessons)
        parts = []
        for reason in verdict(trace).reasons:
            topic = topic_of(reason)
            if topic in pages:
                lesson, k = pages[topic]
                self.links.append((reason, lesson.name, k))
                title = html.escape(TOPICS[topic].split(":")[0])
                parts.append(f"<a href='lesson:{lesson.name}#{k}'>{title} ›</a>")
        self.setText("Explained in a lesson: " + " · ".join(dict.fromkeys(parts)) if parts else "")
        self.setToolTip("\n".join(f"{r} → {n}, page {k + 1}" for r, n, k in self.links))
        self.setVisible(bool(parts))

    def _open(self, link: str) -> None:
        name, k = link[len("lesson:"):].split("#")
        for lesson in self.lessons.lessons:
            if lesson.name == name:
                self.lessons.open(lesson, int(k))
                return
