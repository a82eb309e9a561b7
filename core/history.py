"""Bounded history of a descent: every step is seen, a thinned selection is kept.

A run of a million steps cannot keep a million rows per run, yet the timeline and the
loss curves want the whole run. `History` keeps at most ``capacity`` rows: it stores
the steps that fall on a grid ``first_step + j * stride``; when the buffers fill up it
keeps every other stored row and doubles the stride. The newest frame is always
available as the last row (a "tail" row that is replaced by the next frame when it is
not on the grid), so the views always end at the current point.

Thread safety without locks: a writer (the worker thread) only ever writes row ``n``
of its buffers, past every row it has published, and thinning allocates *new*
buffers. A `HistorySnapshot` therefore holds read-only views of rows ``[0, n)`` that
no one writes again, plus a private copy of the tail row: it is safe to hand to
another thread by reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.descent.engine import DescentFrame

# name -> trailing shape after (N, K): () per-run scalar, (2,) per-run vector
_FIELDS: dict[str, tuple[int, ...]] = {
    "points": (2,),
    "loss": (),
    "grad": (2,),
    "grad_norm": (),
    "update": (2,),
    "velocity": (2,),
    "lr": (),
    "lambda_max": (),
}


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


class HistorySnapshot:
    """Immutable view of a `History` at one moment (safe to pass between threads).

    Attributes ``steps (N,)``, ``points (N, K, 2)``, ``loss``, ``grad_norm``, ``lr``,
    ``lambda_max (N, K)`` and ``grad``, ``update``, ``velocity (N, K, 2)`` are read-only
    arrays whose last row is the newest frame; ``diverged_at (K,)`` is the newest
    divergence state (-1 = alive).
    """

    __slots__ = ("_cache", "_committed", "_tail", "diverged_at", "n_runs", "stride")

    def __init__(self, committed, tail, diverged_at, n_runs: int, stride: int) -> None:
        self._committed: dict[str, np.ndarray] = committed
        self._tail: dict[str, np.ndarray] | None = tail
        self._cache: dict[str, np.ndarray] = {}
        self.diverged_at: np.ndarray = diverged_at
        self.n_runs = n_runs
        self.stride = stride

    def _field(self, name: str) -> np.ndarray:
        cached = self._cache.get(name)
        if cached is None:
            cached = self._committed[name]
            if self._tail is not None:
                cached = np.concatenate([cached, self._tail[name][None]])
            cached = _read_only(cached)
            self._cache[name] = cached
        return cached

    def __len__(self) -> int:
        return len(self._committed["steps"]) + (self._tail is not None)

    def __repr__(self) -> str:
        last = int(self.steps[-1]) if len(self) else None
        return (
            f"HistorySnapshot(rows={len(self)}, runs={self.n_runs}, stride={self.stride}, "
            f"last_step={last})"
        )

    steps = property(lambda self: self._field("steps"))
    points = property(lambda self: self._field("points"))
    loss = property(lambda self: self._field("loss"))
    grad = property(lambda self: self._field("grad"))
    grad_norm = property(lambda self: self._field("grad_norm"))
    update = property(lambda self: self._field("update"))
    velocity = property(lambda self: self._field("velocity"))
    lr = property(lambda self: self._field("lr"))
    lambda_max = property(lambda self: self._field("lambda_max"))

    def index_of_step(self, step: int) -> int:
        """Row of the latest stored step ``<= step`` (clamped to ``[0, len - 1]``)."""
        if len(self) == 0:
            raise ValueError("index_of_step: the history is empty")
        row = int(np.searchsorted(self.steps, step, side="right")) - 1
        return min(max(row, 0), len(self) - 1)

    def frame_at(self, i: int) -> DescentFrame:
        """Rebuild the `DescentFrame` stored in row ``i`` (negative indices allowed)."""
        n = len(self)
        if not -n <= i < n:
            raise ValueError(f"frame_at: index must be in [-{n}, {n - 1}], got {i}")
        step = int(self.steps[i])
        gone = (self.diverged_at >= 0) & (self.diverged_at <= step)
        fields = {name: _read_only(np.array(self._field(name)[i])) for name in _FIELDS}
        diverged_at = _read_only(np.where(gone, self.diverged_at, -1))
        return DescentFrame(step=step, diverged_at=diverged_at, **fields)

    def upto(self, i: int) -> HistorySnapshot:
        """The snapshot truncated to rows ``[0, i]`` (for the timeline scrubber)."""
        n = len(self)
        if not 0 <= i < n:
            raise ValueError(f"upto: index must be in [0, {n - 1}], got {i}")
        names = ("steps", *_FIELDS)
        committed = {name: self._field(name)[: i + 1] for name in names}
        step = int(self.steps[i])
        gone = (self.diverged_at >= 0) & (self.diverged_at <= step)
        diverged_at = _read_only(np.where(gone, self.diverged_at, -1))
        return HistorySnapshot(committed, None, diverged_at, self.n_runs, self.stride)


class History:
    """Bounded record of the frames of ``n_runs`` parallel runs.

    Parameters
    ----------
    n_runs : int
        Number of runs K in every frame (>= 1).
    capacity : int
        Most rows kept (even, >= 4). When full, every other stored row is dropped and
        the stride doubles, so memory is ``O(capacity * K)`` for any number of steps.
    """

    def __init__(self, n_runs: int, capacity: int = 1024) -> None:
        if not isinstance(n_runs, int | np.integer) or n_runs < 1:
            raise ValueError(f"n_runs must be an integer >= 1, got {n_runs!r}")
        if not isinstance(capacity, int | np.integer) or capacity < 4 or capacity % 2:
            raise ValueError(f"capacity must be an even integer >= 4, got {capacity!r}")
        self.n_runs = int(n_runs)
        self.capacity = int(capacity)
        self.stride = 1
        self._first_step: int | None = None
        self._last_step: int | None = None
        self._n = 0
        self._tail: dict[str, np.ndarray] | None = None
        self._diverged_at = np.full(self.n_runs, -1, dtype=np.int64)
        self._buffers = self._allocate()
        self._snapshot: HistorySnapshot | None = None

    def __repr__(self) -> str:
        return (
            f"History(n_runs={self.n_runs}, capacity={self.capacity}, rows={len(self)}, "
            f"stride={self.stride}, last_step={self._last_step})"
        )

    def __len__(self) -> int:
        return self._n + (self._tail is not None)

    def _allocate(self) -> dict[str, np.ndarray]:
        buffers = {"steps": np.empty(self.capacity, dtype=np.int64)}
        for name, trailing in _FIELDS.items():
            buffers[name] = np.empty((self.capacity, self.n_runs, *trailing))
        return buffers

    def _row(self, frame: Any) -> dict[str, np.ndarray]:
        row: dict[str, np.ndarray] = {"steps": np.asarray(frame.step, dtype=np.int64)}
        for name, trailing in _FIELDS.items():
            value = np.asarray(getattr(frame, name), dtype=np.float64)
            if value.shape != (self.n_runs, *trailing):
                expected = (self.n_runs, *trailing)
                raise ValueError(f"frame.{name} must have shape {expected}, got {value.shape}")
            row[name] = value
        return row

    def _thin(self) -> None:
        """Keep rows 0, 2, 4, ... in fresh buffers (old snapshots keep the old ones)."""
        kept = (self._n + 1) // 2
        fresh = self._allocate()
        for name, buffer in self._buffers.items():
            fresh[name][:kept] = buffer[: self._n : 2]
        self._buffers = fresh
        self._n = kept
        self.stride *= 2

    def append(self, frame: DescentFrame) -> None:
        """Record ``frame`` (its step must be larger than the previous one)."""
        step = int(frame.step)
        if self._last_step is not None and step <= self._last_step:
            raise ValueError(f"frame.step must increase, got {step} after {self._last_step}")
        row = self._row(frame)
        self._diverged_at = np.asarray(frame.diverged_at, dtype=np.int64).copy()
        if self._first_step is None:
            self._first_step = step
        self._last_step = step
        self._snapshot = None
        if (step - self._first_step) % self.stride == 0 and self._n == self.capacity:
            self._thin()
        if (step - self._first_step) % self.stride == 0:
            for name, value in row.items():
                self._buffers[name][self._n] = value
            self._n += 1
            self._tail = None
        else:
            self._tail = row

    def snapshot(self) -> HistorySnapshot:
        """An immutable view of the rows so far (cheap: no copy of stored rows)."""
        if self._snapshot is None:
            committed = {
                name: _read_only(buffer[: self._n]) for name, buffer in self._buffers.items()
            }
            diverged_at = _read_only(self._diverged_at.copy())
            self._snapshot = HistorySnapshot(
                committed, self._tail, diverged_at, self.n_runs, self.stride
            )
        return self._snapshot

    def __getattr__(self, name: str) -> Any:
        # steps, points, loss, grad_norm, lr, lambda_max, ... read through a snapshot
        if name in _FIELDS or name in ("steps", "diverged_at"):
            return getattr(self.snapshot(), name)
        raise AttributeError(f"'History' object has no attribute {name!r}")

    def index_of_step(self, step: int) -> int:
        """Row of the latest stored step ``<= step`` (for the timeline scrubber)."""
        return self.snapshot().index_of_step(step)

    def frame_at(self, i: int) -> DescentFrame:
        """The frame stored in row ``i``."""
        return self.snapshot().frame_at(i)
