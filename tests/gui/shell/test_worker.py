"""RunWorker: play/pause/step/stop/reset, coalescing, stale states dropped, clean shutdown."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core.descent.engine import DescentFrame
from gui.shell.frame_pacer import FramePacer
from gui.shell.worker import RunState, RunWorker


def make_frame(step: int, k: int = 2) -> DescentFrame:
    base = np.full(k, float(step))
    vec = np.stack([base, base], axis=1)
    zeros = np.zeros(k)
    return DescentFrame(
        step=step,
        points=vec,
        loss=base,
        grad=vec,
        update=vec,
        velocity=vec,
        lr=zeros,
        grad_norm=base,
        lambda_max=base,
        diverged_at=np.full(k, -1),
    )


def counting(n: int, offset: int = 0):
    """A factory of generators yielding frames ``offset .. offset + n - 1``."""
    return lambda: (make_frame(offset + i) for i in range(n))


@pytest.fixture
def worker(qtbot):
    w = RunWorker(max_fps=60.0, history_capacity=64)
    received: list[RunState] = []
    w.state_ready.connect(received.append)
    w.received = received
    yield w
    assert w.shutdown(2000)
    assert not w.is_running()


def newest_step(w: RunWorker) -> int:
    return -1 if w.latest is None else w.latest.frame.step


def test_paused_start_shows_step_zero_then_single_steps(worker, qtbot):
    worker.start(counting(100), playing=False)
    qtbot.waitUntil(lambda: newest_step(worker) == 0)
    assert worker.status == "paused"
    worker.step()
    qtbot.waitUntil(lambda: newest_step(worker) == 1)
    worker.step()
    worker.step()
    qtbot.waitUntil(lambda: newest_step(worker) == 3)
    assert worker.latest.history.steps.tolist() == [0, 1, 2, 3]


def test_pause_halts_the_thread_and_play_resumes(worker, qtbot):
    produced = []

    def observed():
        for i in range(10**9):
            produced.append(i)
            yield make_frame(i)

    worker.start(observed, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 50)
    worker.pause()
    assert worker.status == "paused"
    # the window catches up with everything produced, then nothing more is produced
    qtbot.waitUntil(lambda: newest_step(worker) == produced[-1])
    paused_at = produced[-1]
    worker.step()
    qtbot.waitUntil(lambda: newest_step(worker) == paused_at + 1)
    assert produced[-1] == paused_at + 1
    worker.play()
    qtbot.waitUntil(lambda: newest_step(worker) > paused_at + 100)
    assert worker.status == "playing"


def test_a_run_plays_to_its_end(worker, qtbot):
    worker.start(counting(20_000), playing=True)
    qtbot.waitUntil(lambda: worker.status == "finished", timeout=20_000)
    assert worker.latest.finished and newest_step(worker) == 19_999
    assert len(worker.latest.history) <= 65  # bounded, thinned history
    assert not worker.is_running() or worker.shutdown(1000)


def test_ten_thousand_frames_every_one_emitted(qtbot):
    """10,000 cross-thread emits, one per frame (guards against the PySide6 emit crash).

    The generator only yields frame i+1 after the window received frame i, so no
    frame is coalesced away and every one is a separate emit.
    """
    received = threading.Semaphore(0)

    def lockstep():
        for i in range(10_000):
            if i and not received.acquire(timeout=5):
                return
            yield make_frame(i)

    w = RunWorker(max_fps=1e9, history_capacity=64)
    seen = []
    w.state_ready.connect(lambda s: (seen.append(s.frame.step), received.release()))
    try:
        with qtbot.waitSignal(
            w.status_changed, timeout=60_000, check_params_cb=lambda status: status == "finished"
        ):
            w.start(lockstep, playing=True)
    finally:
        assert w.shutdown(2000)
    assert seen[:10_000] == list(range(10_000))
    assert w.latest.finished and w.latest.frame.step == 9_999


def test_coalescing_sends_far_fewer_states_than_frames(worker, qtbot):
    worker.start(counting(10_000), playing=True)
    qtbot.waitUntil(lambda: worker.status == "finished", timeout=30_000)
    assert newest_step(worker) == 9_999
    assert len(worker.received) < 10_000
    assert all(isinstance(s, RunState) for s in worker.received)


def test_stop_keeps_the_last_state_and_play_starts_over(worker, qtbot):
    worker.start(counting(10**9), playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 10)
    worker.stop()
    assert worker.status == "stopped"
    qtbot.waitUntil(lambda: not worker.is_running())
    last = worker.latest
    assert last is not None
    worker.play()
    qtbot.waitUntil(lambda: worker.latest is not last and newest_step(worker) >= 0)
    assert worker.latest.history.steps[0] == 0


def test_reset_goes_back_to_step_zero_paused(worker, qtbot):
    worker.start(counting(10**9), playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 100)
    worker.reset()
    assert worker.status == "paused"
    qtbot.waitUntil(lambda: newest_step(worker) == 0)
    assert len(worker.latest.history) == 1


def test_restart_drops_states_of_the_old_run(worker, qtbot):
    worker.start(counting(10**9, offset=1_000_000), playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 1_000_050)
    worker.start(counting(10**9), playing=True)  # a control changed mid-run
    first_new = len(worker.received)
    qtbot.waitUntil(lambda: newest_step(worker) > 30)
    steps = [s.frame.step for s in worker.received[first_new:]]
    assert all(step < 1_000_000 for step in steps)
    assert {s.generation for s in worker.received[first_new:]} == {worker.generation}


def test_an_error_in_the_generator_is_reported(worker, qtbot):
    def broken():
        yield make_frame(0)
        raise ValueError("lr must be >= 0, got -1")

    with qtbot.waitSignal(worker.errored, timeout=5000) as blocker:
        worker.start(broken, playing=True)
    assert "lr must be >= 0" in blocker.args[0]
    assert worker.status == "error"


def test_speed_is_validated_and_paced_runs_still_advance(worker, qtbot):
    with pytest.raises(ValueError, match="steps_per_second"):
        worker.set_speed(0)
    worker.set_speed(500.0)
    worker.start(counting(10**9), playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) >= 5)
    worker.set_speed(None)
    qtbot.waitUntil(lambda: newest_step(worker) >= 2000, timeout=10_000)


def test_frame_pacer_keeps_drawing_within_its_budget():
    now = [0.0]
    pacer = FramePacer(budget=0.2, min_interval_ms=16, max_interval_ms=1000, clock=lambda: now[0])
    assert pacer.update() == 16  # nothing drawn yet: full speed

    def draw(seconds: float) -> int:
        pacer.begin()
        now[0] += seconds
        pacer.end()
        return pacer.update()

    for _ in range(20):
        interval = draw(0.060)
    assert interval == 300  # a 60 ms frame every 300 ms holds the run 20 % of the time
    for _ in range(20):
        interval = draw(0.5)
    assert interval == 1000  # at most one frame a second is as slow as it gets
    for _ in range(30):
        interval = draw(0.001)
    assert interval == 16  # cheap frames: 60 a second
    pacer.budget = 0.9  # a paced run leaves time to spare
    for _ in range(20):
        interval = draw(0.090)
    assert interval == 100
    assert len(pacer.hold_times) == 90


def test_hold_stops_stepping_until_released(worker, qtbot):
    produced = []

    def observed():
        for i in range(10**9):
            produced.append(i)
            yield make_frame(i)

    worker.set_max_fps(1000.0)
    worker.start(observed, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 20)
    worker.hold(True)
    qtbot.waitUntil(lambda: newest_step(worker) == produced[-1])  # caught up, nothing new
    held_at = produced[-1]
    assert worker.status == "playing"
    worker.hold(False)
    qtbot.waitUntil(lambda: newest_step(worker) > held_at + 50)
    with pytest.raises(ValueError, match="max_fps"):
        worker.set_max_fps(0)
