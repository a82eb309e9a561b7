"""Fuzzing the preset and session loader: any file either loads into a preset that the window
can show and the engine can run, or is refused with a one-line ValueError; nothing else."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.descent.engine import DescentRun
from core.descent.limits import LIMITS, MAX_OPTIMIZERS, MAX_RUNS
from core.presets import (
    Preset,
    load_preset,
    load_preset_file,
    preset_from_dict,
    preset_names,
    preset_to_dict,
    save_preset,
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SHIPPED = {name: preset_to_dict(load_preset(name)) for name in preset_names()}
RAW = {name: json.dumps(doc, indent=2) for name, doc in SHIPPED.items()}

NASTY = st.sampled_from(
    [0, -1, 1, 2, 7, 2**31 - 1, 2**31, 2**32 - 1, 2**63, 10**12, 10**400, 1e308, -1e308,
     math.inf, -math.inf, math.nan, 1e-320, -0.0, 0.5, 1e6, 1e6 + 1, "", "abc", "1e3",
     "\ud800", "x**2 + y**2", None, True, False, [], {}, [1, 2], [0, 1, 0, 1]]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**320),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    NASTY,
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)


def _within(name: str, value: float) -> None:
    limit = LIMITS[name]
    assert limit.low <= value <= limit.high, (name, value)
    if limit.integer:
        assert isinstance(value, int) and not isinstance(value, bool), (name, value)


def assert_showable(preset: Preset) -> None:
    """Every number of an accepted preset is within LIMITS, and its config starts a run."""
    config, view = preset.config, preset.view
    for lr in config.learning_rates:
        _within("learning_rates", lr)
    for point in config.starts:
        for coordinate in point:
            _within("starts", coordinate)
    if config.bounds is not None:
        xmin, xmax, ymin, ymax = config.bounds
        for coordinate in config.bounds:
            _within("bounds", coordinate)
        assert xmax - xmin >= 1e-9 and ymax - ymin >= 1e-9
    for name in ("steps", "seeds", "seed", "noise"):
        _within(name, getattr(config, name))
    if config.batch is not None:
        _within("batch", config.batch)
    assert 1 <= len(config.optimizers) <= MAX_OPTIMIZERS
    for spec in config.optimizers:
        for key, value in spec.hyper:
            _within(f"hyper.{key}", value)
        if spec.batch is not None:
            _within("optimizers.batch", spec.batch)
    for name in ("step_size", "t_max", "warmup", "gamma", "eta_min"):
        _within(f"schedule.{name}", getattr(config.schedule, name))
    _within("clip.threshold", config.clip.threshold)
    _within("view.start_grid", view.start_grid)
    if view.speed is not None:
        _within("view.speed", view.speed)
    _within("view.sweep.min", view.sweep.low)
    _within("view.sweep.max", view.sweep.high)
    _within("view.sweep.count", view.sweep.count)
    assert config.n_runs <= MAX_RUNS
    run = DescentRun(config)
    frame = run.step()
    assert np.isfinite(frame.points).all()


def assert_clear_refusal(exc: ValueError) -> None:
    message = str(exc)
    assert message and "\n" not in message and len(message) <= 400, message


def check_document(data: object) -> None:
    try:
        preset = preset_from_dict(data, "fuzz")
    except ValueError as exc:
        assert_clear_refusal(exc)
        return
    assert_showable(preset)


def check_file(path, text: str | bytes) -> None:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)
    try:
        preset = load_preset_file(path)
    except ValueError as exc:
        assert_clear_refusal(exc)
        return
    assert_showable(preset)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Paths to every value inside ``value`` (of a list: its first and last item only)."""
    if isinstance(value, dict):
        keys = list(value)
    elif isinstance(value, list):
        keys = sorted({0, len(value) - 1}) if value else []
    else:
        return []
    paths = []
    for key in keys:
        paths.append((*prefix, key))
        paths.extend(_paths(value[key], (*prefix, key)))
    return paths


@st.composite
def mutated_presets(draw) -> dict:
    """A shipped preset with one value replaced, removed or added somewhere inside it."""
    doc = json.loads(json.dumps(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))]))
    path = draw(st.sampled_from([(), *_paths(doc)]))
    holder = doc
    for key in path[:-1]:
        holder = holder[key]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if not path or action == "add":
        target = holder[path[-1]] if path else doc
        if isinstance(target, dict):
            target[draw(st.text(max_size=8))] = draw(DOCUMENTS)
        elif isinstance(target, list):
            target.append(draw(DOCUMENTS))
    elif action == "delete":
        del holder[path[-1]]
    else:
        holder[path[-1]] = draw(st.one_of(NASTY, DOCUMENTS))
    return doc


@FUZZ
@given(DOCUMENTS)
def test_arbitrary_documents_load_or_are_refused_clearly(data):
    check_document(data)


@FUZZ
@given(mutated_presets())
def test_mutated_presets_load_within_limits_or_are_refused_clearly(doc):
    check_document(doc)


@FUZZ
@given(mutated_presets())
def test_mutated_presets_written_as_files(tmp_path, doc):
    check_file(tmp_path / "session.json", json.dumps(doc))


@FUZZ
@given(st.sampled_from(sorted(RAW)), st.data())
def test_truncated_and_corrupted_files(tmp_path, name, data):
    raw = RAW[name].encode("utf-8")
    cut = data.draw(st.integers(0, len(raw)))
    noise = data.draw(st.binary(max_size=8))
    at = data.draw(st.integers(0, cut))
    check_file(tmp_path / "session.json", raw[:at] + noise + raw[at:cut])


@FUZZ
@given(st.binary(max_size=200))
def test_garbage_bytes(tmp_path, raw):
    check_file(tmp_path / "session.json", raw)


@FUZZ
@given(st.integers(1, 5000), st.sampled_from(["[", '{"a":']), st.sampled_from(["title", "config"]))
def test_deep_nesting(tmp_path, depth, opener, field):
    closer = "]" if opener == "[" else "}"
    nested = opener * depth + "1" + closer * depth
    doc = json.dumps(SHIPPED["saddle-escape"])[:-1] + f', "{field}": {nested}' + "}"
    check_file(tmp_path / "session.json", doc)


@FUZZ
@given(mutated_presets())
def test_accepted_sessions_round_trip_exactly(tmp_path, doc):
    try:
        preset = preset_from_dict(doc)
    except ValueError:
        return
    path = tmp_path / "session.json"
    save_preset(preset, path)
    again = load_preset_file(path)
    assert again == preset
    assert preset_to_dict(again) == preset_to_dict(preset)


FORMULA_PIECES = st.sampled_from(
    [*"xy()+-*/.,e0123456789 ", "**", "sin", "exp", "log", "sqrt", "abs", "pi", "1e308", "9" * 400]
)


@FUZZ
@given(
    st.one_of(st.text(max_size=40), st.lists(FORMULA_PIECES, max_size=40).map("".join)),
    st.lists(st.floats(-1e7, 1e7), min_size=4, max_size=4),
)
def test_typed_formulas_and_view_boxes(expr, corners):
    bounds = sorted(corners[:2]) + sorted(corners[2:])
    check_document({"config": {"surface": "expr", "expr": expr, "bounds": bounds}})
