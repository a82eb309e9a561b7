"""What an exported network figure shows: the runs and their recorded histories.

The window hands over its controller's runs and shown histories; ``python main.py
render`` trains the same runs headless with the same generator and recorder
(`core.nn.variant_run`), so both give the figure builder the same numbers. A step is
shown as the timeline pins it (`gui.network.pinning.pin`): the latest step whose weights
are kept, every run's history cut there, the traced sample and the output grid of that
step's network computed as the window computes them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.nn.output_grid import OutputGrid, output_grid
from core.nn.presets import NetworkPreset
from core.nn.step_through import sample_trace_at
from core.nn.train_config import SampleTrace
from core.nn.train_run import steps_per_epoch
from core.nn.training import build_network
from core.nn.variant_run import variant_frames, variant_history
from gui.network.grid_requests import GRID_RESOLUTION
from gui.network.pinning import PinnedStep, pin
from gui.network.runs import NetworkRun, variant_overrides


@dataclass(frozen=True, slots=True)
class NetworkStep:
    """One step of the shown run, ready to draw: the pin, the sample's trace, the grid."""

    pinned: PinnedStep
    trace: SampleTrace
    grid: OutputGrid


@dataclass(frozen=True, slots=True)
class NetworkFigureData:
    """The runs side by side (``runs``, one `TrainingSnapshot` each in ``histories``),
    the one the diagram, data view and gradient strip follow (``selected``), and the
    training sample the diagram traces (``sample``)."""

    title: str
    runs: tuple[NetworkRun, ...]
    histories: tuple[Any, ...]
    selected: int
    sample: int

    def __post_init__(self) -> None:
        if not self.runs or len(self.runs) != len(self.histories):
            raise ValueError("histories must hold one recorded history per run")
        if not 0 <= self.selected < len(self.runs):
            raise ValueError(f"selected must be in [0, {len(self.runs) - 1}]")

    @property
    def steps(self) -> np.ndarray:
        """The steps of the shown run whose weights are kept: the steps a figure shows."""
        return np.asarray(self.histories[self.selected].weight_steps, dtype=np.int64)

    @property
    def n_rows(self) -> int:
        return len(self.steps)

    def upto(self, last_step: int) -> NetworkFigureData:
        """Every run's history cut at the latest recorded step ``<= last_step``."""
        cut = tuple(h.upto(h.index_of_step(last_step)) for h in self.histories)
        return dataclasses.replace(self, histories=cut)

    def at_step(self, step: int) -> NetworkStep:
        """What the window shows when the timeline pins ``step`` (see the module)."""
        pinned = pin(self.histories, self.selected, step)
        run = self.runs[self.selected]
        trace = sample_trace_at(run.config, pinned.frame, run.dataset, self.sample)
        grid = output_grid(run.config, pinned.frame, run.dataset, GRID_RESOLUTION)
        return NetworkStep(pinned, trace, grid)

    def __repr__(self) -> str:
        return f"NetworkFigureData({self.title!r}, runs={len(self.runs)}, rows={self.n_rows})"


def window_network_data(space) -> NetworkFigureData:
    """The network workspace's shown run as figure data; ValueError before any step."""
    controller = space.controller
    if controller.shown is None or not controller.runs:
        raise ValueError("there is no training to export yet: press Step or Play first")
    return NetworkFigureData(
        controller.title,
        tuple(controller.runs),
        tuple(controller.shown.history),
        controller.selected,
        controller.sample,
    )


def preset_runs(preset: NetworkPreset, variants_on: bool = True) -> list[NetworkRun]:
    """The runs the window trains for ``preset``: the base, then each variant that fits
    the data set (as `NetworkController` makes them), all tracing the preset's sample."""
    config = preset.config
    dataset = config.make_dataset()
    sample = min(config.sample_index or 0, len(dataset.X_train) - 1)
    overrides = variant_overrides(preset) if variants_on else []
    runs = []
    for label, fields in [("base", {}), *overrides]:
        try:
            run = dataclasses.replace(config, **fields, sample_index=sample)
            build_network(run, dataset)
        except ValueError:
            if label == "base":
                raise
            continue
        runs.append(NetworkRun(label, run, dataset, steps_per_epoch(run, len(dataset.X_train))))
    return runs


def train_headless(
    title: str, runs: list[NetworkRun], last_step: int | None, selected: int = 0
) -> NetworkFigureData:
    """Train ``runs`` side by side to ``last_step`` (None: to the end), recorded as the
    window's worker records them."""
    if last_step is not None and last_step < 0:
        raise ValueError(f"last_step must be >= 0, got {last_step}")
    recorder = None
    for frame in variant_frames([(r.config, r.dataset) for r in runs]):
        if recorder is None:
            recorder = variant_history(frame)
        recorder.append(frame)
        if last_step is not None and frame.step >= last_step:
            break
    sample = runs[0].config.sample_index or 0
    return NetworkFigureData(title, tuple(runs), recorder.snapshot(), selected, sample)


def total_steps(run: NetworkRun) -> int:
    """The steps a run takes when nothing stops it: epochs times steps per epoch."""
    return run.config.epochs * run.steps_per_epoch
