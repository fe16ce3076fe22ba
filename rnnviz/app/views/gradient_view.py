"""GradientView: how big the gradient is at every step, on a log axis, and why it shrinks or grows.

For the selected layer-direction (the chooser above the plot, the graph's click; or all layers at
once): top, ||dL/da<t>|| (total loss) and ||dL<T>/da<t>|| (last step's loss); for the LSTM also
||dL/dc<t>|| and ||dL<T>/dc<t>|| along the cell state; beside them what bounds or carries the
gradient: for the vanilla cell Pascanu et al.'s envelope (gamma sigma_max)^(T-t) scaled to start at
||dL<T>/da<T>|| (top layer), for a gated cell the running product of its keep gates along the direct
path (the LSTM's forget gates, the GRU's z), scaled to the gradient it starts from
(rnnviz.core.gradients.gate_path). Bottom: the step gain ||ds<t>/ds<t-1>||_2 with, for the vanilla
cell, gamma*sigma_max(W_hh), rho(W_hh) and 1 drawn in. "All layers" draws every layer-direction's
gradient (of the loss that flows back) as its own curve, solid → and dashed ←. Below: the verdict of
the selected layer-direction in words and, when clipping is on, the global gradient norm before and
after clipping. A cursor line follows the timeline (smoothly while playing); in the backward phase
the steps the gradient has reached are shaded. An encoder-decoder's encoder and decoder steps are
parted by a line.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.app.panels.layer_chooser import LayerChooser

from rnnviz.app import flow as F
from rnnviz.app.colors import palette
from rnnviz.app.state import BACKWARD
from rnnviz.app.theme import plot_font, point_size, style_layout_widget, style_plot
from rnnviz.app.views.base import FigureView
from rnnviz.app.views.lazy import Lazy
from rnnviz.app.views.bptt_common import (clip_html, cursor_x, esc, log10_limits, positive_or_nan,
                                          setup_log_plot, verdict_html, verdict_label)
from rnnviz.app.views.plot_fit import PlotFitter
from rnnviz.core import diagnostics as D
from rnnviz.core.trace import GAINS_PENDING
from rnnviz.app.views.quantities import where as layer_where
from rnnviz.io.tables import gradients_table

CURVES = ("da", "da_last", "dc", "dc_last", "envelope", "path", "gain")
NAMES = {
    "da": "‖∂L/∂a⟨t⟩‖ (total L)",
    "da_last": "‖∂L⟨T⟩/∂a⟨t⟩‖ (last step)",
    "dc": "‖∂L/∂c⟨t⟩‖ (total L)",
    "dc_last": "‖∂L⟨T⟩/∂c⟨t⟩‖",
    "envelope": "bound (γσ_max)^(T−t)",
    "path": "direct path: Π keep gates",
    "gain": "gain ‖∂s⟨t⟩/∂s⟨t−1⟩‖₂",
    "sigma": "γ·σ_max(W_hh)",
    "rho": "ρ(W_hh)",
}
PATH_NAMES = {"lstm": "Π Γf along c (best unit)", "gru": "Π z along a (best unit)"}


def curve_name(k: str, spec) -> str:
    """The legend's name of curve k in the model's own symbols: the notes' a and Waa for their one
    vanilla layer, the state (a, or a and c) and PyTorch's W_hh for every other model."""
    name = NAMES[k]
    if spec is None:
        return name
    if k == "path":
        return PATH_NAMES.get(spec.cell, name)
    state = "(a,c)" if spec.cell == "lstm" else "a"
    if k == "gain":
        return f"gain ‖∂{state}⟨t⟩/∂{state}⟨t−1⟩‖₂"
    if k in ("sigma", "rho") and spec.notes_naming:
        return name.replace("W_hh", "Waa")
    return name


MAX_LAYER_CURVES = 8        # 4 layers x 2 directions


def _titles(where: str) -> tuple[str, tuple[str, ...]]:
    """The plot's title and its shorter wordings for a narrow plot (a GIF's 640 px), escaped."""
    return (esc("Gradient size going back through time (log scale)" + where),
            (esc("Gradient size back through time (log)" + where), esc("Gradient size (log)" + where)))


class GradientView(QWidget, FigureView):
    figure_title = "Gradient size through time"

    @property
    def figure_name(self) -> str:
        return "gradients_all_layers" if getattr(self, "all_layers", False) else "gradients"

    def show_all_layers(self, on: bool) -> None:
        """Every layer-direction's gradient as its own curve (on), or the selected one's picture."""
        self.chooser.set_all_layers(on)

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.data: dict[str, np.ndarray] = {}
        self.verdict: D.Verdict | None = None
        self.layer_ref: tuple[int, int] = (0, 0)      # the layer-direction drawn
        self.all_layers = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.chooser = LayerChooser(state, all_layers=True)
        self.chooser.changed.connect(lambda: self._on_trace_changed(self.state.trace))
        lay.addWidget(self.chooser)
        self._figure = QWidget()                     # what exports draw: the plots and the verdict
        fig = QVBoxLayout(self._figure)
        fig.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._figure, 1)
        self.canvas = pg.GraphicsLayoutWidget()
        fig.addWidget(self.canvas, 1)
        self.verdict_label = verdict_label()
        fig.addWidget(self.verdict_label)

        # the legend has its own column right of the plots, so it never hides a curve and costs no height
        self.legend = pg.LegendItem(colCount=1, verSpacing=-4)
        self.plot = self.canvas.addPlot(row=0, col=0)
        self.gain_plot = self.canvas.addPlot(row=1, col=0)
        self.canvas.addItem(self.legend, row=0, col=1, rowspan=2)
        self.canvas.ci.layout.setRowStretchFactor(0, 5)   # the gradient curves get most of the height
        self.canvas.ci.layout.setRowStretchFactor(1, 2)
        self.gain_plot.setXLink(self.plot)
        for p in (self.plot, self.gain_plot):
            setup_log_plot(p)
            p.vb.setMouseEnabled(x=True, y=False)
            p.getAxis("left").setWidth(70)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        self.plot.setLabel("left", "‖gradient‖")
        self.gain_plot.setLabel("left", "gain")
        self.gain_plot.setLabel("bottom", "time step t")
        self.fitter = PlotFitter(self.canvas, [(self.plot, "left", "‖gradient‖"), (self.gain_plot, "left", "gain")],
                                 title_plot=self.plot, lower=(self.gain_plot, 0.3, 36),
                                 legend=self.legend)

        self.curves = {k: self.plot.plot() for k in ("da", "da_last", "dc", "dc_last", "envelope", "path")}
        for k in ("gain", "sigma", "rho"):
            self.curves[k] = self.gain_plot.plot()
        # all layers: one gradient curve (and one gain curve) per layer-direction
        self.layer_curves = [self.plot.plot() for _ in range(MAX_LAYER_CURVES)]
        self.layer_gains = [self.gain_plot.plot() for _ in range(MAX_LAYER_CURVES)]
        self.layer_labels: list[str] = []
        for c in list(self.curves.values()) + self.layer_curves + self.layer_gains:
            # long traces: about two points per pixel column (peaks kept)
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        self.one_line = pg.InfiniteLine(angle=0, pos=0.0)
        self.gain_plot.addItem(self.one_line)
        self.reached = pg.LinearRegionItem(movable=False)
        self.reached.setZValue(-10)
        self.plot.addItem(self.reached, ignoreBounds=True)
        # the shading says what it is at its edge (a legend row for it cost the LSTM's legend its one column)
        self.reached_label = pg.InfLineLabel(self.reached.lines[0], text="reached", position=0.07,
                                             anchors=[(0.0, 0.5), (0.0, 0.5)])
        self.cursors = [pg.InfiniteLine(angle=90) for _ in range(2)]
        self.bad_lines = [pg.InfiniteLine(angle=90, label=" ", labelOpts={"position": 0.85}) for _ in range(2)]
        for p, c, b in zip((self.plot, self.gain_plot), self.cursors, self.bad_lines):
            p.addItem(c, ignoreBounds=True)
            p.addItem(b, ignoreBounds=True)
        self.empty_text = pg.TextItem("", anchor=(0.5, 0.5))
        self.plot.addItem(self.empty_text, ignoreBounds=True)
        # an encoder-decoder: where the encoder's steps end and the decoder's begin
        self.segment_lines = [pg.InfiniteLine(angle=90, label="", labelOpts={"position": 0.95})
                              for _ in (self.plot, self.gain_plot)]
        for p, ln in zip((self.plot, self.gain_plot), self.segment_lines):
            p.addItem(ln, ignoreBounds=True)
        self.silent_text = pg.TextItem("", anchor=(1.0, 0.0))   # where the L<T> curve would start
        self.plot.addItem(self.silent_text, ignoreBounds=True)
        self.gains_text = pg.TextItem("", anchor=(0.5, 0.5))    # "computing local gains…" until they arrive
        self.gain_plot.addItem(self.gains_text, ignoreBounds=True)
        self.gains_text.setVisible(False)
        self.canvas.scene().sigMouseClicked.connect(self._on_click)

        self._lazy = Lazy(self)     # hidden behind another tab or panel: redrawn when shown (views/lazy.py)
        self._lazy.connect(state.trace_changed, self._on_trace_changed)
        self._lazy.connect(state.selection_changed, self._follow_selection_changed)
        self._lazy.connect(state.config_changed, self._on_config_changed)
        self._lazy.connect(state.step_changed, self._on_step_changed)
        self._lazy.connect(state.progress_changed, self._on_progress_changed)
        self._lazy.connect(state.clip_changed, self._on_clip_changed)   # a method: disconnected when the view is deleted
        self._lazy.connect(state.gains_changed, self._on_gains_changed)    # the local gains came in
        self._lazy.connect(state.gains_progress, self._on_gains_progress)
        self._lazy.connect(state.view_options_changed, self._on_view_options_changed, restyle=True)
        self._on_view_options_changed(state.view_options)
        self._on_trace_changed(state.trace)

    # ------------------------------------------------------------------ slots

    def _follow_selection_changed(self, *_) -> None:   # bound: Qt drops it with the widget (a lambda outlived
        self._on_selection_changed()   # the views an export or a new model deleted)

    def _on_view_options_changed(self, options) -> None:
        p = style_layout_widget(self.canvas, options)
        style_plot(self.plot, options)
        style_plot(self.gain_plot, options)
        title, shorter = _titles("")
        self.fitter.set_title(title, options, shorter)
        wide = 4 if options.presentation else 3
        self._pens = {
            "da": pg.mkPen(p.forward, width=wide),
            "da_last": pg.mkPen(p.backward, width=wide),
            "dc": pg.mkPen(p.target, width=wide),
            "dc_last": pg.mkPen(p.target, width=wide - 1, style=Qt.PenStyle.DashLine),
            "envelope": pg.mkPen(p.foreground, width=2, style=Qt.PenStyle.DashLine),
            "path": pg.mkPen(p.foreground, width=2, style=Qt.PenStyle.DashDotLine),
            "gain": pg.mkPen(p.target, width=wide - 1),
            "sigma": pg.mkPen(p.foreground, width=2, style=Qt.PenStyle.DotLine),    # not the bound's dashes
            "rho": pg.mkPen(p.accent, width=2, style=Qt.PenStyle.DashDotLine),
        }
        for k, c in self.curves.items():
            c.setPen(self._pens[k])
        self._layer_colours = (p.forward, p.target, p.backward, p.accent)
        self._wide = wide
        self.legend.opts["labelTextColor"] = pg.mkColor(p.foreground)
        self.legend.opts["labelTextSize"] = f"{point_size(options, 0.9)}pt"
        self._fill_legend()
        self.one_line.setPen(pg.mkPen(p.muted, width=1.5, style=Qt.PenStyle.DotLine))
        for c in self.cursors:
            c.setPen(pg.mkPen(p.accent, width=3))
        for b in self.bad_lines:
            b.setPen(pg.mkPen(p.danger, width=3, style=Qt.PenStyle.DashLine))
            b.label.setColor(p.danger)
            b.label.setFont(plot_font(options, 1.0, bold=True))
        for ln in self.segment_lines:
            ln.setPen(pg.mkPen(p.muted, width=2, style=Qt.PenStyle.DashDotLine))
            ln.label.setColor(p.muted)
            ln.label.setFont(plot_font(options, 0.9, bold=True))
        self.empty_text.setColor(p.danger)
        self.empty_text.setFont(plot_font(options, 1.1, bold=True))
        self.silent_text.setColor(p.backward)
        self.silent_text.setFont(plot_font(options, 1.0, bold=True))
        self.gains_text.setColor(p.muted)
        self.gains_text.setFont(plot_font(options, 1.0, bold=True))
        col = pg.mkColor(p.backward)
        col.setAlpha(40)
        self.reached.setBrush(pg.mkBrush(col))
        self.reached_label.setColor(p.backward)
        self.reached_label.setFont(plot_font(options, 0.9, bold=True))
        for ln in self.reached.lines:
            ln.setPen(pg.mkPen(None))
        self._show_verdict()
        self._on_config_changed(self.state.config)

    def _fill_legend(self) -> None:
        self.legend.clear()
        tr = self.state.trace
        if tr is not None and self.all_layers:
            for c, name in zip(self.layer_curves, self.layer_labels):
                self.legend.addItem(c, esc(name))
        else:
            for k in ("da", "da_last", "dc", "dc_last", "envelope", "path", "gain", "sigma", "rho"):
                if not self._shown_curve(k):
                    continue
                name = curve_name(k, tr.spec if tr is not None else None)
                if tr is not None and k in ("sigma", "rho"):
                    name += f" = {self._bounds[0 if k == 'sigma' else 1]:.3g}"
                self.legend.addItem(self.curves[k], esc(name))
        if hasattr(self, "fitter"):
            self.fitter.fit_legend()

    def _shown_curve(self, k: str) -> bool:
        """Whether curve k belongs to the picture of this layer (the rest stay empty and unlisted)."""
        if k in ("da", "da_last", "gain"):
            return True
        if k in ("sigma", "rho"):
            return bool(np.isfinite(getattr(self, "_bounds", (np.nan,))[0]))
        return k in self.data and bool(np.any(np.isfinite(self.data[k])))

    def _on_config_changed(self, config) -> None:
        """The curve that flows back in the animation is drawn thicker (all layers: the curves follow it)."""
        if not hasattr(self, "_pens"):
            return
        flowing = "total" if config.flow == "total" else "last"
        for k in ("da", "da_last", "dc", "dc_last"):
            pen = pg.mkPen(self._pens[k])
            on = k.endswith("_last") == (flowing == "last")
            pen.setWidthF(self._pens[k].widthF() + (1.5 if on else -1.0))
            self.curves[k].setPen(pen)
        if self.all_layers and getattr(self, "_drawn_flow", None) != config.flow:
            self._on_trace_changed(self.state.trace)

    def _on_selection_changed(self) -> None:
        """Another layer-direction chosen elsewhere (the graph, another view's chooser): draw it."""
        tr = self.state.trace
        if tr is not None and not self.all_layers and self._chosen(tr) != self.layer_ref:
            self._on_trace_changed(tr)

    def _chosen(self, trace) -> tuple[int, int]:
        sel = self.state.selection
        if sel.layer < trace.spec.layers and sel.direction < trace.spec.dirs:
            return sel.layer, sel.direction
        return trace.spec.layers - 1, 0

    def _on_trace_changed(self, trace) -> None:
        for item in (*self.cursors, self.reached, *self.bad_lines):
            item.setVisible(trace is not None)
        for ln in self.segment_lines:
            ln.setVisible(False)
        self.empty_text.setText("")
        self.silent_text.setText("")
        self.gains_text.setText("")
        self.gains_text.setVisible(False)
        for c in list(self.curves.values()) + self.layer_curves + self.layer_gains:
            c.setData([], [])
        if trace is None:
            self.data = {}
            self.verdict = None
            self._show_verdict()
            return
        self.all_layers = self.chooser.all_layers
        self.layer_ref = layer, direction = self._chosen(trace)
        self.data = D.gradient_curves(trace, layer, direction)
        self._bounds = D.recurrent_bounds(trace, layer, direction)
        T = trace.T
        t1 = np.arange(1, T + 1, dtype=float)
        if self.all_layers:
            lo, hi = self._draw_layers(trace, t1)
        else:
            for k in CURVES:
                if k in self.data:
                    self.curves[k].setData(t1, positive_or_nan(self.data[k]), connect="finite")
            ends = np.array([0.5, T + 0.5])
            if np.isfinite(self._bounds[0]):
                self.curves["sigma"].setData(ends, np.full(2, max(self._bounds[0], 1e-300)))
                self.curves["rho"].setData(ends, np.full(2, max(self._bounds[1], 1e-300)))
            lo, hi = log10_limits(*(self.data[k] for k in ("da", "da_last", "dc", "dc_last") if k in self.data),
                                  min_decades=2.0)
        self._fill_legend()
        self.verdict = D.verdict(trace, layer, direction)
        bad = self.verdict.nonfinite_step
        for b in self.bad_lines:
            b.setVisible(bad is not None)
            if bad is not None:
                b.setValue(bad)
        self.bad_lines[0].label.setFormat(f"inf/NaN from step {bad}" if bad else "")
        self.bad_lines[1].label.setFormat("")
        self._mark_segments(trace)
        self.plot.setXRange(0.5, T + 0.5, padding=0.01)
        self.plot.setYRange(lo, hi, padding=0)
        self.fitter.set_log_range(self.plot, lo, hi)
        where = "all layers" if self.all_layers else layer_where(trace.spec, layer, direction)
        title, shorter = _titles(f" · {where}" if where else "")
        self.fitter.set_title(title, self.state.view_options, shorter)
        note = F.silent_note(trace, F.LAST, short=True)   # the L<T> curve is drawn whatever flows back
        self.silent_text.setText(f"no ‖∂L⟨T⟩/∂a⟨t⟩‖ curve:\n{note}" if note and not self.all_layers else "")
        self.silent_text.setPos(T + 0.5, hi - 0.04 * (hi - lo))
        if not np.any(np.isfinite(positive_or_nan(self.data["da"]))):
            self.empty_text.setText(f"no finite gradient: values overflowed (inf/NaN) at step {bad}")
            self.empty_text.setPos((T + 1) / 2, lo + 0.3 * (hi - lo))
        self._fit_gains(trace)
        self._show_verdict()
        self._on_progress_changed(self.state.progress)

    def _fit_gains(self, trace) -> None:
        """The gain plot's range, and its note while the local gains are still being computed."""
        gains = [self.data["gain"]] if not self.all_layers else \
            [D.step_gain(trace, l, d) for l, d in trace.spec.layer_dirs()]
        refs = np.array([1.0, *(v for v in self._bounds if np.isfinite(v))]) if not self.all_layers else np.array([1.0])
        glo, ghi = log10_limits(*gains, refs, pad=0.2, min_decades=1.0)
        self.gain_plot.setYRange(glo, ghi, padding=0)
        self.fitter.set_log_range(self.gain_plot, glo, ghi, max_major=3)
        self.gains_text.setText("" if trace.gains_ready else GAINS_PENDING)
        self.gains_text.setVisible(not trace.gains_ready)     # hidden, it adds nothing to an SVG either
        self.gains_text.setPos((trace.T + 1) / 2, glo + 0.75 * (ghi - glo))   # above the line at 1

    def _on_gains_progress(self, fraction: float) -> None:
        """A long sequence's gains take seconds: how far they are."""
        tr = self.state.trace
        if tr is not None and not tr.gains_ready and 0 < fraction < 1:
            self.gains_text.setText(f"{GAINS_PENDING} {fraction:.0%}")

    def _on_gains_changed(self, trace) -> None:
        """The local gains arrived (after the trace): their curves, the gain plot's range and the verdict."""
        if trace is not self.state.trace or not self.data:
            return
        t1 = np.arange(1, trace.T + 1, dtype=float)
        if self.all_layers:
            for i, (l, d) in enumerate(trace.spec.layer_dirs()[:MAX_LAYER_CURVES]):
                self.layer_gains[i].setData(t1, positive_or_nan(D.step_gain(trace, l, d)), connect="finite")
        else:
            self.data["gain"] = D.step_gain(trace, *self.layer_ref)
            self.curves["gain"].setData(t1, positive_or_nan(self.data["gain"]), connect="finite")
        self._fit_gains(trace)
        self.verdict = D.verdict(trace, *self.layer_ref)
        self._show_verdict()

    def _mark_segments(self, trace) -> None:
        """A line between the encoder's last step and the decoder's first (one sequence: none)."""
        split = trace.segments[0].stop if len(trace.segments) > 1 else None
        self.segment_boundary = split          # 1-based: the encoder's last step (tests)
        for i, ln in enumerate(self.segment_lines):
            ln.setVisible(split is not None)
            if split is not None:
                ln.setValue(split + 0.5)
                ln.label.setFormat("encoder | decoder" if i == 0 else "")

    def _draw_layers(self, trace, t1) -> tuple[float, float]:
        """Every layer-direction's gradient of the loss that flows back, and its step gain."""
        flow = self.state.config.flow
        self._drawn_flow = flow
        self.layer_labels, values = [], []
        spec = trace.spec
        for i, (l, d) in enumerate(spec.layer_dirs()[:MAX_LAYER_CURVES]):
            from rnnviz.core.trace import StateRef

            g = trace.grad_norm(StateRef(l, d, "a"), flow)
            colour = self._layer_colours[l % len(self._layer_colours)]
            style = Qt.PenStyle.DashLine if d else Qt.PenStyle.SolidLine
            self.layer_curves[i].setPen(pg.mkPen(colour, width=self._wide, style=style))
            self.layer_curves[i].setData(t1, positive_or_nan(g), connect="finite")
            self.layer_gains[i].setPen(pg.mkPen(colour, width=max(self._wide - 2, 1), style=style))
            self.layer_gains[i].setData(t1, positive_or_nan(D.step_gain(trace, l, d)), connect="finite")
            arrow = ("" if spec.dirs == 1 else (" ←" if d else " →"))
            self.layer_labels.append(f"layer {l + 1}{arrow}: ‖{F.grad_symbol(flow, 'a<t>')}‖".replace("⟨T⟩", "<T>"))
            values.append(g)
        return log10_limits(*values, min_decades=2.0)

    def _on_step_changed(self, t: int, phase: str) -> None:
        self._on_progress_changed(self.state.progress)

    def _on_progress_changed(self, _pos: float) -> None:
        st = self.state
        if st.trace is None:
            return
        x = cursor_x(st)
        for c in self.cursors:
            c.setValue(x)
        backward = st.phase == BACKWARD
        self.reached.setVisible(backward)
        if backward:
            self.reached.setRegion((x, st.T + 0.5))
            self._fit_reached_label()

    def _fit_reached_label(self) -> None:
        """The shading's word shows once the shading is wide enough to hold it (the first backward steps:
        a sliver at the right edge, the word cut to its "r" there)."""
        lo, hi = self.reached.getRegion()
        try:
            per_px = self.plot.vb.viewPixelSize()[0]
        except Exception:                      # (no size yet: before a layout)
            per_px = 0.0
        wide = per_px > 0 and (hi - lo) / per_px >= self.reached_label.boundingRect().width() + 6
        self.reached_label.setVisible(bool(wide))

    def cursor_step(self) -> int:
        """The 1-based step under the cursor line (tests, exports)."""
        return round(self.cursors[0].value())

    def _on_clip_changed(self, _clip) -> None:
        self._show_verdict()

    def _show_verdict(self) -> None:
        if self.verdict is None:
            self.verdict_label.setText("Type a sequence to see how the gradient travels back through time.")
            return
        opts = self.state.view_options
        note = self.silent_text.toPlainText().replace("\n", " ")
        if note:   # also under the plot, which a small window makes too short to hold it
            note = f"<br><span style='color:{palette(opts.theme).backward}'><b>{esc(note)}</b></span>"
        # the headline here (the plots need the height); why, and the rule, in the BPTT panel and the tooltip
        tr = self.state.trace
        where = layer_where(tr.spec, *self.layer_ref) if tr is not None else ""
        # in words: the verdict's own sign (→ stable) must not read as the direction's arrow
        where = where.replace("→", "(forward)").replace("←", "(backward)")
        if where.startswith("("):   # one bidirectional layer: the direction alone ("(forward): ↘ …" read oddly)
            where = where.strip("()").capitalize() + " direction"
        self.verdict_label.setText(verdict_html(self.verdict, opts, with_reason=False,
                                                prefix=f"{where}: " if where else "") + note
                                   + clip_html(self.state.clip, opts))
        self.verdict_label.setToolTip(f"Why: {self.verdict.reason}.\nRule: {self.verdict.rule}.")

    def _on_click(self, ev) -> None:
        if self.state.trace is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        for p in (self.plot, self.gain_plot):
            if p.vb.sceneBoundingRect().contains(ev.scenePos()):
                x = p.vb.mapSceneToView(ev.scenePos()).x()
                self.state.step_to(int(round(x)) - 1)
                ev.accept()
                return

    # ------------------------------------------------------------------ export
    def figure_widget(self):
        """The plots and the verdict inside the window (not the chooser); the whole view in the CLI."""
        return self if self.isWindow() else self._figure

    def showEvent(self, ev) -> None:
        self.chooser.set_suppressed(self.isWindow())     # a figure of its own (the CLI): no chooser
        super().showEvent(ev)

    def figure_csv(self):
        tr = self.state.trace
        if tr is None:
            return [], []
        return gradients_table(tr, *self.layer_ref, all_layers=self.all_layers)  # rnnviz/io/tables.py
