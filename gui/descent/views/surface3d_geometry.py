"""Where things go in the 3-D view, without Qt or OpenGL: box, camera, axes, path rows.

The landscape is scaled into a box centred on the origin: the larger side of the bounds
spans 2 units (``-1..1``), the other side keeps its proportion, and heights (the grid's
display values, log-compressed when the grid is) span ``0..HEIGHT``. Everything here is a
pure function of a `LandscapeGrid` (or its bounds), so the camera and the axes a surface
gets are tested without a display.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HEIGHT = 0.9
FIELD_OF_VIEW = 60.0  # degrees: GLViewWidget's default
TICK_LENGTH = 0.04  # box units, outward from the box's edge
LABEL_GAP = 0.12  # box units from the edge to a tick label
MAX_LOSS_TICKS = 4  # the loss axis is short: more labels would touch
LABEL_ROOM = 1.2  # the default camera stands this much farther back: labels stay in view


class BoxScale:
    """Maps surface coordinates and display values into the 3-D box."""

    def __init__(self, grid) -> None:
        xmin, xmax, ymin, ymax = grid.bounds
        self.grid = grid
        self.centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        self.scale = 2.0 / max(xmax - xmin, ymax - ymin)
        self.lo = np.array([xmin, ymin])
        self.hi = np.array([xmax, ymax])
        self.half = (self.hi - self.lo) * self.scale / 2  # the box's half sides, x and y
        self.levels = grid.levels

    def xy(self, points: np.ndarray) -> np.ndarray:
        return (np.clip(np.nan_to_num(points), self.lo, self.hi) - self.centre) * self.scale

    def inside(self, points: np.ndarray) -> np.ndarray:
        """Which (K, 2) points lie within the bounds (finite ones only)."""
        ok = np.isfinite(points).all(axis=1)
        safe = np.where(ok[:, None], points, self.lo)
        return ok & np.all((safe >= self.lo) & (safe <= self.hi), axis=1)

    def height(self, display: np.ndarray) -> np.ndarray:
        """``HEIGHT * (d - lo) / (hi - lo)``, clamped to the box (NaN at the top)."""
        lo, hi = self.levels
        t = (np.clip(np.nan_to_num(display, nan=hi), lo, hi) - lo) / (hi - lo)
        return t * HEIGHT

    def loss_height(self, loss: np.ndarray) -> np.ndarray:
        return self.height(self.grid.display_value(loss))


@dataclass(frozen=True, slots=True)
class Camera:
    """A GLViewWidget camera: orbit ``distance`` around ``center``, angles in degrees."""

    distance: float
    elevation: float
    azimuth: float
    center: tuple[float, float, float]


def default_camera(bounds: tuple[float, float, float, float], aspect: float = 1.0) -> Camera:
    """The camera a landscape starts with: the whole box in view, seen from the front.

    The box (half sides ``a_x``, ``a_y``, height ``HEIGHT``) fits in a sphere of radius
    ``r = sqrt(a_x^2 + a_y^2 + (HEIGHT/2)^2)`` about its centre; at ``distance = r /
    sin(fov/2)`` that sphere touches the view cone, so every corner is in view; the
    camera stands ``LABEL_ROOM`` times that far, so the labels outside the box are too.
    GLViewWidget's ``fov`` is horizontal: in a view ``aspect = width / height`` wide the
    vertical field is ``2 atan(tan(fov/2) / aspect)``, and the narrower of the two counts. The
    azimuth turns towards the long side: -90 degrees looks along +y (x runs left to
    right), a box long in y is seen more from +x.
    """
    xmin, xmax, ymin, ymax = bounds
    scale = 2.0 / max(xmax - xmin, ymax - ymin)
    ax, ay = (xmax - xmin) * scale / 2, (ymax - ymin) * scale / 2
    radius = math.sqrt(ax * ax + ay * ay + (HEIGHT / 2) ** 2)
    half_fov = math.radians(FIELD_OF_VIEW / 2)
    half_fov = min(half_fov, math.atan(math.tan(half_fov) / max(aspect, 1e-3)))
    distance = LABEL_ROOM * radius / math.sin(half_fov)
    azimuth = -90.0 + 50.0 * ay / (ax + ay)  # square: -65; long in y: up to -40
    return Camera(distance, 30.0, azimuth, (0.0, 0.0, HEIGHT / 2))


def nice_ticks(lo: float, hi: float, target: int = 5) -> np.ndarray:
    """Round tick values in ``[lo, hi]``: multiples of 1, 2 or 5 times a power of ten,
    the step whose count of intervals ``span / step`` is nearest ``target - 1``."""
    span = hi - lo
    if not (np.isfinite(span) and span > 0):
        return np.array([lo]) if np.isfinite(lo) else np.zeros(0)
    raw = span / max(target - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda d: abs(span / d - (target - 1)))
    ticks = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
    return np.where(np.abs(ticks) < 1e-12 * step, 0.0, ticks)  # no "-0"


def tick_label(value: float) -> str:
    """A short label: ``0.5``, ``-2``, ``1e+04``."""
    return f"{value:.3g}"


@dataclass(frozen=True, slots=True)
class AxesLayout:
    """The three axes drawn along the box's front edges, in box coordinates.

    ``segments (M, 2, 3)``: axis lines and tick marks; ``labels``: ``(position (3,),
    text)`` for tick labels and the axis titles.
    """

    segments: np.ndarray
    labels: tuple[tuple[tuple[float, float, float], str], ...]


def axes_layout(box: BoxScale, loss_ticks=(), names=("x", "y", "loss")) -> AxesLayout:
    """The x axis along the front edge (y at its minimum), y along the right edge (x at
    its maximum), and the loss axis standing at the front-left corner.

    ``loss_ticks`` are ``(display_value, label)`` pairs (the grid's colour-bar ticks: the
    same round losses the colour bar shows), placed at ``box.height(display_value)``;
    every second (third...) one when more than ``MAX_LOSS_TICKS`` fall in the levels.
    """
    ax, ay = box.half
    segments, labels = [], []
    # x: along y = -ay at z = 0, ticks pointing to -y
    segments.append([(-ax, -ay, 0.0), (ax, -ay, 0.0)])
    for value in nice_ticks(box.lo[0], box.hi[0]):
        x = (value - box.centre[0]) * box.scale
        segments.append([(x, -ay, 0.0), (x, -ay - TICK_LENGTH, 0.0)])
        labels.append(((x, -ay - LABEL_GAP, 0.0), tick_label(value)))
    labels.append(((0.0, -ay - 2.6 * LABEL_GAP, 0.0), names[0]))
    # y: along x = +ax at z = 0, ticks pointing to +x
    segments.append([(ax, -ay, 0.0), (ax, ay, 0.0)])
    for value in nice_ticks(box.lo[1], box.hi[1]):
        y = (value - box.centre[1]) * box.scale
        segments.append([(ax, y, 0.0), (ax + TICK_LENGTH, y, 0.0)])
        labels.append(((ax + LABEL_GAP, y, 0.0), tick_label(value)))
    labels.append(((ax + 2.6 * LABEL_GAP, 0.0, 0.0), names[1]))
    # loss: up the corner (-ax, -ay), ticks pointing to -x
    segments.append([(-ax, -ay, 0.0), (-ax, -ay, HEIGHT)])
    lo, hi = box.levels
    shown = [(d, text) for d, text in loss_ticks if lo <= d <= hi]
    for display, text in shown[:: math.ceil(len(shown) / MAX_LOSS_TICKS) or 1]:
        z = float(box.height(np.array([display]))[0])
        segments.append([(-ax, -ay, z), (-ax - TICK_LENGTH, -ay, z)])
        labels.append(((-ax - LABEL_GAP, -ay, z), str(text)))
    labels.append(((-ax, -ay, HEIGHT + 1.2 * LABEL_GAP), names[2]))
    return AxesLayout(np.asarray(segments, dtype=np.float32), tuple(labels))


def path_rows(n_rows: int, n_runs: int, budget: int = 12_000, max_rows: int = 300) -> np.ndarray:
    """Which history rows to draw: evenly strided, always the first and the newest.

    At most ``min(max_rows, budget // n_runs)`` rows (but at least 16), so the vertices
    sent to GL per frame stay bounded however long the run and however many runs.
    """
    if n_rows <= 0:
        return np.zeros(0, dtype=int)
    limit = max(16, min(max_rows, budget // max(n_runs, 1)))
    stride = max(1, math.ceil(n_rows / limit))
    return np.unique(np.r_[np.arange(0, n_rows, stride), n_rows - 1])
