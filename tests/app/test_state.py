"""AppState: the cursor, playback, bad input and background recomputation, without any view."""
import numpy as np
import pytest

from rnnviz.app.state import BACKWARD, FORWARD, AppState, Config


@pytest.fixture
def state(qtbot):
    s = AppState(Config(source="hello world", hidden=8))
    s.async_threshold = float("inf")
    s.set_config(s.config)
    return s


def test_a_new_trace_starts_at_step_one(state):
    assert state.T == 10
    assert (state.t, state.phase) == (0, FORWARD)


def test_stepping_runs_forward_then_backward(state, qtbot):
    state.go_start()
    seen = []
    state.step_changed.connect(lambda t, ph: seen.append((t, ph)))
    for _ in range(2 * state.T - 1):
        state.step_forward()
    assert seen[: state.T - 1] == [(t, FORWARD) for t in range(1, state.T)]
    assert seen[state.T - 1:] == [(t, BACKWARD) for t in range(state.T - 1, -1, -1)]
    state.step_forward()  # at the end it stays
    assert (state.t, state.phase) == (0, BACKWARD)
    state.step_back()
    assert (state.t, state.phase) == (1, BACKWARD)


def test_slots_of_a_new_trace_read_a_cursor_inside_it(state):
    """Views redraw in trace_changed from state.t: it must already fit the new (shorter) trace."""
    state.go_start()
    state.go_end()  # forward step 10
    state.step_forward()  # backward pass, step 10 of 10
    seen = []
    state.trace_changed.connect(lambda tr: seen.append((tr.T, state.t, state.phase, state.position)))
    state.update_config(source="abc")
    assert seen == [(2, 1, BACKWARD, 2)]
    state.update_config(source="hello world, again")
    assert seen[-1] == (17, 1, BACKWARD, 32)


def test_home_end_and_step_to_stay_in_phase(state):
    state.step_to(3, BACKWARD)
    assert (state.t, state.phase) == (3, BACKWARD)
    state.go_end()
    assert (state.t, state.phase) == (0, BACKWARD)
    state.go_start()
    assert (state.t, state.phase) == (state.T - 1, BACKWARD)
    state.step_to(2, FORWARD)
    state.go_end()
    assert (state.t, state.phase) == (state.T - 1, FORWARD)
    state.step_to(99)
    assert state.t == state.T - 1


def test_play_moves_smoothly_and_stops_at_the_end(state, qtbot):
    # 8 steps/s: ~0.13 step per 16 ms tick, 2.5 s in all, so even a loaded machine that delays ticks
    # by hundreds of ms shows positions between steps (at 30 steps/s the first late tick ended it)
    state.set_speed(8)
    progress = []
    state.progress_changed.connect(progress.append)
    state.go_start()
    state.play()
    assert state.playing
    qtbot.waitUntil(lambda: not state.playing, timeout=30000)
    assert (state.t, state.phase) == (0, BACKWARD)
    assert any(p != int(p) for p in progress)  # fractional positions: smooth motion
    assert progress == sorted(progress)


def test_bad_input_keeps_the_last_trace(state):
    good = state.trace
    errors = []
    state.input_error_changed.connect(errors.append)
    state.update_config(source="x")
    assert "one character" in errors[-1]
    assert state.trace is good
    state.update_config(source="1, 2, x", kind="numbers")
    assert "'x'" in state.input_error and state.trace is good
    state.update_config(source="ab", kind="text")
    assert state.input_error == "" and state.trace is not good


def test_a_negative_seed_is_a_clear_input_error(state):
    before = state.trace
    state.update_config(seed=-1)
    assert "seed" in state.input_error and state.trace is before


def test_radius_changes_the_trace(state):
    state.update_config(radius=1.7)
    assert state.trace.rho == pytest.approx(1.7)


def test_new_random_weights_changes_the_seed(state):
    before = state.trace.params["Waa"].copy()
    state.new_random_weights()
    assert state.config.seed == 1
    assert not np.allclose(before, state.trace.params["Waa"])


def test_large_work_runs_in_the_background(qtbot):
    s = AppState(Config(source="abcdefgh" * 20, hidden=64))
    s.async_threshold = 0.0
    busy = []
    s.busy_changed.connect(busy.append)
    with qtbot.waitSignal(s.trace_changed, timeout=20000):
        s.set_config(s.config)
    assert busy == [True, False]
    assert s.trace.T == 159


def test_cancel_keeps_the_previous_trace(qtbot):
    s = AppState(Config(source="hello world", hidden=8))
    s.set_config(s.config)
    first = s.trace
    s.async_threshold = 0.0
    s.update_config(source="hello there, world")
    assert s.busy
    s.cancel_compute()
    s.wait_idle()
    qtbot.wait(50)
    assert s.trace is first and not s.busy


def test_clipping_does_not_recompute(state):
    tr = state.trace
    state.set_clipping("norm", 0.01)
    assert state.trace is tr
    assert state.clip.norm_after == pytest.approx(0.01)


def test_compare_follows_the_sequence(state):
    state.set_compare(Config(radius=1.3, hidden=8, activation="relu"))
    assert state.compare_trace.rho == pytest.approx(1.3)
    state.update_config(source="hello there", hidden=12, radius=0.5)
    assert state.compare_trace.T == state.trace.T == 10
    assert state.compare_trace.n_a == 12                      # follows the main settings
    assert state.compare_trace.rho == pytest.approx(1.3)      # but keeps what it compares
    assert state.compare_trace.activation == "relu"
    state.set_compare(None)
    assert state.compare_trace is None


def test_imported_weights_set_hidden_size_and_radius(state):
    rng = np.random.default_rng(0)
    n_x = state.trace.n_x
    p = {"Wax": rng.normal(size=(5, n_x)), "Waa": rng.normal(size=(5, 5)), "ba": np.zeros((5, 1)),
         "Wya": rng.normal(size=(n_x, 5)), "by": np.zeros((n_x, 1))}
    state.set_base_params(p)
    assert state.trace.n_a == 5
    np.testing.assert_allclose(state.trace.params["Waa"], p["Waa"])


def test_a_character_outside_imported_weights_is_explained_and_the_work_kept(state):
    state.set_base_params(state.trace.params)  # "hello world": 8 characters
    before = state.trace
    state.update_config(source="hello worldz")
    assert "imported weights take 8 inputs" in state.input_error and "9 different characters" in state.input_error
    assert state.trace is before


def test_prepare_run_refuses_what_the_computation_would(state):
    from rnnviz.app.state import prepare_run

    with pytest.raises(ValueError, match="cross-entropy needs characters"):
        prepare_run(Config(source="1 2 3", kind="numbers", loss="cross_entropy"))
    with pytest.raises(ValueError, match="unknown activation"):
        prepare_run(Config(activation="sigmoid"))
    with pytest.raises(ValueError, match="unknown architecture"):
        prepare_run(Config(architecture="two-to-two"))
    seq, loss = prepare_run(Config(source="abc"))
    assert (seq.T, loss) == (2, "cross_entropy")


def test_pause_rests_on_a_whole_step(state, qtbot):
    state.set_speed(30)
    state.go_start()
    state.play()
    qtbot.waitUntil(lambda: state.progress >= 1.2, timeout=5000)
    state.pause()
    assert state.progress == int(state.progress) == state.position


def test_big_compare_runs_in_the_background_after_the_main_trace(qtbot):
    s = AppState(Config(source="hello world", hidden=8))
    s.async_threshold = float("inf")
    s.set_config(s.config)
    s.set_compare(Config(source="hello world", hidden=8, radius=1.5))
    s.async_threshold = 0.0
    order = []
    s.trace_changed.connect(lambda tr: order.append(("main", tr.T)))
    s.compare_changed.connect(lambda tr: order.append(("compare", tr.T if tr is not None else None)))
    s.update_config(source="hello there, world")
    assert order == []                                  # nothing computed on the GUI thread
    qtbot.waitUntil(lambda: len(order) == 2, timeout=20000)
    assert order == [("main", 17), ("compare", 17)]     # the pair always matches
    assert s.compare_trace.rho == pytest.approx(1.5)


def test_a_text_over_the_step_limit_is_an_input_error_before_it_is_built(state):
    """(A state test.) The window's path for typed or pasted text refuses a text longer than rnnviz
    shows at once, in the limit's words, keeping the last good trace: a 30 MB paste was read into its
    tokens and vocabulary (seconds, on the window's thread) before the computation refused it."""
    from rnnviz.core.settings import MAX_STEPS

    class Untouchable(str):
        def __iter__(self):
            raise AssertionError("the text was read character by character before its length was checked")

    good = state.trace
    state.update_config(source=Untouchable("ab" * (MAX_STEPS // 2 + 1)))
    assert state.input_error == f"the sequence has {MAX_STEPS + 1:,} steps; rnnviz shows at most {MAX_STEPS:,}"
    assert state.trace is good
