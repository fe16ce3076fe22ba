"""While a training run pushes new weights (twice a second), the panels' plots hold still: the
verdict's text changes at each push ("computing local gains…", then the numbers) and its label grew
and shrank by a line, moving the BPTT panel's plots up and down (and relaying them out: a benchmark
of the dinosaur names saw two resizes of the plots a push)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.views.bptt_common import SHRINK_AFTER_MS, verdict_label

SHORT = "↘ vanishing: the gradient from step 40 reaches step 1 as 1e−9 of itself"
LONG = SHORT + (" — the step Jacobians ‖∂s⟨t⟩/∂s⟨t−1⟩‖₂ measure … (computing local gains…); "
                "ρ(Waa) = 0.5, γ·σ_max = 0.71; the rule: under 1% of it arriving counts as vanishing")


class Resizes(QObject):
    def __init__(self):
        super().__init__()
        self.heights = []

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Resize:
            self.heights.append(event.size().height())
        return False


def panel(qtbot):
    """A verdict label above a plot-sized widget, in a panel 272 px wide (the BPTT panel's at 720p)."""
    box = QWidget()
    qtbot.addWidget(box)
    lay = QVBoxLayout(box)
    label, plot = verdict_label(), QWidget()
    plot.setMinimumHeight(100)
    lay.addWidget(label)
    lay.addWidget(plot, 1)
    box.resize(272, 500)
    box.show()
    qtbot.waitExposed(box)
    return box, label, plot


def test_the_plot_under_a_verdict_holds_still_as_its_text_changes_at_every_push(qtbot):
    box, label, plot = panel(qtbot)
    label.setText(SHORT)
    qtbot.wait(50)
    label.setText(LONG)                     # grows at once: the text must show whole
    qtbot.wait(50)
    assert label.height() >= label.heightForWidth(label.width()) > 0
    tall, top = label.height(), plot.y()
    watch = Resizes()
    plot.installEventFilter(watch)
    for _ in range(4):                      # pushes: the numbers, then "computing…" again
        label.setText(SHORT)
        qtbot.wait(100)
        label.setText(LONG)
        qtbot.wait(100)
    assert watch.heights == [] and plot.y() == top and label.height() == tall
    label.setText(SHORT)                    # the run stops: the room comes back after a moment
    qtbot.wait(SHRINK_AFTER_MS + 300)
    assert label.height() < tall and plot.y() < top
