"""What every exported figure shares: pixels from its painting, and the export's look
applied to widgets built for the screen.

A figure has ``width``, ``height`` and ``paint(painter)``; `PaintedFigure` turns that
into a QImage and the RGB array the video encoder takes, so PNG, SVG, PDF and every
animation frame come from one painting. `export_look` gives any pyqtgraph views under a
widget the export's colours (light, whatever the theme), its font sizes in pixels and
thicker lines, and switches off item caches, which would otherwise put rasters into
SVG and PDF files.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.export.figure_style import STYLES, FigureStyle, font
from gui.shell import colors as palette


class PaintedFigure(ABC):
    """Base of the export figures: ``image()`` and ``rgb()`` of a figure that has
    ``width``, ``height`` and its own ``paint(painter)``."""

    width: int
    height: int

    @abstractmethod
    def paint(self, painter: QtGui.QPainter) -> None:
        """Draw the whole figure with ``painter`` (on an image or an SVG/PDF device)."""

    def image(self, fmt=QtGui.QImage.Format.Format_RGB32) -> QtGui.QImage:
        """The figure as an image of exactly ``width`` x ``height`` pixels."""
        image = QtGui.QImage(self.width, self.height, fmt)
        image.fill(QtGui.QColor(*palette.BACKGROUND))
        painter = QtGui.QPainter(image)
        try:
            self.paint(painter)
        finally:
            painter.end()
        return image

    def rgb(self) -> np.ndarray:
        """The figure as a ``(height, width, 3)`` uint8 array (for the video encoder)."""
        image = self.image(QtGui.QImage.Format.Format_RGB888)  # painted as the encoder reads
        stride, w, h = image.bytesPerLine(), self.width, self.height
        raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
        return raw.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


def begin_paint(painter: QtGui.QPainter, width: int, height: int) -> QtCore.QRectF:
    """Antialiasing on, the export's white ground under ``width`` x ``height``."""
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
    rect = QtCore.QRectF(0, 0, width, height)
    painter.fillRect(rect, QtGui.QColor(*palette.BACKGROUND))
    return rect


def line_scale(style: FigureStyle) -> float:
    """How much thicker than on screen a figure's lines are drawn: its height's share
    of 1080 pixels, never thinner than on screen."""
    return max(style.line_px / STYLES[style.name].line_px, 1.0)


def export_look(root: QtWidgets.QWidget, style: FigureStyle) -> None:
    """Light colours, the style's fonts (pixels) and thicker lines for every pyqtgraph
    view under ``root`` (``root`` included); text labels get the legend's font."""
    views = root.findChildren(pg.GraphicsView)
    if isinstance(root, pg.GraphicsView):
        views.append(root)
    ink = pg.mkPen(palette.FOREGROUND, width=max(style.line_px / 3, 1.0))
    for view in views:
        view.setBackground(palette.BACKGROUND)
        view.setCacheMode(QtWidgets.QGraphicsView.CacheModeFlag.CacheNone)
        for item in view.scene().items():
            item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)
            _restyle(item, style, ink)
    for label in root.findChildren(QtWidgets.QLabel):
        set_label_font(label, style.legend_px)


def set_label_font(label: QtWidgets.QLabel, px: float, bold: bool = False) -> None:
    """A label's font in pixels, dark ink: through its style sheet, since the window's
    style sheet (theme, presentation scale) would override a plain ``setFont``."""
    weight = "bold" if bold else "normal"
    ink = "#" + "".join(f"{c:02x}" for c in palette.FOREGROUND)
    label.setStyleSheet(f"font-size: {max(round(px), 1)}px; font-weight: {weight}; color: {ink};")


def _restyle(item, style: FigureStyle, ink: QtGui.QPen) -> None:
    if isinstance(item, pg.AxisItem):
        item.setPen(ink)
        item.setTextPen(pg.mkPen(palette.FOREGROUND))
        item.setStyle(tickFont=font(style.tick_px), tickLength=-round(style.tick_px / 2))
        item.label.setFont(font(style.label_px))
        if item.orientation == "left":
            item.setWidth(round(style.tick_px * 3.6))
        elif item.orientation == "bottom":
            item.setHeight(round(style.tick_px * 1.4 + style.label_px * 1.5))
    elif isinstance(item, pg.LabelItem) and item.text:
        item.setText(item.text, color=palette.FOREGROUND, size=f"{round(style.label_px)}px")
    elif isinstance(item, pg.TextItem):
        item.setFont(font(style.tick_px * 0.8))
    elif isinstance(item, pg.ScatterPlotItem):
        item.opts["useCache"] = False  # symbols as vector paths, not cached pixmaps
    elif isinstance(item, pg.PlotDataItem):
        item.setPen(_thicker(item.opts["pen"], line_scale(style)))
    elif isinstance(item, pg.PlotCurveItem) and not isinstance(item.parentItem(), pg.PlotDataItem):
        item.setPen(_thicker(item.opts["pen"], line_scale(style)))


def _thicker(pen, scale: float) -> QtGui.QPen:
    thick = QtGui.QPen(pg.mkPen(pen))
    thick.setWidthF(max(thick.widthF(), 1.0) * scale)
    return thick
