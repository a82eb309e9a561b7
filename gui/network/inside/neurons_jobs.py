"""Background requests of the inside views, at a bounded pace, newest first.

One job in flight at a time: a new request replaces the one waiting (only the newest
state matters); while the run plays a job starts at most every ``interval_s`` (it shares
the interpreter with training), at rest at once. Results of requests made before
`forget` (new runs, a closing window) are dropped by a generation counter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

INTERVAL_S = 0.25  # while training, an inside view refreshes at most 4 times a second


class LatestJob:
    """Runs the newest requested ``fn(*args)`` on ``jobs`` (a `gui.shell.jobs.BackgroundJobs`)
    and hands its result to ``done`` unless it was superseded by `forget`."""

    def __init__(
        self,
        jobs: Any,
        playing: Callable[[], bool],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        interval_s: float = INTERVAL_S,
    ) -> None:
        self.jobs, self.playing, self.done, self.failed = jobs, playing, done, failed
        self.interval_s = interval_s
        self.generation = 0
        self.submitted = 0  # jobs started so far (tests read it: a hidden view starts none)
        self._in_flight = False
        self._waiting: tuple | None = None
        self._last = -1e9

    def __repr__(self) -> str:
        return f"LatestJob(in_flight={self._in_flight}, waiting={self._waiting is not None})"

    def request(self, fn: Callable, args: tuple) -> None:
        """Compute ``fn(*args)`` as soon as the pace allows (see the module docstring)."""
        self._waiting = (fn, args)
        self.flush()

    def flush(self) -> None:
        """Start the waiting request if nothing is in flight and the pace allows it."""
        if self._waiting is None or self._in_flight:
            return
        if self.playing() and time.monotonic() - self._last < self.interval_s:
            return  # the next state asks again
        (fn, args), self._waiting = self._waiting, None
        generation, self._in_flight, self._last = self.generation, True, time.monotonic()
        self.submitted += 1
        self.jobs.submit(
            fn,
            args,
            lambda result: self._finish(generation, result, self.done),
            lambda exc: self._finish(generation, exc, self.failed),
        )

    def _finish(self, generation: int, value: Any, hand_to: Callable[[Any], None]) -> None:
        if generation != self.generation:
            return  # made for runs (or a window) no longer shown
        self._in_flight = False
        hand_to(value)
        self.flush()

    def forget(self) -> None:
        """Drop the request waiting and the result on its way."""
        self.generation += 1
        self._in_flight, self._waiting = False, None

    @property
    def settled(self) -> bool:
        """Nothing computing and nothing waiting."""
        return not self._in_flight and self._waiting is None
