"""Live output grids are paced by what they cost: at most 4 a second, and for a network
whose grid takes long, no more than GRID_DUTY of the time (the job shares the window's
core with the drawing); at rest, the finer grid is asked at once."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import Mock

import pytest

from gui.network.grid_requests import (
    GRID_DUTY,
    GRID_INTERVAL_S,
    GRID_RESOLUTION,
    LIVE_GRID_RESOLUTION,
    OutputGridRequests,
    timed_output_grid,
)


class _Jobs:
    """Keeps each submitted job; `finish` hands back a grid said to have taken ``seconds``."""

    def __init__(self) -> None:
        self.submitted: list[tuple] = []

    def submit(self, fn, args, done, failed) -> None:
        assert fn is timed_output_grid
        self.submitted.append((args, done))

    def finish(self, seconds: float) -> None:
        args, done = self.submitted[-1]
        done((SimpleNamespace(step=args[1], resolution=args[3]), seconds))


def _requests(status: str = "playing"):
    now = [100.0]
    jobs, runner = _Jobs(), SimpleNamespace(status=status)
    grids = OutputGridRequests(Mock(), Mock(), runner, jobs, clock=lambda: now[0])
    return grids, jobs, now


@pytest.mark.parametrize(("seconds", "interval"), [(0.002, GRID_INTERVAL_S), (0.025, 0.5)])
def test_live_grids_wait_for_the_interval_their_cost_asks(seconds, interval):
    grids, jobs, now = _requests()
    grids.request("config", 1, "data")
    jobs.finish(seconds)
    assert grids.live_interval() == pytest.approx(max(GRID_INTERVAL_S, seconds / GRID_DUTY))
    assert grids.live_interval() == pytest.approx(interval)
    now[0] += interval * 0.9
    grids.request("config", 2, "data")
    assert len(jobs.submitted) == 1  # too soon: the request waits
    now[0] += interval * 0.2
    grids.request("config", 3, "data")
    assert len(jobs.submitted) == 2 and jobs.submitted[-1][0][1] == 3  # the newest goes
    assert jobs.submitted[-1][0][3] == LIVE_GRID_RESOLUTION
    grids.data.show_output.assert_called_once()


def test_a_fine_grid_at_rest_goes_at_once_and_does_not_pace_live_ones():
    grids, jobs, _ = _requests()
    grids.request("config", 1, "data")
    jobs.finish(0.002)
    grids.runner.status = "paused"
    grids.request("config", 2, "data")  # at rest: at once, whatever the interval
    assert len(jobs.submitted) == 2 and jobs.submitted[-1][0][3] == GRID_RESOLUTION
    jobs.finish(0.2)  # a fine grid's cost says nothing of a live one's
    assert grids.live_interval() == GRID_INTERVAL_S
    assert grids.settled
