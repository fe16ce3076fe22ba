"""Figures out of the window: any FigureView to PNG (at a scale), SVG, CSV or the clipboard, the
right-click menu that offers them, "export all figures" and the BPTT animation (export_anim.py).

One code path: the window's menus, File > Export all figures and the headless CLI all call
render_image / save_png / save_svg / save_csv here. Every file is written atomically.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, QPoint, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QGuiApplication, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QWidget

from rnnviz.app import colors
from rnnviz.app.settings import announce, remember_folder, start_folder
from rnnviz.app.views.lazy import Lazy, bring_up_to_date
from rnnviz.io.atomic import check_writable_dir, write_atomic
from rnnviz.io.tables import write_csv

MAX_PIXELS = 16384
# the page is filled with the theme's background, so the widget's grey window colour is left out
CHILDREN_ONLY = QWidget.RenderFlag.DrawChildren  # longest side of an exported PNG (Qt's raster limit is 32767)


def background_color(view) -> QColor:
    """The themed page colour: white in the light theme, the dark panel colour in the dark one."""
    state = getattr(view, "state", None)
    theme = getattr(getattr(state, "view_options", None), "theme", "light")
    return QColor((colors.DARK if theme == "dark" else colors.LIGHT).background)


def prepare(view, size: QSize | None = None) -> QWidget:
    """The widget to render, laid out at `size` (default: its current size) even if never shown."""
    bring_up_to_date(view)           # a view behind another tab redraws when shown (views/lazy.py): now
    w = view.figure_widget()
    if size is not None and w.size() != size:
        w.resize(size)
    if not w.isVisible() and w.window() is w:
        # lay it out like a shown window without putting anything on screen
        w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        w.show()
    w.ensurePolished()
    if w.layout() is not None:
        w.layout().activate()
    QApplication.processEvents()
    return w


def render_image(view, scale: float = 1.0, size: QSize | None = None) -> QImage:
    """The figure as an image of scale*w x scale*h pixels: drawn at `scale`, not resampled."""
    if not scale > 0:
        raise ValueError(f"the scale must be positive, not {scale}")
    w = prepare(view, size)
    W, H = round(w.width() * scale), round(w.height() * scale)
    if max(W, H) > MAX_PIXELS:
        raise ValueError(f"{W} x {H} pixels is too large; use a smaller scale (at most {MAX_PIXELS} a side)")
    img = QImage(max(W, 1), max(H, 1), QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(background_color(view))
    p = QPainter(img)
    p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                     | QPainter.RenderHint.SmoothPixmapTransform)
    p.scale(scale, scale)  # vector scaling: text and lines stay crisp
    w.render(p, QPoint(0, 0), QRegion(), CHILDREN_ONLY)
    p.end()
    return img


def image_png_bytes(img: QImage) -> bytes:
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise ValueError("the image could not be encoded as PNG")
    buf.close()
    return bytes(ba.data())


def while_the_window_paints(fn):
    """fn() in a thread while the GUI thread goes on painting and ticking its timers (user input waits
    until it returns: nothing can close the figure meanwhile); its result, or its exception raised here.
    A 4x poster's PNG took 1.4 s to encode on the GUI thread (the monkey in CI); QImage.save lets go
    of the interpreter lock. Without an application (or outside the GUI thread): fn() itself."""
    app = QApplication.instance()
    if app is None or threading.current_thread() is not threading.main_thread():
        return fn()
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the caller as raised
            out["error"] = e

    worker = threading.Thread(target=run, name="rnnviz-png", daemon=True)
    worker.start()
    worker.join(0.05)                 # a small figure is done by now: no event loop at all
    if worker.is_alive():
        loop = QEventLoop()
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: worker.is_alive() or loop.quit())
        timer.start()
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        timer.stop()
        worker.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def save_png(view, path: str | os.PathLike, scale: float = 1.0, size: QSize | None = None) -> Path:
    img = render_image(view, scale, size)            # (drawing needs the GUI thread; encoding doesn't)

    def encode_and_write() -> Path:
        data = image_png_bytes(img)
        return write_atomic(path, lambda tmp: tmp.write_bytes(data))

    return while_the_window_paints(encode_and_write)


def save_svg(view, path: str | os.PathLike, size: QSize | None = None) -> Path:
    """A vector SVG with the figure's title and a description (heatmaps stay embedded images)."""
    w = prepare(view, size)

    def writer(tmp: Path) -> None:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(w.size())
        gen.setViewBox(QRectF(0, 0, w.width(), w.height()))
        gen.setTitle(getattr(view, "figure_title", "rnnviz figure"))
        gen.setDescription(_description(view))
        p = QPainter()
        if not p.begin(gen):
            raise OSError(f"can't write the SVG file {path}")
        p.fillRect(QRectF(0, 0, w.width(), w.height()), background_color(view))
        w.render(p, QPoint(0, 0), QRegion(), CHILDREN_ONLY)
        p.end()

    return write_atomic(path, writer)


def _description(view) -> str:
    state = getattr(view, "state", None)
    c = getattr(state, "config", None)
    if c is None:
        return "rnnviz figure"
    return (f"rnnviz: {c.source[:60]!r}, n_a = {c.hidden}, {c.activation}, {c.architecture}, "
            f"spectral radius {c.radius:g}, seed {c.seed}")


def save_csv(view, path: str | os.PathLike) -> Path:
    bring_up_to_date(view)
    header, rows = view.figure_csv()
    return write_csv(path, header, rows)


def copy_image(view, scale: float | None = None) -> QImage:
    """Put the figure on the clipboard at the screen's pixel ratio."""
    if scale is None:
        screen = QGuiApplication.primaryScreen()
        scale = screen.devicePixelRatio() if screen is not None else 1.0
    img = render_image(view, scale)
    QGuiApplication.clipboard().setImage(img)
    return img


def export_all(views, folder: str | os.PathLike, scale: float = 1.0, formats=("png", "svg", "csv"),
               size: QSize | None = None, progress=None) -> list[Path]:
    """Every view into `folder` as <figure_name>.png/.svg/.csv. progress(i, n) -> False cancels."""
    d = check_writable_dir(folder)
    jobs = [(v, f) for v in views for f in formats]
    written = []
    for i, (v, fmt) in enumerate(jobs):
        if progress is not None and progress(i, len(jobs)) is False:
            break
        target = d / f"{v.figure_name}.{fmt}"
        if fmt == "png":
            written.append(save_png(v, target, scale, size))
        elif fmt == "svg":
            written.append(save_svg(v, target, size))
        elif fmt == "csv":
            try:
                written.append(save_csv(v, target))
            except NotImplementedError:
                continue
    return written


# ---------------------------------------------------------------------- the right-click menu
PNG_FILTERS = {"PNG image at 2x, for slides and print (*.png)": 2.0,
               "PNG image at 1x, screen size (*.png)": 1.0,
               "PNG image at 4x, posters (*.png)": 4.0}
SVG_FILTER = "SVG vector drawing (*.svg)"
CSV_FILTER = "CSV table, the data behind the figure (*.csv)"


def _start_path(view, suffix: str) -> str:
    """In the folder the previous figure export went to (kept across runs), else the home folder."""
    return str(Path(start_folder("figures")) / f"{view.figure_name}.{suffix}")


def _with_suffix(path: str, suffix: str) -> Path:
    p = Path(path)
    return p if p.suffix.lower() == f".{suffix}" else p.with_name(p.name + f".{suffix}")


def _fail(parent, title: str, err: Exception) -> None:
    QMessageBox.warning(parent, title, f"{err}\n\nNothing was written.")


def export_with_dialog(view, fmt: str, parent=None) -> Path | None:
    """Ask where to save, then write PNG/SVG/CSV; failures show a message box. Returns the path."""
    parent = parent or view.figure_widget()
    titles = {"png": "Export figure as PNG", "svg": "Export figure as SVG", "csv": "Export data as CSV"}
    filters = {"png": ";;".join(PNG_FILTERS), "svg": SVG_FILTER, "csv": CSV_FILTER}[fmt]
    path, chosen = QFileDialog.getSaveFileName(parent, titles[fmt], _start_path(view, fmt), filters)
    if not path:
        return None
    target = _with_suffix(path, fmt)
    from rnnviz.app.gains import wait_for_gains
    if not wait_for_gains(getattr(view, "state", None), parent):   # the whole figure, gains included
        announce(parent, "Export cancelled: nothing was written")
        return None
    try:
        if fmt == "png":
            save_png(view, target, PNG_FILTERS.get(chosen, 2.0))
        elif fmt == "svg":
            save_svg(view, target)
        else:
            save_csv(view, target)
    except (ValueError, OSError, NotImplementedError) as e:
        _fail(parent, titles[fmt], e if not isinstance(e, NotImplementedError)
              else ValueError(f"the {view.figure_title} has no table to export"))
        return None
    remember_folder("figures", target)
    announce(parent, f"Saved {target}")
    return target


def reset_view(view) -> None:
    """Zoom every plot of the figure back to show everything (what pyqtgraph's own menu offered)."""
    if hasattr(view, "fit_all"):
        view.fit_all()
        return
    import pyqtgraph as pg
    for vb in view.figure_widget().findChildren(pg.GraphicsView):
        for item in vb.scene().items():
            if isinstance(item, pg.ViewBox):
                item.enableAutoRange()


def _quiet_pyqtgraph_menus(widget) -> None:
    """pyqtgraph opens its own menu on right-click; ours replaces it (one export code path)."""
    import pyqtgraph as pg
    views = widget.findChildren(pg.GraphicsView)
    if isinstance(widget, pg.GraphicsView):
        views.append(widget)
    for gv in views:
        scene = gv.scene()
        if hasattr(scene, "contextMenu"):
            scene.contextMenu = []
        for item in scene.items():
            if isinstance(item, pg.ViewBox):
                item.setMenuEnabled(False)


def build_context_menu(view, parent=None) -> QMenu:
    menu = QMenu(parent or view.figure_widget())
    for key in ("png", "svg", "csv"):
        menu.addAction(view.export_actions[key])
    menu.addSeparator()
    menu.addAction(view.export_actions["copy"])
    menu.addAction(view.export_actions["reset"])
    return menu


def install_context_menu(view, parent=None) -> dict[str, QAction]:
    """Right-click anywhere on the figure: Export as PNG…, SVG…, CSV…, Copy image, Reset view.

    The actions are kept as view.export_actions (tests trigger them directly). Idempotent.
    """
    if getattr(view, "export_actions", None):
        return view.export_actions
    w = view.figure_widget()
    acts = {
        "png": QAction("Export as PNG…", w), "svg": QAction("Export as SVG…", w),
        "csv": QAction("Export data as CSV…", w), "copy": QAction("Copy image", w),
        "reset": QAction("Reset view", w),
    }
    for key in ("png", "svg", "csv"):
        acts[key].triggered.connect(lambda _=False, k=key: export_with_dialog(view, k, parent))
    acts["copy"].triggered.connect(lambda: _copy_or_warn(view, parent))
    acts["reset"].triggered.connect(lambda: reset_view(view))
    view.export_actions = acts
    _quiet_pyqtgraph_menus(w)
    state = getattr(view, "state", None)
    if state is not None and hasattr(state, "trace_changed"):
        # plots made on new data: once they are, in the view's own turn when it has one (views/lazy.py)
        lazy = getattr(view, "_lazy", None)
        if not isinstance(lazy, Lazy):
            lazy = w._menus_lazy = Lazy(w)
        lazy.connect(state.trace_changed, lambda _tr: _quiet_pyqtgraph_menus(w))

    def show_menu(pos):
        _quiet_pyqtgraph_menus(w)
        if getattr(view, "context_menu", None) is None:  # one menu per figure, shown again and again
            view.context_menu = build_context_menu(view, parent)
        view.context_menu.popup(w.mapToGlobal(pos))

    w.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    w.customContextMenuRequested.connect(show_menu)
    return acts


def _copy_or_warn(view, parent) -> None:
    try:
        copy_image(view)
    except ValueError as e:
        _fail(parent or view.figure_widget(), "Copy image", e)
        return
    what = getattr(view, "figure_title", "figure")
    announce(parent or view.figure_widget(), f"Copied the {what} to the clipboard")


# the name the window and the brief use for the right-click installer
install_figure_menu = install_context_menu
