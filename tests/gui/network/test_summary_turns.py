"""Flat out, the loss curves, the accuracy curves and the gradient strip redraw in turn, a
few times a second; at rest all show the last state."""

from __future__ import annotations

from gui.network.summary_turns import SUMMARIES, TURNS_PER_SECOND, SummaryTurns


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_busy_frames_take_turns_and_wait_between_them():
    clock = Clock()
    turns = SummaryTurns(clock)
    assert turns.due(busy=True) == ("loss",)  # the loss curves first
    assert turns.due(busy=True) == ()  # too soon: none
    shown = []
    for _ in range(5):
        clock.now += 1.01 / TURNS_PER_SECOND
        shown += turns.due(busy=True)
    assert shown == ["accuracy", "strip", "loss", "accuracy", "strip"]


def test_not_busy_shows_all_every_time():
    turns = SummaryTurns(Clock())
    assert turns.due(busy=False) == SUMMARIES == ("loss", "accuracy", "strip")
    assert turns.due(busy=False) == SUMMARIES
