"""Loss-landscape slices of a network: Slope's batched slice against a NumPy loop and torch.

Run: ``.venv/bin/python benchmarks/bench_landscape.py [--repeats N] [--big-repeats N]``

* a 51 x 51 slice of a [2,16,16,1] tanh net on 500 samples (target: under 100 ms);
* a 51 x 51 slice of an 8 x 64 tanh net ([2, 64 x 8, 1]) on 1,000 samples (target: under
  2 s, with the progress bar from the first 100 ms).

For each: ``loss_at_points`` (the slice alone, what `compute_slice` spends on the grid),
the whole `compute_slice` (grid, the recorded path's projection, the true loss of up to
120 path points and the slice's loss under them, the grid to draw), the time to the
first progress report, and two references measured in the same run: a hand-written
NumPy loop (for each grid point: W + a d1 + b d2 per layer, one float32 forward pass, the
loss), and torch (float32, the same loop, no autograd) where importable. Each figure is
the median of interleaved repeats (slope, loop, torch, slope, ...) of the thread's CPU
time, one BLAS thread everywhere, so a busy machine slows all alike and other
processes' time is left out.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.nn.datasets import make_dataset  # noqa: E402
from core.nn.landscape_slice import SliceSpec, compute_slice  # noqa: E402
from core.nn.losses import targets_from_labels  # noqa: E402
from core.nn.train_config import TrainConfig  # noqa: E402
from core.nn.training import network_at, train  # noqa: E402
from core.nn.training_history import training_history  # noqa: E402
from core.nn.weight_landscape import (  # noqa: E402
    loss_at_points,
    random_directions,
    slice_workers,
)

try:
    import torch

    torch.set_num_threads(1)
except ImportError:
    torch = None

RESOLUTION = 51
CASES = (  # label, layers, training samples, target seconds
    ("[2,16,16,1] on 500", (2, 16, 16, 1), 500, 0.100),
    ("8 x 64 on 1,000", (2, *[64] * 8, 1), 1000, 2.0),
)


def _trained(layers, n_train: int, epochs: int = 20):
    data = make_dataset("moons", n=int(n_train / 0.75), seed=0)
    config = TrainConfig(layers=layers, activation="tanh", lr=0.1, epochs=epochs)
    history = None
    for frame in train(config, data):
        history = history or training_history(frame)
        history.append(frame)
    return config, data, frame, history.snapshot()


def _numpy_loop(weights, biases, directions, X, y, axis) -> np.ndarray:
    """The slice written out plainly: one float32 forward pass per grid point."""
    (d1w, d1b), (d2w, d2b) = directions
    f32 = np.float32
    W = [(w.astype(f32), u.astype(f32), v.astype(f32)) for w, u, v in zip(weights, d1w, d2w)]
    B = [(b.astype(f32), u.astype(f32), v.astype(f32)) for b, u, v in zip(biases, d1b, d2b)]
    X, y = X.astype(f32), y.astype(f32)
    out = np.empty((len(axis), len(axis)))
    for i, a in enumerate(axis.astype(f32)):
        for j, b in enumerate(axis.astype(f32)):
            h = X
            for layer, ((w, u, v), (c, p, q)) in enumerate(zip(W, B)):
                z = h @ (w + a * u + b * v) + (c + a * p + b * q)
                h = np.tanh(z) if layer < len(W) - 1 else z
            out[i, j] = np.mean(np.logaddexp(0.0, h) - h * y)  # BCE on the logit
    return out


def _torch_loop(weights, biases, directions, X, y, axis) -> np.ndarray:
    (d1w, d1b), (d2w, d2b) = directions
    t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
    W = [(t(w), t(u), t(v)) for w, u, v in zip(weights, d1w, d2w)]
    B = [(t(b), t(u), t(v)) for b, u, v in zip(biases, d1b, d2b)]
    X, y = t(X), t(y)
    out = np.empty((len(axis), len(axis)))
    with torch.no_grad():
        for i, a in enumerate(axis.tolist()):
            for j, b in enumerate(axis.tolist()):
                h = X
                for layer, ((w, u, v), (c, p, q)) in enumerate(zip(W, B)):
                    h = h @ (w + a * u + b * v) + (c + a * p + b * q)
                    h = torch.tanh(h) if layer < len(W) - 1 else h
                loss = torch.nn.functional.binary_cross_entropy_with_logits(h, y)
                out[i, j] = loss.item()
    return out


def _cpu(fn) -> float:
    """CPU seconds of every thread of this process (compute_slice shares out its chunks)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def _wall(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _first_report(config, frame, data, history, spec) -> float:
    """Seconds (wall) from the call to the first progress report."""
    start, first = time.perf_counter(), []

    def progress(done, total):
        first.append(first[0] if first else time.perf_counter() - start)
        return False  # one report is all this needs: stop there

    compute_slice(config, frame, data, history, spec, progress)
    return first[0]


def bench_case(label, layers, n_train, target, repeats) -> list[str]:
    config, data, frame, history = _trained(layers, n_train)
    net = network_at(config, frame)
    X = data.X_train
    y = targets_from_labels(data.y_train, config.loss, 1)
    directions = random_directions(net, seed=0)
    axis = np.linspace(-1.0, 1.0, RESOLUTION)
    coords = np.column_stack([np.repeat(axis, len(axis)), np.tile(axis, len(axis))])
    spec = SliceSpec("random", RESOLUTION, 1.0)
    runs = {
        "slice": lambda: loss_at_points(net, X, y, config.loss, directions, coords, workers=1),
        "compute_slice": lambda: compute_slice(config, frame, data, history, spec),
        "numpy loop": lambda: _numpy_loop(net.weights, net.biases, directions, X, y, axis),
    }
    if torch is not None:
        runs["torch loop"] = lambda: _torch_loop(net.weights, net.biases, directions, X, y, axis)
    reference = _numpy_loop(net.weights, net.biases, directions, X, y, axis).ravel()
    ours = runs["slice"]()
    error = float(np.max(np.abs(ours - reference) / np.maximum(np.abs(reference), 1e-12)))
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():  # interleaved: a busy moment slows every entry
            times[name].append(_cpu(fn))
    median = {name: statistics.median(t) for name, t in times.items()}
    first = statistics.median(_first_report(config, frame, data, history, spec) for _ in range(3))
    workers = slice_workers(len(coords))  # (as many chunks as points at most: an upper bound)
    wall = min(  # what the user waits for: the chunks shared over the CPUs (best of 3)
        _wall(lambda: loss_at_points(net, X, y, config.loss, directions, coords)) for _ in range(3)
    )
    verdict = "met" if wall <= target else "NOT met"
    lines = [
        f"{label}, {RESOLUTION}x{RESOLUTION}: slice {wall * 1e3:.0f} ms wall on {workers} "
        f"thread(s) (target {target * 1e3:.0f} ms: {verdict}; load {os.getloadavg()[0]:.1f}), "
        f"{median['slice'] * 1e3:.0f} ms CPU on one, compute_slice with the path "
        f"{median['compute_slice'] * 1e3:.0f} ms, first progress after "
        f"{first * 1e3:.1f} ms; max relative difference to the loop {error:.1e}",
    ]
    for name in ("numpy loop", "torch loop"):
        if name in median:
            ratio = median[name] / median["slice"]
            lines.append(f"    {name}: {median[name] * 1e3:.0f} ms, slope is {ratio:.1f}x faster")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="repeats of the small case")
    parser.add_argument("--big-repeats", type=int, default=2, help="repeats of the 8 x 64 case")
    args = parser.parse_args()
    print(
        "ratios: process CPU time (the slice on one thread), medians of interleaved repeats; "
        f"targets: wall time with the chunks on all CPUs; torch: {torch is not None}"
    )
    for (label, layers, n, target), repeats in zip(CASES, (args.repeats, args.big_repeats)):
        for line in bench_case(label, layers, n, target, repeats):
            print(line, flush=True)


if __name__ == "__main__":
    main()
