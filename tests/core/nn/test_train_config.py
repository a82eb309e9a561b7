"""TrainConfig: validation with field-naming errors, JSON round trip, the network it makes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core.nn.datasets import make_dataset
from core.nn.training import TrainConfig, build_network
from core.optim.optimizers import ClipSpec, ScheduleSpec

MOONS = make_dataset("moons", n=80, seed=0)
SINE = make_dataset("sine", n=60, seed=0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, r"epochs must be an integer in \[1, "),
        ({"mode": "online"}, "mode must be one of"),
        ({"lr": -0.1}, "lr must be a finite number >= 0"),
        ({"l2": float("nan")}, "l2 must be a finite number >= 0"),
        ({"optimizer": "sgdx"}, "optimizer must be one of"),
        ({"hyper": (("momentum", 0.5),), "optimizer": "adam"}, "adam has no hyperparameter"),
        ({"loss": "cross_entropy"}, "needs output 'softmax'"),
        ({"batch_norm": True, "mode": "stochastic"}, "batch_norm needs batches"),
        ({"layers": (3, 4, 1)}, "layers must start with 2 inputs"),
        ({"layers": (2, 4, 3)}, "layers must end with 2 outputs"),
        ({"sample_index": 60}, r"sample_index must be an integer in \[0, 59\]"),
        ({"target_loss": float("inf")}, "target_loss must be a finite number"),
    ],
)
def test_bad_configs(changes, message):
    with pytest.raises(ValueError, match=message):
        build_network(dataclasses.replace(TrainConfig(), **changes), MOONS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"layers": (2,)}, "layers must have >= 2 entries"),
        ({"activation": "swish"}, "activation must be one of"),
        ({"init": "ones"}, "init must be one of"),
        ({"dropout": -0.1}, "dropout must be in"),
    ],
)
def test_validate_checks_the_architecture_too(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(TrainConfig(), **changes).validate()


def test_regression_needs_mse_and_one_output():
    with pytest.raises(ValueError, match="regression data set needs loss 'mse'"):
        build_network(TrainConfig(layers=(1, 4, 1)), SINE)


def test_config_round_trips_through_json():
    config = TrainConfig(
        layers=(2, 4, 4, 1),
        activation=("relu", "tanh"),
        hyper=(("beta1", 0.8),),
        schedule=ScheduleSpec("cosine", t_max=50),
        clip=ClipSpec("value", 0.5),
        target_loss=0.01,
    )
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_config_and_frame_types_keep_their_old_import_path():
    import core.nn.train_config
    import core.nn.training

    for name in ("MODES", "STOP_REASONS", "SampleTrace", "TrainConfig", "TrainFrame"):
        assert getattr(core.nn.training, name) is getattr(core.nn.train_config, name)
        assert name in core.nn.training.__all__
    net = TrainConfig(layers=(2, 3, 1), seed=4).make_network()
    assert net.sizes == (2, 3, 1) and net.seed == 4
