"""What the network controller needs from its views, as small interfaces.

The controller (gui/network/controller.py) imports no Qt: it talks to the widgets of
gui/network/views and panels only through these protocols, so its tests drive it with
``unittest.mock.create_autospec`` stand-ins. The worker, the background jobs, the status
bar, the headline and the timeline are the shell's and the descent workspace's
(gui/descent/protocols.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from gui.descent.protocols import IdeaDisplay, JobRunner, RunHost, StatusDisplay, TimelineDisplay

__all__ = [
    "AnimationClock",
    "BuilderDisplay",
    "CurvesDisplay",
    "DataDisplay",
    "DiagramDisplay",
    "GradientStripDisplay",
    "IdeaDisplay",
    "JobRunner",
    "NetworkViews",
    "RunHost",
    "StatusDisplay",
    "StepThroughDisplay",
    "TimelineDisplay",
]


class DiagramDisplay(Protocol):
    """Neurons and edges: live, or one phase of a step (`core.nn.step_through`)."""

    def set_layout(self, layout: Any) -> None: ...
    def show_live(self, weights: tuple, trace: Any, moving: bool = False) -> None: ...
    def show_phase(self, frame: Any, walk: Any, index: int) -> None: ...
    def set_pulse(self, progress: float) -> None: ...


class DataDisplay(Protocol):
    """The data set's points over the network's output (`core.nn.output_grid`)."""

    def set_dataset(self, dataset: Any) -> None: ...
    def show_output(self, grid: Any) -> None: ...
    def set_selected(self, x: Any) -> None: ...


class CurvesDisplay(Protocol):
    """Loss and accuracy, train and test, of every run, against the epoch."""

    def set_runs(self, labels: list[str], has_accuracy: bool, has_test: bool) -> None: ...
    def show_histories(
        self, histories: tuple, steps_per_epoch: list[int], plots: tuple = ("loss", "accuracy")
    ) -> None: ...


class GradientStripDisplay(Protocol):
    """||dW_l|| per layer of the shown run, log scale, one line per layer."""

    def set_layers(self, n_layers: int) -> None: ...
    def show_history(self, history: Any, label: str) -> None: ...


class StepThroughDisplay(Protocol):
    """Backprop by hand: the chosen sample, the phase and its numbers."""

    def set_sample_count(self, n: int) -> None: ...
    def show_phase(self, walk: Any, index: int) -> None: ...
    def clear(self, message: str) -> None: ...


class BuilderDisplay(Protocol):
    """The builder controls: they edit the base `TrainConfig` and the run to show."""

    def set_config(self, config: Any) -> None: ...
    def set_run_labels(self, labels: list[str]) -> None: ...


class AnimationClock(Protocol):
    """Calls the controller back to advance an animated step (a timer in the window)."""

    def start(self, interval_ms: int) -> None: ...
    def stop(self) -> None: ...
    def isActive(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class NetworkViews:
    """Every view the network controller drives."""

    diagram: DiagramDisplay
    data: DataDisplay
    curves: CurvesDisplay
    gradients: GradientStripDisplay
    step_through: StepThroughDisplay
    banner: IdeaDisplay
    timeline: TimelineDisplay
    status: StatusDisplay
    controls: BuilderDisplay
    clock: AnimationClock
