"""How often the window redraws, so that drawing costs the run a bounded share of time."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FramePacer:
    """Chooses the redraw interval so the window holds the run at most ``budget`` of the time.

    The window holds the training thread while it draws and paints (`RunWorker.hold`), so
    with a redraw every ``interval`` and a hold of ``h`` the run loses ``h / interval`` of
    its time. The pacer keeps a running average of ``h`` and sets
    ``interval = h / budget``, within ``[min_interval_ms, max_interval_ms]`` (60 frames a
    second when drawing is cheap, one when it is very expensive).
    """

    def __init__(
        self,
        budget: float = 0.2,
        min_interval_ms: int = 16,
        max_interval_ms: int = 1000,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._clock = clock
        self.budget = budget
        self.min_interval_ms = min_interval_ms
        self.max_interval_ms = max_interval_ms
        self._mean_hold: float | None = None  # seconds, exponential moving average
        self._hold_start: float | None = None
        self.hold_times: deque[float] = deque(maxlen=1000)  # seconds, draw + paint
        # the calling thread's CPU seconds over the same spans (the window's main thread):
        # what a frame costs, whatever else a shared machine runs meanwhile
        self.cpu_times: deque[float] = deque(maxlen=1000)
        self._cpu_start = 0.0

    def __repr__(self) -> str:
        return f"FramePacer(budget={self.budget}, interval_ms={self.update()})"

    def begin(self) -> None:
        """A redraw starts holding the run."""
        if self._hold_start is None:
            self._hold_start = self._clock()
            self._cpu_start = time.thread_time()

    def end(self) -> None:
        """The redraw has painted; the run goes on."""
        if self._hold_start is None:
            return
        held = self._clock() - self._hold_start
        self._hold_start = None
        self.hold_times.append(held)
        self.cpu_times.append(time.thread_time() - self._cpu_start)
        mean = self._mean_hold
        self._mean_hold = held if mean is None else 0.7 * mean + 0.3 * held

    def update(self) -> int:
        """The redraw interval (ms) that keeps the held share within the budget."""
        if self._mean_hold is None:
            return self.min_interval_ms
        wanted = 1000.0 * self._mean_hold / self.budget
        return round(min(max(wanted, self.min_interval_ms), self.max_interval_ms))
