"""Export from the window: the right-click menu's actions, PNG at a scale, SVG, CSV, clipboard,
export all (the BPTT animation: test_export_anim.py)."""
from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.app import export
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.graph_view import GraphView
from rnnviz.app.views.heatmap_view import HiddenHeatmapView


@pytest.fixture
def state(qtbot):
    s = AppState(Config(source="hello world", hidden=6))
    s.async_threshold = float("inf")
    s.set_config(s.config)
    return s


@pytest.fixture
def heatmap(state, qtbot):
    v = HiddenHeatmapView(state)
    qtbot.addWidget(v)
    v.resize(600, 360)
    return v


@pytest.fixture
def graph(state, qtbot):
    v = GraphView(state)
    qtbot.addWidget(v)
    v.resize(900, 400)
    return v


def dark_fraction(img):
    px = np.asarray(img.convert("L"))
    return (px < 100).mean()


def test_png_is_drawn_at_the_scale_not_resampled(heatmap, tmp_path):
    export.save_png(heatmap, tmp_path / "a1.png", 1.0)
    export.save_png(heatmap, tmp_path / "a2.png", 2.0)
    one, two = Image.open(tmp_path / "a1.png"), Image.open(tmp_path / "a2.png")
    assert two.size == (2 * one.size[0], 2 * one.size[1]) == (1200, 720)
    assert dark_fraction(two) > 0.001 and np.asarray(two.convert("L")).std() > 10


def test_context_menu_offers_every_export(heatmap):
    acts = export.install_figure_menu(heatmap)
    menu = export.build_context_menu(heatmap)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:3] == ["Export as PNG…", "Export as SVG…", "Export data as CSV…"]
    assert "Copy image" in texts
    assert export.install_figure_menu(heatmap) is acts  # idempotent


@pytest.mark.parametrize("fmt", ["png", "svg", "csv"])
def test_menu_actions_write_the_chosen_file(heatmap, state, tmp_path, monkeypatch, fmt):
    target = tmp_path / f"fig.{fmt}"
    chosen = {"png": "PNG image at 2x, for slides and print (*.png)", "svg": export.SVG_FILTER,
              "csv": export.CSV_FILTER}[fmt]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), chosen))
    export.install_figure_menu(heatmap)["png" if fmt == "png" else fmt].trigger()
    assert target.is_file()
    if fmt == "png":
        assert Image.open(target).size == (1200, 720)
    elif fmt == "svg":
        root = ET.parse(target).getroot()
        assert any(e.text == heatmap.figure_title for e in root.iter() if e.tag.endswith("title"))
    else:
        rows = list(csv.reader(open(target, encoding="utf-8")))
        assert len(rows) > 1 and len(rows[0]) == len(rows[1])


def test_failed_export_shows_a_message_and_writes_nothing(heatmap, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(blocker / "x.png"), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    export.install_figure_menu(heatmap)["png"].trigger()
    assert len(shown) == 1 and "does not exist" in shown[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_copy_image_puts_the_figure_on_the_clipboard(heatmap):
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().clear()
    export.install_figure_menu(heatmap)["copy"].trigger()
    img = QGuiApplication.clipboard().image()
    assert not img.isNull() and img.width() >= heatmap.width()


def test_export_all_writes_every_view(heatmap, graph, tmp_path):
    written = export.export_all([heatmap, graph], tmp_path / "figs", 1.0)
    names = sorted(p.name for p in written)
    assert names == sorted(f"{n}.{e}" for n in ("hidden_states", "graph") for e in ("png", "svg", "csv"))


def test_export_all_cancel_stops(heatmap, graph, tmp_path):
    written = export.export_all([heatmap, graph], tmp_path, 1.0, progress=lambda i, n: i < 2)
    assert len(written) == 2


def test_a_slow_png_is_encoded_while_the_window_goes_on_painting(heatmap, tmp_path, monkeypatch, qtbot):
    """A 4x poster's PNG took 1.4 s to encode on the GUI thread: the window froze (the monkey in CI).
    It is encoded in a thread now; the window's timers (its heartbeat, playback) tick meanwhile, user
    input waits, and the file is there when the action returns."""
    import time

    from PySide6.QtCore import QTimer

    real = export.image_png_bytes

    def slow(img):
        time.sleep(0.4)                      # as a poster's encoding takes
        return real(img)

    monkeypatch.setattr(export, "image_png_bytes", slow)
    target = tmp_path / "poster.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "PNG image at 4x, posters (*.png)"))
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    export.install_figure_menu(heatmap)["png"].trigger()
    during = len(ticks)
    timer.stop()
    assert target.is_file() and Image.open(target).size == (2400, 1440)
    assert during >= 3                       # the event loop ran while the PNG was encoded
