"""Training recorder: per-step curves and thinned weight sets of a real run, rebuilt exactly."""

from __future__ import annotations

import numpy as np
import pytest

import core.nn.training_history as training_history_module
from core.nn.datasets import make_dataset
from core.nn.training import TrainConfig, TrainFrame, train
from core.nn.training_history import default_weight_capacity, training_history


def xor_frames(epochs: int = 200, **config) -> list[TrainFrame]:
    """A full-batch run on XOR: one step per epoch, steps 0 .. epochs."""
    config = TrainConfig(layers=(2, 4, 1), epochs=epochs, **config)
    return list(train(config, make_dataset("xor", n=80)))


def recorded(frames, capacity=16, weight_capacity=4):
    history = training_history(frames[0], capacity=capacity, weight_capacity=weight_capacity)
    for frame in frames:
        history.append(frame)
    return history.snapshot()


def test_per_step_columns_hold_the_frames_numbers():
    frames = xor_frames()
    snap = recorded(frames)
    assert len(snap) <= 17 and snap.steps[-1] == 200 and snap.stride == 16
    kept = [frames[s] for s in snap.steps]
    for name in ("batch_loss", "train_loss", "test_loss", "lr", "train_accuracy"):
        np.testing.assert_array_equal(getattr(snap, name), [getattr(f, name) for f in kept])
    np.testing.assert_array_equal(snap.grad_norms, np.stack([f.grad_norms for f in kept]))
    assert snap.grad_norms.shape == (len(snap), 2)  # one norm per layer
    np.testing.assert_array_equal(snap.weight_std, np.stack([f.weight_std for f in kept]))
    assert snap.epoch.tolist() == [f.epoch for f in kept]
    assert snap.stop_code == 0  # the newest state: "epoch_limit", the first stop reason


def test_weight_sets_are_thinned_on_the_same_grid_and_hold_the_frames_weights():
    frames = xor_frames()
    snap = recorded(frames, capacity=16, weight_capacity=4)
    # 201 steps in 4 weight rows: stride 64, rows 0, 64, 128, 192 and the newest, 200
    assert snap.weight_steps.tolist() == [0, 64, 128, 192, 200]
    assert set(snap.weight_steps.tolist()) <= set(snap.steps.tolist())
    assert [w.shape for w in snap.weights] == [(5, 2, 4), (5, 4, 1)]
    assert [b.shape for b in snap.biases] == [(5, 4), (5, 1)] and snap.bn_state == ()
    for j, step in enumerate(snap.weight_steps):
        for layer in range(2):
            np.testing.assert_array_equal(snap.weights[layer][j], frames[step].weights[layer])
            np.testing.assert_array_equal(snap.biases[layer][j], frames[step].biases[layer])


def test_frame_at_rebuilds_a_train_frame_with_weights_where_they_were_kept():
    frames = xor_frames()
    snap = recorded(frames)
    row = snap.index_of_step(64)  # a kept weight set
    frame, original = snap.frame_at(row), frames[64]
    assert isinstance(frame, TrainFrame) and frame.step == 64 and frame.epoch == 64
    for name in ("batch_loss", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "lr"):
        assert getattr(frame, name) == getattr(original, name)
    np.testing.assert_array_equal(frame.grad_norms, original.grad_norms)
    for rebuilt, kept in zip(frame.weights + frame.biases, original.weights + original.biases):
        np.testing.assert_array_equal(rebuilt, kept)
        assert not rebuilt.flags.writeable
    assert frame.stop_reason is None and frame.sample is None
    off_grid = snap.frame_at(snap.index_of_step(80))  # per-step row, no weight set
    assert off_grid.step == 80 and off_grid.weights == () and off_grid.biases == ()
    step, weights, _, _ = snap.weights_at(80)
    assert step == 64
    np.testing.assert_array_equal(weights[0], frames[64].weights[0])
    assert snap.frame_at(-1) is frames[-1]  # the newest row: the frame itself, complete


def test_upto_truncates_curves_and_weight_sets_together():
    snap = recorded(xor_frames())
    early = snap.upto(snap.index_of_step(100))
    assert early.steps[-1] == 96 and early.weight_steps.tolist() == [0, 64]
    rebuilt = early.frame_at(-1)
    assert rebuilt.step == 96 and rebuilt.stop_reason is None and rebuilt.weights == ()
    assert len(early) == snap.index_of_step(100) + 1


def test_a_regression_run_records_missing_accuracy_as_none():
    config = TrainConfig(layers=(1, 3, 1), output="linear", loss="mse", lr=0.05, epochs=30)
    frames = list(train(config, make_dataset("sine", n=40)))
    assert frames[5].train_accuracy is None  # the premise
    snap = recorded(frames, capacity=8)
    assert np.all(np.isnan(snap.train_accuracy)) and np.all(np.isnan(snap.test_accuracy))
    frame = snap.frame_at(0)
    assert frame.train_accuracy is None and frame.test_accuracy is None
    assert frame.train_loss == frames[0].train_loss


def test_batch_norm_state_is_part_of_each_weight_set():
    config = TrainConfig(layers=(2, 4, 1), mode="minibatch", batch_size=20, batch_norm=True)
    frames = list(train(config, make_dataset("xor", n=80)))[:40]
    assert len(frames[0].bn_state) == 4  # gamma, beta, running mean, running var
    snap = recorded(frames, capacity=8, weight_capacity=4)
    assert len(snap.bn_state) == 4
    j = int(np.flatnonzero(snap.weight_steps == 32)[0])
    for column, value in zip(snap.bn_state, frames[32].bn_state):
        np.testing.assert_array_equal(column[j], value)


def test_weight_capacity_defaults_to_a_memory_budget(monkeypatch):
    frames = xor_frames(epochs=3)
    per_set = 8 * (2 * 4 + 4 + 4 * 1 + 1)  # bytes of every weight and bias
    monkeypatch.setattr(training_history_module, "WEIGHT_BUDGET_BYTES", 11 * per_set)
    assert default_weight_capacity(frames[0], capacity=1024) == 10  # even, within the budget
    assert default_weight_capacity(frames[0], capacity=6) == 6  # never above the curves'
    monkeypatch.setattr(training_history_module, "WEIGHT_BUDGET_BYTES", per_set)
    assert default_weight_capacity(frames[0], capacity=1024) == 4  # at least 4
    assert training_history(frames[0], capacity=64).weight_sets.capacity == 4


def test_bad_capacities_name_the_field():
    frames = xor_frames(epochs=3)
    for weight_capacity in (16, 5, 2):
        with pytest.raises(ValueError, match="weight_capacity"):
            training_history(frames[0], capacity=8, weight_capacity=weight_capacity)
    with pytest.raises(ValueError, match="capacity"):
        training_history(frames[0], capacity=7)
    history = training_history(frames[0], capacity=8)
    history.append(frames[1])
    with pytest.raises(ValueError, match="step must increase"):
        history.append(frames[0])


def test_delta_and_update_norms_are_recorded_per_step():
    frames = xor_frames(epochs=5)
    history = training_history(frames[0])
    for frame in frames:
        history.append(frame)
    snap = history.snapshot()
    np.testing.assert_array_equal(snap.delta_norms[-1], frames[-1].delta_norms)
    np.testing.assert_array_equal(snap.update_norms[1], frames[1].update_norms)
