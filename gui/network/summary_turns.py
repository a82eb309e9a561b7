"""Flat out, the summary plots redraw in turn, a few times a second.

The loss and accuracy curves and the gradient-norm strip summarise hundreds of steps: at
20 frames a second they change by a pixel, yet a curve plot is repainted whole each time
its data change (a few ms each; more when its axis moves), more than the diagram costs.
While a run plays flat out they redraw at most `TURNS_PER_SECOND` times a second, one
plot each time, so no frame pays for two; at rest, paced, scrubbed or stepped, all redraw.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SUMMARIES = ("loss", "accuracy", "strip")  # the plots that take turns, in their order
TURNS_PER_SECOND = 15.0  # each of the three then redraws 5 times a second


class SummaryTurns:
    """Which summaries a frame redraws: ``due(busy)`` -> names out of `SUMMARIES`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last = -1e9
        self._next = 0

    def __repr__(self) -> str:
        return f"SummaryTurns(next={SUMMARIES[self._next]!r})"

    def due(self, busy: bool) -> tuple[str, ...]:
        """All when not ``busy``; else the next one in turn, at most TURNS_PER_SECOND."""
        if not busy:
            return SUMMARIES
        now = self.clock()
        if now - self._last < 1.0 / TURNS_PER_SECOND:
            return ()
        self._last = now
        name, self._next = SUMMARIES[self._next], (self._next + 1) % len(SUMMARIES)
        return (name,)
