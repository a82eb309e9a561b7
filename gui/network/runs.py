"""The runs the network workspace shows: a preset's pace, its variants, one run on screen."""

from __future__ import annotations

import dataclasses
from typing import Any

from core.nn.presets import NetworkPreset
from core.nn.train_config import TrainConfig
from core.nn.train_run import steps_per_epoch

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
