"""The draw loop draws a waiting state as soon as the last frame has painted and the
pacer's interval has passed, never sooner, and asks the run for states a little faster
than it draws (counts and scheduled intervals, no clocks)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.shell.draw_loop import (
    DRAW_INTERVAL_MS,
    FLAT_OUT_INTERVAL_MS,
    STATES_PER_FRAME,
    STATES_PER_FRAME_PROCESS,
    DrawLoop,
)


class StubWorker(QObject):
    """What the draw loop uses of a `RunWorker`: its states, route, hold and state rate."""

    state_ready = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.route = "process"
        self.latest = None
        self.held: list[bool] = []
        self.max_fps: list[float] = []

    def hold(self, held: bool) -> None:
        self.held.append(held)

    def set_max_fps(self, max_fps: float) -> None:
        self.max_fps.append(max_fps)


def _loop(qtbot, min_interval_ms: int = 16):
    worker, drawn = StubWorker(), []
    loop = DrawLoop(worker, drawn.append)
    loop.pacer.min_interval_ms = min_interval_ms
    loop.pacer.max_interval_ms = max(min_interval_ms, loop.pacer.max_interval_ms)
    return worker, loop, drawn


def test_a_state_is_drawn_at_once_when_nothing_was_drawn_for_an_interval(qtbot):
    worker, loop, drawn = _loop(qtbot)
    try:
        worker.state_ready.emit("first")
        assert loop._timer.isActive() and loop._timer.interval() == 0  # no tick to wait for
        qtbot.waitUntil(lambda: drawn == ["first"])
        assert worker.held == [True]  # held until painted
    finally:
        loop.stop()


def test_the_next_state_waits_for_the_paint_then_for_the_rest_of_the_interval(qtbot):
    worker, loop, drawn = _loop(qtbot, min_interval_ms=400)
    try:
        worker.state_ready.emit("first")
        qtbot.waitUntil(lambda: drawn == ["first"])
        worker.state_ready.emit("second")
        assert not loop._timer.isActive()  # the first frame has not painted yet
        loop.painted()
        qtbot.waitUntil(lambda: worker.held == [True, False])  # released: schedules
        assert loop._timer.isActive()
        # due when 400 ms have passed since the first frame began, not 400 ms from now
        assert 0 < loop._timer.interval() < 400
        worker.state_ready.emit("third")  # newest only: "second" is never drawn
        qtbot.waitUntil(lambda: len(drawn) == 2, timeout=5000)
        assert drawn == ["first", "third"]
    finally:
        loop.stop()
    assert not loop._timer.isActive() and not loop._release_timer.isActive()


def test_a_thread_run_is_asked_for_states_faster_than_frames_are_drawn(qtbot):
    worker, loop, drawn = _loop(qtbot)
    try:
        loop.pacer.begin()
        loop.pacer._hold_start -= 0.09  # a frame that took 90 ms: budget 0.9 -> 100 ms
        loop.pacer.end()
        worker.state_ready.emit("slow")
        qtbot.waitUntil(lambda: drawn == ["slow"])
        assert loop.interval_ms == 100
        assert worker.max_fps[-1] == STATES_PER_FRAME_PROCESS * 1000.0 / 100
        worker.route = "thread"  # a run in a thread: a state (nearly) always waits
        worker.state_ready.emit("thread")
        qtbot.waitUntil(lambda: drawn == ["slow", "thread"])
        assert worker.max_fps[-1] == STATES_PER_FRAME * 1000.0 / loop.interval_ms
        assert STATES_PER_FRAME > STATES_PER_FRAME_PROCESS
    finally:
        loop.stop()


def test_a_stopped_loop_draws_nothing_more(qtbot):
    worker, loop, drawn = _loop(qtbot)
    loop.stop()
    worker.state_ready.emit("late")
    qtbot.wait(30)
    assert drawn == [] and not loop._timer.isActive()


def test_flat_out_draws_at_most_thirty_frames_a_second(qtbot):
    _worker, loop, _drawn = _loop(qtbot)
    try:
        loop.set_flat_out(True)
        assert loop.pacer.update() == FLAT_OUT_INTERVAL_MS  # cheap frames: capped
        loop.set_flat_out(False)
        assert loop.pacer.update() == DRAW_INTERVAL_MS
    finally:
        loop.stop()


def test_a_space_may_draw_fewer_frames_flat_out(qtbot):
    from gui.network.workspace import FLAT_OUT_INTERVAL_MS as NETWORK_INTERVAL_MS

    loop = DrawLoop(StubWorker(), [].append, flat_out_interval_ms=NETWORK_INTERVAL_MS)
    try:
        assert NETWORK_INTERVAL_MS > FLAT_OUT_INTERVAL_MS  # the network: 20 frames a second
        loop.set_flat_out(True)
        assert loop.pacer.update() == NETWORK_INTERVAL_MS
        loop.set_flat_out(False)
        assert loop.pacer.update() == DRAW_INTERVAL_MS  # paced: as smooth as any
    finally:
        loop.stop()
