"""Several training runs side by side in one generator: a preset's base and its variants.

`variant_frames` steps every run once per yielded `VariantFrame` (a run that stopped keeps
showing its last frame), so the window's one worker drives them all in lockstep and the
curves of, say, sigmoid, tanh and ReLU grow together. `VariantHistory` is its recorder:
one `TrainingHistory` per run, each appended only when its run produced a new frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from core.nn.datasets import Dataset
from core.nn.train_config import TrainConfig, TrainFrame
from core.nn.training import train
from core.nn.training_history import (
    WEIGHT_BUDGET_BYTES,
    TrainingHistory,
    TrainingSnapshot,
)
from core.run_kinds import run_function

__all__ = ["VariantFrame", "VariantHistory", "variant_frames", "variant_history"]

CAPACITY = 1024  # per-step rows kept per run


@dataclass(frozen=True, slots=True, repr=False)
class VariantFrame:
    """Step ``step`` of every run: ``frames[k]`` is run k's newest frame, ``fresh[k]``
    whether it is new at this step (False once run k has stopped)."""

    step: int
    frames: tuple[TrainFrame, ...]
    fresh: tuple[bool, ...]

    def __repr__(self) -> str:
        return f"VariantFrame(step={self.step}, runs={len(self.frames)})"


@run_function
def variant_frames(runs: list[tuple[TrainConfig, Dataset]]) -> Iterator[VariantFrame]:
    """Yield one `VariantFrame` per step until every run has stopped."""
    streams = [train(config, dataset) for config, dataset in runs]
    latest: list[TrainFrame | None] = [None] * len(streams)
    live = [True] * len(streams)
    step = 0
    while any(live):
        fresh = [False] * len(streams)
        for k, stream in enumerate(streams):
            if not live[k]:
                continue
            frame = next(stream, None)
            if frame is None:
                live[k] = False
                continue
            latest[k], fresh[k] = frame, True
            live[k] = frame.stop_reason is None
        if not any(fresh):
            return
        yield VariantFrame(step, tuple(latest), tuple(fresh))
        step += 1


class VariantHistory:
    """One bounded `TrainingHistory` per run; the weight budget is shared between them."""

    def __init__(self, first: VariantFrame, capacity: int = CAPACITY) -> None:
        share = WEIGHT_BUDGET_BYTES // max(len(first.frames), 1)
        self.histories = []
        for frame in first.frames:
            per_set = 8 * sum(w.size + b.size for w, b in zip(frame.weights, frame.biases))
            per_set += 8 * sum(p.size for p in frame.bn_state)
            fits = share // max(per_set, 1)
            weight_capacity = int(max(4, min(capacity, fits - fits % 2)))
            self.histories.append(TrainingHistory(frame, capacity, weight_capacity))

    def __repr__(self) -> str:
        return (
            f"VariantHistory(runs={len(self.histories)}, rows={[len(h) for h in self.histories]})"
        )

    def append(self, frame: VariantFrame) -> None:
        for history, run_frame, fresh in zip(self.histories, frame.frames, frame.fresh):
            if fresh:
                history.append(run_frame)

    def snapshot(self) -> tuple[TrainingSnapshot, ...]:
        """One immutable snapshot per run."""
        return tuple(history.snapshot() for history in self.histories)


@run_function
def variant_history(first: VariantFrame) -> VariantHistory:
    """The worker's recorder for `variant_frames`."""
    return VariantHistory(first)
