"""Numbers that summarize a whole training run, computed once here for every view.

The share of steps that raise the full training loss is what makes stochastic descent
"noisy": each step follows one sample's (or a mini-batch's) gradient, which need not point
downhill for the loss on all the data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.nn.train_config import TrainFrame

__all__ = ["loss_rise_share", "update_count"]


def loss_rise_share(frames: Sequence[TrainFrame]) -> float:
    """The share of updates after which the full training loss is higher than before.

    share = #{t : L(W_{t+1}) > L(W_t)} / #updates, over consecutive frames, where L is the
    data loss on the whole training part (``train_loss``). Frames must be evaluated every
    step (``eval_every=1``), else repeated values count as no rise. 0 with no update.
    """
    losses = np.array([f.train_loss for f in frames], dtype=np.float64)
    if len(losses) < 2:
        return 0.0
    return float(np.mean(np.diff(losses) > 0.0))


def update_count(frames: Sequence[TrainFrame]) -> int:
    """Updates a run made: the step of its last frame (the count of updates before it)."""
    return int(frames[-1].step) if frames else 0
