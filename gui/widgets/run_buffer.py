"""K polylines in one array, and stroking many of them with few calls into Qt.

`RunBuffer` holds every run's points in one ``(K, capacity, 2)`` array: appending the
rows of a frame to all runs, or handing out every run's new segments, is a few NumPy
operations whatever K is. `draw_lines` strokes such segments straight from the array's
memory, one ``drawLines`` call per block of runs that share a pen.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore
from shiboken6 import Shiboken

_QLINEF_BYTES = 32  # a QLineF is four doubles: x1, y1, x2, y2
# segments filling at least this share of their runs' block of points are taken with
# masks over the block (a restroke), fewer with an index each (a frame's new segments)
_DENSE_SHARE = 0.25


def _as_points(xy: np.ndarray) -> np.ndarray:
    """A view of a C-contiguous float64 array (..., 2) as (...) one item per point.

    NumPy copies a 16-byte complex item several times faster than a pair of floats
    along a trailing axis of length 2 (boolean-mask gathers and scatters).
    """
    return xy.view(np.complex128)[..., 0]


def draw_lines(painter, lines: np.ndarray, counts: np.ndarray, pens: list) -> None:
    """Stroke blocks of ``lines`` (S, 4): ``counts[i]`` rows with ``pens[i]``, in order.

    Neighbouring blocks with the same pen object go out in one ``drawLines`` call, read
    straight from the array's memory (a ``QLineF`` is four doubles): a frame of a hundred
    runs costs a few calls, not a hundred conversions to Qt objects.
    """
    lines = np.ascontiguousarray(lines, dtype=np.float64)
    base, offset, i, n_blocks = lines.ctypes.data, 0, 0, len(counts)
    counts = counts.tolist()
    while i < n_blocks:
        pen, n, j = pens[i], counts[i], i + 1
        while j < n_blocks and pens[j] is pen:
            n, j = n + counts[j], j + 1
        if n:
            painter.setPen(pen)
            painter.drawLines(
                Shiboken.wrapInstance(base + _QLINEF_BYTES * offset, QtCore.QLineF), n
            )
        offset, i = offset + n, j


class RunBuffer:
    """K polylines in one (K, capacity, 2) array: appending a row to all runs is one op."""

    __slots__ = ("counts", "data")

    def __init__(self, n_runs: int = 0, capacity: int = 64) -> None:
        self.data = np.empty((n_runs, capacity, 2))
        self.counts = np.zeros(n_runs, int)

    def __len__(self) -> int:
        return len(self.counts)

    def _reserve(self, need: int) -> None:
        if need > self.data.shape[1]:
            grown = np.empty((len(self.counts), max(need, 2 * self.data.shape[1]), 2))
            grown[:, : self.data.shape[1]] = self.data
            self.data = grown

    def fill(self, paths: list[np.ndarray]) -> None:
        self.counts = np.array([len(p) for p in paths], int)
        self.data = np.empty((len(paths), max(64, int(self.counts.max(initial=0))), 2))
        for k, xy in enumerate(paths):
            self.data[k, : len(xy)] = xy

    def fill_rows(self, rows: np.ndarray, keep: np.ndarray) -> None:
        """Replace every polyline by ``rows[m, k]`` (M, K, 2) where ``keep[m, k]``.

        Two boolean-mask copies (run by run, the kept rows, then into the first
        ``counts[k]`` slots of each run): no index arrays, whatever K and M are.
        """
        keep = np.asarray(keep, bool)
        self.counts = keep.sum(axis=0)
        most = int(self.counts.max(initial=0))
        # room to grow by half: the frame after a rebuild appends without copying it all
        self.data = np.empty((len(self.counts), max(64, most + most // 2), 2))
        taken = np.arange(self.data.shape[1])[None, :] < self.counts[:, None]
        points = _as_points(np.ascontiguousarray(rows, dtype=np.float64))
        _as_points(self.data)[taken] = points.T[keep.T]

    def merge_cells(self, cell: np.ndarray) -> None:
        """Keep of each run its first point and every point whose cell ``floor(xy /
        cell)`` differs from the point before it (`TrailsItem.merge_cells`)."""
        used = int(self.counts.max(initial=0))
        keep = np.empty((len(self.counts), used), bool)
        keep[:, :1] = True
        cells = np.empty(keep.shape)
        # one coordinate at a time, into one buffer: three times faster than (..., 2)
        with np.errstate(all="ignore"):  # the slots past a run's count hold anything
            for axis in (0, 1):
                np.floor(np.divide(self.data[:, :used, axis], cell[axis], out=cells), out=cells)
                moved = cells[:, 1:] != cells[:, :-1]
                keep[:, 1:] = moved if axis == 0 else keep[:, 1:] | moved
        keep &= np.arange(used)[None, :] < self.counts[:, None]
        counts = keep.sum(axis=1)
        data = np.empty_like(self.data)  # the same room: the next append copies nothing
        # run by run, the kept points into the first counts[k] slots of each run
        kept_slots = np.arange(data.shape[1])[None, :] < counts[:, None]
        _as_points(data)[kept_slots] = _as_points(self.data)[:, :used][keep]
        self.data, self.counts = data, counts

    def append_rows(self, rows: np.ndarray, keep: np.ndarray) -> None:
        """Append ``rows[m, k]`` to run ``k`` wherever ``keep[m, k]`` (rows in order)."""
        added = keep.sum(axis=0)
        self._reserve(int((self.counts + added).max(initial=0)))
        m, k = np.nonzero(keep)
        # the i-th kept row of run k goes to its slot counts[k] + i
        slot = self.counts[k] + (np.cumsum(keep, axis=0) - 1)[m, k]
        self.data[k, slot] = rows[m, k]
        self.counts += added

    def segments(self, runs: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The line segments of runs ``runs[i]`` from their point ``first[i]`` on.

        Returns ``(S, 4)`` rows ``(x0, y0, x1, y1)``, the runs one after another in the
        order given (the layout of Qt's ``QLineF``), and each run's segment count.
        """
        runs, first = np.asarray(runs, int), np.asarray(first, int)
        counts = np.maximum(self.counts[runs] - first - 1, 0)
        total = int(counts.sum())
        lines = np.empty((total, 4))
        if not total:
            return lines, counts
        busy = counts > 0
        lo, hi = int(first[busy].min()), int(self.counts[runs[busy]].max())
        if total >= _DENSE_SHARE * busy.sum() * (hi - lo):
            self._dense_segments(lines, runs[busy], first[busy], lo, hi)
        else:
            run_of = np.repeat(runs, counts)
            # point j of each segment: the run's first point, then one by one
            j = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(total)
            lines[:, :2] = self.data[run_of, j]
            lines[:, 2:] = self.data[run_of, j + 1]
        return lines, counts

    def _dense_segments(self, lines, runs, first, lo: int, hi: int) -> None:
        """`segments` when they fill most of the block of points ``[lo, hi)`` of ``runs``
        (a full restroke): boolean masks over that block instead of an index per point."""
        block = _as_points(self.data)[runs, lo:hi]
        j = np.arange(lo, hi - 1)[None, :]
        valid = (j >= first[:, None]) & (j < self.counts[runs][:, None] - 1)
        ends = lines.view(np.complex128)  # (S, 2): the start and the end of each segment
        ends[:, 0] = block[:, :-1][valid]
        ends[:, 1] = block[:, 1:][valid]

    def view(self, k: int) -> np.ndarray:
        return self.data[k, : self.counts[k]]
