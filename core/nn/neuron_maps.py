"""What each hidden neuron learned: its activation over the input plane.

For the network of a frame (weights, biases and batch-norm running statistics, evaluated
as in evaluation mode: no dropout) and a grid of inputs X covering the data, hidden unit j
of layer l responds with ``a[l][:, j] = f(z[l][:, j])``, ``z[l] = a[l-1] @ W[l] + b[l]``.
Two input features: a ``resolution`` x ``resolution`` image per unit over the data's
x-range and y-range (rows along the second feature). One input feature: an activation
curve per unit over the data's x-range. More features have no plane to draw on:
`NeuronMaps.reason` says so.

Every layer has one colour scale shared by its units (`LayerScale`): the activation's own
range where it is bounded (sigmoid 0..1, tanh -1..1), else what the units reach on the grid
(relu 0..max), so the units of a layer can be compared at a glance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.nn.datasets import Dataset
from core.nn.output_grid import data_bounds
from core.nn.train_config import TrainConfig, TrainFrame
from core.nn.training import network_at

__all__ = [
    "MAP_BUDGET",
    "LayerScale",
    "NeuronMaps",
    "hidden_activations",
    "layer_scale",
    "map_resolution",
    "neuron_maps",
]

MAP_BUDGET = 120 * 120 * 32  # grid points x hidden units per refresh ([2,16,16,1] at 120)
MIN_RESOLUTION = 24  # below this a map no longer shows a shape
# activation -> (lowest, highest) value it can take; None: unbounded on that side
_RANGES = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "relu": (0.0, None),
    "leaky_relu": (None, None),
    "linear": (None, None),
    "elu": (-1.0, None),
    "softplus": (0.0, None),
}
_CENTRES = {"sigmoid": 0.5, "tanh": 0.0}  # the undecided value a diverging scale centres on


@dataclass(frozen=True, slots=True)
class LayerScale:
    """The colour scale of one hidden layer: ``levels`` (lo, hi) shared by its units,
    ``centre`` the value a diverging scale is white at (None: a one-sided scale from lo),
    ``text`` the activation's range in words, e.g. ``"tanh: -1 to 1"``."""

    activation: str
    levels: tuple[float, float]
    centre: float | None
    text: str


@dataclass(frozen=True, slots=True, repr=False)
class NeuronMaps:
    """Every hidden unit's activation over the input plane at one step.

    ``kind``: ``"image"`` (two input features), ``"curve"`` (one) or ``"none"`` (more,
    or no hidden layer: ``reason`` says why in one sentence). ``layers[l]``: image kind
    (units, R, R) with rows along the second feature, curve kind (units, R); every value
    finite. ``x`` (R,) the inputs of a curve. ``bounds`` (x0, x1, y0, y1) of the plane.
    ``scales[l]`` the layer's shared `LayerScale`. Arrays are read-only.
    """

    kind: str
    bounds: tuple[float, float, float, float]
    layers: tuple[np.ndarray, ...] = ()
    scales: tuple[LayerScale, ...] = ()
    x: np.ndarray | None = None
    reason: str = ""
    step: int = 0

    def __repr__(self) -> str:
        units = [len(a) for a in self.layers]
        return f"NeuronMaps({self.kind!r}, step={self.step}, units={units})"


def map_resolution(layers, budget: int = MAP_BUDGET, most: int = 120) -> int:
    """Grid side R so that R^2 x (hidden units) stays within ``budget``, in
    [`MIN_RESOLUTION`, ``most``]: a large network gets coarser maps, not a slower refresh."""
    hidden = max(1, sum(int(n) for n in tuple(layers)[1:-1]))
    return int(min(most, max(MIN_RESOLUTION, math.isqrt(budget // hidden))))


def hidden_activations(config: TrainConfig, frame: TrainFrame, X: np.ndarray) -> list[np.ndarray]:
    """``[a[0], ..., a[L-2]]``: each hidden layer's activations (n, units) for inputs X at
    the frame's weights, in evaluation mode (no dropout; batch norm with running statistics)."""
    record = network_at(config, frame).forward(X, training=False)
    return [np.asarray(a) for a in record.a[:-1]]  # record.a is after dropout: none in eval


def layer_scale(activation: str, values: np.ndarray) -> LayerScale:
    """The shared scale of a layer of ``activation`` units whose maps hold ``values``.

    Bounded sides are the activation's own (sigmoid 0..1, tanh -1..1); an unbounded side is
    what the units reach; a scale of no width is widened to 1 so it can still be drawn."""
    low, high = _RANGES.get(activation, (None, None))
    seen = (0.0, 0.0)
    if low is None or high is None:  # only an unbounded side needs a pass over the maps
        finite = values[np.isfinite(values)]
        seen = (float(finite.min()), float(finite.max())) if finite.size else seen
    lo = seen[0] if low is None else low
    hi = seen[1] if high is None else high
    centre = _CENTRES.get(activation)
    if centre is None and lo < 0.0 < hi:  # a signed unbounded scale: symmetric about 0
        lo, hi, centre = -max(-lo, hi), max(-lo, hi), 0.0
    if hi <= lo:
        hi = lo + 1.0
    return LayerScale(activation, (lo, hi), centre, _range_text(activation, low, high, lo, hi))


def _range_text(activation, low, high, lo, hi) -> str:
    if low is not None and high is not None:
        return f"{activation}: {low:g} to {high:g}"
    left = f"{low:g}" if low is not None else f"min ({lo:.3g})"
    right = f"{high:g}" if high is not None else f"max ({hi:.3g})"
    return f"{activation}: {left} to {right}"


def neuron_maps(
    config: TrainConfig, frame: TrainFrame, dataset: Dataset, resolution: int | None = None
) -> NeuronMaps:
    """Every hidden unit's activation over the data's plane (see the module docstring).

    ``resolution`` None: `map_resolution` of the config's layers.
    """
    layers = tuple(config.layers)
    resolution = map_resolution(layers) if resolution is None else int(resolution)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    if len(layers) < 3:
        reason = "This network has no hidden layer: its inputs go straight to the output."
        return NeuronMaps("none", (0.0, 1.0, 0.0, 1.0), reason=reason, step=frame.step)
    if dataset.n_features > 2:
        reason = (
            f"With {dataset.n_features} input features there is no plane to draw a "
            "neuron's response on: a map needs one or two inputs."
        )
        return NeuronMaps("none", (0.0, 1.0, 0.0, 1.0), reason=reason, step=frame.step)
    bounds = data_bounds(dataset)
    x0, x1, y0, y1 = bounds
    xs = np.linspace(x0, x1, resolution)
    if dataset.n_features == 1:
        grid = xs[:, None]
    else:
        gx, gy = np.meshgrid(xs, np.linspace(y0, y1, resolution))  # rows: the second feature
        grid = np.column_stack([gx.ravel(), gy.ravel()])
    names = _activation_names(config, len(layers) - 2)
    maps, scales = [], []
    for a, name in zip(hidden_activations(config, frame, grid), names, strict=True):
        values = _finite(a.T)  # (units, points): one row per unit
        if dataset.n_features == 2:
            values = values.reshape(len(values), resolution, resolution)
        scales.append(layer_scale(name, values))
        maps.append(_read_only(values))
    kind = "curve" if dataset.n_features == 1 else "image"
    x = _read_only(xs) if kind == "curve" else None
    return NeuronMaps(kind, bounds, tuple(maps), tuple(scales), x, step=frame.step)


def _activation_names(config: TrainConfig, n_hidden: int) -> tuple[str, ...]:
    act = config.activation
    return (act,) * n_hidden if isinstance(act, str) else tuple(act)


def _finite(values: np.ndarray) -> np.ndarray:
    """A contiguous copy of ``values`` with NaN as 0 and infinities as large numbers."""
    values = np.ascontiguousarray(values)
    if not np.isfinite(values).all():  # rare (a diverging run): mend only then
        big = np.finfo(np.float64).max / 4
        np.nan_to_num(values, copy=False, nan=0.0, posinf=big, neginf=-big)
    return values


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
