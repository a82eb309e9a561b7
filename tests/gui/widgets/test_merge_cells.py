"""Merging drawn points onto a coarser nested grid equals decimating the rows at once
(a widened curve axis keeps its drawn points: `TrailsItem.merge_cells`)."""

from __future__ import annotations

import numpy as np
import pytest

from gui.widgets.path_feed import PathFeed
from gui.widgets.run_buffer import RunBuffer
from gui.widgets.trails import TrailsItem


def _walk(n: int, k: int, seed: int) -> np.ndarray:
    """Random walks of k runs, (n, k, 2), some rows standing still."""
    rng = np.random.default_rng(seed)
    moves = rng.normal(scale=0.3, size=(n, k, 2)) * (rng.random((n, k, 1)) < 0.7)
    return np.cumsum(moves, axis=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("factor", [2.0, 4.0, 16.0])
def test_merging_finely_fed_points_equals_feeding_them_coarsely(seed, factor):
    rows = _walk(400, 5, seed)
    coarse_cell = np.array([1.0, 0.5])
    fine = PathFeed(TrailsItem(), coarse_cell / [factor, 1.0], tails=False)
    for n in range(2, len(rows) + 1, 23):  # fed frame by frame, the last row provisional
        fine.sync(rows[:n])
    fine.sync(rows)
    fine.regrid(coarse_cell)
    at_once = PathFeed(TrailsItem(), coarse_cell, tails=False)
    at_once.sync(rows)
    for k in range(rows.shape[1]):
        np.testing.assert_array_equal(fine.item.polyline(k), at_once.item.polyline(k))
    assert fine.rebuilds == 1


def test_merge_cells_keeps_each_runs_first_point_and_every_change_of_cell():
    item = TrailsItem()
    item.set_paths([np.array([[0.1, 0.0], [0.4, 0.0], [1.2, 0.0], [1.3, 0.9], [2.5, 0.2]])])
    item.merge_cells((1.0, 1.0))
    np.testing.assert_array_equal(item.polyline(0), [[0.1, 0.0], [1.2, 0.0], [2.5, 0.2]])


def test_a_rebuild_or_a_merge_leaves_room_for_the_next_rows_without_a_copy():
    # the frame after a rebuild or a merge appends a row or two: growing the buffer
    # would copy every run's points in that frame (milliseconds for a sweep)
    buffer = RunBuffer()
    rows = _walk(300, 4, 0)
    buffer.fill_rows(rows, np.ones((300, 4), bool))
    data = buffer.data
    buffer.append_rows(rows[:2], np.ones((2, 4), bool))
    assert buffer.data is data
    buffer.merge_cells(np.array([1.0, 1.0]))
    data = buffer.data
    buffer.append_rows(rows[:2], np.ones((2, 4), bool))
    assert buffer.data is data
