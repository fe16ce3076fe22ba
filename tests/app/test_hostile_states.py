"""Hostile states found in QA: every view must paint them without an exception.

PySide6 only prints an exception raised inside paint(); rendering each widget to a QImage makes
pytest-qt turn it into a test failure.
"""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from rnnviz.app import colors
from rnnviz.app.state import AppState, Config
from rnnviz.app.views.bptt_panel import BpttPanel
from rnnviz.app.views.graph_view import GraphView
from rnnviz.app.views.gradient_view import GradientView
from rnnviz.app.views.heatmap_view import HiddenHeatmapView
from rnnviz.app.views.loss_view import LossView
from rnnviz.app.views.output_view import OutputView

VIEWS = (HiddenHeatmapView, OutputView, LossView, GradientView, GraphView, BpttPanel)
# ReLU with rho(Waa) = 5: a<t> grows to ~1e308 before it overflows to inf at step 234
OVERFLOW = Config(source="0.5 " * 900, kind="numbers", hidden=16, activation="relu", radius=5.0)


def test_signed_limit_keeps_the_span_finite():
    lim = colors.signed_limit(np.array([-1.4e308, 3.0, np.inf]))
    assert np.isfinite(2 * lim) and lim > 1e299


@pytest.mark.parametrize("cls", VIEWS, ids=lambda c: c.__name__)
def test_views_paint_values_near_the_float_limit(qtbot, cls):
    state = AppState(OVERFLOW)
    state.async_threshold = float("inf")
    state.set_config(state.config)
    tr = state.trace
    assert not tr.finite and np.nanmax(np.abs(tr.a[np.isfinite(tr.a)])) > 1e307
    view = cls(state)
    qtbot.addWidget(view)
    view.resize(1100, 500)
    for pos in (0, tr.first_nonfinite, state.n_positions - 3):
        state.set_position(pos)
        img = QImage(view.size(), QImage.Format.Format_ARGB32)
        view.render(img)


def test_graph_from_a_short_series_to_a_long_text_zoomed_out(qtbot):
    """The numbers' input line must not outlive its trace (it indexed past its end for the text)."""
    state = AppState(Config(source="0.1 0.5 0.9 " * 100, kind="numbers", hidden=8))
    state.async_threshold = float("inf")
    state.set_config(state.config)
    view = GraphView(state)
    qtbot.addWidget(view)
    view.resize(1100, 500)
    view.fit_all()
    img = QImage(view.size(), QImage.Format.Format_ARGB32)
    view.render(img)
    state.update_config(source="abcdefghij" * 200, kind="text")
    view.fit_all()
    view.render(img)
    assert state.T == 1999
