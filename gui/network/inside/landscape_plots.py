"""The landscape tab's plots: the slice with the path on it, and the path's honesty strip.

`SlicePlot` draws core's `LandscapeSlice`: the slice's grid as heat map, contours and
colour bar (the descent workspace's `LandscapeLayers`), the projected path coloured by
the loss at its *real* weights (its own colour bar), a ring around each point that lies
far off the plane, and a white dot at the current weights. A click on the slice emits
its (alpha, beta). `PathPlots` puts the two losses of each path point side by side
(real weights, and the slice under the projected point) and each point's distance from
the plane. Nothing here computes: every number comes with the slice.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from gui.descent.views.landscape_layers import LandscapeLayers
from gui.shell import colors as palette
from gui.shell.theme import plot_colors

FAR_OFF = 0.10  # share of the path's chord from which a point is ringed as far off the plane
TRUE_COLOR = (0, 114, 178)  # the path's real loss, in both plots
SLICE_COLOR = (213, 94, 0)  # the slice's loss under the projected point


def path_tip(path, k: int) -> str:
    """Hover text of path point ``k``: its step, both losses and its distance."""
    return (
        f"step {int(path.steps[k])}\n"
        f"loss at its real weights: {path.true_loss[k]:.4g}\n"
        f"slice's loss under the dot: {path.slice_loss[k]:.4g}\n"
        f"off the plane by {path.distance[k]:.3g} "
        f"({path.relative_distance[k]:.0%} of the path's length)"
    )


class SlicePlot(pg.PlotWidget):
    """Heat map and contours of the slice, the path on it by its real loss, clicks."""

    clicked = QtCore.Signal(float, float)  # (alpha, beta) of a click inside the slice

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background=plot_colors().background)
        plot = self.getPlotItem()
        plot.setLabel("bottom", "alpha (first direction)")
        plot.setLabel("left", "beta (second direction)")
        plot.setMenuEnabled(False)
        self.layers = LandscapeLayers(plot)
        self.line = pg.PlotCurveItem(pen=_ink_pen(1.5, 160))
        self.rings = pg.ScatterPlotItem(
            symbol="o", size=17, pen=pg.mkPen(palette.DIVERGED_COLOR, width=2), brush=None
        )
        self.dots = pg.ScatterPlotItem(
            size=9, pen=pg.mkPen((30, 30, 36), width=0.8), hoverable=True
        )
        self.dots.setToolTip(None)
        self.here = pg.ScatterPlotItem(
            size=13, symbol="o", pen=pg.mkPen((20, 20, 24), width=2), brush="w"
        )
        for z, item in enumerate((self.line, self.rings, self.dots, self.here)):
            item.setZValue(20 + z)
            plot.addItem(item)
        self.path_map = palette.lr_colormap()
        self.path_bar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=self.path_map, interactive=False, width=12,
            label="path: real loss", colorMapMenu=False,
        )  # fmt: skip
        plot.layout.addItem(self.path_bar, 2, 6)
        self.path_bar.setVisible(False)
        self.slice = None
        self.scene().sigMouseClicked.connect(self._on_click)

    def show_slice(self, result) -> None:
        """Draw ``result`` (a `LandscapeSlice`) and its path; None clears the path."""
        self.slice = result
        self.layers.set_grid(result.grid)
        path = result.path
        coords = np.asarray(path.coords, float)
        self.line.setData(coords[:, 0], coords[:, 1])
        lo, hi = _finite_range(path.true_loss)
        t = (np.nan_to_num(path.true_loss, nan=hi, posinf=hi) - lo) / (hi - lo)
        colors = self.path_map.map(np.clip(t, 0.0, 1.0), mode="byte")
        spots = [
            {"pos": coords[k], "brush": pg.mkBrush(*colors[k]), "data": k}
            for k in range(len(coords))
        ]
        self.dots.setData(spots)
        self.dots.opts["tip"] = lambda x, y, data: path_tip(path, int(data))
        far = np.asarray(path.relative_distance) > FAR_OFF
        self.rings.setData(pos=coords[far])
        self.here.setData(pos=[[0.0, 0.0]])
        self.path_bar.setLevels((lo, hi))
        self.path_bar.setVisible(True)
        self.getPlotItem().setRange(xRange=result.grid.bounds[:2], yRange=result.grid.bounds[2:])

    def follow_theme(self) -> None:
        """The theme changed: the path's line in its ink (it vanished on a dark ground)."""
        self.line.setPen(_ink_pen(1.5, 160))

    def _on_click(self, event) -> None:
        if self.slice is None or event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        point = self.getPlotItem().vb.mapSceneToView(event.scenePos())
        x0, x1, y0, y1 = self.slice.grid.bounds
        if x0 <= point.x() <= x1 and y0 <= point.y() <= y1:
            self.clicked.emit(float(point.x()), float(point.y()))


def _ink_pen(width: float, alpha: int = 255):
    """A pen in the theme's plot ink (axes and titles), so it shows on either ground."""
    return pg.mkPen((*pg.mkColor(plot_colors().foreground).getRgb()[:3], alpha), width=width)


def _finite_range(values) -> tuple[float, float]:
    finite = np.asarray(values, float)[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def path_key() -> str:
    """The side plots' key as rich text, in the curves' own colours."""
    true_hex, slice_hex = (f"#{r:02x}{g:02x}{b:02x}" for r, g, b in (TRUE_COLOR, SLICE_COLOR))
    return (
        f"Below: <span style='color:{true_hex}'><b>real loss</b></span> and "
        f"<span style='color:{slice_hex}'><b>- - the slice under the dot</b></span>; "
        "right: distance from the plane."
    )


class PathPlots(pg.GraphicsLayoutWidget):
    """Along the path (x = step): both losses, and the distance from the plane."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground(plot_colors().background)
        self.losses = self.addPlot(row=0, col=0)
        self.distance = self.addPlot(row=0, col=1)
        # short titles: the key is a label above (a long title widened the column)
        self.losses.setTitle("loss along the path", size="9pt")
        self.distance.setTitle("off the plane", size="9pt")
        self.true_curve = self.losses.plot(pen=pg.mkPen(TRUE_COLOR, width=2))
        self.slice_curve = self.losses.plot(
            pen=pg.mkPen(SLICE_COLOR, width=2, style=QtCore.Qt.PenStyle.DashLine)
        )
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        self.true_curve = self.losses.plot(pen=pg.mkPen(TRUE_COLOR, width=2))
        self.slice_curve = self.losses.plot(
            pen=pg.mkPen(SLICE_COLOR, width=2, style=QtCore.Qt.PenStyle.DashLine)
        )
        self.distance_curve = self.distance.plot(pen=_ink_pen(2.0))
        self.distance.setLabel("left", "% of path")
        for plot in (self.losses, self.distance):
            plot.setLabel("bottom", "step")
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.25)

    def follow_theme(self) -> None:
        self.distance_curve.setPen(_ink_pen(2.0))

    def show_path(self, path) -> None:
        steps = np.asarray(path.steps, float)
        self.true_curve.setData(steps, _clamped(path.true_loss))
        self.slice_curve.setData(steps, _clamped(path.slice_loss))
        self.distance_curve.setData(steps, 100.0 * np.asarray(path.relative_distance, float))


def _clamped(values) -> np.ndarray:
    """Finite values for pyqtgraph: an overflowed loss is drawn at the largest finite one."""
    values = np.asarray(values, float)
    lo, hi = _finite_range(values)
    return np.clip(np.nan_to_num(values, nan=hi, posinf=hi, neginf=lo), lo, hi)
