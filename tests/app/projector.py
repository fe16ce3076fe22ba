"""The window as `python main.py` opens it, at a projector's size (offscreen): every view and panel
installed, shown, and its columns sized as run_app does."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QStyleOptionComboBox, QTabBar


def open_window(qtbot, width: int = 1280, height: int = 720, text: str | None = None):
    from rnnviz.app import theme
    from rnnviz.app.main_window import build_window
    from rnnviz.app.state import AppState

    theme.apply_app_theme(QApplication.instance(), AppState().view_options)
    w = build_window(text)
    w.state.async_threshold = float("inf")
    qtbot.addWidget(w)
    w.resize(width, height)
    w.show()
    qtbot.waitExposed(w)
    if hasattr(w, "start_layout"):
        w.start_layout()
    else:  # the layout of earlier versions (so these tests can show what they catch there)
        w.remember_default_layout()
        w.size_columns()
    settle(qtbot)
    return w


def settle(qtbot, ms: int = 30) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def press(qtbot, w, key) -> None:
    """A key pressed in the window as a user would (the shortcut, or the window's own fallback)."""
    qtbot.keyClick(w.graph.canvas, key)
    settle(qtbot)


def column_widths(w) -> list[int]:
    return [d.width() for d in [w.input_dock, w._side_docks[0]] if d.isVisible()]


def combo_field_width(c: QComboBox) -> int:
    opt = QStyleOptionComboBox()
    c.initStyleOption(opt)
    return c.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                    QStyle.SubControl.SC_ComboBoxEditField, c).width()


def widest_item(c: QComboBox) -> int:
    fm = c.fontMetrics()
    return max(fm.horizontalAdvance(c.itemText(i)) for i in range(c.count()))


def tab_bars(w) -> list[QTabBar]:
    """The plot tabs' bar and the side docks' shared bar (QMainWindow keeps a spare bar or two)."""
    titles = {d.windowTitle() for d in w._side_docks}
    docks = [b for b in w.findChildren(QTabBar) if b.parent() is w and b.isVisible() and b.count()
             and b.tabText(0) in titles]
    return [w.tabs.tabBar()] + docks
