"""The run's process sends every row its history stores, pinned ones too: the window's
mirror, appending what it is sent, holds the same rows (issue 8: a diverged run's path
keeps its shape when the history thins)."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from core.descent.config import DescentConfig
from core.descent.recording import descent_history
from core.descent.replay import DescentFrames
from core.history import Field, History, RecordSpec
from gui.shell.run_child import ChildRun


@dataclass(frozen=True)
class Tick:
    step: int
    value: float


def test_the_run_process_sends_the_rows_a_pin_stores():
    """The window's mirror, fed what the child sends, holds the child's rows."""
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=3000)
    factory = DescentFrames(config)
    payload = pickle.dumps((factory, partial(descent_history, capacity=16)))
    child, mirror = ChildRun(1, payload), None
    rng = np.random.default_rng(0)
    while not child.finished:
        child.advance()
        if rng.random() < 0.3 or child.finished:  # messages go out now and then
            for frame in child.message()[2]:
                mirror = mirror or descent_history(frame, capacity=16)
                mirror.append(frame)
    mine = child._record.snapshot()
    np.testing.assert_array_equal(mirror.steps, mine.steps)
    np.testing.assert_array_equal(mirror.points, mine.points)


def _frames(n: int):
    for step in range(n):
        yield Tick(step, float(step) ** 2)


def _pins_a_late_stop(frame) -> bool:
    return frame.step == 777  # by then the stride is 64: the frame before was a tail


def _record(first_frame) -> History:
    spec = RecordSpec({"value": Field()}, lambda step, row: Tick(step, **row))
    return History(replace(spec, pin=_pins_a_late_stop), capacity=16)


def test_a_pinned_frame_sends_the_tail_before_it_when_that_never_went():
    payload = pickle.dumps((partial(_frames, 3000), _record))
    child, mirror = ChildRun(1, payload), None
    while not child.finished:
        child.advance()
        if child.latest.step % 10 == 0 or child.finished:  # step 776 is never the newest sent
            for frame in child.message()[2]:
                mirror = mirror or _record(frame)
                mirror.append(frame)
    assert {776, 777} <= set(mirror.steps.tolist())
    np.testing.assert_array_equal(mirror.steps, child._record.steps)
    np.testing.assert_array_equal(mirror.value, child._record.value)
