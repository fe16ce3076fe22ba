"""File > Export animation…: what the animation shows, asked before where to save it.

Three choices, the same as the CLI's --gif-passes, --gif-content and --gif-frames (both end in
rnnviz.app.export_anim.AnimOptions): which passes, what is drawn beside the graph, and at most how
many frames. A line below says what that gives for the current sequence (frames, seconds, pixels).
The last choices are kept for the next export in this session of the app.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox,
                               QVBoxLayout)

from rnnviz.app.export_anim import (DEFAULT_FRAMES, MAX_FRAMES, MIN_FRAMES, AnimOptions, frame_durations,
                                    frame_positions)

PASS_CHOICES = (("backward", "Backward pass (BPTT), t = T … 1"), ("forward", "Forward pass, t = 1 … T"),
                ("both", "Both: forward, then backward"))
CONTENT_CHOICES = (("graph", "The graph only"), ("full", "Graph + Gradients plot + verdict"))
_last: list[AnimOptions] = []   # the previous export's choices


class AnimationDialog(QDialog):
    def __init__(self, state, parent=None, options: AnimOptions | None = None):
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Export BPTT animation")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        lay.addLayout(form)
        self.passes = QComboBox()
        for key, text in PASS_CHOICES:
            self.passes.addItem(text, key)
        form.addRow("&Animate:", self.passes)
        self.content = QComboBox()
        for key, text in CONTENT_CHOICES:
            self.content.addItem(text, key)
        form.addRow("&Show:", self.content)
        self.frames = QSpinBox()
        self.frames.setRange(MIN_FRAMES, MAX_FRAMES)
        self.frames.setSuffix(" frames")
        self.frames.setToolTip("Longer sequences are sampled evenly; fewer frames make a smaller, quicker file")
        form.addRow("At &most:", self.frames)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

        o = options or AnimOptions()
        self.passes.setCurrentIndex(max(self.passes.findData(o.passes), 0))
        self.content.setCurrentIndex(max(self.content.findData(o.content), 0))
        self.frames.setValue(o.max_frames)
        for w in (self.passes, self.content):
            w.currentIndexChanged.connect(self._update_summary)
        self.frames.valueChanged.connect(self._update_summary)
        self._update_summary()

    def options(self) -> AnimOptions:
        return AnimOptions(self.passes.currentData(), self.content.currentData(), self.frames.value())

    def _update_summary(self) -> None:
        o = self.options()
        pos = frame_positions(self.state.T, o)
        seconds = sum(frame_durations(pos)) / 1000
        size = o.size
        sampled = " (steps sampled evenly)" if len(pos) < self.state.T * (2 if o.passes == "both" else 1) else ""
        self.summary.setText(f"{len(pos)} frames{sampled}, about {seconds:.0f} s, "
                             f"{size.width()} × {size.height()} pixels.")


def ask_animation_options(state, parent=None) -> AnimOptions | None:
    """Show the dialog; the chosen AnimOptions, or None when cancelled."""
    dlg = AnimationDialog(state, parent, _last[0] if _last else AnimOptions(max_frames=DEFAULT_FRAMES))
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        _last[:] = [dlg.options()]
        return _last[0]
    finally:
        dlg.deleteLater()
