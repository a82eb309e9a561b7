"""The trainer: frames, modes, epochs, stop reasons, schedules, clipping and determinism."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.network import MLP
from core.nn.training import (
    TrainConfig,
    _Run,
    build_network,
    network_at,
    steps_per_epoch,
    train,
)
from core.optim.optimizers import ClipSpec, ScheduleSpec, learning_rate_at

MOONS = make_dataset("moons", n=80, seed=0)
XOR = make_dataset("xor", n=40, noise=0.1, seed=0)
SINE = make_dataset("sine", n=60, seed=0)


def _frames(config, data=MOONS, **kwargs):
    return list(train(config, data, **kwargs))


def _assert_frames_equal(a, b):
    assert len(a) == len(b)
    for fa, fb in zip(a, b, strict=True):
        for field in dataclasses.fields(fa):
            va, vb = getattr(fa, field.name), getattr(fb, field.name)
            if field.name == "sample":
                continue
            if isinstance(va, tuple):
                for x, y in zip(va, vb, strict=True):
                    np.testing.assert_array_equal(x, y)
            else:
                np.testing.assert_array_equal(va, vb)


def _softmax_config(**changes) -> TrainConfig:
    """A three-class softmax net with batch norm, trained in mini-batches of 16."""
    base = TrainConfig(
        layers=(2, 8, 3),
        output="softmax",
        loss="cross_entropy",
        mode="minibatch",
        batch_size=16,
        batch_norm=True,
    )
    return dataclasses.replace(base, **changes)


def test_same_seed_same_frames_and_other_seed_differs():
    config = TrainConfig(
        layers=(2, 6, 1),
        mode="minibatch",
        batch_size=16,
        epochs=3,
        dropout=0.2,
        optimizer="adam",
        lr=0.01,
        seed=5,
    )
    first, second = _frames(config), _frames(config)
    _assert_frames_equal(first, second)
    other = _frames(dataclasses.replace(config, seed=6))
    assert not np.array_equal(first[-1].weights[0], other[-1].weights[0])


@pytest.mark.parametrize(
    ("mode", "batch_size", "steps_per_epoch"),
    [("batch", 32, 1), ("minibatch", 16, 4), ("minibatch", 25, 3), ("stochastic", 1, 60)],
)
def test_modes_steps_and_epochs(mode, batch_size, steps_per_epoch):
    config = TrainConfig(layers=(2, 4, 1), mode=mode, batch_size=batch_size, epochs=2)
    frames = _frames(config)
    assert len(MOONS.X_train) == 60
    assert [f.step for f in frames] == list(range(2 * steps_per_epoch + 1))
    assert frames[-1].epoch == 2 and frames[-1].stop_reason == "epoch_limit"
    assert all(f.stop_reason is None for f in frames[:-1])
    assert frames[steps_per_epoch].epoch == 1 and frames[steps_per_epoch - 1].epoch == 0


def test_every_epoch_is_a_fresh_permutation_of_the_training_set():
    config = TrainConfig(layers=(2, 4, 1), mode="minibatch", batch_size=7, epochs=3)
    run = _Run(config, MOONS, build_network(config, MOONS))
    epochs = [
        np.concatenate([run.next_batch() for _ in range(run.steps_per_epoch)]) for _ in range(3)
    ]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(60))
    assert not np.array_equal(epochs[0], epochs[1])


def test_batch_norm_folds_a_lone_last_sample_into_the_previous_batch():
    config = TrainConfig(layers=(2, 4, 1), mode="minibatch", batch_size=59, batch_norm=True)
    run = _Run(config, MOONS, build_network(config, MOONS))
    assert run.steps_per_epoch == 1 and len(run.next_batch()) == 60
    frames = _frames(dataclasses.replace(config, epochs=3))
    assert len(frames) == 4
    assert not np.array_equal(frames[-1].bn_state[2], frames[0].bn_state[2])  # running mean


def test_frames_are_immutable_copies():
    net = build_network(TrainConfig(layers=(2, 4, 1), epochs=2), MOONS)
    frames = _frames(TrainConfig(layers=(2, 4, 1), epochs=2), net=net)
    first = frames[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.step = 3
    for array in (first.weights[0], first.biases[0], first.grad_norms, first.weight_std):
        assert not array.flags.writeable
    assert not np.array_equal(first.weights[0], net.weights[0])  # the net moved on, the frame not
    np.testing.assert_array_equal(frames[-1].weights[0], net.weights[0])


def test_frame_contents_match_a_direct_computation():
    config = TrainConfig(layers=(2, 5, 1), epochs=1, sample_index=7)
    frame = _frames(config)[0]
    net = MLP([2, 5, 1], "tanh", "sigmoid", seed=0)
    labels = MOONS.y_train.astype(float)
    loss, dW, _ = net.loss_and_grads(MOONS.X_train, labels, loss="bce")
    assert frame.batch_loss == pytest.approx(loss)
    assert frame.train_loss == pytest.approx(loss)
    np.testing.assert_allclose(frame.grad_norms, [np.linalg.norm(g) for g in dW])
    np.testing.assert_allclose(frame.weight_std, [W.std() for W in net.weights])
    np.testing.assert_allclose(frame.weight_max, [W.max() for W in net.weights])
    out = net.predict(MOONS.X_test)[:, 0]
    assert frame.test_accuracy == pytest.approx(np.mean((out > 0.5) == MOONS.y_test))
    sample = frame.sample
    record = net.forward(MOONS.X_train[7:8])
    back = net.backward(record, labels[7:8], "bce")
    assert sample.index == 7 and sample.loss == pytest.approx(back.loss)
    assert repr(sample).startswith("SampleTrace(index=7, loss=")
    assert repr(frame).startswith("TrainFrame(step=0, epoch=0, train_loss=")
    np.testing.assert_allclose(sample.delta[0], back.delta[0])
    np.testing.assert_allclose(sample.a[1], record.a[1])


def test_plain_gradient_descent_is_w_minus_lr_grad():
    config = TrainConfig(layers=(1, 3, 1), output="linear", loss="mse", lr=0.05, epochs=3)
    frames = _frames(config, SINE)
    net = MLP([1, 3, 1], "tanh", "linear", seed=0)
    for frame in frames:
        np.testing.assert_allclose(frame.weights[1], net.weights[1], rtol=1e-12)
        _, dW, db = net.loss_and_grads(SINE.X_train, SINE.y_train)
        net.set_flat(net.get_flat() - 0.05 * net.flatten_grads(dW, db))
    assert frames[0].train_accuracy is None


def test_schedule_and_clipping_come_from_the_optimizers_module():
    schedule = ScheduleSpec("step", step_size=2, gamma=0.5)
    config = TrainConfig(
        layers=(2, 4, 1), lr=0.4, epochs=6, schedule=schedule, clip=ClipSpec("norm", 1e-3)
    )
    frames = _frames(config)
    expected = [learning_rate_at(schedule, np.array([0.4]), t)[0] for t in range(7)]
    np.testing.assert_allclose([f.lr for f in frames], expected)
    for before, after in itertools.pairwise(frames):
        moved = np.sqrt(
            sum(
                np.sum((a - b) ** 2)
                for a, b in zip(
                    after.weights + after.biases, before.weights + before.biases, strict=True
                )
            )
        )
        assert moved <= before.lr * 1e-3 * (1 + 1e-9)


def test_target_loss_stops_early():
    config = TrainConfig(layers=(2, 8, 1), optimizer="adam", lr=0.05, epochs=2000, target_loss=0.1)
    frames = _frames(config, XOR)
    assert frames[-1].stop_reason == "target_loss"
    assert frames[-1].train_loss <= 0.1 < frames[-2].train_loss
    assert frames[-1].train_accuracy == 1.0


def test_divergence_freezes_at_the_last_finite_state():
    config = TrainConfig(
        layers=(1, 16, 16, 1),
        activation="relu",
        output="linear",
        loss="mse",
        lr=5.0,
        epochs=1000,
        init="large",
    )
    frames = _frames(config, SINE)
    last = frames[-1]
    assert last.stop_reason == "diverged" and len(frames) < 1000
    assert last.step == frames[-2].step + 1
    np.testing.assert_array_equal(last.weights[0], frames[-2].weights[0])
    for frame in frames:
        numbers = [frame.train_loss, frame.test_loss, frame.batch_loss, *frame.grad_norms]
        assert all(math.isfinite(v) for v in numbers)
        assert all(np.all(np.isfinite(w)) for w in frame.weights)


def test_xor_is_learned_by_minibatch_and_stochastic_descent():
    for mode in ("minibatch", "stochastic"):
        config = TrainConfig(
            layers=(2, 4, 1), mode=mode, batch_size=8, lr=0.1, epochs=60, optimizer="momentum"
        )
        last = _frames(config, XOR)[-1]
        assert last.train_accuracy == 1.0 and last.test_accuracy == 1.0, mode


def test_three_classes_with_softmax_and_batch_norm():
    blobs = make_dataset("blobs", n=120, seed=1)
    config = _softmax_config(layers=(2, 8, 3), optimizer="adam", lr=0.05, epochs=40, l2=1e-3)
    last = _frames(config, blobs)[-1]
    assert last.test_accuracy > 0.9
    assert len(last.bn_state) == 4


def test_eval_every_repeats_the_latest_evaluation():
    config = TrainConfig(layers=(2, 4, 1), mode="stochastic", epochs=2, eval_every=60)
    frames = _frames(config)
    assert len({f.train_loss for f in frames[:60]}) == 1
    assert frames[60].train_loss != frames[59].train_loss
    assert len({f.batch_loss for f in frames[:60]}) > 1
    assert steps_per_epoch(config, 60) == 60


def test_network_at_rebuilds_the_network_of_a_frame():
    blobs = make_dataset("blobs", n=60, seed=2)
    config = _softmax_config(layers=(2, 5, 3), epochs=5, batch_size=10, lr=0.2)
    net = build_network(config, blobs)
    frames = list(train(config, blobs, net))
    rebuilt = network_at(config, frames[-1])
    np.testing.assert_array_equal(rebuilt.get_flat(), net.get_flat())
    np.testing.assert_array_equal(rebuilt.predict(blobs.X_test), net.predict(blobs.X_test))
    early = network_at(config, frames[3])
    np.testing.assert_array_equal(early.weights[0], frames[3].weights[0])
    np.testing.assert_array_equal(early.bn_running_var[0], frames[3].bn_state[3])


def test_a_given_network_must_match_the_config():
    with pytest.raises(ValueError, match=r"net has layers \[2, 5, 1\], the config \[2, 4, 1\]"):
        next(train(TrainConfig(layers=(2, 4, 1)), MOONS, MLP([2, 5, 1])))
