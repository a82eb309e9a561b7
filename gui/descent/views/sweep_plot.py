"""A learning-rate sweep at a glance: the loss each run has reached against its rate.

Too small a rate barely moves, a good one reaches the bottom, too large a one diverges:
the plot shows all three as one curve over a log lr axis, with the diverged rates shaded
red and marked with crosses at the top edge.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.descent.views.curve_plot import log_axis_floor
from gui.shell import colors as palette
from gui.widgets.plot_style import (
    decade_ticks,
    ink_hex,
    set_plot_presentation,
    set_view_range,
    style_static_plot,
)
from gui.widgets.run_items import MarkersItem

_LOG_FLOOR = 1e-16
_SUBPIXEL = 1.0 / 1000.0  # of the y span: less than a pixel on any screen


def log_ticks(lo: float, hi: float) -> list[list[tuple[float, str]]]:
    """Ticks for a log10 axis from ``lo`` to ``hi``: decades labelled, 2x and 5x labelled
    only when the axis spans less than two decades (otherwise they would collide)."""
    major, minor = [], []
    label_minor = hi - lo < 2.0
    for decade in range(int(np.floor(lo)), int(np.ceil(hi)) + 1):
        for mult in (1, 2, 3, 5):
            v = decade + np.log10(mult)
            if lo <= v <= hi:
                text = f"{mult * 10.0**decade:g}"
                if mult == 1:
                    major.append((v, text))
                elif mult != 3 or hi - lo < 1.0:
                    minor.append((v, text if label_minor else ""))
    return [major, minor]


class SweepPlot:
    """Final loss (log y, linear once a loss is negative) against learning rate (log x)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        style_static_plot(plot, "loss reached vs learning rate", log_x=True, log_y=True)
        plot.getAxis("bottom").setLabel("learning rate", color=ink_hex())
        self.region = pg.LinearRegionItem(
            values=(0, 1),
            movable=False,
            brush=pg.mkBrush(*palette.DIVERGED_COLOR, 45),
            pen=pg.mkPen(*palette.DIVERGED_COLOR, 120),
        )
        self.region.setZValue(-10)
        self.region_label = pg.TextItem("diverged", color=palette.DIVERGED_COLOR, anchor=(1, 1))
        self.line = pg.PlotCurveItem(pen=pg.mkPen(120, 120, 130, 200, width=1.5))
        self.dots = MarkersItem("o", 10.0)
        self.crosses = MarkersItem("x", 12.0)
        for item in (self.region, self.region_label, self.line, self.dots, self.crosses):
            plot.addItem(item)
        self.log_y = True
        self._x = np.zeros(0)
        self._colors = np.zeros((0, 4), np.uint8)
        self._order = np.zeros(0, int)
        self._range: tuple | None = None
        self._drawn: tuple | None = None  # (points, diverged, range) last drawn

    def set_runs(self, colors: np.ndarray, run_table) -> None:
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        lr = np.asarray(getattr(run_table, "lr", np.ones(len(self._colors))), float)
        self._x = np.log10(np.where(lr > 0, lr, 1e-300))
        self._order = np.argsort(self._x, kind="stable")
        self._range = None
        self._drawn = None
        for item in (self.dots, self.crosses):
            item.set_points(np.zeros((0, 2)), np.zeros((0, 4)))
        self.line.setData([], [])
        self.region.setVisible(False)
        self.region_label.setVisible(False)

    def _display(self, loss: np.ndarray) -> np.ndarray:
        if not self.log_y:
            return loss
        return np.log10(np.where(loss > _LOG_FLOOR, loss, _LOG_FLOOR))

    def show(self, final_loss: np.ndarray, diverged_at: np.ndarray) -> None:
        """Place every run at (log10 lr, final loss); shade the rates that diverged."""
        if len(final_loss) != len(self._x) or len(self._x) == 0:
            return
        loss = np.where(np.isfinite(final_loss), final_loss, np.nan)
        gone = np.asarray(diverged_at) >= 0
        alive_loss = loss[~gone & np.isfinite(loss)]
        log_y = not (alive_loss.size and alive_loss.min() < 0)
        if log_y != self.log_y:
            self.log_y = log_y
            self.plot.setLogMode(x=True, y=log_y)
            self._range = None
        y = self._display(
            np.nan_to_num(loss, nan=np.nanmax(alive_loss) if alive_loss.size else 1.0)
        )
        y_lo, y_hi = self._fit_range(y[~gone] if (~gone).any() else y)
        points = np.column_stack([self._x, np.clip(y, y_lo, y_hi)])
        if self._unchanged(points, gone):
            return  # every dot moved less than a pixel: no repaint
        self.dots.set_points(points[~gone], self._colors[~gone])
        red = np.tile(palette.DIVERGED_COLOR + (255,), (int(gone.sum()), 1))
        top = y_hi - 0.06 * (y_hi - y_lo)  # just inside the top edge, fully visible
        self.crosses.set_points(np.column_stack([self._x[gone], np.full(gone.sum(), top)]), red)
        order = self._order[~gone[self._order]]
        self.line.setData(points[order, 0], points[order, 1])
        self._shade(gone, y_hi)

    def _unchanged(self, points: np.ndarray, gone: np.ndarray) -> bool:
        """Whether ``points`` are within a pixel of those drawn (same runs diverged, same
        range); else they become the drawn ones."""
        drawn = self._drawn
        if (
            drawn is not None
            and drawn[2] == self._range
            and np.array_equal(drawn[1], gone)
            and np.abs(points[:, 1] - drawn[0][:, 1]).max(initial=0.0)
            < _SUBPIXEL * (self._range[3] - self._range[2])
        ):
            return True
        self._drawn = (points.copy(), gone.copy(), self._range)
        return False

    def _shade(self, gone: np.ndarray, y_hi: float) -> None:
        if not gone.any():
            self.region.setVisible(False)
            self.region_label.setVisible(False)
            return
        first_bad = self._x[gone].min()
        below = self._x[~gone & (self._x < first_bad)]
        start = 0.5 * (below.max() + first_bad) if below.size else self._range[0]
        self.region.setRegion((start, self._range[1]))
        self.region_label.setPos(self._range[1], self._range[2])
        self.region.setVisible(True)
        self.region_label.setVisible(True)

    def _fit_range(self, y: np.ndarray) -> tuple[float, float]:
        x_lo, x_hi = float(self._x.min()), float(self._x.max())
        pad = max(0.08 * (x_hi - x_lo), 0.1)
        y_lo, y_hi = float(np.min(y)), float(np.max(y))
        if self.log_y:
            # the best rate's loss falls decade after decade: leave room below it
            y_hi = np.ceil(y_hi) + 0.5
            y_lo = log_axis_floor(y_lo, y_hi, self._range[2] if self._range else None)
        else:
            gap = max(y_hi - y_lo, 1e-9)
            y_lo, y_hi = y_lo - 0.05 * gap, y_hi + 0.15 * gap
        wanted = (x_lo - pad, x_hi + pad, float(y_lo), float(y_hi))
        if not self._keeps(wanted):
            self._range = wanted
            view_box = self.plot.getViewBox()
            set_view_range(view_box, wanted[:2], wanted[2:], padding=0.0)
            self.plot.getAxis("bottom").setTicks(log_ticks(wanted[0], wanted[1]))
            left = decade_ticks(wanted[2], wanted[3], 4) if self.log_y else None
            self.plot.getAxis("left").setTicks(left)
            for markers in (self.dots, self.crosses):
                markers.set_view_rect(view_box.viewRect())
        return self._range[2], self._range[3]

    def _keeps(self, wanted: tuple[float, float, float, float]) -> bool:
        """Whether the current range can stay: it holds ``wanted`` and is not much larger.

        A range change redraws the axes and grid, so a loss wobbling across a decade
        boundary (log) or changing a little (linear) must not move the axis every frame.
        """
        current = self._range
        if current is None or current[:2] != wanted[:2]:
            return False
        lo, hi = current[2:]
        if not (lo <= wanted[2] and wanted[3] <= hi):
            return False
        span = wanted[3] - wanted[2]
        slack = 2.0 if self.log_y else span  # two decades, or twice the span
        return (hi - lo) - span <= slack

    def set_presentation(self, on: bool) -> None:
        self.dots.size = 14.0 if on else 10.0
        self.crosses.size = 16.0 if on else 12.0
        set_plot_presentation(self.plot, on)
