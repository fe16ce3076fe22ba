"""What the window says and remembers about files (issue 13, items 14 and 23): exports confirm what
they wrote in the status bar, file dialogs open where the last one of their kind went (also after a
restart), right-clicks reuse one menu, and values near 1e308 print no RuntimeWarning."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from rnnviz.app.main_window import build_window
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.graph_view import GraphView


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: pytest.fail(a[2])))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: pytest.fail(a[2])))
    return tmp_path / "home"


def _window(qtbot):
    w = build_window("hello world")
    qtbot.addWidget(w)
    w.state.async_threshold = float("inf")
    return w


class Dialogs:
    """Answers the file dialogs and records the folder each one opened in."""

    def __init__(self, monkeypatch):
        self.opened_in: list[str] = []
        self.answer = ""
        for name in ("getSaveFileName", "getOpenFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self._file))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(self._folder))

    def _file(self, parent, title, start, *a, **k):
        self.opened_in.append(str(start) if Path(start).is_dir() else str(Path(start).parent))
        return str(self.answer), ""

    def _folder(self, parent, title, start, *a, **k):
        self.opened_in.append(str(start))
        return str(self.answer)


def _right_click(view):
    w = view.figure_widget()
    QApplication.sendEvent(w, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(30, 30),
                                                w.mapToGlobal(QPoint(30, 30))))
    menu = view.context_menu
    menu.hide()
    return menu


def test_right_clicks_reuse_one_menu(qtbot, home):
    w = _window(qtbot)
    _right_click(w.graph)
    before = len(w.findChildren(QMenu))
    menus = {id(_right_click(w.graph)) for _ in range(5)}
    assert len(menus) == 1 and len(w.findChildren(QMenu)) == before  # one QMenu leaked per click before


def test_a_right_click_export_says_where_it_wrote(qtbot, home, tmp_path, monkeypatch):
    w = _window(qtbot)
    d = Dialogs(monkeypatch)
    d.answer = tmp_path / "figs" / "my graph.png"
    d.answer.parent.mkdir()
    menu = _right_click(w.graph)
    next(a for a in menu.actions() if a.text() == "Export as PNG…").trigger()
    assert d.answer.is_file()
    assert w.statusBar().currentMessage() == f"Saved {d.answer}"
    # the next figure export opens in that folder, in this window and after a restart
    next(a for a in _right_click(w.heatmap).actions() if a.text() == "Export as SVG…").trigger()
    w.close()
    again = _window(qtbot)
    next(a for a in _right_click(again.losses).actions() if a.text() == "Export data as CSV…").trigger()
    assert d.opened_in == [str(Path.home()), str(d.answer.parent.resolve()), str(d.answer.parent.resolve())]


def test_copy_image_says_so(qtbot, home):
    w = _window(qtbot)
    next(a for a in _right_click(w.graph).actions() if a.text() == "Copy image").trigger()
    assert "to the clipboard" in w.statusBar().currentMessage()


def test_export_all_and_the_animation_confirm_and_remember_the_folder(qtbot, home, tmp_path, monkeypatch):
    w = _window(qtbot)
    d = Dialogs(monkeypatch)
    d.answer = tmp_path / "slides"
    w.file_actions.actions["export_all"].trigger()
    n = len(list(d.answer.iterdir()))
    assert n > 0 and w.statusBar().currentMessage() == f"Exported {n} files into {d.answer}"
    d.answer = tmp_path / "slides" / "anim.gif"
    from rnnviz.app.export_anim import AnimOptions

    monkeypatch.setattr("rnnviz.app.file_actions.ask_animation_options", lambda *a: AnimOptions())  # dialog: OK
    w.file_actions.actions["export_anim"].trigger()
    assert d.answer.is_file() and w.statusBar().currentMessage() == f"Saved the animation to {d.answer}"
    assert d.opened_in == [str(Path.home()), str((tmp_path / "slides").resolve())]


def test_session_and_weights_dialogs_open_where_the_last_ones_went(qtbot, home, tmp_path, monkeypatch):
    w = _window(qtbot)
    d = Dialogs(monkeypatch)
    (tmp_path / "lessons").mkdir()
    d.answer = tmp_path / "lessons" / "week1.rnnviz"
    w.file_actions.actions["save_as"].trigger()
    assert w.statusBar().currentMessage() == f"Saved the session to {d.answer}"
    (tmp_path / "nets").mkdir()
    d.answer = tmp_path / "nets" / "params.npz"
    from rnnviz.io.weights import save_params

    save_params(d.answer, w.state.trace.params)
    w.file_actions.actions["import"].trigger()
    assert "Imported the weights of" in w.statusBar().currentMessage()
    w.close()
    again = _window(qtbot)
    d.opened_in.clear()
    d.answer = ""  # the user cancels both dialogs: only where they opened matters
    again.file_actions.actions["open"].trigger()
    again.file_actions.actions["import"].trigger()
    assert d.opened_in == [str((tmp_path / "lessons").resolve()), str((tmp_path / "nets").resolve())]


def test_values_near_the_float_limit_print_no_runtime_warning(qtbot, home):
    s = AppState(Config(source="0 1e308 -1e308 1", kind="numbers", hidden=4))
    s.async_threshold = float("inf")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        s.set_config(s.config)
        v = GraphView(s)
        qtbot.addWidget(v)
        v.resize(900, 400)
        v.show()
        qtbot.waitExposed(v)
        for p in range(s.n_positions):
            s.set_position(p)
            QApplication.processEvents()
    assert [str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)] == []
