"""Neuron maps: each hidden unit's activation over the input plane, against a direct
forward pass written out here, against torch, and the shared per-layer scales."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.neuron_maps import layer_scale, map_resolution, neuron_maps
from core.nn.output_grid import data_bounds
from core.nn.train_config import TrainConfig
from core.nn.training import train


def _frames(layers, activation="tanh", data="moons", epochs=5, **fields):
    dataset = make_dataset(data, n=60)
    output, loss = ("linear", "mse") if dataset.task == "regression" else ("sigmoid", "bce")
    config = TrainConfig(
        layers=layers, activation=activation, output=output, loss=loss, epochs=epochs, **fields
    )
    return config, dataset, list(train(config, dataset))


def _by_hand(frame, X, activations):
    """z = a W + b, a = f(z), layer by layer, with NumPy's own functions."""
    f = {
        "tanh": np.tanh,
        "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "relu": lambda z: np.maximum(z, 0.0),
    }
    a, out = X, []
    for W, b, name in zip(frame.weights[:-1], frame.biases[:-1], activations, strict=False):
        a = f[name](a @ W + b)
        out.append(a)
    return out


def _grid(bounds, r):
    x0, x1, y0, y1 = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    return np.column_stack([gx.ravel(), gy.ravel()])


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_each_unit_map_equals_a_forward_pass_written_out(activation):
    config, dataset, frames = _frames((2, 5, 3, 1), activation)
    frame = frames[-1]
    maps = neuron_maps(config, frame, dataset, resolution=17)
    assert maps.kind == "image" and maps.step == frame.step
    assert maps.bounds == data_bounds(dataset)
    expected = _by_hand(frame, _grid(maps.bounds, 17), [activation] * 2)
    for layer, a in enumerate(expected):
        assert maps.layers[layer].shape == (a.shape[1], 17, 17)
        for j, k in itertools.product(range(a.shape[1]), (0, 100, 288)):
            row, col = divmod(k, 17)  # grid point k: row along x2, column along x1
            assert maps.layers[layer][j, row, col] == pytest.approx(a[k, j], rel=1e-12, abs=1e-14)


def test_the_map_image_is_oriented_rows_along_the_second_feature():
    config, dataset, frames = _frames((2, 3, 1))
    maps = neuron_maps(config, frames[0], dataset, resolution=5)
    W, b = frames[0].weights[0], frames[0].biases[0]
    _, x1, y0, _ = maps.bounds
    corner = np.tanh(np.array([x1, y0]) @ W + b)  # last column, first row: (x max, y min)
    np.testing.assert_allclose(maps.layers[0][:, 0, -1], corner, rtol=1e-12)


def test_maps_match_torch():
    torch = pytest.importorskip("torch")
    config, dataset, frames = _frames((2, 6, 4, 1), "sigmoid")
    frame = frames[-1]
    maps = neuron_maps(config, frame, dataset, resolution=11)
    a = torch.tensor(_grid(maps.bounds, 11))
    for layer in range(2):
        W, b = (torch.tensor(np.asarray(p[layer])) for p in (frame.weights, frame.biases))
        a = torch.sigmoid(a @ W + b)
        ours = maps.layers[layer].reshape(a.shape[1], -1).T
        np.testing.assert_allclose(ours, a.numpy(), rtol=1e-12, atol=1e-15)


def test_batch_norm_maps_use_the_running_statistics():
    config, dataset, frames = _frames((2, 4, 1), "tanh", batch_norm=True)
    frame = frames[-1]
    gamma, beta, mean, var = (np.asarray(p) for p in frame.bn_state)
    X = _grid(data_bounds(dataset), 6)
    z = X @ frame.weights[0] + frame.biases[0]
    expected = np.tanh(gamma * (z - mean) / np.sqrt(var + 1e-5) + beta)
    maps = neuron_maps(config, frame, dataset, resolution=6)
    np.testing.assert_allclose(maps.layers[0].reshape(4, -1).T, expected, rtol=1e-10)


def test_one_input_feature_gives_a_curve_per_unit_over_the_data_range():
    config, dataset, frames = _frames((1, 4, 1), "tanh", data="sine")
    maps = neuron_maps(config, frames[-1], dataset, resolution=50)
    assert maps.kind == "curve" and maps.layers[0].shape == (4, 50)
    assert maps.x[0] == maps.bounds[0] and maps.x[-1] == maps.bounds[1]
    expected = np.tanh(maps.x[:, None] @ frames[-1].weights[0] + frames[-1].biases[0])
    np.testing.assert_allclose(maps.layers[0].T, expected, rtol=1e-12)


def test_no_hidden_layer_or_too_many_features_say_why():
    config, dataset, frames = _frames((2, 1))
    maps = neuron_maps(config, frames[0], dataset)
    assert maps.kind == "none" and "no hidden layer" in maps.reason
    n = len(dataset.X_train)
    X = np.random.default_rng(0).normal(size=(n + len(dataset.X_test), 3))
    wide = dataclasses.replace(dataset, X_train=X[:n], X_test=X[n:])
    config3 = dataclasses.replace(config, layers=(3, 4, 1))
    frame3 = next(iter(train(config3, wide)))
    maps = neuron_maps(config3, frame3, wide)
    assert maps.kind == "none" and "3 input features" in maps.reason


def test_arrays_are_read_only_and_finite():
    config, dataset, frames = _frames((2, 4, 1), "relu")
    maps = neuron_maps(config, frames[-1], dataset, resolution=8)
    assert not maps.layers[0].flags.writeable
    assert np.isfinite(maps.layers[0]).all()
    with pytest.raises(ValueError, match="resolution"):
        neuron_maps(config, frames[-1], dataset, resolution=1)


def test_layer_scales_use_the_activation_range_where_it_is_bounded():
    values = np.array([[0.2, 0.3], [0.4, 0.45]])
    assert layer_scale("sigmoid", values).levels == (0.0, 1.0)
    assert layer_scale("sigmoid", values).centre == 0.5
    tanh = layer_scale("tanh", values)
    assert tanh.levels == (-1.0, 1.0) and tanh.centre == 0.0 and tanh.text == "tanh: -1 to 1"
    relu = layer_scale("relu", np.array([0.0, 2.5, 1.0]))
    assert relu.levels == (0.0, 2.5) and relu.centre is None and "max (2.5)" in relu.text
    assert layer_scale("relu", np.zeros(4)).levels == (0.0, 1.0)  # a dead layer still draws
    leaky = layer_scale("leaky_relu", np.array([-0.02, 3.0]))
    assert leaky.levels == (-3.0, 3.0) and leaky.centre == 0.0


def test_relu_scale_is_shared_by_the_layer_units():
    config, dataset, frames = _frames((2, 6, 1), "relu")
    maps = neuron_maps(config, frames[-1], dataset, resolution=10)
    assert maps.scales[0].levels[1] == pytest.approx(float(maps.layers[0].max()))


def test_resolution_shrinks_for_large_networks_within_the_budget():
    assert map_resolution((2, 16, 16, 1)) == 120
    r = map_resolution((2, 64, 64, 64, 1))
    assert r * r * 192 <= 120 * 120 * 32 and r >= 24
    assert map_resolution((2, 1000, 1000, 1)) == 24


def test_overflowing_activations_are_drawn_as_large_finite_numbers():
    config, dataset, frames = _frames((2, 3, 3, 1), "relu")
    huge = tuple(np.full(np.shape(W), 1e300) for W in frames[0].weights)
    frame = dataclasses.replace(frames[0], weights=huge)  # z overflows to inf in layer 2
    maps = neuron_maps(config, frame, dataset, resolution=6)
    assert all(np.isfinite(layer).all() for layer in maps.layers)
    assert maps.layers[1].max() > 1e300 and np.isfinite(maps.scales[1].levels).all()
