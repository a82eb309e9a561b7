"""The gradient check of a training frame, as the panel shows it: batch, verdicts, note."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.nn.data_spec import DataSpec
from core.nn.gradcheck import gradient_check, numerical_gradients
from core.nn.gradcheck_frame import (
    FAIL_ABOVE,
    PASS_BELOW,
    gradient_check_at,
    noise_floor,
    verdict_of,
)
from core.nn.losses import targets_from_labels
from core.nn.network import MLP
from core.nn.train_config import TrainConfig
from core.nn.training import network_at, train

MOONS = DataSpec("moons", n=60)


def _frames(**fields) -> tuple[TrainConfig, list, object]:
    config = TrainConfig(**{"layers": (2, 5, 4, 1), "epochs": 3, "data": MOONS, **fields})
    dataset = config.make_dataset()
    return config, list(train(config, dataset)), dataset


def _batch(config, frame, dataset):
    index = np.asarray(frame.batch_indices)
    y = targets_from_labels(dataset.y_train[index], config.loss, config.layers[-1])
    return dataset.X_train[index], y


def test_a_right_network_passes_on_the_frames_batch():
    config, frames, dataset = _frames(mode="minibatch", batch_size=16)
    check = gradient_check_at(config, frames[1], dataset)
    assert check.verdict == "pass" and set(check.verdicts) == {"pass"}
    assert check.batch_size == 16 and check.step == 1
    assert check.names == ("W1", "b1", "W2", "b2", "W3", "b3")
    assert check.layer_rows() == [(0, 1), (2, 3), (4, 5)]
    assert check.relative.max() < 1e-7 and check.checked == check.n_params == 44
    assert check.summary.startswith("Pass:") and "1e-06" in check.summary
    assert "step 1's batch of 16 samples" in check.note and "all 44 parameters" in check.note
    assert not check.dropout_off and "dropout" not in check.note


def test_a_scaled_layer_gradient_fails_in_that_layer_only(monkeypatch):
    config, frames, dataset = _frames()
    original = MLP._hidden_delta

    def slipped(self, layer, *args):  # layer 1's error signal comes back 1.5 times too big
        delta = original(self, layer, *args)
        return delta * 1.5 if layer == 0 else delta

    monkeypatch.setattr(MLP, "_hidden_delta", slipped)
    check = gradient_check_at(config, frames[1], dataset)
    assert check.verdict == "fail"
    assert check.verdicts[:2] == ("fail", "fail")  # W1, b1
    assert check.verdicts[2:] == ("pass",) * 4  # W2, b2, W3, b3 do not depend on it
    assert check.relative[0] == pytest.approx(0.5 / 2.5, rel=1e-4)  # |1.5g - g| / 2.5|g|
    assert check.summary.startswith("Fail:") and "W1, b1" in check.summary


def test_dropout_is_switched_off_and_the_note_says_so():
    config, frames, dataset = _frames(dropout=0.4)
    check = gradient_check_at(config, frames[1], dataset)
    assert check.verdict == "pass" and check.dropout_off
    assert "dropout (p = 0.4) switched off" in check.note


def test_batch_norm_is_checked_in_training_mode():
    config, frames, dataset = _frames(batch_norm=True, mode="minibatch", batch_size=20)
    check = gradient_check_at(config, frames[2], dataset)
    assert check.verdict == "pass" and check.batch_norm_training
    assert check.names[-4:] == ("γ1", "β1", "γ2", "β2")
    assert "batch norm in training mode" in check.note
    # in evaluation mode the running statistics give another loss: the check must not use it
    net = network_at(config, frames[2])
    X, y = _batch(config, frames[2], dataset)
    train_mode = numerical_gradients(net, X, y, "bce", training=True)
    eval_mode = numerical_gradients(net, X, y, "bce", training=False)
    assert not np.allclose(train_mode[0], eval_mode[0], rtol=1e-3)


def test_entries_at_a_relu_kink_are_left_out_and_counted():
    net = MLP([1, 2, 1], activation="relu", output="linear")
    net.weights[0][...] = [[1.0, -1.0]]
    X, y = np.array([[0.0], [1.0]]), np.array([[0.5], [0.2]])  # x = 0: both z exactly at 0
    plain = gradient_check(net, X, y)
    assert not plain.ok()  # the difference quotient averages the slopes 0 and 1 there
    skipped = gradient_check(net, X, y, skip_kinks=True)
    assert skipped.ok() and skipped.kinks.sum() > 0
    assert skipped.kinks[1] == 2  # both b1 entries move z of the sample at 0 across the kink


def test_a_large_network_is_checked_on_a_sample_of_entries():
    config, frames, dataset = _frames(layers=(2, 60, 60, 1), epochs=1)
    check = gradient_check_at(config, frames[0], dataset)
    assert check.checked < check.n_params == 3901
    assert check.verdict == "pass" and "random sample of each array" in check.note


def test_numerical_gradients_of_chosen_entries_equal_those_of_all():
    config, frames, dataset = _frames()
    net = network_at(config, frames[1])
    X, y = _batch(config, frames[1], dataset)
    entries = [np.array([0, 5]), np.array([3]), np.array([1, 19]), np.array([0]), *[[0]] * 2]
    sampled = numerical_gradients(net, X, y, "bce", entries=entries)
    full = numerical_gradients(net, X, y, "bce")
    for part, whole, chosen in zip(sampled, full, entries, strict=True):
        np.testing.assert_array_equal(part, whole.ravel()[chosen])


def test_verdict_thresholds_and_the_rounding_floor():
    assert verdict_of(PASS_BELOW, 1.0) == "pass"
    assert verdict_of(2 * PASS_BELOW, 1.0) == "suspicious"
    assert verdict_of(FAIL_ABOVE, 1.0) == "suspicious"
    assert verdict_of(2 * FAIL_ABOVE, 1.0) == "fail"
    assert verdict_of(0.9, 1e-9) == "pass"  # a difference within rounding of the loss
    assert noise_floor(0.5, 1e-6) == pytest.approx(1e-8)
    assert noise_floor(1e6, 1e-6) == pytest.approx(1e-2)


def test_a_diverged_frame_passes_only_to_within_rounding():
    config, frames, dataset = _frames(
        layers=(1, 16, 16, 1), activation="relu", init="large", output="linear", loss="mse",
        lr=0.5, epochs=30, data=DataSpec("sine", n=60),
    )  # fmt: skip
    last = frames[-1]
    assert last.stop_reason == "diverged" and last.train_loss > 1e6
    check = gradient_check_at(config, last, dataset)
    assert check.verdict == "pass" and all(check.tiny)
    assert check.summary.startswith("Pass, to within rounding only")


def test_the_check_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    config, frames, dataset = _frames(batch_norm=True, dropout=0.3, mode="minibatch", batch_size=12)
    frame = frames[3]
    X, y = _batch(config, frame, dataset)
    net = network_at(config, frame)
    net.dropout = 0.0  # as the check does
    W = [torch.tensor(w, requires_grad=True) for w in frame.weights]
    b = [torch.tensor(v, requires_grad=True) for v in frame.biases]
    gamma = [torch.tensor(g, requires_grad=True) for g in net.bn_gamma]
    beta = [torch.tensor(g, requires_grad=True) for g in net.bn_beta]
    a = torch.tensor(X)
    for layer in range(2):
        z = a @ W[layer] + b[layer]
        mean, var = z.mean(0), z.var(0, unbiased=False)
        a = torch.tanh(gamma[layer] * (z - mean) / torch.sqrt(var + 1e-5) + beta[layer])
    logits = a @ W[2] + b[2]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(y))
    loss.backward()
    params = [W[0], b[0], W[1], b[1], W[2], b[2], gamma[0], beta[0], gamma[1], beta[1]]
    theirs = [p.grad.numpy() for p in params]
    back = net.backward(net.forward(X, training=True), y, "bce")
    ours = [back.dW[0], back.db[0], back.dW[1], back.db[1], back.dW[2], back.db[2]]
    ours += [back.dgamma[0], back.dbeta[0], back.dgamma[1], back.dbeta[1]]
    for mine, ref in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-13)
    numeric = numerical_gradients(net, X, y, "bce", training=True)
    for diff, ref in zip(numeric, theirs, strict=True):
        np.testing.assert_allclose(diff, ref, rtol=1e-5, atol=1e-8)
    check = gradient_check_at(config, frame, dataset)
    assert check.verdict == "pass" and check.dropout_off and check.batch_norm_training
    assert dataclasses.replace(config, dropout=0.0) != config  # the run itself keeps dropout
