"""What the network views draw, computed in core: diagram geometry, variant runs, output
grids, CSV data sets."""

from __future__ import annotations

import numpy as np
import pytest

from core.nn.csv_spec import csv_data_spec
from core.nn.data_spec import DataSpec
from core.nn.graph import (
    describe_edge,
    describe_node,
    edge_levels,
    edge_pulses,
    network_layout,
    node_fill,
)
from core.nn.output_grid import data_bounds, output_grid
from core.nn.presets import load_network_preset
from core.nn.step_through import fmt, sample_trace_at
from core.nn.train_config import TrainConfig
from core.nn.training import train
from core.nn.variant_run import variant_frames, variant_history


def _by_hand():
    config = load_network_preset("backprop-by-hand").config
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    return config, dataset, frame, sample_trace_at(config, frame, dataset, 0)


def test_layout_places_every_node_and_edge_of_the_network():
    layout = network_layout([2, 8, 8, 8, 1])
    assert layout.nodes.shape == (27, 2)
    assert len(layout.segments) == 2 * 8 + 8 * 8 + 8 * 8 + 8
    # edge of W[1][i=2, j=5] joins node (1, 2) to node (2, 5)
    index = int(layout.edge_first[1]) + 2 * 8 + 5
    assert layout.locate_edge(index) == (1, 2, 5)
    start, end = layout.segments[index]
    np.testing.assert_array_equal(start, layout.nodes[layout.node_index(1, 2)])
    np.testing.assert_array_equal(end, layout.nodes[layout.node_index(2, 5)])
    assert layout.locate_node(layout.node_index(3, 7)) == (3, 7)
    assert not layout.labels  # 8 units a column: labels would touch the next circle
    assert network_layout([2, 4, 1]).labels


def test_large_network_stays_in_the_same_frame_without_labels():
    small, large = network_layout([2, 8, 1]), network_layout([8] + [64] * 7)
    assert np.ptp(large.nodes[:, 1]) <= np.ptp(small.nodes[:, 1]) * 1.2 + 4
    assert not large.labels
    assert large.node_radius < small.node_radius


def test_edge_gradient_is_a_in_times_delta_out():
    _, _, frame, trace = _by_hand()
    text = describe_edge(frame.weights, trace, 1, 0, 0)  # w5: h1 -> o1
    a_h1, delta_o1 = trace.a[0][0, 0], trace.delta[1][0, 0]
    assert trace.dW[1][0, 0] == pytest.approx(a_h1 * delta_o1, rel=1e-12)
    assert f"w = {fmt(0.4)}" in text
    assert f"{fmt(a_h1)} × {fmt(delta_o1)} = {fmt(trace.dW[1][0, 0])}" in text
    assert "0.0821670406" in text


def test_node_hover_shows_z_a_and_delta():
    _, _, _, trace = _by_hand()
    text = describe_node(trace, 1, 0)
    assert "z = 0.3775" in text and "a = 0.593269992" in text
    assert f"δ = ∂L/∂z = {fmt(trace.delta[0][0, 0])}" in text
    assert describe_node(trace, 0, 1) == "input x2 = 0.1"


def test_fill_levels_and_pulses():
    _, _, frame, trace = _by_hand()
    fill = node_fill(trace)
    assert fill.shape == (6,) and np.all(np.abs(fill) <= 1)
    assert fill[2] == pytest.approx(trace.a[0][0, 0])  # sigmoid units keep their scale
    positive, level = edge_levels(frame.weights)
    assert positive.all() and level[-1] == 3 and level[0] == 1  # 0.55 largest; 0.15 / 0.55
    order, grad = edge_pulses(trace, 1, most=2)
    assert set(np.abs(grad)) == set(np.sort(np.abs(trace.dW[1].ravel()))[-2:])
    np.testing.assert_array_equal(grad, trace.dW[1].ravel()[order])


def test_variant_frames_step_every_run_and_record_each():
    preset = load_network_preset("batch-vs-minibatch-vs-sgd")
    runs = [(c, c.make_dataset()) for _, c in preset.runs()]
    frames = variant_frames(runs)
    first = next(frames)
    history = variant_history(first)
    history.append(first)
    for vf in frames:
        history.append(vf)
        if vf.step == 40:
            break
    snaps = history.snapshot()
    assert [len(s) for s in snaps] == [31, 41, 41]  # full batch stops after 30 updates
    assert snaps[0].per_step.frame_at(-1).stop_reason == "epoch_limit"
    assert vf.fresh == (False, True, True)
    assert vf.frames[0].step == 30


def test_output_grid_regions_follow_the_network():
    config = TrainConfig(layers=(2, 1), activation=(), output="sigmoid", loss="bce")
    config = TrainConfig(
        **{
            **config.to_dict(),
            "schedule": config.schedule,
            "clip": config.clip,
            "data": DataSpec("xor", n=40),
        }
    )
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    grid = output_grid(config, frame, dataset, resolution=16)
    assert grid.kind == "regions" and grid.classes.shape == (16, 16)
    W, b = frame.weights[0], frame.biases[0]
    x0, x1, y0, y1 = grid.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 16), np.linspace(y0, y1, 16))
    p = 1 / (1 + np.exp(-(gx * W[0, 0] + gy * W[1, 0] + b[0])))
    np.testing.assert_array_equal(grid.classes, (p > 0.5).astype(int))
    np.testing.assert_allclose(grid.confidence, np.abs(2 * p - 1), atol=1e-12)


def test_output_grid_curve_for_one_feature():
    preset = load_network_preset("exploding-gradients-large-init")
    config = preset.variant("He init")
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    grid = output_grid(config, frame, dataset, resolution=10)
    assert grid.kind == "curve" and grid.x.shape == grid.y.shape == (40,)
    assert np.all(np.isfinite(grid.y))


def test_csv_with_three_classes_becomes_a_data_set(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [
        f"{x:.3f},{y:.3f},{k}" for k in (1, 5, 9) for x, y in rng.normal(k, 1, (10, 2))
    ]
    path = tmp_path / "three.csv"
    path.write_text("\n".join(rows))
    spec = csv_data_spec(path, test_fraction=0.2, seed=1)
    dataset = spec.build(0)
    assert dataset.task == "classification" and dataset.n_classes == 3
    assert len(dataset.X_train) + len(dataset.X_test) == 30 and len(dataset.X_test) == 6
    assert abs(float(dataset.X_train.mean())) < 1e-9  # standardized with the training part
    with pytest.raises(ValueError, match="line 2"):
        bad = tmp_path / "bad.csv"
        bad.write_text("a,b,label\n1,x,0\n")
        csv_data_spec(bad)


def test_output_grid_of_four_features_is_a_slice_at_the_training_means():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 4)) + [0.0, 0.0, 2.0, -1.0]
    y = (X[:, 0] + X[:, 2] > 2.0).astype(int)
    data = DataSpec.from_dict(
        {"name": "arrays", "task": "classification", "X": X.tolist(), "y": y.tolist()}
    )
    config = TrainConfig(
        layers=(4, 3, 2), activation=("tanh",), output="softmax", loss="cross_entropy", data=data
    )
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    grid = output_grid(config, frame, dataset, resolution=6)
    assert grid.kind == "regions" and grid.classes.shape == (6, 6)
    means = dataset.X_train[:, 2:].mean(axis=0)
    assert [name for name, _ in grid.held] == list(dataset.feature_names[2:])
    np.testing.assert_allclose([value for _, value in grid.held], means)
    x0, _, _, y1 = grid.bounds
    assert grid.bounds == data_bounds(dataset)  # around the first two features
    # the corner (x0, y1) by hand: one tanh layer, softmax, the other features at their mean
    a = np.tanh(np.array([x0, y1, *means]) @ frame.weights[0] + frame.biases[0])
    z = a @ frame.weights[1] + frame.biases[1]
    assert grid.classes[-1, 0] == int(np.argmax(z))
