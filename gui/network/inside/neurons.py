"""The "Neurons" tab: what each hidden neuron learned, as thumbnails that follow training.

One row per hidden layer; each thumbnail is a neuron's activation over the input plane
(two input features) or its curve over the input (one), all the neurons of a layer on
the layer's shared colour scale, the activation's range said in the row's title. Clicking
a thumbnail enlarges it (`NeuronDetail`). The maps and their mosaics are computed in the
space's background jobs (`LatestJob`: bounded pace, stale results dropped), and only while
the tab is on screen: a hidden tab costs nothing while training and catches up when shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from gui.network.inside.neurons_detail import NeuronDetail
from gui.network.inside.neurons_jobs import TabPart
from gui.network.inside.neurons_mosaic import FILL, Thumbnails, thumbnails
from gui.shell.theme import plot_colors

MOST_COLUMNS = 8  # thumbnails per row of a layer
HINT = "Each square: one neuron's activation over the input plane. Click one to enlarge it."
CURVE_HINT = "Each cell: one neuron's activation along the input. Click one to enlarge it."


class NeuronGrid(pg.GraphicsLayoutWidget):
    """The thumbnails, one row per hidden layer; ``unit_clicked(layer, unit)``."""

    unit_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(plot_colors().background)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.ci.layout.setVerticalSpacing(0)  # the titles sit right above their rows
        self.rows: list[tuple[Any, pg.ViewBox, pg.ImageItem, pg.PlotCurveItem]] = []
        self.grids: tuple = ()
        self.grids_built: tuple = ()
        self._signature: tuple | None = None
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_thumbnails(self, thumbs: Thumbnails) -> None:
        """Draw one step's thumbnails; the rows are rebuilt only when the layers change."""
        maps = thumbs.maps
        signature = (maps.kind, thumbs.grids)
        if signature != self._signature:
            self._build(thumbs)
            self._signature = signature
        self.grids = thumbs.grids
        colour = plot_colors().foreground
        for layer, (label, _box, image, curve) in enumerate(self.rows):
            scale, grid = maps.scales[layer], thumbs.grids[layer]
            label.setText(
                f"Hidden layer {layer + 1} · {grid.units} neurons · {scale.text}", color=colour
            )
            picture = thumbs.pictures[layer]
            if maps.kind == "image":
                image.setImage(picture, autoLevels=False, levels=(0, 255))
                image.setRect(QRectF(0, 0, grid.columns, grid.rows))
            else:
                curve.setData(*picture[:2], connect=picture[2])

    def clear_rows(self) -> None:
        """No thumbnails (a network without hidden layers, or too many inputs)."""
        self.clear()
        self.rows, self.grids, self.grids_built, self._signature = [], (), (), None

    def _build(self, thumbs: Thumbnails) -> None:
        self.clear()
        self.rows = []
        self.grids_built = thumbs.grids
        for layer, grid in enumerate(thumbs.grids):
            label = self.addLabel("", row=2 * layer, col=0, size="9pt")
            label.setMaximumHeight(20)
            box = self.addViewBox(row=2 * layer + 1, col=0)
            box.setMouseEnabled(False, False)
            box.setMenuEnabled(False)
            box.setAspectLocked(True)
            image = pg.ImageItem(axisOrder="row-major")
            curve = pg.PlotCurveItem(pen=pg.mkPen(plot_colors().foreground, width=1.5))
            box.addItem(image)
            box.addItem(curve)
            if thumbs.maps.kind == "curve":
                box.addItem(_cell_frames(grid, thumbs.maps.scales[layer].centre is not None))
            self.rows.append((label, box, image, curve))
        self.addLabel("", row=2 * len(thumbs.grids), col=0)  # takes the height left over
        self._fit_rows()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Square thumbnails: each row as high as its width allows, titles right above."""
        width = max(1.0, self.viewport().width() - 8.0)
        # pyqtgraph resizes once before __init__ is done
        rows, grids = getattr(self, "rows", []), getattr(self, "grids_built", ())
        for (_label, box, _image, _curve), grid in zip(rows, grids, strict=True):
            box.setMaximumHeight(width * grid.rows / grid.columns)
            box.setRange(xRange=(0, grid.columns), yRange=(0, grid.rows), padding=0.02)

    def _clicked(self, event) -> None:
        pos = event.scenePos()
        for layer, (_label, box, _image, _curve) in enumerate(self.rows):
            if box.sceneBoundingRect().contains(pos):
                point = box.mapSceneToView(pos)
                unit = self.grids[layer].unit_at(point.x(), point.y())
                if unit is not None:
                    self.unit_clicked.emit(layer, unit)
                return

    def centre_of(self, layer: int, unit: int):
        """Scene position of the middle of a thumbnail (for tests and tours)."""
        x, y = self.grids[layer].origin(unit)
        return self.rows[layer][1].mapViewToScene(pg.Point(x + 0.45, y + 0.45))


def _cell_frames(grid, midline: bool) -> pg.PlotCurveItem:
    """Light boxes around the curve cells, so each neuron's curve has its own frame, and
    across the middle the scale's centre (tanh 0, sigmoid 0.5) when it has one."""
    xs, ys, connect = [], [], []
    for unit in range(grid.units):
        x, y = grid.origin(unit)
        xs += [x, x + FILL, x + FILL, x, x]
        ys += [y, y, y + FILL, y + FILL, y]
        connect += [True] * 4 + [False]
        if midline:
            xs += [x, x + FILL]
            ys += [y + FILL / 2] * 2
            connect += [True, False]
    return pg.PlotCurveItem(xs, ys, connect=np.array(connect), pen=pg.mkPen(200, 203, 208))


class NeuronsView(QWidget):
    """The tab: a one-line hint or reason, the thumbnails, or one neuron enlarged."""

    became_visible = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("neurons")
        self.message = QLabel(HINT)
        self.message.setWordWrap(True)
        self.grid = NeuronGrid()
        self.detail = NeuronDetail()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.grid)
        self.pages.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.pages, 1)
        self.thumbs: Thumbnails | None = None
        self.enlarged: tuple[int, int] | None = None
        self.grid.unit_clicked.connect(self.enlarge)
        self.detail.back_clicked.connect(self.show_all)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.became_visible.emit()

    def set_dataset(self, dataset) -> None:
        self.detail.set_dataset(dataset)

    def show_thumbnails(self, thumbs: Thumbnails) -> None:
        """One step's maps: the thumbnails, or the enlarged neuron if one is."""
        self.thumbs, maps = thumbs, thumbs.maps
        if maps.kind == "none":
            self.message.setText(maps.reason)
            self.grid.clear_rows()
            self.show_all()
            return
        self.message.setText(HINT if maps.kind == "image" else CURVE_HINT)
        self.grid.show_thumbnails(thumbs)
        if self.enlarged is not None:
            layer, unit = self.enlarged
            if layer < len(maps.layers) and unit < len(maps.layers[layer]):
                self.detail.show_neuron(maps, layer, unit)
            else:
                self.show_all()  # that neuron is gone (the layers changed)

    def enlarge(self, layer: int, unit: int) -> None:
        """Show hidden layer ``layer``'s unit ``unit`` large (0-based indices)."""
        if self.thumbs is None or self.thumbs.maps.kind == "none":
            return
        self.enlarged = (layer, unit)
        self.detail.show_neuron(self.thumbs.maps, layer, unit)
        self.pages.setCurrentWidget(self.detail)

    def show_all(self) -> None:
        """Back to every neuron's thumbnail."""
        self.enlarged = None
        self.pages.setCurrentWidget(self.grid)


class NeuronsPart(TabPart):
    """The neurons tab wired to a `NetworkSpace` (see `TabPart`)."""

    name = "neurons"

    def __init__(self, space: Any) -> None:
        self.view = NeuronsView()
        self.export_view = ("Neurons", self.view)
        super().__init__(space)

    def job(self, run, frame, history):
        return thumbnails, (run.config, frame, run.dataset, MOST_COLUMNS)

    def new_run(self, run) -> None:
        self.view.set_dataset(run.dataset)

    def draw(self, thumbs: Thumbnails) -> None:
        self.view.show_thumbnails(thumbs)
