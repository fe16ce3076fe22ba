"""Regression tests for what the seeded monkey (tests/app/test_monkey.py) found, each driven as the
user did it: through the File menu (its dialogs answered), keys and clicks."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.core.settings import Config
from rnnviz.io.session import Session, save_session
from tests.app.drive import open_window, press, side


@pytest.fixture
def window(qtbot, monkeypatch):
    w = open_window(qtbot, (1280, 720))
    w.errors = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a, **k: w.errors.append(a[2])))
    return w


def open_through_menu(monkeypatch, w, path: Path) -> None:
    """File > Open session…, the dialog answered with `path`."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    w.file_actions.actions["open"].trigger()


def session(tmp_path: Path, name: str, **settings) -> Path:
    p = tmp_path / f"{name}.rnnviz"
    save_session(p, Session(settings=Config(source="hello world", **settings).to_dict()))
    return p


@pytest.mark.parametrize("model", [dict(cell="gru"), dict(cell="lstm", layers=2, bidirectional=True),
                                   dict(cell="gru", architecture="encoder-decoder", target="dlrow")])
def test_the_bptt_panel_sums_the_weights_of_a_gru_or_lstm_opened_from_a_session(qtbot, window, monkeypatch,
                                                                                 tmp_path, model):
    """Opening a GRU session raised KeyError 'Wax' in the BPTT panel (it knew only the notes' names)."""
    open_through_menu(monkeypatch, window, session(tmp_path, "m", **model))
    assert window.errors == [] and window.state.trace.spec.cell == model["cell"]
    press(qtbot, window, "End", "Right", "Right")       # into the backward pass
    side(window, "Backprop through time")              # (tabbed behind the equations: redrawn when shown)
    panel = window.findChild(BPTTPanel)
    prefix = "decoder." if "target" in model else ""
    for name in ("weight_ih_l", "weight_hh_l", "bias_ih_l"):
        assert f"∂L/∂{prefix}{name}" in panel.text
    assert "Wax" not in panel.text.split("The final gradient")[0]


def test_f11_and_a_session_with_the_same_view_do_not_rebuild_the_application_style(qtbot, window, monkeypatch,
                                                                                   tmp_path):
    """F11 took 1-1.5 s at 1280x720 on a loaded machine (the monkey saw the event loop held up 1.4 s when a
    session was opened in presentation mode): every change set the Fusion style again (0.3 s, every widget
    repolished), the style sheet embedded the font size (a new sheet at each F11: 0.5-0.9 s to parse it
    and repolish every widget) and a session restyled the whole window even when its view options were
    those on screen. The font now arrives through QApplication.setFont: F11 sets no style, no sheet."""
    from PySide6.QtWidgets import QApplication, QGroupBox, QLabel

    from rnnviz.app import theme
    from rnnviz.app.views.lazy import _Turns, bring_up_to_date

    theme.apply_app_theme(QApplication.instance(), window.state.view_options)   # as rnnviz starts
    styles, sheets = [], []
    set_sheet = QApplication.setStyleSheet
    monkeypatch.setattr(QApplication, "setStyle", lambda app, s: styles.append(s))
    monkeypatch.setattr(QApplication, "setStyleSheet", lambda app, s: (sheets.append(s), set_sheet(app, s)))
    label = window.sequence_panel.error_label
    normal = window.sequence_panel.edit.font().pointSizeF()
    labels = window.findChildren(QLabel)
    sizes = [w.font().pointSizeF() for w in labels]          # some are a scale of the body text
    press(qtbot, window, "F11")
    assert window.state.view_options.presentation
    assert styles == [] and sheets == []              # the fonts changed: the same style and sheet
    big = window.sequence_panel.edit.font().pointSizeF()
    assert big > normal and label.font().pointSizeF() == big
    group = window.findChild(QGroupBox)
    assert group.font().bold() and group.font().pointSizeF() == big   # the sheet's bold kept, at the new size
    scale = theme.PRESENTATION_SCALE
    # the views on screen restyle one a turn, the covered ones when shown (here: read as an export would)
    qtbot.waitUntil(lambda: not _Turns.queue)
    bring_up_to_date(window)
    assert [w.font().pointSizeF() for w in labels] == pytest.approx([x * scale for x in sizes], abs=0.1)
    p = tmp_path / "presenting.rnnviz"
    save_session(p, Session(settings=Config(source="hello world", cell="gru").to_dict(),
                            view={"theme": "light", "presentation": True}))
    open_through_menu(monkeypatch, window, p)
    assert window.state.trace.spec.cell == "gru" and window.errors == []
    assert styles == [] and sheets == []              # nothing to restyle
    press(qtbot, window, "F11")
    assert not window.state.view_options.presentation and styles == [] and sheets == []
    qtbot.waitUntil(lambda: not _Turns.queue)
    bring_up_to_date(window)
    assert [w.font().pointSizeF() for w in labels] == sizes


def test_pasting_a_long_word_into_the_sequence_box_lays_it_out_in_linear_time(qtbot, window):
    """Pasting "ab" * 100,000 (one word of 200,000 characters) froze the window 5 s, a million characters
    2 minutes: Qt's default wrap mode (at a word boundary, else anywhere) is quadratic in a word's length.
    The box breaks at words only (linear); the whole text arrives and the step limit is named."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextOption
    from PySide6.QtWidgets import QApplication

    edit = window.sequence_panel.edit
    assert edit.wordWrapMode() in (QTextOption.WrapMode.WordWrap, QTextOption.WrapMode.WrapAnywhere,
                                   QTextOption.WrapMode.NoWrap)
    QApplication.clipboard().setText("ab" * 100_000)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == "ab" * 100_000
    window.sequence_panel.commit()
    window.state.wait_idle()
    qtbot.waitUntil(lambda: "at most 100,000" in window.sequence_panel.error_label.text(), timeout=10_000)
    # "hello world" still wraps between its words in a narrow box
    edit.setPlainText("hello world " * 10)
    block = edit.document().firstBlock()
    assert block.layout().lineCount() > 1
    for i in range(block.layout().lineCount()):
        line = block.layout().lineAt(i)
        assert block.text()[line.textStart() + line.textLength() - 1] in " d"   # whole words on each line


def test_changing_the_clipping_after_an_animation_export_with_the_gradients_plot(qtbot, window, monkeypatch,
                                                                                tmp_path):
    """File > Export animation… with "Graph + Gradients plot" made a GradientView and deleted it, but its
    lambda on clip_changed stayed connected: the next clipping change (or session) raised RuntimeError
    (Internal C++ object already deleted) from the deleted view."""
    from PySide6.QtWidgets import QDialog

    from rnnviz.app.anim_dialog import AnimationDialog
    from tests.app.drive import bptt_controls, choose

    def answer(dlg):
        dlg.content.setCurrentIndex(dlg.content.findData("full"))
        dlg.frames.setValue(dlg.frames.minimum())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AnimationDialog, "exec", answer)
    out = tmp_path / "bptt.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    window.file_actions.actions["export_anim"].trigger()
    assert out.exists() and window.errors == []
    controls = bptt_controls(window)
    choose(qtbot, controls.clip_mode, "norm")
    assert window.state.config.clip_mode == "norm" and window.state.clip is not None


def test_f11_lays_out_a_long_text_in_the_sequence_box_once(qtbot, window):
    """With 100,000 numbers in the sequence box F11 froze the window 2-3 s: the restyle sent the box a
    dozen FontChanges (one per ancestor) and the columns resized it several times, and each laid out the
    whole text again (the layout's update / updateBlock signals: 15-18 per F11). It is laid out once."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.app import theme

    theme.apply_app_theme(QApplication.instance(), window.state.view_options)
    edit = window.sequence_panel.edit
    text = " ".join(str(i % 10) for i in range(100_000))
    QApplication.clipboard().setText(text)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    layouts = []
    lay = edit.document().documentLayout()
    lay.update.connect(lambda *a: layouts.append("update"))
    lay.updateBlock.connect(lambda *a: layouts.append("block"))
    for presenting in (True, False):
        layouts.clear()
        press(qtbot, window, "F11")
        qtbot.wait(20)
        assert window.state.view_options.presentation is presenting
        assert len(layouts) <= 3, layouts
    assert edit.toPlainText() == text
    assert edit.font().pointSizeF() == QApplication.font().pointSizeF()    # the new font did arrive


@pytest.mark.parametrize("word", ["".join(chr(0x4E00 + i) for i in range(20_000)), "1" * 5001])
def test_a_long_word_read_as_numbers_is_named_by_its_start_in_the_error(qtbot, window, word):
    """Reading as Numbers, a pasted word of 20,000 CJK characters (or a 5001-digit number) was quoted
    whole in the error under the box: a label of 20,000 characters, laid out again at every show and
    resize of the input column (1.7 s for View ▸ Panels ▸ Input). The message quotes the word's start
    and says how long it is."""
    from PySide6.QtWidgets import QApplication

    panel = window.sequence_panel
    qtbot.mouseClick(panel.kind_buttons["numbers"], Qt.MouseButton.LeftButton)
    QApplication.clipboard().setText(f"1 {word} 2")
    panel.edit.setFocus()
    qtbot.keyClick(panel.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.error_label.isVisible() and "(item 2)" in panel.error_label.text(), timeout=5000)
    text = panel.error_label.text()
    assert len(text) < 120, text
    assert word[:10] in text and f"{len(word):,} characters" in text


@pytest.mark.parametrize("model, shows", [(dict(cell="lstm"), ["c = ", "f = ", "o = "]),
                                          (dict(cell="gru", layers=2, bidirectional=True), ["r = ", "n = "]),
                                          (dict(cell="rnn"), ["z = ", "g(Waa"])])
def test_hovering_a_hidden_state_of_an_lstm_or_gru_shows_its_cell(qtbot, window, monkeypatch, tmp_path,
                                                                   model, shows):
    """Hovering an a⟨t⟩ node of an LSTM (opened from a session) raised KeyError "a lstm layer has no 'z'"
    from the tooltip, which quoted the vanilla cell's pre-activation. It shows the cell's own states and
    gates (a vanilla cell still its z)."""
    open_through_menu(monkeypatch, window, session(tmp_path, "m", **model))
    window.state.wait_idle()
    qtbot.waitUntil(lambda: window.state.config.cell == model["cell"])
    view = window.graph
    node = view.node_for("a", 3)
    qtbot.mouseMove(view.canvas.viewport(), node.view_pos + QPoint(0, 400))   # from off the node (the last
    qtbot.mouseMove(view.canvas.viewport(), node.view_pos)                   # test left the mouse on it)
    qtbot.waitUntil(lambda: "a⟨4⟩" in view.item.toolTip(), timeout=3000)
    tip = view.item.toolTip()
    assert all(s in tip for s in shows), tip
    assert window.errors == []


def test_the_equations_of_an_lstm_whose_gradient_overflows_show_it_without_a_warning(qtbot, window, monkeypatch,
                                                                                       tmp_path):
    """An LSTM with ρ = 100 and forget bias 100 over numbers near ±1.8e308: in the backward pass the
    Equations panel multiplied ∂L/∂c⟨t+1⟩ = inf by Γf = 0 and NumPy printed "invalid value encountered in
    multiply" to the terminal. The panel shows the non-finite value, silently."""
    import warnings

    from PySide6.QtWidgets import QApplication

    from tests.app.drive import go_backward
    big = " ".join(["1.7976931348623157e308", "-1.7976931348623157e308"] * 10)
    open_through_menu(monkeypatch, window, session(tmp_path, "x", cell="lstm", radius=100.0, forget_bias=100.0,
                                                    hidden=4))
    window.state.wait_idle()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QApplication.clipboard().setText(big)
        edit = window.sequence_panel.edit
        edit.setFocus()
        qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(edit, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.state.config.source == big, timeout=5000)
        window.state.wait_idle()
        go_backward(qtbot, window, window.state.T)
        for _ in range(window.state.T - 1):      # every step of the backward pass, T down to 1
            assert "∂L/∂c" in window.equations.text()
            press(qtbot, window, "Right")
        assert (window.state.phase, window.state.t) == ("backward", 0)
    assert window.errors == []


def test_keys_typed_together_into_a_long_text_lay_it_out_once(qtbot, window):
    """Typing 'x55.e9' at the end of 100,000 pasted numbers held the window up over 1 s (the monkey,
    seed 5): Qt lays out the whole one-line paragraph again at every key (0.2-0.3 s each). Keys that
    arrive in one pass of the event loop now make one edit: one layout, the same text, one undo."""
    from PySide6.QtWidgets import QApplication

    edit = window.sequence_panel.edit
    text = " ".join(str(i % 10) for i in range(100_000))
    QApplication.clipboard().setText(text)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(20)
    layouts = []
    lay = edit.document().documentLayout()
    lay.updateBlock.connect(lambda *a: layouts.append("block"))
    edit.document().contentsChange.connect(lambda *a: layouts.append("change"))
    qtbot.keyClicks(edit, "x55.e9")
    qtbot.wait(20)
    assert edit.toPlainText() == text + "x55.e9"
    assert layouts.count("change") == 1, layouts
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(20)
    assert edit.toPlainText() == text
    qtbot.keyClicks(edit, " 7")              # one key at a time, as usual
    qtbot.wait(20)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.wait(20)
    assert edit.toPlainText() == text + " "


@pytest.mark.parametrize("make", ["layer_chooser", "gradient_view", "gate_view"])
def test_a_deleted_view_no_longer_follows_the_state(qtbot, window, make):
    """State test: views that an export (or a new model) made and deleted kept their lambdas on the
    state's signals, so the next trace or layer choice raised "Internal C++ object already deleted"
    (the monkey, seed 5, opening a session after Export all). Deleted views drop their connections."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from rnnviz.app.panels.layer_chooser import LayerChooser
    from rnnviz.app.views.gate_view import CellView
    from rnnviz.app.views.gradient_view import GradientView

    errors = []
    import sys
    hook, sys.excepthook = sys.excepthook, lambda *e: errors.append(e)
    try:
        state = window.state
        view = {"layer_chooser": LayerChooser, "gradient_view": GradientView, "gate_view": CellView}[make](state)
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        state.update_config(cell="lstm", layers=2)
        qtbot.waitUntil(lambda: state.trace.spec.cell == "lstm", timeout=10_000)
        state.select(1, 0)
        state.go_end()
        qtbot.wait(20)
    finally:
        sys.excepthook = hook
    assert errors == []


def test_the_monkey_answers_the_context_menu_of_a_spin_box(qtbot, window, tmp_path):
    """A right-click on a spin box opens Qt's own menu with QMenu.exec(), a nested event loop: the
    monkey hung inside that one action for ever (seed 3). It answers the menu from inside the loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractSpinBox, QApplication

    from tests.app.monkey import Monkey, MonkeyFiles, _context_event

    monkey = Monkey(window, seed=3, files=MonkeyFiles(tmp_path, [], [], [], []))
    spin = next(s for s in window.findChildren(QAbstractSpinBox) if s.isVisible())
    for _ in range(4):
        QTimer.singleShot(30, monkey._answer_popup_menu)
        QApplication.sendEvent(spin, _context_event(QPoint(5, 5), spin))     # returns once answered
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=3000)
    assert sum("context menu:" in line for line in monkey.log_lines) == 4


def test_a_paste_into_a_long_text_is_never_inside_the_typed_keys_edit_block(qtbot, window):
    """Characters typed together into a long text make one edit block; a Ctrl+V that came in the same
    turn ran inside it, and Qt's paste into a long text inside an open block read a line the block had
    not laid out yet: a segmentation fault (the monkey, seed 22). A paste, like every key that is not a
    typed character, now ends the block first: it is an edit of its own, undone on its own."""
    from PySide6.QtWidgets import QApplication
    from PySide6.QtTest import QTest

    edit = window.sequence_panel.edit
    long_text = "ab" * 100_000
    edit.setFocus()
    QApplication.clipboard().setText(long_text)
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    QTest.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    QApplication.clipboard().setText("xyz")
    QTest.keyClicks(edit, "12")                                                # one block...
    QTest.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)    # ...then the paste, same turn
    qtbot.wait(50)
    assert edit.toPlainText() == long_text + "12xyz"
    QTest.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == long_text + "12"                              # the paste alone undone


def test_the_outputs_of_a_many_to_one_series_warn_of_nothing_when_asked_for_their_range(qtbot, window):
    """A number series read many-to-one has a target at its last step only: pyqtgraph's scatter of the
    target curve took np.nanmin of the steps without one and NumPy warned "All-NaN slice encountered"
    on the terminal (the monkey, seed 24)."""
    import warnings

    from PySide6.QtWidgets import QApplication

    from rnnviz.app.views.output_view import OutputView
    from tests.app.drive import choose

    b = next(b for b in window.sequence_panel.example_buttons if b.text() == "Counting")
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    choose(qtbot, window.model_panel.architecture, "many-to-one")
    qtbot.waitUntil(lambda: window.state.config.architecture == "many-to-one" and window.state.trace is not None
                    and window.state.trace.seq.kind != "text", timeout=10000)
    view = window.findChild(OutputView)
    window.tabs.setCurrentWidget(view)
    QApplication.processEvents()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for curve in (view.target_curve, view.pred_curve):
            curve.scatter.dataBounds(1, orthoRange=(0.5, 2.5))     # steps 1-2: no target there
        view.plot.vb.setXRange(0.5, 2.5)
        QApplication.processEvents()
        view.grab()
