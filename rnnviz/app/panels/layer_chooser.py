"""LayerChooser: which layer and direction a per-layer view explains, as a row of small widgets.

A layer combo box (layer 1 (bottom) … layer L (top); optionally "all layers", which only the view
owning the chooser sees) and → / ← buttons for a bidirectional model. Choosing calls
AppState.select(layer, direction), so every per-layer view (the equations, the Cell tab, the heatmap,
the Gradients tab, the BPTT panel) follows, as they follow a click on the graph; the widgets follow
state.selection back with their signals blocked. Parts that offer no choice (one layer, one
direction) are hidden.
"""
from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

ALL = -1          # the combo's data for "all layers"


class LayerChooser(QWidget):
    changed = Signal()          # the user chose (or the model on screen changed what can be chosen)

    def __init__(self, state, all_layers: bool = False, directions: bool = True, parent: QWidget | None = None):
        """all_layers: offer "all layers" too; directions: offer → / ← (False: the view shows both)."""
        super().__init__(parent)
        self.state = state
        self._offer_dirs = directions
        self._offer_all = all_layers
        self._all = False
        self._suppressed = False
        self.label = QLabel("Layer")
        self.layer = QComboBox()
        self.layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer.setToolTip("Which layer this view explains (the graph's click on a layer chooses it too)")
        self.buttons: dict[int, QToolButton] = {}
        group = QButtonGroup(self)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.label)
        lay.addWidget(self.layer)
        for d, (text, tip) in enumerate((("→", "the forward direction a→⟨t⟩ (reads left to right)"),
                                         ("←", "the backward direction a←⟨t⟩ (reads right to left)"))):
            b = QToolButton()
            b.setText(text)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setObjectName("kind")
            group.addButton(b)
            self.buttons[d] = b
            lay.addWidget(b)
            b.clicked.connect(lambda _=False, d=d: self._choose(direction=d))
        lay.addStretch(1)
        self._layers = 0
        self.layer.currentIndexChanged.connect(lambda _i: self._choose(layer=self.layer.currentData()))
        state.trace_changed.connect(lambda _t: self._sync())
        state.selection_changed.connect(lambda _s: self._sync())
        self._sync()

    @property
    def all_layers(self) -> bool:
        """True when "all layers" is chosen (only offered when asked for)."""
        return self._all

    def set_all_layers(self, on: bool) -> None:
        """Choose "all layers" (on) or the selected layer again (the combo box does this)."""
        if self._offer_all and on != self._all:
            self._all = on
            self._sync()
            self.changed.emit()

    def set_suppressed(self, on: bool) -> None:
        """Never shown (a view drawn as a figure on its own, as the CLI does)."""
        if on != self._suppressed:
            self._suppressed = on
            self._sync()

    def _choose(self, layer: int | None = None, direction: int | None = None) -> None:
        sel = self.state.selection
        if layer == ALL:
            self._all = True
            self._sync()
            self.changed.emit()
            return
        was_all, self._all = self._all, False
        layer = sel.layer if layer is None else int(layer)
        direction = sel.direction if direction is None else int(direction)
        if (layer, direction) != (sel.layer, sel.direction):
            self.state.select(layer, direction)      # selection_changed -> _sync; the views follow it
        elif was_all:
            self._sync()
        self.changed.emit()

    def _sync(self) -> None:
        tr = self.state.trace
        spec = tr.spec if tr is not None else None
        layers = spec.layers if spec is not None else 1
        dirs = spec.dirs if spec is not None and self._offer_dirs else 1
        sel = self.state.selection
        with QSignalBlocker(self.layer):
            if layers != self._layers or self.layer.count() != layers + self._offer_all:
                self.layer.clear()
                for l in range(layers):
                    where = " (bottom)" if l == 0 and layers > 1 else (" (top)" if l == layers - 1 and layers > 1 else "")
                    self.layer.addItem(f"{l + 1}{where}", l)
                if self._offer_all:
                    self.layer.addItem("all layers", ALL)
                self._layers = layers
            self.layer.setCurrentIndex(self.layer.findData(ALL if self._all else min(sel.layer, layers - 1)))
        for d, b in self.buttons.items():
            with QSignalBlocker(b):
                b.setChecked(d == sel.direction)
            b.setVisible(dirs == 2)
            b.setEnabled(not self._all)
        several = layers > 1 or self._offer_all and dirs > 1
        self.label.setVisible(several)
        self.layer.setVisible(several)
        self.setVisible((several or dirs > 1) and not self._suppressed)
