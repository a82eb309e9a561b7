"""The look shared by the side plots: fixed ranges, light grid, cached axes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtWidgets

from gui.shell import colors as palette

AXIS_WIDTH = 52  # stacked plots line up when their left axes share one width


def style_static_plot(plot: pg.PlotItem, title: str, log_x: bool, log_y: bool) -> None:
    """Title, grid and axes of a plot whose range the code sets (no mouse, no menu)."""
    plot.setTitle(title, color=palette.FOREGROUND, size="10pt")
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=palette.GRID_ALPHA)
    plot.getViewBox().disableAutoRange()
    plot.setLogMode(x=log_x, y=log_y)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(palette.FOREGROUND))
        axis.setTextPen(pg.mkPen(palette.FOREGROUND))
        axis.enableAutoSIPrefix(False)
        # the grid lines belong to the axes: rasterise them once per range change
        axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot.getAxis("left").setWidth(AXIS_WIDTH)
