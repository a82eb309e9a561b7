"""Where the surface has no value: a violet hatch over those cells, and core's sentence.

``1/x`` at 0 or ``log(x)`` for x < 0 is not a very high or very low loss: it is no loss
at all. The heat map must not paint it in an end colour of the loss scale (that reads as
"off the scale"), so it gets a hatch in a hue the map never takes, and the landscape's
warning (`LandscapeGrid.warning`, written in core) is shown on the plot itself.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from gui.shell import colors as palette

_PERIOD = 10  # the hatch repeats every this many samples (about 10 px at the default zoom)


def hatch_rgba(undefined: np.ndarray) -> np.ndarray:
    """RGBA (ny, nx, 4) uint8: diagonal violet stripes where ``undefined``, clear elsewhere."""
    undefined = np.asarray(undefined, bool)
    ny, nx = undefined.shape
    i, j = np.ogrid[:ny, :nx]
    stripe = ((i + j) // (_PERIOD // 2)) % 2 == 0
    rgba = np.zeros((ny, nx, 4), np.uint8)
    rgba[undefined & stripe] = palette.UNDEFINED_COLOR + (235,)
    rgba[undefined & ~stripe] = (250, 244, 252, 235)
    return rgba


class UndefinedOverlay:
    """The hatch (an image over the heat map) and the warning (a label at the top)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.view_box = plot.getViewBox()
        self.hatch = pg.ImageItem(axisOrder="row-major")
        self.hatch.setZValue(-95)  # over the heat map and its contours, under the paths
        self.hatch.setVisible(False)
        plot.addItem(self.hatch)
        self.label = pg.TextItem(
            "",
            color=palette.UNDEFINED_COLOR,
            anchor=(0.5, 0.0),
            fill=pg.mkBrush(255, 255, 255, 225),
            border=pg.mkPen(*palette.UNDEFINED_COLOR, 160),
        )
        self.label.setParentItem(self.view_box)  # pinned to the view, not to the data
        self.label.setZValue(110)
        self.label.setVisible(False)
        self.view_box.sigResized.connect(self._place_label)
        self.presentation = False
        self.warning = ""

    def show(self, grid) -> None:
        """Hatch the undefined cells of ``grid`` (a patch of the visible range) and show
        its warning, or hide both where it is defined everywhere."""
        mask = np.asarray(grid.undefined, bool)
        shown = mask.shape == np.shape(grid.z) and bool(mask.any())
        if shown:
            x, y = grid.x, grid.y
            dx = (x[-1] - x[0]) / max(x.size - 1, 1)
            dy = (y[-1] - y[0]) / max(y.size - 1, 1)
            self.hatch.setImage(hatch_rgba(mask), autoLevels=False, levels=(0, 255))
            self.hatch.setRect(
                QtCore.QRectF(x[0] - dx / 2, y[0] - dy / 2, x[-1] - x[0] + dx, y[-1] - y[0] + dy)
            )
        self.hatch.setVisible(shown)
        self.set_warning(str(grid.warning or ""))

    def set_warning(self, text: str) -> None:
        self.warning = text
        self.label.setVisible(bool(text))
        if text:
            self._render()

    def set_presentation(self, on: bool) -> None:
        self.presentation = bool(on)
        if self.warning:
            self._render()

    def _render(self) -> None:
        font = QtGui.QFont()
        font.setPointSizeF(13.0 if self.presentation else 9.5)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setText(self.warning)
        self._place_label()

    def _place_label(self, *_args) -> None:
        """Centred at the top of the view, wrapped to its width."""
        rect = self.view_box.boundingRect()
        self.label.setTextWidth(max(rect.width() - 24.0, 80.0))
        self.label.setPos(rect.center().x(), rect.top() + 6.0)
