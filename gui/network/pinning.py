"""The recorded step the timeline pins the network views to.

Pinned by step, not row: thinning a history moves rows, never steps. The diagram and the
data view need every weight of the step; the per-step rows keep more steps than the
weight sets (`core.nn.training_history`), so a pin lands on the latest step ``<=`` the
asked one that has its weights kept, and every view shows that same step.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from core.nn.train_config import TrainFrame


@dataclasses.dataclass(frozen=True, slots=True)
class PinnedStep:
    """The shown run's history row and step, its frame (weights included), and every
    run's history up to that step."""

    row: int
    step: int
    frame: TrainFrame
    histories: tuple[Any, ...]


def pin(histories: tuple[Any, ...], selected: int, step: int) -> PinnedStep:
    """Pin run ``selected`` at the latest recorded step ``<= step`` whose weights are kept.

    ``histories``: one `TrainingSnapshot` per run; the others are cut at the same step.
    """
    history = histories[selected]
    row = history.index_of_step(step)
    kept_step = history.weights_at(int(history.steps[row]))[0]
    row = history.index_of_step(kept_step)  # a kept weight step is a per-step row too
    frame = history.frame_at(row)
    shown = int(history.steps[row])
    cut = tuple(h.upto(h.index_of_step(shown)) for h in histories)
    return PinnedStep(row, shown, frame, cut)
