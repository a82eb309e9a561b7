"""A loss landscape sampled on a regular grid, ready to be drawn.

The views never evaluate a surface themselves: `landscape_grid` samples it once, turns
the values into something a colour map can show (log-compressed where the surface asks
for it), picks colour levels that a single huge value cannot flatten, and chooses
contour levels at round numbers. `contour_segments` traces those contours (marching
squares) into plain line segments, so a view draws them as one item.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

# Robust colour levels: ignore the most extreme 0.5 % on each side.
_LEVEL_PERCENTILES = (0.5, 99.5)
# Log scale: loss - min + offset, offset = this fraction of the robust spread of the loss.
_LOG_OFFSET_FRACTION = 1e-5
_MAX_RESOLUTION = 2000


@dataclass(frozen=True, slots=True)
class LandscapeGrid:
    """A surface sampled on a grid, in display units.

    Attributes
    ----------
    x, y : (nx,), (ny,) sample coordinates (increasing).
    z : (ny, nx) display value at ``(y[i], x[j])``, row-major, always finite:
        the loss itself, or ``log10(loss - loss_min + offset)`` when ``log_scale``.
    levels : (lo, hi) colour levels in display units (robust percentiles).
    log_scale : whether ``z`` is log-compressed.
    contour_levels : display values at which contour lines are drawn (round numbers).
    minima : (M, 2) known minima of the surface.
    bounds : (xmin, xmax, ymin, ymax) of the grid.
    loss_min, offset : the shift used by the log scale (``display_value``).
    gradient_scale : median gradient norm over the grid (scales drawn arrows).
    start : the surface's suggested start point.
    title : the surface's display name.
    contours : (S, 2, 2) contour line segments at ``contour_levels`` (traced once here,
        off the GUI thread when the grid is built by a worker).
    surface : the sampled surface (lets `resample` draw the same landscape on another box).
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    levels: tuple[float, float]
    log_scale: bool
    contour_levels: np.ndarray
    minima: np.ndarray
    bounds: tuple[float, float, float, float]
    loss_min: float = 0.0
    offset: float = 1.0
    gradient_scale: float = 1.0
    start: tuple[float, float] = (0.0, 0.0)
    title: str = field(default="")
    contours: np.ndarray = field(default_factory=lambda: np.empty((0, 2, 2)))
    surface: object = field(default=None, repr=False, compare=False)

    def display_value(self, loss: np.ndarray) -> np.ndarray:
        """Map loss values to display units (finite; non-finite -> the top level).

        ``d = log10(max(loss - loss_min, 0) + offset)`` when ``log_scale``, else ``d = loss``.
        """
        loss = np.asarray(loss, dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            if self.log_scale:
                shifted = np.maximum(loss - self.loss_min, 0.0) + self.offset
                out = np.log10(np.where(np.isfinite(shifted), shifted, 1.0))
            else:
                out = loss
        return np.where(np.isfinite(out), out, self.levels[1])

    def __repr__(self) -> str:
        return (
            f"LandscapeGrid({self.title or 'surface'}, {self.x.size}x{self.y.size}, "
            f"bounds={self.bounds}, log_scale={self.log_scale}, "
            f"levels=({self.levels[0]:.3g}, {self.levels[1]:.3g}), "
            f"contours={self.contour_levels.size})"
        )


def _read_only(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr, dtype=float)
    arr.flags.writeable = False
    return arr


def _check_bounds(bounds) -> tuple[float, float, float, float]:
    try:
        xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    except (TypeError, ValueError):
        msg = f"bounds must be four numbers (xmin, xmax, ymin, ymax), got {bounds!r}"
        raise ValueError(msg) from None
    if not all(np.isfinite((xmin, xmax, ymin, ymax))) or xmin >= xmax or ymin >= ymax:
        raise ValueError(f"bounds must be finite with xmin < xmax and ymin < ymax, got {bounds!r}")
    return xmin, xmax, ymin, ymax


def nice_step(span: float, target: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``target`` steps."""
    if not np.isfinite(span) or span <= 0:
        return 1.0
    raw = span / max(target, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if mult * power >= raw:
            return float(mult * power)
    return float(10.0 * power)


def _contour_levels(lo: float, hi: float, target: int = 14) -> np.ndarray:
    """Round values strictly inside ``(lo, hi)``: about ``target`` contour lines."""
    step = nice_step(hi - lo, target)
    first = np.ceil(lo / step) * step
    levels = np.arange(first, hi, step)
    return levels[(levels > lo) & (levels < hi)]


def _display(loss: np.ndarray, log_scale: bool, loss_min: float, offset: float) -> np.ndarray:
    if not log_scale:
        return loss
    return np.log10(np.maximum(loss - loss_min, 0.0) + offset)


def _sample(surface, bounds, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xmin, xmax, ymin, ymax = bounds
    x, y = np.linspace(xmin, xmax, nx), np.linspace(ymin, ymax, ny)
    xx, yy = np.meshgrid(x, y)  # row i = y[i], column j = x[j]
    with np.errstate(all="ignore"):
        loss = np.asarray(surface.value(np.column_stack([xx.ravel(), yy.ravel()])), dtype=float)
    return x, y, loss.reshape(ny, nx)


def _clamp_finite(values: np.ndarray) -> np.ndarray:
    """Replace NaN/inf by the largest (or smallest) finite value; all NaN -> 0."""
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros_like(values)
    top, bottom = values[finite].max(), values[finite].min()
    out = np.where(np.isposinf(values) | np.isnan(values), top, values)
    return np.where(np.isneginf(out), bottom, out)


def _gradient_scale(surface, bounds) -> float:
    """Median gradient norm on a coarse grid (a typical steepness of this landscape)."""
    xmin, xmax, ymin, ymax = bounds
    xx, yy = np.meshgrid(np.linspace(xmin, xmax, 41), np.linspace(ymin, ymax, 41))
    with np.errstate(all="ignore"):
        grad = np.asarray(surface.gradient(np.column_stack([xx.ravel(), yy.ravel()])))
    norm = np.linalg.norm(grad, axis=1)
    norm = norm[np.isfinite(norm) & (norm > 0)]
    return float(np.median(norm)) if norm.size else 1.0


def landscape_grid(surface, bounds=None, resolution: int = 400) -> LandscapeGrid:
    """Sample ``surface`` on a ``resolution x resolution`` grid inside ``bounds``.

    Log scale (``surface.log_scale``): ``z = log10(loss - loss_min + offset)`` with
    ``loss_min`` the smallest value seen on the grid or at a known minimum and
    ``offset = 1e-5 * (p99.5 - loss_min)``, so valleys keep their detail. Colour levels
    are the 0.5 and 99.5 percentiles of ``z``; contour levels are round numbers between.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise ValueError(f"resolution must be an integer in [8, 2000], got {resolution!r}")
    if not 8 <= resolution <= _MAX_RESOLUTION:
        raise ValueError(f"resolution must be an integer in [8, 2000], got {resolution}")
    bounds = _check_bounds(surface.bounds if bounds is None else bounds)
    x, y, loss = _sample(surface, bounds, int(resolution), int(resolution))
    loss = _clamp_finite(loss)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    loss_min, offset = float(loss.min()), 1.0
    log_scale = bool(surface.log_scale)
    if log_scale:
        if minima.size:
            with np.errstate(all="ignore"):
                at_minima = np.asarray(surface.value(minima), dtype=float)
            at_minima = at_minima[np.isfinite(at_minima)]
            loss_min = min(loss_min, float(at_minima.min())) if at_minima.size else loss_min
        spread = float(np.percentile(loss, _LEVEL_PERCENTILES[1])) - loss_min
        offset = max(_LOG_OFFSET_FRACTION * spread, 1e-12)
    z = _clamp_finite(_display(loss, log_scale, loss_min, offset))
    lo, hi = (float(v) for v in np.percentile(z, _LEVEL_PERCENTILES))
    if not hi > lo:  # a flat landscape: any non-empty range will do
        lo, hi = lo - 0.5, hi + 0.5
    levels = _contour_levels(lo, hi)
    segments = _all_segments(x, y, z, levels)[0]
    return LandscapeGrid(
        x=_read_only(x),
        y=_read_only(y),
        z=_read_only(z),
        levels=(lo, hi),
        log_scale=log_scale,
        contour_levels=_read_only(levels),
        contours=_read_only(segments),
        minima=_read_only(minima),
        bounds=bounds,
        loss_min=loss_min,
        offset=offset,
        gradient_scale=_gradient_scale(surface, bounds),
        start=tuple(float(s) for s in getattr(surface, "start", (0.0, 0.0))),
        title=str(getattr(surface, "display_name", "")),
        surface=surface,
    )


def _all_segments(x, y, z, levels, cancelled=None):
    """Segments of every level and each one's level index (None if ``cancelled()``)."""
    parts, index = [np.empty((0, 2, 2))], [np.empty(0, dtype=int)]
    for i, level in enumerate(levels):
        if cancelled is not None and cancelled():
            return None
        parts.append(_level_segments(x, y, z, float(level)))
        index.append(np.full(len(parts[-1]), i, dtype=int))
    return np.concatenate(parts), np.concatenate(index)


def resample(grid: LandscapeGrid, bounds, shape, contours=True, cancelled=None):
    """The landscape of ``grid`` sampled on another box, in ``grid``'s display units.

    Colour levels, contour levels and the log shift stay those of ``grid``
    (``z = grid.display_value(loss)``), so a zoomed or panned view keeps its colours:
    values beyond the levels are clipped to ``levels -/+ 1e6 * (hi - lo)`` (finite, and
    drawn in the end colours). ``shape`` is ``(nx, ny)`` samples; ``contours=False``
    skips the tracing. Returns None if ``cancelled()`` became true before the end.
    """
    if grid.surface is None:
        raise ValueError("grid must come from landscape_grid (it has no surface to resample)")
    bounds = _check_bounds(bounds)
    nx, ny = (int(n) for n in shape)
    if not (2 <= nx <= _MAX_RESOLUTION and 2 <= ny <= _MAX_RESOLUTION):
        raise ValueError(f"shape must be two integers in [2, 2000], got {shape!r}")
    x, y, loss = _sample(grid.surface, bounds, nx, ny)
    lo, hi = grid.levels
    margin = 1e6 * (hi - lo)
    z = np.clip(grid.display_value(loss), lo - margin, hi + margin)
    traced = (np.empty((0, 2, 2)),)
    if contours:
        traced = _all_segments(x, y, z, grid.contour_levels, cancelled)
    if traced is None or (cancelled is not None and cancelled()):
        return None
    segments = traced[0]
    return replace(
        grid,
        x=_read_only(x),
        y=_read_only(y),
        z=_read_only(z),
        bounds=bounds,
        contours=_read_only(segments),
    )


def _cell_edge_points(x, y, z, level, rows, cols) -> np.ndarray:
    """Crossing points on the 4 edges (bottom, right, top, left) of the given cells."""
    a, b = z[rows, cols], z[rows, cols + 1]  # bottom-left, bottom-right
    c, d = z[rows + 1, cols + 1], z[rows + 1, cols]  # top-right, top-left
    x0, x1, y0, y1 = x[cols], x[cols + 1], y[rows], y[rows + 1]

    def frac(v0, v1):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (level - v0) / (v1 - v0)
        return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)

    bottom = np.stack([x0 + frac(a, b) * (x1 - x0), y0], axis=-1)
    right = np.stack([x1, y0 + frac(b, c) * (y1 - y0)], axis=-1)
    top = np.stack([x0 + frac(d, c) * (x1 - x0), y1], axis=-1)
    left = np.stack([x0, y0 + frac(a, d) * (y1 - y0)], axis=-1)
    return np.stack([bottom, right, top, left], axis=1)  # (C, 4, 2)


def _level_segments(x, y, z, level) -> np.ndarray:
    """Marching squares for one level: (S, 2, 2) segments ``[[x0, y0], [x1, y1]]``."""
    above = z >= level
    h_cross = above[:, :-1] != above[:, 1:]
    v_cross = above[:-1, :] != above[1:, :]
    rows, cols = np.nonzero(h_cross[:-1] | h_cross[1:] | v_cross[:, :-1] | v_cross[:, 1:])
    if rows.size == 0:
        return np.empty((0, 2, 2))
    # per cell, edges in the order bottom, right, top, left
    bottom, top = h_cross[rows, cols], h_cross[rows + 1, cols]
    left, right = v_cross[rows, cols], v_cross[rows, cols + 1]
    mask = np.stack([bottom, right, top, left], axis=1)
    pts = _cell_edge_points(x, y, z, level, rows, cols)
    two = mask.sum(axis=1) == 2
    order = np.argsort(~mask[two], axis=1, kind="stable")[:, :2]
    segments = [np.take_along_axis(pts[two], order[:, :, None], axis=1)]
    saddle = ~two
    if saddle.any():
        # ambiguous cell: the centre value decides which corners the lines cut off
        r, c = rows[saddle], cols[saddle]
        centre = (z[r, c] + z[r, c + 1] + z[r + 1, c] + z[r + 1, c + 1]) / 4.0
        cut_b_d = ((centre >= level) == above[r, c])[:, None, None]
        s = pts[saddle]
        segments.append(np.where(cut_b_d, s[:, [0, 1]], s[:, [0, 3]]))
        segments.append(np.where(cut_b_d, s[:, [2, 3]], s[:, [1, 2]]))
    return np.concatenate(segments, axis=0)


def contour_segments(grid: LandscapeGrid) -> tuple[np.ndarray, np.ndarray]:
    """Contour lines of ``grid.z`` at ``grid.contour_levels`` as straight segments.

    Returns
    -------
    segments : (S, 2, 2) float array, each ``[[x0, y0], [x1, y1]]`` in surface coordinates.
    level_index : (S,) int, which entry of ``contour_levels`` each segment belongs to.
    """
    return _all_segments(grid.x, grid.y, grid.z, grid.contour_levels)
