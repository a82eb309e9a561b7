"""Feed history rows into a `TrailsItem`, touching only rows it has not seen.

The history a view receives each frame is the whole run so far: ``(N, K, 2)`` points
whose last row is a provisional tail (replaced by the next frame). `PathFeed` remembers
how many committed rows it has already passed on and checks that they are unchanged
(first and last seen rows); then only the new rows are decimated (a point that stays in
the same screen cell as the previous row is dropped) and appended.

A thinned history (every other row dropped, the stride doubled: `core.history`) keeps
what was already drawn: the rows it still holds were drawn, so only the rows past the
last drawn step are appended, and a path keeps its true shape (its early fast steps,
its turns and its last finite point) however long the run goes on. A history that was
truncated (timeline scrubbing) or belongs to another run is rebuilt from its rows.
A run can be cut at its first point outside an exit box (a runaway run). A view that
only widens (a curve plot's step axis) keeps what was drawn too: `regrid` merges the
drawn points onto the coarser grid instead of feeding every row again.
"""

from __future__ import annotations

import numpy as np

from gui.widgets.trails import TrailsItem

_THINNING_FACTORS = (2, 4, 8, 16, 32, 64)  # strides may double several times between frames


class PathFeed:
    """Incremental bookkeeping between a history array and a `TrailsItem`.

    Parameters
    ----------
    item : the trails item to feed.
    cell : (2,) size of a screen cell in data units (points within one cell are merged).
    exit_box : (xmin, xmax, ymin, ymax) or None; a run is cut after its first point outside.
    clamp : ((2,) lo, (2,) hi) or None; points are clipped into this box (and made finite)
        before they reach the item.
    tails : draw the provisional last row live (needed where the path must reach a marker;
        a curve over a thousand steps does without).
    """

    def __init__(self, item: TrailsItem, cell, exit_box=None, clamp=None, tails=True) -> None:
        self.item = item
        self.tails = tails
        self.cell = np.asarray(cell, float).reshape(2)
        self.exit_box = None if exit_box is None else np.asarray(exit_box, float)
        self.clamp = clamp
        self.rebuilds = 0
        self._forget()

    def _forget(self) -> None:
        self._rows = 0
        self._first: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._seen_rows: np.ndarray | None = None  # the rows array of the last sync
        self.exited = np.zeros(0, bool)
        self.exit_points = np.zeros((0, 2))

    def reset(self, cell=None, exit_box=None, clamp=None) -> None:
        """Forget everything (new landscape, new runs or a new view range)."""
        if cell is not None:
            self.cell = np.asarray(cell, float).reshape(2)
        if exit_box is not None:
            self.exit_box = np.asarray(exit_box, float)
        if clamp is not None:
            self.clamp = (np.asarray(clamp[0], float), np.asarray(clamp[1], float))
        self._forget()
        self.item.set_paths([])

    def regrid(self, cell, clamp=None) -> None:
        """A coarser screen cell and a wider clamp box, keeping what was drawn: for a
        view that only widened. The drawn points must lie inside the new box as they
        are, and the old cells must nest in the new ones: the points are merged by the
        new cells (`TrailsItem.merge_cells`), as a rebuild from the rows would."""
        self.cell = np.asarray(cell, float).reshape(2)
        if clamp is not None:
            self.clamp = (np.asarray(clamp[0], float), np.asarray(clamp[1], float))
        self.item.merge_cells(self.cell)

    def sync(self, rows: np.ndarray, newest: np.ndarray | None = None) -> None:
        """Bring the item up to ``rows`` (N, K, 2), finite, last row provisional.

        With ``newest`` (K, 2), ``rows`` are the rows before it (`HistorySnapshot.split`):
        the same paths, without a copy of every row joined to the newest one.
        """
        if newest is None:
            if len(rows) == 0:
                self.reset()
                return
            rows, newest = rows[:-1], rows[-1]
        k, committed = newest.shape[0], rows.shape[0]
        if self._continues(rows, committed, k):
            if committed > self._rows:
                self._append(rows[self._rows - 1 if self._rows else 0 : committed], self._rows == 0)
        else:
            drawn = self._thinned_rows_drawn(rows, committed, k)
            if drawn is None:
                self._rebuild(rows[:committed], k)
            elif committed > drawn:
                self._append(rows[drawn - 1 : committed], include_first=False)
        self._rows = committed
        self._seen_rows = rows  # history rows are never written again: no copy needed
        if committed:
            self._first, self._last = rows[0].copy(), rows[committed - 1].copy()
        if self.tails:
            self.item.set_tails(self._clamped(newest), ~self.exited)

    def _clamped(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` made finite (NaN as 0) and clipped into the clamp box: one clip (which
        already sends an infinity to the box's edge) and a NaN check, not four passes."""
        if self.clamp is None:
            return np.nan_to_num(rows)
        lo, hi = self.clamp
        out = np.clip(rows, lo, hi)
        nan = np.isnan(out)
        if nan.any():
            out[nan] = np.broadcast_to(np.clip(0.0, lo, hi), out.shape)[nan]
        return out

    def _continues(self, rows: np.ndarray, committed: int, k: int) -> bool:
        if self.item.n_runs != k or committed < self._rows or len(self.exited) != k:
            return False
        if self._rows == 0:
            return True
        return np.array_equal(rows[0], self._first) and np.array_equal(
            rows[self._rows - 1], self._last
        )

    def _thinned_rows_drawn(self, rows: np.ndarray, committed: int, k: int) -> int | None:
        """If ``rows`` are the rows seen last time thinned by a factor ``f`` (row ``j`` is
        old row ``j f``), how many of them are already drawn; None otherwise."""
        old = self._seen_rows
        if old is None or self._rows < 3 or self.item.n_runs != k or len(self.exited) != k:
            return None
        if committed == 0:
            return None  # only the newest row: nothing drawn survives
        if old.shape[1:] != rows.shape[1:] or not np.array_equal(rows[0], old[0]):
            return None
        for f in _THINNING_FACTORS:
            last = (self._rows - 1) // f  # the newest drawn row that survives thinning
            if last < 1 or last >= committed:
                continue
            if np.array_equal(rows[1], old[f]) and np.array_equal(rows[last], old[last * f]):
                return last + 1
        return self._kept_rows_drawn(rows[:committed], old[: self._rows])

    @staticmethod
    def _kept_rows_drawn(rows: np.ndarray, drawn: np.ndarray) -> int | None:
        """How many of ``rows`` are drawn rows, when ``rows`` begin with a subsequence of
        ``drawn`` (a thinning that kept pinned rows off the grid: `core.history`); None
        when they do not."""
        where = drawn_row_index(rows, drawn)
        found = where >= 0
        found[1:] &= where[1:] > where[:-1]  # in order: a subsequence of the drawn rows
        count = len(rows) if found.all() else int(np.argmin(found))
        previous = where[count - 1] if count else -1
        # a thinning keeps the run up to its newest step: the last drawn row, or rows
        # past it (none of them drawn); a history cut short (scrubbing) ends before it
        reaches = previous == len(drawn) - 1 or count < len(rows)
        if count < 2 or not reaches or (where[count:] >= 0).any():
            return None  # not a thinning of what was drawn: rebuild
        return count

    def _rebuild(self, rows: np.ndarray, k: int) -> None:
        self.rebuilds += 1
        self.exited = np.zeros(k, bool)
        self.exit_points = np.zeros((k, 2))
        rows = self._clamped(rows)
        keep = self._keep(rows, include_first=True)
        self.item.set_rows(rows, keep)

    def _append(self, block: np.ndarray, include_first: bool) -> None:
        """``block``: the last row already seen followed by the new rows (or new rows only)."""
        block = self._clamped(block)
        keep = self._keep(block, include_first)
        self.item.append_rows(block, keep)

    def _keep(self, rows: np.ndarray, include_first: bool) -> np.ndarray:
        """(M, K) which rows to append: new cell, not past the run's exit, first row on demand."""
        keep = np.zeros(rows.shape[:2], bool)
        if len(rows) == 0:
            return keep
        q = rows / self.cell
        np.floor(q, out=q)
        moved = q[1:] != q[:-1]
        keep[1:] = moved[..., 0] | moved[..., 1]  # (an .any over an axis of 2 is slow)
        keep[0] = include_first
        if self.exit_box is None:
            return keep
        xmin, xmax, ymin, ymax = self.exit_box
        x, y = rows[..., 0], rows[..., 1]
        outside = (x < xmin) | (x > xmax) | (y < ymin) | (y > ymax)
        outside[:, self.exited] = True  # already cut: nothing more
        seen = np.cumsum(outside, axis=0)
        first_out = outside & (seen == 1) & ~self.exited
        keep = (keep & (seen == 0)) | first_out
        newly = first_out.any(axis=0)
        self.exit_points[newly] = rows[np.argmax(first_out, axis=0)[newly], np.flatnonzero(newly)]
        self.exited |= newly
        return keep


def drawn_row_index(rows: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """For each of ``rows`` (R, ...) the index of the last identical row of ``drawn``
    (D, ...), -1 where none is identical.

    Each row is summarised by one number (its dot product with fixed weights); a row is
    looked up among the drawn ones by that number and confirmed equal in full. A frame of
    a thousand rows of a hundred runs costs a few sorted searches, not a thousand
    dictionary entries of its bytes. Where two rows are too close to tell apart by their
    number (or it is not finite), the rows' bytes decide, one by one.
    """
    width = int(np.prod(np.shape(rows)[1:]))  # (an empty history has no rows at all)
    flat_rows = np.ascontiguousarray(rows, dtype=np.float64).reshape(len(rows), width)
    flat_drawn = np.ascontiguousarray(drawn, dtype=np.float64).reshape(len(drawn), width)
    if not len(flat_rows) or not len(flat_drawn):
        return np.full(len(flat_rows), -1)
    weights = np.random.default_rng(8).uniform(0.5, 1.5, width)
    key_rows, key_drawn = flat_rows @ weights, flat_drawn @ weights
    order = np.argsort(key_drawn, kind="stable")  # equal rows: the last one last
    sorted_keys = key_drawn[order]
    tolerance = 1e-9 * (np.abs(key_rows) + 1.0)
    at = np.searchsorted(sorted_keys, key_rows + tolerance, side="right") - 1
    candidate = order[np.maximum(at, 0)]
    near = (at >= 0) & (np.abs(sorted_keys[np.maximum(at, 0)] - key_rows) <= tolerance)
    same = near & (flat_drawn[candidate] == flat_rows).all(axis=1)
    close_pairs = np.abs(np.diff(sorted_keys)) <= 1e-9 * (np.abs(sorted_keys[1:]) + 1.0)
    if (near & ~same).any() or close_pairs.any() or not np.isfinite(key_drawn).all():
        return _index_by_bytes(flat_rows, flat_drawn)
    return np.where(same, candidate, -1)


def _index_by_bytes(rows: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """`drawn_row_index` row by row, by the rows' bytes (the last drawn one wins)."""
    by_bytes = {row.tobytes(): i for i, row in enumerate(drawn)}
    return np.array([by_bytes.get(row.tobytes(), -1) for row in rows], int)
