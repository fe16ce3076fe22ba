"""install_layer_views(window): the per-layer side panel "Cell" (views/gate_view.py), closed at first and
opened in front when a click on the graph picks another layer-direction (the graph calls state.select),
or from View > Panels."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer

from rnnviz.app.views.gate_view import CellView

CELL_TITLE = "Cell"


class _ClickWatch(QObject):
    """Knows whether a click is under way on the graph, so that a selection made by that click (and
    not by a chooser, a new model or a session) shows the Cell tab. The graph selects on the release
    (a drag is no click), which this filter sees before the graph does: the click ends once the
    release has been handled."""

    def __init__(self, parent):
        super().__init__(parent)
        self.pressed = False

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            self.pressed = True
        elif event.type() == QEvent.Type.MouseButtonRelease:
            QTimer.singleShot(0, self._release)
        return False

    def _release(self) -> None:
        self.pressed = False


def install_layer_views(window) -> dict:
    st = window.state
    cell = CellView(st)
    dock = window.add_side_panel(cell, CELL_TITLE)
    # closed until asked for (a click on a cell node, View > Panels): a third tab would widen the right
    # column past what a 1280 x 720 window can give without turning the graph into bands
    dock.setProperty("closed_by_default", True)     # Reset layout closes it again (window_layout.reset)
    dock.hide()
    window.window_layout.fit_columns()
    window.cell_view, window.cell_dock = cell, dock
    watch = _ClickWatch(window)
    canvas = getattr(window.graph, "canvas", window.graph)
    for w in {canvas, getattr(canvas, "viewport", lambda: canvas)()}:
        w.installEventFilter(watch)
    last = {"trace": st.trace, "selection": st.selection}

    def on_selection(sel) -> None:
        same_model = st.trace is last["trace"]
        if watch.pressed and same_model and sel != last["selection"]:
            dock.show()
            dock.raise_()
        last.update(trace=st.trace, selection=sel)

    st.selection_changed.connect(on_selection)
    return {"cell": cell}
