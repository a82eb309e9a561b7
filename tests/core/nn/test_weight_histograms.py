"""Weight histograms: counts, fixed bins over min..max, the kept sets up to the shown step,
and dead ReLU units found on a network built to have one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.train_config import TrainConfig
from core.nn.training import train
from core.nn.training_history import training_history
from core.nn.weight_histograms import (
    bin_count,
    dead_units,
    fixed_bins,
    histogram_rows,
    weight_histograms,
)


def _run(epochs=40, **fields):
    dataset = make_dataset("moons", n=60)
    config = TrainConfig(layers=(2, 6, 5, 1), epochs=epochs, **fields)
    frames = list(train(config, dataset))
    history = training_history(frames[0], capacity=16, weight_capacity=4)
    for frame in frames:
        history.append(frame)
    return config, dataset, frames, history.snapshot()


def test_histogram_rows_equal_numpy_histogram_row_by_row():
    rng = np.random.default_rng(1)
    stack = rng.normal(size=(7, 4, 9))
    edges = fixed_bins(stack, 12)
    counts = histogram_rows(stack, edges)
    for row, expected in zip(stack, counts, strict=True):
        np.testing.assert_array_equal(np.histogram(row, edges)[0], expected)


def test_fixed_bins_cover_min_to_max_symmetric_about_zero():
    stack = np.array([[-0.3, 2.0], [0.5, -1.25]])
    edges = fixed_bins(stack, 8)
    assert edges[0] == -2.0 and edges[-1] == 2.0 and len(edges) == 9
    assert edges[0] <= stack.min() and edges[-1] >= stack.max()
    assert 0.0 in edges  # zero on the edge between the two middle bins
    np.testing.assert_array_equal(fixed_bins(np.zeros((2, 3)), 4), np.linspace(-1, 1, 5))
    with pytest.raises(ValueError, match="n_bins"):
        fixed_bins(stack, 0)


def test_counts_sum_to_the_number_of_weights_of_each_layer():
    config, dataset, frames, history = _run()
    hist = weight_histograms(config, frames[-1], history, dataset.X_train, n_bins=16)
    assert hist.steps.tolist() == [*history.weight_steps[:-1].tolist(), frames[-1].step]
    for counts, W in zip(hist.weight_counts, frames[-1].weights, strict=True):
        assert counts.shape == (len(hist.steps), 16)
        assert (counts.sum(axis=1) == W.size).all()
    for counts, b in zip(hist.bias_counts, frames[-1].biases, strict=True):
        assert (counts.sum(axis=1) == b.size).all()
    for edges, layer in zip(hist.weight_edges, range(3), strict=True):
        kept = np.concatenate([np.ravel(frames[s].weights[layer]) for s in hist.steps])
        assert edges[0] <= kept.min() and edges[-1] >= kept.max()
        assert edges[-1] == pytest.approx(np.abs(kept).max())


def test_the_columns_are_the_kept_sets_and_the_shown_frame():
    config, dataset, frames, history = _run()
    shown = frames[25]  # a scrubbed step between kept sets
    hist = weight_histograms(config, shown, history, dataset.X_train)
    kept = [s for s in history.weight_steps.tolist() if s < 25]
    assert hist.steps.tolist() == [*kept, 25]
    last = histogram_rows(np.asarray(shown.weights[0])[None], hist.weight_edges[0])[0]
    np.testing.assert_array_equal(hist.weight_counts[0][-1], last)
    alone = weight_histograms(config, frames[3], None, dataset.X_train)
    assert alone.steps.tolist() == [3]


def test_a_large_initialization_shrinks_into_the_middle_bins():
    config, dataset, frames, history = _run(epochs=200, init="large", l2=0.05, lr=0.5)
    hist = weight_histograms(config, frames[-1], history, dataset.X_train, n_bins=20)
    counts = hist.weight_counts[1]  # 6 x 5 hidden weights
    middle = slice(5, 15)  # |w| under half the largest ever
    assert counts[-1, middle].sum() > counts[0, middle].sum()


def test_a_unit_with_a_very_negative_bias_is_dead():
    config, dataset, frames, _ = _run(epochs=2, activation="relu")
    frame = frames[0]
    biases = [np.array(b) for b in frame.biases]
    biases[0][2] = -1e3  # z = x W + b < 0 for every training sample: relu(z) = 0
    biases[1][4] = -1e3
    dead_frame = dataclasses.replace(frame, biases=tuple(biases))
    masks = dead_units(config, dead_frame, dataset.X_train)
    assert masks[0].tolist() == [k == 2 for k in range(6)]
    assert masks[1].tolist() == [k == 4 for k in range(5)]
    hist = weight_histograms(config, dead_frame, None, dataset.X_train)
    assert hist.dead == (1, 1, None) and hist.units == (6, 5, 1)
    assert hist.layers == (2, 6, 5, 1)


def test_no_dead_count_for_layers_that_are_not_relu():
    config, dataset, frames, history = _run(epochs=2, activation=("tanh", "relu"))
    biases = [np.array(b) for b in frames[0].biases]
    biases[0][:] = -1e3  # tanh saturates at -1: not 0, so not "dead" in the ReLU sense
    frame = dataclasses.replace(frames[0], biases=tuple(biases))
    hist = weight_histograms(config, frame, history, dataset.X_train)
    assert hist.dead[0] is None and hist.dead[1] is not None


def test_bin_count_grows_with_the_layer_size_within_bounds():
    assert bin_count(64) == 16 and bin_count(256) == 32
    assert bin_count(4) == 8 and bin_count(10_000) == 40
    config, dataset, frames, history = _run(epochs=2)
    hist = weight_histograms(config, frames[-1], history, dataset.X_train)
    assert [len(e) - 1 for e in hist.weight_edges] == [bin_count(12), bin_count(30), 8]
