"""Colours shared by every view: one light theme with strong colours (projects well).

The landscape is a light neutral grey colour map (low loss = mid grey, high = near white):
the map is the backdrop and the runs are the message, so no run colour can melt into it
(a blue run vanished on the former blue map). A learning-rate sweep is coloured by
log10(lr) on plasma (cut before its pale yellow end), an optimizer race by the
colour-blind-safe Okabe-Ito palette without its black and yellow (black is the colour of
the arrows and contours, yellow has too little contrast on a pale map).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

BACKGROUND = (255, 255, 255)
FOREGROUND = (40, 40, 48)
GRID_ALPHA = 0.25
DIVERGED_COLOR = (200, 30, 30)
NO_MINIMUM_COLOR = (150, 150, 150)
CONTOUR_COLOR = (25, 30, 40, 80)
# where the surface has no value (1/0, log of a negative number): hatched in violet, a
# hue the grey map and the off-scale ends never take
UNDEFINED_COLOR = (118, 42, 160)
OVERFLOW_COLOR = (40, 40, 48)  # a run stopped where the loss overflows: dark squares
HALO_COLOR = (255, 255, 255, 215)  # the pale outline under a path drawn on top

# the landscape ramp: (position, RGB) from the lowest loss (darkest) to the highest
_LANDSCAPE_STOPS = (
    (0.0, (138, 144, 154)),
    (0.5, (196, 199, 204)),
    (1.0, (247, 247, 245)),
)

# Okabe & Ito (2008) without black and yellow, its reddish purple made stronger, in an
# order whose neighbours differ in hue and lightness; sky blue last (it needs the halo
# most). Every colour stays at least 90 (of 255) away from every grey of the map.
OKABE_ITO: tuple[tuple[int, int, int], ...] = (
    (213, 94, 0),  # vermillion
    (0, 114, 178),  # blue
    (0, 158, 115),  # bluish green
    (170, 51, 119),  # purple (Tol's; Okabe-Ito's pale reddish purple is too grey on the map)
    (230, 159, 0),  # orange
    (86, 180, 233),  # sky blue
)

# lr colour map: plasma from dark blue-violet to orange (its last 15 % is too pale on white)
_LR_CMAP_RANGE = (0.0, 0.85)


def landscape_colormap() -> pg.ColorMap:
    """The loss colour map: a neutral grey ramp, low loss darkest.

    Grey in sRGB steps evenly in lightness; it stops at mid grey (black arrows and
    contours stay visible) and short of white (the top still reads as landscape).
    """
    positions = np.array([p for p, _ in _LANDSCAPE_STOPS])
    colors = np.array([rgb for _, rgb in _LANDSCAPE_STOPS], dtype=np.uint8)
    return pg.ColorMap(positions, colors)


def lr_colormap() -> pg.ColorMap:
    """Colour map of learning rates (applied to log10(lr))."""
    base = pg.colormap.get("plasma")
    lo, hi = _LR_CMAP_RANGE
    stops = np.linspace(0.0, 1.0, 16)
    colors = base.map(lo + stops * (hi - lo), mode=pg.ColorMap.BYTE)
    return pg.ColorMap(stops, colors)


def categorical(n: int) -> np.ndarray:
    """``n`` categorical RGBA colours (Okabe-Ito, cycling), uint8 (n, 4)."""
    rgb = np.array([OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)], dtype=np.uint8)
    return np.column_stack([rgb.reshape(-1, 3), np.full(n, 255, np.uint8)]).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class LrColorBar:
    """How learning rates map to colours: ``colormap`` over ``log10_levels``."""

    colormap: pg.ColorMap
    log10_levels: tuple[float, float]
    label: str = "learning rate (log10)"


def lr_colorbar(lrs) -> LrColorBar:
    """The colour bar of a learning-rate sweep (log10 levels spanning ``lrs``)."""
    lrs = np.asarray(lrs, dtype=float)
    good = lrs[np.isfinite(lrs) & (lrs > 0)]
    if good.size == 0:
        return LrColorBar(lr_colormap(), (-3.0, -2.0))
    lo, hi = float(np.log10(good.min())), float(np.log10(good.max()))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    return LrColorBar(lr_colormap(), (lo, hi))


def _lr_colors(lr: np.ndarray) -> np.ndarray:
    bar = lr_colorbar(lr)
    lo, hi = bar.log10_levels
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (np.log10(np.where(lr > 0, lr, 10.0**lo)) - lo) / (hi - lo)
    return bar.colormap.map(np.clip(np.nan_to_num(t), 0.0, 1.0), mode=pg.ColorMap.BYTE)


def _start_colors(start: np.ndarray) -> np.ndarray:
    keys = np.round(start, 9)
    _, which = np.unique(keys, axis=0, return_inverse=True)
    which = which.reshape(-1)
    n = int(which.max()) + 1 if which.size else 0
    if n <= len(OKABE_ITO) - 1:
        return categorical(n)[which]
    cmap = pg.colormap.get("CET-C6")  # cyclic: neighbouring starts differ, none fades out
    return cmap.map(which / max(n, 1), mode=pg.ColorMap.BYTE)


def run_colors(run_table, mode: str) -> np.ndarray:
    """One RGBA colour per run, (K, 4) uint8.

    ``mode`` is ``"lr"`` (by log10 of the learning rate), ``"optimizer"`` (Okabe-Ito by
    optimizer) or ``"start"`` (by start point). Runs that differ only by their sampling
    seed share a colour and are drawn translucent, so a stochastic cloud reads as one.
    """
    if mode == "lr":
        colors = _lr_colors(np.asarray(run_table.lr, dtype=float))
    elif mode == "optimizer":
        index = np.asarray(run_table.optimizer_index, dtype=int)
        colors = categorical(len(run_table.optimizer_labels) or 1)[index]
    elif mode == "start":
        colors = _start_colors(np.asarray(run_table.start, dtype=float).reshape(-1, 2))
    else:
        raise ValueError(f"mode must be one of 'lr', 'optimizer', 'start', got {mode!r}")
    colors = np.array(colors, dtype=np.uint8).reshape(-1, 4)
    seeds = np.asarray(run_table.seed)
    if seeds.size and np.unique(seeds).size > 1:
        colors[:, 3] = 150
    return colors
