"""Presets: every shipped file validates, round-trips, and really shows its idea."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from core.descent.config import DescentConfig
from core.descent.engine import DescentRun
from core.descent.outcomes import classify_outcomes
from core.descent.trajectories import descend_config
from core.presets import (
    ArrowOptions,
    Preset,
    PresetView,
    SweepView,
    list_presets,
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


# -- issue 8: every value the loader accepts is one the window can show ----------------


def _with(section: str, **changes) -> dict:
    data = preset_to_dict(load_preset("saddle-escape"))
    data[section] = {**data[section], **changes}
    return data


@pytest.mark.parametrize(
    ("section", "changes", "message"),
    [
        ("config", {"bounds": [-1e308, 1e308, -1e308, 1e308]}, r"bounds must be a number in"),
        ("config", {"bounds": [0, 1e-12, 0, 1]}, r"bounds must be .* span >= 1e-09"),
        ("config", {"bounds": [1e6 - 1e-4, 1e6, 0, 1]}, r"bounds must be .* span >= 0\.001"),
        ("config", {"surface": "nope"}, r"^surface: unknown surface 'nope'"),
        ("config", {"surface": "bowl", "surface_params": {"zzz": 1}}, r"^surface_params: .*'zzz'"),
        ("config", {"surface": "expr", "expr": "x +"}, r"^expr: syntax error"),
        ("config", {"surface": "expr", "expr": 5}, r"^expr must be a string"),
        ("config", {"seed": 4294967295}, r"^seed must be an integer in \[0, 2147483647\]"),
        ("config", {"schedule": {"kind": "step", "step_size": 10**12}}, r"^schedule step_size"),
        ("config", {"schedule": {"t_max": 2**40}}, r"^schedule t_max"),
        ("config", {"schedule": {"gamma": "abc"}}, r"^schedule gamma must be a number"),
        ("config", {"schedule": {"warmup_steps": 3}}, r"^unknown schedule field 'warmup_steps'"),
        (
            "config",
            {"surface": "linreg", "surface_params": {"seed": 2**32 - 1}},
            r"^surface_params\.seed",
        ),
        ("config", {"optimizers": [{"name": "adam", "hyper": {"eps": "abc"}}]}, r"hyper eps"),
        (
            "config",
            {"optimizers": [{"name": "gd", "hyper": {"nesterov": 0.5}}]},
            r"nesterov must be 0",
        ),
        ("config", {"optimizers": ["gd"] * 9}, r"^number of optimizers .* \[1, 8\]"),
        ("config", {"steps": 10**5000}, r"^steps must be an integer .* 5000 digits"),
        ("config", {"learning_rates": [1e308]}, r"^learning_rates must be >= 0 and <= 1000"),
        ("view", {"speed": float("inf")}, r"^view\.speed must be a number in \[1, 100000\]"),
        ("view", {"speed": 1e308}, r"^view\.speed"),
        ("view", {"speed": 2.5}, r"^view\.speed must be whole"),
        ("view", {"sweep": {"count": 1e30}}, r"^view\.sweep\.count must be an integer"),
        ("view", {"sweep": {"min": "abc"}}, r"^view\.sweep\.min must be a number"),
        ("view", {"sweep": {"min": 0.1, "max": 0.01}}, r"^view\.sweep\.min \(0\.1\) must not"),
        ("view", {"arrows": {"gradient": 1}}, r"^view\.arrows\.gradient must be true or false"),
        ("view", {"arrows": {"curl": True}}, r"^view\.arrows\.curl is not a known setting"),
        ("view", {"start_grid": 31}, r"^view\.start_grid must be an integer in \[0, 30\]"),
        ("view", {"lr_mode": "many"}, r"^view\.lr_mode must be 'single' or 'sweep'"),
    ],
)
def test_values_the_window_cannot_show_are_refused_at_load(section, changes, message):
    with pytest.raises(ValueError, match=message) as info:
        preset_from_dict(_with(section, **changes))
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 1000 + b"]" * 1000, r"nested more than 16 levels deep"),
        (b'{"title": ' + b"[" * 20 + b"]" * 20 + b"}", r"nested more than 16 levels deep"),
        (b'{"title": "caf\xe9"}', r"is not UTF-8 text \(bad byte at 14\)"),
        (b'{"title": "\\ud800"}', r"unpaired surrogate"),
        (b'{"title": 1' + b"0" * 5000 + b"}", r"^title must be text .* 5001 digits"),
        (b'{"title": "t", "config": {"noise": NaN}}', r"^noise must be .* got nan"),
        (b"{ not json", r"is not valid JSON"),
        (b" " * 1_000_001, r"larger than 1000000 bytes"),
    ],
)
def test_unreadable_files_are_refused_with_one_line(tmp_path, content, message):
    path = tmp_path / "session.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        load_preset_file(path)
    assert "\n" not in str(info.value)


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "session.json"
    path.write_bytes(
        b"\xef\xbb\xbf" + json.dumps(preset_to_dict(load_preset("saddle-escape"))).encode()
    )
    assert load_preset_file(path) == load_preset("saddle-escape")


def test_bounds_at_the_limits_load_and_run():
    preset = preset_from_dict(_with("config", bounds=[-1e6, 1e6, -1.0, -1.0 + 1.5e-9]))
    assert preset.config.bounds == (-1e6, 1e6, -1.0, -1.0 + 1.5e-9)
    DescentRun(preset.config).step()


def test_view_settings_are_a_typed_dataclass_with_defaults_from_the_rates():
    sweep = load_preset("lr-sweep-rosenbrock")
    assert sweep.view == PresetView(
        lr_mode="sweep",
        sweep=SweepView(1e-4, 1e-2, 7, True),
        start_grid=0,
        speed=400.0,
        arrows=ArrowOptions(gradient=False, velocity=False, update=False),
        view3d=False,
    )
    grid = load_preset("himmelblau-basins").view
    assert (grid.lr_mode, grid.start_grid, grid.speed) == ("single", 12, 100.0)
    assert grid.sweep == SweepView(1e-3, 0.1, 7, True)  # two decades around lr = 0.01
    assert grid.arrows == ArrowOptions(gradient=False)  # velocity, update default off
    bare = preset_from_dict({"config": {"learning_rates": [0.5, 0.1, 0.2]}})
    assert bare.view.lr_mode == "sweep" and bare.view.sweep == SweepView(0.1, 0.5, 3, True)
    assert bare.view.speed == 200.0 and bare.view.arrows == ArrowOptions()
    flat_out = preset_from_dict({"config": {}, "view": {"speed": None}})
    assert flat_out.view.speed is None
    assert PresetView.from_dict(PresetView().to_dict()) == PresetView()


def test_session_round_trip_gives_an_equal_preset(tmp_path):
    preset = Preset(
        "Mine",
        "A session.",
        DescentConfig(surface="expr", expr="x**2 + 3*y**2", bounds=(-2.0, 2.0, -1.0, 1.0)),
        PresetView(
            "sweep", SweepView(0.001, 0.3, 5, False), 4, None, ArrowOptions(True, True), True
        ),
    )
    path = tmp_path / "mine.json"
    save_preset(preset, path)
    assert load_preset_file(path) == preset
    assert json.loads(path.read_text())["workspace"] == "descent"


# -- saving replaces the old session atomically ---------------------------------------


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "session.json")


def test_a_failed_save_leaves_the_old_session_whole(tmp_path, monkeypatch):
    path = tmp_path / "session.json"
    save_preset(load_preset("saddle-escape"), path)
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ValueError, match=r"cannot save to .*: No space left on device"):
        save_preset(load_preset("momentum-overshoot-bowl"), path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_failed_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "session.json"
    path.write_text("old")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ValueError, match="Permission denied"):
        save_preset(load_preset("saddle-escape"), path)
    assert path.read_text() == "old" and _leftovers(tmp_path) == []


def test_save_replaces_keeping_the_file_mode(tmp_path):
    path = tmp_path / "session.json"
    path.write_text("old")
    path.chmod(0o640)
    save_preset(load_preset("saddle-escape"), path)
    assert (path.stat().st_mode & 0o777) == 0o640
    assert load_preset_file(path) == load_preset("saddle-escape")
    assert _leftovers(tmp_path) == []


def test_save_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(ValueError, match=r"cannot save to .*: No such file or directory"):
        save_preset(load_preset("saddle-escape"), tmp_path / "nope" / "session.json")


# -- workspaces -------------------------------------------------------------------------


def test_network_presets_are_refused_by_the_descent_loader(tmp_path):
    path = tmp_path / "xor-net.json"
    path.write_text(json.dumps({"workspace": "network", "title": "XOR", "config": {}}))
    with pytest.raises(ValueError, match=r"^xor-net belongs to the network workspace"):
        load_preset_file(path)
    with pytest.raises(ValueError, match="workspace must be 'descent' or 'network'"):
        preset_from_dict({"workspace": "chemistry", "config": {}})


def test_list_presets_gives_titles_by_workspace_and_skips_bad_files(tmp_path):
    (tmp_path / "b-net.json").write_text(json.dumps({"workspace": "network", "title": "Net"}))
    (tmp_path / "a-bowl.json").write_text(json.dumps({"title": "Bowl", "config": {}}))
    (tmp_path / "broken.json").write_text("{ nope")
    (tmp_path / "untitled.json").write_text(json.dumps({"config": {}}))
    (tmp_path / "odd.json").write_text(json.dumps({"title": "Odd", "workspace": "chem"}))
    (tmp_path / "Bad Name.json").write_text(json.dumps({"title": "Bad"}))
    assert list_presets(tmp_path) == [("a-bowl", "Bowl", "descent"), ("b-net", "Net", "network")]
    shipped = list_presets()
    assert {name for name, _, workspace in shipped if workspace == "descent"} >= REQUIRED
    assert all(title for _, title, _ in shipped)


@pytest.mark.parametrize(
    ("section", "changes"),
    [
        ("view", {"\n": 1}),
        ("config", {"optimizers": [{"name": "gd", "hyper": {"a\nb": 1}}]}),
        ("config", {"surface": "bowl", "surface_params": {"k\n" * 500: 1}}),
        ("config", {"x" * 5000: 1}),
    ],
)
def test_odd_keys_are_refused_in_one_short_line(section, changes):
    """Found by the fuzz test: a key with a newline (or a huge one) quoted in the message."""
    with pytest.raises(ValueError) as info:
        preset_from_dict(_with(section, **changes))
    assert "\n" not in str(info.value) and len(str(info.value)) <= 300


def test_text_that_cannot_be_saved_is_refused_at_load():
    """Found by the fuzz test: a label with an unpaired surrogate loaded but would not save."""
    optimizers = [{"name": "gd", "label": "\ud800"}]
    with pytest.raises(ValueError, match="unpaired surrogate"):
        preset_from_dict(_with("config", optimizers=optimizers))
