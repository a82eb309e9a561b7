"""One hidden neuron enlarged: its activation over the input plane with a colour bar
(or its curve over the input), the training points on top, its layer and unit named."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.network.inside.neurons_mosaic import colour_stops
from gui.shell import colors as palette
from gui.shell.theme import plot_colors
from gui.widgets.plot_style import style_static_plot


def scale_colormap(diverging: bool) -> pg.ColorMap:
    """The thumbnails' colour scale as a pyqtgraph colour map (for the colour bar)."""
    positions, colours = colour_stops(diverging)
    return pg.ColorMap(positions, [pg.mkColor(*c) for c in colours])


class NeuronDetail(QWidget):
    """The enlarged neuron; ``back_clicked`` returns to the thumbnails."""

    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back = QPushButton("← All neurons")
        self.back.setToolTip("Back to every hidden neuron's thumbnail")
        self.title = QLabel()
        self.title.setObjectName("neuronTitle")
        self.title.setWordWrap(True)
        self.plot_widget = pg.PlotWidget(background=plot_colors().background)
        self.plot = self.plot_widget.getPlotItem()
        style_static_plot(self.plot, "", False, False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(palette.FOREGROUND, width=2.5))
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen(30, 30, 36, 200), brush=None)
        for item in (self.image, self.curve, self.points):
            self.plot.addItem(item)
        self.bar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=scale_colormap(True), interactive=False, width=14
        )
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.back.clicked.connect(self.back_clicked)
        top = QHBoxLayout()
        top.addWidget(self.back)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.plot_widget, 1)
        self.dataset = None

    def set_dataset(self, dataset) -> None:
        """The training points drawn over the neuron's map (hollow: the map shows through)."""
        self.dataset = dataset
        X, y = dataset.X_train, dataset.y_train
        if dataset.n_features == 2:
            colours = palette.categorical(8)[:, :3]
            if dataset.task == "classification":
                pens = [pg.mkPen(*colours[int(k) % len(colours)], width=1.6) for k in y]
            else:
                pens = pg.mkPen(30, 30, 36, 200)
            self.points.setData(pos=np.asarray(X, dtype=float), pen=pens)
            self.plot.setLabel("bottom", dataset.feature_names[0])
            self.plot.setLabel("left", dataset.feature_names[1])
        else:
            self.points.setData([], [])
            self.plot.setLabel("bottom", dataset.feature_names[0])
            self.plot.setLabel("left", "activation")

    def show_neuron(self, maps, layer: int, unit: int) -> None:
        """Unit ``unit`` of hidden layer ``layer`` (0-based) of ``maps`` (`NeuronMaps`)."""
        scale = maps.scales[layer]
        units = len(maps.layers[layer])
        self.title.setText(
            f"<b>Hidden layer {layer + 1}, neuron {unit + 1}</b> of {units} · step {maps.step}"
            f"<br>{scale.text} (the layer's shared colour scale)"
        )
        values = maps.layers[layer][unit]
        x0, x1, y0, y1 = maps.bounds
        lo, hi = scale.levels
        if maps.kind == "image":
            self.curve.setData([], [])
            self.image.setImage(values, autoLevels=False)
            self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.bar.setColorMap(scale_colormap(scale.centre is not None))
            self.bar.setLevels((lo, hi))
            self.bar.setVisible(True)
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        else:
            self.image.clear()
            self.bar.setVisible(False)
            self.curve.setData(maps.x, values)
            pad = 0.05 * (hi - lo)
            self.plot.setRange(xRange=(x0, x1), yRange=(lo - pad, hi + pad), padding=0)
