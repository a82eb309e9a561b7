"""A scatter item that works out its bounding rectangle once per change, not once per call.

Qt asks an item for its bounding rectangle several times in every paint of its view, and
pyqtgraph's `ScatterPlotItem` computes it afresh each time (its data bounds are cached,
but the pixel padding of its dots maps a pixel through the whole chain of transforms):
a tenth of a millisecond per call, several per frame for the diagram's neurons and the
data view's points. The rectangle depends only on the data bounds, the dot sizes and the
view's transform, and pyqtgraph replaces its ``bounds`` list whenever any of them changes
(new data, restyled dots, a view moved or resized), so a rectangle computed for one
``bounds`` list holds until the list is replaced.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore


class SteadyScatter(pg.ScatterPlotItem):
    """`pyqtgraph.ScatterPlotItem` with its bounding rectangle kept (see the module)."""

    _rect: QtCore.QRectF | None = None
    _rect_for: list | None = None  # the ``bounds`` list the rectangle was computed for

    def boundingRect(self) -> QtCore.QRectF:
        if self._rect is None or self._rect_for is not self.bounds:
            self._rect = super().boundingRect()  # (fills ``bounds`` in place)
            self._rect_for = self.bounds
        return QtCore.QRectF(self._rect)
