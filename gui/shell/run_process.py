"""The process route of `RunWorker`: a persistent child process runs the generator.

The child (`gui.shell.run_child`, no Qt) iterates the run and sends its histories'
journals plus the newest frame; a reader QThread here replays them on a *mirror* record
made by the same recorder, and emits the newest `RunState` with the thread route's
back-pressure (no new state until the window took the last one). The window and the run
then share no interpreter lock, so the window never holds the run.

The child is a fresh interpreter (fork + exec at once, as multiprocessing's 'spawn' does:
a Qt process with threads must never plain-fork), started the first time a picklable run
starts, and lives until `shutdown`: a new configuration costs a pickled payload, not an
interpreter and NumPy. It is started with `subprocess` rather than
`multiprocessing.Process` because 'spawn' and 'forkserver' run the parent's main script
again in the child (as ``__mp_main__``): a script without a ``__main__`` guard would
start a second window, and any script importing Qt at its top would load Qt there. The
child gets the window's ``sys.path`` first, so whatever the window can unpickle, it can.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal

from gui.shell import run_codec
from gui.shell.run_child import RecordNews, freeze_frame, histories_of
from gui.shell.run_thread import Recorder, RunState

_ROOT = str(Path(__file__).resolve().parents[2])  # the project, for ``gui.shell.run_child``
_CHILD_CODE = (
    f"import sys; sys.path.insert(0, {_ROOT!r}); "
    "from gui.shell.run_child import main; main(sys.argv)"
)


class _Mirror:
    """The reader's state for the current generation, guarded by ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = 0
        self.recorder: Recorder | None = None
        self.record: Any = None
        self.histories: list = []  # the record's `History` objects, as the child orders them
        self.latest: Any = None
        self.steps_per_second = 0.0
        self.finished = False
        self.dirty = False
        self.in_flight = False

    def reset(self, generation: int, recorder: Recorder | None) -> None:
        with self.lock:
            self.generation, self.recorder, self.record, self.latest = (
                generation,
                recorder,
                None,
                None,
            )
            self.histories = []
            self.steps_per_second, self.finished, self.dirty, self.in_flight = (
                0.0,
                False,
                False,
                False,
            )

    def fold(self, news: RecordNews | list, steps_per_second: float, finished: bool) -> None:
        """Take in one message of the child (called with ``lock`` held): replay its
        journals, or append its frames (a record that holds no `History`)."""
        if isinstance(news, RecordNews):
            fresh = self._replay(news)
        else:
            for frame in news:
                self._make_record(freeze_frame(frame))
                self.record.append(frame)
                self.latest = frame
            fresh = bool(news)
        self.steps_per_second, self.finished = steps_per_second, finished
        self.dirty = fresh or finished

    def _make_record(self, first: Any) -> None:
        if self.record is None:
            self.record = self.recorder(first)
            self.histories = histories_of(self.record)

    def _replay(self, news: RecordNews) -> bool:
        """Replay each history's journal with its newest frame; True if a frame came."""
        if news.first is not None:
            self._make_record(freeze_frame(news.first))
        frozen: set[int] = set()
        freeze_frame(news.newest, frozen)
        parts = zip(self.histories, news.journals, news.newest_frames, strict=True)
        for history, journal, newest in parts:
            if journal is not None:
                if id(newest) not in frozen:  # not a part of the newest frame: a frame of its own
                    freeze_frame(newest, frozen)
                history.replay(journal, newest)
        if news.newest is None:
            return False
        self.latest = news.newest
        return True


class _Reader(QThread):
    """Reads the child's messages into the mirror; emits states, errors and the child's end."""

    produced = Signal(object)  # RunState
    failed = Signal(int, str)  # generation, one-line message
    ended_empty = Signal(int)  # generation: the generator finished without a frame
    died = Signal(int)  # the child's exit code (None -> -1)

    def __init__(self, messages: Connection, wake: Connection, mirror: _Mirror, process) -> None:
        super().__init__()
        self._messages, self._wake, self._mirror, self._process = messages, wake, mirror, process
        self.stopping = False
        self.ready = threading.Event()  # the child has booted (imports done)

    def run(self) -> None:
        while not self.stopping:
            ready = wait([self._messages, self._wake])
            if self._wake in ready:
                while self._wake.poll():
                    self._wake.recv_bytes()
            if self._messages in ready:
                try:
                    data = self._messages.recv_bytes()
                except (EOFError, OSError):
                    if not self.stopping:
                        self.died.emit(self._exit_code())
                    return
                try:
                    message = run_codec.loads(data)
                except run_codec.RunDataError as exc:  # never from our own child
                    self.failed.emit(self._mirror.generation, f"run process: {exc}")
                    continue
                self._take(message)
            self._emit_if_due()

    def _exit_code(self) -> int:
        try:
            return self._process.wait(1.0)
        except subprocess.TimeoutExpired:
            return -1

    def _take(self, message: tuple) -> None:
        kind, generation, *rest = message
        if kind == "ready":
            self.ready.set()
            return
        mirror = self._mirror
        with mirror.lock:
            if generation != mirror.generation:
                return  # an older generation's: dropped
            if kind == "error":
                mirror.recorder = None
                self.failed.emit(generation, rest[0])
                return
            try:
                mirror.fold(*rest)
            except ValueError as exc:  # a journal that does not fit the mirror: say so
                mirror.recorder = None
                self.failed.emit(generation, f"run process: {exc}")

    def _emit_if_due(self) -> None:
        mirror = self._mirror
        with mirror.lock:
            if not mirror.dirty or mirror.in_flight or mirror.recorder is None:
                return
            mirror.dirty = False
            if mirror.record is None:  # finished before its first frame
                self.ended_empty.emit(mirror.generation)
                return
            mirror.in_flight = True
            state = RunState(
                mirror.generation,
                mirror.latest,
                mirror.record.snapshot(),
                mirror.steps_per_second,
                mirror.finished,
            )
        self.produced.emit(state)


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def child_environment() -> dict[str, str]:
    """The run process's environment: this one, with one BLAS thread unless set otherwise.

    A run steps through small matrices: BLAS threads only add hand-offs, and they took
    the core the window draws on (an 8x64 network step: 74-82 ms wall with OpenBLAS's
    threads, 6-12 ms with one)."""
    env = dict(os.environ)
    for name in BLAS_THREADS:
        env.setdefault(name, "1")
    return env


PIPE_BYTES = 1 << 20  # the run's messages pipe (Linux's default 64 KiB held ~20 network rows)


def widen_pipe(fd: int, size: int = PIPE_BYTES) -> int:
    """Let the pipe behind ``fd`` buffer ``size`` bytes where the system allows (Linux);
    returns the size it has. With the default 64 KiB a message of a few dozen network
    rows filled it, and the run stopped training until the window's reader thread, which
    needs the interpreter lock the painting holds, had emptied it."""
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        return 0
    try:
        return fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
    except OSError:  # above /proc/sys/fs/pipe-max-size, or not a pipe: keep what it has
        return fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)


class RunProcess:
    """One persistent child process and the reader that mirrors its current run."""

    def __init__(self) -> None:
        commands_out, self._commands = multiprocessing.Pipe(duplex=False)
        messages, messages_in = multiprocessing.Pipe(duplex=False)
        widen_pipe(messages_in.fileno())
        self._wake_out, self._wake = multiprocessing.Pipe(duplex=False)
        self.mirror = _Mirror()
        fds = (commands_out.fileno(), messages_in.fileno())
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE, *map(str, fds)],
            pass_fds=fds,
            close_fds=True,
            env=child_environment(),
        )
        commands_out.close()  # the child's ends: closed here, so its death reads as EOF
        messages_in.close()
        self.send("path", list(sys.path))
        self.reader = _Reader(messages, self._wake_out, self.mirror, self.process)
        self._messages = messages

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None and self.reader.isRunning()

    def start(self, generation: int, payload: bytes, recorder: Recorder, playing, sps, fps):
        """Run a new generation (the child drops the old one)."""
        self.mirror.reset(generation, recorder)
        modules = run_codec.allowed_modules()
        self.send("start", generation, payload, playing, sps, fps, modules)

    def send(self, *command) -> bool:
        """Send one command; False if the child is gone."""
        try:
            self._commands.send_bytes(run_codec.dumps(command))
        except (OSError, ValueError):
            return False
        return True

    def took(self, generation: int) -> None:
        """The window took the last state: the reader may send the next one."""
        with self.mirror.lock:
            if generation != self.mirror.generation:
                return
            self.mirror.in_flight = False
        self._wake.send_bytes(b"")

    def abort(self) -> None:
        """Drop the current run (its late messages are stale)."""
        self.mirror.reset(-1, None)
        self.send("abort")

    def shutdown(self, timeout_s: float) -> bool:
        """End the child and the reader and wait for both. True if both ended."""
        self.reader.stopping = True
        self.send("quit")
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()  # a step that does not end (it cannot be interrupted)
            self.process.wait(timeout_s)
        try:
            self._wake.send_bytes(b"")
        except OSError:
            pass
        reader_ended = not self.reader.isRunning() or self.reader.wait(int(timeout_s * 1000))
        if reader_ended:  # the reader no longer waits on them
            for end in (self._commands, self._wake, self._wake_out, self._messages):
                end.close()
        return reader_ended and self.process.poll() is not None
