"""What became of each start point: which known minimum it reached, how fast, or divergence.

A grid of start points run to the end gives a map of basins of attraction: on
Himmelblau's function, four regions, one per minimum. `classify_outcomes` labels every
run; when the starts form a full grid it also records the grid layout so a view can
draw the result as an image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_MINIMUM = -1
DIVERGED = -2
# Default distance tolerance: this fraction of the bounds' diagonal.
_TOL_FRACTION = 0.02


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, slots=True)
class OutcomeMap:
    """Per-start outcome of a set of runs.

    Attributes
    ----------
    starts : (K, 2) start points.
    minimum_index : (K,) int, index into ``minima`` of the minimum reached, ``-1`` when the
        run ended away from every known minimum, ``-2`` when it diverged.
    steps : (K,) int, steps until the run settled (or the step at which it diverged).
    minima : (M, 2) the known minima the indices refer to.
    grid_shape : (ny, nx) when the starts form a full grid, else None.
    grid_index : (ny, nx) run index at each grid cell (rows by increasing y, columns by
        increasing x), or None.
    tol : distance to a minimum under which it counts as reached.
    """

    starts: np.ndarray
    minimum_index: np.ndarray
    steps: np.ndarray
    minima: np.ndarray
    grid_shape: tuple[int, int] | None
    grid_index: np.ndarray | None
    tol: float

    def counts(self) -> dict[int, int]:
        """How many starts ended in each outcome (minimum index, -1 none, -2 diverged)."""
        values, counts = np.unique(self.minimum_index, return_counts=True)
        return {int(v): int(c) for v, c in zip(values, counts, strict=True)}

    def __repr__(self) -> str:
        grid = f"{self.grid_shape[0]}x{self.grid_shape[1]} grid" if self.grid_shape else "scattered"
        return f"OutcomeMap({len(self.starts)} starts, {grid}, counts={self.counts()})"


def _as_points(name: str, arr) -> np.ndarray:
    arr = np.asarray(arr, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (K, 2), got {arr.shape}")
    return arr


def settle_steps(loss: np.ndarray, steps: np.ndarray | None = None, rel: float = 1e-3):
    """Steps until each run's loss stays within ``rel`` of its total decrease of the end.

    A run has settled at row ``n`` when for every later row ``m >= n``:
    ``loss[m] - loss[-1] <= rel * (loss[0] - loss[-1]) + 1e-12``.

    Parameters
    ----------
    loss : (N, K) loss history (rows in step order).
    steps : (N,) step number of each row (a thinned history); default ``0..N-1``.
    """
    loss = np.asarray(loss, dtype=float)
    if loss.ndim != 2 or loss.shape[0] == 0:
        raise ValueError(f"loss history must have shape (N, K) with N >= 1, got {loss.shape}")
    steps = np.arange(loss.shape[0]) if steps is None else np.asarray(steps)
    if steps.shape != (loss.shape[0],):
        raise ValueError(f"steps must have shape ({loss.shape[0]},), got {steps.shape}")
    final = loss[-1]
    with np.errstate(invalid="ignore", over="ignore"):
        threshold = rel * np.abs(loss[0] - final) + 1e-12
        unsettled = ~(loss - final <= threshold)  # NaN counts as unsettled
    # last unsettled row + 1 (0 when never unsettled)
    last_bad = loss.shape[0] - np.argmax(unsettled[::-1], axis=0)
    row = np.where(unsettled.any(axis=0), last_bad, 0)
    row = np.minimum(row, loss.shape[0] - 1)
    return steps[row].astype(int)


def _grid_layout(starts: np.ndarray) -> tuple[tuple[int, int] | None, np.ndarray | None]:
    """(ny, nx) and the run index per cell when ``starts`` is a full grid, else (None, None)."""
    scale = max(float(np.ptp(starts)), 1e-12)
    keys = np.round(starts / scale, 9)
    xs, xi = np.unique(keys[:, 0], return_inverse=True)
    ys, yi = np.unique(keys[:, 1], return_inverse=True)
    nx, ny = xs.size, ys.size
    if nx < 2 or ny < 2 or nx * ny != len(starts):
        return None, None
    index = np.full((ny, nx), -1, dtype=int)
    index[yi, xi] = np.arange(len(starts))
    if (index < 0).any():  # duplicates leave holes
        return None, None
    return (int(ny), int(nx)), index


def classify_outcomes(
    surface, starts, final_points, diverged_at, steps, tol=None, history_steps=None
) -> OutcomeMap:
    """Label each run by the known minimum it ended near.

    Run ``k`` reached minimum ``m`` when ``|final_points[k] - minima[m]| <= tol`` for the
    nearest ``m``; it gets ``-2`` when ``diverged_at[k] >= 0`` and ``-1`` otherwise.

    Parameters
    ----------
    surface : has ``minima (M, 2)`` and ``bounds``.
    starts, final_points : (K, 2).
    diverged_at : (K,) int, step of divergence or -1.
    steps : (K,) steps each run took to settle, or an (N, K) loss history from which
        they are computed (`settle_steps`, rows at ``history_steps``).
    tol : distance tolerance; default 2 % of the diagonal of ``surface.bounds``.
    """
    starts = _as_points("starts", starts)
    final_points = _as_points("final_points", final_points)
    k = len(starts)
    if final_points.shape != (k, 2):
        raise ValueError(f"final_points must have shape ({k}, 2), got {final_points.shape}")
    diverged_at = np.asarray(diverged_at).astype(int)
    if diverged_at.shape != (k,):
        raise ValueError(f"diverged_at must have shape ({k},), got {diverged_at.shape}")
    steps = np.asarray(steps)
    if steps.ndim == 2:
        steps = settle_steps(steps, history_steps)
    if steps.shape != (k,):
        raise ValueError(f"steps must have shape ({k},) or (N, {k}), got {steps.shape}")
    if tol is None:
        xmin, xmax, ymin, ymax = surface.bounds
        tol = _TOL_FRACTION * float(np.hypot(xmax - xmin, ymax - ymin))
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a finite number > 0, got {tol}")
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    index = np.full(k, NO_MINIMUM, dtype=int)
    if len(minima):
        dist = np.linalg.norm(final_points[:, None, :] - minima[None, :, :], axis=2)
        nearest = np.argmin(np.nan_to_num(dist, nan=np.inf), axis=1)
        reached = np.take_along_axis(dist, nearest[:, None], axis=1)[:, 0] <= tol
        index = np.where(reached, nearest, NO_MINIMUM)
    gone = diverged_at >= 0
    index = np.where(gone, DIVERGED, index)
    steps = np.where(gone, diverged_at, steps).astype(int)
    shape, grid_index = _grid_layout(starts)
    return OutcomeMap(
        starts=_read_only(starts),
        minimum_index=_read_only(index),
        steps=_read_only(steps),
        minima=_read_only(minima),
        grid_shape=shape,
        grid_index=None if grid_index is None else _read_only(grid_index),
        tol=float(tol),
    )
