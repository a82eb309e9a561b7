"""The runs the network workspace shows: a preset's pace, its variants, one run on screen."""

from __future__ import annotations

import dataclasses
from typing import Any

from core.nn.presets import NetworkPreset
from core.nn.train_config import TrainConfig
from core.nn.train_run import steps_per_epoch
from core.nn.training import build_network

SHORT_RUN_STEPS = 20  # a preset this short is watched step by step, a longer one flat out


def preset_speed(preset: NetworkPreset) -> float | None:
    """The pace a preset opens with: 1 step a second (animated) for a run of a few steps
    (backprop by hand), flat out for a run that needs many to show its idea."""
    config = preset.config
    dataset = config.make_dataset()
    total = config.epochs * steps_per_epoch(config, len(dataset.X_train))
    return 1.0 if total <= SHORT_RUN_STEPS else None


@dataclasses.dataclass(frozen=True, slots=True)
class NetworkRun:
    """One run on screen: its label, config (with the traced sample) and data set."""

    label: str
    config: TrainConfig
    dataset: Any
    steps_per_epoch: int


def make_runs(
    config: TrainConfig, overrides: list[tuple[str, dict]], sample: int
) -> tuple[list[NetworkRun], int, list[str]]:
    """The base run of ``config`` and its variants (``overrides``), each tracing sample
    ``sample`` (clamped to the data set): ``(runs, sample, notes)``, ``notes`` saying
    which variant was left out and why. A base that does not fit raises ValueError."""
    dataset = config.make_dataset()
    sample = min(sample, len(dataset.X_train) - 1)
    runs, notes = [], []
    for label, fields in [("base", {}), *overrides]:
        try:
            run = dataclasses.replace(config, **fields, sample_index=sample)
            build_network(run, dataset)  # checks the run against the data set
        except ValueError as exc:
            if label == "base":
                raise
            notes.append(f"Variant {label!r} left out: {exc}")
            continue
        runs.append(NetworkRun(label, run, dataset, steps_per_epoch(run, len(dataset.X_train))))
    return runs, sample, notes


def variant_overrides(preset: NetworkPreset) -> list[tuple[str, dict]]:
    """(label, fields that differ from the base) of every variant of a preset."""
    base = preset.config
    names = [f.name for f in dataclasses.fields(TrainConfig)]
    return [
        (label, {n: getattr(c, n) for n in names if getattr(c, n) != getattr(base, n)})
        for label, c in preset.variants
    ]


def frames_fit(frames, runs: list[NetworkRun]) -> bool:
    """Whether a worker state's ``frames`` belong to ``runs`` (one each, same layers): a
    state of runs that were replaced may still arrive, and is not drawn."""
    if not runs or len(frames) != len(runs):
        return False
    for frame, run in zip(frames, runs, strict=True):
        sizes = [w.shape[0] for w in frame.weights] + [frame.weights[-1].shape[1]]
        if tuple(sizes) != tuple(run.config.layers):
            return False
    return True
