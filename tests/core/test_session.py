"""Sessions of both workspaces: the round trip gives equal configs and the same runs bit for
bit, older one-workspace files open, and every refusal names the field in one line."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os

import numpy as np
import pytest

from core.descent.engine import DescentRun
from core.nn.presets import NetworkPreset, load_network_preset, network_preset_names
from core.nn.variant_run import variant_frames
from core.presets import PRESET_DIR, load_preset, preset_names, save_preset
from core.session import (
    FORMAT,
    VERSION,
    NetworkSession,
    NetworkView,
    Session,
    load_session_file,
    save_session_file,
    session_from_dict,
    session_to_dict,
)


def _session(descent="saddle-escape", network="batch-vs-minibatch-vs-sgd", **view) -> Session:
    settings = {"variants_on": True, "shown_run": 1, "speed": 2.5, "step_through": True} | view
    part = NetworkSession(load_network_preset(network), NetworkView(**settings))
    return Session("network", load_preset(descent), part)


def _hand_made_weights() -> NetworkPreset:
    """A run whose starting weights were typed in: 0.1 + 0.2 is not 0.3 in binary."""
    preset = load_network_preset("xor-needs-a-hidden-layer")
    layers = preset.config.layers
    rng = np.random.default_rng(7)
    weights = tuple(
        tuple(map(tuple, rng.normal(size=(n_in, n_out)) + (0.1 + 0.2)))
        for n_in, n_out in itertools.pairwise(layers)
    )
    biases = tuple(tuple(rng.normal(size=n_out) / 3.0) for n_out in layers[1:])
    config = dataclasses.replace(preset.config, initial_weights=weights, initial_biases=biases)
    return NetworkPreset(preset.title, preset.idea, config, ())


def _first_network_frames(preset: NetworkPreset, count: int = 3) -> list:
    runs = [(config, config.make_dataset()) for _, config in preset.runs()]
    stream = variant_frames(runs)
    return [next(stream) for _ in range(count)]


def _same_train_frames(a, b) -> bool:
    """Every number of two TrainFrames equal, bit for bit (arrays and nested tuples)."""
    for name in ("step", "batch_loss", "train_loss", "test_loss", "lr"):
        if getattr(a, name) != getattr(b, name):
            return False
    for name in ("weights", "biases", "dW", "db", "weight_update", "grad_norms"):
        left, right = getattr(a, name), getattr(b, name)
        left = left if isinstance(left, tuple) else (left,)
        right = right if isinstance(right, tuple) else (right,)
        if not all(np.array_equal(x, y) for x, y in zip(left, right, strict=True)):
            return False
    return True


# -- round trip -----------------------------------------------------------------------


@pytest.mark.parametrize("network", network_preset_names())
def test_round_trip_gives_an_equal_session_for_every_network_preset(network, tmp_path):
    session = _session(network=network, shown_run=0, variants_on=False, speed=None)
    path = tmp_path / "s.slope.json"
    save_session_file(session, path)
    assert load_session_file(path) == session


@pytest.mark.parametrize("descent", preset_names())
def test_round_trip_gives_an_equal_session_for_every_descent_preset(descent, tmp_path):
    session = _session(descent=descent)
    save_session_file(session, tmp_path / "s.slope.json")
    loaded = load_session_file(tmp_path / "s.slope.json")
    assert loaded == session
    assert loaded.descent.view == session.descent.view


def test_the_file_names_format_version_and_both_workspaces(tmp_path):
    save_session_file(_session(), tmp_path / "s.slope.json")
    doc = json.loads((tmp_path / "s.slope.json").read_text())
    assert (doc["format"], doc["version"], doc["workspace"]) == (FORMAT, VERSION, "network")
    assert set(doc["descent"]) == {"title", "idea", "config", "view"}
    assert set(doc["network"]) == {"title", "idea", "dataset", "config", "variants", "view"}
    assert doc["network"]["view"] == {
        "variants_on": True,
        "shown_run": 1,
        "speed": 2.5,
        "step_through": True,
    }
    # a variant is kept as what differs from the base: its mode and batch size
    assert doc["network"]["variants"][0] == {
        "label": "mini-batch 16",
        "config": {"mode": "minibatch", "batch_size": 16},
    }


def test_hand_made_starting_weights_are_embedded_and_train_bit_for_bit(tmp_path):
    preset = _hand_made_weights()
    session = Session(
        "network", load_preset("saddle-escape"), NetworkSession(preset, NetworkView())
    )
    save_session_file(session, tmp_path / "w.slope.json")
    loaded = load_session_file(tmp_path / "w.slope.json").network.preset
    assert loaded.config.initial_weights == preset.config.initial_weights
    assert loaded.config.initial_biases == preset.config.initial_biases
    before, after = _first_network_frames(preset), _first_network_frames(loaded)
    for a, b in zip(before, after, strict=True):
        assert _same_train_frames(a.frames[0], b.frames[0])
    assert np.array_equal(after[0].frames[0].weights[0], np.array(preset.config.initial_weights[0]))


def test_seeded_runs_of_both_workspaces_repeat_bit_for_bit(tmp_path):
    config = dataclasses.replace(load_network_preset("batch-vs-minibatch-vs-sgd").config, seed=41)
    network = dataclasses.replace(load_network_preset("batch-vs-minibatch-vs-sgd"), config=config)
    descent = load_preset("sgd-vs-batch-linreg")
    session = Session("descent", descent, NetworkSession(network, NetworkView()))
    save_session_file(session, tmp_path / "s.slope.json")
    loaded = load_session_file(tmp_path / "s.slope.json")
    # the network: every run (base and variants) draws the same batches and weights
    before, after = (
        _first_network_frames(network, 4),
        _first_network_frames(loaded.network.preset, 4),
    )
    for a, b in zip(before, after, strict=True):
        assert all(_same_train_frames(x, y) for x, y in zip(a.frames, b.frames, strict=True))
    # the descent: same mini-batches, same points
    runs = DescentRun(descent.config), DescentRun(loaded.descent.config)
    for _ in range(5):
        a, b = (run.step() for run in runs)
        assert np.array_equal(a.points, b.points) and np.array_equal(a.loss, b.loss)


# -- older files ------------------------------------------------------------------------


def test_an_older_descent_session_opens_as_the_descent_part(tmp_path):
    path = tmp_path / "old.json"
    save_preset(load_preset("saddle-escape"), path)  # today's descent-only format
    session = load_session_file(path)
    assert session == Session("descent", load_preset("saddle-escape"), None)
    doc = json.loads(path.read_text())
    del doc["workspace"]  # older still: no workspace key
    assert session_from_dict(doc).descent == load_preset("saddle-escape")


def test_a_network_preset_file_opens_as_the_network_part():
    session = load_session_file(PRESET_DIR / "zeros-init-symmetry.json")
    assert session.workspace == "network" and session.descent is None
    assert session.network == NetworkSession(load_network_preset("zeros-init-symmetry"))


def test_a_session_missing_a_workspace_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="network: a version 1 session holds both"):
        save_session_file(Session("descent", load_preset("saddle-escape")), tmp_path / "s.json")
    assert list(tmp_path.iterdir()) == []


# -- refusals ---------------------------------------------------------------------------


def _doc() -> dict:
    return session_to_dict(_session())


def _edit(doc: dict, path: tuple, value) -> dict:
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()
REFUSALS = [
    (("version",), 2, r"session version 2 cannot be opened \(a newer Slope wrote it\)"),
    (("version",), "1", r"session version '1' cannot be opened \(not a version"),
    (("version",), True, r"session version True cannot be opened"),
    (("version",), _DELETE, "missing the field 'version'"),
    (("format",), "slope", "format must be 'slope-session'"),
    (("workspace",), "both", "workspace must be 'descent' or 'network'"),
    (("network",), _DELETE, "the session is missing the field 'network'"),
    (("descent", "view"), _DELETE, "descent is missing the field 'view'"),
    (("network", "variants"), _DELETE, "network is missing the field 'variants'"),
    (("network", "view", "speed"), _DELETE, "network.view is missing the field 'speed'"),
    (("extra",), 1, "the session has no field 'extra'"),
    (("network", "view", "zoom"), 1, "network.view has no field 'zoom'"),
    (("network", "view", "speed"), 0.0, r"network.view.speed must be null .* \[0.1, 100000\]"),
    (("network", "view", "speed"), "fast", "network.view.speed must be null"),
    (("network", "view", "shown_run"), 3, r"shown_run must be below the number of runs shown \(3"),
    (("network", "view", "shown_run"), 1.0, "shown_run must be an integer"),
    (("network", "view", "variants_on"), 1, "variants_on must be true or false"),
    (("network", "config", "lr"), -1.0, "network: config: lr must be a finite number >= 0"),
    (("network", "config", "warp"), 9, "network: preset has no field|config has no field 'warp'"),
    (("network", "config", "layers"), [2, 10**400, 1], "network: config"),
    (("network", "dataset", "name"), "mnist", "network: dataset name must be one of"),
    (("network", "title"), "", "network: title must be text"),
    (("descent", "config", "surface"), "expr", "descent: "),
    (("descent", "config", "learning_rates"), [1e400], "descent: "),
    (("descent", "workspace"), "descent", "descent has no field 'workspace'"),
]


@pytest.mark.parametrize(("path", "value", "message"), REFUSALS)
def test_a_bad_field_is_refused_in_one_line_naming_it(path, value, message):
    doc = _edit(_doc(), path, value)
    with pytest.raises(ValueError, match=message) as caught:
        session_from_dict(json.loads(json.dumps(doc)))
    assert "\n" not in str(caught.value) and len(str(caught.value)) <= 300


@pytest.mark.parametrize("formula", ["__import__('os').system('x')", "x**", "y.__class__", "1/"])
def test_a_formula_the_parser_rejects_is_refused_and_never_run(formula, monkeypatch):
    monkeypatch.setattr(os, "system", lambda *_: pytest.fail("the file ran code"))
    doc = _edit(
        _edit(_doc(), ("descent", "config", "surface"), "expr"),
        ("descent", "config", "expr"),
        formula,
    )
    with pytest.raises(ValueError, match="descent: expr"):
        session_from_dict(doc)


def test_the_variants_off_allow_only_the_base_run_shown():
    doc = _edit(_doc(), ("network", "view", "variants_on"), False)
    with pytest.raises(ValueError, match=r"below the number of runs shown \(1\)"):
        session_from_dict(doc)
    assert session_from_dict(_edit(doc, ("network", "view", "shown_run"), 0))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON"),
        (b'{"format": "slope-session", "version": 1, "work', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nested more than 16 levels"),
        (b" " * 1_000_001, "larger than 1000000 bytes"),
        (b'{"format": "slope-session", "version": 1' + b"1" * 400 + b"}", "an integer of 401"),
        (b"[]", "a session must be a JSON object"),
    ],
)
def test_unreadable_files_are_refused_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.slope.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_session_file(path)


# -- saving -----------------------------------------------------------------------------


def test_a_failed_save_leaves_the_old_file_whole_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "s.slope.json"
    save_session_file(_session(), path)
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ValueError, match=r"cannot save to .*: No space left on device"):
        save_session_file(_session(descent="himmelblau-basins"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.slope.json"]


def test_save_keeps_the_file_mode_and_refuses_a_missing_folder(tmp_path):
    path = tmp_path / "s.slope.json"
    path.write_text("old")
    path.chmod(0o640)
    save_session_file(_session(), path)
    assert (path.stat().st_mode & 0o777) == 0o640
    with pytest.raises(ValueError, match=r"cannot save to .*: No such file or directory"):
        save_session_file(_session(), tmp_path / "nope" / "s.slope.json")


def test_a_session_too_large_to_open_is_not_written(tmp_path):
    preset = load_network_preset("backprop-by-hand")
    rows = tuple((float(k) / 7.0, float(k) / 3.0) for k in range(10_000))
    data = dataclasses.replace(preset.config.data, X=rows, y=tuple(r[:2] for r in rows))
    config = dataclasses.replace(preset.config, data=data)
    big = NetworkPreset(preset.title, preset.idea, config, ())
    session = Session("network", load_preset("saddle-escape"), NetworkSession(big, NetworkView()))
    with pytest.raises(ValueError, match="over the 1000000 a session may have"):
        save_session_file(session, tmp_path / "big.slope.json")
    assert list(tmp_path.iterdir()) == []
