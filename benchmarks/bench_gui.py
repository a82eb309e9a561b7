"""GUI benchmark (offscreen): frame time, training slowdown with the window, flat memory.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui.py [--quick]

1. A 100-run learning-rate sweep on Rosenbrock, trained flat out standalone (the core
   generator and the history in this process, no Qt: the reference), then by the
   `RunWorker` with the whole window attached (1600 x 960, 400 x 400 landscape), once
   per route: in a thread (sharing the window's interpreter lock) and in the run's child
   process. Training steps per second, their ratio (target: window >= 0.8 x alone) and
   the frames drawn per second meanwhile (target: >= 25), all measured in the same run.
2. The main thread's frame time over 300 drawn frames, p50 and p95 (target: p95 < 16 ms):
   updating the views with a new state (`MainWindow._draw`), and that plus painting, and
   the main thread's CPU time over that span (``time.thread_time``: what a frame costs,
   apart from waiting for a core that a shared machine's other work holds).
   How long the first start takes to show step 0 (a new child interpreter) and a later one.
3. Resident memory along a 1,000,000-step run of the same sweep, of this process and of
   the run's process (target: flat, because the history thins itself instead of growing).
4. The network workspace (``--network``: this section only): a [2, 8, 8, 8, 1] and an
   8 x 64 network trained flat out on moons, standalone (variant generator and recorder,
   no Qt) and with the window's network workspace attached (diagram, data view with its
   background output grid, curves, gradient strip): steps per second, their ratio
   (target >= 0.8) and the frame time p50/p95 (targets: p95 < 16 ms and < 33 ms).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as main.py sets
os.environ.setdefault("OMP_NUM_THREADS", "1")  # for the window
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from core.descent.engine import DescentConfig, DescentRun, lr_sweep
from core.descent.recording import descent_history
from core.descent.replay import DescentFrames
from gui.shell import theme
from gui.shell.worker import RunWorker

SWEEP = DescentConfig(
    surface="rosenbrock", learning_rates=lr_sweep(1e-4, 1e-2, 100), steps=10_000_000
)


def pump(app: QApplication, condition, timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` or the timeout; True if it held."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    return True


IDLE_CHECK_MS = 50  # how often `idle` checks its condition: ample for what it waits for


def idle(app: QApplication, condition, timeout_s: float) -> bool:
    """Like `pump`, but the event loop sleeps between events, as the window's own does.

    ``condition()`` is checked every `IDLE_CHECK_MS`. A loop that spins on
    ``processEvents`` takes a core (and the interpreter lock) from the run it measures,
    and a check every few milliseconds costs the window's main thread a share of each
    frame (a timer event with a Python call, 200 a second).
    """
    if condition():
        return True
    loop, deadline = QEventLoop(), time.perf_counter() + timeout_s

    def check() -> None:
        if condition() or time.perf_counter() > deadline:
            loop.quit()

    timer = QTimer(interval=IDLE_CHECK_MS)
    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    return bool(condition())


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def steps_per_second(worker: RunWorker, app: QApplication, seconds: float) -> float:
    """Training rate measured from the worker's own states over ``seconds``."""
    idle(app, lambda: worker.latest is not None and worker.latest.frame.step > 200, 30)
    first_step, t0 = worker.latest.frame.step, time.perf_counter()
    idle(app, lambda: False, seconds)
    return (worker.latest.frame.step - first_step) / (time.perf_counter() - t0)


def bench_alone(app: QApplication, seconds: float) -> float:
    """The standalone step rate: what the worker's thread does per step (the core
    generator plus folding each frame into its history), with no Qt and no window."""
    frames = DescentRun(SWEEP).frames()
    first = next(frames)
    history = descent_history(first)
    history.append(first)
    for _ in range(199):  # warm up like the attached measurement
        history.append(next(frames))
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        history.append(next(frames))
        steps += 1
    return steps / (time.perf_counter() - t0)


def open_window(app: QApplication):
    from gui.shell.main_window import MainWindow

    window = MainWindow()
    window.resize(1600, 960)
    window.show()
    window.controls.run.flat_out.setChecked(True)
    return window


def start_sweep(app: QApplication, window, route: str) -> float:
    """Start the sweep paused on ``route``; seconds until step 0 arrived."""
    worker = window.worker
    worker.use_process = route == "process"
    t0 = time.perf_counter()
    window.controller.apply_config(SWEEP, playing=False)
    idle(app, lambda: worker.latest is not None and worker.latest.frame.step == 0, 60)
    first_state_s = time.perf_counter() - t0
    if worker.route != route:
        raise RuntimeError(f"the sweep ran on the {worker.route} route, not {route}")
    if not idle(app, lambda: window.grid_ready, 60):
        raise RuntimeError("the landscape grid was not ready within 60 s")
    return first_state_s


def bench_rates(app: QApplication, window, rounds: int, seconds: float):
    """Alternate training alone and training with the window, ``rounds`` times each.

    The machine may be shared: interleaving the two and taking medians keeps a busy
    neighbour from deciding the ratio. Returns (alone, with window, frames/s) medians.
    """
    alone, attached, fps = [], [], []
    pacer = window.descent_space.draw_loop.pacer
    for _ in range(rounds):
        window.worker.pause()
        alone.append(bench_alone(app, seconds))
        window.worker.play()
        idle(app, lambda: False, 1.0)  # the pacer settles on its interval
        pacer.hold_times.clear()
        started = time.perf_counter()
        attached.append(steps_per_second(window.worker, app, seconds))
        fps.append(len(pacer.hold_times) / (time.perf_counter() - started))
        print(f"  round: alone {alone[-1]:7,.0f}  with window {attached[-1]:7,.0f} steps/s")
    return float(np.median(alone)), float(np.median(attached)), float(np.median(fps))


def bench_frames(app: QApplication, window, frames: int):
    """Frame cost over ``frames`` redraws, drawing as often as the pacer allows.

    A thread run is held while a frame is drawn and painted, a run in the child process
    trains on the other core, so training does not change the cost much; the interval is
    pinned to 16 ms so that 300 frames come quickly.
    """
    pacer = window.descent_space.draw_loop.pacer
    max_interval_ms, pacer.max_interval_ms = pacer.max_interval_ms, pacer.min_interval_ms
    window.descent_space.draw_loop.draw_times.clear()
    pacer.hold_times.clear()
    idle(app, lambda: len(window.descent_space.draw_loop.draw_times) >= frames, 300)
    pacer.max_interval_ms = max_interval_ms
    draw = np.array(window.descent_space.draw_loop.draw_times)[-frames:] * 1000.0
    held = np.array(pacer.hold_times)[-frames:] * 1000.0
    cpu = np.array(pacer.cpu_times)[-frames:] * 1000.0
    return draw, held, cpu


def bench_route(app: QApplication, window, route: str) -> None:
    """Sections 1 and 2 with the window's worker on ``route``."""
    first_state_s = start_sweep(app, window, route)
    window.worker.play()
    alone, with_window, fps = bench_rates(app, window, rounds=3, seconds=4.0)
    draw, held, cpu = bench_frames(app, window, 300)
    window.worker.pause()
    print(f"[{route} route] step 0 shown {first_state_s * 1000:.0f} ms after the start")
    print(f"training alone:        {alone:9,.0f} steps/s (reference, median of 3)")
    print(f"training with window:  {with_window:9,.0f} steps/s  ratio {with_window / alone:.2f}")
    for label, times in (("update views", draw), ("update + paint", held), ("its CPU", cpu)):
        p50, p95 = np.percentile(times, [50, 95])
        print(f"frame time, {label:14s} (300 frames): p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
    print(f"frames drawn per second while training flat out (paced by the window): {fps:.1f}")


def bench_memory(app: QApplication, total_steps: int) -> list[tuple[int, float, float]]:
    """(step, this process's RSS, the run process's RSS) at every tenth of the run."""
    worker = RunWorker()
    worker.set_speed(None)
    config = SWEEP.replace(steps=total_steps)
    worker.start(DescentFrames(config), descent_history, playing=True)
    samples, next_mark = [], total_steps // 10
    t0 = time.perf_counter()
    while worker.status != "finished":

        def reached(mark=next_mark) -> bool:
            return worker.latest is not None and worker.latest.frame.step >= mark

        idle(app, reached, 1)
        if reached():
            samples.append((worker.latest.frame.step, rss_mb(), rss_mb(worker.child_pid)))
            next_mark += total_steps // 10
        if time.perf_counter() - t0 > 3600:
            raise RuntimeError("the memory run took longer than an hour")
    worker.shutdown(2000)
    return samples


# -- the network workspace ---------------------------------------------------------------
def network_configs() -> dict:
    from core.nn.data_spec import DataSpec
    from core.nn.train_config import TrainConfig

    data = DataSpec("moons", n=200)
    small = TrainConfig(layers=(2, 8, 8, 8, 1), epochs=10**6, data=data)
    large = TrainConfig(layers=(2, *[64] * 8, 1), epochs=10**6, data=data)
    return {"[2, 8, 8, 8, 1]": small, "8 x 64": large}


def network_alone(config, seconds: float) -> float:
    """Steps per second of what the run thread does: the variant generator and recorder."""
    from core.nn.variant_run import variant_frames, variant_history

    frames = variant_frames([(config, config.make_dataset())])
    first = next(frames)
    history = variant_history(first)
    history.append(first)
    for _ in range(50):
        history.append(next(frames))
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        history.append(next(frames))
        steps += 1
    return steps / (time.perf_counter() - t0)


def network_attached(app: QApplication, window, seconds: float):
    """(steps/s, draw ms, draw + paint ms, main-thread CPU ms per frame) of the network
    workspace's run, playing, with the window drawing it, over ``seconds``.

    The event loop sleeps between events (`idle`): a loop spinning on ``processEvents``
    would take the core the run's process trains on. The main thread's CPU time per
    drawn frame (``time.thread_time``) is what the window costs, whatever the load of a
    shared machine does to wall-clock times.
    """
    space = window.network_space
    worker, loop = space.worker, space.draw_loop
    worker.play()
    idle(app, lambda: False, SETTLE_S)  # the pacer settles on its interval
    loop.draw_times.clear()
    loop.pacer.hold_times.clear()
    loop.pacer.cpu_times.clear()
    first, t0, cpu0 = worker.latest.frame.step, time.perf_counter(), time.thread_time()
    idle(app, lambda: False, seconds)
    rate = (worker.latest.frame.step - first) / (time.perf_counter() - t0)
    cpu_per_frame = (time.thread_time() - cpu0) * 1000.0 / max(len(loop.draw_times), 1)
    draw = np.array(loop.draw_times) * 1000.0
    held = np.array(loop.pacer.hold_times) * 1000.0
    held_cpu = np.array(loop.pacer.cpu_times) * 1000.0
    worker.pause()
    idle(app, lambda: worker.status != "playing", 5.0)
    return rate, draw, held, held_cpu, cpu_per_frame


SETTLE_S = 0.5  # after play: the run's process and the window's pacer are up to speed


def start_network(app: QApplication, window, config) -> str:
    """Start ``config`` in the network workspace, flat out, paused after its first
    frames; returns the worker's route."""
    space = window.network_space
    space.controls.training.flat_out.setChecked(True)
    space.controller.overrides = []
    space.controller.apply_config(config, playing=True)
    worker = space.worker
    idle(app, lambda: worker.latest is not None and worker.latest.frame.step > 50, 120)
    worker.pause()
    idle(app, lambda: worker.status != "playing", 5.0)
    return worker.route


def bench_network(app: QApplication, rounds: int = 8, seconds: float = 2.5) -> None:
    """Alternate ``rounds`` times between training alone and training with the window.

    On a shared machine the standalone rate itself drifts by 15-40 % within a minute, so
    the ratio is taken per round, of two measurements a few seconds apart (their order
    alternates, so a drift does not favour either), and its median reported, beside the
    ratio of the two medians.
    """
    from gui.shell.main_window import MainWindow

    with open("/proc/loadavg") as handle:
        print(f"load average before: {' '.join(handle.read().split()[:3])}")

    window = MainWindow()
    window.resize(1600, 960)
    window.show()
    window.show_space_of("network")
    for name, config in network_configs().items():
        route = start_network(app, window, config)
        alone, attached, draws, helds, held_cpus, cpus = [], [], [], [], [], []
        for i in range(rounds):
            if i % 2 == 0:
                alone.append(network_alone(config, seconds))
            rate, draw, held, held_cpu, cpu = network_attached(app, window, seconds)
            if i % 2 == 1:
                alone.append(network_alone(config, seconds))
            attached.append(rate)
            draws.append(draw)
            helds.append(held)
            held_cpus.append(held_cpu)
            cpus.append(cpu)
            print(
                f"  {name}: alone {alone[-1]:7,.0f}  with window {rate:7,.0f} steps/s "
                f"(ratio {rate / alone[-1]:.2f}), main-thread CPU {cpu:5.1f} ms per frame drawn"
            )
        a, w = float(np.median(alone)), float(np.median(attached))
        paired = float(np.median(np.array(attached) / np.array(alone)))
        print(
            f"network {name} ({route} route, {rounds} rounds of {seconds:g} s): "
            f"alone {a:,.0f} steps/s, with window {w:,.0f}; "
            f"ratio {paired:.2f} (median of rounds), {w / a:.2f} (of medians)"
        )
        print(f"  main-thread CPU per frame drawn (median of rounds): {np.median(cpus):5.1f} ms")
        for label, times in (
            ("update views", draws),
            ("update + paint", helds),
            ("its CPU", held_cpus),
        ):
            times = np.concatenate(times)
            p50, p95 = np.percentile(times, [50, 95])
            count = f"({len(times)} frames)"
            print(f"  frame time, {label:14s} {count}: p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 steps for the memory run")
    parser.add_argument("--network", action="store_true", help="the network section only")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply_theme(app)
    if args.network:
        bench_network(app)
        return 0
    print(f"100-run lr sweep on Rosenbrock, 400 x 400 landscape, {os.cpu_count()} CPU(s)")
    window = open_window(app)
    # the first start boots the run's process; the routes' own starts come after
    print(
        f"first start (new run process): step 0 after {start_sweep(app, window, 'process'):.2f} s"
    )
    for route in ("thread", "process"):
        bench_route(app, window, route)
    window.close()
    total = 100_000 if args.quick else 1_000_000
    t0 = time.perf_counter()
    samples = bench_memory(app, total)
    print(
        f"memory over a {total:,}-step run in the run process ({time.perf_counter() - t0:.0f} s):"
    )
    for step, mb, child_mb in samples:
        print(f"  step {step:>9,}: RSS {mb:7.1f} MB here, {child_mb:7.1f} MB in the run process")
    growth = samples[-1][1] - samples[0][1]
    child_growth = samples[-1][2] - samples[0][2]
    print(
        f"RSS growth from the first sample to the last: {growth:+.1f} MB here, "
        f"{child_growth:+.1f} MB in the run process"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
