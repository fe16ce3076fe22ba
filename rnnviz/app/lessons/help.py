""""What am I seeing": F1 on the focused view (or the one under the mouse), ⓘ buttons on the graph and
the tabs, Help > What am I seeing?, What's This texts, and the same texts as tooltips on the plots'
axis titles and colour bars. The texts are data: rnnviz.lessons.help_texts.HELP."""
from __future__ import annotations

import html
import re

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QCursor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QDialog, QLabel, QPushButton, QScrollArea, QToolButton, QToolTip,
                               QVBoxLayout, QWidget)

from rnnviz.app.views.eq_format import rich
from rnnviz.app.views.lazy import Lazy
from rnnviz.lessons.format import PANELS, tab_key
from rnnviz.lessons.help_texts import HELP, Help


def help_html(h: Help, link: str = "") -> str:
    e = lambda s: html.escape(s, quote=False)  # noqa: E731
    out = [f"<h3>{e(h.title)}</h3><p>{e(h.what)}</p>"]
    for name, text in (("Colours", h.colour), ("How to read it", h.read), ("Formula", h.formula)):
        if text:
            out.append(f"<p><b>{name}.</b> {e(text)}</p>")
    if link:
        out.append(f"<p><a href='{link}'>Explained in a lesson ›</a></p>")
    return rich("".join(out))   # c̃ with its tilde over the c


class HelpPopup(QDialog):
    """One non-modal window with the help text of a view; its link opens the lesson page."""

    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("What am I seeing?")
        self.setModal(False)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.label.linkActivated.connect(self._open)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # the text scrolls in a popup no taller than the window: presenting at 720p, the graph's help ran
        # past the popup's bottom and its last paragraphs and the lesson link were cut off
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.label)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.close_button = close = QPushButton("Close")
        close.clicked.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.key = ""
        self._window = window

    def show_key(self, key: str) -> None:
        h = HELP[key]
        link = f"lesson:{h.lesson[0]}#{h.lesson[1]}" if h.lesson and self._window.lessons.page_for(*h.lesson) else ""
        self.key = key
        self.label.setText(help_html(h, link))
        self._fit()
        self.show()
        self.raise_()

    def _fit(self) -> None:
        """As wide as reads well (wider with presentation fonts), as tall as the text up to the window's
        height, centred over the window."""
        win = self._window.frameGeometry()
        em = self.label.fontMetrics().averageCharWidth()
        width = int(min(max(420, 64 * em), max(win.width() - 40, 300)))
        m = self.layout().contentsMargins()
        text_w = width - m.left() - m.right() - self.scroll.verticalScrollBar().sizeHint().width()
        text_h = self.label.heightForWidth(text_w)
        chrome = m.top() + m.bottom() + self.layout().spacing() + self.close_button.sizeHint().height() + 4
        height = int(min(text_h + chrome, max(win.height() - 60, 200)))
        self.resize(width, height)
        self.move(win.center().x() - width // 2, max(win.top() + 30, win.center().y() - height // 2))

    def _open(self, link: str) -> None:
        stem, page_id = link[len("lesson:"):].split("#")
        if self._window.lessons.open_page(stem, page_id):
            self.close()


class ViewHelp(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.popup = HelpPopup(window)
        self.widgets: dict[QWidget, str] = {}
        self._watched: set = set()           # the plots' viewports whose tooltip events are looked at
        self.register()
        self.shortcut = sc = QShortcut(QKeySequence(Qt.Key.Key_F1), window)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.activated.connect(self.show_for_focus)
        # and F1 as a key no widget took: some X servers' key maps (Xvfb's) never match the shortcut,
        # as the window's keyPressEvent says of its letters and F11
        window.installEventFilter(self)
        self.tab_button = self._info_button("What am I seeing in this tab? (F1)", self.show_for_tab)
        window.tabs.setCornerWidget(self.tab_button, Qt.Corner.TopRightCorner)
        self.graph_button = self._info_button("What am I seeing in the graph? (F1)", lambda: self.show("graph"))
        self.graph_button.setParent(window.graph)
        window.graph.installEventFilter(self)
        window.graph.canvas.viewport().installEventFilter(self)   # its painted row names and legends
        self._place_graph_button()
        self._build_menu()
        # a new trace (twice a second while training: 5 ms of scanning every plot's items) in a turn of
        # its own, after the views have drawn it (views/lazy.py)
        self._lazy = Lazy(window)
        self._lazy.connect(window.state.trace_changed, self._on_trace_changed)
        window.tabs.currentChanged.connect(lambda _i: self.apply_tooltips())
        self.apply_tooltips()

    # ------------------------------------------------------------------ which widget is which view
    def register(self) -> None:
        w = self.window
        for i in range(w.tabs.count()):
            title = w.tabs.tabText(i)
            key = tab_key(title)
            if key in HELP:
                self.widgets[w.tabs.widget(i)] = key
        from PySide6.QtWidgets import QDockWidget
        for dock in w.findChildren(QDockWidget):
            key = next((k for k, t in PANELS.items() if dock.windowTitle().startswith(t)), None)
            key = {"train": "training"}.get(key, key)
            if key in HELP:
                self.widgets[dock.widget()] = key
        for widget, key in ((w.graph, "graph"), (w.sequence_panel, "sequence"), (w.model_panel, "model"),
                            (w.playback, "playback"), (w.lessons.panel, "lesson")):
            self.widgets[widget] = key
        for widget, key in self.widgets.items():
            h = HELP[key]
            widget.setWhatsThis(help_html(h))

    def key_for(self, widget: QWidget | None) -> str | None:
        while widget is not None:
            if widget in self.widgets:
                return self.widgets[widget]
            widget = widget.parentWidget()
        return None

    # ------------------------------------------------------------------ showing
    def show(self, key: str) -> None:
        self.popup.show_key(key)

    def show_for_tab(self) -> None:
        self.show(self.widgets.get(self.window.tabs.currentWidget(), "graph"))

    def show_for_focus(self) -> None:
        """F1: the focused view, else the one under the mouse, else the current tab's."""
        key = self.key_for(self.window.focusWidget())
        if key is None:
            under = QApplication.widgetAt(QCursor.pos())
            key = self.key_for(under) if under is not None and under.window() is self.window else None
        if key is None:
            return self.show_for_tab()
        self.show(key)

    def _info_button(self, tip: str, slot) -> QToolButton:
        b = QToolButton()
        b.setText("ⓘ" if b.fontMetrics().inFontUcs4(0x24D8) else "?")   # the circled i where the font has it
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(slot)
        return b

    def _place_graph_button(self) -> None:
        g, b = self.window.graph, self.graph_button
        b.adjustSize()
        b.move(g.width() - b.width() - 4, 2)
        b.raise_()
        b.show()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F1 \
                and not event.modifiers():
            self.show_for_focus()
            return True
        if obj is self.window.graph and event.type() == QEvent.Type.Resize:
            self._place_graph_button()
        elif event.type() == QEvent.Type.ToolTip and obj in self._watched:
            self._on_tooltip(obj, event)      # then the view shows the item's tooltip as usual
        elif event.type() == QEvent.Type.ToolTip and obj is self.window.graph.canvas.viewport():
            tip = graph_tooltip(self.window.graph.canvas, event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, obj)
                return True
        return False

    def _build_menu(self) -> None:
        mb = self.window.menuBar()
        help_menu = next((a.menu() for a in mb.actions() if a.text().replace("&", "") == "Help"), None)
        if help_menu is None:
            return
        first = help_menu.actions()[0] if help_menu.actions() else None
        act = help_menu.addAction("What am I seeing? (F1)", self.show_for_focus)
        sub = help_menu.addMenu("What is each view?")
        for key in dict.fromkeys(self.widgets.values()):
            sub.addAction(HELP[key].title, lambda _=False, k=key: self.show(k))
        if first is not None:
            help_menu.insertAction(first, act)
            help_menu.insertMenu(first, sub)
            help_menu.insertSeparator(first)

    # ------------------------------------------------------------------ tooltips on the plots
    def _on_trace_changed(self, _trace) -> None:
        self.apply_tooltips()

    def apply_tooltips(self) -> None:
        """The help's texts on every plot's axis titles and colour bars (a view of several plots, such as
        the gradients and their gains, says which by the axis's title). Views that build their plots later
        (the Cell panel per cell and phase, the training curves) get theirs when the mouse asks: the
        plots' viewports are watched for tooltip events."""
        for widget, key in self.widgets.items():
            h = HELP[key]
            if not (h.axes or h.colorbar or h.labels):
                continue
            for view in widget.findChildren(pg.GraphicsView):
                if view.viewport() not in self._watched:
                    self._watched.add(view.viewport())
                    view.viewport().installEventFilter(self)
                scene = view.scene()
                if scene is None:
                    continue
                for item in scene.items():
                    self._tip(item, h)

    @staticmethod
    def _tip(item, h: Help) -> None:
        tip = tooltip_for(item, h)
        if tip and item.toolTip() != tip:
            item.setToolTip(tip)

    def _on_tooltip(self, viewport, event) -> None:
        view = viewport.parentWidget()
        key = self.key_for(view)
        if key is None or not isinstance(view, pg.GraphicsView):
            return
        h = HELP[key]
        for item in view.items(event.pos()):
            while item is not None:
                self._tip(item, h)
                item = item.parentItem()


def graph_tooltip(canvas, pos) -> str:
    """The help's text for the row name or colour legend painted at `pos` of the graph ("" elsewhere)."""
    labels = HELP["graph"].labels
    for kind, text, rect in getattr(canvas, "spots", ()):
        if rect.contains(pos.x(), pos.y()):
            if kind.startswith("row:"):
                return labels.get(kind, "")
            return next((tip for key, tip in labels.items()
                         if key.startswith("legend:") and text.startswith(key[len("legend:"):])), "")
    return ""


def _plain(label: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", label or "")).strip()


def tooltip_for(item, h: Help) -> str:
    """The help text for a plot's axis or colour bar ("" for anything else)."""
    if isinstance(item, pg.ColorBarItem):
        return h.colorbar
    if not isinstance(item, pg.AxisItem):
        return ""
    if isinstance(item.parentItem(), pg.ColorBarItem):
        return h.colorbar
    label = _plain(item.labelText)
    for start, tip in h.labels.items():
        if label.startswith(start):
            return tip
    return h.axes.get(item.orientation, "")


def install_help(window) -> ViewHelp:
    window.view_help = ViewHelp(window)
    return window.view_help
