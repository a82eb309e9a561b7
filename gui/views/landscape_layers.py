"""The static layers of the landscape view: heat map, contours, colour bar, minima.

They change only when the landscape does, so they are rasterised once per view change
(device-coordinate cache) rather than once per frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from core.grid import LandscapeGrid, contour_segments
from gui.views import colors as palette
from gui.views.landscape_geometry import decade_text

_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache


class LandscapeLayers:
    """Heat map, contour lines, colour bar and minima stars inside ``plot``."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-100)
        self.image.setCacheMode(_CACHE)
        plot.addItem(self.image)
        self.contours = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(palette.CONTOUR_COLOR))
        self.contours.setZValue(-90)
        self.contours.setCacheMode(_CACHE)
        plot.addItem(self.contours)
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=palette.landscape_colormap(),
            interactive=False,
            width=14,
            pen=pg.mkPen(palette.FOREGROUND),
            colorMapMenu=False,
        )
        self.colorbar.axis.setTextPen(pg.mkPen(palette.FOREGROUND))
        self.colorbar.setImageItem(self.image, insert_in=plot)
        self.minima = pg.ScatterPlotItem(
            symbol="star", size=22, pen=pg.mkPen(palette.FOREGROUND, width=1.5), brush="w"
        )
        self.minima.setZValue(30)
        plot.addItem(self.minima)
        self.title = ""
        self.presentation = False

    def set_grid(self, grid: LandscapeGrid) -> None:
        xmin, xmax, ymin, ymax = grid.bounds
        dx = (xmax - xmin) / max(grid.x.size - 1, 1)
        dy = (ymax - ymin) / max(grid.y.size - 1, 1)
        self.image.setImage(grid.z, levels=grid.levels, autoLevels=False)
        # pixel centres sit on the samples: the image reaches half a pixel past the bounds
        rect = QtCore.QRectF(xmin - dx / 2, ymin - dy / 2, xmax - xmin + dx, ymax - ymin + dy)
        self.image.setRect(rect)
        self.colorbar.setLevels(grid.levels)
        self._label_colorbar(grid)
        segments = grid.contours if len(grid.contours) else contour_segments(grid)[0]
        self.contours.setData(segments[:, :, 0].ravel(), segments[:, :, 1].ravel())
        self.minima.setData(pos=np.asarray(grid.minima, float).reshape(-1, 2))
        self.title = grid.title
        self._set_title()

    def color_minima(self, minima: np.ndarray, colors: np.ndarray | None) -> None:
        """Stars in the given RGBA colours (None: white)."""
        brushes = "w" if colors is None else [pg.mkBrush(*c) for c in colors]
        self.minima.setData(pos=np.asarray(minima, float).reshape(-1, 2), brush=brushes)

    def set_presentation(self, on: bool) -> None:
        self.presentation = bool(on)
        self.minima.setSize(22 * (1.5 if on else 1.0))
        self.contours.setPen(pg.mkPen(palette.CONTOUR_COLOR, width=1.4 if on else 1.0))
        self.apply_fonts()
        self._set_title()

    def _set_title(self) -> None:
        size = "16pt" if self.presentation else "11pt"
        self.plot.setTitle(self.title or None, color=palette.FOREGROUND, size=size)

    def apply_fonts(self) -> None:
        font = QtGui.QFont()
        font.setPointSizeF(13.0 if self.presentation else 9.5)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setStyle(tickFont=font)
        axis = self.colorbar.axis
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)
        # an axis keeps the width of its first labels: size it for 4-character labels
        # in this font plus the axis title, or the larger labels would be dropped
        metrics = QtGui.QFontMetricsF(font)
        axis.setWidth(int(np.ceil(metrics.horizontalAdvance("0.01") + 1.6 * metrics.height() + 14)))
        left = self.plot.getAxis("left")
        left.setWidth(int(np.ceil(metrics.horizontalAdvance("-0.25") + 12)))

    def _label_colorbar(self, grid: LandscapeGrid) -> None:
        """Log scale: ticks at whole decades, labelled with the loss itself (0.1, 1, 10)."""
        axis = self.colorbar.axis
        if not grid.log_scale:
            axis.setTicks(None)
            axis.setLabel("loss", color=palette.FOREGROUND)
            return
        lo, hi = grid.levels
        decades = np.arange(np.ceil(lo), np.floor(hi) + 1)
        step = max(1, int(np.ceil(len(decades) / 8)))
        axis.setTicks([[(float(d), decade_text(d)) for d in decades[::step]], []])
        shifted = abs(grid.loss_min) > 1e-9
        label = "loss above its minimum (log scale)" if shifted else "loss (log scale)"
        axis.setLabel(label, color=palette.FOREGROUND)
