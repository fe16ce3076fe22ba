"""Issue 9: every view for every model, driven as a user drives the window. The cell, the layers, the
direction and the architecture are chosen in the model panel with clicks and keys; then the Cell tab
(gates and states as bars), the heatmap's chooser, the equations, the Gradients tab, the influence
map and the BPTT panel must show that model; the encoder–decoder's source and target are typed."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.app.views.gradient_view import GradientView
from rnnviz.app.views.influence_view import InfluenceView
from rnnviz.core import diagnostics as D
from rnnviz.core.trace import StateRef
from tests.app.drive import choose, go_backward, open_window, press, side, type_number, type_sequence

CHARTS = {"rnn": ["z⟨t⟩ pre-activation", "a⟨t⟩ hidden state"],
          "gru": ["Γr reset gate", "z = 1 − Γu keep gate", "c̃⟨t⟩ candidate", "a⟨t⟩ hidden state"],
          "lstm": ["Γf forget gate", "Γu update gate", "c̃⟨t⟩ candidate", "c⟨t⟩ cell state", "Γo output gate",
                   "a⟨t⟩ hidden state"]}
EQUATIONS = {"rnn": "tanh(z⟨", "gru": "Γr", "lstm": "Γf ⊙ c⟨"}


@pytest.fixture
def w(qtbot):
    return open_window(qtbot)


def settle(qtbot, ms=20):
    qtbot.wait(ms)
    QApplication.processEvents()


def cell_view(qtbot, w):
    side(w, "Cell")
    settle(qtbot)
    return w.cell_view


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    settle(qtbot)


def keys(qtbot, spin, key, times):
    spin.setFocus()
    for _ in range(times):
        qtbot.keyClick(spin, key)
    settle(qtbot)


def bidirectional_lstm(qtbot, w, layers: int) -> None:
    """In the model panel as a user does: LSTM, ↑ to `layers` layers and Enter, bidirectional ticked;
    back when the window shows that model."""
    m = w.model_panel
    choose(qtbot, m.cell, "lstm")
    keys(qtbot, m.layers, Qt.Key.Key_Up, layers - m.layers.value())
    qtbot.keyClick(m.layers, Qt.Key.Key_Return)
    click(qtbot, m.bidirectional)
    qtbot.waitUntil(lambda: w.state.trace.spec.layers == layers and w.state.trace.spec.bidirectional, timeout=8000)


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_each_cell_chosen_in_the_model_panel_shows_in_every_view(w, qtbot, cell):
    m = w.model_panel
    if cell == "rnn":                                # from an LSTM back to the vanilla cell
        choose(qtbot, m.cell, "lstm")
    choose(qtbot, m.cell, cell)
    qtbot.waitUntil(lambda: w.state.trace.spec.cell == cell, timeout=5000)
    # only the rows that apply: g for the vanilla cell, the forget-gate bias for the LSTM
    assert m.activation.isVisible() == (cell == "rnn")
    assert m.forget_bias.isVisible() == (cell == "lstm")
    press(qtbot, w, "Right", "Right", "Right")      # step 4 of the forward pass
    tr, t = w.state.trace, w.state.t
    lt = tr.layer(0, 0)
    view = cell_view(qtbot, w)
    assert view.chart_titles() == CHARTS[cell]
    for q in (q for q in lt.cell.gate_names + lt.cell.state_names):
        np.testing.assert_array_equal(view.values[q], lt.quantity(q)[t, :, 0])
    if cell != "rnn":                                 # gates on a 0…1 axis, fixed for the whole sequence
        gate = lt.cell.gate_names[0]
        assert view.limits[gate] == (0.0, 1.0)
    assert EQUATIONS[cell] in view.text() and f"step t = {t + 1} of {tr.T}" in view.text()
    # the equations panel says the same cell's equations
    side(w, "Equations")
    settle(qtbot)
    assert EQUATIONS[cell] in w.equations.text()
    # the heatmap offers the cell's quantities; a gate shows on the sequential scale 0…1
    heat = w.heatmap
    w.tabs.setCurrentWidget(heat)
    settle(qtbot)
    offered = [heat.quantity.itemData(i) for i in range(heat.quantity.count())]
    assert set(offered) == set(lt.cell.state_names) | set(lt.cell.gate_names or ("z",))
    if cell != "rnn":
        gate = {"lstm": "f", "gru": "r"}[cell]
        choose(qtbot, heat.quantity, gate)
        np.testing.assert_array_equal(heat.image.image, lt.quantity(gate)[:, :, 0].T)
        assert heat.colorbar.levels() == (0.0, 1.0) and heat.figure_name.endswith("_gate")
        assert "colours 0…1" in heat.plot.titleLabel.text
        cand = {"lstm": "g", "gru": "n"}[cell]                # c̃: tanh's own range, fixed
        choose(qtbot, heat.quantity, cand)
        np.testing.assert_array_equal(heat.image.image, lt.quantity(cand)[:, :, 0].T)
        assert heat.colorbar.levels() == (-1.0, 1.0) and heat.figure_name == "candidate"
    choose(qtbot, heat.quantity, "a")                         # a: −1…1 for every tanh cell
    assert heat.colorbar.levels() == (-1.0, 1.0) and "colours −1…1" in heat.plot.titleLabel.text
    # the Gradients tab: ‖∂L/∂c‖ and the forget gates' product for the LSTM, Pascanu's bound for the vanilla cell
    grad = w.findChild(GradientView)
    w.tabs.setCurrentWidget(grad)
    settle(qtbot)
    legend = " ".join(lab.text for _s, lab in grad.legend.items)
    assert ("‖∂L/∂c⟨t⟩‖" in legend) == (cell == "lstm")
    assert ("Π Γf" in legend) == (cell == "lstm") and ("Π z" in legend) == (cell == "gru")
    assert ("bound" in legend) == (cell == "rnn")
    np.testing.assert_array_equal(grad.data["da"], tr.grad_norm(StateRef(0, 0, "a")))
    verdict = D.verdict(tr, 0, 0)
    assert verdict.headline.split(":")[0] in grad.verdict_label.text()


def test_lstm_backward_pass_shows_the_cell_state_gradient(w, qtbot):
    choose(qtbot, w.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: w.state.trace.spec.cell == "lstm", timeout=5000)
    go_backward(qtbot, w, 4)
    lt = w.state.trace.layer(0, 0)
    view = cell_view(qtbot, w)
    assert view.chart_titles()[-2:] == ["∂L/∂c⟨t⟩ gradient", "∂L/∂a⟨t⟩ gradient"]
    np.testing.assert_array_equal(view.values["dc"], lt.grad("c")[3, :, 0])
    side(w, "Equations")
    settle(qtbot)
    text = w.equations.text()
    assert "∂L/∂c⟨4⟩" in text and "along the cell state" in text
    # what flows back: the last step's loss L⟨T⟩ (chosen in the BPTT controls) everywhere
    from rnnviz.app.panels.bptt_controls import BPTTControls

    side(w, "Backprop through time")
    choose(qtbot, w.findChild(BPTTControls).flow, "last")
    side(w, "Equations")
    settle(qtbot)
    assert "∂L⟨T⟩/∂c⟨4⟩" in w.equations.text()
    view = cell_view(qtbot, w)
    assert "∂L⟨T⟩/∂c⟨t⟩ gradient" in view.chart_titles()
    np.testing.assert_array_equal(view.values["dc"], lt.grad("c", "last")[3, :, 0])


def test_layers_by_keys_and_bidirectional_by_click_reach_every_chooser(w, qtbot):
    bidirectional_lstm(qtbot, w, layers=2)
    tr = w.state.trace
    assert w.state.selection == StateRef(1, 0, "a")      # the top layer stays the one explained
    # the heatmap's chooser: layer 1, ← direction
    heat = w.heatmap
    w.tabs.setCurrentWidget(heat)
    settle(qtbot)
    layers = [heat.chooser.layer.itemText(i) for i in range(heat.chooser.layer.count())]
    assert layers == ["1 (bottom)", "2 (top)"] and heat.chooser.buttons[1].isVisible()
    choose(qtbot, heat.chooser.layer, 0)
    click(qtbot, heat.chooser.buttons[1])
    assert w.state.selection == StateRef(0, 1, "a")
    np.testing.assert_array_equal(heat.image.image, tr.layer(0, 1).quantity("a")[:, :, 0].T)
    assert heat.figure_name == "hidden_states_l0_reverse"
    choose(qtbot, heat.quantity, "c")
    np.testing.assert_array_equal(heat.image.image, tr.layer(0, 1).quantity("c")[:, :, 0].T)
    lo, hi = heat.colorbar.levels()
    assert lo == -hi and hi == pytest.approx(np.abs(tr.layer(0, 1).quantity("c")).max())  # centred on 0
    # every other per-layer view follows the selection
    view = cell_view(qtbot, w)
    assert view.chooser.layer.currentData() == 0 and view.chooser.buttons[1].isChecked()
    assert "layer 1 of 2, ← backward direction" in view.text()
    side(w, "Equations")
    settle(qtbot)
    assert "layer 1 of 2, ← backward direction" in w.equations.text()
    assert "what layer 2 reads" in w.equations.text()
    grad = w.findChild(GradientView)
    w.tabs.setCurrentWidget(grad)
    settle(qtbot)
    np.testing.assert_array_equal(grad.data["dc"], tr.grad_norm(StateRef(0, 1, "c")))
    choose(qtbot, grad.chooser.layer, -1)                # all layers
    assert grad.all_layers and len(grad.layer_labels) == 4 and grad.figure_name == "gradients_all_layers"
    assert "layer 1 ←" in " ".join(grad.layer_labels)
    # the BPTT panel names the selected layer's weights, gathering in its own sense (← from step 1 on)
    side(w, "Backprop through time")
    panel = w.findChild(BPTTPanel)
    go_backward(qtbot, w, tr.T - 2)                      # three steps into the backward pass
    assert set(panel.shown) == {"weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                                "bias_hh_l0_reverse"}
    want = D.PartialGrads(tr, "total", 0, 1).at_count(3)
    for k, v in want.items():
        np.testing.assert_allclose(panel.shown[k], v)
    assert "steps 1…3 summed" in panel.text and "weight_hh_l0_reverse" in panel.text
    # the influence map: both triangles of the bidirectional layer
    infl = w.findChild(InfluenceView)
    w.tabs.setCurrentWidget(infl)
    settle(qtbot)
    assert len(infl.log_maps) == 2 and infl.plots[1].isVisible()
    # layer 1: the layer above reads both directions, so every loss reaches every step of both
    assert all(np.isfinite(m).all() for m in infl.log_maps)
    assert "every k" in infl.plots[0].titleLabel.text
    choose(qtbot, infl.chooser.layer, 1)                 # the top layer: two triangles
    assert w.state.selection == StateRef(1, 1, "a")
    fwd, bwd = infl.log_maps
    assert "k ≤ t" in infl.plots[0].titleLabel.text and "k ≥ t" in infl.plots[1].titleLabel.text
    assert np.all(np.isnan(fwd[np.triu_indices(tr.T, 1)])) and np.all(np.isnan(bwd[np.tril_indices(tr.T, -1)]))
    assert np.isfinite(bwd[np.triu_indices(tr.T, 1)]).all()


@pytest.mark.parametrize("arch", ["many-to-one", "one-to-many", "one-to-one", "many-to-many"])
def test_each_architecture_from_the_combo_box(w, qtbot, arch):
    if arch == "many-to-many":
        choose(qtbot, w.model_panel.architecture, "one-to-one")
    choose(qtbot, w.model_panel.architecture, arch)
    qtbot.waitUntil(lambda: w.state.trace.architecture == arch, timeout=5000)
    tr = w.state.trace
    assert (tr.T == 1) == (arch == "one-to-one")
    assert not w.sequence_panel.target_box.isVisible()
    assert not w.findChild(GradientView).segment_lines[0].isVisible()
    if arch == "many-to-one":
        assert tr.step_weight[:-1].sum() == 0
    view = cell_view(qtbot, w)
    assert view.values["a"].shape == (tr.n_a,) and "step t = 1 of" in view.text()


def test_encoder_decoder_asks_for_a_target_typed_in_its_own_box(w, qtbot):
    type_sequence(qtbot, w, "stressed")
    choose(qtbot, w.model_panel.architecture, "encoder-decoder")
    box = w.sequence_panel.target_box
    assert box.isVisible() and w.sequence_panel.source_title.isVisible()
    qtbot.waitUntil(lambda: box.error_label.isVisible(), timeout=3000)
    assert "target text is empty" in box.error_label.text()
    assert not w.sequence_panel.error_label.isVisible()       # the target's message, under the target
    assert not w.model_panel.bidirectional.isEnabled()
    box.edit.setFocus()
    qtbot.keyClicks(box.edit, "desserts")
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)              # sent at once, the keys go back to stepping
    qtbot.waitUntil(lambda: w.state.trace.architecture == "encoder-decoder", timeout=5000)
    tr = w.state.trace
    assert tr.seq.target == "desserts" and tr.seq.n_source == 8 and not box.error_label.isVisible()
    assert "8 source steps + 9 decoder steps" in w.sequence_panel.info_label.text()
    grad = w.findChild(GradientView)                          # a line parts the encoder's steps from the decoder's
    w.tabs.setCurrentWidget(grad)
    settle(qtbot)
    assert grad.segment_boundary == 8 and grad.segment_lines[0].isVisible()
    assert grad.segment_lines[0].value() == 8.5 and grad.segment_lines[0].label.toPlainText() == "encoder | decoder"
    # the BPTT panel gathers the decoder's steps into decoder.*, then the encoder's into encoder.*
    side(w, "Backprop through time")
    panel = w.findChild(BPTTPanel)
    go_backward(qtbot, w, 3)                                  # an encoder step
    names = set(panel.shown)
    assert {"encoder.weight_hh_l0", "decoder.weight_hh_l0"} <= names
    assert panel.norms["decoder.weight_hh_l0"] > 0 and panel.norms["encoder.weight_hh_l0"] > 0
    side(w, "Equations")
    settle(qtbot)
    assert "dencoder.weight_hh_l0" in w.equations.text()
    # the source box: an empty source is the source's message, under the source box
    edit = w.sequence_panel.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: w.sequence_panel.error_label.isVisible(), timeout=3000)
    assert "source text is empty" in w.sequence_panel.error_label.text() and not box.error_label.isVisible()


def test_the_examples_switch_into_and_out_of_the_encoder_decoder(w, qtbot):
    buttons = {b.text(): b for b in w.sequence_panel.example_buttons}
    click(qtbot, buttons["Normalise a date"])
    qtbot.waitUntil(lambda: w.state.trace.architecture == "encoder-decoder", timeout=5000)
    assert w.state.trace.seq.target == "03-03-1999" and w.sequence_panel.target_box.edit.text() == "03-03-1999"
    click(qtbot, buttons["hello world"])
    qtbot.waitUntil(lambda: w.state.trace.architecture == "many-to-many", timeout=5000)
    assert not w.sequence_panel.target_box.isVisible()


def test_imported_weights_decide_the_model_and_the_panel_says_so(w, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from rnnviz.core.settings import Config, run_config

    tr = run_config(Config(source="hello world", cell="gru", layers=2, hidden=6))
    np.savez(tmp_path / "gru.npz", **tr.params)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "gru.npz"), ""))
    w.file_actions.actions["import"].trigger()
    qtbot.waitUntil(lambda: w.state.trace.spec.cell == "gru", timeout=5000)
    m = w.model_panel
    assert m.cell.currentData() == "gru" and m.layers.value() == 2 and m.hidden.value() == 6
    assert not m.cell.isEnabled() and not m.layers.isEnabled() and not m.bidirectional.isEnabled()
    assert "Imported weights: 2-layer GRU, n_a = 6" in m.weights_info.text()
    click(qtbot, m.new_weights)                           # seeded weights again: the model is free
    assert m.cell.isEnabled() and m.layers.isEnabled()


def test_vanilla_against_lstm_is_one_click_and_shows_the_lstm_reaching_further(w, qtbot):
    type_sequence(qtbot, w, "the quick brown fox jumps over the lazy dog and runs far away")   # 60 steps
    from rnnviz.app.panels.bptt_controls import BPTTControls
    from rnnviz.app.views.compare_view import REASONS_MIN_HEIGHT, CompareView

    side(w, "Backprop through time")
    controls = w.findChild(BPTTControls)
    assert controls.quick.text() == "Compare with an LSTM"
    click(qtbot, controls.quick)
    cmp = w.findChild(CompareView)
    qtbot.waitUntil(lambda: cmp.comparing, timeout=5000)
    assert w.tabs.currentWidget() is cmp                  # the Compare tab comes forward
    assert w.state.compare_config.cell == "lstm" and controls.cmp_cell.currentData() == "lstm"
    assert cmp.labels == ["vanilla RNN", "LSTM"]
    # a short legend (the plot keeps the width): a colour per setting, a line style per quantity
    legend = [lab.text for _s, lab in cmp.legend.items]
    assert legend[:2] == ["vanilla RNN", "LSTM"] and len(legend) == 4 and "∂L" in legend[3] and "T" in legend[3]
    vanilla, lstm = w.state.trace.da_last_norm, w.state.compare_trace.da_last_norm
    from tests.app.test_bptt import curve_y

    np.testing.assert_allclose(curve_y(cmp.curves[(1, "da_last")]), lstm)
    assert lstm[0] > 1e6 * vanilla[0]                     # at step 1: orders of magnitude more is left
    assert "LSTM keeps" in cmp.sentence and "times more" in cmp.sentence
    assert cmp.end_labels[1].toPlainText().endswith("left")
    # why, in each cell's own terms: ρ(Waa) for the vanilla RNN, the forget gates for the LSTM
    assert "ρ(Waa)" in cmp.reasons[0] and "Γf" in cmp.reasons[1] and "Γf" in cmp.verdict_label.toolTip()
    w.resize(1920, 1080)                                  # a tall view writes them under the verdicts
    settle(qtbot, 100)
    assert cmp.height() >= REASONS_MIN_HEIGHT
    assert cmp.reasons_label.isVisible() and "forget gates" in cmp.reasons_label.text()
    w.resize(1280, 720)                                   # a short one keeps the plot's height
    settle(qtbot, 100)
    assert cmp.height() < REASONS_MIN_HEIGHT and not cmp.reasons_label.isVisible()
    # the main model becomes the LSTM: the quick comparison offers the vanilla RNN
    choose(qtbot, w.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: w.state.trace.spec.cell == "lstm", timeout=5000)
    assert controls.quick.text() == "Compare with a vanilla RNN"


def test_compare_can_differ_in_layers_and_direction(w, qtbot):
    from rnnviz.app.panels.bptt_controls import BPTTControls

    side(w, "Backprop through time")
    c = w.findChild(BPTTControls)
    click(qtbot, c.compare)
    choose(qtbot, c.cmp_cell, "gru")
    keys(qtbot, c.cmp_layers, Qt.Key.Key_Up, 2)
    qtbot.keyClick(c.cmp_layers, Qt.Key.Key_Return)
    click(qtbot, c.cmp_bidirectional)
    qtbot.waitUntil(lambda: w.state.compare_trace is not None and w.state.compare_trace.spec.layers == 3
                    and w.state.compare_trace.spec.bidirectional, timeout=5000)
    assert w.state.compare_trace.spec.cell == "gru" and w.state.trace.spec.cell == "rnn"
    type_sequence(qtbot, w, "hello there")                # the compared setting follows the sequence
    qtbot.waitUntil(lambda: w.state.compare_trace.seq.source == "hello there", timeout=5000)
    assert w.state.compare_trace.spec.layers == 3


def test_a_graph_click_that_picks_a_layer_brings_the_cell_tab_forward(w, qtbot):
    choose(qtbot, w.model_panel.cell, "lstm")
    keys(qtbot, w.model_panel.layers, Qt.Key.Key_Up, 1)
    qtbot.keyClick(w.model_panel.layers, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.state.trace.spec.layers == 2, timeout=5000)
    side(w, "Equations")
    settle(qtbot)
    # a click on a node of the graph (which selects on the release, as a drag is no click) picks the
    # bottom layer: the graph's own handler, or this stand-in where the graph does not select yet
    canvas = w.graph.canvas
    w.graph.canvas.node_clicked.connect(lambda *_a: w.state.select(0, 0))
    vp = canvas.viewport()
    pos = next(QPoint(x, y) for x in range(10, vp.width() - 10, 6) for y in range(10, vp.height() - 10, 6)
               if (h := canvas.hit_at(QPointF(x, y))) is not None and getattr(h, "what", "node") == "node"
               and h.t >= 0)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=pos)
    settle(qtbot)
    assert w.state.selection.layer == 0
    assert not w.cell_dock.visibleRegion().isEmpty()       # the Cell tab is in front
    # a chooser picking a layer does not take the user away from the panel they are in
    side(w, "Equations")
    choose(qtbot, w.equations.chooser.layer, 1)
    assert w.state.selection.layer == 1 and w.cell_dock.visibleRegion().isEmpty()


def test_export_all_writes_the_new_views_under_their_own_names(w, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    choose(qtbot, w.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: w.state.trace.spec.cell == "lstm", timeout=5000)
    w.tabs.setCurrentWidget(w.heatmap)
    choose(qtbot, w.heatmap.quantity, "c")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "figs"))
    w.file_actions.actions["export_all"].trigger()
    names = {p.name for p in (tmp_path / "figs").iterdir()}
    assert {"cell.png", "cell.svg", "cell.csv", "cell_states.png", "cell_states.csv", "gradients.csv"} <= names
    header = (tmp_path / "figs" / "cell.csv").read_text().splitlines()[0]
    assert header.startswith("unit,step,a<t-1>,c<t-1>,Gamma_f<t>,Gamma_u<t>,c_tilde<t>,c<t>,Gamma_o<t>,a<t>")


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_the_equations_follow_what_flows_back_for_every_cell(w, qtbot, cell):
    from rnnviz.app.panels.bptt_controls import BPTTControls

    if cell != "rnn":
        choose(qtbot, w.model_panel.cell, cell)
        qtbot.waitUntil(lambda: w.state.trace.spec.cell == cell, timeout=5000)
    go_backward(qtbot, w, 3)
    t = w.state.t + 1
    side(w, "Equations")
    settle(qtbot)
    text = w.equations.text()
    assert f"∂L/∂a⟨{t}⟩" in text and "∂L⟨T⟩/" not in text
    assert (f"∂L/∂c⟨{t}⟩" in text) == (cell == "lstm")
    side(w, "Backprop through time")
    choose(qtbot, w.findChild(BPTTControls).flow, "last")    # only the last step's loss L⟨T⟩ flows back
    side(w, "Equations")
    settle(qtbot)
    text = w.equations.text()
    assert f"∂L⟨T⟩/∂a⟨{t}⟩" in text and f"∂L/∂a⟨{t}⟩" not in text
    assert (f"∂L⟨T⟩/∂c⟨{t}⟩" in text) == (cell == "lstm")
    np.testing.assert_allclose(w.state.trace.layer(0, 0).grad("a", "last")[t - 1, :, 0][:3],
                               [float(v.replace("−", "-")) for v in
                                text.split(f"∂L⟨T⟩/∂a⟨{t}⟩")[1].split("[")[1].split(",")[:3]], rtol=1e-3)


def test_a_wrapped_heatmap_title_gets_the_room_it_needs_on_a_small_projector(qtbot):
    """A 2-layer bidirectional LSTM's heatmap title wraps on a 1024 x 720 projector (and at 1280 x 720
    with the desktop's fonts); its second line used to print over the input characters on the top
    axis (pyqtgraph keeps a title row 30 px high)."""
    w = open_window(qtbot, (1024, 720))
    bidirectional_lstm(qtbot, w, layers=2)
    heat = w.heatmap
    w.tabs.setCurrentWidget(heat)
    settle(qtbot, 60)
    title = heat.plot.titleLabel
    lines = title.item.document().firstBlock().layout().lineCount()
    top_axis = heat.plot.getAxis("top")
    assert top_axis.isVisible() and lines >= 2, (lines, heat.plot.width(), title.item.textWidth(), heat.figure_title, w.width(), heat.width())
    title_bottom = title.mapRectToScene(title.item.mapRectToParent(title.item.boundingRect())).bottom()
    assert title_bottom <= top_axis.sceneBoundingRect().top() + 1, (lines, title_bottom, top_axis.sceneBoundingRect())
    # every line within the view, left and right (wrapped at the plot item's width, centred over its data
    # area, a line spilled past the view's left edge: "idden states a⟨t⟩, layer 2 of 2 …" in F11)
    for size in ((1024, 720), (1280, 720)):
        w.resize(*size)
        settle(qtbot, 60)
        box = title.mapRectToScene(title.item.mapRectToParent(title.item.boundingRect()))
        assert box.left() >= 0 and box.right() <= heat.canvas.width(), (size, box, heat.canvas.width())


def test_the_compare_csv_has_the_lstms_cell_state_gradient(w, qtbot, tmp_path, monkeypatch):
    import csv

    from PySide6.QtWidgets import QFileDialog

    from rnnviz.app.panels.bptt_controls import BPTTControls
    from rnnviz.app.views.compare_view import CompareView

    type_sequence(qtbot, w, "hello there world")
    side(w, "Backprop through time")
    click(qtbot, w.findChild(BPTTControls).quick)          # Compare with an LSTM
    qtbot.waitUntil(lambda: w.findChild(CompareView).comparing, timeout=5000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "figs"))
    w.file_actions.actions["export_all"].trigger()
    with open(tmp_path / "figs" / "compare.csv", newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["t", "vanilla RNN norm dL/da<t>", "vanilla RNN norm dL<T>/da<t>", "LSTM norm dL/da<t>",
                      "LSTM norm dL<T>/da<t>", "LSTM norm dL/dc<t>", "LSTM norm dL<T>/dc<t>"]   # no c for vanilla
    lstm = w.state.compare_trace
    T = lstm.T
    assert len(rows) == T == 16
    c = StateRef(0, 0, "c")
    dc = np.array([float(r[5]) for r in rows])
    dc_last = np.array([float(r[6]) for r in rows])
    g, g_last = lstm.grad(c), lstm.grad(c, "last")          # (n_a, m, T)
    np.testing.assert_allclose(dc, np.linalg.norm(g.reshape(-1, T), axis=0), rtol=1e-12)
    np.testing.assert_allclose(dc_last, np.linalg.norm(g_last.reshape(-1, T), axis=0), rtol=1e-12)
    assert dc_last[-1] > 0 and np.all(np.isfinite(dc))


def test_a_2x2_lstm_at_720p_names_its_gate_strips_and_g_gives_the_boxes(qtbot):
    """At 1280 x 720 a 2-layer bidirectional LSTM has 15 rows in a third of the window: the gates are a
    strip each (test_graph_lstm_projector.py checks they read), each row named on its own in the
    gutter; G (maximise the graph) gives the gates the height of σ boxes, named Γf Γu Γo."""
    from rnnviz.app.views.graph.painters import GATE_BOX_EM
    from tests.app.test_graph_text import drawn

    w = open_window(qtbot, size=(1280, 720))
    bidirectional_lstm(qtbot, w, layers=2)
    settle(qtbot, 100)
    g = w.graph
    f = g.item.style.f
    assert g.detailed and g.node_for("gates", 2, 0, 0).scene_rect.height() < GATE_BOX_EM * f     # strips
    texts = drawn(w)
    assert sorted(t for k, _s, _r, t, _w in texts if k.startswith("row:gates")) == ["Γ[1]←", "Γ[1]→", "Γ[2]←", "Γ[2]→"]
    assert not any(k.startswith("gate_") for k, *_ in texts)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    qtbot.keyClick(g.canvas, Qt.Key.Key_G)
    qtbot.waitUntil(lambda: g.node_for("gates", 2, 0, 0).scene_rect.height() >= GATE_BOX_EM * g.item.style.f,
                    timeout=3000)
    texts = drawn(w)
    assert {"Γf", "Γu", "Γo"} <= {t for k, _s, _r, t, _w in texts if k.startswith("gate_")}
    assert not any(k.startswith("row:c") and "+" in k for k, *_ in texts)   # each row named on its own


def test_a_one_layer_bidirectional_gradient_verdict_names_its_direction_in_words(w, qtbot):
    click(qtbot, w.model_panel.bidirectional)
    qtbot.waitUntil(lambda: w.state.trace.spec.bidirectional, timeout=5000)
    grads = w.findChild(GradientView)
    w.tabs.setCurrentWidget(grads)                     # as a user opens it (hidden tabs redraw when shown)
    settle(qtbot)
    from PySide6.QtGui import QTextDocument
    doc = QTextDocument()
    doc.setHtml(grads.verdict_label.text())
    assert doc.toPlainText().startswith("Forward direction: "), doc.toPlainText()   # not "(forward): ↘ …"


def test_f11_and_the_dark_theme_restyle_the_cell_tab_in_place(w, qtbot):
    """F11 with the Cell tab open: the same charts (not rebuilt: that took ~0.5 s of the window beside a
    training worker) with larger titles and tick labels; back out of F11 they shrink again, and the dark
    theme recolours their axes."""
    choose(qtbot, w.model_panel.cell, "lstm")
    qtbot.waitUntil(lambda: w.state.trace.spec.cell == "lstm", timeout=5000)
    view = cell_view(qtbot, w)
    plots = dict(view.plots)
    key = next(iter(plots))

    def title_pt() -> float:
        return float(plots[key].titleLabel.opts["size"].removesuffix("pt"))

    def tick_pt() -> float:
        return plots[key].getAxis("left").style["tickFont"].pointSizeF()

    normal_title, normal_tick = title_pt(), tick_pt()
    press(qtbot, w, "F11")
    settle(qtbot, 100)
    assert w.state.view_options.presentation
    assert view.plots == plots                                  # the same chart objects, restyled
    assert title_pt() > normal_title * 1.2 and tick_pt() > normal_tick * 1.2
    press(qtbot, w, "F11")
    settle(qtbot, 100)
    assert view.plots == plots and title_pt() == pytest.approx(normal_title) and tick_pt() == pytest.approx(normal_tick)
    light_axis = plots[key].getAxis("left").textPen().color().name()
    w.dark_action.trigger()
    settle(qtbot, 100)
    assert view.plots == plots and plots[key].getAxis("left").textPen().color().name() != light_axis
    assert view.values[key].shape == (w.state.trace.n_a,)      # and they still show the step's values


def test_a_model_too_big_to_compute_is_refused_in_the_window_with_what_fits(w, qtbot):
    """Hidden 2048 in a 4-layer bidirectional LSTM: 336 million weights (2.5 GB, and their gradients
    again) allocated in the background took the window's memory past 5 GB. The window says so at once
    and keeps the model it shows; a size that fits computes again."""
    m = w.model_panel
    bidirectional_lstm(qtbot, w, layers=4)
    shown = w.state.trace
    type_number(qtbot, m.hidden, "2048")
    settle(qtbot)
    label = w.sequence_panel.error_label
    assert label.isVisibleTo(w)
    assert "336 million weights" in label.text() and "choose at most 706 hidden units" in label.text()
    assert not w.state.jobs.pending() and w.state.trace is shown          # nothing computed, nothing lost
    type_number(qtbot, m.hidden, "24")
    qtbot.waitUntil(lambda: w.state.trace.n_a == 24, timeout=8000)
    assert not label.isVisibleTo(w) and not w.state.input_error


def test_what_is_left_at_step_1_is_written_where_no_curve_runs_through_it(qtbot):
    """The "… left" labels sat above their curves' starts, and each curve rising to the right ran
    through its own words (#9). Now each label is below its start, inside the plot, and no curve's
    point lies within any label, on a 720p projector's window."""
    from PySide6.QtCore import QPointF

    from rnnviz.app.panels.bptt_controls import BPTTControls
    from rnnviz.app.views.compare_view import CompareView
    from tests.app.projector import open_window as projector_window

    w = projector_window(qtbot, 1280, 720)
    type_sequence(qtbot, w, "the quick brown fox jumps over the lazy dog")
    type_number(qtbot, w.model_panel.radius_spin, "1.2")
    side(w, "Backprop through time")
    click(qtbot, w.findChild(BPTTControls).quick)          # compare with an LSTM
    cmp = w.findChild(CompareView)
    qtbot.waitUntil(lambda: cmp.comparing, timeout=5000)
    settle(qtbot, 100)
    vb = cmp.plot.vb
    inside = vb.sceneBoundingRect()
    boxes = [lab.sceneBoundingRect() for lab in cmp.end_labels]
    assert all(lab.toPlainText().endswith("left") for lab in cmp.end_labels)
    assert all(inside.contains(b) for b in boxes), (inside, boxes)  # (the lower one was below the plot)
    for curve in cmp.curves.values():
        xs, ys = curve.getData()                             # as drawn: log10 of the sizes
        assert np.nanmax(ys) < 3
        for x, y in zip(xs, ys):
            if np.isfinite(y):
                p = vb.mapViewToScene(QPointF(x, y))
                assert not any(b.adjusted(2, 2, -2, -2).contains(p) for b in boxes), (x, y)
