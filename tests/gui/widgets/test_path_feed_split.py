"""A path fed the history's rows and newest row apart draws what the joined column draws.

`HistorySnapshot.split` hands a view the stored rows and the newest row without copying
every row into one column each frame; `PathFeed.sync(rows, newest)` must then keep the
same paths, through thinning (the stride doubling) and a timeline scrub.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.history import Field, History, RecordSpec
from gui.widgets.path_feed import PathFeed
from gui.widgets.trails import TrailsItem

K = 3


def _history(capacity: int = 8) -> History:
    spec = RecordSpec(
        fields={"points": Field((K, 2))},
        build_frame=lambda step, row: SimpleNamespace(step=step, **row),
    )
    return History(spec, capacity=capacity)


def _frame(step: int) -> SimpleNamespace:
    # three runs spiralling in at different rates: every row differs from the one before
    angle = 0.3 * step * np.arange(1, K + 1)
    radius = 10.0 / (1.0 + 0.05 * step)
    return SimpleNamespace(
        step=step, points=np.column_stack([np.cos(angle), np.sin(angle)]) * radius
    )


def _feed() -> PathFeed:
    return PathFeed(TrailsItem(), (1e-3, 1e-3))


def _assert_same_paths(joined: PathFeed, apart: PathFeed) -> None:
    assert joined.item.n_runs == apart.item.n_runs == K
    for k in range(K):
        np.testing.assert_array_equal(joined.item.polyline(k), apart.item.polyline(k))


def test_split_gives_the_columns_rows_and_newest_without_a_copy():
    history = _history()
    for step in range(23):  # thins twice; odd steps end off the grid (a tail row)
        history.append(_frame(step))
        snapshot = history.snapshot()
        rows, newest = snapshot.split("points")
        column = snapshot.column("points")
        np.testing.assert_array_equal(rows, column[:-1])
        np.testing.assert_array_equal(newest, column[-1])
        assert not rows.flags.writeable and not newest.flags.writeable
        fresh = history.snapshot().split("points")[0]
        assert len(rows) == 0 or np.shares_memory(rows, fresh)  # views of one buffer
    with pytest.raises(ValueError, match="points"):
        _history().snapshot().split("points")


def test_a_feed_of_rows_and_newest_draws_the_paths_of_the_joined_column():
    history, joined, apart = _history(), _feed(), _feed()
    for step in range(40):
        history.append(_frame(step))
        snapshot = history.snapshot()
        joined.sync(np.array(snapshot.column("points")))
        apart.sync(*snapshot.split("points"))
        _assert_same_paths(joined, apart)
        assert joined.rebuilds == apart.rebuilds
    assert history.stride > 1  # the run went through thinnings
    scrubbed = history.snapshot().upto(3)  # back on the timeline: no tail row
    joined.sync(np.array(scrubbed.column("points")))
    apart.sync(*scrubbed.split("points"))
    _assert_same_paths(joined, apart)
    assert len(apart.item.polyline(0)) == 4
