"""Frames against torch: the batch gradient is autograd's, the applied update is the one
torch.optim's step makes (skipped when torch is not installed)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.training import TrainConfig, train

torch = pytest.importorskip("torch")
F = torch.nn.functional

MOONS = make_dataset("moons", n=40, seed=3)
BASE = TrainConfig(layers=(2, 5, 4, 1), epochs=2, mode="minibatch", batch_size=8)
TORCH_OPTIMIZERS = {
    "gd": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "nesterov": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr),
}


def _torch_loss(weights, biases, X, y):
    a = torch.tensor(X)
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        a = torch.tanh(a @ W + b)
    z = a @ weights[-1] + biases[-1]
    return F.binary_cross_entropy_with_logits(z, torch.tensor(y).reshape(-1, 1))


@pytest.mark.parametrize("optimizer", list(TORCH_OPTIMIZERS))
def test_updates_equal_torch_optim_steps_on_the_same_batches(optimizer):
    lr = 0.3 if optimizer in ("gd", "momentum", "nesterov") else 0.01
    frames = list(train(dataclasses.replace(BASE, optimizer=optimizer, lr=lr), MOONS))
    weights = [torch.tensor(W, requires_grad=True) for W in frames[0].weights]
    biases = [torch.tensor(b, requires_grad=True) for b in frames[0].biases]
    step = TORCH_OPTIMIZERS[optimizer](weights + biases, lr)
    for frame in frames[:-1]:
        X = MOONS.X_train[frame.batch_indices]
        y = MOONS.y_train[frame.batch_indices].astype(float)
        step.zero_grad()
        loss = _torch_loss(weights, biases, X, y)
        loss.backward()
        assert frame.batch_loss == pytest.approx(loss.item(), rel=1e-12)
        for ours, theirs in zip(frame.dW + frame.db, weights + biases, strict=True):
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-9, atol=1e-13)
        before = [p.detach().clone().numpy() for p in weights + biases]
        step.step()
        after = [p.detach().numpy() for p in weights + biases]
        changes = [a - b for a, b in zip(after, before, strict=True)]
        for ours, theirs in zip(frame.weight_update + frame.bias_update, changes, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-12)
