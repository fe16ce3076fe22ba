"""Playback (rnnviz/app/playback.py): the cursor on the timeline and the player, and AppState
forwarding them unchanged (these are unit and state tests, not GUI tests)."""
from __future__ import annotations

from rnnviz.app.playback import Playback
from rnnviz.app.state import AppState, Config
from rnnviz.core.timeline import Timeline


def test_positions_convert_through_the_timeline(qtbot):
    p = Playback()
    p.set_timeline(Timeline(5), 0.0)
    seen = []
    p.step_changed.connect(lambda t, ph: seen.append((t, ph)))
    p.step_to(4)
    assert (p.t, p.phase, p.position) == (4, "forward", 4)
    p.step_forward()                                  # past step T: the backward pass begins at T
    assert (p.t, p.phase, p.position) == (4, "backward", 5)
    p.go_end()
    assert (p.t, p.phase, p.position) == (0, "backward", 9)
    p.set_position(99.0)                              # clamped to the last place
    assert p.position == 9
    p.go_start()
    assert (p.t, p.phase) == (4, "backward")
    assert seen == [(4, "forward"), (4, "backward"), (0, "backward"), (4, "backward")]


def test_a_fractional_position_is_between_two_steps(qtbot):
    p = Playback()
    p.set_timeline(Timeline(4), 0.0)
    p.set_position(5.5)                               # backward, between step 3 and step 2 (1-based)
    assert (p.t, p.phase) == (2, "backward") and p.progress == 5.5
    p.step_forward()
    assert p.progress == 6.0
    p.step_back()
    assert p.progress == 5.0


def test_playing_runs_to_the_end_and_rests_on_a_step(qtbot):
    p = Playback()
    p.set_timeline(Timeline(3), 0.0)
    p.set_speed(1000.0)                               # clamped to the fastest speed
    assert p.speed == 240.0
    states = []
    p.playing_changed.connect(states.append)
    p.play()
    qtbot.waitUntil(lambda: not p.playing, timeout=5000)
    assert states == [True, False] and p.progress == 5.0 and (p.t, p.phase) == (0, "backward")
    p.play()                                          # at the very end, playing starts again
    assert p.progress < 1.0
    p.pause()
    assert p.progress == int(p.progress)


def test_state_forwards_the_cursor_and_its_signals(qtbot):
    """A state test: AppState keeps its cursor API and signals on top of its Playback."""
    state = AppState(Config(source="abcdef"))
    state.async_threshold = float("inf")
    got = []
    state.step_changed.connect(lambda t, ph: got.append((t, ph)))
    state.progress_changed.connect(lambda pos: got.append(pos))
    state.set_config(state.config)
    assert state.timeline.T == state.T == 5 and state.n_positions == 10
    assert got[-2:] == [(0, "forward"), 0.0]
    state.step_to(3, "backward")
    assert state.position == state.position_of(3, "backward") == 6 and state.playback.t == 3
    state.update_config(source="abc")                 # shorter: the step is clamped, the phase kept
    assert (state.t, state.phase) == (1, "backward")
