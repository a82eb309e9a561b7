"""Backprop speed: Slope's NumPy MLP against the NumPy limit and torch, and the loss grid.

Run: ``.venv/bin/python benchmarks/bench_network.py [--repeats N] [--clock cpu|wall]``

* forward + backward (loss and every dW, db) of a [2,16,16,1] tanh net on a batch of 32
  (target: at least 3x faster than torch) and of a [2,64,64,64,1] net on a batch of 256
  (target: within 1.3x of the NumPy limit), both float64 with an MSE loss. The NumPy
  limit is the same arithmetic written out by hand into preallocated arrays, with the
  same tanh: what any NumPy program must spend, so slope / limit is the cost of the
  framework (records, checks, allocation). torch does the same work with autograd
  (zero_grad, forward, mse_loss, backward);
* a 51 x 51 loss_grid of a [2,16,16,1] net on 500 samples (target: under 300 ms), with a
  per-point loop over ``MLP.compute_loss`` as the reference.

All run on one thread: torch.set_num_threads(1), and NumPy's BLAS limited by
threadpoolctl when installed, otherwise by the *_NUM_THREADS variables set below before
NumPy is imported. Timings are interleaved (Slope, limit, torch, Slope, ...) so that a
busy machine slows all alike; each figure is the median over many repeats. The clock is
the process's CPU time by default: with everything on one thread it equals wall time on
an idle machine, and on a shared one it leaves out the time other processes hold the
core (``--clock wall`` for wall time). The tanh route that core.nn.activations chose at
import is printed with its own timings.
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

from core.nn.activations import TANH_CALIBRATION, tanh, tanh_route  # noqa: E402
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


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def per_call(fn, calls: int, clock) -> float:
    """Seconds per call of ``fn`` over a block of ``calls`` calls, by ``clock``."""
    start = clock()
    for _ in range(calls):
        fn()
    return (clock() - start) / calls


def interleaved(fns: dict, calls: int, repeats: int, clock) -> dict:
    """Median seconds per call of each function, timed in alternation."""
    for fn in fns.values():
        per_call(fn, max(1, calls // 10), clock)  # warm up caches and lazy initialization
    samples = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            samples[name].append(per_call(fn, calls, clock))
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


class NumpyLimit:
    """Forward + backward of a tanh MLP with a linear output and MSE, written by hand.

    Every array is allocated once for a batch size; a step is only the arithmetic:
    z[l] = a[l-1] W[l] + b[l], a[l] = tanh z[l] (the output stays linear);
    L = mean (a - y)^2, delta = 2 (a - y) / N at the output; dW[l] = a[l-1]^T delta[l],
    db[l] = 1^T delta[l], delta[l-1] = (delta[l] W[l]^T) (1 - a[l-1]^2).
    """

    def __init__(self, net: MLP, batch: int):
        self.W, self.b = net.weights, net.biases  # read only
        shapes = [(batch, W.shape[1]) for W in self.W]
        self.z = [np.empty(shape) for shape in shapes]
        self.a = [np.empty(shape) for shape in shapes[:-1]]
        self.delta = [np.empty(shape) for shape in shapes]
        self.dW = [np.empty_like(W) for W in self.W]
        self.db = [np.empty_like(b) for b in self.b]
        self.ones = np.ones(batch)

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        """The loss; the gradients land in self.dW and self.db. y has shape (batch, 1)."""
        a = X
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = np.dot(a, W, out=self.z[layer])
            z += b
            a = tanh(z, self.a[layer]) if layer < len(self.a) else z
        delta = np.subtract(a, y, out=self.delta[-1])
        flat = delta.reshape(-1)
        loss = float(np.dot(flat, flat)) / flat.size
        delta *= 2.0 / flat.size
        for layer in range(len(self.W) - 1, -1, -1):
            a_prev = X if layer == 0 else self.a[layer - 1]
            np.dot(a_prev.T, delta, out=self.dW[layer])
            np.dot(self.ones, delta, out=self.db[layer])
            if layer:
                delta = np.dot(delta, self.W[layer].T, out=self.delta[layer - 1])
                slope = np.multiply(a_prev, a_prev, out=self.z[layer - 1])  # z is spent
                np.subtract(1.0, slope, out=slope)
                delta *= slope
        return loss


def forward_backward_case(sizes: list[int], batch: int, calls: int, repeats: int, clock) -> dict:
    rng = np.random.default_rng(0)
    net = MLP(sizes, activation="tanh", output="linear", seed=0)
    X, y = rng.normal(size=(batch, sizes[0])), rng.normal(size=batch)
    limit, y_column = NumpyLimit(net, batch), y.reshape(-1, 1)
    loss, dW, db = net.loss_and_grads(X, y, loss="mse")
    assert abs(limit.step(X, y_column) - loss) <= 1e-12 * loss, "the limit computes another loss"
    for ours, its in zip(dW + db, limit.dW + limit.db, strict=True):
        np.testing.assert_allclose(ours, its, rtol=1e-12, atol=1e-15)
    fns = {
        "slope": lambda: net.loss_and_grads(X, y, loss="mse"),
        "limit": lambda: limit.step(X, y_column),
    }
    if torch is not None:
        model = torch_model(net)
        X_t, y_t = torch.tensor(X), torch.tensor(y).reshape(-1, 1)

        def torch_step():
            model.zero_grad(set_to_none=True)
            torch.nn.functional.mse_loss(model(X_t), y_t).backward()

        torch_step()
        np.testing.assert_allclose(dW[0], model[0].weight.grad.numpy().T, rtol=1e-9)
        fns["torch"] = torch_step
    return interleaved(fns, calls, repeats, clock)


def loss_grid_case(repeats: int, clock) -> dict:
    rng = np.random.default_rng(0)
    net = MLP([2, 16, 16, 1], activation="tanh", output="linear", seed=0)
    X = rng.normal(size=(500, 2))
    y = np.sin(X[:, 0]) * X[:, 1]
    directions = random_directions(net, seed=1)
    axis = np.linspace(-1.0, 1.0, 51)
    grid = lambda: loss_grid(net, X, y, "mse", directions, axis, axis)  # noqa: E731
    timings = interleaved({"grid": grid}, 1, repeats, clock)

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

    timings["loop"] = per_call(per_point, 1, clock)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31, help="timed blocks per case")
    parser.add_argument("--clock", choices=CLOCKS, default="cpu", help="cpu or wall time")
    args = parser.parse_args()
    repeats, clock = args.repeats, CLOCKS[args.clock]
    print(
        f"numpy {np.__version__}, BLAS one thread via {BLAS_LIMIT}; "
        f"torch {torch.__version__ if torch else 'not installed'} (1 thread); {args.clock} time"
    )
    print(f"{TANH_CALIBRATION}, chosen at import; in use: {tanh_route()!r}")
    print(
        f"{'case':<38}{'slope':>10}{'limit':>10}{'torch':>10}"
        f"{'slope/limit':>13}{'torch/slope':>13}   target"
    )
    for sizes, batch, calls, target in (
        ([2, 16, 16, 1], 32, 400, ("torch/slope", 3.0)),
        ([2, 64, 64, 64, 1], 256, 40, ("slope/limit", 1.3)),
    ):
        t = forward_backward_case(sizes, batch, calls, repeats, clock)
        print(case_row(f"fwd+bwd {sizes} batch {batch}", t, target))
    g = loss_grid_case(max(5, repeats // 3), clock)
    verdict = "ok" if g["grid"] < 0.3 else "MISSED"
    print(
        f"{'loss_grid 51x51 [2,16,16,1] n=500':<38}{g['grid'] * 1e3:>10.1f}ms"
        f"{'':>46}   <300ms {verdict}"
    )
    print(
        f"{'  per-point loop, same grid':<38}{g['loop'] * 1e3:>10.1f}ms"
        f"{'':>46}   {g['loop'] / g['grid']:.1f}x faster than the loop"
    )


TIMED = ("slope", "limit", "torch")
RATIOS = ("slope/limit", "torch/slope")


def case_row(label: str, t: dict, target: tuple[str, float]) -> str:
    """One table row: times in microseconds, both ratios, the target and its verdict."""
    ratios = {"slope/limit": t["slope"] / t["limit"]}
    if "torch" in t:
        ratios["torch/slope"] = t["torch"] / t["slope"]
    name, bound = target
    at_most = name == "slope/limit"  # a cost ratio: lower is better; torch/slope: higher
    if name not in ratios:
        outcome = "no torch"
    else:
        met = ratios[name] <= bound if at_most else ratios[name] >= bound
        outcome = "ok" if met else "MISSED"
    verdict = f"{name} {'<=' if at_most else '>='}{bound}x {outcome}"
    times = "".join(f"{t[k] * 1e6:>8.1f}us" if k in t else f"{'-':>10}" for k in TIMED)
    shown = "".join(f"{ratios[k]:>12.2f}x" if k in ratios else f"{'-':>13}" for k in RATIOS)
    return f"{label:<38}{times}{shown}   {verdict}"


if __name__ == "__main__":
    main()
