"""Bad input to the network core: a ValueError naming the field, never a crash, a silent
NaN, a MemoryError or a RuntimeWarning."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.nn.array_data import dataset_from_arrays
from core.nn.datasets import Dataset, make_dataset
from core.nn.network import MAX_ACTIVATIONS, MAX_PARAMETERS, MLP, check_work_size
from core.nn.network_size import parameter_count
from core.nn.training import TrainConfig, build_network, train

XOR = make_dataset("xor", n=40, seed=0)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([2, math.inf, 1], r"sizes\[1\] must be a positive integer, got inf"),
        ("21", "sizes must be a list of integers, got '21'"),
        ([2, 2.7, 1], r"sizes\[1\] must be a positive integer, got 2.7"),
        ([2, True, 1], r"sizes\[1\] must be a positive integer, got True"),
        ([2, "3", 1], r"sizes\[1\] must be a positive integer, got '3'"),
        ([2, -1, 1], r"sizes\[1\] must be a positive integer, got -1"),
        (5, "sizes must be a list of integers, got 5"),
        ([2] * 65, r"sizes must have >= 2 entries \(at most 64\), got 65"),
    ],
)
def test_layer_sizes_are_positive_integers(sizes, message):
    with pytest.raises(ValueError, match=message):
        MLP(sizes)


def test_numpy_integer_sizes_are_accepted():
    assert MLP(np.array([2, 3, 1])).sizes == (2, 3, 1)


def test_empty_batch_is_refused_naming_x():
    net = MLP([2, 3, 1])
    with pytest.raises(ValueError, match="X must hold at least 1 sample"):
        net.loss_and_grads(np.zeros((0, 2)), np.zeros((0, 1)))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_inputs_and_targets_are_refused(bad):
    net = MLP([2, 3, 1])
    X, y = np.array([[0.5, bad]]), np.array([[1.0]])
    with pytest.raises(ValueError, match="X must hold finite numbers"):
        net.loss_and_grads(X, y)
    with pytest.raises(ValueError, match="y must hold finite numbers"):
        net.loss_and_grads(np.ones((1, 2)), np.array([[bad]]))
    with pytest.raises(ValueError, match="X must hold finite numbers"):
        dataset_from_arrays([[0.0, bad]], [1.0])
    with pytest.raises(ValueError, match="y_test must hold finite numbers"):
        dataset_from_arrays([[0.0, 1.0]], [1.0], X_test=[[1.0, 2.0]], y_test=[bad])


def test_a_dataset_with_non_finite_values_cannot_be_made():
    fields = {f.name: getattr(XOR, f.name) for f in dataclasses.fields(XOR)}
    fields["y_test"] = np.full(len(XOR.y_test), np.nan)
    with pytest.raises(ValueError, match="y_test must hold finite numbers"):
        Dataset(**fields)


def test_too_many_parameters_are_refused_before_any_allocation():
    sizes = [2, 100_000, 100_000, 1]
    with pytest.raises(ValueError, match=r"10,000,500,001 parameters, more than the limit 1,"):
        MLP(sizes)
    assert parameter_count(sizes) == 3 * 100_000 + 100_001 * 100_000 + 100_001
    assert parameter_count([2, 3, 1]) == MLP([2, 3, 1]).n_params
    with pytest.raises(ValueError, match=r"layers .* parameters, more than the limit"):
        build_network(TrainConfig(layers=tuple(sizes)), XOR)
    MLP([2, MAX_PARAMETERS // 4 - 1, 1])  # 4 parameters per hidden unit, plus 1: accepted


def test_too_much_work_per_pass_is_refused_naming_samples_and_units():
    with pytest.raises(ValueError, match=r"100,000 samples x 1,003 units = 100,300,000"):
        check_work_size([2, 500, 500, 1], 100_000)
    check_work_size([2, 500, 500, 1], MAX_ACTIVATIONS // 1003)
    big = make_dataset("moons", n=100_000, seed=0)
    with pytest.raises(ValueError, match="activation values per pass, more than the limit"):
        build_network(TrainConfig(layers=(2, 300, 300, 1)), big)


@settings(max_examples=40, deadline=None)
@given(
    scale=st.sampled_from([1e30, 1e100, 1e200, 1e300]),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "elu", "softplus", "linear"]),
    output_loss=st.sampled_from([("linear", "mse"), ("sigmoid", "bce"), ("softmax", "mse")]),
    batch_norm=st.booleans(),
)
def test_huge_weights_give_values_not_runtime_warnings(scale, activation, output_loss, batch_norm):
    output, loss = output_loss
    net = MLP([2, 3, 2], activation=activation, output=output, batch_norm=batch_norm)
    for W in net.weights:
        W *= scale
    X = np.array([[1e10, -1e10], [1.0, 2.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.loss_and_grads(X, y, loss, training=True)
        net.compute_loss(X, y, loss)
        net.predict(X)


def test_training_a_network_too_large_for_its_data_refuses_at_the_start():
    config = TrainConfig(
        layers=(2, 4, 1), output="linear", loss="mse", initial_weights=((1e300,) * 4,) * 2
    )
    config = dataclasses.replace(config, initial_weights=(((1e300,) * 4,) * 2, ((1e300,),) * 4))
    with pytest.raises(ValueError, match="init: the initial network already gives a non-finite"):
        list(train(config, XOR))
