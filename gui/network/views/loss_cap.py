"""Where the loss plot stops when a run blows up, and where that run leaves it.

A run whose loss climbs to 1e8 would stretch a log axis over a dozen decades and press
the curves of the runs that learn into one flat line at its foot. So the loss axis stops
at ``HEADROOM`` times the largest loss of the runs that have not blown up, and a run that
climbs past that gets a mark where it leaves the plot (the view draws it, with the run's
largest loss in the legend).
"""

from __future__ import annotations

import numpy as np

BLOWN_UP = 100.0  # a run whose loss rose past this multiple of its first loss has blown up
HEADROOM = 10.0  # the axis reaches this multiple of the largest loss of the other runs


def blown_up(loss: np.ndarray) -> bool:
    """Whether a run's recorded loss rose past ``BLOWN_UP`` times its first value.

    Training lowers the loss; a run whose loss grew a hundredfold (or overflowed to inf,
    which history keeps as non-finite) is running away, whatever its learning rate."""
    loss = np.asarray(loss, dtype=float)
    if loss.size and not np.isfinite(loss).all():
        return True
    return loss.size > 1 and float(loss.max()) > BLOWN_UP * max(float(loss[0]), 0.0)


def loss_cap(train: list[np.ndarray], test: list[np.ndarray]) -> float:
    """The top of the loss axis: ``HEADROOM`` x the largest finite train or test loss of
    the runs that have not blown up; inf (no cap) when none or all of them have."""
    kept = [i for i, loss in enumerate(train) if len(loss) and not blown_up(loss)]
    if len(kept) == sum(1 for loss in train if len(loss)) or not kept:
        return float("inf")
    largest = 0.0
    for i in kept:
        for loss in (train[i], test[i]):
            finite = np.asarray(loss, dtype=float)
            finite = finite[np.isfinite(finite)]
            if finite.size:
                largest = max(largest, float(finite.max()))
    return HEADROOM * largest if largest > 0 else float("inf")


def exit_point(x: np.ndarray, y: np.ndarray, cap: float) -> tuple[float, float] | None:
    """Where the curve (x, y) first climbs past ``cap``, as (x, cap); None if it never does.

    Between its last point inside and its first point above, the crossing is found on the
    log scale the plot draws it on: x = x₀ + (x₁ − x₀)·(log cap − log y₀)/(log y₁ − log y₀)."""
    above = np.flatnonzero(np.asarray(y, dtype=float) > cap)
    if not above.size or not np.isfinite(cap):
        return None
    i = int(above[0])
    if i == 0 or y[i - 1] <= 0:
        return float(x[i]), float(cap)
    share = np.log(cap / y[i - 1]) / np.log(y[i] / y[i - 1])
    return float(x[i - 1] + (x[i] - x[i - 1]) * share), float(cap)
