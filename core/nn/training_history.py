"""The training recorder: a bounded history of a `TrainFrame` stream, curves and weights.

Two bounded `History` objects, thinned the same way (doubling stride on the grid
``first_step + j * stride``, the newest frame always kept as the last row):

- per step: the numbers the curves draw (losses, accuracies, learning rate, per-layer
  gradient norms and weight statistics), ``capacity`` rows;
- weight sets: every weight matrix, bias vector and batch-norm array, far fewer rows
  (``weight_capacity``, by default what fits in ``WEIGHT_BUDGET_BYTES``), because the
  weight-space landscape draws the training path through them.

Both grids are powers of two of the same base, and the weight history's stride is never
smaller, so every kept weight step is also a kept per-step row.

To record a new per-step field of `TrainFrame`, add one line to `PER_STEP` (name ->
how a frame gives it); its row shape and dtype come from the first frame. If the name is
a `TrainFrame` field, ``frame_at`` passes it back too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from core.history import Field, History, HistorySnapshot, RecordSpec
from core.nn.train_config import STOP_REASONS, TrainFrame

__all__ = [
    "PER_STEP",
    "WEIGHT_BUDGET_BYTES",
    "TrainingHistory",
    "TrainingSnapshot",
    "training_history",
]

WEIGHT_BUDGET_BYTES = 64 * 2**20  # default memory for the kept weight sets
_STOP_CODES = tuple(STOP_REASONS)  # stop_code i <-> stop reason _STOP_CODES[i]; -1: none
# weight-set kinds: field name prefix -> the TrainFrame attribute (a tuple, one per layer)
_KINDS = {"weight": "weights", "bias": "biases", "bn": "bn_state"}


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else value  # no accuracy (regression), no test part


def _stop_code(reason: str | None) -> int:
    return -1 if reason is None else _STOP_CODES.index(reason)


_OPTIONAL = ("test_loss", "train_accuracy", "test_accuracy")  # None is recorded as NaN
# name -> how a frame gives it, one line per recorded per-step field
PER_STEP: dict[str, Callable[[TrainFrame], Any]] = {
    "epoch": lambda f: f.epoch,
    "batch_loss": lambda f: f.batch_loss,
    "train_loss": lambda f: f.train_loss,
    "test_loss": lambda f: _or_nan(f.test_loss),
    "train_accuracy": lambda f: _or_nan(f.train_accuracy),
    "test_accuracy": lambda f: _or_nan(f.test_accuracy),
    "lr": lambda f: f.lr,
    "grad_norms": lambda f: f.grad_norms,
    "delta_norms": lambda f: f.delta_norms,
    "update_norms": lambda f: f.update_norms,
    "weight_mean": lambda f: f.weight_mean,
    "weight_std": lambda f: f.weight_std,
    "weight_min": lambda f: f.weight_min,
    "weight_max": lambda f: f.weight_max,
    "stop_code": lambda f: _stop_code(f.stop_reason),
}


def _field_of(first_frame: TrainFrame, read: Callable[[TrainFrame], Any]) -> Field:
    value = np.asarray(read(first_frame))
    return Field(value.shape, value.dtype, read)


def _per_step_spec(first_frame: TrainFrame) -> RecordSpec:
    fields = {name: _field_of(first_frame, read) for name, read in PER_STEP.items()}
    return RecordSpec(fields, lambda step, row: row, newest=("stop_code",))


def _part_reader(kind: str, i: int) -> Callable[[TrainFrame], np.ndarray]:
    return lambda frame: getattr(frame, _KINDS[kind])[i]


def _weight_spec(first_frame: TrainFrame) -> RecordSpec:
    fields, counts = {}, {}
    for kind, attribute in _KINDS.items():
        counts[kind] = len(getattr(first_frame, attribute))
        for i in range(counts[kind]):
            fields[f"{kind}_{i}"] = _field_of(first_frame, _part_reader(kind, i))
    return RecordSpec(fields, lambda step, row: row, constants={"counts": counts})


def default_weight_capacity(first_frame: TrainFrame, capacity: int) -> int:
    """The most weight sets (even, 4 .. ``capacity``) that fit in `WEIGHT_BUDGET_BYTES`."""
    arrays = [a for attribute in _KINDS.values() for a in getattr(first_frame, attribute)]
    per_set = 8 * sum(np.size(a) for a in arrays)
    fits = WEIGHT_BUDGET_BYTES // max(per_set, 1)
    return int(max(4, min(capacity, fits - fits % 2)))


class TrainingSnapshot:
    """Immutable view of a `TrainingHistory` (safe to pass between threads).

    Per-step columns as attributes (``snapshot.train_loss (N,)``, ``.grad_norms (N, L)``,
    ``.steps``), ``len``, ``stride``, ``index_of_step``, ``upto`` and ``frame_at`` work as
    on a `HistorySnapshot`. The kept weight sets: ``weight_steps (M,)``, ``weights``
    (tuple of ``(M, n_in, n_out)``), ``biases`` (tuple of ``(M, n_out)``), ``bn_state``.
    """

    __slots__ = ("per_step", "weight_sets")

    def __init__(self, per_step: HistorySnapshot, weight_sets: HistorySnapshot) -> None:
        self.per_step = per_step
        self.weight_sets = weight_sets

    def __getattr__(self, name: str) -> Any:
        if name in ("per_step", "weight_sets") or name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.per_step, name)

    def __len__(self) -> int:
        return len(self.per_step)

    def __repr__(self) -> str:
        return (
            f"TrainingSnapshot(rows={len(self)}, weight_sets={len(self.weight_sets)}, "
            f"stride={self.stride}, weight_stride={self.weight_sets.stride})"
        )

    def _kind(self, prefix: str) -> tuple[np.ndarray, ...]:
        count = self.weight_sets.counts[prefix]
        return tuple(self.weight_sets.column(f"{prefix}_{i}") for i in range(count))

    weight_steps = property(lambda self: self.weight_sets.steps)
    weights = property(lambda self: self._kind("weight"))
    biases = property(lambda self: self._kind("bias"))
    bn_state = property(lambda self: self._kind("bn"))

    def index_of_step(self, step: int) -> int:
        """Per-step row of the latest stored step ``<= step``."""
        return self.per_step.index_of_step(step)

    def weights_at(self, step: int) -> tuple[int, tuple, tuple, tuple]:
        """``(kept_step, weights, biases, bn_state)`` of the latest weight set ``<= step``."""
        j = self.weight_sets.index_of_step(step)
        sets = [
            tuple(_copy(column[j]) for column in self._kind(p)) for p in ("weight", "bias", "bn")
        ]
        return int(self.weight_steps[j]), *sets

    def frame_at(self, i: int) -> TrainFrame:
        """Rebuild the `TrainFrame` of per-step row ``i``.

        Its weights, biases and batch-norm state are those of the same step when that
        weight set is kept (always for the first row), else empty tuples: use `weights_at`
        for the nearest earlier set. Fields not recorded (``sample``, and any `TrainFrame`
        field missing from `PER_STEP`) are None. The newest row gives back the newest
        frame itself, complete.
        """
        row = self.per_step.frame_at(i)
        if isinstance(row, TrainFrame):  # the newest row: the frame itself, complete
            return row
        step = int(self.steps[i])
        kept_step, weights, biases, bn_state = self.weights_at(step)
        if kept_step != step:
            weights, biases, bn_state = (), (), ()
        values = {name: _scalar(value) for name, value in row.items()}
        for name in _OPTIONAL:
            values[name] = _none_if_nan(values.get(name))
        code = values.pop("stop_code", -1)
        values.update(step=step, weights=weights, biases=biases, bn_state=bn_state)
        values["stop_reason"] = None if code < 0 else _STOP_CODES[code]
        kwargs = {f.name: values.get(f.name) for f in dataclasses.fields(TrainFrame)}
        return TrainFrame(**kwargs)

    def upto(self, i: int) -> TrainingSnapshot:
        """Both histories truncated to per-step row ``i`` and the steps up to it."""
        per_step = self.per_step.upto(i)
        j = self.weight_sets.index_of_step(int(per_step.steps[-1]))
        return TrainingSnapshot(per_step, self.weight_sets.upto(j))


def _copy(array: np.ndarray) -> np.ndarray:
    out = np.array(array)
    out.flags.writeable = False
    return out


def _scalar(value: np.ndarray) -> Any:
    return value.item() if value.ndim == 0 else value


def _none_if_nan(value: float | None) -> float | None:
    return None if value is None or np.isnan(value) else value


class TrainingHistory:
    """Bounded record of a training run: per-step curves and thinned weight sets.

    Parameters
    ----------
    first_frame : TrainFrame
        Fixes the row shapes (layers, batch-norm layers); append it like any other.
    capacity : int
        Most per-step rows (even, >= 4).
    weight_capacity : int or None
        Most weight sets (even, 4 .. ``capacity``); None: `default_weight_capacity`.
    """

    def __init__(
        self, first_frame: TrainFrame, capacity: int = 1024, weight_capacity: int | None = None
    ) -> None:
        self.per_step = History(_per_step_spec(first_frame), capacity=capacity)
        if weight_capacity is None:
            weight_capacity = default_weight_capacity(first_frame, self.per_step.capacity)
        wc = weight_capacity
        if not isinstance(wc, int) or not 4 <= wc <= self.per_step.capacity or wc % 2:
            raise ValueError(
                f"weight_capacity must be an even integer in [4, {capacity}], "
                f"got {weight_capacity!r}"
            )
        self.weight_sets = History(_weight_spec(first_frame), capacity=weight_capacity)
        self._snapshot: TrainingSnapshot | None = None
        self._snapshot_of: tuple[int, int] = (-1, -1)  # the histories' versions it shows

    def __len__(self) -> int:
        return len(self.per_step)

    def __repr__(self) -> str:
        return f"TrainingHistory(per_step={self.per_step!r}, weight_sets={self.weight_sets!r})"

    def append(self, frame: TrainFrame) -> None:
        """Record ``frame`` in both histories (its step must be larger than the last)."""
        self.per_step.append(frame)
        self.weight_sets.append(frame)

    def snapshot(self) -> TrainingSnapshot:
        """An immutable view of both histories so far (no copy of stored rows).

        Made again only when a history changed (its ``version``), whether by `append` or
        by a replayed journal (the window's mirror of a run in its own process)."""
        versions = (self.per_step.version, self.weight_sets.version)
        if self._snapshot is None or versions != self._snapshot_of:
            self._snapshot = TrainingSnapshot(self.per_step.snapshot(), self.weight_sets.snapshot())
            self._snapshot_of = versions
        return self._snapshot


def training_history(
    first_frame: TrainFrame, capacity: int = 1024, weight_capacity: int | None = None
) -> TrainingHistory:
    """An empty `TrainingHistory` shaped like ``first_frame``; the worker's training recorder."""
    return TrainingHistory(first_frame, capacity, weight_capacity)
