"""The network headline after an edit says what trains, in the learner's terms."""

from __future__ import annotations

import dataclasses

from core.nn.data_spec import DataSpec
from core.nn.description import describe_network_setup, network_headline
from core.nn.presets import load_network_preset
from core.nn.train_config import TrainConfig


def test_a_setup_is_described_by_its_layers_data_and_training():
    config = TrainConfig(
        layers=(2, 16, 1),
        activation="relu",
        data=DataSpec("circles", n=100),
        optimizer="adam",
        lr=0.003,
        mode="minibatch",
        batch_size=16,
        epochs=1200,
        init="he",
        l2=0.01,
    )
    title, idea = describe_network_setup(config)
    assert title == "A [2, 16, 1] relu network on circles"
    assert idea == (
        "adam at learning rate 0.003 on mini-batches of 16, 1,200 epochs, he initialization, "
        "L2 0.01; bce loss on a sigmoid output."
    )
    bare = dataclasses.replace(config, layers=(2, 1), mode="stochastic", l2=0.0)
    title, idea = describe_network_setup(bare, "XOR")
    assert title == "A [2, 1] network (no hidden layer) on circles"
    assert "one sample each step" in idea and idea.endswith("changed from the preset “XOR”.")


def test_the_presets_headline_stays_while_its_settings_train():
    preset = load_network_preset("batch-vs-minibatch-vs-sgd")
    assert network_headline(preset.config, preset) == (preset.title, preset.idea)
    traced = dataclasses.replace(preset.config, sample_index=7)  # another sample traced
    assert network_headline(traced, preset) == (preset.title, preset.idea)
    edited = dataclasses.replace(preset.config, epochs=60)
    title, idea = network_headline(edited, preset)
    assert title != preset.title and "60 epochs" in idea and preset.title in idea
