"""The timeline's positions, steps and phases, both ways."""
import pytest

from rnnviz.core.timeline import Phase, Timeline
from rnnviz.core.trace import Segment


@pytest.mark.parametrize("T", [1, 2, 7])
def test_positions_and_steps_are_inverse(T):
    tl = Timeline(T)
    assert tl.n_positions == 2 * T and tl.last == 2 * T - 1
    seen = set()
    for pos in range(tl.n_positions):
        t, phase = tl.locate(pos)
        assert 0 <= t < T and tl.position(t, phase) == pos
        seen.add((t, phase))
    assert len(seen) == 2 * T
    assert tl.locate(0) == (0, Phase.FORWARD) and tl.locate(T) == (T - 1, Phase.BACKWARD)
    assert tl.locate(tl.last) == (0, "backward")            # a Phase is its string
    assert tl.cursor_x(0) == 1 and tl.cursor_x(T) == T and tl.cursor_x(tl.last) == 1
    assert tl.back_step(T - 0.5) == T and tl.back_step(T + 0.5) == T - 1.5
    assert tl.clamp(-3) == 0 and tl.clamp(99) == tl.last


def test_segments():
    tl = Timeline(5, (Segment("encoder", 0, 3), Segment("decoder", 3, 5)))
    assert tl.segment_of(2).name == "encoder" and tl.segment_of(3).name == "decoder"
    assert tl.segment_of(9) is None
