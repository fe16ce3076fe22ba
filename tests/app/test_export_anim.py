"""The BPTT animation (rnnviz/app/export_anim.py): which steps and passes, what is drawn, one global
palette, only the changed part per frame, a size bound, cancel, and the window's options dialog
driven by clicks and keys."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox

from rnnviz.app.anim_dialog import AnimationDialog
from rnnviz.app.export_anim import (LAYOUTS, AnimOptions, ExportCancelled, FrameRenderer, as_array,
                                    export_animation, frame_positions)
from rnnviz.app.state import AppState, Config
from tests.io.test_gif import gif_blocks

TEXT = "hello world"


def make_state(source=TEXT, **kw):
    s = AppState(Config(source=source, hidden=6, **kw))
    s.async_threshold = float("inf")
    s.set_config(s.config)
    return s


@pytest.fixture
def state(qtbot):
    return make_state()


def frames_of(path):
    im = Image.open(path)
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(np.asarray(im.convert("RGB"), dtype=np.int16))
    return out


def test_positions_for_each_choice_of_passes():
    assert frame_positions(4, AnimOptions("backward")) == [(3, "backward"), (2, "backward"), (1, "backward"),
                                                          (0, "backward")]
    assert frame_positions(3, AnimOptions("forward")) == [(0, "forward"), (1, "forward"), (2, "forward")]
    both = frame_positions(3, AnimOptions("both"))
    assert both == [(0, "forward"), (1, "forward"), (2, "forward"), (2, "backward"), (1, "backward"), (0, "backward")]


def test_long_sequences_are_sampled_evenly_with_both_ends_kept():
    pos = frame_positions(2000, AnimOptions("backward", max_frames=100))
    assert len(pos) == 100 and pos[0] == (1999, "backward") and pos[-1] == (0, "backward")
    steps = [t for t, _ in pos]
    assert np.ptp(np.diff(steps)) <= 1                                   # even spacing
    pos = frame_positions(2000, AnimOptions("both", max_frames=101))
    assert len(pos) == 101 and pos[0] == (0, "forward") and pos[-1] == (0, "backward")


def test_the_frame_cap_holds_for_every_length_and_pass():
    for T in range(1, 40):
        for cap in (2, 3, 5, 39):
            for passes in ("forward", "backward", "both"):
                pos = frame_positions(T, AnimOptions(passes, max_frames=cap))
                assert 1 <= len(pos) <= cap and len(set(pos)) == len(pos), (T, cap, passes)
                assert pos[-1] == ((T - 1, "forward") if passes == "forward" else (0, "backward"))


@pytest.mark.parametrize("bad", [AnimOptions("sideways"), AnimOptions(content="all"), AnimOptions(max_frames=1),
                                 AnimOptions(max_frames=5000)])
def test_bad_options_are_refused_and_nothing_is_written(state, tmp_path, bad):
    with pytest.raises(ValueError):
        export_animation(tmp_path / "a.gif", state, bad)
    assert list(tmp_path.iterdir()) == []


def test_backward_gif_one_distinct_frame_per_step_global_palette_and_cursor_back(state, tmp_path):
    state.step_to(3)
    before = state.position
    path = export_animation(tmp_path / "a.gif", state, AnimOptions("backward", "graph"))
    assert state.position == before                                        # put back afterwards
    frames = frames_of(path)
    assert len(frames) == state.T
    assert all(np.abs(a - b).sum() > 0 for a, b in zip(frames, frames[1:]))
    info = gif_blocks(path.read_bytes())
    assert info["global_table"] and not any(f[4] for f in info["frames"])   # one palette, no local tables
    assert info["size"] == (LAYOUTS["graph"][0], LAYOUTS["graph"][2])
    first, *rest = info["frames"]
    assert first[2:4] == info["size"]
    full = info["size"][0] * info["size"][1]
    # only the rectangle that changed (the cursor's columns and the title), unchanged pixels transparent
    assert all(w * h < 0.8 * full and transparent for _x, _y, w, h, _l, _d, transparent in rest)
    assert path.stat().st_size < len(frames) * full / 20


def test_gif_pictures_are_the_rendered_frames(state, tmp_path):
    """Delta frames composed by a GIF reader give back the rendered pictures (to the palette)."""
    opts = AnimOptions("both", "full", 8)
    path = export_animation(tmp_path / "a.gif", state, opts)
    got = frames_of(path)
    positions = frame_positions(state.T, opts)
    assert len(got) == len(positions) == 8
    with FrameRenderer(state, opts) as r:
        for g, pos in zip(got, positions):
            f = as_array(r.frame(*pos))
            want = np.stack([(f >> 16) & 255, (f >> 8) & 255, f & 255], axis=-1).astype(np.int16)
            assert g.shape == want.shape
            assert np.abs(g - want).mean() < 3.0                       # palette error only


def test_full_content_puts_the_gradients_plot_and_verdict_beside_the_graph(state, tmp_path):
    path = export_animation(tmp_path / "a.gif", state, AnimOptions("backward", "full", 4))
    im = Image.open(path)
    g, r, h = LAYOUTS["full"]
    assert im.size == (g + r, h)
    right = np.asarray(im.convert("L"))[:, g + 20:]
    assert (right < 100).mean() > 0.005 and right.std() > 10            # curves, axes and the verdict's text
    narrow = Image.open(export_animation(tmp_path / "b.gif", state, AnimOptions("backward", "graph", 4)))
    assert narrow.size == (LAYOUTS["graph"][0], LAYOUTS["graph"][2])


def rendered_positions(monkeypatch):
    seen = []
    frame = FrameRenderer.frame
    monkeypatch.setattr(FrameRenderer, "frame", lambda self, t, phase: seen.append((t, phase)) or frame(self, t, phase))
    return seen


@pytest.mark.parametrize("passes", ["forward", "backward", "both"])
def test_frames_walk_through_the_chosen_passes(state, tmp_path, monkeypatch, passes):
    seen = rendered_positions(monkeypatch)
    path = export_animation(tmp_path / "f.gif", state, AnimOptions(passes))
    fwd, bwd = [(t, "forward") for t in range(state.T)], [(t, "backward") for t in range(state.T - 1, -1, -1)]
    want = {"forward": fwd, "backward": bwd, "both": fwd + bwd}[passes]
    assert seen[-len(want):] == want                 # after the palette's sample frames
    assert len(frames_of(path)) == len(want)


def test_a_2000_step_gif_stays_small(qtbot, tmp_path):
    text = ("the cat sat on the mat and the dog ran far away " * 42)[:2001]
    st = make_state(text)
    assert st.T == 2000
    path = export_animation(tmp_path / "long.gif", st, AnimOptions("both", "full"))
    info = gif_blocks(path.read_bytes())
    assert len(info["frames"]) <= 100
    assert path.stat().st_size < 5_000_000


def test_cancel_leaves_no_file_and_puts_the_cursor_back(state, tmp_path):
    state.step_to(2)
    before = state.position
    with pytest.raises(ExportCancelled):
        export_animation(tmp_path / "a.gif", state, AnimOptions(), lambda i, n: i < 3)
    assert list(tmp_path.iterdir()) == []
    assert state.position == before


def test_window_views_are_left_alone(state, qtbot, tmp_path):
    from rnnviz.app.views.graph_view import GraphView

    graph = GraphView(state)
    qtbot.addWidget(graph)
    graph.resize(700, 300)
    zoom = graph.zoom()
    export_animation(tmp_path / "a.gif", state, AnimOptions("both", "full", 6))
    assert graph.size().width() == 700 and graph.zoom() == zoom


def test_animation_as_mp4_where_imageio_ffmpeg_is_installed(state, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = export_animation(tmp_path / "bptt.mp4", state, AnimOptions("both"))
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert meta["size"][0] > 0
    assert sum(1 for _ in reader) == 2 * state.T


# ---------------------------------------------------------------------- the window's dialog
def test_dialog_summary_follows_the_choices(state, qtbot):
    dlg = AnimationDialog(state)
    qtbot.addWidget(dlg)
    assert dlg.summary.text().startswith(f"{state.T} frames")
    qtbot.keyClick(dlg.passes, Qt.Key.Key_End)                           # "Both: forward, then backward"
    assert dlg.options().passes == "both" and dlg.summary.text().startswith(f"{2 * state.T} frames")
    dlg.frames.selectAll()
    qtbot.keyClicks(dlg.frames, "6")
    assert dlg.options().max_frames == 6 and "6 frames (steps sampled evenly)" in dlg.summary.text()


def answer_dialog(qtbot, actions):
    """Run `actions(dialog)` on the modal animation dialog as soon as it is open."""
    done = []

    def run():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, AnimationDialog):
            QTimer.singleShot(20, run)
            return
        actions(dlg)
        done.append(dlg)

    QTimer.singleShot(0, run)
    return done


def test_file_menu_export_animation_through_the_dialog(qtbot, tmp_path, monkeypatch):
    from tests.app.test_session_actions import Window
    from rnnviz.app.file_actions import install_file_actions

    monkeypatch.setenv("RNNVIZ_HOME", str(tmp_path / "home"))
    st = make_state()
    w = Window(st)
    qtbot.addWidget(w)
    install_file_actions(w)
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "anim"), ""))

    def choose(dlg):
        qtbot.keyClick(dlg.passes, Qt.Key.Key_End)                      # both passes
        qtbot.keyClick(dlg.content, Qt.Key.Key_Down)                    # graph + gradients + verdict
        dlg.frames.selectAll()
        qtbot.keyClicks(dlg.frames, "8")
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    done = answer_dialog(qtbot, choose)
    assert w.file_actions.export_animation()
    assert done and not errors
    im = Image.open(tmp_path / "anim.gif")
    assert im.n_frames == 8 and im.size == (LAYOUTS["full"][0] + LAYOUTS["full"][1], LAYOUTS["full"][2])

    # the next export starts from these choices; Cancel writes nothing
    def cancel(dlg):
        assert dlg.options() == AnimOptions("both", "full", 8)
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)

    (tmp_path / "anim.gif").unlink()
    done = answer_dialog(qtbot, cancel)
    assert not w.file_actions.export_animation()
    assert done and not (tmp_path / "anim.gif").exists()


def test_the_gradients_plot_title_never_runs_over_its_legend_in_a_full_gif(state, qtbot):
    """At the GIF's 640 px the long title printed across the legend beside the plot: it now takes a
    shorter wording that fits above its own plot; a wide plot keeps the whole title."""
    from rnnviz.app.views.gradient_view import GradientView

    with FrameRenderer(state, AnimOptions("backward", "full", 4)) as r:
        r.frame(1, "backward")
        view = next(v for v, _size, _x in r.views if isinstance(v, GradientView))
        title = view.plot.titleLabel.item.sceneBoundingRect()
        legend = view.legend.sceneBoundingRect()
        text = view.plot.titleLabel.item.toPlainText()
        assert text and "Gradient size" in text
        assert title.right() <= legend.left() + 1, (text, title, legend)
        assert text != "Gradient size going back through time (log scale)"
    wide = GradientView(state)
    qtbot.addWidget(wide)
    wide.resize(1500, 700)
    wide.show()
    qtbot.waitUntil(lambda: wide.plot.titleLabel.item.toPlainText() ==
                    "Gradient size going back through time (log scale)", timeout=3000)
