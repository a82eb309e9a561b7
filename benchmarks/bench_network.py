"""Backprop speed: Slope's NumPy MLP against torch on one CPU core, and the loss-grid time.

Run: ``.venv/bin/python benchmarks/bench_network.py [--repeats N]``

* forward + backward (loss and every dW, db) of a [2,16,16,1] tanh net on a batch of 32
  (target: at least 3x faster than torch) and of a [2,64,64,64,1] net on a batch of 256
  (target: at least 1.5x), both float64 with an MSE loss; torch does the same work with
  autograd (zero_grad, forward, mse_loss, backward);
* a 51 x 51 loss_grid of a [2,16,16,1] net on 500 samples (target: under 300 ms), with a
  per-point loop over ``MLP.compute_loss`` as the reference.

Both libraries run on one thread: torch.set_num_threads(1), and NumPy's BLAS limited by
threadpoolctl when installed, otherwise by the *_NUM_THREADS variables set below before
NumPy is imported. Timings are interleaved (NumPy, torch, NumPy, ...) so that a busy
machine slows both alike; each figure is the median over many repeats.
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

from core.nn.network import MLP  # noqa: E402
from core.nn.weight_landscape import loss_grid, random_directions  # noqa: E402

try:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    BLAS_LIMIT = "threadpoolctl"
except ImportError:
    BLAS_LIMIT = "OPENBLAS/OMP/MKL_NUM_THREADS=1"

try:
    import torch

    torch.set_num_threads(1)
except ImportError:
    torch = None


def per_call(fn, calls: int) -> float:
    """Seconds per call of ``fn`` over a block of ``calls`` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def interleaved(fns: dict, calls: int, repeats: int) -> dict:
    """Median seconds per call of each function, timed in alternation."""
    for fn in fns.values():
        per_call(fn, max(1, calls // 10))  # warm up caches and lazy initialization
    samples = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            samples[name].append(per_call(fn, calls))
    return {name: statistics.median(times) for name, times in samples.items()}


def torch_model(net: MLP):
    """A torch Sequential with the network's exact float64 weights."""
    layers = []
    for W, b in zip(net.weights, net.biases, strict=True):
        linear = torch.nn.Linear(*W.shape).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W.T))
            linear.bias.copy_(torch.tensor(b))
        layers += [linear, torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1])


def forward_backward_case(sizes: list[int], batch: int, calls: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    net = MLP(sizes, activation="tanh", output="linear", seed=0)
    X, y = rng.normal(size=(batch, sizes[0])), rng.normal(size=batch)
    fns = {"numpy": lambda: net.loss_and_grads(X, y, loss="mse")}
    if torch is not None:
        model = torch_model(net)
        X_t, y_t = torch.tensor(X), torch.tensor(y).reshape(-1, 1)

        def torch_step():
            model.zero_grad(set_to_none=True)
            torch.nn.functional.mse_loss(model(X_t), y_t).backward()

        torch_step()
        ours = net.loss_and_grads(X, y, loss="mse")[1][0]
        np.testing.assert_allclose(ours, model[0].weight.grad.numpy().T, rtol=1e-9)
        fns["torch"] = torch_step
    return interleaved(fns, calls, repeats)


def loss_grid_case(repeats: int) -> dict:
    rng = np.random.default_rng(0)
    net = MLP([2, 16, 16, 1], activation="tanh", output="linear", seed=0)
    X = rng.normal(size=(500, 2))
    y = np.sin(X[:, 0]) * X[:, 1]
    directions = random_directions(net, seed=1)
    axis = np.linspace(-1.0, 1.0, 51)
    grid = lambda: loss_grid(net, X, y, "mse", directions, axis, axis)  # noqa: E731
    timings = interleaved({"grid": grid}, 1, repeats)

    flat = [
        np.concatenate([p.ravel() for pair in zip(*d, strict=True) for p in pair])
        for d in directions
    ]
    centre = net.get_flat()

    def per_point():  # the reference: one forward pass per grid point
        twin = net.copy()
        for alpha in axis:
            for beta in axis:
                twin.set_flat(centre + alpha * flat[0] + beta * flat[1])
                twin.compute_loss(X, y, "mse")

    timings["loop"] = per_call(per_point, 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31, help="timed blocks per case")
    repeats = parser.parse_args().repeats
    print(
        f"numpy {np.__version__}, BLAS one thread via {BLAS_LIMIT}; "
        f"torch {torch.__version__ if torch else 'not installed'} (1 thread)"
    )
    print(f"{'case':<38}{'numpy':>12}{'torch':>12}{'ratio':>9}{'target':>10}")
    for sizes, batch, calls, target in (
        ([2, 16, 16, 1], 32, 400, 3.0),
        ([2, 64, 64, 64, 1], 256, 40, 1.5),
    ):
        t = forward_backward_case(sizes, batch, calls, repeats)
        label = f"fwd+bwd {sizes} batch {batch}"
        if "torch" in t:
            ratio = t["torch"] / t["numpy"]
            verdict = "ok" if ratio >= target else "MISSED"
            print(
                f"{label:<38}{t['numpy'] * 1e6:>10.1f}us{t['torch'] * 1e6:>10.1f}us"
                f"{ratio:>8.2f}x{f'>={target}x ' + verdict:>12}"
            )
        else:
            print(f"{label:<38}{t['numpy'] * 1e6:>10.1f}us{'-':>12}{'-':>9}")
    g = loss_grid_case(max(5, repeats // 3))
    verdict = "ok" if g["grid"] < 0.3 else "MISSED"
    print(
        f"{'loss_grid 51x51 [2,16,16,1] n=500':<38}{g['grid'] * 1e3:>10.1f}ms"
        f"{'':>12}{'':>9}{'<300ms ' + verdict:>12}"
    )
    print(
        f"{'  per-point loop, same grid':<38}{g['loop'] * 1e3:>10.1f}ms"
        f"{'':>12}{g['loop'] / g['grid']:>8.1f}x (batched grid vs loop)"
    )


if __name__ == "__main__":
    main()
