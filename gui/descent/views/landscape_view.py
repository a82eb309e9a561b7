"""The loss landscape as a heat map with contours, and every run's path crawling over it.

Items are built once in ``__init__`` and fed new arrays afterwards. The first view fits
the grid's bounds (auto-range off, aspect 1 so the gradient arrow meets the contours at a
right angle); the heat map follows the visible range (`LandscapeRegrid`). Data far outside
is clamped before it reaches an item. Each run ends in a mark that says how it is doing
(`RunMarks`: a dot, a red cross for diverged, an arrow head at the edge for a run that
left the view, a square where the formula stopped it), and marks out of sight are pinned
to the edge of the view where the path went out.

Paths are drawn in two layers: a stochastic cloud (the seeds of one setting, which
differ) underneath, and every run that is one road (deterministic, or alone) on top,
opaque, with a pale halo when there are few enough to read.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Signal

from core.surfaces.surface_grid import LandscapeGrid
from gui.descent.views.landscape_geometry import clamp, clamp_box, exit_box
from gui.descent.views.landscape_layers import LandscapeLayers
from gui.descent.views.landscape_overlays import (
    CORNERS,
    ArrowLegend,
    OutcomeOverlay,
    RunLegend,
    arrow_vectors,
    export_plot,
)
from gui.descent.views.landscape_regrid import LandscapeRegrid
from gui.descent.views.run_marks import RunMarks, RunStatus
from gui.shell import colors as palette
from gui.widgets.path_feed import PathFeed
from gui.widgets.run_items import ArrowsItem
from gui.widgets.trails import TrailsItem, line_style

# A path point moves less than this fraction of the view span: dropped (same pixel).
_PIXEL_FRACTION = 1.0 / 1500.0
MAX_HALOS = 12  # more paths than this on top: no halos (they would only add clutter)
LEGEND_EVERY = 20  # frames between looks for the corner where the run legend hides least


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
        self._words: list[str] = []
        self._groups: list[np.ndarray] = []  # runs sharing a label (seeds of one setting)
        self._cloud = np.zeros(0, bool)  # runs whose seeds were seen to differ
        self._frames_to_legend = 0
        self._followed: tuple | None = None  # (starts, marker position) last settled
        self._build_plot()
        self._build_items()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.layers.apply_fonts()

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
        self.layers = LandscapeLayers(self.plot)
        self.image, self.contours = self.layers.image, self.layers.contours
        self.colorbar, self.minima = self.layers.colorbar, self.layers.minima
        self.regrid = LandscapeRegrid(self.view_box, self.layers, self)
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
        self.marks = RunMarks(self.plot)
        self.heads, self.crosses = self.marks.heads, self.marks.crosses
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
        """Show a new landscape: image, contours, colour bar, minima; reset the view.

        The view fits ``grid.bounds`` (and keeps fitting them on a resize until the user
        zooms or pans); the heat map follows the visible range (`LandscapeRegrid`), with
        the colour and contour levels of ``grid``.
        """
        self._grid = grid
        self.layers.set_grid(grid)
        self.arrow_legend.set_numerical(len(grid.numerical_minima) > 0)
        self.start_target.setPos(*grid.start)
        self.regrid.set_grid(grid)  # limits, the fitted first view, then the heat map
        xmin, xmax, ymin, ymax = grid.bounds
        cell = max(xmax - xmin, ymax - ymin) * _PIXEL_FRACTION
        box = grid.bounds
        self.feed.reset(cell=(cell, cell), exit_box=exit_box(box), clamp=clamp_box(box))
        self.clear_state()

    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None:
        """Colours (K, 4) uint8 and legend labels of the runs about to be shown."""
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self._labels = list(labels)
        self._words = [""] * len(self._colors)
        names = np.array(self._labels, dtype=object)
        self._groups = [np.flatnonzero(names == n) for n in dict.fromkeys(self._labels)]
        self._cloud = np.zeros(len(self._colors), bool)
        self.paths.set_style(self._colors, *self._path_style())
        self._set_layers()
        self.heads.size = self._head_size()
        self.run_legend.set_runs(self._colors, self._labels, self._words)
        if self._grid is not None:
            self.clear_state()

    def set_start_point(self, x: float, y: float) -> None:
        """Move the start marker without emitting `start_point_selected`."""
        self.start_target.setPos(float(x), float(y))

    def clear_state(self) -> None:
        self.feed.reset()
        self._followed = None
        self.marks.clear()
        for item in self._arrow_items():
            item.set_arrows(np.zeros((0, 2)), np.zeros((0, 2)))

    def show_state(
        self, history_points: np.ndarray, frame, stopped: np.ndarray, newest=None
    ) -> None:
        """Draw paths up to the frame, each run's end mark (`RunMarks`) and the arrows.

        ``history_points`` (N, K, 2) end in the newest (provisional) row, or, given
        ``newest`` (K, 2), are the rows before it (`HistorySnapshot.split`: no copy).
        Why a run stopped is read from ``frame.stop_reason`` and ``frame.outside``;
        ``stopped`` only stands in for a frame that carries neither (runs flagged there
        count as diverged).
        """
        if self._grid is None:
            return
        points = np.asarray(history_points, float)
        current = clamp(np.asarray(frame.points, float).reshape(-1, 2), self._grid.bounds)
        status = RunStatus.of(frame, stopped)
        colors = self._run_colors(len(current))
        if newest is not None:
            newest = np.asarray(newest, float)
        if points.ndim == 3 and points.shape[1] == len(current):
            if int(getattr(frame, "step", 1)) > 0:
                self._find_clouds(current)
            rebuilds = self.feed.rebuilds
            self.feed.sync(points, newest)
            if self.feed.rebuilds != rebuilds:
                self.marks.forget_paths()
            self._follow_start(points[0] if len(points) else newest)
        self.marks.show(current, status, colors, self.paths.polyline, self._view_bounds())
        self._show_arrows(frame, current, status.reason == 0)
        words = status.words()
        if words != self._words:
            self._words = words
            self.run_legend.set_runs(self._colors, self._labels, self._words)
            self._frames_to_legend = 0
        self._place_run_legend(current)

    def _place_run_legend(self, current: np.ndarray) -> None:
        """Now and then, move the run legend to the corner where it hides the fewest
        path points (the arrow legend keeps its corner, bottom right)."""
        self._frames_to_legend -= 1
        if self._frames_to_legend > 0 or not self.run_legend.legend.isVisible():
            return
        self._frames_to_legend = LEGEND_EVERY
        taken = (CORNERS[3],) if self.arrow_legend.legend.isVisible() else ()
        points = np.vstack([self.paths.all_points(), current])
        self.run_legend.place(points, self._view_bounds(), taken)

    def set_outcome_map(self, outcomes) -> None:
        """Shade each start by the minimum it reached (None removes the overlay)."""
        self.outcomes.set_outcomes(outcomes, self._grid)
        # with the map shown, the paths step back: the basins are the message
        self.paths.setOpacity(1.0 if outcomes is None else 0.35)
        colors = None
        if outcomes is not None and len(outcomes.minima):
            colors = palette.categorical(len(outcomes.minima))
        if self._grid is not None:
            if colors is not None and len(colors) != len(self._grid.minima):
                colors = None  # a map of another surface's minima: leave the stars plain
            self.layers.color_minima(self._grid.minima, colors)

    def set_arrow_options(self, gradient: bool, velocity: bool, update: bool) -> None:
        """Which arrows to draw at each current point (-gradient, velocity, last step)."""
        shown = (bool(gradient), bool(velocity), bool(update))
        self._arrows = dict(zip(("gradient", "velocity", "update"), shown, strict=True))
        for item, on in zip(self._arrow_items(), shown, strict=True):
            item.setVisible(on)
        self.arrow_legend.set_entries(self._arrows, self._presentation)

    def set_presentation(self, on: bool) -> None:
        """Thicker lines, larger markers and fonts for a projector."""
        self._presentation = bool(on)
        self.paths.set_style(self._colors, *self._path_style())
        factor = 1.5 if on else 1.0
        self.heads.size, self.crosses.size = self._head_size(), 16.0 * factor
        self.marks.squares.size, self.marks.pointers.size = 13.0 * factor, 18.0 * factor
        self.marks.pointers.update()
        for item, width in (
            (self.gradient_arrows, 2.4),
            (self.velocity_arrows, 2.4),
            (self.update_arrows, 3.2),
        ):
            item.width = width * factor
            item.update()
        self.layers.set_presentation(on)
        self.arrow_legend.set_entries(self._arrows, self._presentation)
        self.run_legend.set_presentation(on)

    def export_png(self, path: str, width: int = 1920) -> None:
        """Save the plot (landscape, runs, colour bar) as a PNG ``width`` pixels wide."""
        legends = (self.arrow_legend.legend, self.run_legend.legend, self.outcomes.legend)
        legends += (self.layers.undefined.label,)
        export_plot(self.plot, legends, path, width)

    @property
    def is_settled(self) -> bool:
        """Whether the heat map covers the current view (wait for it before a screenshot)."""
        return self.regrid.is_settled

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop regridding and wait for the background job (True if none is left)."""
        return self.regrid.shutdown(timeout_ms)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --------------------------------------------------------------- internals
    def _head_size(self) -> float:
        """Current-point dots: smaller when many runs crowd the view."""
        base = 11.0 if len(self._colors) <= 20 else 7.0
        return base * (1.5 if self._presentation else 1.0)

    def _path_style(self) -> tuple[float, bool]:
        return line_style(len(self._colors), self._presentation, 2.6)

    def _find_clouds(self, current: np.ndarray) -> None:
        """Mark the seeds of a setting as a cloud once their points differ (a stochastic
        run); seeds that stay identical (the full batch) are one road, drawn on top."""
        cloud = self._cloud.copy()
        if len(cloud) != len(current):
            return
        for members in self._groups:
            if len(members) > 1 and not cloud[members[0]]:
                cloud[members] = bool(np.any(current[members] != current[members[0]]))
        if not np.array_equal(cloud, self._cloud):
            self._cloud = cloud
            self._set_layers()

    def _set_layers(self) -> None:
        on_top = ~self._cloud if len(self._cloud) == len(self._colors) else np.ones(0, bool)
        # one halo per road: identical seeds of a setting share one
        roads = sum(1 for m in self._groups if len(m) and on_top[m[0]]) if on_top.size else 0
        self.paths.set_layers(on_top, halo=0 < roads <= MAX_HALOS)

    def _run_colors(self, k: int) -> np.ndarray:
        if len(self._colors) == k:
            return self._colors
        return palette.categorical(k)

    def _on_range_changed(self, view_box, _range) -> None:
        """Per-frame items repaint just the visible data area, whatever they hold."""
        rect = view_box.viewRect()
        self.layers.show_view(self._view_bounds())
        self.paths.set_bounds(rect)
        self.marks.set_view_rect(rect)
        for item in self._arrow_items():
            item.set_view_rect(rect)
        self.marks.place(self._view_bounds())  # marks out of sight stay at the edge

    def _view_bounds(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        return (x0, x1, y0, y1)

    def _arrow_items(self) -> tuple[ArrowsItem, ArrowsItem, ArrowsItem]:
        return (self.gradient_arrows, self.velocity_arrows, self.update_arrows)

    def _follow_start(self, starts: np.ndarray) -> None:
        """Put the start marker on the runs' common start (hide it for a grid of starts).

        The starts row is the same each frame of a run: once the marker is where it
        belongs, nothing is checked again until the starts or the marker move."""
        pos = self.start_target.pos()
        followed = self._followed
        if followed is not None and followed[1] == pos and np.array_equal(followed[0], starts):
            return
        starts = np.nan_to_num(np.asarray(starts, float).reshape(-1, 2))
        common = bool(len(starts)) and bool(np.all(np.ptp(starts, axis=0) < 1e-12))
        self.start_target.setVisible(common)
        if common and self.start_target.isUnderMouse():
            self._followed = None  # the user may be about to drag it: look again next frame
            return
        if common:
            x, y = clamp(starts[0], self._grid.bounds)
            if (pos.x(), pos.y()) != (x, y):
                self.start_target.setPos(float(x), float(y))
        self._followed = (starts.copy(), self.start_target.pos())

    def _show_arrows(self, frame, current: np.ndarray, alive: np.ndarray) -> None:
        if not any(self._arrows.values()):
            return
        xmin, xmax, ymin, ymax = self._grid.bounds
        span = max(xmax - xmin, ymax - ymin)
        shown = tuple(kind for kind, on in self._arrows.items() if on)  # only what is drawn
        vectors = arrow_vectors(frame, span, self._grid.gradient_scale, shown)
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
