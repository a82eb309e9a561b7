"""The slice around a frame's weights and the recorded path drawn honestly on it."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.landscape_slice import MAX_PATH_POINTS, SliceSpec, compute_slice, recorded_path
from core.nn.losses import targets_from_labels
from core.nn.network import MLP
from core.nn.train_config import TrainConfig
from core.nn.training import network_at, train
from core.nn.training_history import training_history
from core.nn.weight_landscape import (
    LandscapeCancelled,
    loss_at_points,
    project,
    random_directions,
)


def _trained(epochs=40, layers=(2, 6, 1), **fields):
    data = make_dataset("moons", n=100, seed=1)
    config = TrainConfig(layers=layers, lr=0.5, epochs=epochs, **fields)
    history, frames = None, []
    for frame in train(config, data):
        history = history or training_history(frame)
        history.append(frame)
        frames.append(frame)
    return config, data, frames, history.snapshot()


@pytest.fixture(scope="module")
def run():
    return _trained()


def _loss_of(config, data, weights, biases, frame):
    net = network_at(config, dataclasses.replace(frame, weights=weights, biases=biases))
    y = targets_from_labels(data.y_train, config.loss, net.sizes[-1])
    return net.data_loss(net.forward(data.X_train), y, config.loss)


@pytest.mark.parametrize("kind", ["random", "pca"])
def test_the_slice_at_the_origin_is_the_frames_loss(run, kind):
    config, data, frames, history = run
    for frame in (frames[-1], frames[25]):
        result = compute_slice(config, frame, data, history, SliceSpec(kind, 11, 0.5))
        centre = len(result.alphas) // 2
        assert result.alphas[centre] == 0.0 and result.betas[centre] == 0.0
        assert result.loss[centre, centre] == pytest.approx(frame.train_loss, rel=1e-5)
        assert result.step == frame.step


def test_each_grid_value_is_the_loss_of_the_moved_weights(run):
    config, data, frames, history = run
    result = compute_slice(config, frames[-1], data, history, SliceSpec("random", 11, 1.0))
    for i, j in [(0, 0), (3, 8), (10, 4)]:
        weights, biases = result.weights_at(result.alphas[i], result.betas[j])
        expected = _loss_of(config, data, weights, biases, frames[-1])
        assert result.loss[i, j] == pytest.approx(expected, rel=1e-5)


def test_the_path_is_the_recorded_weights_with_their_true_losses(run):
    config, data, frames, history = run
    result = compute_slice(config, frames[-1], data, history, SliceSpec("pca", 11, 1.2))
    path = result.path
    np.testing.assert_array_equal(path.steps, history.weight_steps)
    by_step = {f.step: f for f in frames}
    # eval_every is 1: each frame's train loss is the loss at its own weights
    expected = [by_step[int(s)].train_loss for s in path.steps]
    np.testing.assert_allclose(path.true_loss, expected, rtol=1e-12)
    assert path.true_loss[0] == pytest.approx(
        _loss_of(config, data, frames[0].weights, frames[0].biases, frames[0]), rel=1e-12
    )


def test_the_slice_loss_on_the_path_is_the_loss_at_the_projected_point(run):
    config, data, frames, history = run
    result = compute_slice(config, frames[-1], data, history, SliceSpec("pca", 11, 1.2))
    path = result.path
    for k in (0, len(path.steps) // 2):
        weights, biases = result.weights_at(*path.coords[k])
        expected = _loss_of(config, data, weights, biases, frames[-1])
        assert path.slice_loss[k] == pytest.approx(expected, rel=1e-5)
    # the start is off the plane: its projected point is not where the run was
    assert path.relative_distance[0] > 0.01
    assert path.true_loss[0] != pytest.approx(path.slice_loss[0], rel=1e-3)
    assert path.distance[-1] == pytest.approx(0.0, abs=1e-12)


def test_points_in_the_plane_are_at_distance_zero():
    net = MLP([2, 4, 1], seed=0)
    directions = random_directions(net, seed=3, biases="filter")
    (d1w, d1b), (d2w, d2b) = directions
    points = []
    for a, b in [(0.5, -1.0), (2.0, 0.25), (0.0, 0.0)]:
        weights = [w + a * u + b * v for w, u, v in zip(net.weights, d1w, d2w, strict=True)]
        biases = [w + a * u + b * v for w, u, v in zip(net.biases, d1b, d2b, strict=True)]
        points.append((weights, biases))
    coords, distance = project(points, directions, (net.weights, net.biases), distances=True)
    np.testing.assert_allclose(coords, [[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]], atol=1e-12)
    np.testing.assert_allclose(distance, 0.0, atol=1e-12)
    off = ([w + 0.3 for w in net.weights], net.biases)  # every weight moved by 0.3
    _, far = project([off], directions, (net.weights, net.biases), distances=True)
    n_weights = sum(w.size for w in net.weights)
    assert 0.0 < far[0] <= 0.3 * np.sqrt(n_weights) + 1e-12


def test_clicked_weights_are_the_origin_plus_the_directions(run):
    config, data, frames, history = run
    result = compute_slice(config, frames[-1], data, history, SliceSpec("random", 11, 1.0))
    weights, biases = result.weights_at(0.4, -0.7)
    (d1w, d1b), (d2w, d2b) = result.directions
    for layer, W in enumerate(frames[-1].weights):
        np.testing.assert_allclose(weights[layer], W + 0.4 * d1w[layer] - 0.7 * d2w[layer])
        np.testing.assert_allclose(
            biases[layer], frames[-1].biases[layer] + 0.4 * d1b[layer] - 0.7 * d2b[layer]
        )


def test_cancel_stops_the_computation_and_returns_nothing(run):
    config, data, frames, history = run
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return len(calls) < 3

    spec = SliceSpec("random", 51, 1.0)
    assert compute_slice(config, frames[-1], data, history, spec, progress) is None
    assert len(calls) == 3 and calls[-1][0] < calls[-1][1]
    seen = []
    result = compute_slice(
        config, frames[-1], data, history, spec, lambda d, t: seen.append(d) or 1
    )
    assert result is not None and seen[-1] == 51 * 51 + 2 * len(result.path.steps)
    assert seen == sorted(seen)


def test_loss_at_points_raises_when_told_to_stop():
    net = MLP([2, 3, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = X[:, 0] - X[:, 1]
    stop = lambda done, total: False  # noqa: E731
    with pytest.raises(LandscapeCancelled):
        loss_at_points(net, X, y, "mse", random_directions(net), np.zeros((5, 2)), progress=stop)


def test_a_long_history_is_thinned_and_ends_at_the_frame():
    _config, _data, frames, history = _trained(epochs=300)
    frame = frames[200]
    path = recorded_path(history, frame)
    assert len(path) <= MAX_PATH_POINTS
    assert path[0][0] == 0 and path[-1][0] == 200
    assert all(a[0] < b[0] for a, b in itertools.pairwise(path))
    assert path[-1][1] is frame.weights


def test_pca_needs_a_few_recorded_steps(run):
    config, data, frames, history = run
    with pytest.raises(ValueError, match="directions"):
        compute_slice(config, frames[0], data, history, SliceSpec("pca"))
    assert compute_slice(config, frames[0], data, None, SliceSpec("random", 11)) is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("directions", "hessian"),
        ("resolution", 12),
        ("resolution", 201),
        ("span", 0.0),
        ("span", "1"),
        ("seed", -1),
    ],
)
def test_a_bad_spec_names_its_field(field, value):
    with pytest.raises(ValueError, match=field):
        SliceSpec(**{field: value})


def test_the_grid_to_draw_is_finite_with_rows_along_beta(run):
    config, data, frames, history = run
    result = compute_slice(config, frames[-1], data, history, SliceSpec("random", 21, 8.0))
    grid = result.grid
    assert grid.z.shape == (21, 21) and np.all(np.isfinite(grid.z))
    np.testing.assert_allclose(grid.display_value(result.loss.T), grid.z, rtol=1e-9)
    assert grid.levels[0] < grid.levels[1] and len(grid.contours) > 0


def test_batch_norm_and_softmax_slices_match_torch(run):
    torch = pytest.importorskip("torch")
    data = make_dataset("blobs", n=90, seed=2, classes=3)
    config = TrainConfig(
        layers=(2, 5, 3), output="softmax", loss="cross_entropy", batch_norm=True, epochs=5
    )
    frames = list(train(config, data))
    result = compute_slice(config, frames[-1], data, None, SliceSpec("random", 11, 1.0))
    weights, biases = result.weights_at(result.alphas[2], result.betas[7])
    gamma, beta, mean, var = frames[-1].bn_state
    x = torch.tensor(data.X_train, dtype=torch.float64)
    h = x @ torch.tensor(weights[0]) + torch.tensor(biases[0])
    h = (h - torch.tensor(mean)) / torch.sqrt(torch.tensor(var) + 1e-5)
    h = torch.tanh(h * torch.tensor(gamma) + torch.tensor(beta))
    logits = h @ torch.tensor(weights[1]) + torch.tensor(biases[1])
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor(data.y_train)).item()
    assert result.loss[2, 7] == pytest.approx(expected, rel=1e-5)
