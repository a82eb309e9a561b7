"""Losses and gradients against torch autograd (skipped when torch is not installed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.nn.activations import HIDDEN_ACTIVATIONS
from core.nn.datasets import make_dataset
from core.nn.network import MLP
from core.nn.training import TrainConfig, train
from network_cases import OUTPUT_LOSS, random_problem

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "linear": lambda z: z,
    "elu": F.elu,
    "softplus": lambda z: F.softplus(z, threshold=50.0),
}


def _torch_params(net):
    weights = [torch.tensor(W, requires_grad=True) for W in net.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in net.biases]
    return weights, biases


def _torch_loss(net, weights, biases, X, y, loss, masks=None, bn=None):
    a = torch.tensor(X)
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True)):
        z = a @ W + b
        if layer == len(weights) - 1:
            break
        if bn is not None:
            z = bn[layer](z)
        a = TORCH_ACTIVATIONS[net.activations[layer]](z)
        if masks is not None and masks[layer] is not None:
            a = a * torch.tensor(masks[layer])
    if loss == "cross_entropy":
        return F.cross_entropy(z, torch.tensor(y))
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(z, torch.tensor(y))
    out = {"linear": z, "sigmoid": torch.sigmoid(z), "softmax": torch.softmax(z, dim=1)}
    return F.mse_loss(out[net.output], torch.tensor(y))


def _assert_grads(net, back, weights, biases):
    for ours, theirs in zip(back.dW + back.db, weights + biases, strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@settings(max_examples=5, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    widths=st.lists(st.integers(1, 6), min_size=3, max_size=5),
    n=st.integers(1, 8),
)
def test_loss_and_gradients_match_autograd(activation, output, loss, seed, widths, n):
    net, X, y = random_problem(seed, widths, n, output, loss, activation)
    back = net.backward(net.forward(X), y, loss)
    weights, biases = _torch_params(net)
    reference = _torch_loss(net, weights, biases, X, y, loss)
    reference.backward()
    assert back.loss == pytest.approx(reference.item(), rel=1e-12, abs=1e-15)
    _assert_grads(net, back, weights, biases)


def test_penalties_and_dropout_match_autograd():
    rng = np.random.default_rng(1)
    net = MLP([3, 6, 5, 2], activation="relu", output="softmax", dropout=0.3, seed=1)
    X, y = rng.normal(size=(9, 3)), rng.integers(0, 2, 9)
    record = net.forward(X, training=True, rng=np.random.default_rng(4))
    back = net.backward(record, y, "cross_entropy", l1=0.02, l2=0.5)
    weights, biases = _torch_params(net)
    reference = _torch_loss(net, weights, biases, X, y, "cross_entropy", masks=record.masks)
    reference = reference + sum(0.02 * W.abs().sum() + 0.25 * (W**2).sum() for W in weights)
    reference.backward()
    assert back.loss == pytest.approx(reference.item(), rel=1e-12)
    _assert_grads(net, back, weights, biases)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch_batchnorm1d(training):
    rng = np.random.default_rng(2)
    net = MLP([3, 5, 4, 1], activation="tanh", output="sigmoid", batch_norm=True, seed=2)
    bn = [torch.nn.BatchNorm1d(n).double() for n in (5, 4)]
    for layer, module in enumerate(bn):
        gamma, beta = rng.uniform(0.5, 2, module.num_features), rng.normal(size=module.num_features)
        mean, var = rng.normal(size=module.num_features), rng.uniform(0.5, 2, module.num_features)
        net.bn_gamma[layer][:], net.bn_beta[layer][:] = gamma, beta
        net.bn_running_mean[layer][:], net.bn_running_var[layer][:] = mean, var
        with torch.no_grad():
            module.weight.copy_(torch.tensor(gamma))
            module.bias.copy_(torch.tensor(beta))
            module.running_mean.copy_(torch.tensor(mean))
            module.running_var.copy_(torch.tensor(var))
        module.train(training)
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, (7, 1)).astype(float)
    record = net.forward(X, training=training)
    back = net.backward(record, y, "bce")
    weights, biases = _torch_params(net)
    reference = _torch_loss(net, weights, biases, X, y, "bce", bn=bn)
    reference.backward()
    assert back.loss == pytest.approx(reference.item(), rel=1e-12)
    _assert_grads(net, back, weights, biases)
    for layer, module in enumerate(bn):
        np.testing.assert_allclose(back.dgamma[layer], module.weight.grad.numpy(), rtol=1e-9)
        np.testing.assert_allclose(back.dbeta[layer], module.bias.grad.numpy(), rtol=1e-9)
    if training:
        net.update_running_stats(record)
        for layer, module in enumerate(bn):
            np.testing.assert_allclose(net.bn_running_mean[layer], module.running_mean.numpy())
            np.testing.assert_allclose(net.bn_running_var[layer], module.running_var.numpy())


@pytest.mark.parametrize(
    ("optimizer", "hyper", "torch_optimizer"),
    [
        ("adam", (), lambda p, lr: torch.optim.Adam(p, lr=lr)),
        (
            "nesterov",
            (("weight_decay", 0.01),),
            lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True, weight_decay=0.01),
        ),
    ],
)
def test_training_reproduces_a_torch_training_loop(optimizer, hyper, torch_optimizer):
    data = make_dataset("moons", n=60, seed=3)
    config = TrainConfig(
        layers=(2, 6, 6, 1), activation="tanh", optimizer=optimizer, hyper=hyper, lr=0.05, epochs=25
    )
    frames = list(train(config, data))
    net = MLP([2, 6, 6, 1], "tanh", "sigmoid", seed=0)
    weights, biases = _torch_params(net)
    params = [p for pair in zip(weights, biases, strict=True) for p in pair]
    opt = torch_optimizer(params, 0.05)
    y = data.y_train.astype(float).reshape(-1, 1)
    for frame in frames:
        for ours, theirs in zip(frame.weights + frame.biases, weights + biases, strict=True):
            np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-9, atol=1e-12)
        opt.zero_grad()
        _torch_loss(net, weights, biases, data.X_train, y, "bce").backward()
        opt.step()
