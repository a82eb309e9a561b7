"""One training curve, drawn by a bare `pyqtgraph.PlotCurveItem`.

A `PlotDataItem` (what ``PlotItem.plot`` makes) wraps a curve item in several layers of
bookkeeping (display datasets, log mapping, downsampling and range checks, a scatter
item) that cost more than setting the points themselves; while a run plays, the summary
plots set their curves several times a second. `CurveLine` sets its points on the curve
item directly, maps y to log10 itself when the plot has a log axis, and shows a lone point
(step 0) as a dot, since a line through one point draws nothing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

DOT_SIZE = 7  # px: a curve of one point


class CurveLine(pg.PlotCurveItem):
    """A curve through the recorded ``points`` (x, y), y on the plot's scale (log10 on a
    log axis: `setLogMode`, which the plot calls). ``xData``/``yData`` are what is drawn."""

    def __init__(self, pen) -> None:
        super().__init__(pen=pen, skipFiniteCheck=True)  # (the views pass finite points)
        self.opts["symbol"] = None  # "o" while the curve is a single dot
        self.points: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
        self._log_y = False
        self.dot = pg.ScatterPlotItem(size=DOT_SIZE, pen=None, symbol="o")
        self.dot.setBrush(self.opts["pen"].color())
        self.dot.setParentItem(self)
        self.dot.hide()

    def setPen(self, *args, **kwargs) -> None:
        super().setPen(*args, **kwargs)
        if hasattr(self, "dot"):  # (the base class sets its pen before the dot exists)
            self.dot.setBrush(self.opts["pen"].color())

    def setLogMode(self, x_mode: bool, y_mode: bool) -> None:
        """The plot's axes went to or from log scale (x stays linear: epochs, steps)."""
        if bool(y_mode) != self._log_y:
            self._log_y = bool(y_mode)
            self._draw()

    def show_points(self, x: np.ndarray, y: np.ndarray) -> None:
        """Draw the curve through (x, y) (finite; y > 0 on a log axis). The same points
        again (a run that stopped while others go on) are left alone: setting them would
        repaint the plot for nothing."""
        shown_x, shown_y = self.points
        if len(shown_x) == len(x) and np.array_equal(shown_x, x) and np.array_equal(shown_y, y):
            return
        self.points = (x, y)
        self._draw()

    def _draw(self) -> None:
        x, y = self.points
        y = np.log10(y) if self._log_y and len(y) else y
        self.setData(x, y)
        single = len(x) == 1
        if single:
            self.dot.setData(x, y)
        if single != (self.opts["symbol"] == "o"):
            self.opts["symbol"] = "o" if single else None
            self.dot.setVisible(single)
