"""Presets: every shipped file validates, round-trips, and really shows its idea."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.descent.engine import descend_config
from core.descent.outcomes import classify_outcomes
from core.presets import (
    load_preset,
    load_preset_file,
    preset_from_dict,
    preset_names,
    preset_to_dict,
    save_preset,
)
from core.surfaces.surface import get_surface

REQUIRED = {
    "lr-sweep-rosenbrock",
    "optimizer-race-beale",
    "momentum-overshoot-bowl",
    "saddle-escape",
    "sgd-vs-batch-linreg",
    "himmelblau-basins",
}


def test_the_required_presets_ship():
    assert REQUIRED <= set(preset_names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_preset_has_a_title_and_a_one_sentence_idea(name):
    preset = load_preset(name)
    assert preset.title and preset.idea.endswith(".")
    assert preset.idea.count(". ") == 0  # one sentence
    assert preset.name == name


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_round_trip_load_save_load(name, tmp_path):
    preset = load_preset(name)
    path = tmp_path / f"{name}.json"
    save_preset(preset, path)
    again = load_preset_file(path)
    assert again.config == preset.config
    assert again.view == preset.view
    assert (again.title, again.idea) == (preset.title, preset.idea)
    assert preset_to_dict(again) == preset_to_dict(preset)


def test_bad_files_are_rejected_with_the_field_named(tmp_path):
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        load_preset("nope")
    with pytest.raises(ValueError, match="unknown preset"):
        load_preset("../etc/passwd")
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_preset_file(broken)
    good = preset_to_dict(load_preset("saddle-escape"))
    with pytest.raises(ValueError, match="unknown preset fields: 'extra'"):
        preset_from_dict({**good, "extra": 1})
    with pytest.raises(ValueError, match=r"view\.speed"):
        preset_from_dict({**good, "view": {"speed": -5}})
    with pytest.raises(ValueError, match=r"view\.zoom"):
        preset_from_dict({**good, "view": {"zoom": 2}})
    with pytest.raises(ValueError, match="steps"):
        preset_from_dict({**good, "config": {**good["config"], "steps": -3}})
    with pytest.raises(ValueError, match=r"missing\.json"):
        load_preset_file(tmp_path / "missing.json")


def test_preset_files_are_plain_json():
    for name in preset_names():
        from core.presets import PRESET_DIR

        data = json.loads((PRESET_DIR / f"{name}.json").read_text())
        assert set(data) <= {"workspace", "title", "idea", "config", "view"}


# -- each preset shows its idea (numbers from the same core the window runs) ----------


def test_lr_sweep_shows_too_small_right_and_too_large():
    result = descend_config(load_preset("lr-sweep-rosenbrock").config)
    final = result.loss[-1]
    assert final[0] > 2.0  # the smallest rate has hardly left the start (loss 24 there)
    assert final[3:5].min() < 0.1  # the middle rates reach the valley floor near (1, 1)
    assert result.diverged_at[-1] >= 0  # the largest blows up
    assert result.diverged_at[:-1].max() == -1


def test_optimizer_race_separates_adaptive_from_plain_steps():
    result = descend_config(load_preset("optimizer-race-beale").config)
    assert np.all(result.diverged_at[:2] >= 0)  # gd, momentum thrown off the wall
    assert np.all(result.diverged_at[2:] == -1)  # rmsprop, adam survive
    assert result.loss[-1, 2] < 0.01  # rmsprop reaches (3, 0.5)


def test_momentum_overshoots_but_arrives_sooner():
    result = descend_config(load_preset("momentum-overshoot-bowl").config)
    gd_x, momentum_x = result.path[:, 0, 0], result.path[:, 1, 0]
    assert gd_x.max() < 0 < momentum_x.max()  # only momentum passes the minimum at x = 0
    first_close = np.argmax(result.loss < 1e-3, axis=0)
    assert 2 * first_close[1] < first_close[0]


def test_saddle_plain_descent_lingers_longest():
    result = descend_config(load_preset("saddle-escape").config)
    near_centre = (np.hypot(result.path[..., 0], result.path[..., 1]) < 0.5).sum(axis=0)
    assert near_centre[0] > 2 * near_centre[1] > 0 and near_centre[2] == 0


def test_batch_modes_give_one_road_and_two_clouds():
    preset = load_preset("sgd-vs-batch-linreg")
    config = preset.config
    assert [spec.batch for spec in config.optimizers] == [0, 8, 1]
    result = descend_config(config)
    seeds = config.seeds
    full, mini, single = (result.path[:, i * seeds : (i + 1) * seeds] for i in range(3))
    # the full batch is deterministic: every seed follows the same road
    assert np.ptp(full, axis=1).max() < 1e-12
    # the clouds spread around it, single examples more than mini-batches of 8
    tail = slice(-200, None)
    mini_spread = np.abs(mini[tail] - full[tail, :1]).mean()
    single_spread = np.abs(single[tail] - full[tail, :1]).mean()
    assert 0 < mini_spread < single_spread


def test_himmelblau_grid_reaches_all_four_minima():
    config = load_preset("himmelblau-basins").config
    result = descend_config(config)
    surface = get_surface("himmelblau")
    outcomes = classify_outcomes(
        surface, result.runs.start, result.path[-1], result.diverged_at, result.loss
    )
    counts = outcomes.counts()
    assert sorted(counts) == [0, 1, 2, 3] and min(counts.values()) > 20
    assert outcomes.grid_shape == (12, 12)
