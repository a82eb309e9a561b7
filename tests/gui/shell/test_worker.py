"""RunWorker: play/pause/step/stop/reset, coalescing, stale states dropped, clean shutdown;
one worker for any frame kind (descent and training runs through the same worker)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from core.descent.engine import DescentConfig, DescentRun
from core.descent.recording import descent_history
from core.history import Field, History, RecordSpec
from core.nn.datasets import make_dataset
from core.nn.training import TrainConfig, train
from core.nn.training_history import training_history
from gui.shell.frame_pacer import FramePacer
from gui.shell.worker import RunState, RunWorker

# a frame kind of the tests' own: the worker must not care what a frame holds
TICK_SPEC = RecordSpec({"value": Field()}, lambda step, row: SimpleNamespace(step=step, **row))


def make_frame(step: int) -> SimpleNamespace:
    return SimpleNamespace(step=step, value=float(step))


def record_ticks(first_frame) -> History:
    return History(TICK_SPEC, capacity=64)


def counting(n: int, offset: int = 0):
    """A factory of generators yielding frames ``offset .. offset + n - 1``."""
    return lambda: (make_frame(offset + i) for i in range(n))


@pytest.fixture
def worker(qtbot):
    w = RunWorker(max_fps=60.0)
    received: list[RunState] = []
    w.state_ready.connect(received.append)
    w.received = received
    yield w
    assert w.shutdown(2000)
    assert not w.is_running()


def newest_step(w: RunWorker) -> int:
    return -1 if w.latest is None else w.latest.frame.step


def test_paused_start_shows_step_zero_then_single_steps(worker, qtbot):
    worker.start(counting(100), record_ticks, playing=False)
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

    worker.start(observed, record_ticks, playing=True)
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
    worker.start(counting(20_000), record_ticks, playing=True)
    qtbot.waitUntil(lambda: worker.status == "finished", timeout=20_000)
    assert worker.latest.finished and newest_step(worker) == 19_999
    assert len(worker.latest.history) <= 65  # bounded, thinned history
    # the thread ends by itself once the last state is taken: no shutdown needed
    qtbot.waitUntil(lambda: not worker.is_running(), timeout=5000)
    assert worker.status == "finished"


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

    w = RunWorker(max_fps=1e9)
    seen = []
    w.state_ready.connect(lambda s: (seen.append(s.frame.step), received.release()))
    try:
        with qtbot.waitSignal(
            w.status_changed, timeout=60_000, check_params_cb=lambda status: status == "finished"
        ):
            w.start(lockstep, record_ticks, playing=True)
    finally:
        assert w.shutdown(2000)
    assert seen[:10_000] == list(range(10_000))
    assert w.latest.finished and w.latest.frame.step == 9_999


def test_coalescing_sends_far_fewer_states_than_frames(worker, qtbot):
    worker.start(counting(10_000), record_ticks, playing=True)
    qtbot.waitUntil(lambda: worker.status == "finished", timeout=30_000)
    assert newest_step(worker) == 9_999
    assert len(worker.received) < 10_000
    assert all(isinstance(s, RunState) for s in worker.received)


def test_stop_keeps_the_last_state_and_play_starts_over(worker, qtbot):
    worker.start(counting(10**9), record_ticks, playing=True)
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
    worker.start(counting(10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 100)
    worker.reset()
    assert worker.status == "paused"
    qtbot.waitUntil(lambda: newest_step(worker) == 0)
    assert len(worker.latest.history) == 1


def test_restart_drops_states_of_the_old_run(worker, qtbot):
    worker.start(counting(10**9, offset=1_000_000), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 1_000_050)
    worker.start(counting(10**9), record_ticks, playing=True)  # a control changed mid-run
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
        worker.start(broken, record_ticks, playing=True)
    assert "lr must be >= 0" in blocker.args[0]
    assert worker.status == "error"


def test_speed_is_validated_and_paced_runs_still_advance(worker, qtbot):
    with pytest.raises(ValueError, match="steps_per_second"):
        worker.set_speed(0)
    worker.set_speed(500.0)
    worker.start(counting(10**9), record_ticks, playing=True)
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
    worker.start(observed, record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 20)
    worker.hold(True)
    qtbot.waitUntil(lambda: newest_step(worker) == produced[-1])  # caught up, nothing new
    held_at = produced[-1]
    assert worker.status == "playing"
    worker.hold(False)
    qtbot.waitUntil(lambda: newest_step(worker) > held_at + 50)
    with pytest.raises(ValueError, match="max_fps"):
        worker.set_max_fps(0)


class BareFrame:
    """A frame with nothing but a step."""

    __slots__ = ("step",)

    def __init__(self, step: int) -> None:
        self.step = step


class StepLog:
    """The smallest record: the steps seen, as an immutable tuple."""

    def __init__(self, first_frame) -> None:
        self.first_step = first_frame.step
        self.steps: list[int] = []

    def append(self, frame) -> None:
        self.steps.append(frame.step)

    def snapshot(self) -> tuple[int, ...]:
        return tuple(self.steps)


def test_the_worker_reads_nothing_but_the_step(worker, qtbot):
    worker.start(lambda: (BareFrame(i) for i in range(500)), StepLog, playing=True)
    qtbot.waitUntil(lambda: worker.status in ("finished", "error"), timeout=10_000)
    assert worker.status == "finished"  # reading any other attribute would have raised
    assert worker.latest.history == tuple(range(500)) and worker.latest.frame.step == 499


def test_the_recorder_gets_the_first_frame_once_per_start(worker, qtbot):
    made: list[StepLog] = []

    def recorder(first_frame) -> StepLog:
        made.append(StepLog(first_frame))
        return made[-1]

    worker.start(counting(10**9, offset=5), recorder, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 50)
    assert len(made) == 1 and made[0].first_step == 5
    worker.reset()  # the same factory and recorder, from the start: a fresh record
    qtbot.waitUntil(lambda: len(made) == 2 and newest_step(worker) == 5)
    assert made[1].first_step == 5 and worker.latest.history == (5,)


def run_to_the_end(worker, qtbot, factory, recorder) -> RunState:
    worker.start(factory, recorder, playing=True)
    qtbot.waitUntil(lambda: worker.status in ("finished", "error"), timeout=30_000)
    assert worker.status == "finished"
    return worker.latest


def test_a_descent_and_a_training_run_go_through_the_same_worker(worker, qtbot):
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=2000)
    expected = descent_history(next(DescentRun(config).frames()), capacity=64)
    for frame in DescentRun(config).frames():
        expected.append(frame)
    state = run_to_the_end(
        worker, qtbot, lambda: DescentRun(config).frames(), lambda f: descent_history(f, 64)
    )
    assert state.frame.step == 2000 and state.history.steps.tolist() == expected.steps.tolist()
    np.testing.assert_array_equal(state.history.points, expected.points)
    assert state.history.diverged_at.tolist() == expected.diverged_at.tolist()

    train_config = TrainConfig(layers=(2, 4, 1), epochs=300)
    data = make_dataset("xor", n=80)
    frames = list(train(train_config, data))
    state = run_to_the_end(
        worker, qtbot, lambda: train(train_config, data), lambda f: training_history(f, 64, 8)
    )
    assert state.frame.step == 300 and state.frame.stop_reason == "epoch_limit"
    history = state.history
    assert history.steps[-1] == 300 and history.weight_steps[-1] == 300
    np.testing.assert_array_equal(history.train_loss, [frames[s].train_loss for s in history.steps])
    for j, step in enumerate(history.weight_steps):
        np.testing.assert_array_equal(history.weights[0][j], frames[step].weights[0])
    assert history.frame_at(-1).train_loss == frames[-1].train_loss


def test_the_pacer_records_the_drawing_threads_cpu_apart_from_the_wait():
    pacer = FramePacer(0.5, min_interval_ms=16)
    pacer.begin()
    time.sleep(0.05)  # waiting (as for another core's work) costs no CPU
    pacer.end()
    pacer.begin()
    spin_until = time.thread_time() + 0.03
    while time.thread_time() < spin_until:  # working does
        pass
    pacer.end()
    assert pacer.hold_times[0] >= 0.05 and pacer.cpu_times[0] < 0.02
    assert pacer.cpu_times[1] >= 0.03
