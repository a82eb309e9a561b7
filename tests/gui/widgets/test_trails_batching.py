"""The batched trails stroke exactly the segments, pens and order the per-run code did.

`TrailsItem` strokes all runs' new segments from one array, one ``drawLines`` call per
block of neighbouring runs that share a pen. These tests rebuild, run by run, what the
per-run painter stroked (each run's polyline from its first new point, halos first) and
check the plan and the painted pixels against it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from gui.widgets.run_buffer import RunBuffer
from gui.widgets.trails import _RESTROKE, TrailsItem


def _item(n_runs: int, seed: int = 0, colors=None) -> TrailsItem:
    rng = np.random.default_rng(seed)
    item = TrailsItem()
    if colors is None:
        colors = np.column_stack([rng.integers(0, 256, (n_runs, 3)), np.full(n_runs, 255)])
    item.set_style(np.asarray(colors, np.uint8), 2.0)
    lengths = rng.integers(0, 30, n_runs)
    item.set_paths([np.cumsum(rng.normal(size=(n, 2)), axis=0) * 8 + 100 for n in lengths])
    return item


def _reference_plan(item: TrailsItem, runs, start):
    """The per-run loop the batching replaced: (segments of each stroke, its pen)."""
    counts = item._runs.counts
    halo = item._top_mask(len(counts)) & item._halo
    todo = []
    for k in runs:
        first = 0 if start is None else max(int(start[k]) - 1, 0)
        if counts[k] - first >= 2:
            todo.append((k, max(first - _RESTROKE, 0) if halo[k] else first, first))
    strokes = []
    for k, _, first in todo:
        if halo[k]:
            strokes.append((item._runs.view(k)[first:], item._halo_for(k, 1.0)))
    for k, first, _ in todo:
        strokes.append((item._runs.view(k)[first:], item._pen(k)))
    return strokes


def _as_strokes(lines, counts, pens):
    out, offset = [], 0
    for n, pen in zip(counts, pens, strict=True):
        block = lines[offset : offset + n]
        offset += n
        points = np.vstack([block[:, :2], block[-1:, 2:]]) if n else np.zeros((0, 2))
        np.testing.assert_array_equal(block[1:, :2], block[:-1, 2:])  # one polyline
        out.append((points, pen))
    return out


@pytest.mark.parametrize("halo", [False, True])
def test_stroke_plan_is_the_per_run_polylines_in_painting_order(halo):
    item = _item(9)
    item.set_layers(np.array([True, False, True, False, False, True, False, False, True]), halo)
    start = np.random.default_rng(1).integers(0, 25, 9)
    for layer in (item._layer(False), item._layer(True)):
        for first in (None, start):
            plan = _as_strokes(*item.stroke_plan(layer, first))
            reference = _reference_plan(item, layer, first)
            assert len(plan) == len(reference)
            for (points, pen), (want, want_pen) in zip(plan, reference, strict=True):
                np.testing.assert_array_equal(points, want)
                assert pen is want_pen


def test_tail_plan_draws_each_live_end_after_its_own_halo():
    item = _item(5, seed=3)
    item.set_layers(np.array([True, True, False, False, True]), halo=True)
    tails = np.arange(10.0).reshape(5, 2)
    item.set_tails(tails, np.array([True, False, True, True, True]))
    lines, counts, pens = item.tail_plan(item._layer(True))
    want_runs = [k for k in item._layer(True) if k != 1 and item._runs.counts[k] > 0]
    expected_pens, expected_lines = [], []
    for k in want_runs:
        segment = [*item._runs.view(k)[-1], *tails[k]]
        expected_pens += [item._halo_for(k, 1.0), item._pen(k)]
        expected_lines += [segment, segment]
    assert np.all(counts == 1)
    np.testing.assert_array_equal(lines, np.array(expected_lines).reshape(-1, 4))
    assert all(a is b for a, b in zip(pens, expected_pens, strict=True))


def test_runs_of_one_colour_share_a_pen_and_others_do_not():
    colors = np.array([[200, 0, 0, 255]] * 3 + [[0, 0, 200, 255]], np.uint8)
    item = _item(4, colors=colors)
    assert item._pen(0) is item._pen(1) is item._pen(2)
    assert item._pen(3) is not item._pen(0)


def _render(paint, size=(220, 220)) -> QtGui.QImage:
    image = QtGui.QImage(*size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.white)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    paint(painter)
    painter.end()
    return image


def test_batched_painting_matches_run_by_run_strokes_pixel_for_pixel(qtbot):
    # a pen each (as in a sweep): the same strokes, so the same pixels. (Runs sharing a
    # pen go out in one call: the same lines, though where two of them cross, Qt blends
    # the antialiased rim once instead of twice.)
    colors = np.array([[200, 0, 0, 255], [10, 10, 10, 255], [201, 0, 0, 255], [0, 0, 200, 255]])
    colors = np.vstack([colors, [[0, 150, 0, 255], [0, 0, 201, 255], [0, 151, 0, 120]]])
    item = _item(7, seed=5, colors=colors)
    runs = item._layer(False)

    def reference(painter):
        for points, pen in _reference_plan(item, runs, None):
            painter.setPen(pen)  # what the per-run code did: one drawLines per run
            painter.drawLines([QtCore.QLineF(*a, *b) for a, b in itertools.pairwise(points)])

    batched = _render(lambda painter: item._draw_runs(painter, runs, None))
    assert batched == _render(reference)
    assert batched != _render(lambda painter: None)  # something was drawn


def test_run_buffer_appends_and_fills_rows_as_a_loop_over_rows_would():
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(40, 6, 2))
    keep = rng.random((40, 6)) < 0.6
    buffer = RunBuffer(6, capacity=4)
    buffer.append_rows(rows[:25], keep[:25])
    buffer.append_rows(rows[25:], keep[25:])
    filled = RunBuffer()
    filled.fill_rows(rows, keep)
    for k in range(6):
        want = rows[keep[:, k], k]
        np.testing.assert_array_equal(buffer.view(k), want)
        np.testing.assert_array_equal(filled.view(k), want)


def test_set_rows_drops_non_finite_points_like_set_paths():
    rows = np.arange(24.0).reshape(6, 2, 2)
    rows[2, 0, 1] = np.nan
    keep = np.ones((6, 2), bool)
    by_rows, by_paths = TrailsItem(), TrailsItem()
    by_rows.set_rows(rows, keep)
    by_paths.set_paths([rows[:, 0], rows[:, 1]])
    for k in range(2):
        np.testing.assert_array_equal(by_rows.polyline(k), by_paths.polyline(k))
    assert len(by_rows.polyline(0)) == 5


def test_a_thinning_that_kept_pinned_rows_appends_instead_of_rebuilding():
    from gui.widgets.path_feed import PathFeed

    item = TrailsItem()
    feed = PathFeed(item, (1e-9, 1e-9))
    rows = np.cumsum(np.ones((40, 3, 2)), axis=0) * np.array([1.0, 2.0])
    feed.sync(rows[:33])  # rows 0..31 drawn, row 32 the tail
    # thinned: the doubled grid plus pinned rows 3, 5 and 27, then newer rows
    kept = [0, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 27, 28, 30, 34, 36, 39]
    feed.sync(rows[kept])
    assert feed.rebuilds == 1  # only the first sync built the paths
    drawn = item.polyline(0)
    np.testing.assert_array_equal(drawn[:32], rows[:32, 0])  # what was drawn stays
    np.testing.assert_array_equal(drawn[32:], rows[[34, 36, 39], 0])  # new rows appended
    feed.sync(rows[[0, 2, 3, 4, 5]])  # cut short (scrubbed back): drawn anew
    assert feed.rebuilds == 2
    np.testing.assert_array_equal(item.polyline(0), rows[[0, 2, 3, 4, 5], 0])


@pytest.mark.parametrize("dense_share", [0.0, np.inf])  # always masks, always indices
def test_run_buffer_segments_are_each_runs_polyline_from_its_first_point(monkeypatch, dense_share):
    from gui.widgets import run_buffer

    monkeypatch.setattr(run_buffer, "_DENSE_SHARE", dense_share)
    rng = np.random.default_rng(11)
    keep = rng.random((60, 7)) < 0.7
    keep[:, 3] = False  # a run with no point at all
    buffer = RunBuffer()
    buffer.fill_rows(rng.normal(size=(60, 7, 2)), keep)
    runs = np.array([6, 0, 3, 5, 2, 1, 4])
    first = rng.integers(0, 50, 7)
    lines, counts = buffer.segments(runs, first[runs])
    offset = 0
    for k, n in zip(runs, counts, strict=True):
        points = buffer.view(k)[first[k] :]
        assert n == max(len(points) - 1, 0)
        np.testing.assert_array_equal(lines[offset : offset + n, :2], points[:-1])
        np.testing.assert_array_equal(lines[offset : offset + n, 2:], points[1:])
        offset += n
    assert offset == len(lines) > 0


def _index_by_bytes(rows, drawn):
    where = {row.tobytes(): i for i, row in enumerate(drawn)}  # the last one wins
    return np.array([where.get(row.tobytes(), -1) for row in rows])


@pytest.mark.parametrize("case", ["plain", "duplicates", "near", "nan"])
def test_drawn_row_index_finds_the_last_identical_drawn_row(monkeypatch, case):
    from gui.widgets import path_feed

    rng = np.random.default_rng(3)
    drawn = rng.normal(size=(300, 20, 2))
    if case == "duplicates":  # runs that stopped: the same row again and again
        drawn[40:60] = drawn[40]
    if case == "nan":
        drawn[7, 3] = np.nan
    rows = np.concatenate([drawn[::3], rng.normal(size=(4, 20, 2)), drawn[[7, 40, 41]]])
    if case == "near":  # a row one rounding error away from a drawn one: not that one
        rows[5, 0, 0] += 1e-12
    if case == "plain":  # told apart by their summaries alone, no row-by-row search
        monkeypatch.setattr(path_feed, "_index_by_bytes", None)
    want = _index_by_bytes(rows, drawn)
    np.testing.assert_array_equal(path_feed.drawn_row_index(rows, drawn), want)
    near = case == "near"
    assert (want >= 0).sum() == 100 + 3 - near and (want < 0).sum() == 4 + near


def _kept_by_loop(rows, drawn):
    """What `PathFeed._kept_rows_drawn` computed row by row before it was vectorised."""
    where = {row.tobytes(): i for i, row in enumerate(drawn)}
    previous, count = -1, 0
    for row in rows:
        i = where.get(row.tobytes())
        if i is None or i <= previous:
            break
        previous, count = i, count + 1
    later = rows[count:]
    reaches = previous == len(drawn) - 1 or len(later) > 0
    if count < 2 or not reaches or any(row.tobytes() in where for row in later):
        return None
    return count


def test_kept_rows_drawn_agrees_with_the_row_by_row_search():
    from gui.widgets.path_feed import PathFeed

    rng = np.random.default_rng(5)
    drawn = np.cumsum(rng.normal(size=(200, 6, 2)), axis=0)
    newer = drawn[-1] + np.cumsum(rng.normal(size=(30, 6, 2)), axis=0)
    cases = {
        "thinned with pins, then newer rows": np.concatenate([drawn[[0, 2, 3, 4, 8, 9]], newer]),
        "thinned to its last drawn row": drawn[[0, 2, 4, 199]],
        "cut short (scrubbed back)": drawn[[0, 2, 4, 6]],
        "out of order": drawn[[0, 4, 2, 199]],
        "a drawn row after a new one": np.concatenate([drawn[[0, 2]], newer[:2], drawn[[10]]]),
        "another run": newer,
    }
    results = {}
    for name, rows in cases.items():
        results[name] = PathFeed._kept_rows_drawn(rows, drawn)
        assert results[name] == _kept_by_loop(rows, drawn), name
    assert results["thinned with pins, then newer rows"] == 6
    assert PathFeed._kept_rows_drawn(drawn[:0], drawn) is None  # no rows (a new history)
    assert PathFeed._kept_rows_drawn(drawn[:3], drawn[:0]) is None
    assert results["cut short (scrubbed back)"] is None
