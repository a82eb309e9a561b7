"""The neuron thumbnails of a layer as one picture: maps coloured and tiled in a grid.

Pure NumPy, so it runs in the background job with `core.nn.neuron_maps` and the main
thread only hands finished RGBA pictures to pyqtgraph. A layer is drawn in its shared
`LayerScale`: blue (low) through white (the undecided centre) to orange (high) for a
scale with a centre (tanh, sigmoid, a signed unbounded activation), white to orange for
a one-sided one (relu: white is "off"). The colours are the diagram's.

Geometry, in cell units (what the view's coordinates are): unit k of a layer with C
columns sits in grid row ``k // C`` (0 on top) and column ``k % C``, its picture covering
``[col, col + FILL] x [top, top + FILL]`` with ``top = rows - 1 - row``; the rest of the
cell is the gap between thumbnails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.nn.neuron_maps import neuron_maps
from gui.network.views.diagram_style import NEGATIVE, POSITIVE

FILL = 0.9  # share of a cell its picture covers
WHITE = (255, 255, 255)
LEVELS = 255  # colours of a scale; index LEVELS is the transparent gap


def colour_stops(diverging: bool) -> tuple[list[float], list[tuple[int, int, int]]]:
    """(positions in [0, 1], RGB colours) of a layer's colour scale."""
    if diverging:
        return [0.0, 0.5, 1.0], [NEGATIVE, WHITE, POSITIVE]
    return [0.0, 1.0], [WHITE, POSITIVE]


def lookup_table(diverging: bool, n: int = LEVELS) -> np.ndarray:
    """(n + 1, 4) uint8 RGBA: n opaque colours of the scale from its low end to its high
    end, then a transparent one (index n, the gaps between thumbnails)."""
    positions, colours = colour_stops(diverging)
    t = np.linspace(0.0, 1.0, n)
    rgb = np.array(colours, dtype=float)
    channels = [np.interp(t, positions, rgb[:, c]) for c in range(3)]
    lut = np.zeros((n + 1, 4), dtype=np.uint8)
    lut[:n, :3] = np.clip(np.round(np.column_stack(channels)), 0, 255)
    lut[:n, 3] = 255
    return lut


def level_index(values: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """uint8 index 0 .. LEVELS - 1 of each value on the scale levels[0] .. levels[1]
    (nearest level; values beyond the scale take its end)."""
    lo, hi = levels
    t = values * ((LEVELS - 1) / (hi - lo))
    t += 0.5 - lo * (LEVELS - 1) / (hi - lo)  # + 0.5: truncation below rounds
    np.clip(t, 0.0, LEVELS - 1, out=t)
    return t.astype(np.uint8)


def colour(values: np.ndarray, levels: tuple[float, float], diverging: bool) -> np.ndarray:
    """RGBA uint8 of ``values`` (any shape) on the scale from levels[0] to levels[1]."""
    return lookup_table(diverging)[level_index(values, levels)]


@dataclass(frozen=True, slots=True)
class CellGrid:
    """How ``units`` thumbnails are laid out: ``columns`` x ``rows`` cells."""

    units: int
    columns: int
    rows: int

    def unit_at(self, x: float, y: float) -> int | None:
        """The unit whose picture covers view point (x, y), or None (a gap, outside)."""
        col, top = math.floor(x), math.floor(y)
        if not (0 <= col < self.columns and 0 <= top < self.rows):
            return None
        if x - col > FILL or y - top > FILL:
            return None
        unit = (self.rows - 1 - top) * self.columns + col
        return unit if unit < self.units else None

    def origin(self, unit: int) -> tuple[int, int]:
        """(x, y) of the lower-left corner of ``unit``'s picture."""
        row, col = divmod(unit, self.columns)
        return col, self.rows - 1 - row


def cell_grid(units: int, most_columns: int) -> CellGrid:
    """Up to ``most_columns`` thumbnails a row, as few rows as that allows."""
    columns = max(1, min(units, most_columns))
    return CellGrid(units, columns, math.ceil(units / columns))


def image_mosaic(maps: np.ndarray, levels, diverging: bool, grid: CellGrid) -> np.ndarray:
    """RGBA (H, W, 4) of a layer's maps (units, R, R) tiled on ``grid``, gaps transparent;
    the picture's rows go upwards (row 0 at the bottom), as the view draws them."""
    r = maps.shape[1]
    pitch = max(r + 1, round(r / FILL))  # pixels per cell
    index = np.full((grid.rows * pitch, grid.columns * pitch), LEVELS, dtype=np.uint8)
    levelled = level_index(maps, levels)
    for unit in range(grid.units):
        x, y = grid.origin(unit)
        index[y * pitch : y * pitch + r, x * pitch : x * pitch + r] = levelled[unit]
    lut = lookup_table(diverging).view(np.uint32)[:, 0]  # one 4-byte gather per pixel
    return lut[index].view(np.uint8).reshape(*index.shape, 4)


def curve_mosaic(x: np.ndarray, maps: np.ndarray, levels, grid: CellGrid):
    """(xs, ys, connect) of a layer's curves (units, R) drawn in their cells as one line:
    each curve spans its cell's picture, the layer's levels bottom to top."""
    lo, hi = levels
    t = (x - x[0]) / (x[-1] - x[0]) if x[-1] > x[0] else np.zeros_like(x)
    xs, ys, connect = [], [], []
    for unit in range(grid.units):
        col, top = grid.origin(unit)
        xs.append(col + FILL * t)
        ys.append(top + FILL * np.clip((maps[unit] - lo) / (hi - lo), 0.0, 1.0))
        joined = np.ones(len(x), dtype=bool)
        joined[-1] = False  # no line from one cell's last point to the next cell's first
        connect.append(joined)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(connect)


@dataclass(frozen=True, slots=True)
class Thumbnails:
    """What the neurons tab draws for one step: ``maps`` (a `core.nn.neuron_maps.NeuronMaps`)
    and per layer its ``grids`` and ``pictures`` (RGBA mosaic, or (xs, ys, connect))."""

    maps: object
    grids: tuple[CellGrid, ...]
    pictures: tuple


def thumbnails(config, frame, dataset, most_columns: int = 8) -> Thumbnails:
    """The maps of ``frame``'s hidden units and their mosaics (the background job)."""
    maps = neuron_maps(config, frame, dataset)
    grids, pictures = [], []
    for layer, scale in zip(maps.layers, maps.scales, strict=True):
        grid = cell_grid(len(layer), most_columns)
        diverging = scale.centre is not None
        if maps.kind == "image":
            pictures.append(image_mosaic(layer, scale.levels, diverging, grid))
        else:
            pictures.append(curve_mosaic(maps.x, layer, scale.levels, grid))
        grids.append(grid)
    return Thumbnails(maps, tuple(grids), tuple(pictures))
