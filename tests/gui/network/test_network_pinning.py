"""pin: a scrubbed step lands on a recorded step whose weights are kept, every run cut there."""

from __future__ import annotations

import numpy as np

from core.nn.presets import load_network_preset
from core.nn.training_history import TrainingHistory
from core.nn.variant_run import variant_frames
from gui.network.pinning import pin


def _histories(steps: int, capacity: int, weight_capacity: int):
    config = load_network_preset("xor-needs-a-hidden-layer").config
    pairs = [(config, config.make_dataset())] * 2
    frames, histories = [], None
    for _, frame in zip(range(steps), variant_frames(pairs)):
        histories = histories or [
            TrainingHistory(f, capacity, weight_capacity) for f in frame.frames
        ]
        for history, run_frame in zip(histories, frame.frames, strict=True):
            history.append(run_frame)
        frames.append(frame.frames[1])
    return tuple(h.snapshot() for h in histories), frames


def test_pin_lands_on_the_latest_step_with_its_weights_kept():
    histories, frames = _histories(30, capacity=32, weight_capacity=4)
    history = histories[1]
    kept = [int(s) for s in history.weight_steps]
    assert len(history) == 30 and len(kept) < 30  # the weight sets are sparser
    asked = kept[-2] + 1  # a per-step row whose weights were dropped
    pinned = pin(histories, 1, asked)
    assert pinned.step == kept[-2]
    assert int(history.steps[pinned.row]) == pinned.step
    for shown, actual in zip(pinned.frame.weights, frames[pinned.step].weights, strict=True):
        np.testing.assert_array_equal(shown, actual)
    assert [int(h.steps[-1]) for h in pinned.histories] == [pinned.step, pinned.step]


def test_pin_at_a_kept_step_is_that_step():
    histories, frames = _histories(10, capacity=32, weight_capacity=32)
    pinned = pin(histories, 1, 7)
    assert (pinned.row, pinned.step) == (7, 7)
    np.testing.assert_array_equal(pinned.frame.biases[0], frames[7].biases[0])
    assert len(pinned.histories[0]) == 8
