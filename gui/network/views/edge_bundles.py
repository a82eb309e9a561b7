"""The diagram's edges: one graphics item per weight layer, one pen per (sign, width level).

An 8 x 64 network has 25,000 edges; rasterizing them all costs tens of milliseconds a
frame, far more than anything else the window draws. So the edges of weight layer l are
one `EdgeBundle`: its segments sorted by (width level, sign), stroked with one
``drawLines`` call per pen, weakest first so the strongest weights stay on top. Each
bundle is cached as a pixmap by Qt (``DeviceCoordinateCache``) and redrawn only when some
edge's sign or width level changed: weights creep, so in most frames of a small network
only the neurons change, and the edges are blitted. A crowded network
playing flat out redraws the bundles of a few layers a frame, in turn (`EdgeBundles.show`),
so no frame pays for all of them. Paused, stepped or pinned, every bundle shows the
weights given.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from core.nn.graph import WIDTH_LEVELS, edge_levels
from gui.widgets.run_buffer import draw_lines

CROWDED = 1000  # edges beyond which bundles are cached and refreshed in turn while moving
EDGES_PER_FRAME = 4000  # a moving run redraws bundles of about this many edges a frame
KEYS = [(positive, level) for level in range(WIDTH_LEVELS) for positive in (False, True)]


class EdgeBundle(pg.GraphicsObject):
    """The edges of one weight layer, ``segments`` (E, 2, 2) in diagram units."""

    def __init__(self, segments: np.ndarray) -> None:
        super().__init__()
        self.segments = segments
        self._shown: tuple[np.ndarray, np.ndarray] | None = None  # (positive, level) drawn
        self.pens: dict[tuple[bool, int], QtGui.QPen] = {}
        self.lines = np.empty((0, 4))  # (E, 4) x0, y0, x1, y1: sorted by key, KEYS' order
        self.counts: dict[tuple[bool, int], int] = dict.fromkeys(KEYS, 0)
        points = segments.reshape(-1, 2)
        lo, hi = points.min(axis=0), points.max(axis=0)
        margin = 0.02  # the pens' width in diagram units, at most
        self._rect = QtCore.QRectF(
            lo[0] - margin, lo[1] - margin, hi[0] - lo[0] + 2 * margin, hi[1] - lo[1] + 2 * margin
        )
        self.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_pens(self, pens: dict[tuple[bool, int], QtGui.QPen]) -> None:
        self.pens = pens
        self.update()

    def set_levels(self, positive: np.ndarray, level: np.ndarray) -> bool:
        """Sort the edges by (level, sign), the order they are stroked in, from
        ``positive`` and ``level`` (E,). Returns whether anything changed (nothing is
        sorted or repainted otherwise)."""
        shown = self._shown
        if shown is not None and np.array_equal(shown[0], positive):
            if np.array_equal(shown[1], level):
                return False
        self._shown = (positive.copy(), level.copy())
        key = 2 * level + positive  # the index in KEYS: weakest first, negative before positive
        order = np.argsort(key, kind="stable")
        self.lines = self.segments[order].reshape(-1, 4)
        self.counts = dict(zip(KEYS, np.bincount(key, minlength=len(KEYS)).tolist(), strict=True))
        self.update()
        return True

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        if len(self.pens) < len(KEYS):
            return  # no pens yet: nothing to draw with
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        # weakest first, so the strongest weights stay on top; one drawLines per pen
        # (a path per pen cost twice as much to stroke at the wider widths)
        counts = np.fromiter(self.counts.values(), int, len(KEYS))
        draw_lines(painter, self.lines, counts, [self.pens[key] for key in KEYS])


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
        self.bundles = [EdgeBundle(layout.segments[a:b]) for a, b in itertools.pairwise(first)]
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
