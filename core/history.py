"""Bounded history of any run: every frame is seen, a thinned selection is kept.

A run of a million steps cannot keep a million rows, yet the timeline and the curves
want the whole run. `History` keeps at most ``capacity`` rows: it stores the steps that
fall on a grid ``first_step + j * stride``; when the buffers fill up it keeps every other
stored row and doubles the stride. The newest frame is always available as the last row
(a "tail" row that is replaced by the next frame when it is not on the grid), so the
views always end at the current step.

What a row holds is the caller's choice, given by a `RecordSpec`: a `Field` (row shape,
dtype, how to read it from a frame) per name, and how to rebuild a frame from a row. The
recorders for each frame kind live next to the frames (``core.descent.recording``,
``core.nn.training_history``); nothing here knows a frame kind.

Thread safety without locks: a writer (the worker thread) only ever writes row ``n``
of its buffers, past every row it has published, and thinning allocates *new*
buffers. A `HistorySnapshot` therefore holds read-only views of rows ``[0, n)`` that
no one writes again, plus a private copy of the tail row: it is safe to hand to
another thread by reference.

A copy in another process (the window's mirror of a run in its own process) is kept
identical by replaying the original's journal of rows stored, thinnings and pins
(`core.history_journal`): no frame but the newest has to cross over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.history_journal import HistoryJournal, Journalled

__all__ = ["PIN_BEFORE", "Field", "History", "HistoryJournal", "HistorySnapshot", "RecordSpec"]

PIN_BEFORE = 32  # stored rows pinned with a pinned frame (the road that led there)

# names a field may not take: the snapshot's own attributes
_RESERVED = frozenset(
    {"steps", "stride", "frame_at", "upto", "index_of_step", "append", "snapshot", "capacity"}
    | {"version", "newest_frame", "column", "split", "nbytes"}  # read before its fields
    | {"start_journal", "take_journal", "replay"}
)


@dataclass(frozen=True, slots=True)
class Field:
    """One recorded quantity: its shape per row, its dtype, and how a frame gives it.

    ``read(frame)`` defaults to the frame's attribute of the field's name.
    """

    shape: tuple[int, ...] = ()
    dtype: Any = np.float64
    read: Callable[[Any], Any] | None = None


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """How one frame kind is recorded and rebuilt.

    Parameters
    ----------
    fields : Mapping[str, Field]
        Name -> row shape (the column is ``(N, *shape)``), dtype and reader.
    build_frame : Callable[[int, dict[str, np.ndarray]], Any]
        ``build_frame(step, row)`` rebuilds the frame of one row (read-only arrays).
    newest : tuple of str
        Fields whose snapshot attribute is the last row, not the column (a state that
        only the newest frame defines, like which runs have diverged).
    constants : Mapping[str, Any]
        Values that hold for the whole run (e.g. ``n_runs``), readable as attributes.
    pin : Callable[[Any], bool] or None
        ``pin(frame)`` is True for a frame whose row, the frame before it and the last
        `PIN_BEFORE` rows must survive every thinning (e.g. where a run stops: its last
        finite point and the turns that led there keep their true shape).
    """

    fields: Mapping[str, Field]
    build_frame: Callable[[int, dict[str, np.ndarray]], Any]
    newest: tuple[str, ...] = ()
    constants: Mapping[str, Any] = field(default_factory=dict)
    pin: Callable[[Any], bool] | None = None

    def validate(self) -> None:
        """Raise ValueError naming a field that is reserved, missing or malformed."""
        for name, spec in self.fields.items():
            if not name.isidentifier() or name.startswith("_") or name in _RESERVED:
                raise ValueError(f"fields: {name!r} is not a usable field name")
            if not isinstance(spec, Field) or any(int(n) < 0 for n in spec.shape):
                raise ValueError(f"fields[{name!r}] must be a Field with a shape of sizes >= 0")
        for name in self.newest:
            if name not in self.fields:
                raise ValueError(f"newest: {name!r} is not one of the fields")
        for name in self.constants:
            if name in self.fields or name in _RESERVED or name.startswith("_"):
                raise ValueError(f"constants: {name!r} clashes with a field or attribute")


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


class HistorySnapshot:
    """Immutable view of a `History` at one moment (safe to pass between threads).

    ``steps (N,)`` and one read-only array ``(N, *shape)`` per field, as attributes
    (``snapshot.loss``); the last row is the newest frame. Fields named in the spec's
    ``newest`` read as their last row; the spec's constants read as themselves.
    """

    __slots__ = ("_cache", "_committed", "_newest", "_spec", "_tail", "stride")

    def __init__(self, spec: RecordSpec, committed, tail, stride: int, newest=None) -> None:
        self._spec = spec
        self._committed: dict[str, np.ndarray] = committed
        self._tail: dict[str, np.ndarray] | None = tail
        self._cache: dict[str, np.ndarray] = {}
        self._newest = newest  # the frame of the last row itself (None: rebuild it)
        self.stride = stride

    def column(self, name: str) -> np.ndarray:
        """All rows of field ``name`` (or ``"steps"``), the newest last."""
        cached = self._cache.get(name)
        if cached is None:
            cached = self._committed[name]
            if self._tail is not None:
                cached = np.concatenate([cached, self._tail[name][None]])
            cached = _read_only(cached)
            self._cache[name] = cached
        return cached

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, newest)``: the rows of field ``name`` (or ``"steps"``) before the
        newest one, ``(N - 1, *shape)``, and the newest row, ``shape``.

        Read-only views, no copy: `column` joins them into one array, a copy of every
        stored row, which a view that only draws the rows it has not seen yet (a frame of
        a 100-run sweep, each frame) need not pay for.
        """
        if len(self) == 0:
            raise ValueError(f"split: the history has no rows of {name!r}")
        stored = self._committed[name]
        if self._tail is None:
            return stored[:-1], stored[-1]
        return stored, _read_only(self._tail[name])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not set yet (copy, pickle): no recursion into the spec
            raise AttributeError(name)
        spec = self._spec
        if name == "steps" or name in spec.fields:
            column = self.column(name)
            return column[-1] if name in spec.newest and len(column) else column
        if name in spec.constants:
            return spec.constants[name]
        raise AttributeError(f"'HistorySnapshot' object has no attribute {name!r}")

    def __len__(self) -> int:
        return len(self._committed["steps"]) + (self._tail is not None)

    def __repr__(self) -> str:
        last = int(self.steps[-1]) if len(self) else None
        return (
            f"HistorySnapshot(rows={len(self)}, fields={list(self._spec.fields)}, "
            f"stride={self.stride}, last_step={last})"
        )

    def index_of_step(self, step: int) -> int:
        """Row of the latest stored step ``<= step`` (clamped to ``[0, len - 1]``)."""
        if len(self) == 0:
            raise ValueError("index_of_step: the history is empty")
        row = int(np.searchsorted(self.steps, step, side="right")) - 1
        return min(max(row, 0), len(self) - 1)

    def frame_at(self, i: int) -> Any:
        """The frame of row ``i`` (negative indices allowed), rebuilt from the row.

        The last row gives back the newest frame itself, with every field (recorded or
        not); earlier rows give the spec's ``build_frame`` of the row.
        """
        n = len(self)
        if not -n <= i < n:
            raise ValueError(f"frame_at: index must be in [-{n}, {n - 1}], got {i}")
        if i % n == n - 1 and self._newest is not None:
            return self._newest
        row = {name: _read_only(np.array(self.column(name)[i])) for name in self._spec.fields}
        return self._spec.build_frame(int(self.steps[i]), row)

    def upto(self, i: int) -> HistorySnapshot:
        """The snapshot truncated to rows ``[0, i]`` (for the timeline scrubber)."""
        n = len(self)
        if not 0 <= i < n:
            raise ValueError(f"upto: index must be in [0, {n - 1}], got {i}")
        names = ("steps", *self._spec.fields)
        committed = {name: self.column(name)[: i + 1] for name in names}
        newest = self._newest if i == n - 1 else None
        return HistorySnapshot(self._spec, committed, None, self.stride, newest)


class History(Journalled):
    """Bounded record of the frames of one run, as a `RecordSpec` describes them.

    Parameters
    ----------
    spec : RecordSpec
        What each row holds and how a frame is rebuilt from it.
    capacity : int
        Most rows kept (even, >= 4). When full, every other stored row is dropped and
        the stride doubles, so memory is ``O(capacity * row size)`` for any number of
        steps, and the rows kept after ``n`` steps are ``first + j * stride`` with
        ``stride = 2**ceil(log2(n / capacity))`` (plus the newest as a tail).
    """

    def __init__(self, spec: RecordSpec, capacity: int = 1024) -> None:
        if not isinstance(capacity, int | np.integer) or capacity < 4 or capacity % 2:
            raise ValueError(f"capacity must be an even integer >= 4, got {capacity!r}")
        spec.validate()
        self.spec = spec
        self.capacity = int(capacity)
        self.stride = 1
        self._first_step: int | None = None
        self._last_step: int | None = None
        self._n = 0
        # the newest frame when it is off the grid: read into a row only when a snapshot or
        # a pin needs it (most appends are tails that the next append replaces unread)
        self._tail: Any = None
        self._newest: Any = None
        self._buffers = self._allocate()
        self._pinned = np.zeros(self.capacity, bool)  # rows that no thinning drops
        self._snapshot: HistorySnapshot | None = None
        self.version = 0  # counts appends and replays: a cache of snapshots keys on it

    def __repr__(self) -> str:
        return (
            f"History(fields={list(self.spec.fields)}, capacity={self.capacity}, "
            f"rows={len(self)}, stride={self.stride}, last_step={self._last_step})"
        )

    def __len__(self) -> int:
        return self._n + (self._tail is not None)

    @property
    def newest_frame(self) -> Any:
        """The last frame appended (or replayed), None before the first."""
        return self._newest

    @property
    def nbytes(self) -> int:
        """Bytes held by the row buffers (constant once allocated)."""
        return sum(buffer.nbytes for buffer in self._buffers.values())

    def _allocate(self) -> dict[str, np.ndarray]:
        buffers = {"steps": np.empty(self.capacity, dtype=np.int64)}
        for name, spec in self.spec.fields.items():
            buffers[name] = np.empty((self.capacity, *spec.shape), dtype=spec.dtype)
        return buffers

    def _row(self, frame: Any) -> dict[str, np.ndarray]:
        row: dict[str, np.ndarray] = {"steps": np.asarray(frame.step, dtype=np.int64)}
        for name, spec in self.spec.fields.items():
            raw = getattr(frame, name) if spec.read is None else spec.read(frame)
            value = np.array(raw, dtype=spec.dtype)  # a copy: the tail row outlives the frame
            if value.shape != spec.shape:
                raise ValueError(f"frame.{name} must have shape {spec.shape}, got {value.shape}")
            row[name] = value
        return row

    def _thin(self) -> None:
        """Keep the rows on the doubled stride's grid, and the pinned ones, in fresh
        buffers (old snapshots keep the old ones)."""
        n = self._n
        steps = self._buffers["steps"][:n]
        keep = self._pinned[:n] | ((steps - self._first_step) % (2 * self.stride) == 0)
        kept = int(keep.sum())
        fresh = self._allocate()
        for name, buffer in self._buffers.items():
            # one copy, straight into the fresh buffer (an 8x64 network's weight sets are
            # 64 MB: a temporary of half of them doubled the time the thinning takes)
            np.compress(keep, buffer[:n], axis=0, out=fresh[name][:kept])
        pinned = np.zeros(self.capacity, bool)
        pinned[:kept] = self._pinned[:n][keep]
        self._buffers, self._pinned = fresh, pinned
        self._n = kept
        self.stride *= 2
        self._log(("thin",))

    def _store(self, row: dict[str, np.ndarray], pinned: bool = False) -> None:
        """Write ``row`` after the stored rows (thinning first while they are full)."""
        while self._n == self.capacity:
            self._thin()
        self._put(row, pinned)

    def _put(self, row: dict[str, np.ndarray], pinned: bool) -> None:
        """Write ``row`` at row ``n`` (there is room)."""
        for name, value in row.items():
            self._buffers[name][self._n] = value
        self._pinned[self._n] = pinned
        self._n += 1
        if self._journal is not None:
            self._journal_rows.append(row)  # a fresh copy (`_row`): nothing else writes it
            self._log(("store", 1, pinned))

    def _pin_room(self) -> int:
        """How many more rows may be pinned: at most half the capacity ever is (so that
        thinning always has grid rows to drop), beyond the tail and the frame to pin."""
        room = self.capacity // 2 - int(self._pinned[: self._n].sum())
        return room - 1 - (self._tail is not None)

    def _pin(self, row: dict[str, np.ndarray]) -> None:
        """Store the previous frame (the tail) and ``row`` for good, and pin up to the
        last `PIN_BEFORE` stored rows (as many as `_pin_room` allows)."""
        recent = np.flatnonzero(~self._pinned[: self._n])[-PIN_BEFORE:]
        spare = self._pin_room()
        rows = recent[len(recent) - min(len(recent), spare) :]
        self._pinned[rows] = True
        if len(rows):
            self._log(("pin", tuple(rows.tolist())))
        if self._tail is not None:
            self._store(self._row(self._tail), pinned=True)
        self._store(row, pinned=True)

    def append(self, frame: Any) -> None:
        """Record ``frame`` (its step must be larger than the previous one)."""
        step = int(frame.step)
        if self._last_step is not None and step <= self._last_step:
            raise ValueError(f"frame.step must increase, got {step} after {self._last_step}")
        first = step if self._first_step is None else self._first_step
        # no room left to pin: the frame is an ordinary one (on the grid or the tail)
        pinning = self.spec.pin is not None and self._pin_room() >= 0 and self.spec.pin(frame)
        on_grid = (step - first) % self.stride == 0
        row = self._row(frame) if pinning or on_grid else None  # checked before any change
        self._first_step, self._last_step, self._newest = first, step, frame
        self._snapshot = None
        self.version += 1
        if pinning:
            self._pin(row)
            self._tail = None
            return
        if on_grid and self._n == self.capacity:
            self._thin()
            on_grid = (step - first) % self.stride == 0
        if on_grid:
            self._store(row)
            self._tail = None
        else:  # read when a snapshot needs it: the next append usually replaces it unread
            self._tail = frame

    def snapshot(self) -> HistorySnapshot:
        """An immutable view of the rows so far (cheap: no copy of stored rows)."""
        if self._snapshot is None:
            committed = {
                name: _read_only(buffer[: self._n]) for name, buffer in self._buffers.items()
            }
            tail = None if self._tail is None else self._row(self._tail)
            self._snapshot = HistorySnapshot(self.spec, committed, tail, self.stride, self._newest)
        return self._snapshot

    def __getattr__(self, name: str) -> Any:
        # steps and every field read through a snapshot (convenient in tests and scripts)
        if name.startswith("_") or name == "spec":
            raise AttributeError(name)
        return getattr(self.snapshot(), name)

    def index_of_step(self, step: int) -> int:
        """Row of the latest stored step ``<= step`` (for the timeline scrubber)."""
        return self.snapshot().index_of_step(step)

    def frame_at(self, i: int) -> Any:
        """The frame stored in row ``i``."""
        return self.snapshot().frame_at(i)
