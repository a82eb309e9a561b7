"""The diagram's neurons: one scatter item whose restyled dots repaint only themselves.

A scatter item repaints its whole bounding rectangle when any spot changes: for the
neurons that is the whole diagram, every edge bundle blitted again and every neuron drawn,
a few milliseconds a frame while a run plays, though most frames change the shade of a
few neurons only. `NeuronDots.restyle` marks just the squares of the neurons it restyles
as needing a repaint, so Qt repaints those small squares and nothing else.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from gui.network.views.steady_scatter import SteadyScatter

# more restyled neurons than this and the whole item repaints (one rectangle is then
# cheaper for Qt than hundreds of small ones)
PARTIAL_AT_MOST = 64
MARGIN_PX = 3.0  # around a dot: its outline's width and a pixel of rounding


class NeuronDots(SteadyScatter):
    """A pixel-sized scatter item of neurons; see the module docstring."""

    def __init__(self) -> None:
        self._dirty: list[QtCore.QRectF] | None = None  # what `restyle` repaints
        super().__init__(pxMode=True)  # (which calls invalidate)

    def restyle(self, changed: np.ndarray, brushes: np.ndarray) -> None:
        """Fill the neurons marked in ``changed`` (N,) bool with ``brushes`` (one per marked
        neuron, in order); only their squares repaint."""
        index = np.flatnonzero(changed)
        if len(index) == 0:
            return
        data = self.data
        data["brush"][index] = brushes
        data["sourceRect"][index] = 0  # pyqtgraph looks the picture up again for these only
        if len(index) <= PARTIAL_AT_MOST:
            self._dirty = self._squares(index)
        try:
            self.updateSpots(data)
        finally:
            self._dirty = None

    def _squares(self, index: np.ndarray) -> list[QtCore.QRectF] | None:
        """The squares, in item units, the dots ``index`` cover (None: not laid out yet)."""
        px, py = self.pixelVectors()
        if px is None or py is None:
            return None
        width, height = px.length(), py.length()  # one pixel, in item units
        sizes = self.data["size"][index]
        sizes = np.where(sizes < 0, self.opts["size"], sizes)  # -1: the item's own size
        half_px = float(np.max(sizes)) / 2.0 + MARGIN_PX
        hw, hh = half_px * width, half_px * height
        xs, ys = self.data["x"][index], self.data["y"][index]
        return [QtCore.QRectF(x - hw, y - hh, 2 * hw, 2 * hh) for x, y in zip(xs, ys)]

    def invalidate(self) -> None:
        """(pyqtgraph calls this when spots change: the squares of a restyle, else all.)"""
        if self._dirty is None:
            super().invalidate()
            return
        self.picture = None
        for square in self._dirty:
            self.update(square)
