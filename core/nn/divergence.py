"""Why a network run diverged, in one sentence computed from its frames.

Two causes look alike at the end (the loss overflows) but differ at the start:

* exploding initial weights: the gradient is already enormous at step 0, before any step
  was taken (max_l ||dL/dW[l]||_F > ``EXPLODING_GRADIENT``), so even a small learning
  rate throws the weights far;
* too large a learning rate: the gradient at step 0 is moderate, but each step moves the
  weights by a large share of their own size, ||W_{t+1} - W_t||_F / ||W_t||_F, and the
  overshoots grow until the loss overflows.
"""

from __future__ import annotations

import numpy as np

from core.nn.train_config import TrainFrame

__all__ = ["EXPLODING_GRADIENT", "divergence_reason", "relative_step"]

EXPLODING_GRADIENT = 1e3  # a layer gradient this large at step 0 is the weights' doing


def relative_step(frame: TrainFrame) -> float:
    """The frame's step size relative to its weights: ||W_{t+1} - W_t||_F / ||W_t||_F.

    Norms over all weight matrices together; 0 for weights that are all zero.
    """
    size = np.sqrt(sum(float(np.sum(w * w)) for w in frame.weights))
    moved = float(np.sqrt(np.sum(frame.update_norms**2)))
    return moved / size if size > 0 else 0.0


def divergence_reason(first: TrainFrame, last: TrainFrame, largest_step: float = 0.0) -> str:
    """One sentence: exploding initial weights or too large a learning rate.

    Parameters
    ----------
    first : TrainFrame
        The run's step-0 frame (its gradient at the initial weights).
    last : TrainFrame
        The last finite frame before the run diverged.
    largest_step : float
        The largest :func:`relative_step` the run took (0 when unknown).
    """
    grad0 = float(np.max(first.grad_norms)) if len(first.grad_norms) else 0.0
    if grad0 > EXPLODING_GRADIENT:
        return (
            f"the initial weights are too large: the gradient was already {grad0:.3g} at "
            f"step 0, before any step, so the first updates threw the weights away; start "
            f"smaller (init xavier or he) or clip the gradient norm"
        )
    return (
        f"the learning rate {last.lr:g} is too large for this network: the gradient at "
        f"step 0 was a moderate {grad0:.3g}, but the steps grew to {largest_step:.3g} times "
        f"the size of the weights and overshot until the loss overflowed; try a smaller one"
    )
