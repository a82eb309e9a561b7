"""Run any core frame generator in a background thread, coalescing frames for drawing.

Why a QThread of our own rather than superqt's ``GeneratorWorker``: a run needs
single steps while paused, a steps-per-second pace, and back-pressure (no new frame is
sent until the window has taken the previous one, so the event queue never fills up),
and a thread we can join on close. The loop below is that and nothing more; superqt's
``thread_worker`` is still used for one-shot jobs (the landscape grid).

Protocol (see DESIGN.md): the GUI talks to a run only through `RunWorker`: ``start``,
``play``, ``pause``, ``step``, ``stop``, ``reset``, ``set_speed``. The thread folds
every frame into a bounded history made by the run's *recorder* (one per frame kind:
``core.descent.recording.descent_history``, ``core.nn.training_history.training_history``)
and sends the newest `RunState` at most ``max_fps`` times a second. It reads nothing from
a frame but ``frame.step``. Each start bumps a generation number; states of older
generations are dropped on arrival.

Sharing one interpreter lock: a training thread that never lets go makes every drawing
call of the window wait for it (hundreds per painted frame). So the window *holds* the
run while it draws and paints (``hold``), and a `FramePacer` stretches the redraw
interval so that the held share of time stays within a budget.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

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


class _Control:
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


class _RunThread(QThread):
    """Iterates one generator; never touches a widget."""

    produced = Signal(object)
    failed = Signal(int, str)

    def __init__(self, factory: FrameFactory, recorder: Recorder, generation, control) -> None:
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

    def _wait_for_turn(self, ctl: _Control, next_due: float) -> bool:
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

    def _flush(self, ctl: _Control, force: bool) -> None:
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


class RunWorker(QObject):
    """Plays any frame generator in a background thread, recording it with its recorder.

    Signals
    -------
    state_ready(RunState)
        The newest frame and history, at most ``max_fps`` times a second (main thread).
    status_changed(str)
        "playing", "paused", "stopped", "finished" or "error".
    errored(str)
        A one-line message when the generator raised.
    """

    state_ready = Signal(object)
    status_changed = Signal(str)
    errored = Signal(str)

    def __init__(self, parent: QObject | None = None, max_fps: float = 60.0) -> None:
        super().__init__(parent)
        self._max_fps = float(max_fps)
        self._factory: FrameFactory | None = None
        self._recorder: Recorder | None = None
        self._thread: _RunThread | None = None
        self._retiring: list[_RunThread] = []
        self._generation = 0
        self._steps_per_second: float | None = None
        self._status = "stopped"
        self.latest: RunState | None = None

    # -- queries -------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    @property
    def status(self) -> str:
        return self._status

    def is_running(self) -> bool:
        """Whether any run thread (current or retiring) is still alive."""
        threads = [*self._retiring, self._thread]
        return any(t is not None and t.isRunning() for t in threads)

    # -- commands ------------------------------------------------------------------
    def start(self, factory: FrameFactory, recorder: Recorder, playing: bool = True) -> None:
        """Run ``factory()`` from its first frame in a new thread (the old one is retired).

        ``recorder(first_frame)`` makes the run's bounded history (``append(frame)``,
        ``snapshot()``); it is called in the run thread with the first frame, which is
        then appended like every other. ``play``, ``step`` and ``reset`` start the same
        factory and recorder over.
        """
        self._retire_current()
        self._factory, self._recorder = factory, recorder
        self._generation += 1
        self.latest = None
        control = _Control(playing, self._steps_per_second, self._max_fps)
        thread = _RunThread(factory, recorder, self._generation, control)
        thread.produced.connect(self._on_produced)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        thread.start()
        self._set_status("playing" if playing else "paused")

    def play(self) -> None:
        """Play from where the run is; after stop/finish/error, from the beginning."""
        if self._thread is None or self._status in ("stopped", "finished", "error"):
            if self._factory is not None:
                self.start(self._factory, self._recorder, playing=True)
            return
        self._command(playing=True)
        self._set_status("playing")

    def pause(self) -> None:
        if self._thread is not None and self._status == "playing":
            self._command(playing=False)
            self._set_status("paused")

    def toggle(self) -> None:
        self.pause() if self._status == "playing" else self.play()

    def step(self) -> None:
        """Advance exactly one frame (pauses a playing run first)."""
        if self._thread is None or self._status in ("stopped", "finished", "error"):
            if self._factory is not None and self._status != "finished":
                self.start(self._factory, self._recorder, playing=False)
            return
        self._command(playing=False, extra_steps=1)
        self._set_status("paused")

    def stop(self) -> None:
        """End the run; the last state stays on screen. ``play`` starts over."""
        self._retire_current()
        self._set_status("stopped")

    def reset(self) -> None:
        """Start over, paused at the first frame."""
        if self._factory is not None:
            self.start(self._factory, self._recorder, playing=False)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Pace in steps per second (> 0), or None to run flat out."""
        if steps_per_second is not None and not steps_per_second > 0:
            raise ValueError(f"steps_per_second must be > 0 or None, got {steps_per_second}")
        self._steps_per_second = steps_per_second
        if self._thread is not None:
            with self._thread.control.cond:
                self._thread.control.steps_per_second = steps_per_second
                self._thread.control.cond.notify_all()

    def set_max_fps(self, max_fps: float) -> None:
        """Send at most ``max_fps`` states a second (the window's current drawing rate)."""
        if not max_fps > 0:
            raise ValueError(f"max_fps must be > 0, got {max_fps}")
        self._max_fps = float(max_fps)
        if self._thread is not None:
            with self._thread.control.cond:
                self._thread.control.min_interval = 1.0 / self._max_fps

    def hold(self, held: bool) -> None:
        """While held, the thread takes no step (the window draws without contention).

        Python threads share one interpreter lock; a training thread that never lets go
        makes every drawing call wait for it. Holding it for the length of a redraw is
        cheaper for both sides, and the `FramePacer` bounds how often that happens.
        """
        if self._thread is not None:
            ctl = self._thread.control
            with ctl.cond:
                ctl.held = held
                ctl.cond.notify_all()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop every thread and wait for them (for closeEvent). True if all ended."""
        self._retire_current()
        ok = True
        for thread in list(self._retiring):
            ok = thread.wait(timeout_ms) and ok
        self._retiring = [t for t in self._retiring if t.isRunning()]
        return ok

    # -- internals -----------------------------------------------------------------
    def _command(self, playing: bool, extra_steps: int = 0) -> None:
        ctl = self._thread.control
        with ctl.cond:
            ctl.playing = playing
            ctl.step_budget = ctl.step_budget + extra_steps if not playing else 0
            ctl.cond.notify_all()

    def _retire_current(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        with thread.control.cond:
            thread.control.abort = True
            thread.control.cond.notify_all()
        if thread.isRunning():
            self._retiring.append(thread)
        self._generation += 1  # anything still queued from it is now stale

    def _set_status(self, status: str) -> None:
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)

    @Slot(object)
    def _on_produced(self, state: RunState) -> None:
        thread = self._thread
        if thread is None or state.generation != self._generation:
            return  # stale: from a run that was stopped or replaced
        with thread.control.cond:
            thread.control.in_flight = False
            thread.control.cond.notify_all()
        self.latest = state
        if state.finished:
            self._set_status("finished")
        self.state_ready.emit(state)

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._set_status("error")
            self.errored.emit(message)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread):
            thread.wait(200)  # finished() is sent just before the thread really ends
        if thread is self._thread and self._status in ("playing", "paused"):
            self._set_status("finished")  # e.g. an empty generator: no final state came
        self._retiring = [t for t in self._retiring if not t.isFinished()]
