"""Draw the newest worker state at a paced rate, holding a thread-route run while it paints.

States from the worker are kept newest-only and handed to a workspace's ``draw`` up to 60
times a second, less often when drawing is expensive: a `FramePacer` stretches the
interval so that drawing and painting take at most a budget of the time. A frame is
drawn as soon as all three hold: a state waits, the last frame has painted, and the
interval has passed since the last frame began (a fixed ticking clock would lose most of
a frame whenever a state came, or a paint ended, just after one of its ticks). A run in a thread
shares the window's interpreter lock, so it is held while the window draws and paints
(`RunWorker.hold`), and flat out it gets a small drawing budget; a run in the child
process (``worker.route == "process"``) shares nothing, so the window draws with the
paced budget whatever the speed. Nothing here knows what a frame holds.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot

from gui.shell.frame_pacer import FramePacer
from gui.shell.worker import RunState, RunWorker

DRAW_INTERVAL_MS = 16
# Flat out, at most 30 frames a second: smooth to watch, and on a two-core machine the
# window then leaves most of its core free (the run's process has the other one)
FLAT_OUT_INTERVAL_MS = 33
# Share of wall time the window may spend drawing (see FramePacer): flat out, a thread
# run is held meanwhile, so it gets a small share; a paced or separate-process run does not.
FLAT_OUT_DRAW_BUDGET = 0.15
PACED_DRAW_BUDGET = 0.9
RELEASE_AFTER_MS = 100  # a safety net: nothing painted (hidden window), let the run go
# a run in a thread sends states this much faster than the window draws: a frame that is
# due finds one waiting instead of waiting up to a whole interval for it (the rest are
# dropped)
STATES_PER_FRAME = 1.5
# The run's process sends one per frame: the window's reader decodes every message (its
# journal rows are needed), and a frame starts as soon as one comes once the interval has
# passed. Measured flat out: the same frames a second as at 1.5 (28.6 and 27.1 for a
# 100-run sweep, 19.6 both for a small network), the window's process 15 % less CPU.
STATES_PER_FRAME_PROCESS = 1.0


class DrawLoop(QObject):
    """Pulls the newest `RunState` of ``worker`` and calls ``draw(state)`` at a paced rate.

    The window calls `painted` when Qt has painted (its ``UpdateRequest``), which releases
    the run once the event loop is idle.
    """

    def __init__(
        self,
        worker: RunWorker,
        draw: Callable[[Any], None],
        parent=None,
        flat_out_interval_ms: int = FLAT_OUT_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self._draw = draw
        self.flat_out_interval_ms = int(flat_out_interval_ms)  # shortest, flat out
        self.pending: RunState | None = None
        self.shown: RunState | None = None
        self.draw_times: deque[float] = deque(maxlen=1000)  # seconds per drawn state
        self._flat_out = False
        self._stopped = False
        self.pacer = FramePacer(PACED_DRAW_BUDGET, min_interval_ms=DRAW_INTERVAL_MS)
        self.interval_ms = DRAW_INTERVAL_MS  # the pacer's, as of the last frame
        self._per_frame = STATES_PER_FRAME  # states asked for per frame, as of the last frame
        self._last_start = -1.0  # perf_counter() when the last frame began
        self._timer = QTimer(self, singleShot=True)  # the next frame, when one is due
        self._timer.timeout.connect(self._tick)
        self._release_timer = QTimer(self, singleShot=True, interval=RELEASE_AFTER_MS)
        self._release_timer.timeout.connect(self._release_run)
        worker.state_ready.connect(self._on_state)

    def __repr__(self) -> str:
        return f"DrawLoop(interval_ms={self.interval_ms}, budget={self.pacer.budget})"

    @property
    def up_to_date(self) -> bool:
        """Whether the views show the newest state the worker has sent."""
        return self.pending is None and self.shown is self.worker.latest

    def set_flat_out(self, flat_out: bool) -> None:
        """A paced run is for watching: smooth drawing first (the pace may slip on a slow
        machine); flat out is for speed: drawing a thread run gets a small share."""
        self._flat_out = flat_out
        self.pacer.budget = self.draw_budget()
        self.pacer.min_interval_ms = self.flat_out_interval_ms if flat_out else DRAW_INTERVAL_MS

    def draw_budget(self) -> float:
        """The share of time drawing may take for the worker's current run.

        Only a run in a thread pays for drawing (it is held meanwhile); a run in the child
        process trains on its own core while the window draws on this one.
        """
        shares_the_lock = self.worker.route != "process"
        return FLAT_OUT_DRAW_BUDGET if self._flat_out and shares_the_lock else PACED_DRAW_BUDGET

    @Slot(object)
    def _on_state(self, state: RunState) -> None:
        self.pending = state  # newest only: the next frame takes it
        self._schedule()

    def _schedule(self) -> None:
        """Start the timer for the next frame: at once if the interval since the last
        frame began has passed, else when it will have. Nothing while the last frame has
        not painted (its release schedules again) or when no state waits."""
        if self._stopped or self.pending is None or self._release_timer.isActive():
            return
        if self._timer.isActive():
            return
        self.pacer.budget = self.draw_budget()
        elapsed_ms = 1000.0 * (time.perf_counter() - self._last_start)
        self._timer.start(max(0, round(self.pacer.update() - elapsed_ms)))

    def _tick(self) -> None:
        self.pacer.budget = self.draw_budget()  # the route may change with each start
        interval = self.pacer.update()
        per_frame = STATES_PER_FRAME_PROCESS if self.worker.route == "process" else STATES_PER_FRAME
        if interval != self.interval_ms or per_frame != self._per_frame:
            self.interval_ms, self._per_frame = interval, per_frame
            self.worker.set_max_fps(per_frame * 1000.0 / interval)
        if self._release_timer.isActive():
            return  # the last frame still holds the run: its release schedules the next
        state, self.pending = self.pending, None
        if state is None:
            return
        started = self._last_start = time.perf_counter()
        # Hold a training thread until the views have painted (see `painted`): painting
        # makes hundreds of calls that each need the interpreter lock back. (A no-op for a
        # run in the child process; the pacer still times the draw and paint.)
        self.worker.hold(True)
        self.pacer.begin()
        self._release_timer.start(RELEASE_AFTER_MS)
        self.shown = state
        self._draw(state)
        self.draw_times.append(time.perf_counter() - started)

    def painted(self) -> None:
        """Qt painted the window: release the run once the event loop is idle."""
        if self._release_timer.isActive():
            self._release_timer.start(0)  # plots repaint a pass later

    def _release_run(self) -> None:
        self.worker.hold(False)
        self.pacer.end()
        self._schedule()

    def stop(self) -> None:
        """Stop drawing and let the run go (closing)."""
        self._stopped = True
        self._timer.stop()
        if self._release_timer.isActive():
            self._release_timer.stop()
            self._release_run()
