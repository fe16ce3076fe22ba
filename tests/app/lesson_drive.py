"""Driving a lesson as a user does: open it from the start page, do what each page asks (keys, the
slider, a combo box), click Next; and checking that the page's text shows the live numbers and
that the app is in the state the page set up."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from rnnviz.app.lessons.controller import find_tab
from rnnviz.app.panels.model_panel import RADIUS_MAX, SLIDER_STEPS
from rnnviz.app.views.bptt_panel import BPTTPanel
from rnnviz.lessons.format import tab_key
from rnnviz.lessons.text import format_value, placeholders
from rnnviz.lessons.values import Context, read_value
from tests.app.drive import choose, press, type_number


def start_lesson(qtbot, w, title_start: str):
    """Lessons > Lesson list, pick the lesson in the list, click Start lesson (the window active, as a
    user's is: its shortcuts answer)."""
    activate(qtbot, w)
    L = w.lessons
    L.menu.actions()[0].trigger()          # "Lesson list"
    qtbot.waitUntil(L.dock.isVisible, timeout=3000)
    lst = L.panel.list
    for i in range(lst.count()):
        if lst.item(i).text().startswith(title_start):
            rect = lst.visualItemRect(lst.item(i))
            qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            break
    else:
        raise KeyError(title_start)
    qtbot.mouseClick(L.panel.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: L.controller.lesson is not None and not w.state.busy, timeout=20000)
    return L


def activate(qtbot, w) -> None:
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)


def drag_slider(qtbot, slider, value: float) -> None:
    """Press on the slider's handle and drag it to `value` (ρ), as a user does."""
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    style = slider.style()
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider)
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, slider)
    target = round(value * SLIDER_STEPS / RADIUS_MAX)
    span = groove.width() - handle.width()
    x = groove.x() + handle.width() // 2 + round(span * target / slider.maximum())
    start = handle.center()
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=start)
    for f in (0.3, 0.6, 1.0):
        qtbot.mouseMove(slider, QPoint(round(start.x() + f * (x - start.x())), start.y()))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(x, start.y()))


def user_context(w) -> Context:
    """The live values as the views show them, read from the state (not through the lesson)."""
    from rnnviz.app.lessons.training import train_values
    s = w.state
    return Context(s.trace, s.shown_config or s.config, s.t, s.phase, s.clip, s.compare_trace,
                   s.compare_config if s.compare_trace is not None else None, extra=train_values(w))


def check_text(w) -> str:
    """Every placeholder of the page's text shows its live value; returns the panel's text."""
    L = w.lessons
    text = L.panel.plain_text()
    ctx = user_context(w)
    for name, index, spec in placeholders(L.controller.page.text):
        v = read_value(ctx, name, index)
        assert v is not None, f"{{{name}}} is not available on page {L.controller.index + 1}"
        assert format_value(v, spec) in text, (name, format_value(v, spec), text)
    assert "{" not in text
    return text


def check_setup(w, reached_by_next: bool = True) -> None:
    """The app is as the page set it up: its settings, the tab, the side panel, the cursor, the highlight."""
    L = w.lessons
    c, k = L.controller, L.controller.index
    page = c.page
    s = w.state
    wanted = page.config if reached_by_next else c.lesson.config_at(k, start=s.config).to_dict()
    for key, value in wanted.items():
        assert getattr(s.config, key) == value, (k + 1, key)
    tab = page.tab or (None if reached_by_next else
                       next((p.tab for p in reversed(c.lesson.pages[:k + 1]) if p.tab), None))
    if tab:
        assert w.tabs.currentWidget() is find_tab(w, tab), (k + 1, tab)
        assert tab_key(w.tabs.tabText(w.tabs.currentIndex())) == tab
    if page.step is not None:
        assert s.t + 1 == (s.T if page.step == "T" else page.step)
    if page.phase is not None:
        assert s.phase == page.phase
    assert set(L.highlight.targets()) == {t for t in L.targets(page.highlight) if t is not None}
    for name in page.controls:
        assert name in L.panel.controls.widgets and L.panel.controls.isVisible()


def verdict_text(w) -> str:
    """The BPTT panel's verdict as the user reads it on opening the panel (tabbed behind the equations,
    it redraws when shown)."""
    from rnnviz.app.views.lazy import bring_up_to_date

    panel = w.findChild(BPTTPanel)
    bring_up_to_date(panel)
    return panel.text


def click_next(qtbot, w) -> None:
    L = w.lessons
    k = L.controller.index
    qtbot.mouseClick(L.panel.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: L.controller.index == k + 1 and not w.state.busy, timeout=20000)


def wait_done(qtbot, w) -> None:
    qtbot.waitUntil(lambda: w.lessons.controller.done and not w.state.busy, timeout=20000)
    assert "✓" in w.lessons.panel.hint.text()


# what a user does on each page that waits for something: (lesson file stem, page id) -> action
def _keys(*keys):
    return lambda qtbot, w: press(qtbot, w, *keys)


def _drag(value):
    return lambda qtbot, w: drag_slider(qtbot, w.lessons.panel.controls.widgets["radius"], value)


def _choose(control, data):
    return lambda qtbot, w: choose(qtbot, w.lessons.panel.controls.widgets[control], data)


def _type(control, text):
    return lambda qtbot, w: type_number(qtbot, w.lessons.panel.controls.widgets[control], text)


def _train_until_learned(qtbot, w):
    """▶ Train in the lesson panel, then wait (training runs in the background) until the page's condition."""
    qtbot.mouseClick(w.lessons.panel.controls.widgets["train"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.lessons.controller.done, timeout=600_000)


ACTIONS = {
    ("06-long-dependency", "train"): _train_until_learned,
    ("01-forward-pass", "stepping"): _keys("Right", "Right", "Right"),
    ("02-bptt", "two-paths"): _keys("Right", "Right", "Right"),
    ("02-bptt", "to-step-one"): _keys("End"),
    ("03-vanishing", "saturation"): _drag(2.2),
    ("04-exploding", "relu"): _drag(1.5),
    ("04-exploding", "value-clipping"): _choose("clip", "value"),
    ("05-gated-cells", "forget-bias"): _type("forget_bias", "3"),
    ("07-rnn-types", "many-to-many"): _keys("Right", "Right"),
    ("07-rnn-types", "one-to-many"): _keys("Right", "Right"),
    ("07-rnn-types", "deep"): _keys("Right"),
    ("07-rnn-types", "many-to-one"): _keys("End"),
    ("07-rnn-types", "encoder-decoder"): _keys(*["Right"] * 16),   # T = 8 + 9 steps
    ("07-rnn-types", "bidirectional"): _keys("End"),
}
