"""The run's own process: a core generator iterated away from the window's interpreter lock.

pyqtgraph paints in Python, so a training *thread* and the window take turns on one
interpreter lock. In a child process they do not: the child runs this loop, the window's
`gui.shell.run_process.RunProcess` mirrors what it sends. Nothing here imports Qt (a
test proves it): the child starts fast and never carries a GUI library.

Protocol. Commands come as tuples over one pipe: ``("start", generation, payload,
playing, steps_per_second, max_fps, modules)``, ``("play",)``, ``("pause",)``,
``("step", n)``, ``("speed", sps)``, ``("max_fps", fps)``, ``("abort",)``, ``("quit",)``.
Messages go back over another: ``("ready", pid)`` once booted, ``("news", generation,
news, steps_per_second, finished)`` at most ``max_fps`` times a second while playing
(less often for large messages, see `SEND_BYTES_PER_SECOND`), and ``("error",
generation, text)``. Both ways go through `gui.shell.run_codec`, which rebuilds nothing
but a run's types: ``payload`` is the run's ``(factory, recorder)``, ``modules`` the
window's extra modules a run may name.

What the news is: the child folds every frame into its own record (made by the run's
recorder) and keeps a journal in each `core.history.History` the record holds. A message
carries those journals (the rows each stored since the last message, one array per field,
and the order in which it stored, thinned and pinned) and the newest frame whole, as a
`RecordNews`; the window's mirror replays the journals on its own record, made by the same
recorder from the run's first frame, so its buffers come out identical. Rows are never
sent as frames: a row of an 8x64 network is ~30 kB of arrays, its frame (gradients,
updates, the sample's trace) several times that and far slower to pickle. A record that
holds no `History` gets every frame, as a list.
"""

from __future__ import annotations

import dataclasses
import os
import select
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from core.history import History, HistoryJournal
from gui.shell import run_codec

__all__ = ["ChildRun", "RecordNews", "freeze_frame", "histories_of", "main", "serve"]

IDLE_POLL_S = 0.05  # longest wait for a command while a paced run waits for its next step
# Most bytes a second sent while a run plays. A small network's message is a few kB, so
# its states go at the window's rate; an 8 x 64 network's newest frame alone is 800 kB
# (weights, gradients, updates): at 45 a second, pickling it, and unpickling it in the
# window's reader thread (which needs the interpreter lock the painting holds), took the
# run's process as much time as training, and the window could not draw them anyway.
SEND_BYTES_PER_SECOND = 16e6
LONGEST_BYTE_GAP_S = 1.0 / 15.0  # but at least 15 messages a second


def _parts(value: Any) -> list:
    """What a frame (or a frame inside a frame) holds: fields, attributes or items."""
    if isinstance(value, tuple | list):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    return list(getattr(value, "__dict__", {}).values())


def freeze_frame(frame: Any, seen: set[int] | None = None) -> Any:
    """Make every array a frame holds read-only again (a pickled copy comes back writable),
    in frames nested in tuples, lists and other frames too (a frame of several runs).

    ``seen`` collects the ids of the frames and containers gone through: a part of this
    frame handed over again (a run's frame in a frame of several) need not be."""
    pending = [(frame, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
        elif depth < 4 and value is not None and not isinstance(value, str | bytes | int | float):
            if seen is not None:
                seen.add(id(value))
            pending.extend((part, depth + 1) for part in _parts(value))
    return frame


def histories_of(record: Any, depth: int = 4) -> list[History]:
    """Every `History` a record keeps: itself, or one inside its attributes, lists, tuples
    (a training record holds two, a record of several runs a list of those)."""
    if isinstance(record, History):
        return [record]
    if depth == 0:
        return []
    if isinstance(record, list | tuple):
        parts = record
    elif hasattr(record, "__dict__"):
        parts = vars(record).values()
    else:
        return []
    return [history for part in parts for history in histories_of(part, depth - 1)]


@dataclass(frozen=True, slots=True)
class RecordNews:
    """What changed in a record that holds `History` objects, since the last message.

    Parameters
    ----------
    first : Any
        The run's first frame, in the first message only (the mirror's recorder makes its
        record from it); None afterwards.
    journals : tuple
        Per `History` (in `histories_of` order): its `HistoryJournal`, or None when it took
        no frame since the last message.
    newest_frames : tuple
        Per `History`: its `History.newest_frame` when it has a journal, else None. Mostly
        ``newest`` itself or a part of it (a run's frame in a frame of several runs): one
        pickle sends each object once, so these cost a reference each.
    newest : Any
        The newest frame, whole (the views need its gradients and sample trace); None when
        no frame came since the last message.
    """

    first: Any
    journals: tuple[HistoryJournal | None, ...]
    newest_frames: tuple
    newest: Any


class ChildRun:
    """One generation in the child: the generator, its record, and the news to send."""

    def __init__(self, generation: int, payload: bytes, modules: tuple | None = None) -> None:
        self.generation = generation
        # The window's own run (a configuration it validated, a factory and a recorder),
        # sent over a private pipe inherited at spawn; decoded from a closed set of types
        # (`run_codec`), with the window's list of extra ``modules``. Sessions and presets
        # never come this way: they stay JSON read as data.
        factory, self._recorder = run_codec.loads(payload, modules)
        self._frames: Iterator[Any] = iter(factory())
        self._record: Any = None
        self._histories: list[History] = []
        self._sent_versions: list[int] = []  # each history's version at the last message
        self._first: Any = None  # the first frame until the first message carries it
        self._unsent: list[Any] = []  # a record without a History: every frame since
        self.latest: Any = None
        self.latest_sent = True
        self.finished = False
        self._step_times: deque[float] = deque(maxlen=256)

    def advance(self) -> None:
        """Take one frame (or learn that the generator is exhausted)."""
        frame = next(self._frames, None)
        if frame is None:
            self.finished = True
            return
        if self._record is None:
            self._start_record(frame)
        self._record.append(frame)
        if not self._histories:  # a record holding no `History` gets every frame sent
            self._unsent.append(frame)
        self.latest, self.latest_sent = frame, False
        self._step_times.append(time.perf_counter())

    def _start_record(self, first: Any) -> None:
        """Make the record; its histories journal from here (after what the recorder put
        in, e.g. the rows of a run it goes on from: the mirror's recorder puts them too)."""
        self._record, self._first = self._recorder(first), first
        self._histories = histories_of(self._record)
        for history in self._histories:
            history.start_journal()
        self._sent_versions = [history.version for history in self._histories]

    def rate(self) -> float:
        """Steps per second over the last 256 steps (0 when idle for half a second)."""
        times = self._step_times
        if len(times) < 2 or times[-1] - times[0] <= 0:
            return 0.0
        if time.perf_counter() - times[-1] > 0.5:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    @property
    def dirty(self) -> bool:
        """Whether there is news to send (a new frame, or the end of the run)."""
        return not self.latest_sent or self.finished

    def message(self) -> tuple:
        """``("news", generation, news, steps_per_second, finished)``: the news is a
        `RecordNews`, or the list of frames since the last message (a record without a
        `History`, or no frame yet)."""
        if self._histories:
            news = self._news()
        else:
            news, self._unsent = self._unsent, []
        self.latest_sent = True
        return ("news", self.generation, news, self.rate(), self.finished)

    def _news(self) -> RecordNews:
        journals, newest_frames = [], []
        for i, history in enumerate(self._histories):
            changed = history.version != self._sent_versions[i]
            self._sent_versions[i] = history.version
            journals.append(history.take_journal() if changed else None)
            newest_frames.append(history.newest_frame if changed else None)
        newest = None if self.latest_sent else self.latest
        news = RecordNews(self._first, tuple(journals), tuple(newest_frames), newest)
        self._first = None
        return news


class RunLoop:
    """The child's command loop: play, pause, step, pace and send, one generation at a time."""

    def __init__(self, commands: Connection, messages: Connection) -> None:
        self.commands, self.messages = commands, messages
        self.run: ChildRun | None = None
        self.playing = False
        self.step_budget = 0
        self.steps_per_second: float | None = None
        self.min_interval = 1.0 / 60.0
        self.next_due = 0.0
        self.last_send = 0.0
        self.byte_gap = 0.0  # the wait the size of the last message asks for
        self.final_sent = False

    def serve(self) -> None:
        """Run until ``("quit",)`` or until the window's end of the pipe closes."""
        # one poll object for the whole run: `Connection.poll` builds a selector at every
        # call, and flat out it is asked between every two steps (3 % of a small
        # network's time in the run's process)
        poller = select.poll()
        poller.register(self.commands.fileno(), select.POLLIN)
        try:
            while True:
                if self._command_waits(poller, self._timeout()):
                    if not self._handle(run_codec.loads(self.commands.recv_bytes(), ())):
                        return
                    continue
                if self._step_due():
                    self._step()
                self._flush()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            return  # the window is gone: nothing left to serve

    @staticmethod
    def _command_waits(poller: select.poll, timeout: float | None) -> bool:
        """Whether a command (or the end of the pipe) waits, within ``timeout`` seconds
        (None: until one does); as with `Connection.poll`, a command that has begun to
        arrive counts, and ``recv_bytes`` then reads it whole."""
        return bool(poller.poll(None if timeout is None else timeout * 1000.0))

    def _timeout(self) -> float | None:
        """How long to wait for a command: 0 when a step is due, None when idle."""
        run = self.run
        if run is None or (run.finished and self.final_sent):
            return None
        if run.dirty and (run.finished or not self.playing):
            return 0.0
        if self.playing and not run.finished:
            if self.steps_per_second is None:
                return 0.0
            return min(max(self.next_due - time.perf_counter(), 0.0), IDLE_POLL_S)
        return 0.0 if self.step_budget > 0 and not run.finished else None

    def _step_due(self) -> bool:
        run = self.run
        if run is None or run.finished:
            return False
        if not self.playing:
            return self.step_budget > 0
        return self.steps_per_second is None or time.perf_counter() >= self.next_due

    def _step(self) -> None:
        if not self.playing:
            self.step_budget -= 1
        try:
            self.run.advance()
        except Exception as exc:  # the run's fault (bad config, core error): report it
            self._fail(exc)
            return
        pace = self.steps_per_second if self.playing else None
        if pace:
            now = time.perf_counter()
            # never burst to catch up after a slow step: at most 0.1 s of backlog
            base = self.next_due if self.next_due > now - 0.1 else now
            self.next_due = base + 1.0 / pace

    def _flush(self) -> None:
        """Send the run's news: at most ``max_fps`` times a second while it plays."""
        run = self.run
        if run is None or not run.dirty or (run.finished and self.final_sent):
            return
        force = run.finished or not self.playing
        now = time.perf_counter()
        if not force and now - self.last_send < max(self.min_interval, self.byte_gap):
            return
        try:
            data = run_codec.dumps(run.message())
        except Exception as exc:  # a frame that cannot be pickled
            self._fail(exc)
            return
        self.messages.send_bytes(data)
        self.last_send = now
        # (capped: a message holds the rows since the last one, so a gap by its whole
        # size would make the next message larger still, and so on)
        self.byte_gap = min(len(data) / SEND_BYTES_PER_SECOND, LONGEST_BYTE_GAP_S)
        self.final_sent = run.finished

    def _fail(self, exc: BaseException) -> None:
        self.messages.send_bytes(
            run_codec.dumps(("error", self.run.generation, f"{type(exc).__name__}: {exc}"))
        )
        self.run = None

    def _handle(self, command: tuple) -> bool:
        """Apply one command; False on quit."""
        name, args = command[0], command[1:]
        if name == "start":
            self._start(*args)
        elif name in ("play", "pause"):
            self.playing, self.step_budget = name == "play", 0
        elif name == "step":
            self.playing, self.step_budget = False, self.step_budget + int(args[0])
        elif name == "speed":
            self.steps_per_second = args[0]
        elif name == "max_fps":
            self.min_interval = 1.0 / float(args[0])
        elif name == "abort":
            self.run = None
        elif name == "quit":
            return False
        return True

    def _start(self, generation, payload, playing, steps_per_second, max_fps, modules) -> None:
        self.run, self.final_sent, self.next_due = None, False, 0.0
        self.playing, self.step_budget = playing, 0 if playing else 1  # paused: step 0
        self.steps_per_second, self.min_interval = steps_per_second, 1.0 / float(max_fps)
        try:
            self.run = ChildRun(generation, payload, tuple(modules))
        except Exception as exc:  # refused or unreadable here, or the factory raised
            error = ("error", generation, f"{type(exc).__name__}: {exc}")
            self.messages.send_bytes(run_codec.dumps(error))


def serve(commands: Connection, messages: Connection) -> None:
    """Serve runs until told to quit or until the window's ends of the pipes close."""
    RunLoop(commands, messages).serve()


def main(argv: list[str]) -> None:
    """The child process's entry point: ``argv[1:3]`` are the commands' and messages'
    pipe descriptors; the first command is the window's ``sys.path``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the window's to handle
    commands = Connection(int(argv[1]), writable=False)
    messages = Connection(int(argv[2]), readable=False)
    try:
        name, path = run_codec.loads(commands.recv_bytes(), ())
    except EOFError:
        return
    if name == "path":
        sys.path[:] = path
    messages.send_bytes(run_codec.dumps(("ready", os.getpid())))  # booted: no more preview
    serve(commands, messages)
