"""Background requests of the inside views, at a bounded pace, newest first; `TabPart`,
the wiring of such a view's tab (work only while it is on screen).

One job in flight at a time: a new request replaces the one waiting (only the newest
state matters); while the run plays a job starts at most every ``interval_s`` (it shares
the interpreter with training), at rest at once. Results of requests made before
`forget` (new runs, a closing window) are dropped by a generation counter.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import shiboken6

from gui.network.views.presentation import present_plots

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


class TabPart(ABC):
    """A tab beside the diagram that draws a background computation on the shown state.

    Subclasses set ``self.view`` (a widget with a ``became_visible`` signal emitted from
    its showEvent) before calling ``__init__`` and give `job` (the function and its
    arguments for the shown run, frame and history), `draw` and `name`. Work is asked
    only while the view is on screen; a state shown while it was hidden is drawn when it
    comes back; a redraw of the same state asks nothing.
    """

    name = ""

    def __init__(self, space: Any) -> None:
        self.space = space
        playing = lambda: space.worker.status == "playing"  # noqa: E731
        self.requests = LatestJob(space.jobs, playing, self._done, self._failed)
        self.dirty = True  # the shown state changed while the tab was hidden
        self._run = self._frame = None  # what was last asked for
        self.view.became_visible.connect(self.refresh)
        self.view.destroyed.connect(lambda *_: self.requests.forget())
        space.worker.status_changed.connect(lambda _status: self.requests.flush())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.requests!r}, dirty={self.dirty})"

    @abstractmethod
    def job(self, run: Any, frame: Any, history: Any) -> tuple[Callable, tuple]:
        """(function, arguments) computing what the view draws for this state."""

    @abstractmethod
    def draw(self, result: Any) -> None:
        """Show a finished result (on the main thread)."""

    @abstractmethod
    def new_run(self, run: Any) -> None:
        """The shown run changed (its data set may have): before its first result."""

    def on_shown_changed(self) -> None:
        """A controller listener: the shown run, step or weights changed."""
        self.dirty = True
        if self.view.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Ask for the drawing of what the controller shows now."""
        shown = self.space.controller.shown_run()
        if shown is None or not self.dirty:
            return
        run, frame, history = shown
        self.dirty = False
        if run is self._run and frame is self._frame:
            return  # drawn or on its way already (a redraw of the same state)
        if run is not self._run:
            self.requests.forget()  # a result for the previous runs must not be drawn
            self._run = run
            self.new_run(run)
        self._frame = frame
        self.requests.request(*self.job(run, frame, history))

    def _done(self, result: Any) -> None:
        if shiboken6.isValid(self.view):
            self.draw(result)
            if getattr(self, "presenting", False):  # plots built by this drawing, too
                present_plots(self.view, True)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: larger tick labels and titles, thicker lines in the tab."""
        self.presenting = bool(on)
        present_plots(self.view, self.presenting)

    def close(self) -> None:
        """The window is closing: a result still on its way is not drawn."""
        self.requests.forget()

    def _failed(self, exc: BaseException) -> None:
        self.space.status.show_error(f"The {self.name} view failed: {exc}")

    @property
    def settled(self) -> bool:
        """Nothing to compute: the view shows the shown state (or is hidden)."""
        return self.requests.settled and not (self.dirty and self.view.isVisible())
