"""The data set's points over what the network outputs: decision regions or the fitted curve.

Training points are filled circles, test points hollow squares, both in their class's
colour (regression: dark grey). Under them, the `core.nn.output_grid.OutputGrid` of the
shown run: class colours faded towards white where the network is unsure (regions), a
colour ramp with its colour bar (a 2-D regression), or a line (one input feature). The
grid holds the first output; with several the title says so ("output 1 of 2").
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from gui.network.views.steady_scatter import SteadyScatter
from gui.shell import colors as palette
from gui.shell.theme import plot_colors
from gui.widgets.plot_style import set_plot_presentation, style_static_plot

REGION_STRENGTH = 0.45  # how strongly a sure region is tinted (1: the class colour itself)
TITLE = "Data (● train, □ test) and output"
SURFACE_TOP = (49, 120, 180)  # a regression surface's highest value; its lowest: the ground


class DataView(pg.PlotWidget):
    """Implements `gui.network.protocols.DataDisplay`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background=plot_colors().background)
        self.plot = self.getPlotItem()
        style_static_plot(self.plot, TITLE, False, False)
        self.image = pg.ImageItem(axisOrder="row-major")  # decision regions (RGB)
        self.surface = pg.ImageItem(axisOrder="row-major")  # a regression output (values)
        self.bar = pg.ColorBarItem(values=(0.0, 1.0), width=14, interactive=False)
        self.bar.setImageItem(self.surface)
        self.bar.hide()  # in the plot's layout only while a surface is shown (_show_bar)
        self.curve = pg.PlotCurveItem()
        self.note = pg.TextItem(anchor=(0.0, 0.0))  # what a slice of more features holds
        self.note.setZValue(20)
        self.note.hide()
        self.train = SteadyScatter(size=7, pen=pg.mkPen(255, 255, 255, 200))
        self.test = SteadyScatter(size=8, symbol="s", brush=None)
        self.selected = SteadyScatter(size=18, brush=None, pen=pg.mkPen((0, 0, 0), width=2))
        items = (self.image, self.surface, self.curve, self.train, self.test, self.selected)
        for item in (*items, self.note):
            self.addItem(item)
        for item in (self.train, self.test, self.selected):
            # the points stay put while the output under them changes a few times a
            # second: Qt keeps them as a picture and blits it (redrawn when they change)
            item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.dataset = None
        self.grid = None
        self._class_colors = palette.categorical(8)[:, :3]
        self._factor = 1.0  # presentation: larger points and line
        self._restyle()

    def follow_theme(self) -> None:
        """View > Theme switched (gui.shell.window_memory.set_theme): the line, the note
        and the regions take the new theme's colours."""
        self._restyle()

    def _restyle(self) -> None:
        colors = plot_colors()
        self._ink, self._ground = colors.foreground, colors.background
        self.curve.setPen(pg.mkPen(self._ink, width=2.5 * self._factor))
        self.note.fill = pg.mkBrush(*self._ground, 225)
        self.note.setColor(self._ink)
        ramp = pg.ColorMap([0.0, 1.0], [(*self._ground, 255), (*SURFACE_TOP, 255)])
        self.bar.setColorMap(ramp)  # from the ground up: points in ink stay visible on it
        self.bar.axis.setPen(pg.mkPen(self._ink))
        self.bar.axis.setTextPen(pg.mkPen(self._ink))
        if self.dataset is not None:
            self.set_dataset(self.dataset, keep_output=True)

    def set_presentation(self, on: bool) -> None:
        """Larger axis fonts, points and output line for a projector."""
        set_plot_presentation(self.plot, on)
        factor = self._factor = 1.5 if on else 1.0
        self.curve.setPen(pg.mkPen(self._ink, width=2.5 * factor))
        self.train.setSize(7 * factor)
        self.test.setSize(8 * factor)
        self.selected.setSize(18 * factor)

    def set_dataset(self, dataset, keep_output: bool = False) -> None:
        """New points (a new data set or run): the output layer is cleared until its grid
        (``keep_output``: the same data set restyled, its output redrawn)."""
        self.dataset = dataset
        grid, self.grid = self.grid, None
        self.image.clear()
        self.surface.clear()
        self._show_bar(False)
        self.curve.setData([], [])
        self.note.hide()
        one_feature = dataset.n_features == 1
        for item, X, y in (
            (self.train, dataset.X_train, dataset.y_train),
            (self.test, dataset.X_test, dataset.y_test),
        ):
            pos = self._positions(X, y, one_feature)
            colors = self._point_colors(y, dataset.task)
            if item is self.train:
                item.setData(pos=pos, brush=[pg.mkBrush(*c) for c in colors])
            else:
                item.setData(pos=pos, pen=[pg.mkPen(*c, width=1.6) for c in colors])
        self.plot.setLabel("bottom", dataset.feature_names[0])
        second = "target" if one_feature and dataset.task == "regression" else ""
        if not one_feature and dataset.n_features >= 2:
            second = dataset.feature_names[1]
        self.plot.setLabel("left", second or "p(class 1)")
        outputs = self._outputs(dataset)
        self.plot.titleLabel.setText(TITLE if outputs == 1 else f"{TITLE} 1 of {outputs}")
        if keep_output and grid is not None:
            self.show_output(grid)

    def _positions(self, X: np.ndarray, y: np.ndarray, one_feature: bool) -> np.ndarray:
        if len(X) == 0:
            return np.zeros((0, 2))
        if one_feature:
            target = y.reshape(len(y), -1)[:, 0].astype(float)
            return np.column_stack([X[:, 0], target])
        return np.asarray(X[:, :2], dtype=float)

    def _point_colors(self, y: np.ndarray, task: str) -> np.ndarray:
        if task != "classification":
            return np.tile(self._ink, (len(y), 1))
        return self._class_colors[np.asarray(y, dtype=int) % len(self._class_colors)]

    def set_selected(self, x) -> None:
        """Ring the sample the diagram and the step-through follow."""
        if self.dataset is None or x is None:
            self.selected.setData([], [])
            return
        x = np.asarray(x, dtype=float)
        if x.size == 1:
            index = int(np.argmin(np.abs(self.dataset.X_train[:, 0] - x[0])))
            y = float(self.dataset.y_train.reshape(len(self.dataset.y_train), -1)[index, 0])
            self.selected.setData([x[0]], [y])
        else:
            self.selected.setData([x[0]], [x[1]])

    def show_output(self, grid) -> None:
        """The output of the network over the plane (a `core.nn.output_grid.OutputGrid`)."""
        self.grid = grid
        x0, x1, y0, y1 = grid.bounds
        if grid.kind == "regions":
            self.image.setImage(self._region_image(grid), levels=(0, 255))
            self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        elif grid.kind == "surface":
            values = grid.values
            lo, hi = float(values.min()), float(values.max())
            levels = (lo, hi if hi > lo else lo + 1.0)
            self.surface.setImage(values, levels=levels)
            self.surface.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
            self.bar.setLevels(levels)
        elif grid.kind == "curve":
            y = np.clip(grid.y, y0 - 10 * (y1 - y0), y1 + 10 * (y1 - y0))
            self.curve.setData(grid.x, y)
        self._show_bar(grid.kind == "surface")
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._show_note(grid)

    @staticmethod
    def _outputs(dataset) -> int:
        """How many outputs a regression set has (the grid shows the first); 1 otherwise."""
        if dataset.task != "regression" or np.ndim(dataset.y_train) < 2:
            return 1
        return int(np.shape(dataset.y_train)[1])

    def _show_bar(self, on: bool) -> None:
        """The colour bar beside the plot while a regression surface is shown (a hidden
        item would still hold its column of the layout)."""
        if on == self.bar.isVisible():
            return
        if on:
            self.plot.layout.addItem(self.bar, 2, 5)
        else:
            self.plot.layout.removeItem(self.bar)
        self.bar.setVisible(on)

    def _show_note(self, grid) -> None:
        """Say, in one sentence on the view, what a slice of more than two features holds."""
        if not grid.held:
            self.note.hide()
            return
        values = ", ".join(f"{name} = {value:.3g}" for name, value in grid.held)
        self.note.setText(
            f"A slice: the output with {values} held at their training means; "
            f"the points show only {self.dataset.feature_names[0]} and "
            f"{self.dataset.feature_names[1]}."
        )
        self.note.textItem.setTextWidth(max(self.getViewBox().width() - 12, 120))
        x0, _, _, y1 = grid.bounds
        self.note.setPos(x0, y1)
        self.note.show()

    def _region_image(self, grid) -> np.ndarray:
        """rgb = ground + (class colour - ground) * REGION_STRENGTH * confidence: unsure
        regions fade into the plot's ground."""
        ground = np.asarray(self._ground, dtype=float)
        pull = self._class_colors.astype(float) - ground  # (classes, 3): a table, not a grid
        rgb = pull[grid.classes % len(pull)]
        rgb *= (REGION_STRENGTH * grid.confidence)[..., None]
        rgb += ground
        np.clip(rgb, 0, 255, out=rgb)
        return rgb.astype(np.uint8)
