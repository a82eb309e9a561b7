"""The thread route of `RunWorker`: one QThread iterating a core generator.

Used when a run's factory or recorder cannot be pickled (a lambda, a closure): the run then
shares the window's interpreter lock, so the window *holds* the run while it draws and
paints (``RunControl.held``). `RunState` and the recorder protocol live here because both
routes (this one and `gui.shell.run_process`) produce them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QThread, Signal

FrameFactory = Callable[[], Iterator[Any]]


class RunRecord(Protocol):
    """What a recorder returns: a bounded history the run thread appends every frame to."""

    def append(self, frame: Any) -> None: ...

    def snapshot(self) -> Any: ...


# recorder(first_frame) -> an empty record shaped like the run's frames
Recorder = Callable[[Any], RunRecord]


@dataclass(frozen=True, slots=True)
class RunState:
    """What the window draws: the newest frame and an immutable history snapshot.

    ``history`` is what the recorder's ``snapshot()`` returns (a `HistorySnapshot` for a
    descent, a `TrainingSnapshot` for training).
    """

    generation: int
    frame: Any
    history: Any
    steps_per_second: float
    finished: bool


class RunControl:
    """Commands shared between the GUI and the run thread, guarded by one condition."""

    def __init__(self, playing: bool, steps_per_second: float | None, max_fps: float) -> None:
        self.cond = threading.Condition()
        self.min_interval = 1.0 / max_fps  # seconds between two states sent while playing
        self.playing = playing
        self.step_budget = 0 if playing else 1  # a paused start still shows step 0
        self.abort = False
        self.held = False  # the window is drawing: let it have the interpreter
        self.in_flight = False
        self.steps_per_second = steps_per_second


class RunThread(QThread):
    """Iterates one generator; never touches a widget."""

    produced = Signal(object)
    failed = Signal(int, str)

    def __init__(
        self, factory: FrameFactory, recorder: Recorder, generation, control: RunControl
    ) -> None:
        super().__init__()
        self._factory = factory
        self._recorder = recorder
        self.generation = generation
        self.control = control
        self._history: RunRecord | None = None
        self._latest: Any = None
        self._dirty = False
        self._last_emit = 0.0
        self._finished = False
        self._step_times: deque[float] = deque(maxlen=256)

    def run(self) -> None:
        try:
            frames = iter(self._factory())
            self._loop(frames)
        except Exception as exc:  # the run's fault (bad config, core error): report it
            self.failed.emit(self.generation, f"{type(exc).__name__}: {exc}")

    def _loop(self, frames: Iterator[Any]) -> None:
        ctl = self.control
        next_due = 0.0
        while True:
            with ctl.cond:
                if not self._wait_for_turn(ctl, next_due):
                    return
                pace = ctl.steps_per_second if ctl.playing else None
            frame = next(frames, None)
            if frame is None:
                self._finished = True
                self._dirty = self._latest is not None  # resend the last frame, marked final
            else:
                self._record(frame)
            if pace:
                now = time.perf_counter()
                # never burst to catch up after a slow step: at most 0.1 s of backlog
                base = next_due if next_due > now - 0.1 else now
                next_due = base + 1.0 / pace
            with ctl.cond:
                self._flush(ctl, force=self._finished or not ctl.playing)

    def _wait_for_turn(self, ctl: RunControl, next_due: float) -> bool:
        """Block (holding ``ctl.cond``) until a step is due; False when the thread should end."""
        while not ctl.abort:
            if ctl.held:
                self._flush(ctl, force=True)  # idle anyway: let the newest state go
                ctl.cond.wait(0.05)
                continue
            if self._finished:
                self._flush(ctl, force=True)
                if not self._dirty:
                    return False
            elif ctl.playing:
                wait = next_due - time.perf_counter() if ctl.steps_per_second else 0.0
                if wait <= 0:
                    return True
                self._flush(ctl, force=False)
                ctl.cond.wait(min(wait, 0.05))
                continue
            elif ctl.step_budget > 0:
                ctl.step_budget -= 1
                return True
            else:
                self._flush(ctl, force=True)
            ctl.cond.wait(0.05)
        return False

    def _record(self, frame: Any) -> None:
        if self._history is None:
            self._history = self._recorder(frame)
        self._history.append(frame)
        self._latest = frame
        self._dirty = True
        self._step_times.append(time.perf_counter())

    def _rate(self) -> float:
        times = self._step_times
        if len(times) < 2 or times[-1] - times[0] <= 0:
            return 0.0
        if time.perf_counter() - times[-1] > 0.5:  # idle (paused, finished, paced slowly)
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _flush(self, ctl: RunControl, force: bool) -> None:
        """Send the newest state if the window took the last one and enough time passed.

        Called with ``ctl.cond`` held. ``force`` skips the frame-rate limit (pause,
        single step, end of run) but never the back-pressure.
        """
        if not self._dirty or ctl.in_flight:
            return
        now = time.perf_counter()
        if not force and now - self._last_emit < ctl.min_interval:
            return
        state = RunState(
            self.generation, self._latest, self._history.snapshot(), self._rate(), self._finished
        )
        ctl.in_flight = True
        self._dirty = False
        self._last_emit = now
        self.produced.emit(state)
