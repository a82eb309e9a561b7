"""What an exported descent figure shows: plain arrays gathered once, from a run's history.

The window and ``python main.py render`` both turn a configuration plus a recorded
history into a :class:`DescentFigureData` here, and the figure builder
(:mod:`gui.export.figures`) draws nothing but these arrays. The window passes the
controller's shown history; the command line runs the same configuration to the end of
the asked step range with the core generator and records it with the same recorder
(`DescentRecorder`, the window's), so both hand the builder the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.descent.config import DescentConfig
from core.descent.engine import DescentRun, build_surface
from core.descent.frame import RUNNING
from core.descent.replay import DescentRecorder
from core.surfaces.surface_grid import LandscapeGrid, landscape_grid
from gui.descent.controller import GRID_RESOLUTION, color_mode
from gui.shell.colors import run_colors


@dataclass(frozen=True, slots=True)
class DescentFigureData:
    """The arrays of one descent figure (N recorded rows, K runs).

    ``points (N, K, 2)``, ``loss (N, K)`` and ``grad_norm (N, K)`` per recorded row at
    ``steps (N,)``; per run ``lr (K,)``, ``labels``, ``colors (K, 4) uint8`` and
    ``stopped (K,)`` (after the last row); ``grid`` is the landscape behind the paths.
    """

    title: str
    grid: LandscapeGrid
    steps: np.ndarray
    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    labels: tuple[str, ...]
    colors: np.ndarray
    stopped: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.steps)

    def row_of_step(self, step: int) -> int:
        """The last recorded row at or before ``step`` (0 if none is)."""
        return max(int(np.searchsorted(self.steps, step, side="right")) - 1, 0)

    def upto(self, last_step: int) -> DescentFigureData:
        """The figure data up to the last recorded row at or before ``last_step``."""
        n = self.row_of_step(last_step) + 1
        return replace(
            self, steps=self.steps[:n], points=self.points[:n], loss=self.loss[:n],
            grad_norm=self.grad_norm[:n],
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"DescentFigureData({self.title!r}, rows={self.n_rows}, runs={len(self.lr)})"


def descent_grid(config: DescentConfig) -> LandscapeGrid:
    """The landscape grid the window computes for ``config`` (same bounds, resolution)."""
    surface = build_surface(config)
    return landscape_grid(surface, tuple(config.bounds or surface.bounds), GRID_RESOLUTION)


def figure_data(
    title: str, config: DescentConfig, history, grid: LandscapeGrid, last_step: int | None = None
) -> DescentFigureData:
    """Gather the figure's arrays from ``history`` (a `HistorySnapshot`) up to ``last_step``.

    Parameters
    ----------
    title : str
        The headline (the preset's title, or the window's description of the setup).
    config : DescentConfig
        The configuration the history was recorded from (run labels and colours).
    history : HistorySnapshot
        The descent recorder's snapshot (`core.descent.recording`).
    grid : LandscapeGrid
    last_step : int, optional
        The last step shown (default: the newest recorded).
    """
    if len(history) == 0:
        raise ValueError("history must hold at least one recorded step")
    if last_step is not None:
        history = history.upto(history.index_of_step(last_step))
    runs = DescentRun(config).runs
    frame = history.frame_at(-1)
    return DescentFigureData(
        title=title,
        grid=grid,
        steps=np.asarray(history.steps, dtype=np.int64),
        points=np.asarray(history.column("points"), dtype=np.float64),
        loss=np.asarray(history.column("loss"), dtype=np.float64),
        grad_norm=np.asarray(history.column("grad_norm"), dtype=np.float64),
        lr=np.asarray(runs.lr, dtype=np.float64),
        labels=tuple(runs.label(k) for k in range(len(runs))),
        colors=run_colors(runs, color_mode(config)),
        stopped=np.asarray(frame.stop_reason) != RUNNING,
    )


def run_history(config: DescentConfig, last_step: int):
    """Run ``config`` headless to ``last_step`` (at most its ``steps``), recorded as the
    window records it; returns the `HistorySnapshot`."""
    if last_step < 0:
        raise ValueError(f"last_step must be >= 0, got {last_step}")
    history = None
    for frame in DescentRun(config).frames(min(last_step, config.steps)):
        if history is None:
            history = DescentRecorder()(frame)
        history.append(frame)
    return history.snapshot()
