"""One "value vs step" plot for every run at once (loss, gradient norm, learning rate).

The curves go through a `TrailsItem` (incremental painting) fed by a `PathFeed`; the
transformed rows (step, log10 value) are cached so a frame only transforms the rows it
has not seen. The axis ranges are managed here, in coarse jumps (the step axis ends at
1, 2 or 5 times a power of ten, the log axis moves by several decades at once) because
every range change redraws all curves.
A stopped run's curve stops at the step it stopped, where a mark says why: a red cross
where it diverged, a square where the formula has no value (violet) or overflows (dark),
a dot in its own colour where it left the view (not a failure).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from core.descent.frame import DIVERGED, ESCAPED, OVERFLOW, UNDEFINED
from core.surfaces.surface_grid import nice_step
from gui.shell import colors as palette
from gui.widgets.path_feed import PathFeed
from gui.widgets.plot_style import (
    decade_ticks,
    set_plot_presentation,
    set_view_range,
    style_static_plot,
)
from gui.widgets.run_items import MarkersItem
from gui.widgets.trails import TrailsItem

_LOG_FLOOR = 1e-16  # non-positive values on a log axis are drawn at this floor
_CELL_FRACTION = 1.0 / 1200.0  # before the plot has a size: rows this close merge
_LOG_FLOOR_DECADE = math.log10(_LOG_FLOOR)
_CELL_PX = 1.0  # a row in the same screen pixel as the row before it adds nothing
_STEP_AXIS_ENDS = (1.0, 2.0, 5.0)  # times a power of ten


def _tile(rgb, n) -> np.ndarray:
    return np.tile(tuple(rgb) + (255,), (int(n), 1)).astype(np.uint8)


def step_axis_end(last_step: float) -> float:
    """The end of the step axis: the next of 1, 2, 5 times a power of ten at or above
    ``last_step`` (at least 10).

    Each change of the axis redraws every curve; three a decade keep that rare, and the
    curves always fill at least 40 % of the width.
    """
    value = max(float(last_step), 10.0)
    power = 10.0 ** math.floor(math.log10(value))
    for mult in _STEP_AXIS_ENDS:
        if mult * power >= value:
            return float(mult * power)
    return float(10.0 * power)


def log_axis_floor(lowest: float, top: float, current: float | None = None) -> float:
    """The bottom decade of a log axis whose data reach down to ``lowest`` (log10) under a
    top decade ``top``; ``current`` is the bottom shown now.

    A falling loss crosses a decade every few hundred steps, and each move of the axis
    redraws every curve: a new bottom leaves a quarter of the span free below the curves
    (whole decades, none for a span under four), so the axis moves a few times over the
    whole run, not once a decade. The current bottom stays while the data fit above it
    and it is not much lower than a fresh one would be. Never below the log floor.
    """
    needed = float(math.floor(lowest))
    spare = (top - needed) // 4
    if current is not None and needed - 2 * spare - 1 <= current <= needed:
        return float(current)
    return max(needed - spare, _LOG_FLOOR_DECADE)


class CurvePanel:
    """A PlotItem showing ``values (N, K)`` against ``steps (N,)``, one curve per run."""

    def __init__(self, plot: pg.PlotItem, title: str, log_y: bool) -> None:
        self.plot = plot
        self.log_y = log_y
        style_static_plot(plot, title, log_x=False, log_y=log_y)
        self.trails = TrailsItem()
        self.trails.setZValue(10)
        plot.addItem(self.trails)
        self.crosses = MarkersItem("x", 12.0)
        self.squares = MarkersItem("s", 10.0)
        self.dots = MarkersItem("o", 9.0)
        for item in self.marks:
            item.setZValue(20)
            plot.addItem(item)
        self._colors = np.zeros((0, 4), np.uint8)
        self.feed = PathFeed(self.trails, (1.0, 1.0), tails=False)
        self._range: tuple[float, float, float, float] | None = None
        self._rows = np.zeros((0, 0, 2))
        self._seen = 0
        self._steps_key: tuple | None = None
        self._last_step = None
        self._y_lo, self._y_hi = np.inf, -np.inf
        self._presentation = False
        self._label_axis(0.0, 1.0)  # before any data: "1" and "10", nothing piled up
        # resized: fit again, so that rows merge by the new pixel size
        plot.getViewBox().sigResized.connect(self._forget_range)

    @property
    def marks(self) -> tuple[MarkersItem, MarkersItem, MarkersItem]:
        """The end marks: diverged (cross), undefined or overflow (square), left (dot)."""
        return (self.crosses, self.squares, self.dots)

    def _forget_range(self, *_args) -> None:
        self._range = None

    def set_style(self, colors: np.ndarray, width: float, antialias: bool = True) -> None:
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self.trails.set_style(colors, width, antialias)

    def set_log(self, log_y: bool) -> None:
        if log_y != self.log_y:
            self.log_y = log_y
            self.plot.setLogMode(y=log_y)
            self.clear()
            self._label_axis(0.0, 1.0)

    def _label_axis(self, y_lo: float, y_hi: float) -> None:
        """Decade ticks on a log axis, as many labels as the plot's height holds."""
        axis = self.plot.getAxis("left")
        if not self.log_y:
            axis.setTicks(None)
            return
        height = self.plot.getViewBox().height() or 120.0
        line = 2.4 * self._label_px()  # a label and a gap, px
        axis.setTicks(decade_ticks(y_lo, y_hi, max(2, int(height // line))))

    def clear(self) -> None:
        self._rows = np.zeros((0, 0, 2))
        self._seen = 0
        self._steps_key = None
        self._range = None
        self.feed.reset()
        for item in self.marks:
            item.set_points(np.zeros((0, 2)), np.zeros((0, 4)))

    # ----------------------------------------------------------------- data
    def _transform(self, steps, values, diverged_at) -> np.ndarray:
        """Rows (M, K, 2) of (step, display value); a diverged run's step stops growing."""
        x = np.broadcast_to(np.asarray(steps, float)[:, None], values.shape)
        gone = diverged_at >= 0
        if gone.any():
            x = np.where(gone[None, :], np.minimum(x, diverged_at[None, :]), x)
        y = np.asarray(values, float)
        if self.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(np.where(y > _LOG_FLOOR, y, _LOG_FLOOR))
        y = np.where(np.isfinite(y), y, np.nan)
        top = np.nanmax(y) if np.isfinite(y).any() else 0.0
        return np.stack([x, np.nan_to_num(y, nan=top)], axis=-1)

    def show(self, steps, values, diverged_at, stop_reason=None, newest=None) -> None:
        """Draw every run's curve up to the last row (the last row may still change).

        ``values`` (N, K), one row per step; or, given ``newest`` (K,), the rows before
        the newest one (`HistorySnapshot.split`: only the rows not seen yet are joined).
        ``stop_reason`` (K,) is core's reason per run (None: a stopped run diverged).
        """
        steps = np.asarray(steps)
        values = np.asarray(values, float)
        n = len(steps)
        if n == 0 or values.ndim != 2:
            return
        diverged_at = np.asarray(diverged_at).reshape(-1)
        key = (values.shape[1], float(steps[0]))
        seen = self._seen
        if key != self._steps_key or seen > n - 1 or (seen and steps[seen - 1] != self._last_step):
            seen = 0
        # rows [0, seen) are final; the old provisional last row is recomputed
        fresh = values[seen:]
        if newest is not None:
            fresh = np.concatenate([fresh, np.asarray(newest, float).reshape(1, -1)])
        rows = self._store(seen, self._transform(steps[seen:], fresh, diverged_at))
        self._seen, self._steps_key = n - 1, key
        self._last_step = steps[n - 2] if n > 1 else None
        y_last = rows[-1, :, 1]
        self._fit_range(
            rows, min(self._y_lo, float(y_last.min())), max(self._y_hi, float(y_last.max()))
        )
        self.feed.sync(rows)
        gone = (diverged_at >= 0) & (diverged_at <= steps[-1])
        reason = np.where(gone, DIVERGED, 0) if stop_reason is None else np.asarray(stop_reason)
        ends = rows[-1].copy()
        _, _, y_lo, y_hi = self._range
        ends[:, 1] = np.clip(ends[:, 1], y_lo, y_hi - 0.04 * (y_hi - y_lo))  # stay in view
        self._mark_ends(ends, gone, reason.reshape(-1))

    def _mark_ends(self, ends: np.ndarray, gone: np.ndarray, reason: np.ndarray) -> None:
        diverged = gone & (reason == DIVERGED)
        self.crosses.set_points(ends[diverged], _tile(palette.DIVERGED_COLOR, diverged.sum()))
        stuck = gone & ((reason == UNDEFINED) | (reason == OVERFLOW))
        square = np.where(
            (reason[stuck] == UNDEFINED)[:, None],
            palette.UNDEFINED_COLOR + (255,),
            palette.OVERFLOW_COLOR + (255,),
        )
        self.squares.set_points(ends[stuck], square)
        left = gone & (reason == ESCAPED)
        colors = self._colors[left] if len(self._colors) == len(gone) else _tile((0, 0, 0), 0)
        self.dots.set_points(ends[left] if len(colors) else np.zeros((0, 2)), colors)

    def _store(self, seen: int, new: np.ndarray) -> np.ndarray:
        """Write ``new`` rows after the ``seen`` final ones (no copy of the old rows);
        keep the running y range of the final rows. Returns the rows so far."""
        n = seen + len(new)
        # from row 0 (a new run, or the history thinned) into a new buffer: the feed
        # compares these rows with the ones it saw last, which must stay as they were
        if seen == 0 or n > len(self._rows) or self._rows.shape[1:] != new.shape[1:]:
            grown = np.empty((max(2 * n, 256), *new.shape[1:]))
            if seen:
                grown[:seen] = self._rows[:seen]
            self._rows = grown
        if seen == 0:
            self._y_lo, self._y_hi = np.inf, -np.inf
        self._rows[seen:n] = new
        final = new[:-1, :, 1]  # the last row stays provisional
        if final.size:
            self._y_lo = min(self._y_lo, float(final.min()))
            self._y_hi = max(self._y_hi, float(final.max()))
        return self._rows[:n]

    # ---------------------------------------------------------------- range
    def _value_range(self, rows: np.ndarray, y_lo: float, y_hi: float) -> tuple[float, float]:
        """The value axis for final rows spanning ``y_lo .. y_hi`` (display units)."""
        start_top = float(rows[0, :, 1].max())
        if self.log_y:
            # a run blowing up would stretch the axis over dozens of decades: cap at
            # three decades above the highest start, the curve is clamped to the top
            y_hi = np.ceil(min(y_hi, start_top + 3.0))
            shown = self._range[2] if self._range and self._range[3] == y_hi else None
            y_lo = log_axis_floor(y_lo, y_hi, shown)
            if y_hi - y_lo < 1:
                y_hi = y_lo + 1
        else:
            y_hi = min(y_hi, start_top + 2.0 * max(start_top - y_lo, 1e-12))
            step = nice_step(max(y_hi - y_lo, 1e-12), 5)
            y_lo, y_hi = np.floor(y_lo / step) * step, np.ceil(y_hi / step) * step
            if y_hi <= y_lo:
                y_lo, y_hi = y_lo - step, y_hi + step
        return float(y_lo), float(y_hi)

    def _fit_range(self, rows: np.ndarray, y_lo: float, y_hi: float) -> None:
        x_hi = step_axis_end(float(rows[-1, :, 0].max()))
        y_lo, y_hi = self._value_range(rows, y_lo, y_hi)
        wanted = (0.0, x_hi, y_lo, y_hi)
        if wanted == self._range:
            return
        # the step axis only grew: every drawn row still lies where it lay in the data
        # (steps are never clamped, the value box is the same) and only the rows to come
        # need the new, coarser grid; rebuilding 100 curves would cost a frame's budget
        widened = self._range is not None and wanted[2:] == self._range[2:]
        widened = widened and x_hi > self._range[1]
        if self._range is None or wanted[2:] != self._range[2:]:
            # new ticks redraw the axis and its grid: not for a move of the step axis
            self._label_axis(y_lo, y_hi)
        self._range = wanted
        view_box = self.plot.getViewBox()
        set_view_range(view_box, *self._padded(wanted), padding=0.0)
        for item in self.marks:
            item.set_view_rect(view_box.viewRect())
        pad_x, pad_y = 0.05 * x_hi, 0.05 * (y_hi - y_lo)
        self.trails.set_bounds(
            QtCore.QRectF(-pad_x, y_lo - pad_y, x_hi + 2 * pad_x, y_hi - y_lo + 2 * pad_y)
        )
        cell = self._cell(x_hi, y_hi - y_lo)
        lo, hi = np.array([-pad_x, y_lo - pad_y]), np.array([x_hi + pad_x, y_hi + pad_y])
        if widened:
            self.feed.regrid(cell, (lo, hi))
        else:
            self.feed.reset(cell=cell, clamp=(lo, hi))

    def _label_px(self) -> float:
        """The height of a tick label in pixels (its font's points, a line's spacing)."""
        return (12.0 if self._presentation else 8.5) * 1.4

    def _padded(self, wanted) -> tuple[tuple[float, float], tuple[float, float]]:
        """The view's x and y ranges for the axes' ends ``wanted``: 2 % more on each side,
        and on the value axis at least half a tick label's height. The ends are whole
        decades (or round numbers), so they carry labels, and pyqtgraph hides a label
        that would stick out of the plot: "100" at the very top of a short plot went."""
        x0, x1, y0, y1 = wanted
        height = self.plot.getViewBox().height()
        label_px = 0.5 * self._label_px() + 1.0
        y_share = 0.02 if height < 20 else max(0.02, label_px / (height - 2 * label_px))
        x_pad, y_pad = 0.02 * (x1 - x0), y_share * (y1 - y0)
        return (x0 - x_pad, x1 + x_pad), (y0 - y_pad, y1 + y_pad)

    def _cell(self, x_span: float, y_span: float) -> tuple[float, float]:
        """A screen cell in data units (a pixel high, one to two pixels wide): a row in
        the same cell as the row before it is not drawn (it would change a pixel by
        less than one), so a curve costs at most a few segments per pixel column
        however many rows the history holds."""
        view_box = self.plot.getViewBox()
        width, height = view_box.width(), view_box.height()
        if width < 50 or height < 20:  # not laid out yet
            return (x_span * _CELL_FRACTION, y_span * _CELL_FRACTION)
        rect = view_box.viewRect()
        # steps: a power of two (one to two pixels), so that the cells of a wider step
        # axis are unions of the old ones and a widening merges the drawn points
        step_cell = 2.0 ** math.ceil(math.log2(rect.width() * _CELL_PX / width))
        return (step_cell, rect.height() * _CELL_PX / height)

    def set_presentation(self, on: bool) -> None:
        self._presentation = bool(on)
        set_plot_presentation(self.plot, on)
        self.crosses.size = 16.0 if on else 12.0
        self.squares.size, self.dots.size = (14.0, 12.0) if on else (10.0, 9.0)
        if self._range is not None:
            self._label_axis(*self._range[2:])
