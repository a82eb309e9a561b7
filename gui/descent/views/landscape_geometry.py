"""Plain geometry for the landscape view: keep points drawable and markers in sight.

Nothing here touches Qt: the view calls these on arrays before anything reaches an item.
"""

from __future__ import annotations

import numpy as np

# Paths are clamped to the bounds grown by this many spans (a runaway run stays drawable).
CLAMP_SPANS = 1.0
# A path is cut at its first point beyond the bounds grown by this many spans: just
# inside the clamp box, so a run that only swings out a little keeps its whole path.
EXIT_SPANS = 0.9
# Markers pinned to the view keep this fraction of the span from its edge.
INSET = 0.03


def decade_text(decade: float) -> str:
    """``10**decade`` short enough for a narrow axis: 0.01, 1, 1000, 1e4, 1e-5."""
    if -3 <= decade <= 3:
        return f"{10.0**decade:g}"
    return f"1e{int(decade)}"


def clamp_box(bounds) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) corners of ``bounds`` grown by `CLAMP_SPANS` spans on every side."""
    xmin, xmax, ymin, ymax = bounds
    sx, sy = (xmax - xmin) * CLAMP_SPANS, (ymax - ymin) * CLAMP_SPANS
    return np.array([xmin - sx, ymin - sy]), np.array([xmax + sx, ymax + sy])


def exit_box(bounds) -> tuple[float, float, float, float]:
    """``bounds`` grown by `EXIT_SPANS` spans on every side (xmin, xmax, ymin, ymax)."""
    xmin, xmax, ymin, ymax = bounds
    sx, sy = (xmax - xmin) * EXIT_SPANS, (ymax - ymin) * EXIT_SPANS
    return (xmin - sx, xmax + sx, ymin - sy, ymax + sy)


def clamp(points: np.ndarray, bounds) -> np.ndarray:
    """Finite coordinates inside `clamp_box` (NaN -> 0, +-inf -> the box's extremes)."""
    lo, hi = clamp_box(bounds)
    finite = np.nan_to_num(points, nan=0.0, posinf=hi.max(), neginf=lo.min())
    return np.clip(finite, lo, hi)


def inset_box(bounds) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) corners of ``bounds`` shrunk by `INSET` of the span on every side."""
    xmin, xmax, ymin, ymax = bounds
    ix, iy = INSET * (xmax - xmin), INSET * (ymax - ymin)
    return np.array([xmin + ix, ymin + iy]), np.array([xmax - ix, ymax - iy])


def pin_inside(points: np.ndarray, bounds) -> np.ndarray:
    """Points moved onto the (inset) edge of ``bounds`` when they lie outside."""
    lo, hi = inset_box(bounds)
    return np.clip(points, lo, hi)
