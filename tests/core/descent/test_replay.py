"""core.descent.replay: going on from a recorded step gives the original run's frames."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun
from core.descent.recording import descent_history
from core.descent.replay import resume_frames, resumed_recorder

CONFIG = DescentConfig(
    surface="linreg",
    optimizers=(OptimizerSpec("momentum"), OptimizerSpec("adam")),
    learning_rates=(0.05, 0.5),
    starts=((-2.0, -3.0),),
    batch=4,
    seeds=2,
    steps=60,
)


def _recorded(config: DescentConfig, capacity: int = 8):
    frames = list(DescentRun(config).frames())
    history = descent_history(frames[0], capacity=capacity)
    for frame in frames:
        history.append(frame)
    return frames, history.snapshot()


def _same(a, b) -> None:
    assert a.step == b.step
    for field in dataclasses.fields(a):
        np.testing.assert_array_equal(getattr(a, field.name), getattr(b, field.name))


@pytest.mark.parametrize("step", [0, 17, 40, 60])
def test_resuming_from_a_step_yields_the_original_frames_from_it(step):
    frames, _ = _recorded(CONFIG)
    resumed = list(resume_frames(CONFIG, step))
    assert [f.step for f in resumed] == list(range(step, CONFIG.steps + 1))
    for got, want in zip(resumed, frames[step:], strict=True):
        _same(got, want)  # mini-batch sampling, momentum and Adam state all come back


def test_the_resumed_history_keeps_the_recorded_past_then_the_new_frames():
    frames, recorded = _recorded(CONFIG)  # thinned: capacity 8 over 61 frames
    step = 37
    resumed = resume_frames(CONFIG, step)
    first = next(resumed)
    history = resumed_recorder(recorded)(first)
    history.append(first)
    for frame in resumed:
        history.append(frame)
    past = [int(s) for s in recorded.steps if s < step]
    assert [int(s) for s in history.steps[: len(past)]] == past
    _same(history.frame_at(-1), frames[-1])


def test_resuming_without_limit_goes_past_the_configured_steps():
    resumed = resume_frames(CONFIG, CONFIG.steps, max_steps=-1)
    assert [next(resumed).step for _ in range(4)] == [60, 61, 62, 63]


def test_a_step_beyond_the_run_is_refused_by_name():
    with pytest.raises(ValueError, match="step must be at most"):
        next(resume_frames(CONFIG, CONFIG.steps + 1))
    with pytest.raises(ValueError, match="step must be an integer"):
        next(resume_frames(CONFIG, -1))
