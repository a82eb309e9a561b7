"""Benchmark: 1,000 Adam runs x 2,000 steps on Rosenbrock, full history.

Prints the engine's CPU time (process time: steadier than wall time on a shared machine)
as ratios against these references, measured in the same run:
  * a hand-fused NumPy loop doing the same arithmetic (gradient, Adam update, loss, history,
    a finiteness test),
  * a per-run Python loop of our own (each run alone; timed on a subset of runs, scaled),
  * torch.optim.Adam, one parameter group per learning rate (when torch is importable;
    timed on a subset of steps, scaled).
Targets: >= 4x faster than torch.optim; within 1.5x of the hand-fused loop.

    python benchmarks/bench_descent.py [--runs 1000] [--steps 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from core.descent.trajectories import descend

START = (-1.5, 2.0)


def engine(lrs: np.ndarray, steps: int) -> np.ndarray:
    return descend("rosenbrock", "adam", lrs, START, steps).path


def hand_fused(lrs: np.ndarray, steps: int) -> np.ndarray:
    """The same arithmetic written out in one loop, no engine: gradient, Adam update, loss,
    history, and the cheapest form of the divergence test (is every loss finite?)."""
    k = len(lrs)
    path, loss = np.empty((steps + 1, k, 2)), np.empty((steps + 1, k))
    p = np.tile(START, (k, 1)).astype(np.float64)
    m, v = np.zeros_like(p), np.zeros_like(p)
    lr = lrs[:, None]
    path[0] = p
    x, y = p[:, 0], p[:, 1]
    loss[0] = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        r = y - x * x
        g = np.stack([-2 * (1 - x) - 400 * x * r, 200 * r], axis=1)
        m += 0.1 * (g - m)
        v = v * 0.999 + 0.001 * g * g
        p = p - lr / (1 - 0.9**t) * (m / (np.sqrt(v) / np.sqrt(1 - 0.999**t) + 1e-8))
        x, y = p[:, 0], p[:, 1]
        lt = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        if not np.isfinite(lt).all():  # freeze diverged runs at their last finite point
            bad = ~np.isfinite(lt)
            p[bad], lt[bad] = path[t - 1][bad], loss[t - 1][bad]
        path[t], loss[t] = p, lt
    return path


def per_run_loop(lrs: np.ndarray, steps: int) -> np.ndarray:
    """Our own engine, one run at a time."""
    return np.concatenate([descend("rosenbrock", "adam", [lr], START, steps).path for lr in lrs], 1)


def torch_optim(lrs: np.ndarray, steps: int) -> np.ndarray:
    import torch

    torch.set_num_threads(1)
    params = [torch.tensor(START, dtype=torch.float64, requires_grad=True) for _ in lrs]
    opt = torch.optim.Adam([{"params": [p], "lr": float(lr)} for p, lr in zip(params, lrs)])
    stacked = torch.stack
    path = np.empty((steps + 1, len(lrs), 2))
    path[0] = START
    for t in range(1, steps + 1):
        opt.zero_grad()
        q = stacked(params)
        x, y = q[:, 0], q[:, 1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).sum().backward()
        opt.step()
        path[t] = stacked(params).detach().numpy()
    return path


def torch_shared_lr(lrs: np.ndarray, steps: int) -> None:
    """torch's best case, NOT the same work: one (K, 2) tensor, one learning rate for all."""
    import torch

    torch.set_num_threads(1)
    q = torch.tensor(np.tile(START, (len(lrs), 1)), requires_grad=True)
    opt = torch.optim.Adam([q], lr=1e-3)
    path = np.empty((steps + 1, len(lrs), 2))
    for t in range(1, steps + 1):
        opt.zero_grad()
        x, y = q[:, 0], q[:, 1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).sum().backward()
        opt.step()
        path[t] = q.detach().numpy()


def best_of(fn, *args, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn(*args)
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    lrs = np.geomspace(1e-4, 1.0, args.runs)
    # Correctness first: the engine and the fused loop agree to rounding.
    np.testing.assert_allclose(engine(lrs[:50], 100), hand_fused(lrs[:50], 100), rtol=1e-9)
    t_engine = t_fused = 0.0
    for _ in range(3):  # interleaved, so machine noise hits both alike
        t_engine += best_of(engine, lrs, args.steps, repeat=1)
        t_fused += best_of(hand_fused, lrs, args.steps, repeat=1)
    t_engine, t_fused = t_engine / 3, t_fused / 3
    subset = max(args.runs // 50, 1)
    t_loop = best_of(per_run_loop, lrs[:subset], args.steps, repeat=1) * args.runs / subset
    print(f"work: {args.runs} Adam runs x {args.steps} steps on Rosenbrock, full history")
    print(f"{'engine (vectorized)':34s} {t_engine * 1e3:9.1f} ms   1.00x")
    print(
        f"{'hand-fused NumPy loop':34s} {t_fused * 1e3:9.1f} ms   "
        f"engine/fused = {t_engine / t_fused:.2f}  (target <= 1.5)"
    )
    print(
        f"{'per-run Python loop (scaled)':34s} {t_loop * 1e3:9.1f} ms   "
        f"engine is {t_loop / t_engine:.0f}x faster"
    )
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch.optim: not installed, skipped")
        return
    torch_steps = max(args.steps // 20, 10)
    t_torch = best_of(torch_optim, lrs, torch_steps, repeat=1) * args.steps / torch_steps
    print(
        f"{'torch.optim.Adam, a group per lr':34s} {t_torch * 1e3:9.1f} ms   "
        f"engine is {t_torch / t_engine:.1f}x faster  (target >= 4; "
        f"timed on {torch_steps} steps, scaled)"
    )
    t_shared = best_of(torch_shared_lr, lrs, args.steps, repeat=2)
    print(
        f"{'torch, one lr for all runs':34s} {t_shared * 1e3:9.1f} ms   "
        f"engine is {t_shared / t_engine:.1f}x faster  (not the same work: torch's best "
        f"case, one tensor and one shared lr)"
    )


if __name__ == "__main__":
    main()
