"""The diagram's edges: one graphics item per weight layer, one path per (sign, width level).

An 8 x 64 network has 25,000 edges; rasterizing them all costs tens of milliseconds a
frame, far more than anything else the window draws. So the edges of weight layer l are
one `EdgeBundle`: ``2 x WIDTH_LEVELS`` painter paths (one per sign and width level,
weakest drawn first so the strongest weights stay on top), built from the segment array
in one call. In a crowded network each bundle is cached as a pixmap by Qt
(``DeviceCoordinateCache``): a frame that changes only the neurons blits the edges, and a
run playing flat out redraws the bundles of a few layers a frame, in turn
(`EdgeBundles.show`), so no frame pays for all of them. Paused, stepped or pinned, every
bundle shows the weights given.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from core.nn.graph import WIDTH_LEVELS, edge_levels

CROWDED = 1000  # edges beyond which bundles are cached and refreshed in turn while moving
EDGES_PER_FRAME = 4000  # a moving run redraws bundles of about this many edges a frame
KEYS = [(positive, level) for level in range(WIDTH_LEVELS) for positive in (False, True)]


class EdgeBundle(pg.GraphicsObject):
    """The edges of one weight layer, ``segments`` (E, 2, 2) in diagram units."""

    def __init__(self, segments: np.ndarray, cached: bool) -> None:
        super().__init__()
        self.segments = segments
        self.pens: dict[tuple[bool, int], QtGui.QPen] = {}
        self.paths: dict[tuple[bool, int], QtGui.QPainterPath] = {}
        self.counts: dict[tuple[bool, int], int] = dict.fromkeys(KEYS, 0)
        points = segments.reshape(-1, 2)
        lo, hi = points.min(axis=0), points.max(axis=0)
        margin = 0.02  # the pens' width in diagram units, at most
        self._rect = QtCore.QRectF(
            lo[0] - margin, lo[1] - margin, hi[0] - lo[0] + 2 * margin, hi[1] - lo[1] + 2 * margin
        )
        if cached:
            self.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_pens(self, pens: dict[tuple[bool, int], QtGui.QPen]) -> None:
        self.pens = pens
        self.update()

    def set_levels(self, positive: np.ndarray, level: np.ndarray) -> None:
        """Sort the edges into their (sign, level) paths: ``positive`` and ``level`` (E,)."""
        for key in KEYS:
            chosen = self.segments[(positive == key[0]) & (level == key[1])]
            self.counts[key] = len(chosen)
            x, y = chosen[:, :, 0].ravel(), chosen[:, :, 1].ravel()
            path = pg.arrayToQPath(x, y, connect="pairs") if len(chosen) else None
            self.paths[key] = path or QtGui.QPainterPath()
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        for key in KEYS:  # weakest first: the strongest weights stay on top
            if self.counts[key] and key in self.pens:
                painter.setPen(self.pens[key])
                painter.drawPath(self.paths[key])


class EdgeBundles:
    """Every weight layer's `EdgeBundle` in a plot, fed with the network's weights."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.bundles: list[EdgeBundle] = []
        self.crowded = False
        self._next = 0  # the first bundle a moving run refreshes next

    def set_layout(self, layout) -> None:
        """A new architecture: one empty bundle per weight layer."""
        for bundle in self.bundles:
            self.plot.removeItem(bundle)
        self.crowded = len(layout.segments) > CROWDED
        first = [int(f) for f in layout.edge_first]
        self.bundles = [
            EdgeBundle(layout.segments[a:b], self.crowded) for a, b in itertools.pairwise(first)
        ]
        for bundle in self.bundles:
            self.plot.addItem(bundle)
        self._next = 0

    def set_pens(self, pens: dict[tuple[bool, int], QtGui.QPen]) -> None:
        for bundle in self.bundles:
            bundle.set_pens(pens)

    def show(self, weights: tuple, moving: bool = False) -> None:
        """Edges coloured by the sign of ``weights`` and as wide as their level.

        ``moving`` (a run playing): a crowded network redraws bundles of about
        ``EDGES_PER_FRAME`` edges, going on from where the last frame stopped; the others
        keep the weights of a few frames ago, which nobody can tell apart in motion.
        """
        positive, level = edge_levels(weights)
        bounds = np.cumsum([0, *(np.size(w) for w in weights)])
        order = range(len(self.bundles))
        if moving and self.crowded:
            order = self._turn([int(np.size(w)) for w in weights])
        for k in order:
            a, b = bounds[k], bounds[k + 1]
            self.bundles[k].set_levels(positive[a:b], level[a:b])

    def _turn(self, sizes: list[int]) -> list[int]:
        """The bundles to refresh this frame: from ``_next`` on, about EDGES_PER_FRAME edges."""
        chosen, edges, k = [], 0, self._next
        while edges < EDGES_PER_FRAME and len(chosen) < len(sizes):
            chosen.append(k)
            edges += sizes[k]
            k = (k + 1) % len(sizes)
        self._next = k
        return chosen

    def drawn_edges(self) -> int:
        """How many edges the bundles hold (every edge of the layout, once shown)."""
        return sum(sum(bundle.counts.values()) for bundle in self.bundles)
