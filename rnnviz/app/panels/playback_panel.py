"""Playback bar: start / step back / play-pause / step forward / end, the backward pass, speed, and
a timeline over the 2T places (forward t = 1..T, then backward t = T..1)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from rnnviz.app.colors import palette
from rnnviz.app.state import BACKWARD, AppState

SPEEDS = (0.5, 1, 2, 4, 8, 16, 32, 60, 120)   # steps per second


# media icons as shapes on a 24 x 24 grid: (triangles pointing right or left, bars), drawn in the
# theme's text colour so they read on light and dark backgrounds alike
_SHAPES = {
    "start": [("bar", 5), ("left", 7)],
    "back": [("left", 2), ("left", 11)],
    "play": [("right", 7)],
    "pause": [("bar", 7), ("bar", 14)],
    "forward": [("right", 3), ("right", 12)],
    "end": [("right", 5), ("bar", 16)],
}


def media_icon(kind: str, colour: str, size: int = 48) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 24, size / 24)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    for shape, x in _SHAPES[kind]:
        if shape == "bar":
            p.drawRect(QRectF(x, 5, 3, 14))
        elif shape == "right":
            p.drawPolygon(QPolygonF([QPointF(x, 5), QPointF(x + 10, 12), QPointF(x, 19)]))
        else:
            p.drawPolygon(QPolygonF([QPointF(x + 10, 5), QPointF(x, 12), QPointF(x + 10, 19)]))
    p.end()
    return QIcon(pm)


def _button(tip: str) -> QToolButton:
    b = QToolButton()
    b.setIconSize(QSize(22, 22))
    b.setToolTip(tip)
    b.setAutoRaise(False)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
    return b


class PlaybackPanel(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.start_button = _button("To the start of this pass (Home)")
        self.back_button = _button("One step back (←)")
        self.play_button = _button("Play / pause (Space)")
        self.forward_button = _button("One step forward (→)")
        self.end_button = _button("To the end of this pass (End)")
        self.backward_button = QToolButton()
        self.backward_button.setText("◂ BPTT")
        self.backward_button.setToolTip("Start backpropagation through time from step T and play it (B)")
        self.backward_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g} steps/s", float(s))
        self.speed.setToolTip("Playback speed")
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.timeline = QSlider(Qt.Orientation.Horizontal)
        self.timeline.setObjectName("timeline")
        self.timeline.setToolTip("Forward pass (left half, blue) then backward pass (right half, orange)")
        self.timeline.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.timeline.setMinimumWidth(140)
        self.step_label = QLabel()
        self.step_label.setObjectName("stepLabel")
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        phases = QHBoxLayout()
        phases.setContentsMargins(0, 0, 0, 0)
        phases.addWidget(self.step_label, 1)
        self._line = QWidget()            # the timeline and the step under it
        line = QVBoxLayout(self._line)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(0)
        line.addWidget(self.timeline)
        line.addLayout(phases)

        # one row [buttons | timeline | speed], or, when the column is narrower than that row needs
        # (F11 on a 720p projector beside a lesson and a side panel), the timeline on a row of its own
        # above the buttons: the bar never makes the window wider than the screen
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        outer.setSpacing(0)            # (the empty top row takes no room in one row)
        self._top = QHBoxLayout()
        self._row = QHBoxLayout()
        outer.addLayout(self._top)
        outer.addLayout(self._row)
        row = self._row
        for b in (self.start_button, self.back_button, self.play_button, self.forward_button, self.end_button):
            row.addWidget(b)
        row.addWidget(self.backward_button)
        row.addSpacing(8)
        row.addWidget(self._line, 1)
        self._gap = row.count()
        row.addSpacing(8)
        row.addWidget(self.speed)
        self.two_rows = False

        self.start_button.clicked.connect(state.go_start)
        self.back_button.clicked.connect(state.step_back)
        self.play_button.clicked.connect(state.toggle_play)
        self.forward_button.clicked.connect(state.step_forward)
        self.end_button.clicked.connect(state.go_end)
        self.backward_button.clicked.connect(state.start_backward)
        self.speed.currentIndexChanged.connect(lambda _: state.set_speed(self.speed.currentData()))
        self.timeline.valueChanged.connect(self._on_timeline_moved)
        state.trace_changed.connect(self._on_trace_changed)
        state.progress_changed.connect(self._on_progress_changed)
        state.step_changed.connect(self._on_step_changed)
        state.playing_changed.connect(self._on_playing_changed)
        state.speed_changed.connect(self._on_speed_changed)
        state.view_options_changed.connect(self._on_view_options_changed)
        self._on_view_options_changed(state.view_options)
        self._on_speed_changed(state.speed)
        if state.trace is not None:
            self._on_trace_changed(state.trace)
        self._on_step_changed(state.t, state.phase)

    def add_tail(self, widget: QWidget) -> None:
        """A widget at the end of the buttons' row (the window's maximise button)."""
        self._row.addWidget(widget)

    def _one_row_width(self) -> int:
        """The least width of the bar in one row."""
        m = self.layout().contentsMargins()
        w = self._row.minimumSize().width() + m.left() + m.right()
        if self.two_rows:      # (its stretch in the line's place is 0 wide)
            w += self._line.minimumSizeHint().width() + max(self._row.spacing(), 0)
        return w

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        buttons = self._one_row_width() - self._line.minimumSizeHint().width() - max(self._row.spacing(), 0)
        return QSize(min(hint.width(), max(buttons, 1)), hint.height())

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit_rows()

    def _fit_rows(self) -> None:
        two = self.width() < self._one_row_width()
        if two == self.two_rows:
            return
        self.two_rows = two
        if two:
            self._row.removeWidget(self._line)
            self._top.addWidget(self._line, 1)
            self._row.insertStretch(self._gap - 1, 1)
        else:
            self._top.removeWidget(self._line)
            stretch = self._row.itemAt(self._gap - 1)
            self._row.removeItem(stretch)
            self._row.insertWidget(self._gap - 1, self._line, 1)
        self.updateGeometry()

    def _on_view_options_changed(self, options) -> None:
        fg = palette(options.theme).foreground
        self._icons = {k: media_icon(k, fg) for k in _SHAPES}
        for b, k in ((self.start_button, "start"), (self.back_button, "back"), (self.forward_button, "forward"),
                     (self.end_button, "end")):
            b.setIcon(self._icons[k])
        self._on_playing_changed(self.state.playing)

    def _on_timeline_moved(self, value: int) -> None:
        if value != self.state.position:
            self.state.set_position(value)

    def _on_trace_changed(self, trace) -> None:
        self.timeline.blockSignals(True)
        self.timeline.setRange(0, max(self.state.n_positions - 1, 0))
        self.timeline.setPageStep(max(self.state.T // 10, 1))
        self.timeline.setValue(self.state.position)
        self.timeline.blockSignals(False)

    def _on_progress_changed(self, pos: float) -> None:
        if self.timeline.value() != int(pos):
            self.timeline.blockSignals(True)
            self.timeline.setValue(int(pos))
            self.timeline.blockSignals(False)

    def _on_step_changed(self, t: int, phase: str) -> None:
        T = self.state.T
        if T == 0:
            self.step_label.setText("no sequence yet")
            return
        arrow = "◂ backward" if phase == BACKWARD else "forward ▸"
        self.step_label.setText(f"t = {t + 1} / {T} · {arrow}")

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setIcon(self._icons["pause" if playing else "play"])

    def _on_speed_changed(self, s: float) -> None:
        i = min(range(self.speed.count()), key=lambda k: abs(self.speed.itemData(k) - s))
        self.speed.blockSignals(True)
        self.speed.setCurrentIndex(i)
        self.speed.blockSignals(False)
