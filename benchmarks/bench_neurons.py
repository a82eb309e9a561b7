"""Neuron thumbnails: one refresh of the Neurons tab for a [2,16,16,1] net, against the
same forward pass written out by hand in NumPy and against torch.

Run: ``.venv/bin/python benchmarks/bench_neurons.py [--repeats N] [--clock cpu|wall]``

A refresh is what the tab's background job does per state (target: under 30 ms): every
hidden unit's activation on a 120 x 120 grid over the data (`core.nn.neuron_maps`, a
forward pass of 14,400 points in evaluation mode, transposed to one map per unit, the
layer scales) and the coloured mosaics (`gui.network.inside.neurons_mosaic`). The NumPy
reference is the forward pass alone, by hand (``a = tanh(a @ W + b)`` per layer, then
the hidden activations reshaped per unit): what any NumPy program must spend to get the
maps; torch does the same forward under ``no_grad``. One thread for all (BLAS and
torch), timings interleaved, medians; CPU time of the process by default, so other
processes on a shared machine are left out (``--clock wall`` for wall time).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy loads its BLAS

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# one thread for BLAS and torch, the clocks and the interleaved medians: bench_network's
from benchmarks.bench_network import CLOCKS, interleaved, torch  # noqa: E402
from core.nn.datasets import make_dataset  # noqa: E402
from core.nn.neuron_maps import map_resolution, neuron_maps  # noqa: E402
from core.nn.output_grid import data_bounds  # noqa: E402
from core.nn.train_config import TrainConfig  # noqa: E402
from core.nn.training import train  # noqa: E402
from gui.network.inside.neurons_mosaic import thumbnails  # noqa: E402

TARGET_MS = 30.0
LAYERS = (2, 16, 16, 1)


def problem():
    """A [2,16,16,1] tanh net on moons after 50 steps, and its 120 x 120 input grid."""
    dataset = make_dataset("moons", n=500)
    config = TrainConfig(layers=LAYERS, activation="tanh", epochs=50, lr=0.5)
    *_, frame = train(config, dataset)
    r = map_resolution(LAYERS)
    x0, x1, y0, y1 = data_bounds(dataset)
    gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    return config, frame, dataset, np.column_stack([gx.ravel(), gy.ravel()]), r


def by_hand(frame, grid, r):
    """The NumPy reference: the hidden layers' activations, one (r, r) map per unit."""
    a, maps = grid, []
    for W, b in zip(frame.weights[:-1], frame.biases[:-1], strict=True):
        a = np.tanh(a @ W + b)
        maps.append(np.ascontiguousarray(a.T).reshape(a.shape[1], r, r))
    return maps


def by_torch(weights, biases, grid):
    with torch.no_grad():
        a, maps = grid, []
        for W, b in zip(weights[:-1], biases[:-1], strict=True):
            a = torch.tanh(torch.addmm(b, a, W))
            maps.append(a.T.contiguous())
        return maps


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    args = parser.parse_args(argv)
    clock = CLOCKS[args.clock]
    config, frame, dataset, grid, r = problem()
    ours = neuron_maps(config, frame, dataset, r)
    for mine, theirs in zip(ours.layers, by_hand(frame, grid, r), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)  # same numbers
    fns = {
        "refresh": lambda: thumbnails(config, frame, dataset),
        "maps": lambda: neuron_maps(config, frame, dataset, r),
        "numpy": lambda: by_hand(frame, grid, r),
    }
    if torch is not None:
        tw = [torch.tensor(np.asarray(W)) for W in frame.weights]
        tb = [torch.tensor(np.asarray(b)) for b in frame.biases]
        tg = torch.tensor(grid)
        fns["torch"] = lambda: by_torch(tw, tb, tg)
    t = interleaved(fns, calls=3, repeats=args.repeats, clock=clock)
    ms = {name: 1e3 * value for name, value in t.items()}
    print(f"clock: {args.clock}, {args.repeats} interleaved repeats of 3 calls, medians")
    for name, value in ms.items():
        print(f"  {name:8s} {value:7.2f} ms")
    verdict = "met" if ms["refresh"] < TARGET_MS else "NOT met"
    torch_part = f", torch forward {ms['torch']:.1f} ms" if "torch" in ms else ""
    print(
        f"README: Neuron thumbnails, [2,16,16,1] at {r}x{r}: {ms['refresh']:.1f} ms per refresh "
        f"off the main thread (target < {TARGET_MS:g} ms: {verdict}); maps alone "
        f"{ms['maps']:.1f} ms = {ms['maps'] / ms['numpy']:.2f}x the hand-written NumPy forward "
        f"({ms['numpy']:.1f} ms){torch_part}."
    )


if __name__ == "__main__":
    main()
