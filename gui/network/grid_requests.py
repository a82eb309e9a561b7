"""The data view's output grid, asked of the background jobs at a bounded pace.

One job at a time: the newest request waits while one is in flight and replaces any older
waiting one; while the run plays, a new grid is asked at most every GRID_INTERVAL_S, and
less often when a grid takes long (an 8 x 64 network's: ~25 ms), so that live grids take
at most GRID_DUTY of the time (the job shares the window's process, and its core, with the
drawing); a finer one as soon as the run rests. Results of runs that were replaced since
(a generation counter) are dropped.
"""

from __future__ import annotations

import time
from typing import Any

from core.nn.output_grid import output_grid
from gui.network.protocols import DataDisplay, JobRunner, RunHost, StatusDisplay

GRID_RESOLUTION = 128  # output grid of a run at rest
LIVE_GRID_RESOLUTION = 64  # while training: cheaper, and smoothed on screen anyway
GRID_INTERVAL_S = 0.25  # while training, the data view's output at most 4 times a second
GRID_DUTY = 0.05  # ... and live grids computing at most 5 % of the time


def timed_output_grid(*args: Any) -> tuple[Any, float]:
    """`output_grid` and the seconds it took (in the job's thread)."""
    started = time.perf_counter()
    grid = output_grid(*args)
    return grid, time.perf_counter() - started


class OutputGridRequests:
    """Asks for output grids and hands the ones still wanted to the data view."""

    def __init__(
        self,
        data: DataDisplay,
        status: StatusDisplay,
        runner: RunHost,
        jobs: JobRunner,
        clock=time.monotonic,
    ) -> None:
        self.data, self.status, self.runner, self.jobs = data, status, runner, jobs
        self._clock = clock
        self.live_seconds = 0.0  # what the last live grid took to compute
        self.generation = 0
        self.pinned_step: int | None = None  # a scrubbed step: only its grid is shown
        self._in_flight = False
        self._waiting: tuple | None = None
        self._submitted = -1e9

    def __repr__(self) -> str:
        return (
            f"OutputGridRequests(in_flight={self._in_flight}, waiting={self._waiting is not None})"
        )

    def forget(self) -> None:
        """The runs were replaced (or the window closes): drop what is on its way."""
        self.generation += 1
        self._in_flight, self._waiting = False, None

    def request(self, config: Any, frame: Any, dataset: Any) -> None:
        """Ask for the output grid of ``frame``'s network (see the module docstring)."""
        resting = self.runner.status != "playing"
        resolution = GRID_RESOLUTION if resting else LIVE_GRID_RESOLUTION
        self._waiting = (config, frame, dataset, resolution)
        recent = self._clock() - self._submitted < self.live_interval()
        if not self._in_flight and (resting or not recent):
            self._submit()

    def live_interval(self) -> float:
        """Seconds between two live grids: `GRID_INTERVAL_S`, or longer for a slow grid."""
        return max(GRID_INTERVAL_S, self.live_seconds / GRID_DUTY)

    def _submit(self) -> None:
        args, self._waiting = self._waiting, None
        generation, live = self.generation, args[3] == LIVE_GRID_RESOLUTION
        self._in_flight = True
        self._submitted = self._clock()
        self.jobs.submit(
            timed_output_grid,
            args,
            lambda result: self._on_grid(generation, *result, live=live),
            lambda exc: self._on_failed(generation, exc),
        )

    def _on_grid(self, generation: int, grid, seconds: float, live: bool = False) -> None:
        if generation != self.generation:
            return  # the runs it belongs to were replaced
        self._in_flight = False
        if live:
            self.live_seconds = seconds
        if self.pinned_step is None or grid.step == self.pinned_step:  # not a grid from before
            self.data.show_output(grid)
        if self._waiting is not None and (
            self.runner.status != "playing" or self.pinned_step is not None
        ):
            self._submit()  # playing: the next state asks again

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self.generation:
            self._in_flight = False
            self.status.show_error(f"The data view failed: {exc}")

    @property
    def settled(self) -> bool:
        """No output grid is being computed or waiting."""
        return not self._in_flight and self._waiting is None
