"""The "Weights" tab: every layer's weight and bias histogram against the training step.

Small multiples, one row per weight layer: the weights' heat map (step across, value up,
darker where more weights are) beside the biases'. The bins of a layer stay fixed for
the run, so a large initialization shows as a wide first column and its shrinkage as the
band narrowing towards 0; a ReLU layer's title counts its dead units (0 on every
training sample). Computed in the space's background jobs while the tab is on screen
(`TabPart`).
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.network.inside.histograms_pictures import HistogramPictures, histogram_pictures
from gui.network.inside.neurons_jobs import TabPart
from gui.shell import theme
from gui.shell.theme import plot_colors
from gui.widgets.plot_style import style_static_plot

HINT = (
    "How each layer's weights are spread over training: step across, value up, darker "
    "where more weights are. The bins stay fixed, so shrinking weights narrow the band."
)


class HistogramsView(QWidget):
    """The tab: a one-line hint and a plot pair (weights, biases) per weight layer."""

    became_visible = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weights")
        self.message = QLabel(HINT)
        self.message.setWordWrap(True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(plot_colors().background)
        self.plots.ci.layout.setVerticalSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.plots, 1)
        self.rows: list[tuple[pg.PlotItem, pg.ImageItem, pg.PlotItem, pg.ImageItem]] = []
        self.shown: HistogramPictures | None = None

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.became_visible.emit()

    def clear(self) -> None:
        """Nothing drawn (a new run, before its first histograms)."""
        self.plots.clear()
        self.rows, self.shown = [], None

    def show_histograms(self, pictures: HistogramPictures) -> None:
        """One state's histograms; the plots are rebuilt only when the layers change."""
        hist = pictures.histograms
        if len(self.rows) != len(hist.weight_counts):
            self._build(len(hist.weight_counts))
        first, last = pictures.steps
        x0, width = (first - 0.5, 1.0) if last == first else (first, last - first)
        for layer, (w_plot, w_image, b_plot, b_image) in enumerate(self.rows):
            for plot, image, picture, edges in (
                (w_plot, w_image, pictures.weights[layer], hist.weight_edges[layer]),
                (b_plot, b_image, pictures.biases[layer], hist.bias_edges[layer]),
            ):
                image.setImage(picture, autoLevels=False, levels=(0, 255))
                rect = QRectF(x0, edges[0], width, edges[-1] - edges[0])
                image.setRect(rect)
                plot.setRange(rect, padding=0)
            w_plot.setTitle(weight_title(hist, layer), size="9pt", color=_title_colour(hist, layer))
            b_plot.setTitle(f"biases ({hist.units[layer]})", size="9pt")
        self.shown = pictures

    def _build(self, n_layers: int) -> None:
        self.plots.clear()
        self.rows = []
        for layer in range(n_layers):
            pair = []
            for col in range(2):
                plot = self.plots.addPlot(row=layer, col=col)
                style_static_plot(plot, "", False, False)
                plot.showGrid(x=False, y=False)
                plot.getAxis("left").setWidth(40)
                plot.showAxis("bottom", layer == n_layers - 1)  # steps: once, at the bottom
                image = pg.ImageItem(axisOrder="row-major")
                plot.addItem(image)
                pair += [plot, image]
            if layer:
                pair[0].setXLink(self.rows[0][0])
                pair[2].setXLink(self.rows[0][2])
            self.rows.append(tuple(pair))
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.plots.ci.layout.setColumnStretchFactor(1, 1)
        last = self.rows[-1]
        last[0].setLabel("bottom", "step")
        last[2].setLabel("bottom", "step")


def weight_title(hist, layer: int) -> str:
    """``Layer 2 weights (16→16) · 3 of 16 ReLU units dead`` (the dead count for ReLU)."""
    title = f"Layer {layer + 1} weights ({hist.layers[layer]}→{hist.layers[layer + 1]})"
    dead = hist.dead[layer]
    if dead is not None:
        title += f" · {dead} of {hist.units[layer]} ReLU units dead"
    return title


def _title_colour(hist, layer: int):
    dead = hist.dead[layer]
    return theme.current().warning if dead else plot_colors().foreground


class HistogramsPart(TabPart):
    """The weights tab wired to a `NetworkSpace` (see `TabPart`)."""

    name = "weight histograms"

    def __init__(self, space: Any) -> None:
        self.view = HistogramsView()
        self.export_view = ("Weight histograms", self.view)
        super().__init__(space)

    def job(self, run, frame, history):
        return histogram_pictures, (run.config, frame, history, run.dataset.X_train)

    def new_run(self, run) -> None:
        self.view.clear()

    def draw(self, pictures: HistogramPictures) -> None:
        self.view.show_histograms(pictures)
