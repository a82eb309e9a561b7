"""Flat out, the curves and the gradient strip redraw in turn, a few times a second; at
rest both show the last state."""

from __future__ import annotations

from gui.network.summary_turns import TURNS_PER_SECOND, SummaryTurns


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_busy_frames_take_turns_and_wait_between_them():
    clock = Clock()
    turns = SummaryTurns(clock)
    assert turns.due(busy=True) == (True, False)  # the curves first
    assert turns.due(busy=True) == (False, False)  # too soon: neither
    clock.now += 1.0 / TURNS_PER_SECOND
    assert turns.due(busy=True) == (False, True)  # then the strip
    clock.now += 1.0 / TURNS_PER_SECOND
    assert turns.due(busy=True) == (True, False)


def test_not_busy_shows_both_every_time():
    turns = SummaryTurns(Clock())
    assert turns.due(busy=False) == (True, True)
    assert turns.due(busy=False) == (True, True)
