"""Run any core frame generator in the background, coalescing frames for drawing.

Why a loop of our own rather than superqt's ``GeneratorWorker``: a run needs single
steps while paused, a steps-per-second pace, and back-pressure (no new frame is sent
until the window has taken the previous one, so the event queue never fills up), and
an end we can join on close. superqt's ``thread_worker`` is still used for one-shot jobs
(the landscape grid).

Protocol (see DESIGN.md): the GUI talks to a run only through `RunWorker`: ``start``,
``play``, ``pause``, ``step``, ``stop``, ``reset``, ``set_speed``. The run folds every
frame into a bounded history made by the run's *recorder* (one per frame kind:
``core.descent.recording.descent_history``, ``core.nn.training_history.training_history``)
and the newest `RunState` reaches the window at most ``max_fps`` times a second. The
worker reads nothing from a frame but ``frame.step``. Each start bumps a generation
number; states of older generations are dropped on arrival.

Two routes, one interface (``route`` tells which the current run uses):

- ``"process"``: when the factory and the recorder are made only of what a run may be
  made of (`gui.shell.run_codec`: the project's core classes, NumPy arrays, and functions
  marked with `core.run_kinds.run_function`), the run goes to a
  persistent child process (`gui.shell.run_process`). The window's painting (Python, in
  pyqtgraph) and the training then never wait for each other's interpreter lock. The
  first such start waits for a new interpreter and NumPy (a few tenths of a second), so
  meanwhile a *preview* thread computes the run's first frame here and shows it.
- ``"thread"``: otherwise (a lambda, a closure), a QThread (`gui.shell.run_thread`). The
  two share one interpreter lock, so the window *holds* the run while it draws and paints
  (``hold``) and a `FramePacer` bounds the held share of time.
"""

from __future__ import annotations

import itertools
import pickle

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gui.shell import run_codec
from gui.shell.run_process import RunProcess
from gui.shell.run_thread import FrameFactory, Recorder, RunControl, RunState, RunThread

__all__ = ["FrameFactory", "Recorder", "RunState", "RunWorker"]


class RunWorker(QObject):
    """Plays any frame generator in the background, recording it with its recorder.

    Parameters
    ----------
    max_fps : float
        Most states a second handed to the window.
    use_process : bool
        Whether picklable runs go to a child process (else every run uses a thread).

    Signals
    -------
    state_ready(RunState)
        The newest frame and history, at most ``max_fps`` times a second (main thread).
    status_changed(str)
        "playing", "paused", "stopped", "finished" or "error".
    errored(str)
        A one-line message when the generator raised (or the run's process died).
    """

    state_ready = Signal(object)
    status_changed = Signal(str)
    errored = Signal(str)

    def __init__(
        self, parent: QObject | None = None, max_fps: float = 60.0, use_process: bool = True
    ) -> None:
        super().__init__(parent)
        self._max_fps = float(max_fps)
        self.use_process = use_process
        self._factory: FrameFactory | None = None
        self._recorder: Recorder | None = None
        self._thread: RunThread | None = None
        self._retiring: list[RunThread] = []
        self._preview: RunThread | None = None  # step 0 while the run process boots
        self._process: RunProcess | None = None
        self._route: str | None = None  # the current run's: "thread", "process" or None
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

    @property
    def route(self) -> str | None:
        """How the current run runs: "process", "thread", or None (no run)."""
        return self._route

    @property
    def child_pid(self) -> int | None:
        """The run process's id while it lives (None before the first picklable start)."""
        return None if self._process is None else self._process.pid

    def is_running(self) -> bool:
        """Whether any run thread (current or retiring) or the run process is alive."""
        threads = [*self._retiring, self._thread]
        alive = self._process is not None and self._process.process.poll() is None
        return alive or any(t is not None and t.isRunning() for t in threads)

    # -- commands ------------------------------------------------------------------
    def start(self, factory: FrameFactory, recorder: Recorder, playing: bool = True) -> None:
        """Run ``factory()`` from its first frame (the old run is retired).

        ``recorder(first_frame)`` makes the run's bounded history (``append(frame)``,
        ``snapshot()``); it is called with the first frame, which is then appended like
        every other. ``play``, ``step`` and ``reset`` start the same factory and recorder
        over. A picklable pair runs in the child process, anything else in a thread.
        """
        self._retire_current()
        self._factory, self._recorder = factory, recorder
        self._generation += 1
        self.latest = None
        payload = self._payload(factory, recorder)
        if payload is not None:
            self._start_process(payload, recorder, playing)
            if not self._process.reader.ready.is_set():
                self._start_preview(factory, recorder)
        else:
            self._start_thread(factory, recorder, playing)
        self._set_status("playing" if playing else "paused")

    def play(self) -> None:
        """Play from where the run is; after stop/finish/error, from the beginning."""
        if self._route is None or self._status in ("stopped", "finished", "error"):
            if self._factory is not None:
                self.start(self._factory, self._recorder, playing=True)
            return
        self._command(playing=True)
        self._set_status("playing")

    def pause(self) -> None:
        if self._route is not None and self._status == "playing":
            self._command(playing=False)
            self._set_status("paused")

    def toggle(self) -> None:
        self.pause() if self._status == "playing" else self.play()

    def step(self) -> None:
        """Advance exactly one frame (pauses a playing run first)."""
        if self._route is None or self._status in ("stopped", "finished", "error"):
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
        if self._process is not None:
            self._process.send("speed", steps_per_second)
        if self._thread is not None:
            with self._thread.control.cond:
                self._thread.control.steps_per_second = steps_per_second
                self._thread.control.cond.notify_all()

    def set_max_fps(self, max_fps: float) -> None:
        """Send at most ``max_fps`` states a second (the window's current drawing rate)."""
        if not max_fps > 0:
            raise ValueError(f"max_fps must be > 0, got {max_fps}")
        self._max_fps = float(max_fps)
        if self._process is not None:
            self._process.send("max_fps", self._max_fps)
        if self._thread is not None:
            with self._thread.control.cond:
                self._thread.control.min_interval = 1.0 / self._max_fps

    def hold(self, held: bool) -> None:
        """While held, a thread route run takes no step (the window draws uncontended).

        Python threads share one interpreter lock; a training thread that never lets go
        makes every drawing call wait for it. Holding it for the length of a redraw is
        cheaper for both sides, and the `FramePacer` bounds how often that happens. A run
        in the child process shares nothing with the window: there, this does nothing.
        """
        if self._thread is not None:
            ctl = self._thread.control
            with ctl.cond:
                ctl.held = held
                ctl.cond.notify_all()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop every thread and the run process and wait for them (for closeEvent).

        True if all ended.
        """
        self._retire_current()
        ok = True
        for thread in list(self._retiring):
            ok = thread.wait(timeout_ms) and ok
        self._retiring = [t for t in self._retiring if t.isRunning()]
        process, self._process = self._process, None
        if process is not None:
            ok = process.shutdown(timeout_ms / 1000.0) and ok
        return ok

    # -- internals -----------------------------------------------------------------
    def _payload(self, factory: FrameFactory, recorder: Recorder) -> bytes | None:
        """The encoded run for the child, or None when it must stay in this process."""
        if not self.use_process:
            return None
        try:
            payload = run_codec.dumps((factory, recorder))
        except (pickle.PicklingError, TypeError, AttributeError):
            return None  # a lambda, a closure, a local class: the thread route serves it
        if run_codec.refused_name(payload) is not None:
            return None  # not a run kind the child may rebuild: the thread route serves it
        return payload

    def _start_process(self, payload: bytes, recorder: Recorder, playing: bool) -> None:
        process = self._process
        if process is None or not process.is_alive():
            if process is not None:
                process.shutdown(1.0)
            process = self._process = RunProcess()
            process.reader.produced.connect(self._on_produced)
            process.reader.failed.connect(self._on_failed)
            process.reader.ended_empty.connect(self._on_ended_empty)
            process.reader.died.connect(self._on_child_died)
            process.reader.start()
        sps, fps = self._steps_per_second, self._max_fps
        process.start(self._generation, payload, recorder, playing, sps, fps)
        self._route = "process"

    def _start_preview(self, factory: FrameFactory, recorder: Recorder) -> None:
        """Compute the first frame in a thread while the run process boots: the window
        shows step 0 at once; the process's states replace it when they come."""
        control = RunControl(False, None, self._max_fps)  # paused: one frame, then idle
        first_only = RunThread(
            lambda: itertools.islice(factory(), 1), recorder, self._generation, control
        )
        first_only.produced.connect(self._on_preview)
        first_only.finished.connect(self._forget_ended_threads)
        self._preview = first_only
        first_only.start()

    def _retire_preview(self) -> None:
        preview, self._preview = self._preview, None
        if preview is not None:
            with preview.control.cond:
                preview.control.abort = True
                preview.control.cond.notify_all()
            if preview.isRunning():
                self._retiring.append(preview)

    def _start_thread(self, factory: FrameFactory, recorder: Recorder, playing: bool) -> None:
        control = RunControl(playing, self._steps_per_second, self._max_fps)
        thread = RunThread(factory, recorder, self._generation, control)
        thread.produced.connect(self._on_produced)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        thread.start()
        self._route = "thread"

    def _command(self, playing: bool, extra_steps: int = 0) -> None:
        if self._route == "process":
            if extra_steps:
                self._process.send("step", extra_steps)
            else:
                self._process.send("play" if playing else "pause")
            return
        ctl = self._thread.control
        with ctl.cond:
            ctl.playing = playing
            ctl.step_budget = ctl.step_budget + extra_steps if not playing else 0
            ctl.cond.notify_all()

    def _retire_current(self) -> None:
        self._retire_preview()
        route, self._route = self._route, None
        if route == "process" and self._process is not None:
            self._process.abort()
        thread, self._thread = self._thread, None
        if route is not None:
            self._generation += 1  # anything still queued from it is now stale
        if thread is None:
            return
        with thread.control.cond:
            thread.control.abort = True
            thread.control.cond.notify_all()
        if thread.isRunning():
            self._retiring.append(thread)

    def _set_status(self, status: str) -> None:
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)

    @Slot(object)
    def _on_produced(self, state: RunState) -> None:
        if self._route is None or state.generation != self._generation:
            return  # stale: from a run that was stopped or replaced
        if self._route == "process":
            self._retire_preview()  # the run's own states have come
            self._process.took(state.generation)
        else:
            with self._thread.control.cond:
                self._thread.control.in_flight = False
                self._thread.control.cond.notify_all()
        self.latest = state
        if state.finished:
            self._set_status("finished")
        self.state_ready.emit(state)

    @Slot(object)
    def _on_preview(self, state: RunState) -> None:
        """Step 0 from the preview thread, unless the run process was quicker."""
        if self._route == "process" and state.generation == self._generation:
            if self.latest is None:
                self.latest = state
                self.state_ready.emit(state)

    @Slot()
    def _forget_ended_threads(self) -> None:
        self._retiring = [t for t in self._retiring if not t.isFinished()]

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._set_status("error")
            self.errored.emit(message)

    @Slot(int)
    def _on_ended_empty(self, generation: int) -> None:
        if generation == self._generation and self._status in ("playing", "paused"):
            self._set_status("finished")  # an empty generator: no final state came

    @Slot(int)
    def _on_child_died(self, exit_code: int) -> None:
        """The run process ended by itself (killed, out of memory): say so; the next
        start makes a new one."""
        if self._route == "process" and self._status in ("playing", "paused"):
            self._set_status("error")
        self.errored.emit(
            f"The run's process ended unexpectedly (exit code {exit_code}); "
            "the next run starts a new one"
        )

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread):
            thread.wait(200)  # finished() is sent just before the thread really ends
        if thread is self._thread and self._status in ("playing", "paused"):
            self._set_status("finished")  # e.g. an empty generator: no final state came
        self._retiring = [t for t in self._retiring if not t.isFinished()]
