"""What the descent controller needs from its views and from the shell, as small interfaces.

The controller (gui/descent/controller.py) imports no Qt: it talks to widgets only
through these protocols, so its tests drive it with ``unittest.mock.create_autospec``
stand-ins and no window. The Qt widgets in gui/descent/views and panels implement them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class LandscapeDisplay(Protocol):
    """The 2-D landscape: heat map, contours, paths, markers, outcome map."""

    def set_landscape(self, grid: Any) -> None: ...
    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None: ...
    def show_state(
        self,
        history_points: np.ndarray,
        frame: Any,
        stopped: np.ndarray,
        newest: np.ndarray | None = None,
    ) -> None: ...
    def set_outcome_map(self, outcomes: Any) -> None: ...
    def set_arrow_options(self, gradient: bool, velocity: bool, update: bool) -> None: ...


class SurfaceDisplay(Protocol):
    """The 3-D surface; it only draws while it is on screen."""

    def set_landscape(self, grid: Any) -> None: ...
    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None: ...
    def show_state(self, history_points: np.ndarray, frame: Any, history_loss: Any) -> None: ...
    def isVisible(self) -> bool: ...


class DataFitDisplay(Protocol):
    """The data behind a data-fit surface (linreg): points, each run's line, its batch."""

    def set_data(self, x: Any, y: Any, fit: Any = None) -> None: ...
    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None: ...
    def show_state(self, frame: Any, followed: int | None = None) -> None: ...


class RunPlots(Protocol):
    """Loss, gradient norm and learning rate against the step; final loss against lr."""

    def set_runs(self, colors: np.ndarray, labels: list[str], run_table: Any) -> None: ...
    def set_sweep_mode(self, on: bool) -> None: ...
    def show_state(self, history: Any, frame: Any, busy: bool = False) -> None: ...


class StabilityDisplay(Protocol):
    """Anything showing a `core.descent.stability.StabilityReport` (gauge, rate panel)."""

    def show_report(self, report: Any) -> None: ...


class IdeaDisplay(Protocol):
    """The headline: what is on screen, and why a run stopped."""

    def set_idea(self, title: str, idea: str) -> None: ...
    def set_divergence(self, sentence: str) -> None: ...


class TimelineDisplay(Protocol):
    """Transport and scrubber over the recorded rows."""

    def set_rows(self, rows: int, step: int) -> None: ...
    def show_row(self, row: int, step: int) -> None: ...
    def follow_live(self) -> None: ...
    def set_playing(self, playing: bool) -> None: ...


class StatusDisplay(Protocol):
    """The status bar."""

    def show_message(self, text: str) -> None: ...
    def show_error(self, text: str) -> None: ...
    def show_status(self, status: str) -> None: ...
    def count_state(self, state: Any) -> None: ...
    def count_draw(self) -> None: ...


class ControlsDisplay(Protocol):
    """The controls dock: it edits a `DescentConfig` and the view settings."""

    def set_config(self, config: Any, view: Any = None) -> None: ...


class RunHost(Protocol):
    """The shell's worker (gui/shell/worker.py `RunWorker`), as the controller uses it."""

    status: str
    latest: Any

    def start(self, factory: Callable, recorder: Callable, playing: bool = True) -> None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def toggle(self) -> None: ...
    def step(self) -> None: ...
    def reset(self) -> None: ...
    def stop(self) -> None: ...
    def set_speed(self, steps_per_second: float | None) -> None: ...


class JobRunner(Protocol):
    """One-shot background computations (landscape grids, outcome maps)."""

    def submit(
        self, fn: Callable, args: tuple, done: Callable[[Any], None], failed: Callable
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class DescentViews:
    """Every view the descent controller drives."""

    landscape: LandscapeDisplay
    surface3d: SurfaceDisplay
    plots: RunPlots
    stability: StabilityDisplay
    rates: StabilityDisplay
    banner: IdeaDisplay
    timeline: TimelineDisplay
    status: StatusDisplay
    controls: ControlsDisplay
    data: DataFitDisplay | None = None  # a workspace may have no data view
