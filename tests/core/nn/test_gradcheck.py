"""Backprop against central differences for every activation x output x loss combination."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.nn.activations import HIDDEN_ACTIVATIONS
from core.nn.gradcheck import gradient_check, numerical_gradients, relative_error
from core.nn.network import MLP
from network_cases import OUTPUT_LOSS, random_problem

INVALID = [
    ("linear", "bce"),
    ("softmax", "bce"),
    ("linear", "cross_entropy"),
    ("sigmoid", "cross_entropy"),
]


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_LOSS)
@settings(max_examples=6, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    widths=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    n=st.integers(1, 5),
)
def test_backprop_matches_finite_differences(activation, output, loss, seed, widths, n):
    net, X, y = random_problem(seed, widths, n, output, loss, activation)
    before = net.get_flat()
    result = gradient_check(net, X, y, loss=loss)
    assert result.ok(rtol=1e-5, atol=1e-8), result
    np.testing.assert_array_equal(net.get_flat(), before)  # the check leaves the net unchanged


@pytest.mark.parametrize(("output", "loss"), INVALID)
def test_invalid_output_loss_pairs_are_refused(output, loss):
    net = MLP([2, 3, 2], output=output)
    with pytest.raises(ValueError, match=f"loss '{loss}' needs output"):
        gradient_check(net, np.ones((2, 2)), np.zeros(2, dtype=int), loss=loss)


@pytest.mark.parametrize("activation", ["tanh", "relu", "elu"])
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 6))
def test_regularization_dropout_and_batch_norm_gradients(activation, seed, n):
    rng = np.random.default_rng(seed)
    net = MLP(
        [3, 4, 4, 3],
        activation=activation,
        output="softmax",
        dropout=0.25,
        batch_norm=True,
        seed=seed,
    )
    for gamma, beta in zip(net.bn_gamma, net.bn_beta, strict=True):
        gamma[:] = rng.uniform(0.5, 2.0, gamma.shape)
        beta[:] = rng.normal(size=beta.shape)
    X, y = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
    for training in (True, False):
        result = gradient_check(
            net, X, y, "cross_entropy", l1=0.01, l2=0.1, training=training, seed=seed
        )
        assert result.ok(rtol=1e-5, atol=1e-8), (training, result)
        assert result.gamma_errors.shape == (2,) and result.beta_errors.shape == (2,)


def test_a_wrong_derivative_is_caught():
    rng = np.random.default_rng(0)
    net = MLP([2, 5, 1], activation="tanh", seed=0)
    X, y = rng.normal(size=(6, 2)), rng.normal(size=6)
    assert gradient_check(net, X, y).ok()
    forward, _ = net._hidden[0]
    net._hidden = ((forward, lambda da, z, a, scratch: da * (1.0 - a)),)  # slip: 1 - a
    result = gradient_check(net, X, y)
    assert not result.ok()
    assert result.weight_errors[0] > 1e-3 and result.weight_errors[1] < 1e-8


def test_numerical_gradients_of_a_quadratic_are_exact():
    net = MLP([1, 1], output="linear")
    net.weights = [np.array([[2.0]])]
    X, y = np.array([[1.0], [3.0]]), np.array([0.0, 0.0])
    # L = mean((w x + b)^2) = ((2 + 0)^2 + (6 + 0)^2) / 2 -> dL/dw = (2*2*1 + 2*6*3) / 2 = 20
    grads = numerical_gradients(net, X, y)
    assert grads[0][0, 0] == pytest.approx(20.0, rel=1e-8)
    assert grads[1][0] == pytest.approx(8.0, rel=1e-8)  # dL/db = (2*2 + 2*6) / 2
    with pytest.raises(ValueError, match="eps must be > 0"):
        numerical_gradients(net, X, y, eps=0.0)


def test_relative_error_definition():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    assert "GradCheckResult(" in repr(gradient_check(MLP([1, 1]), np.ones((1, 1)), np.ones(1)))
