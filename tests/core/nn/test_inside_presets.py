"""The presets of issue 11 (inside the network): each shows its idea, checked by training it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.nn.losses import targets_from_labels
from core.nn.presets import load_network_preset, network_preset_names
from core.nn.training import network_at, train
from core.nn.weight_landscape import loss_at_points, pca_directions, project, trajectory_of

PRESETS = {
    "learning-rate-on-a-network": "",
    "local-minima-xor": "landscape",
    "overfitting-and-l2": "",
    "loss-landscape-of-a-network": "landscape",
}


def _runs(name: str) -> dict:
    """label -> list of frames, for the base run and every variant of preset ``name``."""
    return {label: list(train(config)) for label, config in load_network_preset(name).runs()}


def _by_epoch(frames: list, epoch: int):
    return next(f for f in frames if f.epoch == epoch)


def test_the_presets_are_listed_load_and_open_their_view():
    assert set(PRESETS) <= set(network_preset_names())
    for name, opens in PRESETS.items():
        preset = load_network_preset(name)
        assert preset.name == name and preset.opens == opens
        assert preset.title and preset.idea


def test_learning_rate_too_small_crawls_right_learns_too_large_diverges():
    runs = _runs("learning-rate-on-a-network")
    slow, good, large = runs["base"], runs["lr 0.05"], runs["lr 0.3"]
    assert slow[0].train_loss == pytest.approx(0.146, abs=5e-4)
    assert slow[-1].stop_reason == "epoch_limit" and slow[-1].train_loss == pytest.approx(
        0.105, abs=1e-3
    )
    assert good[-1].stop_reason == "epoch_limit" and good[-1].train_loss < 0.02
    assert _by_epoch(large, 10).train_loss > 1e8  # 3.9e8 by epoch 10
    assert large[-1].stop_reason == "diverged"
    assert "learning rate 0.3 is too large" in large[-1].stop_detail


def test_xor_with_two_hidden_units_stalls_or_solves_by_weight_seed():
    preset = load_network_preset("local-minima-xor")
    base = preset.config
    for _label, config in preset.variants:  # the runs differ in the weight seed alone
        assert dataclasses.replace(config, weight_seed=base.weight_seed) == base
    # evaluating every 500 steps, not every step, changes no update: only the time it takes
    runs = {
        label: list(train(dataclasses.replace(config, eval_every=500)))
        for label, config in preset.runs()
    }
    seeds = {config.weight_seeds: label for label, config in preset.runs()}
    for seed in (0, 2, 5, 7):  # stalled: one corner wrong, loss flat for the last 2000 epochs
        frames = runs[seeds[seed]]
        last, earlier = frames[-1], _by_epoch(frames, 1000)
        assert 0.33 <= last.train_loss <= 0.37 and last.train_accuracy < 0.8, seed
        assert earlier.train_loss - last.train_loss < 0.01, seed
        assert np.all(last.grad_norms < 1e-3), seed  # ||dW|| about 5e-4: nowhere to go
    for seed in (1, 3, 4, 6):
        last = runs[seeds[seed]][-1]
        assert last.train_loss < 0.003 and last.train_accuracy == 1.0, seed


def test_a_large_network_overfits_and_l2_holds_the_test_loss_down():
    runs = _runs("overfitting-and-l2")
    plain, l2 = runs["base"], runs["L2 0.01"]
    assert plain[0].test_loss == pytest.approx(0.55, abs=0.01)
    assert plain[-1].train_loss < 1e-4  # the 40 training points learned by heart
    assert plain[-1].test_loss > 4.0  # while the loss on unseen points climbs past 4
    assert min(f.test_loss for f in plain) < 0.4  # it was that low early on
    assert l2[-1].test_loss < 0.4 and l2[-1].train_loss > 0.1  # smoother, and it generalizes


def test_the_training_path_does_not_lie_in_its_pca_slice():
    preset = load_network_preset("loss-landscape-of-a-network")
    config = preset.config
    dataset = config.make_dataset()
    frames = list(train(config, dataset))
    assert frames[-1].train_accuracy == 1.0 and frames[-1].train_loss < 0.02
    path = trajectory_of(frames)
    directions = pca_directions(path)
    coords, distance = project(path, directions, distances=True)
    chord = np.linalg.norm(np.concatenate([(a - b).ravel() for a, b in zip(*_params(frames))]))
    assert distance[-1] == pytest.approx(0.0, abs=1e-9)  # the slice passes through the end
    assert distance[0] / chord == pytest.approx(0.24, abs=0.01)  # the start is well off it
    net = network_at(config, frames[-1])
    y = targets_from_labels(dataset.y_train, config.loss, 1)
    at_start = loss_at_points(net, dataset.X_train, y, config.loss, directions, coords[:1], float)
    assert frames[0].train_loss == pytest.approx(0.895, abs=1e-3)  # the true loss there
    assert at_start[0] == pytest.approx(0.381, abs=1e-3)  # the slice's height: not the same


def _params(frames) -> tuple[list, list]:
    first, last = frames[0], frames[-1]
    return list(first.weights + first.biases), list(last.weights + last.biases)
