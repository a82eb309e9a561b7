"""The loss landscape as a heat map with contours, and every run's path crawling over it.

Items are built once in ``__init__`` and fed new arrays afterwards. The view box is
fixed to the grid's bounds (auto-range off, aspect 1 so the gradient arrow meets the
contours at a right angle); data far outside is clamped before it reaches an item, and a
diverged run's cross is pinned to the edge of the view so it stays visible.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal

from core.grid import LandscapeGrid, contour_segments
from gui.views import colors as palette
from gui.views.items import ArrowsItem, MarkersItem
from gui.views.landscape_overlays import ArrowLegend, OutcomeOverlay, RunLegend, arrow_vectors
from gui.views.path_feed import PathFeed
from gui.views.trails import TrailsItem, line_style

# A path point moves less than this fraction of the view span: dropped (same pixel).
_PIXEL_FRACTION = 1.0 / 1500.0
# Paths are clamped to the bounds grown by this many spans (a runaway run stays drawable).
_CLAMP_SPANS = 1.0
# A path is cut at its first point beyond the bounds grown by this fraction of the span.
_EXIT_MARGIN = 0.05


def _decade_text(decade: float) -> str:
    """10**decade, short enough for a narrow axis: 0.01, 1, 1000, 1e4, 1e-5."""
    if -3 <= decade <= 3:
        return f"{10.0**decade:g}"
    return f"1e{int(decade)}"


class LandscapeView(QtWidgets.QWidget):
    """Heat map + contours of a `LandscapeGrid`, with run paths, markers and arrows."""

    start_point_selected = Signal(float, float)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid: LandscapeGrid | None = None
        self._colors = np.zeros((0, 4), np.uint8)
        self._labels: list[str] = []
        self._arrows = {"gradient": True, "velocity": False, "update": False}
        self._presentation = False
        self._diverged = np.zeros(0, bool)
        self._build_plot()
        self._build_items()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self._apply_fonts()

    # ----------------------------------------------------------------- building
    def _build_plot(self) -> None:
        self.plot_widget = pg.PlotWidget(background=palette.BACKGROUND)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.view_box = self.plot.getViewBox()
        self.view_box.disableAutoRange()
        self.view_box.setAspectLocked(True, ratio=1.0)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(palette.FOREGROUND))
            axis.setTextPen(pg.mkPen(palette.FOREGROUND))
            axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)

    def _build_items(self) -> None:
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-100)
        # static layers: rasterised once per view change instead of once per frame
        self.image.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.image)
        self.contours = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(palette.CONTOUR_COLOR))
        self.contours.setZValue(-90)
        self.contours.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.contours)
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0),
            colorMap=palette.landscape_colormap(),
            interactive=False,
            width=14,
            pen=pg.mkPen(palette.FOREGROUND),
            colorMapMenu=False,
        )
        self.colorbar.axis.setTextPen(pg.mkPen(palette.FOREGROUND))
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.outcomes = OutcomeOverlay(self.plot)
        self.paths = TrailsItem()
        self.paths.setZValue(10)
        self.plot.addItem(self.paths)
        self.feed = PathFeed(self.paths, (1.0, 1.0))
        # the trails repaint only the visible data area (not the axes around it)
        self.view_box.sigRangeChanged.connect(self._on_range_changed)
        self.gradient_arrows = ArrowsItem((20, 20, 20, 255), 2.4)
        self.velocity_arrows = ArrowsItem((0, 130, 90, 255), 2.4, QtCore.Qt.PenStyle.DashLine)
        self.update_arrows = ArrowsItem((190, 20, 140, 255), 3.2)
        for z, item in enumerate((self.update_arrows, self.velocity_arrows, self.gradient_arrows)):
            item.setZValue(20 + z)
            self.plot.addItem(item)
        self.minima = pg.ScatterPlotItem(
            symbol="star", size=22, pen=pg.mkPen(palette.FOREGROUND, width=1.5), brush="w"
        )
        self.minima.setZValue(30)
        self.plot.addItem(self.minima)
        self.heads = MarkersItem("o", 11.0)
        self.crosses = MarkersItem("x", 16.0)
        for item in (self.heads, self.crosses):
            item.setZValue(40)
            self.plot.addItem(item)
        self.start_target = pg.TargetItem(
            pos=(0.0, 0.0), size=16, pen=pg.mkPen(palette.FOREGROUND, width=2), movable=True
        )
        self.start_target.setZValue(50)
        self.start_target.setToolTip("Start point: drag it, or click anywhere on the landscape")
        self.start_target.sigPositionChangeFinished.connect(self._on_target_moved)
        self.plot.addItem(self.start_target)
        self.arrow_legend = ArrowLegend(self.view_box)
        self.run_legend = RunLegend(self.view_box)

    # ------------------------------------------------------------------ public
    def set_landscape(self, grid: LandscapeGrid) -> None:
        """Show a new landscape: image, contours, colour bar, minima; reset the view."""
        self._grid = grid
        xmin, xmax, ymin, ymax = grid.bounds
        dx = (xmax - xmin) / max(grid.x.size - 1, 1)
        dy = (ymax - ymin) / max(grid.y.size - 1, 1)
        self.image.setImage(grid.z, levels=grid.levels, autoLevels=False)
        # pixel centres sit on the samples: the image reaches half a pixel past the bounds
        self.image.setRect(
            QtCore.QRectF(xmin - dx / 2, ymin - dy / 2, xmax - xmin + dx, ymax - ymin + dy)
        )
        self.colorbar.setLevels(grid.levels)
        self._label_colorbar(grid)
        segments = grid.contours if len(grid.contours) else contour_segments(grid)[0]
        self.contours.setData(segments[:, :, 0].ravel(), segments[:, :, 1].ravel())
        self.minima.setData(pos=np.asarray(grid.minima, float).reshape(-1, 2))
        self._set_title()
        self.start_target.setPos(*grid.start)
        self.view_box.setLimits(
            xMin=xmin - (xmax - xmin),
            xMax=xmax + (xmax - xmin),
            yMin=ymin - (ymax - ymin),
            yMax=ymax + (ymax - ymin),
        )
        self.view_box.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
        lo, hi = self._clamp_box()
        cell = max(xmax - xmin, ymax - ymin) * _PIXEL_FRACTION
        mx, my = _EXIT_MARGIN * (xmax - xmin), _EXIT_MARGIN * (ymax - ymin)
        exit_box = (xmin - mx, xmax + mx, ymin - my, ymax + my)
        self.feed.reset(cell=(cell, cell), exit_box=exit_box, clamp=(lo, hi))
        self.clear_state()

    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None:
        """Colours (K, 4) uint8 and legend labels of the runs about to be shown."""
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self._labels = list(labels)
        self._diverged = np.zeros(len(self._colors), bool)
        self.paths.set_style(self._colors, *self._path_style())
        self.heads.size = self._head_size()
        self.run_legend.set_runs(self._colors, self._labels, self._diverged)
        if self._grid is not None:
            self.clear_state()

    def set_start_point(self, x: float, y: float) -> None:
        """Move the start marker without emitting `start_point_selected`."""
        self.start_target.setPos(float(x), float(y))

    def clear_state(self) -> None:
        self.feed.reset()
        self.heads.set_points(np.zeros((0, 2)), np.zeros((0, 4)))
        self.crosses.set_points(np.zeros((0, 2)), np.zeros((0, 4)))
        for item in (self.gradient_arrows, self.velocity_arrows, self.update_arrows):
            item.set_arrows(np.zeros((0, 2)), np.zeros((0, 2)))

    def show_state(self, history_points: np.ndarray, frame, diverged: np.ndarray) -> None:
        """Draw paths up to the frame, current points, crosses for diverged runs, arrows."""
        if self._grid is None:
            return
        points = np.asarray(history_points, float)
        diverged = np.asarray(diverged, bool).reshape(-1)
        current = self._clamp(np.asarray(frame.points, float).reshape(-1, 2))
        colors = self._run_colors(len(current))
        if points.ndim == 3 and points.shape[1] == len(current):
            self.feed.sync(points)
            self._follow_start(points[0])
        exited = (
            self.feed.exited
            if len(self.feed.exited) == len(current)
            else np.zeros(len(current), bool)
        )
        alive = ~diverged if diverged.size == len(current) else np.ones(len(current), bool)
        ends = current.copy()
        for k in np.flatnonzero(exited & ~alive):
            ends[k] = self._exit_mark(k)
        self.heads.set_points(current[alive], colors[alive])
        pinned = self._pin_inside(ends[~alive])
        self.crosses.set_points(pinned, np.tile(palette.DIVERGED_COLOR + (255,), (len(pinned), 1)))
        self._show_arrows(frame, current, alive)
        if not np.array_equal(diverged, self._diverged):
            self._diverged = diverged.copy()
            self.run_legend.set_runs(self._colors, self._labels, self._diverged)

    def set_outcome_map(self, outcomes) -> None:
        """Shade each start by the minimum it reached (None removes the overlay)."""
        self.outcomes.set_outcomes(outcomes, self._grid)
        # with the map shown, the paths step back: the basins are the message
        self.paths.setOpacity(1.0 if outcomes is None else 0.35)
        brushes = "w"
        if outcomes is not None and len(outcomes.minima):
            brushes = [pg.mkBrush(*c) for c in palette.categorical(len(outcomes.minima))]
        if self._grid is not None:
            self.minima.setData(
                pos=np.asarray(self._grid.minima, float).reshape(-1, 2), brush=brushes
            )

    def set_arrow_options(self, gradient: bool, velocity: bool, update: bool) -> None:
        self._arrows = {
            "gradient": bool(gradient),
            "velocity": bool(velocity),
            "update": bool(update),
        }
        self.gradient_arrows.setVisible(self._arrows["gradient"])
        self.velocity_arrows.setVisible(self._arrows["velocity"])
        self.update_arrows.setVisible(self._arrows["update"])
        self.arrow_legend.set_entries(self._arrows, self._presentation)

    def set_presentation(self, on: bool) -> None:
        """Thicker lines, larger markers and fonts for a projector."""
        self._presentation = bool(on)
        self.paths.set_style(self._colors, *self._path_style())
        factor = 1.5 if on else 1.0
        self.heads.size, self.crosses.size = self._head_size(), 16.0 * factor
        for item, width in (
            (self.gradient_arrows, 2.4),
            (self.velocity_arrows, 2.4),
            (self.update_arrows, 3.2),
        ):
            item.width = width * factor
            item.update()
        self.minima.setSize(22 * factor)
        self.contours.setPen(pg.mkPen(palette.CONTOUR_COLOR, width=1.4 if on else 1.0))
        self.arrow_legend.set_entries(self._arrows, self._presentation)
        self.run_legend.set_presentation(on)
        self._apply_fonts()
        self._set_title()

    def export_png(self, path: str, width: int = 1920) -> None:
        """Save the plot (landscape, runs, colour bar) as a PNG ``width`` pixels wide."""
        exporter = ImageExporter(self.plot)
        rect = self.plot.sceneBoundingRect()
        exporter.parameters()["width"] = int(width)
        exporter.parameters()["height"] = round(width * rect.height() / max(rect.width(), 1))
        exporter.export(str(path))

    # --------------------------------------------------------------- internals
    def _head_size(self) -> float:
        """Current-point dots: smaller when many runs crowd the view."""
        base = 11.0 if len(self._colors) <= 20 else 7.0
        return base * (1.5 if self._presentation else 1.0)

    def _path_style(self) -> tuple[float, bool]:
        return line_style(len(self._colors), self._presentation, 2.6)

    def _set_title(self) -> None:
        title = self._grid.title if self._grid is not None else ""
        size = "16pt" if self._presentation else "11pt"
        self.plot.setTitle(title or None, color=palette.FOREGROUND, size=size)

    def _apply_fonts(self) -> None:
        font = QtGui.QFont()
        font.setPointSizeF(13.0 if self._presentation else 9.5)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setStyle(tickFont=font)
        self.colorbar.axis.setStyle(tickFont=font)
        self.colorbar.axis.label.setFont(font)
        # an axis keeps the width of its first labels: size it for 4-character labels
        # in this font plus the axis title, or the larger labels would be dropped
        metrics = QtGui.QFontMetricsF(font)
        width = metrics.horizontalAdvance("0.01") + 1.6 * metrics.height() + 14
        self.colorbar.axis.setWidth(int(np.ceil(width)))
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
        axis.setTicks([[(float(d), _decade_text(d)) for d in decades[::step]], []])
        shifted = abs(grid.loss_min) > 1e-9
        axis.setLabel(
            "loss above its minimum (log scale)" if shifted else "loss (log scale)",
            color=palette.FOREGROUND,
        )

    def _run_colors(self, k: int) -> np.ndarray:
        if len(self._colors) == k:
            return self._colors
        return palette.categorical(k)

    def _clamp_box(self) -> tuple[np.ndarray, np.ndarray]:
        xmin, xmax, ymin, ymax = self._grid.bounds
        sx, sy = (xmax - xmin) * _CLAMP_SPANS, (ymax - ymin) * _CLAMP_SPANS
        return np.array([xmin - sx, ymin - sy]), np.array([xmax + sx, ymax + sy])

    def _clamp(self, points: np.ndarray) -> np.ndarray:
        """Finite coordinates within the bounds grown by `_CLAMP_SPANS` spans."""
        lo, hi = self._clamp_box()
        return np.clip(np.nan_to_num(points, nan=0.0, posinf=hi.max(), neginf=lo.min()), lo, hi)

    def _on_range_changed(self, view_box, _range) -> None:
        """Per-frame items repaint just the visible data area, whatever they hold."""
        rect = view_box.viewRect()
        self.paths.set_bounds(rect)
        for item in (self.heads, self.crosses, *self._arrow_items()):
            item.set_view_rect(rect)

    def _arrow_items(self) -> tuple[ArrowsItem, ArrowsItem, ArrowsItem]:
        return (self.gradient_arrows, self.velocity_arrows, self.update_arrows)

    def _follow_start(self, starts: np.ndarray) -> None:
        """Put the start marker on the runs' common start (hide it for a grid of starts)."""
        starts = np.nan_to_num(np.asarray(starts, float).reshape(-1, 2))
        common = bool(len(starts)) and bool(np.all(np.ptp(starts, axis=0) < 1e-12))
        self.start_target.setVisible(common)
        if common and not self.start_target.isUnderMouse():
            x, y = self._clamp(starts[0])
            pos = self.start_target.pos()
            if (pos.x(), pos.y()) != (x, y):
                self.start_target.setPos(float(x), float(y))

    def _exit_mark(self, k: int) -> np.ndarray:
        """Where run ``k``'s last drawn segment crosses the edge of the view (3 % inset)."""
        path = self.paths.polyline(k)
        if len(path) < 2:
            return self.feed.exit_points[k]
        p0, p1 = path[-2], path[-1]
        xmin, xmax, ymin, ymax = self._grid.bounds
        ix, iy = 0.03 * (xmax - xmin), 0.03 * (ymax - ymin)
        lo, hi = np.array([xmin + ix, ymin + iy]), np.array([xmax - ix, ymax - iy])
        d = p1 - p0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_lo, t_hi = (lo - p0) / d, (hi - p0) / d
        leave = np.where(d > 0, t_hi, np.where(d < 0, t_lo, np.inf))
        t = float(np.clip(np.nanmin(leave), 0.0, 1.0))
        return p0 + t * d

    def _pin_inside(self, points: np.ndarray) -> np.ndarray:
        """Pull points that left the visible bounds back onto its edge (3 % inset)."""
        xmin, xmax, ymin, ymax = self._grid.bounds
        ix, iy = 0.03 * (xmax - xmin), 0.03 * (ymax - ymin)
        return np.clip(points, (xmin + ix, ymin + iy), (xmax - ix, ymax - iy))

    def _show_arrows(self, frame, current: np.ndarray, alive: np.ndarray) -> None:
        if not any(self._arrows.values()):
            return
        span = max(
            self._grid.bounds[1] - self._grid.bounds[0], self._grid.bounds[3] - self._grid.bounds[2]
        )
        vectors = arrow_vectors(frame, span, self._grid.gradient_scale)
        here = current[alive]
        if self._arrows["gradient"]:
            self.gradient_arrows.set_arrows(here, here + vectors["gradient"][alive])
        if self._arrows["velocity"]:
            self.velocity_arrows.set_arrows(here, here + vectors["velocity"][alive])
        if self._arrows["update"]:
            self.update_arrows.set_arrows(here - vectors["update"][alive], here)

    def _on_scene_click(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton or event.double():
            return
        pos = event.scenePos()
        if not self.view_box.sceneBoundingRect().contains(pos):
            return
        point = self.view_box.mapSceneToView(pos)
        self.start_target.setPos(point.x(), point.y())
        self.start_point_selected.emit(float(point.x()), float(point.y()))

    def _on_target_moved(self, target) -> None:
        pos = target.pos()
        self.start_point_selected.emit(float(pos.x()), float(pos.y()))
