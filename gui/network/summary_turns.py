"""Flat out, the summary plots redraw in turn, a few times a second.

The loss and accuracy curves and the gradient-norm strip summarise hundreds of steps: at
30 frames a second they change by a pixel, yet repainting them cost more than the diagram
(profiled on [2,8,8,8,1]: curves 3.4 ms, strip 3.0 ms, diagram 2.0 ms a frame). While a
run plays flat out they redraw at most `TURNS_PER_SECOND` times a second, one of the two
each time, so no frame pays for both; at rest, paced, scrubbed or stepped, both redraw.
"""

from __future__ import annotations

import time
from collections.abc import Callable

TURNS_PER_SECOND = 16.0  # each summary then redraws about 8 times a second


class SummaryTurns:
    """Which summaries a frame redraws: ``due(busy)`` -> (curves, gradient strip)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last = -1e9
        self._strip_next = False

    def __repr__(self) -> str:
        return f"SummaryTurns(next={'strip' if self._strip_next else 'curves'})"

    def due(self, busy: bool) -> tuple[bool, bool]:
        """Both when not ``busy``; else one of them, in turn, at most TURNS_PER_SECOND."""
        if not busy:
            return True, True
        now = self.clock()
        if now - self._last < 1.0 / TURNS_PER_SECOND:
            return False, False
        self._last = now
        strip, self._strip_next = self._strip_next, not self._strip_next
        return not strip, strip
