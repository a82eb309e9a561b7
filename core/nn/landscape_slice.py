"""A slice of a network's loss landscape around a frame's weights, and its path drawn honestly.

The slice (Li et al. 2018, see `core.nn.weight_landscape`) is the data loss on the plane
``theta(alpha, beta) = theta_0 + alpha d1 + beta d2`` through the frame's weights
``theta_0``, along filter-normalized random directions or the two principal directions
of the recorded training path. The training path does not lie in that plane: each
recorded weight set theta_t is projected onto it, ``(alpha_t, beta_t)`` by least squares,
and the result keeps, for each point, what a naive drawing would hide:

- ``distance``: ``||theta_t - theta(alpha_t, beta_t)||``, how far the point is off the plane
  (also relative to ``||theta_first - theta_0||``, the length of the path's chord);
- ``true_loss``: the loss at theta_t itself (its own weights and batch-norm state);
- ``slice_loss``: the slice's loss at the projected point (computed exactly, not
  interpolated), the height a naive drawing would give the point.

`compute_slice` reports progress and can be stopped between chunks of points; a stopped
computation returns None and leaves nothing half made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from core.nn.losses import targets_from_labels
from core.nn.training import network_at
from core.nn.weight_landscape import (
    LandscapeCancelled,
    loss_at_points,
    pca_directions,
    project,
    random_directions,
)
from core.surfaces.colour_scale import (
    LEVEL_PERCENTILES,
    choose_colour_scale,
    colorbar_ticks,
    nice_step,
)
from core.surfaces.contours import level_segments_all
from core.surfaces.surface_grid import LandscapeGrid

__all__ = ["DIRECTION_KINDS", "HonestPath", "LandscapeSlice", "SliceSpec", "compute_slice"]

DIRECTION_KINDS = ("random", "pca")
RESOLUTION_RANGE = (11, 101)  # grid samples per side, odd: the centre is a sample
SPAN_RANGE = (0.05, 20.0)
MAX_PATH_POINTS = 120  # recorded weight sets used for the path (evenly thinned)

Progress = Callable[[int, int], bool]


@dataclasses.dataclass(frozen=True, slots=True)
class SliceSpec:
    """What slice to compute.

    directions: ``random`` (filter-normalized, seeded by ``seed``) or ``pca`` (the two
    principal directions of the recorded path). resolution: samples per side (odd).
    span: the half width of the square, in units of the directions for ``random`` (1 =
    each neuron's own weight norm) and of the path's farthest projected point for ``pca``.
    """

    directions: str = "random"
    resolution: int = 41
    span: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.directions not in DIRECTION_KINDS:
            raise ValueError(f"directions must be random or pca, got {self.directions!r}")
        lo, hi = RESOLUTION_RANGE
        r = self.resolution
        if isinstance(r, bool) or not isinstance(r, int) or not lo <= r <= hi or r % 2 == 0:
            raise ValueError(f"resolution must be an odd integer in [{lo}, {hi}], got {r!r}")
        lo, hi = SPAN_RANGE
        if not isinstance(self.span, (int, float)) or not lo <= self.span <= hi:
            raise ValueError(f"span must be a number in [{lo}, {hi}], got {self.span!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class HonestPath:
    """The recorded path on the slice (all arrays (T,) but ``coords`` (T, 2), read-only)."""

    steps: np.ndarray
    coords: np.ndarray
    distance: np.ndarray
    relative_distance: np.ndarray
    true_loss: np.ndarray
    slice_loss: np.ndarray

    def __repr__(self) -> str:
        far = float(self.relative_distance.max()) if len(self.steps) else 0.0
        return f"HonestPath(points={len(self.steps)}, farthest={far:.0%} of the chord)"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class LandscapeSlice:
    """A computed slice: ``loss[i, j]`` at ``(alphas[i], betas[j])``, the plane's origin
    (the frame's weights and biases, at ``step``), its directions, the honest path and
    the grid to draw (`core.surfaces.surface_grid.LandscapeGrid`, x = alpha, y = beta)."""

    spec: SliceSpec
    step: int
    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    origin: tuple
    directions: tuple
    path: HonestPath
    grid: object

    def __repr__(self) -> str:
        n = len(self.alphas)
        return f"LandscapeSlice({self.spec.directions}, {n}x{n}, step={self.step}, {self.path!r})"

    def weights_at(self, alpha: float, beta: float) -> tuple[tuple, tuple]:
        """``(weights, biases)`` at ``theta_0 + alpha d1 + beta d2`` (new arrays)."""
        (w0, b0), ((w1, b1), (w2, b2)) = self.origin, self.directions
        weights = tuple(w + alpha * u + beta * v for w, u, v in zip(w0, w1, w2, strict=True))
        biases = tuple(b + alpha * u + beta * v for b, u, v in zip(b0, b1, b2, strict=True))
        return weights, biases


def _read_only(values, dtype=float) -> np.ndarray:
    out = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out


def recorded_path(history, frame) -> list:
    """``(step, weights, biases, bn_state)`` of at most `MAX_PATH_POINTS` recorded weight
    sets up to ``frame.step`` (first kept, evenly thinned), ending with the frame itself."""
    steps = np.asarray(history.weight_steps) if history is not None else np.empty(0, int)
    rows = np.flatnonzero(steps < frame.step)
    if len(rows) > MAX_PATH_POINTS - 1:
        rows = rows[np.linspace(0, len(rows) - 1, MAX_PATH_POINTS - 1).round().astype(int)]
    kinds = () if history is None else (history.weights, history.biases, history.bn_state)
    path = [(int(steps[j]), *(tuple(c[j] for c in kind) for kind in kinds)) for j in rows]
    return [*path, (int(frame.step), frame.weights, frame.biases, frame.bn_state)]


def _directions(spec: SliceSpec, net, path: list):
    if spec.directions == "random":
        return random_directions(net, seed=spec.seed)
    if len(path) < 3:
        raise ValueError(
            f"directions: the principal directions need at least 3 recorded weight sets, "
            f"this run has {len(path)} so far (train a few steps first)"
        )
    return pca_directions([(w, b) for _, w, b, _ in path])


def _axis(spec: SliceSpec, coords: np.ndarray) -> np.ndarray:
    """Samples from -half to half with exactly 0 at the centre."""
    half = spec.span
    if spec.directions == "pca":  # the square reaches the farthest projected point
        reach = float(np.abs(coords).max()) if coords.size else 0.0
        half *= reach if reach > 0 else 1.0
    c = spec.resolution // 2
    return half * (np.arange(spec.resolution) - c) / c


def _true_losses(config, frame, path, X, y, tick: Callable[[], None]) -> np.ndarray:
    losses = []
    for _, weights, biases, bn_state in path:
        point = dataclasses.replace(frame, weights=weights, biases=biases, bn_state=bn_state)
        net = network_at(config, point)
        with np.errstate(all="ignore"):
            losses.append(net.data_loss(net.forward(X), y, config.loss))
        tick()
    return np.array(losses, dtype=float)


def compute_slice(config, frame, dataset, history, spec: SliceSpec, progress=None):
    """The slice around ``frame``'s weights and the recorded path on it (module docstring).

    ``history``: the run's `TrainingSnapshot` (None: the frame alone). ``progress(done,
    total) -> keep_going`` is called after each chunk of grid points and each path point;
    when it returns False the computation stops and None is returned. The data loss is
    over the training part in evaluation mode, as ``frame.train_loss``.
    """
    net = network_at(config, frame)
    X, n_out = dataset.X_train, net.sizes[-1]
    y = targets_from_labels(dataset.y_train, config.loss, n_out)
    path = recorded_path(history, frame)
    directions = _directions(spec, net, path)
    origin = (frame.weights, frame.biases)
    coords, distance = project([(w, b) for _, w, b, _ in path], directions, origin, True)
    axis = _axis(spec, coords)
    n_grid = len(axis) ** 2
    total = n_grid + 2 * len(path)
    done = [0]

    def report(count: int) -> bool:
        return progress is None or bool(progress(min(count, total), total))

    def tick() -> None:
        done[0] += 1
        if not report(n_grid + len(path) + done[0]):
            raise LandscapeCancelled("stopped on the path")

    try:
        grid_coords = np.column_stack([np.repeat(axis, len(axis)), np.tile(axis, len(axis))])
        loss = loss_at_points(
            net, X, y, config.loss, directions, grid_coords, progress=lambda d, _n: report(d)
        ).reshape(len(axis), len(axis))
        slice_loss = loss_at_points(net, X, y, config.loss, directions, coords)
        if not report(n_grid + len(path)):
            return None
        true_loss = _true_losses(config, frame, path, X, y, tick)
    except LandscapeCancelled:
        return None
    chord = distance_between(path[0], path[-1])
    honest = HonestPath(
        steps=_read_only([p[0] for p in path], int),
        coords=_read_only(coords),
        distance=_read_only(distance),
        relative_distance=_read_only(distance / chord if chord > 0 else distance * 0.0),
        true_loss=_read_only(true_loss),
        slice_loss=_read_only(slice_loss),
    )
    ro = _read_only
    direction_arrays = tuple(tuple(tuple(ro(a) for a in part) for part in d) for d in directions)
    return LandscapeSlice(
        spec=spec,
        step=int(frame.step),
        alphas=ro(axis),
        betas=ro(axis),
        loss=ro(loss),
        origin=(tuple(ro(w) for w in frame.weights), tuple(ro(b) for b in frame.biases)),
        directions=direction_arrays,
        path=honest,
        grid=slice_landscape_grid(axis, axis, loss),
    )


def distance_between(first, last) -> float:
    """Euclidean distance between two path points' weights and biases together."""
    parts = [np.ravel(a) - np.ravel(b) for k in (1, 2) for a, b in zip(first[k], last[k])]
    return float(np.sqrt(sum(float(p @ p) for p in parts)))


def slice_landscape_grid(alphas: np.ndarray, betas: np.ndarray, loss: np.ndarray) -> LandscapeGrid:
    """The slice as a `LandscapeGrid` (x = alpha, y = beta) for the heat map, its contours
    and the 3-D view: core's colour scale (linear, log or rank, whichever does not flatten
    the values), robust levels, round contour levels; overflowed samples hold the top."""
    z_loss = np.asarray(loss, dtype=float).T  # rows along beta, as the grid wants
    finite = np.isfinite(z_loss)
    scale = choose_colour_scale(z_loss[finite])
    display = scale.display(z_loss)
    top = float(display[finite].max()) if finite.any() else 1.0
    z = np.where(finite, display, top)
    lo, hi = (float(v) for v in np.percentile(z, LEVEL_PERCENTILES))
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    step = nice_step(hi - lo, 12)
    levels = np.arange(np.ceil(lo / step) * step, hi, step)
    levels = levels[(levels > lo) & (levels < hi)]
    segments = level_segments_all(alphas, betas, z, levels)[0]
    bounds = (float(alphas[0]), float(alphas[-1]), float(betas[0]), float(betas[-1]))
    is_log = scale.kind == "log"
    return LandscapeGrid(
        x=_read_only(alphas),
        y=_read_only(betas),
        z=_read_only(z),
        levels=(lo, hi),
        log_scale=is_log,
        contour_levels=_read_only(levels),
        contours=_read_only(segments),
        minima=_read_only(np.empty((0, 2))),
        bounds=bounds,
        loss_min=scale.loss_min,
        offset=scale.offset,
        scale=scale,
        overflow=_read_only(~finite, bool),
        colorbar_ticks=colorbar_ticks(scale, lo, hi),
        colorbar_title=f"slice: {scale.title}",
    )
