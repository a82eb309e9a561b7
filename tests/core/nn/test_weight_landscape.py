"""Loss landscapes: filter-normalized and PCA directions, the batched grid, projections."""

from __future__ import annotations

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.network import MLP
from core.nn.training import TrainConfig, train
from core.nn.weight_landscape import (
    LandscapeCancelled,
    loss_at_points,
    loss_grid,
    pca_directions,
    project,
    random_directions,
    slice_workers,
    trajectory_of,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 2))
LABELS = (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def _moved(net, directions, alpha, beta):
    twin = net.copy()
    (d1W, d1b), (d2W, d2b) = directions
    for layer in range(net.n_layers):
        twin.weights[layer] += alpha * d1W[layer] + beta * d2W[layer]
        twin.biases[layer] += alpha * d1b[layer] + beta * d2b[layer]
    return twin


def test_filter_normalization_matches_each_neurons_norm():
    net = MLP([2, 5, 3, 1], seed=1)
    for biases in ("zero", "filter"):
        d1, d2 = random_directions(net, seed=4, biases=biases)
        for dW, db in (d1, d2):
            for W, b, w_dir, b_dir in zip(net.weights, net.biases, dW, db, strict=True):
                assert w_dir.shape == W.shape and b_dir.shape == b.shape
                if biases == "zero":
                    np.testing.assert_array_equal(b_dir, 0.0)
                    np.testing.assert_allclose(
                        np.linalg.norm(w_dir, axis=0), np.linalg.norm(W, axis=0)
                    )
                else:
                    joint = np.linalg.norm(np.vstack([w_dir, b_dir]), axis=0)
                    np.testing.assert_allclose(joint, np.linalg.norm(np.vstack([W, b]), axis=0))
        assert not np.allclose(d1[0][0], d2[0][0])
    layer = random_directions(net, seed=4, normalize="layer")[0][0]
    np.testing.assert_allclose(
        [np.linalg.norm(d) for d in layer], [np.linalg.norm(W) for W in net.weights]
    )
    again = random_directions(net, seed=4, normalize="layer")[0][0]
    np.testing.assert_array_equal(layer[0], again[0])


@pytest.mark.parametrize(
    ("output", "loss", "sizes", "targets"),
    [
        ("linear", "mse", [2, 6, 5, 1], X[:, 0] - X[:, 1]),
        ("sigmoid", "bce", [2, 6, 1], LABELS.astype(float)),
        ("softmax", "cross_entropy", [2, 6, 2], LABELS),
        ("softmax", "mse", [2, 4, 2], np.eye(2)[LABELS]),
    ],
)
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "elu", "linear"])
def test_grid_equals_the_loss_at_each_moved_point(output, loss, sizes, targets, activation):
    net = MLP(sizes, activation=activation, output=output, seed=2)
    directions = random_directions(net, seed=3, biases="filter")
    alphas, betas = np.linspace(-1.0, 1.0, 4), np.array([-0.5, 0.0, 0.7])
    before = net.get_flat()
    grid64 = loss_grid(net, X, targets, loss, directions, alphas, betas, dtype=np.float64)
    grid32 = loss_grid(net, X, targets, loss, directions, alphas, betas)
    np.testing.assert_array_equal(net.get_flat(), before)
    assert grid64.shape == (4, 3) and grid32.dtype == np.float64
    for i, alpha in enumerate(alphas):
        for j, beta in enumerate(betas):
            twin = _moved(net, directions, alpha, beta)
            expected = twin.data_loss(twin.forward(X), targets, loss)
            assert grid64[i, j] == pytest.approx(expected, rel=1e-12)
            assert grid32[i, j] == pytest.approx(expected, rel=2e-5)


def test_grid_with_batch_norm_uses_running_statistics():
    net = MLP([2, 5, 1], output="sigmoid", batch_norm=True, seed=0)
    net.bn_running_mean[0][:] = RNG.normal(size=5)
    net.bn_running_var[0][:] = RNG.uniform(0.5, 2.0, 5)
    net.bn_gamma[0][:] = 1.7
    directions = random_directions(net, seed=1)
    grid = loss_grid(
        net, X, LABELS.astype(float), "bce", directions, [0.0, 0.5], [0.0, -0.3], dtype=np.float64
    )
    twin = _moved(net, directions, 0.5, -0.3)
    assert grid[1, 1] == pytest.approx(twin.compute_loss(X, LABELS.astype(float), "bce"))
    assert grid[0, 0] == pytest.approx(net.compute_loss(X, LABELS.astype(float), "bce"))


def test_pca_directions_put_a_training_path_in_the_plane():
    data = make_dataset("moons", n=80, seed=1)
    config = TrainConfig(layers=(2, 6, 1), optimizer="adam", lr=0.05, epochs=30)
    path = trajectory_of(list(train(config, data)))
    d1, d2 = pca_directions(path)
    flat = [
        np.concatenate([p.ravel() for pair in zip(*d, strict=True) for p in pair]) for d in (d1, d2)
    ]
    assert np.dot(flat[0], flat[1]) == pytest.approx(0.0, abs=1e-12)
    assert np.linalg.norm(flat[0]) == pytest.approx(1.0)
    coords = project(path, (d1, d2))
    assert coords.shape == (len(path), 2)
    np.testing.assert_allclose(coords[-1], 0.0, atol=1e-12)
    assert np.abs(coords[0]).max() > 0.1


def test_project_recovers_coordinates_in_a_known_plane():
    net = MLP([2, 3, 1], seed=0)
    directions = random_directions(net, seed=5, normalize="none", biases="filter")
    truth = np.array([[0.3, -1.2], [2.0, 0.5], [0.0, 0.0]])
    moved = [_moved(net, directions, a, b) for a, b in truth]
    path = [(twin.weights, twin.biases) for twin in moved]
    np.testing.assert_allclose(project(path, directions), truth - truth[-1], atol=1e-12)
    origin = (net.weights, net.biases)
    np.testing.assert_allclose(project(path, directions, origin=origin), truth, atol=1e-12)
    d1, d2 = pca_directions(path)
    in_plane = project(path, (d1, d2))
    distances = np.linalg.norm(in_plane[:, None] - in_plane[None], axis=2)
    true_points = [
        np.concatenate([p.ravel() for pair in zip(*pt, strict=True) for p in pair]) for pt in path
    ]
    true_distances = np.linalg.norm(
        np.array(true_points)[:, None] - np.array(true_points)[None], axis=2
    )
    np.testing.assert_allclose(distances, true_distances, atol=1e-10)


def test_bad_arguments():
    net = MLP([2, 3, 1])
    directions = random_directions(net)
    with pytest.raises(ValueError, match="normalize must be"):
        random_directions(net, normalize="unit")
    with pytest.raises(ValueError, match="biases must be"):
        random_directions(net, biases="random")
    with pytest.raises(ValueError, match="alphas must be a non-empty"):
        loss_grid(net, X, X[:, 0], "mse", directions, [], [0.0])
    with pytest.raises(ValueError, match="betas must be a non-empty"):
        loss_grid(net, X, X[:, 0], "mse", directions, [0.0], [np.nan])
    bad = ([np.zeros((3, 3)), np.zeros((3, 1))], [np.zeros(3), np.zeros(1)])
    with pytest.raises(ValueError, match=r"direction layer 0 must have shape \(2, 3\)"):
        loss_grid(net, X, X[:, 0], "mse", (bad, bad), [0.0], [0.0])
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        loss_grid(net, X[:, :1], X[:, 0], "mse", directions, [0.0], [0.0])
    with pytest.raises(ValueError, match="at least 3 points"):
        pca_directions([(net.weights, net.biases)] * 2)


def test_chunks_in_threads_give_the_same_losses_and_still_cancel():
    big = RNG.normal(size=(2000, 2))
    targets = (big[:, 0] * big[:, 1] > 0).astype(float)
    net = MLP([2, 32, 32, 1], activation="tanh", output="sigmoid", seed=1)
    directions = random_directions(net, seed=4)
    coords = RNG.uniform(-1, 1, size=(300, 2))
    serial = loss_at_points(net, big, targets, "bce", directions, coords, workers=1)
    threaded = loss_at_points(net, big, targets, "bce", directions, coords, workers=3)
    np.testing.assert_array_equal(serial, threaded)  # same chunks, same arithmetic
    seen = []

    def stop_after_two(done, total):
        seen.append(done)
        return len(seen) < 2

    with pytest.raises(LandscapeCancelled):
        loss_at_points(
            net, big, targets, "bce", directions, coords, progress=stop_after_two, workers=3
        )
    assert len(seen) == 2 and seen == sorted(seen)


def test_slice_workers_one_for_a_small_job_and_bounded_by_the_cpus():
    assert slice_workers(1) == 1
    assert 1 <= slice_workers(1000) <= 4
