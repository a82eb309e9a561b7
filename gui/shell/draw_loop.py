"""Draw the newest worker state from a timer, holding the run while the window paints.

States from the worker are kept newest-only and handed to a workspace's ``draw`` up to 60
times a second, less often when drawing is expensive: the run is held while the window
draws and paints (`RunWorker.hold`), and a `FramePacer` stretches the interval so that the
held share of time stays within a budget (the two threads share one interpreter lock).
Nothing here knows what a frame holds.
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
# Share of wall time the window may hold the run for drawing (see FramePacer).
FLAT_OUT_DRAW_BUDGET = 0.15
PACED_DRAW_BUDGET = 0.9
RELEASE_AFTER_MS = 100  # a safety net: nothing painted (hidden window), let the run go


class DrawLoop(QObject):
    """Pulls the newest `RunState` of ``worker`` and calls ``draw(state)`` at a paced rate.

    The window calls `painted` when Qt has painted (its ``UpdateRequest``), which releases
    the run once the event loop is idle.
    """

    def __init__(self, worker: RunWorker, draw: Callable[[Any], None], parent=None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._draw = draw
        self.pending: RunState | None = None
        self.shown: RunState | None = None
        self.draw_times: deque[float] = deque(maxlen=1000)  # seconds per drawn state
        self.pacer = FramePacer(PACED_DRAW_BUDGET, min_interval_ms=DRAW_INTERVAL_MS)
        self._timer = QTimer(self, interval=DRAW_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._release_timer = QTimer(self, singleShot=True, interval=RELEASE_AFTER_MS)
        self._release_timer.timeout.connect(self._release_run)
        worker.state_ready.connect(self._on_state)
        self._timer.start()

    def __repr__(self) -> str:
        return f"DrawLoop(interval_ms={self._timer.interval()}, budget={self.pacer.budget})"

    @property
    def up_to_date(self) -> bool:
        """Whether the views show the newest state the worker has sent."""
        return self.pending is None and self.shown is self.worker.latest

    def set_flat_out(self, flat_out: bool) -> None:
        """A paced run is for watching: smooth drawing first (the pace may slip on a slow
        machine); flat out is for speed: drawing gets a small share."""
        self.pacer.budget = FLAT_OUT_DRAW_BUDGET if flat_out else PACED_DRAW_BUDGET

    @Slot(object)
    def _on_state(self, state: RunState) -> None:
        self.pending = state  # newest only: the timer takes it

    def _tick(self) -> None:
        interval = self.pacer.update()
        if interval != self._timer.interval():
            self._timer.setInterval(interval)
            self.worker.set_max_fps(1000.0 / interval)  # no states the window would skip
        if self._release_timer.isActive():
            return  # the last frame still holds the run: let it go first, draw next tick
        state, self.pending = self.pending, None
        if state is None:
            return
        started = time.perf_counter()
        # Hold the training thread until the views have painted (see `painted`): painting
        # makes hundreds of calls that each need the interpreter lock back.
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

    def stop(self) -> None:
        """Stop drawing and let the run go (closing)."""
        self._timer.stop()
        if self._release_timer.isActive():
            self._release_timer.stop()
            self._release_run()
