"""Hand-made problems: data sets typed in, starting weights in the config, fixed biases,
separate data and weight seeds, and their JSON round trip."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core.nn.array_data import dataset_from_arrays
from core.nn.data_spec import DataSpec
from core.nn.training import TrainConfig, build_network, train

ONE_SAMPLE = DataSpec(name="arrays", X=((0.05, 0.10),), y=((0.01, 0.99),))
HAND = TrainConfig(
    layers=(2, 2, 2),
    activation="sigmoid",
    output="sigmoid",
    loss="mse",
    lr=0.5,
    epochs=1,
    initial_weights=(((0.15, 0.25), (0.20, 0.30)), ((0.40, 0.50), (0.45, 0.55))),
    initial_biases=((0.35, 0.35), (0.60, 0.60)),
    fixed_biases=True,
    data=ONE_SAMPLE,
)


def test_arrays_data_set_one_sample_no_test_part_two_outputs():
    data = dataset_from_arrays([[0.05, 0.10]], [[0.01, 0.99]])
    assert data.n_features == 2 and data.n_outputs == 2 and data.task == "regression"
    assert data.X_test.shape == (0, 2) and data.y_test.shape == (0, 2)
    assert not data.X_train.flags.writeable


def test_arrays_classification_counts_classes_from_labels():
    data = dataset_from_arrays([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], "classification")
    assert data.n_classes == 2 and data.y_train.dtype == np.int64


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": [], "y": []}, r"X must be a table \(n, d\)"),
        ({"X": [[1.0]], "y": [1.0, 2.0]}, "y must have 1 rows"),
        ({"X": [["a"]], "y": [1.0]}, "X must be a table of numbers"),
        ({"X": [[1.0]], "y": [0.5], "task": "classification"}, "y must be class indices"),
        ({"X": [[1.0]], "y": [1.0], "task": "clustering"}, "task must be"),
        ({"X": [[1.0]], "y": [1.0], "X_test": [[1.0]]}, "X_test and y_test must be given"),
    ],
)
def test_bad_arrays_name_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dataset_from_arrays(**kwargs)


def test_hand_made_config_trains_from_its_own_data_and_keeps_its_biases():
    frames = list(train(HAND))
    assert [f.step for f in frames] == [0, 1]
    np.testing.assert_array_equal(frames[0].weights[0], [[0.15, 0.25], [0.20, 0.30]])
    np.testing.assert_array_equal(frames[1].biases[1], [0.60, 0.60])
    assert frames[0].test_loss is None and frames[0].test_accuracy is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"initial_weights": (((0.1, 0.2),),) * 2},
            r"initial_weights\[0\] must have shape \(2, 2\)",
        ),
        ({"initial_weights": (((0.1, 0.2), (0.3, 0.4)),)}, "initial_weights must have 2 arrays"),
        (
            {"initial_weights": (((0.1, float("nan")), (0.3, 0.4)), ((0.1, 0.2), (0.3, 0.4)))},
            r"initial_weights\[0\] must hold finite numbers",
        ),
        ({"initial_biases": ((0.1,), (0.2, 0.3))}, r"initial_biases\[0\] must have shape \(2,\)"),
        ({"initial_weights": "0.1"}, "initial_weights must be one array per layer"),
        ({"fixed_biases": "yes"}, "fixed_biases must be true or false"),
        ({"data_seed": -1}, r"data_seed must be an integer in \[0, "),
        ({"weight_seed": 1.5}, r"weight_seed must be an integer in \[0, "),
        (
            {"layers": (2, 2, 1), "initial_weights": None, "initial_biases": None},
            "a regression data set needs loss 'mse' and 2 output",
        ),
    ],
)
def test_bad_hand_made_configs_name_the_field(changes, message):
    config = dataclasses.replace(HAND, **changes)
    with pytest.raises(ValueError, match=message):
        build_network(config, config.make_dataset())


def test_config_with_arrays_data_survives_json():
    text = json.dumps(HAND.to_dict())
    again = TrainConfig.from_dict(json.loads(text))
    assert again == HAND
    a, b = list(train(HAND)), list(train(again))
    np.testing.assert_array_equal(a[-1].weights[1], b[-1].weights[1])


def test_config_with_generated_data_and_seeds_survives_json():
    config = TrainConfig(
        layers=(2, 4, 1), data=DataSpec("moons", n=60, noise=0.2), data_seed=3, weight_seed=4
    )
    again = TrainConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    assert again.make_dataset().X_train.tolist() == config.make_dataset().X_train.tolist()


def test_old_config_json_still_loads_with_one_seed_for_both():
    old = {"layers": [2, 4, 1], "seed": 7, "schedule": {}, "clip": {}}
    config = TrainConfig.from_dict(old)
    assert config.data_seeds == 7 and config.weight_seeds == 7 and config.data is None


def test_unknown_fields_are_named():
    with pytest.raises(ValueError, match="config has no field 'learning_rate'"):
        TrainConfig.from_dict({"learning_rate": 0.1})
    with pytest.raises(ValueError, match="dataset has no field 'rows'"):
        DataSpec.from_dict({"name": "arrays", "rows": []})
    with pytest.raises(ValueError, match="dataset name must be one of"):
        DataSpec.from_dict({"name": "mnist"})
    with pytest.raises(ValueError, match="dataset n must be an integer"):
        DataSpec.from_dict({"name": "moons", "n": 10**9})


def test_data_seed_draws_the_generated_set():
    spec = DataSpec("moons", n=40)
    a = TrainConfig(data=spec, data_seed=1).make_dataset()
    b = TrainConfig(data=spec, data_seed=2, weight_seed=1).make_dataset()
    assert not np.array_equal(a.X_train, b.X_train)
