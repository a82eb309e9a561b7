"""RunWorker's process route: the same states as the thread route, the same commands,
errors and a dead child reported, no child or thread left after shutdown, no Qt in the
child; and the draw loop's budget follows the route."""

from __future__ import annotations

import multiprocessing
import os
import signal
from functools import partial

import numpy as np
import pytest
from run_factories import StepList, count_ticks, fail_at, qt_modules_loaded, record_ticks

from core.descent.engine import DescentConfig, lr_sweep
from core.descent.replay import DescentFrames, DescentRecorder
from core.nn.data_spec import DataSpec
from core.nn.train_config import TrainConfig
from core.nn.variant_run import variant_frames, variant_history
from gui.shell.draw_loop import FLAT_OUT_DRAW_BUDGET, PACED_DRAW_BUDGET, DrawLoop
from gui.shell.worker import RunState, RunWorker

SWEEP = DescentConfig(
    surface="rosenbrock", learning_rates=lr_sweep(1e-4, 2e-3, 7), steps=300, seed=3
)
BOOT_MS = 30_000  # the first start waits for a new interpreter and NumPy (shared machine)


def make_worker(qtbot, use_process: bool = True) -> RunWorker:
    w = RunWorker(max_fps=60.0, use_process=use_process)
    w.received: list[RunState] = []
    w.errors: list[str] = []
    w.state_ready.connect(w.received.append)
    w.errored.connect(w.errors.append)
    return w


@pytest.fixture
def worker(qtbot):
    w = make_worker(qtbot)
    yield w
    pid = w.child_pid
    assert w.shutdown(5000)
    assert not w.is_running()
    if pid is not None:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # ended and reaped


def newest_step(w: RunWorker) -> int:
    return -1 if w.latest is None else w.latest.frame.step


def finish(w: RunWorker, qtbot, factory, recorder) -> RunState:
    w.start(factory, recorder, playing=True)
    qtbot.waitUntil(lambda: w.status == "finished", timeout=BOOT_MS)
    return w.latest


def assert_same_history(a, b) -> None:
    assert len(a) == len(b) and a.stride == b.stride
    np.testing.assert_array_equal(a.steps, b.steps)
    for name in a._spec.fields:
        np.testing.assert_array_equal(a.column(name), b.column(name), err_msg=name)


def test_process_route_records_the_same_history_as_the_thread_route(worker, qtbot):
    thread_worker = make_worker(qtbot, use_process=False)
    recorder = DescentRecorder(capacity=16)  # 300 steps: thinned four times
    try:
        by_thread = finish(thread_worker, qtbot, DescentFrames(SWEEP), recorder)
    finally:
        assert thread_worker.shutdown(5000)
    by_process = finish(worker, qtbot, DescentFrames(SWEEP), recorder)
    assert thread_worker.route is None and worker.route == "process"
    assert by_process.frame.step == by_thread.frame.step == 300
    assert_same_history(by_process.history, by_thread.history)
    for field in ("points", "loss", "grad", "diverged_at"):
        np.testing.assert_array_equal(
            getattr(by_process.frame, field), getattr(by_thread.frame, field)
        )
    assert not by_process.frame.points.flags.writeable  # the copy is read-only again
    assert not by_process.history.frame_at(3).loss.flags.writeable


def test_a_diverging_run_has_the_same_pinned_rows_in_both_routes(worker, qtbot):
    """The process route replays the child's journals: the rows a pin keeps (issue 8)
    survive the crossing, through thinnings, as the thread route records them."""
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=3000)
    recorder = DescentRecorder(capacity=16)
    by_process = finish(worker, qtbot, DescentFrames(config), recorder)
    thread_worker = make_worker(qtbot, use_process=False)
    try:
        by_thread = finish(thread_worker, qtbot, DescentFrames(config), recorder)
    finally:
        assert thread_worker.shutdown(5000)
    assert worker.route == "process" and by_process.frame.step == 3000
    assert_same_history(by_process.history, by_thread.history)
    stop = int(by_process.history.diverged_at[1])
    assert by_process.history.stride >= 128 and stop in by_process.history.steps.tolist()


def test_resumed_run_keeps_the_recorded_rows_in_both_routes(worker, qtbot):
    recorded = finish(worker, qtbot, DescentFrames(SWEEP), DescentRecorder(capacity=16)).history
    resumed = (DescentFrames(SWEEP, step=120), DescentRecorder(recorded, capacity=16))
    by_process = finish(worker, qtbot, *resumed)
    thread_worker = make_worker(qtbot, use_process=False)
    try:
        by_thread = finish(thread_worker, qtbot, *resumed)
    finally:
        assert thread_worker.shutdown(5000)
    assert_same_history(by_process.history, by_thread.history)
    assert by_process.history.steps[0] == 0  # the past before step 120 is kept
    # deterministic: going on from step 120 ends where the first run ended
    np.testing.assert_array_equal(by_process.frame.points, recorded.frame_at(-1).points)


def test_a_record_of_several_training_histories_is_mirrored_exactly(worker, qtbot):
    """Two network runs of different lengths: a record holding a list of training
    histories, each with a per-step and a weight-set `History` that thin differently."""
    data = DataSpec("moons", n=40)
    short = TrainConfig(layers=(2, 4, 1), epochs=150, data=data, seed=1)
    long = TrainConfig(layers=(2, 6, 1), epochs=400, data=data, seed=2)
    pairs = [(short, short.make_dataset()), (long, long.make_dataset())]
    factory = partial(variant_frames, pairs)
    by_process = finish(worker, qtbot, factory, variant_history)
    thread_worker = make_worker(qtbot, use_process=False)
    try:
        by_thread = finish(thread_worker, qtbot, factory, variant_history)
    finally:
        assert thread_worker.shutdown(5000)
    assert worker.route == "process" and len(by_process.history) == 2
    for mine, theirs in zip(by_process.history, by_thread.history, strict=True):
        assert_same_history(mine.per_step, theirs.per_step)
        assert_same_history(mine.weight_sets, theirs.weight_sets)
    run_frame = by_process.frame.frames[1]  # a frame inside the run's frame: read-only too
    assert not run_frame.weights[0].flags.writeable


def test_a_record_without_a_history_gets_every_frame(worker, qtbot):
    state = finish(worker, qtbot, partial(count_ticks, 500), StepList)
    assert worker.route == "process"
    assert state.history == tuple(range(500))


def test_every_state_mirrors_the_childs_rows_while_stepping(worker, qtbot):
    worker.start(partial(count_ticks, 200), record_ticks, playing=False)
    qtbot.waitUntil(lambda: newest_step(worker) == 0, timeout=BOOT_MS)
    assert worker.route == "process" and worker.status == "paused"
    for expected in range(1, 90):
        worker.step()
        qtbot.waitUntil(lambda e=expected: newest_step(worker) == e)
    history = worker.latest.history
    # a 64-row history after steps 0..89: stride 2 rows, then the newest as its tail
    assert history.steps.tolist() == [*range(0, 89, 2), 89]
    assert history.value.tolist() == [10.0 * s for s in history.steps]


def test_play_pause_step_reset_and_stop(worker, qtbot):
    worker.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 200, timeout=BOOT_MS)
    worker.pause()
    assert worker.status == "paused"
    qtbot.wait(300)  # the child has stopped and its last state has arrived
    paused_at = newest_step(worker)
    qtbot.wait(300)
    assert newest_step(worker) == paused_at
    worker.step()
    qtbot.waitUntil(lambda: newest_step(worker) == paused_at + 1)
    worker.play()
    qtbot.waitUntil(lambda: newest_step(worker) > paused_at + 100)
    worker.reset()
    assert worker.status == "paused"
    qtbot.waitUntil(lambda: newest_step(worker) == 0)
    worker.stop()
    assert worker.status == "stopped"
    generation = worker.generation
    qtbot.wait(200)
    assert worker.latest.frame.step == 0 and worker.generation == generation
    worker.play()  # after stop: from the beginning
    qtbot.waitUntil(lambda: newest_step(worker) > 10)
    assert worker.status == "playing"


def test_states_of_an_older_generation_are_dropped(worker, qtbot):
    worker.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 100, timeout=BOOT_MS)
    worker.start(partial(count_ticks, 10**9, offset=10**8), record_ticks, playing=False)
    worker.received.clear()
    qtbot.waitUntil(lambda: newest_step(worker) == 10**8)
    qtbot.wait(200)
    assert worker.received and all(s.generation == worker.generation for s in worker.received)
    assert all(s.frame.step == 10**8 for s in worker.received)
    assert worker.latest.history.steps.tolist() == [10**8]


def test_a_paced_run_keeps_its_pace(worker, qtbot):
    worker.set_speed(20.0)
    worker.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) >= 1, timeout=BOOT_MS)
    first = newest_step(worker)
    qtbot.wait(1000)
    # 20 steps/s: about 20 in a second; never a flat-out burst (which is ~10,000)
    assert 1 <= newest_step(worker) - first <= 60


def test_an_error_in_the_child_reaches_errored(worker, qtbot):
    with qtbot.waitSignal(worker.errored, timeout=BOOT_MS) as blocker:
        worker.start(partial(fail_at, 3), record_ticks, playing=True)
    assert blocker.args == ["ValueError: boom at step 3"]
    assert worker.status == "error"
    worker.start(partial(count_ticks, 5), record_ticks, playing=True)  # the child serves on
    qtbot.waitUntil(lambda: worker.status == "finished")
    assert newest_step(worker) == 4


def test_an_empty_run_finishes(worker, qtbot):
    worker.start(partial(count_ticks, 0), record_ticks, playing=True)
    qtbot.waitUntil(lambda: worker.status == "finished", timeout=BOOT_MS)
    assert worker.latest is None and not worker.errors


def test_a_dead_child_is_reported_and_replaced_on_the_next_start(worker, qtbot):
    worker.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 10, timeout=BOOT_MS)
    first_pid = worker.child_pid
    with qtbot.waitSignal(worker.errored, timeout=10_000) as blocker:
        os.kill(first_pid, signal.SIGKILL)
    assert "process ended unexpectedly" in blocker.args[0]
    assert worker.status == "error"
    worker.start(partial(count_ticks, 5), record_ticks, playing=True)
    qtbot.waitUntil(lambda: worker.status == "finished", timeout=BOOT_MS)
    assert worker.child_pid != first_pid and newest_step(worker) == 4


def test_the_first_start_shows_step_zero_while_the_child_boots(worker, qtbot):
    ready_at_each_state = []
    worker.state_ready.connect(
        lambda state: ready_at_each_state.append(worker._process.reader.ready.is_set())
    )
    worker.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    assert worker.route == "process"
    qtbot.waitUntil(lambda: newest_step(worker) == 0)
    # a preview thread computed step 0: a new interpreter and NumPy take far longer
    assert ready_at_each_state[0] is False
    qtbot.waitUntil(lambda: newest_step(worker) > 100, timeout=BOOT_MS)  # then the child's
    assert ready_at_each_state[-1] is True and worker.status == "playing"
    later = []
    worker.state_ready.connect(later.append)
    worker.start(partial(count_ticks, 5), record_ticks, playing=True)  # booted: no preview
    qtbot.waitUntil(lambda: worker.status == "finished")
    assert [s.frame.step for s in later][-1] == 4 and worker._preview is None


def test_unpicklable_runs_take_the_thread_route(worker, qtbot):
    worker.start(lambda: count_ticks(5), record_ticks, playing=True)
    assert worker.route == "thread" and worker.child_pid is None
    qtbot.waitUntil(lambda: worker.status == "finished")
    assert newest_step(worker) == 4


def test_the_child_imports_no_qt(worker, qtbot):
    state = finish(worker, qtbot, partial(qt_modules_loaded), record_ticks)
    assert worker.route == "process"
    assert state.history.value.tolist() == [0.0, 0.0, 0.0]
    thread_worker = make_worker(qtbot, use_process=False)
    try:  # the probe does see Qt where it is loaded
        assert finish(thread_worker, qtbot, partial(qt_modules_loaded), record_ticks).frame.value
    finally:
        assert thread_worker.shutdown(5000)


def test_hold_does_not_stop_a_run_in_the_child(worker, qtbot):
    worker.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(worker) > 10, timeout=BOOT_MS)
    worker.hold(True)
    held_at = newest_step(worker)
    qtbot.waitUntil(lambda: newest_step(worker) > held_at + 100)
    worker.hold(False)


def test_shutdown_leaves_no_child_process(qtbot):
    w = make_worker(qtbot)
    w.start(partial(count_ticks, 10**9), record_ticks, playing=True)
    qtbot.waitUntil(lambda: newest_step(w) > 10, timeout=BOOT_MS)
    pid = w.child_pid
    assert w.is_running()
    assert w.shutdown(5000)
    assert not w.is_running() and w.child_pid is None
    assert multiprocessing.active_children() == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_draw_budget_follows_the_route(worker, qtbot):
    loop = DrawLoop(worker, lambda state: None)
    try:
        loop.set_flat_out(True)
        worker.start(lambda: count_ticks(10**9), record_ticks, playing=False)
        assert loop.draw_budget() == FLAT_OUT_DRAW_BUDGET  # a thread run is held meanwhile
        worker.start(partial(count_ticks, 10**9), record_ticks, playing=False)
        assert loop.draw_budget() == PACED_DRAW_BUDGET  # a run in the child is not
        loop.set_flat_out(False)
        worker.start(lambda: count_ticks(10**9), record_ticks, playing=False)
        assert loop.draw_budget() == PACED_DRAW_BUDGET
    finally:
        loop.stop()
