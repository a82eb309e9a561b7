"""What the data view draws under the points: the network's output over the input space.

Two input features: the output on a ``resolution`` x ``resolution`` grid covering the data
(decision regions for classification: the predicted class and how sure the network is;
the predicted value for regression). One input feature: the output along a line, the
fitted curve (regression) or the probability of class 1. More features: a slice through
the input space, the grid over the first two with every other feature held at its mean
over the training part (``held`` names them with their values), so the view can say what
it shows; the points are the data's first two features, the others left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.datasets import Dataset
from core.nn.train_config import TrainConfig, TrainFrame
from core.nn.training import network_at

__all__ = ["OutputGrid", "data_bounds", "output_grid"]

MARGIN = 0.1  # share of the data's span added on every side


@dataclass(frozen=True, slots=True, repr=False)
class OutputGrid:
    """``kind``: regions (classification) or surface (regression) over the first two
    features, or curve (one feature). ``bounds`` (x0, x1, y0, y1). Regions: ``classes``
    (H, W) int and ``confidence`` (H, W) in [0, 1] (0 at the boundary); surface:
    ``values`` (H, W); curve: ``x``, ``y``.
    All arrays finite (a non-finite output is clipped), rows along the second feature.
    ``held``: (feature name, value) of every feature beyond the second, held at its
    training mean in the grid (empty for one or two features)."""

    kind: str
    bounds: tuple[float, float, float, float]
    classes: np.ndarray | None = None
    confidence: np.ndarray | None = None
    values: np.ndarray | None = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    step: int = 0
    held: tuple[tuple[str, float], ...] = ()

    def __repr__(self) -> str:
        return f"OutputGrid({self.kind!r}, step={self.step}, bounds={self.bounds})"


def data_bounds(dataset: Dataset) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around every point of both parts, with a margin; for one feature
    the y range is that of the targets (regression) or [-0.1, 1.1] (a probability)."""
    X = np.concatenate([dataset.X_train, dataset.X_test])
    lo, hi = X.min(axis=0), X.max(axis=0)
    if X.shape[1] == 1:
        if dataset.task == "regression":
            y = np.concatenate(
                [
                    dataset.y_train.reshape(len(dataset.y_train), -1)[:, 0],
                    dataset.y_test.reshape(len(dataset.y_test), -1)[:, 0],
                ]
            )
            lo, hi = np.array([lo[0], y.min()]), np.array([hi[0], y.max()])
        else:
            lo, hi = np.array([lo[0], 0.0]), np.array([hi[0], 1.0])
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def output_grid(
    config: TrainConfig, frame: TrainFrame, dataset: Dataset, resolution: int = 120
) -> OutputGrid:
    """The network of ``frame`` evaluated over the data's plane (see the module docstring)."""
    bounds = data_bounds(dataset)
    net = network_at(config, frame)
    x0, x1, y0, y1 = bounds
    if dataset.n_features == 1:
        xs = np.linspace(x0, x1, 4 * resolution)
        out = net.predict(xs[:, None])[:, 0]
        return OutputGrid("curve", bounds, x=xs, y=_finite(out), step=frame.step)
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    means = dataset.X_train[:, 2:].mean(axis=0)  # the slice: other features at their mean
    rest = np.broadcast_to(means, (gx.size, len(means)))
    out = _finite(net.predict(np.column_stack([gx.ravel(), gy.ravel(), rest])))
    held = tuple(zip(dataset.feature_names[2:], (float(m) for m in means), strict=True))
    shape = (resolution, resolution)
    if dataset.task == "regression":
        values = out[:, 0].reshape(shape)
        return OutputGrid("surface", bounds, values=values, step=frame.step, held=held)
    if out.shape[1] == 1:  # one sigmoid unit: class 1 above 0.5
        p = out[:, 0]
        classes, confidence = (p > 0.5).astype(np.int64), np.abs(2.0 * p - 1.0)
    else:
        classes = out.argmax(axis=1)
        top = out.max(axis=1)  # from 1/C (a tie) to 1 (certain)
        c = out.shape[1]
        confidence = (top - 1.0 / c) / (1.0 - 1.0 / c)
    return OutputGrid(
        "regions",
        bounds,
        classes=classes.reshape(shape),
        confidence=np.clip(confidence, 0.0, 1.0).reshape(shape),
        step=frame.step,
        held=held,
    )


def _finite(values: np.ndarray) -> np.ndarray:
    big = np.finfo(np.float64).max / 4
    return np.nan_to_num(values, nan=0.0, posinf=big, neginf=-big)
