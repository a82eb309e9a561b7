"""The network preset loader: strict validation with errors naming the field, and fuzz."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.nn.presets import (
    MAX_VARIANTS,
    load_network_preset,
    load_network_preset_file,
    network_preset_from_dict,
    network_preset_names,
)
from core.presets import PRESET_DIR

GOOD = {
    "workspace": "network",
    "title": "A small test",
    "idea": "Four hidden units solve XOR.",
    "dataset": {"name": "xor", "n": 40},
    "config": {"layers": [2, 4, 1], "lr": 0.5, "epochs": 5},
    "variants": [{"label": "relu", "config": {"activation": "relu"}}],
}


def _with(path: tuple, value) -> dict:
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def test_good_preset_loads_with_base_and_variant():
    preset = network_preset_from_dict(GOOD, "small")
    assert preset.labels == ("relu",)
    assert preset.variant("relu").activation == "relu"
    assert preset.variant("relu").lr == 0.5  # the base's fields where the variant is silent
    assert preset.variant("base") == preset.config
    with pytest.raises(ValueError, match="variant must be one of base, relu; got 'tanh'"):
        preset.variant("tanh")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("colour",), "red", "preset has no field 'colour'"),
        (("workspace",), "descent", "workspace must be 'network'"),
        (("title",), "", "title must be text of 1 to 120 characters"),
        (("idea",), 5, "idea must be text"),
        (("config", "learning_rate"), 0.1, "config has no field 'learning_rate'"),
        (("config", "lr"), "0.1", "config: lr must be a finite number >= 0"),
        (("config", "lr"), 1e400, "config: lr must be a finite number >= 0"),
        (("config", "epochs"), 10**30, r"config: epochs must be an integer in \[1, "),
        (("config", "epochs"), True, r"config: epochs must be an integer"),
        (("config", "layers"), [2, 4, 2.5], r"config: layers\[2\] must be a positive integer"),
        (("config", "layers"), [3, 4, 1], "config: layers must start with 2 inputs"),
        (("config", "layers"), "241", "config: layers must be a list of integers"),
        (("config", "activation"), 7, "config: activation must be a name"),
        (("config", "batch_norm"), "yes", "config: batch_norm must be true or false"),
        (("config", "clip"), [1], "config: clip must be an object"),
        (("config", "clip"), {"mode": "norm", "size": 1}, "config: clip has no field .size."),
        (("config", "initial_weights"), [[[1.0]]], "config: initial_weights must have 2 arrays"),
        (("dataset", "name"), "mnist", "dataset name must be one of"),
        (("dataset", "rows"), 4, "dataset has no field 'rows'"),
        (("dataset", "n"), -3, "dataset n must be an integer"),
        (("variants",), {"label": "x"}, "variants must be a list"),
        (
            ("variants",),
            [{"label": "a"}] * (MAX_VARIANTS + 1),
            "variants must be a list of at most",
        ),
        (("variants", 0, "label"), "base", r"variants\[0\].label 'base' is used twice"),
        (("variants", 0, "colour"), 1, r"variants\[0\] has no field 'colour'"),
        (("variants", 0, "config"), {"mode": "online"}, r"variants\[0\].config: mode must be one"),
    ],
)
def test_bad_presets_name_the_field(path, value, message):
    with pytest.raises(ValueError, match=message):
        network_preset_from_dict(_with(path, value))


def test_deeply_nested_and_huge_files_are_refused(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"workspace": "network", "title": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(ValueError, match="nested more than"):
        load_network_preset_file(deep)
    huge = tmp_path / "huge.json"
    huge.write_text(
        json.dumps(_with(("config", "seed"), 1)).replace('"seed": 1', '"seed": ' + "9" * 5000)
    )
    with pytest.raises(ValueError, match="seed must be an integer in"):
        load_network_preset_file(huge)


def test_unknown_preset_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"preset must be one of .*backprop-by-hand"):
        load_network_preset("no-such-preset")
    assert "saddle-escape" not in network_preset_names()  # a descent preset
    assert (PRESET_DIR / "saddle-escape.json").exists()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
PATHS = [
    ("title",),
    ("dataset",),
    ("dataset", "name"),
    ("dataset", "n"),
    ("dataset", "X"),
    ("config",),
    ("config", "layers"),
    ("config", "lr"),
    ("config", "activation"),
    ("config", "hyper"),
    ("config", "schedule"),
    ("config", "initial_weights"),
    ("config", "mode"),
    ("variants",),
    ("variants", 0, "config"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=JSON)
def test_fuzzed_presets_load_or_raise_one_value_error(path, value):
    try:
        preset = network_preset_from_dict(_with(path, value))
    except ValueError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert preset.config.data is not None


def test_a_schedule_key_with_a_newline_is_refused_in_one_line():
    from core.nn.train_config import TrainConfig

    with pytest.raises(ValueError, match="schedule has no field") as caught:
        TrainConfig.from_dict({"schedule": {"\n": None}})
    assert "\n" not in str(caught.value)


def test_a_generated_data_set_refuses_a_hand_made_sets_fields():
    from core.nn.data_spec import DataSpec

    with pytest.raises(ValueError, match="'y' is not a field of a generated data set"):
        DataSpec.from_dict({"name": "moons", "n": 200, "y": 1})
    with pytest.raises(ValueError, match="'noise' is not a field of a hand-made data set"):
        DataSpec.from_dict({"name": "arrays", "X": [[0.0]], "y": [1.0], "noise": 0.1})
