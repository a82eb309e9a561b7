"""A loss landscape sampled on a grid, ready to be drawn: colours, contours, warnings.

The views never evaluate a surface themselves: `landscape_grid` samples it once, tells
where it is undefined (``1/0``, ``log`` of a negative number) apart from where it merely
overflows, picks a colour scale that the range does not flatten (linear, log or rank:
`core.surfaces.colour_scale`) with robust colour levels and readable colour-bar ticks,
chooses contour levels at round numbers and traces them (`core.surfaces.contours`), and
finds minima numerically where none are known (`core.surfaces.minima`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from core.surfaces.colour_scale import (
    LEVEL_PERCENTILES,
    LOG,
    ColourScale,
    choose_colour_scale,
    colorbar_ticks,
    nice_step,
)
from core.surfaces.contours import level_segments_all
from core.surfaces.domain import undefined_warning
from core.surfaces.minima import find_minima

__all__ = ["LandscapeGrid", "contour_segments", "landscape_grid", "nice_step", "resample"]

_MAX_RESOLUTION = 2000


def _empty_points() -> np.ndarray:
    return _read_only(np.empty((0, 2)))


def _no_mask() -> np.ndarray:
    mask = np.zeros((0, 0), dtype=bool)
    mask.flags.writeable = False
    return mask


@dataclass(frozen=True, slots=True)
class LandscapeGrid:
    """A surface sampled on a grid, in display units.

    Attributes
    ----------
    x, y : (nx,), (ny,) sample coordinates (increasing).
    z : (ny, nx) display value at ``(y[i], x[j])``, row-major, always finite
        (``scale.display(loss)``; undefined and overflowed samples hold an end level).
    levels : (lo, hi) colour levels in display units (robust percentiles).
    log_scale : whether ``z`` is log-compressed (``scale.kind == "log"``).
    contour_levels : display values at which contour lines are drawn (round numbers).
    minima : (M, 2) known minima of the surface.
    bounds : (xmin, xmax, ymin, ymax) of the grid.
    loss_min, offset : the shift used by the log scale (``display_value``).
    gradient_scale : median gradient norm over the grid (scales drawn arrows).
    start : the surface's suggested start point.
    title : the surface's display name.
    contours : (S, 2, 2) contour line segments at ``contour_levels``; none is drawn in a
        cell touching an undefined sample.
    surface : the sampled surface (lets `resample` draw the same landscape on another box).
    scale : the colour scale: ``linear``, ``log`` or ``rank`` (equal areas per colour).
    undefined : (ny, nx) bool, True where the surface has no value (a domain error:
        division by zero, log or square root of a negative number, 0**negative).
    overflow : (ny, nx) bool, True where the value is defined but beyond float64 (drawn
        in the end colour, like any off-scale value).
    warning : one sentence on the undefined part of this box, or "".
    colorbar_ticks : ((display_value, label), ...) for the colour bar: round losses,
        compact labels (``"0.01"``, ``"1e+262"``), never a shared multiplier.
    colorbar_title : the colour bar's title, e.g. ``"loss (log scale)"``.
    numerical_minima : (M, 2) minima found numerically (`find_minima`) when the surface
        knows none: a view marks them as numerical, not known.
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
    scale: ColourScale = field(default_factory=ColourScale)
    undefined: np.ndarray = field(default_factory=_no_mask)
    overflow: np.ndarray = field(default_factory=_no_mask)
    warning: str = ""
    colorbar_ticks: tuple[tuple[float, str], ...] = ()
    colorbar_title: str = "loss"
    numerical_minima: np.ndarray = field(default_factory=_empty_points)

    def __post_init__(self) -> None:
        if self.log_scale and self.scale.kind != LOG:  # built by hand with the old fields
            object.__setattr__(self, "scale", ColourScale(LOG, self.loss_min, self.offset))

    def display_value(self, loss: np.ndarray) -> np.ndarray:
        """Map loss values to display units (finite: +inf and NaN -> the top level,
        -inf -> the bottom level).

        ``d = log10(max(loss - loss_min, 0) + offset)`` on a log scale, ``d = loss`` on a
        linear one, ``d`` = the share of the box below ``loss`` on a rank scale.
        """
        out = self.scale.display(np.asarray(loss, dtype=float))
        bottom = np.isneginf(out)
        out = np.where(np.isfinite(out), out, self.levels[1])
        return np.where(bottom, self.levels[0], out)

    def __repr__(self) -> str:
        return (
            f"LandscapeGrid({self.title or 'surface'}, {self.x.size}x{self.y.size}, "
            f"bounds={self.bounds}, scale={self.scale.kind}, "
            f"levels=({self.levels[0]:.3g}, {self.levels[1]:.3g}), "
            f"contours={self.contour_levels.size}, undefined={int(self.undefined.sum())})"
        )


def _read_only(arr: np.ndarray, dtype=float) -> np.ndarray:
    arr = np.ascontiguousarray(arr, dtype=dtype)
    arr.flags.writeable = False
    return arr


def _check_bounds(bounds) -> tuple[float, float, float, float]:
    try:
        xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    except (TypeError, ValueError):
        msg = f"bounds must be four numbers (xmin, xmax, ymin, ymax), got {bounds!r}"
        raise ValueError(msg) from None
    if not all(map(math.isfinite, (xmin, xmax, ymin, ymax))) or xmin >= xmax or ymin >= ymax:
        raise ValueError(f"bounds must be finite with xmin < xmax and ymin < ymax, got {bounds!r}")
    if not all(map(math.isfinite, (xmax - xmin, ymax - ymin, xmax + xmin, ymax + ymin))):
        raise ValueError(f"bounds are too large: their widths overflow float64; got {bounds!r}")
    return xmin, xmax, ymin, ymax


def _contour_levels(lo: float, hi: float, target: int = 14) -> np.ndarray:
    """Round values strictly inside ``(lo, hi)``: about ``target`` contour lines."""
    step = nice_step(hi - lo, target)
    first = np.ceil(lo / step) * step
    levels = np.arange(first, hi, step)
    return levels[(levels > lo) & (levels < hi)]


def _sample(surface, bounds, nx: int, ny: int):
    """x (nx,), y (ny,), loss (ny, nx) and domain reason codes (ny, nx), 0 = defined."""
    xmin, xmax, ymin, ymax = bounds
    x, y = np.linspace(xmin, xmax, nx), np.linspace(ymin, ymax, ny)
    xx, yy = np.meshgrid(x, y)  # row i = y[i], column j = x[j]
    points = np.column_stack([xx.ravel(), yy.ravel()])
    with np.errstate(all="ignore"):
        if hasattr(surface, "value_with_domain"):
            loss, reason = surface.value_with_domain(points)
        else:  # any object with value(): defined wherever it answers
            loss = np.asarray(surface.value(points), dtype=float)
            reason = np.zeros(loss.shape, dtype=np.int8)
    loss = np.asarray(loss, dtype=float).reshape(ny, nx)
    return x, y, loss, np.asarray(reason, dtype=np.int8).reshape(ny, nx)


def _clamp_finite(values: np.ndarray) -> np.ndarray:
    """Replace NaN/+inf by the largest finite value, -inf by the smallest; all NaN -> 0."""
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
        norm = np.hypot(grad[:, 0], grad[:, 1])
    norm = norm[np.isfinite(norm) & (norm > 0)]
    return float(np.median(norm)) if norm.size else 1.0


def _known_minimum(surface, minima: np.ndarray) -> float | None:
    if not minima.size:
        return None
    with np.errstate(all="ignore"):
        at_minima = np.asarray(surface.value(minima), dtype=float)
    at_minima = at_minima[np.isfinite(at_minima)]
    return float(at_minima.min()) if at_minima.size else None


def _levels(z: np.ndarray, undefined: np.ndarray) -> tuple[float, float]:
    """Robust colour levels over the defined samples; a flat landscape gets a unit range."""
    defined = z[~undefined] if (~undefined).any() else z.ravel()
    lo, hi = (float(v) for v in np.percentile(defined, LEVEL_PERCENTILES))
    return (lo - 0.5, hi + 0.5) if not hi > lo else (lo, hi)


def _what(surface) -> str:
    return "formula" if hasattr(surface, "formula") else "surface"


def landscape_grid(surface, bounds=None, resolution: int = 400) -> LandscapeGrid:
    """Sample ``surface`` on a ``resolution x resolution`` grid inside ``bounds``.

    The colour scale is the first of linear, log, rank that does not flatten the
    finite values (a surface with ``log_scale`` keeps log): log is
    ``z = log10(loss - loss_min + offset)`` with ``loss_min`` the smallest value seen on
    the grid or at a known minimum and ``offset = 1e-5 (p99.5 - loss_min)``. Colour
    levels are the 0.5 and 99.5 percentiles of ``z`` over the defined samples; contour
    levels are round numbers between.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise ValueError(f"resolution must be an integer in [8, 2000], got {resolution!r}")
    if not 8 <= resolution <= _MAX_RESOLUTION:
        raise ValueError(f"resolution must be an integer in [8, 2000], got {resolution}")
    bounds = _check_bounds(surface.bounds if bounds is None else bounds)
    x, y, loss, reason = _sample(surface, bounds, int(resolution), int(resolution))
    undefined = reason != 0
    finite = np.isfinite(loss)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    scale = choose_colour_scale(
        loss[finite], bool(surface.log_scale), _known_minimum(surface, minima)
    )
    z = _clamp_finite(scale.display(np.where(undefined, np.nan, loss)))
    lo, hi = _levels(z, undefined)
    levels = _contour_levels(lo, hi)
    segments = level_segments_all(x, y, z, levels, skip=undefined)[0]
    numerical = _empty_points()
    if not minima.size and hasattr(surface, "hessian"):
        numerical = find_minima(surface, bounds).points
    is_log = scale.kind == LOG
    return LandscapeGrid(
        x=_read_only(x),
        y=_read_only(y),
        z=_read_only(z),
        levels=(lo, hi),
        log_scale=is_log,
        contour_levels=_read_only(levels),
        contours=_read_only(segments),
        minima=_read_only(minima),
        bounds=bounds,
        loss_min=scale.loss_min if is_log or not finite.any() else float(loss[finite].min()),
        offset=scale.offset if is_log else 1.0,
        gradient_scale=_gradient_scale(surface, bounds),
        start=tuple(float(s) for s in getattr(surface, "start", (0.0, 0.0))),
        title=str(getattr(surface, "display_name", "")),
        surface=surface,
        scale=scale,
        undefined=_read_only(undefined, bool),
        overflow=_read_only(~finite & ~undefined, bool),
        warning=undefined_warning(reason, _what(surface)),
        colorbar_ticks=colorbar_ticks(scale, lo, hi),
        colorbar_title=scale.title,
        numerical_minima=numerical,
    )


def resample(grid: LandscapeGrid, bounds, shape, contours=True, cancelled=None):
    """The landscape of ``grid`` sampled on another box, in ``grid``'s display units.

    Colour scale, levels, contour levels and ticks stay those of ``grid``
    (``z = grid.display_value(loss)``), so a zoomed or panned view keeps its colours:
    values beyond the levels are clipped to ``levels -/+ 1e6 * (hi - lo)`` (finite, and
    drawn in the end colours). The undefined and overflow masks and the warning are those
    of the new box. ``shape`` is ``(nx, ny)`` samples; ``contours=False`` skips the
    tracing. Returns None if ``cancelled()`` became true before the end.
    """
    if grid.surface is None:
        raise ValueError("grid must come from landscape_grid (it has no surface to resample)")
    bounds = _check_bounds(bounds)
    nx, ny = (int(n) for n in shape)
    if not (2 <= nx <= _MAX_RESOLUTION and 2 <= ny <= _MAX_RESOLUTION):
        raise ValueError(f"shape must be two integers in [2, 2000], got {shape!r}")
    x, y, loss, reason = _sample(grid.surface, bounds, nx, ny)
    undefined = reason != 0
    lo, hi = grid.levels
    margin = 1e6 * (hi - lo)
    z = np.clip(grid.display_value(loss), lo - margin, hi + margin)
    traced = (np.empty((0, 2, 2)),)
    if contours:
        traced = level_segments_all(x, y, z, grid.contour_levels, cancelled, skip=undefined)
    if traced is None or (cancelled is not None and cancelled()):
        return None
    return replace(
        grid,
        x=_read_only(x),
        y=_read_only(y),
        z=_read_only(z),
        bounds=bounds,
        contours=_read_only(traced[0]),
        undefined=_read_only(undefined, bool),
        overflow=_read_only(~np.isfinite(loss) & ~undefined, bool),
        warning=undefined_warning(reason, _what(grid.surface)),
    )


def contour_segments(grid: LandscapeGrid) -> tuple[np.ndarray, np.ndarray]:
    """Contour lines of ``grid.z`` at ``grid.contour_levels`` as straight segments.

    Returns
    -------
    segments : (S, 2, 2) float array, each ``[[x0, y0], [x1, y1]]`` in surface coordinates.
    level_index : (S,) int, which entry of ``contour_levels`` each segment belongs to.
    """
    skip = grid.undefined if grid.undefined.shape == grid.z.shape else None
    return level_segments_all(grid.x, grid.y, grid.z, grid.contour_levels, skip=skip)
