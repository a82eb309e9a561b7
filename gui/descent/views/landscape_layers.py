"""The static layers of the landscape view: heat map, contours, colour bar, minima,
and the hatch over undefined cells.

The colour bar shows core's colour scale (linear, log or rank) with core's ticks and
labels: never a shared multiplier such as "(x1e+27)". Known minima are white stars;
minima found numerically (a formula's) are hollow stars, said so in their tooltip.

They change only when the landscape does, so they are rasterised once per view change
(device-coordinate cache) rather than once per frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from core.surfaces.surface_grid import LandscapeGrid
from gui.descent.views.landscape_domain import UndefinedOverlay
from gui.shell import colors as palette
from gui.shell.theme import plot_colors
from gui.widgets.plot_style import ink_hex

_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache


class LandscapeLayers:
    """Heat map, contour lines, colour bar and minima stars inside ``plot``."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        # the backdrop (coarse, the whole pannable area) lies under the visible patch; the
        # patch's contours are painted by the heat map's item (`ContouredImage`)
        self.contours = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(palette.CONTOUR_COLOR))
        self.backdrop = pg.ImageItem(axisOrder="row-major")
        self.image = ContouredImage(self.contours)
        for z, item in ((-98, self.backdrop), (-97, self.image)):
            item.setZValue(z)
            item.setCacheMode(_CACHE)
            plot.addItem(item)
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=palette.landscape_colormap(),
            interactive=False,
            width=14,
            pen=pg.mkPen(palette.FOREGROUND),
            colorMapMenu=False,
        )
        self.colorbar.axis.setTextPen(pg.mkPen(palette.FOREGROUND))
        self.colorbar.setImageItem([self.backdrop, self.image], insert_in=plot)
        self.minima = pg.ScatterPlotItem(
            symbol="star", size=22, pen=pg.mkPen(palette.FOREGROUND, width=1.5), brush="w"
        )
        self.minima.setZValue(30)
        plot.addItem(self.minima)
        self.numerical_minima = pg.ScatterPlotItem(
            symbol="star", size=22, pen=pg.mkPen(palette.FOREGROUND, width=2.2), brush=None
        )
        self.numerical_minima.setZValue(30)
        self.numerical_minima.setToolTip("minimum found numerically (the formula names none)")
        plot.addItem(self.numerical_minima)
        # the stars sit over the paths, which repaint the view every frame: cached, each
        # repaint is a small blit instead of a scatter paint (about half a millisecond)
        for stars in (self.minima, self.numerical_minima):
            stars.setCacheMode(_CACHE)
        self.undefined = UndefinedOverlay(plot)
        self.colorbar.axis.enableAutoSIPrefix(False)  # core's labels say the whole number
        self.title = ""
        self.ticks: tuple[tuple[float, str], ...] = ()
        self.presentation = False
        self.levels = (0.0, 1.0)
        self.patch: LandscapeGrid | None = None  # the grid the heat map shows now
        self._backdrop_ready = False  # the backdrop of this landscape has arrived
        self._view: tuple | None = None  # the visible range (see `show_view`)

    def set_grid(self, grid: LandscapeGrid) -> None:
        """A new landscape: its default grid, until `show_patch` brings the visible range."""
        self.levels = grid.levels
        self._backdrop_ready = False
        self.show_patch(grid)
        self.colorbar.setLevels(grid.levels)
        self._label_colorbar(grid)
        self.minima.setData(pos=np.asarray(grid.minima, float).reshape(-1, 2))
        numerical = np.asarray(grid.numerical_minima, float).reshape(-1, 2)
        self.numerical_minima.setData(pos=numerical[np.isfinite(numerical).all(axis=1)])
        _drop_cache(self.minima)
        _drop_cache(self.numerical_minima)
        self.title = grid.title
        self._set_title()

    def show_patch(self, patch: LandscapeGrid) -> None:
        """Heat map and contours of ``patch`` (colour levels: the landscape's own)."""
        self.patch = patch
        _place(self.image, patch, self.levels)
        segments = np.asarray(patch.contours, float).reshape(-1, 2, 2)
        self.contours.setData(segments[:, :, 0].ravel(), segments[:, :, 1].ravel())
        _drop_cache(self.image)  # its picture holds the contours
        self._show_backdrop_where_needed()
        self.undefined.show(patch)

    def show_backdrop(self, backdrop: LandscapeGrid) -> None:
        _place(self.backdrop, backdrop, self.levels)
        self._backdrop_ready = True
        self._show_backdrop_where_needed()

    def show_view(self, view: tuple[float, float, float, float]) -> None:
        """The visible range (xmin, xmax, ymin, ymax) changed: the backdrop may be needed."""
        self._view = tuple(view)
        self._show_backdrop_where_needed()

    def _show_backdrop_where_needed(self) -> None:
        """Show the backdrop only while the view reaches past the patch (a pan before the
        next patch arrives). The patch is opaque (non-finite values take the top colour),
        so a backdrop under it changes no pixel, yet the paths repaint the view every
        frame and each repaint would blit it (most of a millisecond)."""
        covered = self.patch is not None and self._view is not None
        if covered:
            px0, px1, py0, py1 = self.patch.bounds
            x0, x1, y0, y1 = self._view
            covered = px0 <= x0 and x1 <= px1 and py0 <= y0 and y1 <= py1
        self.backdrop.setVisible(self._backdrop_ready and not covered)

    def color_minima(self, minima: np.ndarray, colors: np.ndarray | None) -> None:
        """Stars in the given RGBA colours (None: white)."""
        brushes = "w" if colors is None else [pg.mkBrush(*c) for c in colors]
        self.minima.setData(pos=np.asarray(minima, float).reshape(-1, 2), brush=brushes)
        _drop_cache(self.minima)

    def set_presentation(self, on: bool) -> None:
        self.presentation = bool(on)
        self.minima.setSize(22 * (1.5 if on else 1.0))
        self.numerical_minima.setSize(22 * (1.5 if on else 1.0))
        _drop_cache(self.minima)
        _drop_cache(self.numerical_minima)
        self.undefined.set_presentation(on)
        self.contours.setPen(pg.mkPen(palette.CONTOUR_COLOR, width=1.4 if on else 1.0))
        _drop_cache(self.image)
        self.apply_fonts()
        self._set_title()

    def _set_title(self) -> None:
        size = "16pt" if self.presentation else "11pt"
        ink = plot_colors().foreground  # a new title in the theme on screen
        self.plot.setTitle(self.title or None, color=ink, size=size)

    def apply_fonts(self) -> None:
        font = QtGui.QFont()
        font.setPointSizeF(13.0 if self.presentation else 9.5)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setStyle(tickFont=font)
        axis = self.colorbar.axis
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)
        # an axis keeps the width of its first labels: size it for the longest tick
        # label in this font plus the axis title, or the larger labels would be dropped
        metrics = QtGui.QFontMetricsF(font)
        widest = max([metrics.horizontalAdvance(t) for _, t in self.ticks] or [0.0])
        widest = max(widest, metrics.horizontalAdvance("0.01"))
        axis.setWidth(int(np.ceil(widest + 1.6 * metrics.height() + 14)))
        left = self.plot.getAxis("left")
        left.setWidth(int(np.ceil(metrics.horizontalAdvance("-0.25") + 12)))

    def _label_colorbar(self, grid: LandscapeGrid) -> None:
        """Core's ticks (round losses at their display values) and title."""
        self.ticks = tuple((float(v), str(t)) for v, t in grid.colorbar_ticks)
        axis = self.colorbar.axis
        axis.setTicks([list(self.ticks), []] if self.ticks else None)
        axis.setLabel(grid.colorbar_title or "loss", color=ink_hex())
        self.apply_fonts()


class ContouredImage(pg.ImageItem):
    """The heat map with the contour lines painted into the same picture.

    Both change only with the landscape, while the paths over them repaint the view every
    frame. One item is one cached picture (device-coordinate cache), so a frame blits it
    once; the contours as an item of their own were a second, mostly transparent picture
    the size of the view, blended each frame (about half a millisecond). ``contours`` is a
    `pyqtgraph.PlotCurveItem` outside the scene: it holds the segments (data coordinates)
    and the pen, and paints them here; an export reaches it through `setExportMode`.
    """

    def __init__(self, contours: pg.PlotCurveItem) -> None:
        super().__init__(axisOrder="row-major")
        self.contours = contours

    def paint(self, painter, *args) -> None:
        super().paint(painter, *args)
        if self.image is None:
            return
        to_item, invertible = self.transform().inverted()  # data -> the image's pixels
        if not invertible:
            return
        painter.save()
        painter.setTransform(to_item, True)
        self.contours.paint(painter, *args)
        painter.restore()

    def setExportMode(self, export, opts=None):
        self.contours.setExportMode(export, opts)  # antialiased lines in an export
        return super().setExportMode(export, opts)


def _place(image: pg.ImageItem, grid: LandscapeGrid, levels) -> None:
    """``grid.z`` in ``image``, pixel centres on the samples (half a pixel past the ends)."""
    x, y = grid.x, grid.y
    dx = (x[-1] - x[0]) / max(x.size - 1, 1)
    dy = (y[-1] - y[0]) / max(y.size - 1, 1)
    image.setImage(grid.z, levels=levels, autoLevels=False)
    image.setRect(QtCore.QRectF(x[0] - dx / 2, y[0] - dy / 2, x[-1] - x[0] + dx, y[-1] - y[0] + dy))
    _drop_cache(image)


def _drop_cache(item: QtWidgets.QGraphicsItem) -> None:
    """Forget the cached pixels: after new data and a new geometry at once, Qt would
    otherwise keep showing parts of the old picture (it scrolls its device cache)."""
    item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)
    item.setCacheMode(_CACHE)
