"""What a training frame carries: batch gradients, the update applied, delta norms, batch
indices; read-only copies; fixed biases; and why a run diverged."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.divergence import EXPLODING_GRADIENT, divergence_reason, relative_step
from core.nn.network import MLP
from core.nn.training import TrainConfig, build_network, network_at, train
from core.optim.optimizers import ClipSpec

MOONS = make_dataset("moons", n=40, seed=3)
SINE = make_dataset("sine", n=40, seed=0)
BASE = TrainConfig(layers=(2, 5, 4, 1), lr=0.2, epochs=3, mode="minibatch", batch_size=8)
UPDATE_RULES = [
    {"optimizer": "gd"},
    {"optimizer": "momentum"},
    {"optimizer": "adam", "lr": 0.01},
    {"optimizer": "rmsprop", "lr": 0.01, "clip": ClipSpec("norm", 0.1)},
    {"optimizer": "adamw", "lr": 0.01, "l2": 1e-3, "batch_norm": True},
]


def _frames(config, data=MOONS):
    return list(train(config, data))


@pytest.mark.parametrize("changes", UPDATE_RULES)
def test_applied_update_is_exactly_the_change_of_the_weights(changes):
    frames = _frames(dataclasses.replace(BASE, **changes))
    for now, then in itertools.pairwise(frames):
        for W0, W1, dW in zip(now.weights, then.weights, now.weight_update, strict=True):
            np.testing.assert_array_equal(W1 - W0, dW)
        for b0, b1, db in zip(now.biases, then.biases, now.bias_update, strict=True):
            np.testing.assert_array_equal(b1 - b0, db)
        norms = [np.linalg.norm(u) for u in now.weight_update]
        np.testing.assert_allclose(now.update_norms, norms, rtol=1e-15)
    assert all(not np.any(u) for u in frames[-1].weight_update + frames[-1].bias_update)


def test_plain_gradient_descent_update_is_minus_lr_times_the_gradient():
    frames = _frames(dataclasses.replace(BASE, optimizer="gd", lr=0.3))
    frame = frames[4]
    for update, grad in zip(frame.weight_update + frame.bias_update, frame.dW + frame.db):
        np.testing.assert_allclose(update, -0.3 * grad, rtol=1e-12, atol=1e-15)


def test_frame_gradients_and_deltas_are_the_batch_backward_pass():
    config = dataclasses.replace(BASE, l2=1e-2)
    frames = _frames(config)
    frame = frames[5]  # 30 samples: batches of 8, 8, 8, 6, so step 5 is a full one
    assert len(frame.batch_indices) == 8 and len(set(frame.batch_indices)) == 8
    net = network_at(config, frame)
    X = MOONS.X_train[frame.batch_indices]
    y = MOONS.y_train[frame.batch_indices].astype(float)
    back = net.backward(net.forward(X, training=True), y, "bce", l2=1e-2)
    for ours, theirs in zip(frame.dW + frame.db, back.dW + back.db, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(frame.delta_norms, [np.linalg.norm(d) for d in back.delta])
    assert frame.delta_norms.shape == (3,)


def test_full_batch_indices_are_every_sample_in_order():
    frames = _frames(dataclasses.replace(BASE, mode="batch", epochs=2))
    for frame in frames:
        np.testing.assert_array_equal(frame.batch_indices, np.arange(len(MOONS.X_train)))


def test_every_array_in_a_frame_is_a_read_only_copy():
    frame = _frames(dataclasses.replace(BASE, epochs=1))[1]
    arrays = [*frame.weights, *frame.biases, *frame.dW, *frame.db, *frame.weight_update]
    arrays += [*frame.bias_update, frame.delta_norms, frame.update_norms, frame.batch_indices]
    arrays += [frame.grad_norms]
    for array in arrays:
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adamw"])
def test_fixed_biases_keep_their_values_but_show_their_gradient(optimizer):
    config = dataclasses.replace(
        BASE,
        optimizer=optimizer,
        fixed_biases=True,
        initial_biases=((0.1,) * 5, (-0.2,) * 4, (0.3,)),
    )
    frames = _frames(config)
    for frame in frames:
        np.testing.assert_array_equal(frame.biases[1], np.full(4, -0.2))
        assert all(not np.any(u) for u in frame.bias_update)
    assert np.linalg.norm(frames[0].db[0]) > 0  # the gradient is still computed and shown
    assert np.any(frames[0].weight_update[0])  # the weights do move


def test_divergence_from_too_large_a_learning_rate_is_named():
    config = TrainConfig(layers=(2, 4, 1), output="linear", loss="mse", lr=40.0, epochs=200)
    frames = _frames(config, make_dataset("xor", n=40, seed=0))
    last = frames[-1]
    assert last.stop_reason == "diverged"
    assert max(frames[0].grad_norms) < EXPLODING_GRADIENT
    assert last.stop_detail.startswith("the learning rate 40 is too large")
    assert "initial weights" not in last.stop_detail
    assert all(not np.any(u) for u in last.weight_update)
    for frame in frames:
        values = [*frame.weights, *frame.dW, *frame.weight_update, frame.delta_norms]
        assert all(np.all(np.isfinite(v)) for v in values)


def test_divergence_from_exploding_initial_weights_is_named():
    config = TrainConfig(
        layers=(1, 32, 32, 32, 32, 32, 1),
        activation="relu",
        init="large",
        output="linear",
        loss="mse",
        lr=0.01,
        epochs=50,
    )
    frames = _frames(config, SINE)
    assert frames[-1].stop_reason == "diverged" and len(frames) < 10
    assert max(frames[0].grad_norms) > EXPLODING_GRADIENT
    assert frames[-1].stop_detail.startswith("the initial weights are too large")


def test_divergence_reason_reads_the_step_zero_gradient():
    frame = _frames(dataclasses.replace(BASE, epochs=1))[0]
    calm = dataclasses.replace(frame, grad_norms=np.array([0.5, 2.0, 1.0]))
    wild = dataclasses.replace(frame, grad_norms=np.array([0.5, 2e4, 1.0]))
    assert "learning rate 0.2 is too large" in divergence_reason(calm, calm, 3.0)
    assert "3 times the size" in divergence_reason(calm, calm, 3.0)
    assert "2e+04 at step 0" in divergence_reason(wild, calm)


def test_relative_step_is_update_size_over_weight_size():
    frame = _frames(dataclasses.replace(BASE, epochs=1))[0]
    size = np.sqrt(sum(np.sum(w**2) for w in frame.weights))
    moved = np.sqrt(sum(np.sum(u**2) for u in frame.weight_update))
    assert relative_step(frame) == pytest.approx(moved / size, rel=1e-12)


def test_data_seed_and_weight_seed_vary_apart():
    base = TrainConfig(layers=(2, 4, 1), epochs=1, mode="minibatch", batch_size=8, seed=5)
    same = _frames(dataclasses.replace(base, data_seed=5, weight_seed=5))
    ref = _frames(base)
    np.testing.assert_array_equal(same[3].weights[0], ref[3].weights[0])
    other_weights = _frames(dataclasses.replace(base, weight_seed=6))
    other_data = _frames(dataclasses.replace(base, data_seed=6))
    assert not np.array_equal(other_weights[0].weights[0], ref[0].weights[0])
    np.testing.assert_array_equal(other_weights[0].batch_indices, ref[0].batch_indices)
    np.testing.assert_array_equal(other_data[0].weights[0], ref[0].weights[0])
    assert not np.array_equal(other_data[0].batch_indices, ref[0].batch_indices)


def test_a_network_built_for_the_config_uses_the_weight_seed():
    config = TrainConfig(layers=(2, 3, 1), seed=1, weight_seed=9)
    net = build_network(config, MOONS)
    np.testing.assert_array_equal(net.weights[0], MLP([2, 3, 1], seed=9).weights[0])


def test_weights_file_round_trip_with_batch_norm_state(tmp_path):
    from core.nn.weights_file import load_weights, save_weights

    config = dataclasses.replace(BASE, batch_norm=True, epochs=1)
    last = _frames(config)[-1]
    save_weights(tmp_path / "net.npz", last)
    arrays = load_weights(tmp_path / "net.npz")
    assert list(arrays)[:6] == ["W0", "b0", "W1", "b1", "W2", "b2"]
    np.testing.assert_array_equal(arrays["W1"], last.weights[1])
    np.testing.assert_array_equal(arrays["running_var1"], last.bn_state[7])
    assert set(arrays) >= {"gamma0", "beta1", "running_mean0"} and len(arrays) == 14
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]
