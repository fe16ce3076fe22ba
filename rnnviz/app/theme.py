"""Light and dark themes, presentation mode, and the shared look of every pyqtgraph plot.

The application palette and style sheet come from `apply_app_theme`; plots (which pyqtgraph draws
itself) are styled by `style_plot` from each view's `_on_view_options_changed` slot, so the window
and an offscreen export look the same.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDockWidget, QGroupBox, QLabel, QMainWindow,
                               QStatusBar, QTabBar)

from rnnviz.app.colors import Palette, palette

BASE_POINT_SIZE = 10.0        # never smaller: teachers project this
PRESENTATION_SCALE = 1.45     # presentation mode: everything larger for the back row


def point_size(options, scale: float = 1.0) -> float:
    """Font size in points for text drawn in plots, given AppState.view_options."""
    base = BASE_POINT_SIZE * (PRESENTATION_SCALE if getattr(options, "presentation", False) else 1.0)
    return round(base * scale, 1)


def plot_font(options, scale: float = 1.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(point_size(options, scale))
    f.setBold(bold)
    return f


def mono_family() -> str:
    return "DejaVu Sans Mono, Noto Sans Mono, Menlo, Consolas, monospace"


def qpalette(p: Palette) -> QPalette:
    pal = QPalette()
    bg, panel, fg = QColor(p.background), QColor(p.panel), QColor(p.foreground)
    muted, accent = QColor(p.muted), QColor(p.forward)
    for role, colour in (
        (QPalette.ColorRole.Window, panel), (QPalette.ColorRole.WindowText, fg),
        (QPalette.ColorRole.Base, bg), (QPalette.ColorRole.AlternateBase, panel),
        (QPalette.ColorRole.ToolTipBase, bg), (QPalette.ColorRole.ToolTipText, fg),
        (QPalette.ColorRole.Text, fg), (QPalette.ColorRole.Button, panel),
        (QPalette.ColorRole.ButtonText, fg), (QPalette.ColorRole.Highlight, accent),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")), (QPalette.ColorRole.Link, accent),
        (QPalette.ColorRole.PlaceholderText, muted), (QPalette.ColorRole.Mid, QColor(p.grid)),
    ):
        pal.setColor(role, colour)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return pal


def style_sheet(p: Palette) -> str:
    """Small, readable style: roomy group boxes, clear tabs, the timeline groove in two phases.
    No font sizes here (they come from the application font, see apply_app_theme). Qt measures a
    rule's em when it polishes the widget: the widgets of the rules in em are listed in EM_SIZED."""
    return f"""
    QGroupBox {{ font-weight: bold; border: 1px solid {p.grid}; border-radius: 6px;
                 margin-top: 1.1em; padding: 0.6em 0.5em 0.4em 0.5em; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 0.7em; padding: 0 0.3em; }}
    QTabWidget::pane {{ border: 1px solid {p.grid}; top: -1px; }}
    QTabBar::tab {{ padding: 0.35em 0.5em; border: 1px solid {p.grid}; border-bottom: none;
                    border-top-left-radius: 5px; border-top-right-radius: 5px; background: {p.panel}; }}
    QTabBar::tab:selected {{ background: {p.background}; font-weight: bold; }}
    QLabel#inputError {{ color: {p.danger}; font-weight: bold; }}
    QLabel#muted {{ color: {p.muted}; }}
    QLabel#stepLabel {{ font-weight: bold; }}
    QSlider#timeline::groove:horizontal {{ height: 10px; border-radius: 5px;
        background: qlineargradient(x1:0, y1:0, x2:1, y2:0, stop:0 {p.forward}, stop:0.499 {p.forward},
                                    stop:0.501 {p.backward}, stop:1 {p.backward}); }}
    QSlider#timeline::handle:horizontal {{ background: {p.accent}; border: 2px solid {p.background};
        width: 18px; margin: -6px 0; border-radius: 9px; }}
    QDockWidget::title {{ padding: 0.3em 0.6em; font-weight: bold; }}
    QStatusBar QLabel {{ padding: 0 0.6em; }}
    QToolButton#kind:checked, QPushButton:checked {{ background: {p.forward}; color: white; }}
    """


EM_SIZED = (QGroupBox, QTabBar, QDockWidget)   # the style sheet's rules in em (and QStatusBar QLabel)


def _widgets(app: QApplication, classes) -> list:
    """The widgets of these classes in every shown window (found by Qt, not by a Python loop over all).
    Hidden top-level widgets are left out: every menu, combo-box popup and dialog the app ever made is
    one, and wrapping all their children for Python took most of a second after a long session (a
    hidden dialog's em paddings are computed again when Qt polishes it as it is shown)."""
    found = {}
    for top in app.topLevelWidgets():
        if not top.isVisible():
            continue
        for cls in classes:
            if isinstance(top, cls):
                found[top] = None
            found.update(dict.fromkeys(top.findChildren(cls)))
    return list(found)


def _after_font_change(app: QApplication) -> None:
    """What a new application style sheet did besides the fonts, for the few widgets that need it:
    the widgets whose rules are in em are polished again (Qt keeps the rules, paddings and margins
    included, that it computed at the widget's last polish), and told of a style change, as Qt does
    when it repolishes; so are combo boxes (a font change resets a QComboBox's size hint but not its
    minimum size hint, and a column sized by that would cut its choices)."""
    style = app.style()
    em = _widgets(app, EM_SIZED)
    em += [lab for bar in _widgets(app, (QStatusBar,)) for lab in bar.findChildren(QLabel)]
    for w in em:
        style.unpolish(w)
        style.polish(w)
    for w in em + _widgets(app, (QComboBox,)):
        QApplication.sendEvent(w, QEvent(QEvent.Type.StyleChange))
        w.updateGeometry()


def app_font(options) -> QFont:
    """The application's font for AppState.view_options: the platform's family at our size."""
    f = QApplication.font()
    f.setPointSizeF(point_size(options))
    return f


SHEET_PROPERTY = "rnnviz_style_sheet"


def window_sheet() -> str:
    """The style sheet a new window takes (apply_app_theme's, for the theme in use)."""
    app = QApplication.instance()
    sheet = app.property(SHEET_PROPERTY) if app is not None else None
    return sheet or ""


def apply_app_theme(app: QApplication, options) -> None:
    """Palette, style sheet and base font of the whole application for AppState.view_options.

    The style sheet is set on each window (and dialog made without a parent), not on the application:
    a new application style sheet repolishes every widget the application ever made, pyqtgraph's
    some 900 hidden menu widgets of its plots' options included (0.24 s of a theme's 0.45 s); a
    window's repolishes its own widgets and the dialogs it parents (0.06-0.08 s).

    The font size reaches the widgets through QApplication.setFont, never through the style sheet:
    a new application style sheet re-parses and repolishes every widget (0.5-0.9 s here, each F11).
    An application style sheet also stops Qt's font propagation from a window to its children
    (widgets styled by a sheet only follow the sheet's fonts), and QApplication.setFont tells only
    the windows; the font is therefore also set for every QWidget by class, which sends the change
    to each widget itself: each keeps what its style sheet rule or its own setFont says (bold, a
    scale of the app font) and takes the new size from the app font."""
    p = palette(options.theme)
    if app.property("rnnviz_style") != "Fusion":   # setting it again repolishes every widget (0.2-0.3 s)
        app.setStyle("Fusion")  # the same look everywhere, and palettes are honoured
        app.setProperty("rnnviz_style", "Fusion")
    app.setPalette(qpalette(p))                    # (the same palette again costs nothing)
    sheet = style_sheet(p)
    app.setProperty(SHEET_PROPERTY, sheet)
    if app.styleSheet():                            # (the sheet is the windows', not the application's)
        app.setStyleSheet("")
    for top in app.topLevelWidgets():
        if isinstance(top, (QMainWindow, QDialog)) and top.styleSheet() != sheet:
            top.setStyleSheet(sheet)
    f = app_font(options)
    if f != app.font() or f != QApplication.font("QWidget"):
        app.setFont(f)
        app.setFont(f, "QWidget")
        _after_font_change(app)


def no_si_prefix(ax: pg.AxisItem) -> None:
    """No automatic SI prefix on an axis ("(x1e+27)" on an exploding value; our axes carry no units).
    pyqtgraph's prefix also re-renders the axis label's HTML at every range change, shown or not
    (0.3-0.6 ms each, some 300 per F11 and one per axis at each x step of the training plots)."""
    # (not enableAutoSIPrefix(False): it works out a prefix once more from the range the axis has then,
    # and keeps it: an axis styled at its first range, 0 to 1, said 1000 to 10000 for steps 1 to 10
    # ever after, the Influence map's among them)
    ax.autoSIPrefix = False
    if ax.autoSIPrefixScale != 1.0 or ax.labelUnitPrefix:      # a prefix it had worked out before
        ax.autoSIPrefixScale = 1.0
        ax.labelUnitPrefix = ""
        ax._updateLabel()


def style_plot(plot: pg.PlotItem, options, title: str | None = None) -> Palette:
    """Axis colours, fonts and the title of a pyqtgraph PlotItem; returns the palette used."""
    p = palette(options.theme)
    font = plot_font(options, 0.95)
    for name in ("left", "bottom", "right", "top"):
        ax = plot.getAxis(name)
        no_si_prefix(ax)
        ax.setPen(pg.mkPen(p.muted))
        ax.setTextPen(pg.mkPen(p.foreground))
        ax.setStyle(tickFont=font, tickTextOffset=4)
        ax.label.setFont(font)
        if ax.labelText:
            ax.setLabel(ax.labelText, units=ax.labelUnits, color=p.foreground)
    if title is not None:
        plot.setTitle(title, color=p.foreground, size=f"{point_size(options, 1.2)}pt", bold=True)
    return p


def style_layout_widget(widget: pg.GraphicsLayoutWidget, options) -> Palette:
    p = palette(options.theme)
    widget.setBackground(p.background)
    return p


def style_colorbar(bar: pg.ColorBarItem, options, label: str) -> Palette:
    """Tick text, frame and label of a vertical pyqtgraph ColorBarItem (its label sits on the left axis)."""
    p = palette(options.theme)
    font = plot_font(options, 0.9)
    for name in ("left", "right", "top", "bottom"):
        ax = bar.getAxis(name)
        no_si_prefix(ax)
        ax.setPen(pg.mkPen(p.muted))
        ax.setTextPen(pg.mkPen(p.foreground))
        ax.setStyle(tickFont=font)
        ax.label.setFont(font)
    bar.getAxis("left").setLabel(label, color=p.foreground)
    # reserve room for the widest tick ("−0.5") so a narrow window never clips it
    from PySide6.QtGui import QFontMetrics

    bar.getAxis("right").setWidth(QFontMetrics(font).horizontalAdvance("−0.55") + 14)
    return p
