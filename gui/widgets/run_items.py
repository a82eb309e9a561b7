"""Fast graphics items for many runs at once: one item, one paint, a pen per run.

A 100-run sweep drawn as 100 PlotDataItems costs a signal storm and a bounds pass per
item per frame. These items take all runs as arrays, keep a QPainterPath per run (reused
when a run has not moved) and paint everything in one call. Markers and arrow heads are
painted in pixels so they keep their size under zoom. Callers pass finite data only;
the items still drop non-finite values as a last line of defence.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6 import QtCore, QtGui


def _export_scale(item: pg.GraphicsObject) -> float:
    """Line widths grow with the export resolution (ImageExporter renders scaled)."""
    opts = getattr(item, "_exportOpts", False)
    return float(opts.get("resolutionScale", 1.0)) if opts else 1.0


def make_pen(rgba, width: float, style=QtCore.Qt.PenStyle.SolidLine) -> QtGui.QPen:
    pen = QtGui.QPen(QtGui.QColor(*(int(c) for c in rgba)))
    pen.setWidthF(width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(QtCore.Qt.PenJoinStyle.RoundJoin)
    return pen


def _to_device(painter: QtGui.QPainter, xy: np.ndarray) -> np.ndarray:
    """Map (K, 2) item coordinates to device pixels with the painter's transform."""
    t = painter.transform()
    x, y = xy[:, 0], xy[:, 1]
    return np.column_stack([t.m11() * x + t.m21() * y + t.dx(), t.m12() * x + t.m22() * y + t.dy()])


def _sprite(symbol: str, rgba, size: float, scale: float) -> QtGui.QPixmap:
    """A marker rendered once into a pixmap: a dot with a white rim, or a cross."""
    side = int(np.ceil((size + 8) * scale))
    pixmap = QtGui.QPixmap(side, side)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    c, r = side / 2.0, 0.5 * size * scale
    if symbol == "x":
        for color, width in (((255, 255, 255, 255), 6.0), (rgba, 3.2)):
            painter.setPen(make_pen(color, width * scale))
            painter.drawLine(QtCore.QPointF(c - r, c - r), QtCore.QPointF(c + r, c + r))
            painter.drawLine(QtCore.QPointF(c - r, c + r), QtCore.QPointF(c + r, c - r))
    elif symbol == "s":  # a run stopped where the surface has no value (or overflows)
        painter.setPen(make_pen((255, 255, 255, 255), 2.0 * scale))
        painter.setBrush(QtGui.QColor(*(int(v) for v in rgba[:3])))
        painter.drawRect(QtCore.QRectF(c - 0.8 * r, c - 0.8 * r, 1.6 * r, 1.6 * r))
    else:
        painter.setPen(make_pen((255, 255, 255, 255), 1.8 * scale))
        painter.setBrush(QtGui.QColor(*(int(v) for v in rgba[:3])))
        painter.drawEllipse(QtCore.QPointF(c, c), r, r)
    painter.end()
    return pixmap


class MarkersItem(pg.GraphicsObject):
    """Round dots (``"o"``), crosses (``"x"``) or squares (``"s"``) at given points, a
    colour each, sized in pixels.

    Each (colour, size) is rendered once into a sprite, the sprites of the colours in
    use into one atlas; a paint is one ``drawPixmapFragments`` call for all markers.
    """

    def __init__(self, symbol: str = "o", size: float = 11.0) -> None:
        super().__init__()
        self.symbol = symbol
        self._size = float(size)
        self.points = np.zeros((0, 2))
        self.colors = np.zeros((0, 4), np.uint8)
        self._bounds = QtCore.QRectF()
        self.view_rect: QtCore.QRectF | None = None
        self._sprites: dict[tuple, QtGui.QPixmap] = {}
        self._atlas_cache: tuple | None = None
        self._fragments = PrimitiveArray(QtGui.QPainter.PixmapFragment, 10)

    @property
    def size(self) -> float:
        """Marker size in pixels; setting it repaints the markers."""
        return self._size

    @size.setter
    def size(self, value: float) -> None:
        if float(value) != self._size:
            self.prepareGeometryChange()
            self._size = float(value)
            self.update()

    def set_points(self, points: np.ndarray, colors: np.ndarray) -> None:
        points = np.asarray(points, float).reshape(-1, 2)
        colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        ok = np.isfinite(points).all(axis=1)
        points, colors = points[ok], colors[ok]
        if np.array_equal(points, self.points) and np.array_equal(colors, self.colors):
            return  # unchanged (a frozen diverged run, no crosses at all): no repaint
        self.points, self.colors = points, colors
        rect = QtCore.QRectF()
        if len(self.points):
            (x0, y0), (x1, y1) = self.points.min(axis=0), self.points.max(axis=0)
            rect = QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = rect
        self.update()

    def set_view_rect(self, rect: QtCore.QRectF) -> None:
        """Use the visible data rectangle as the extent (no per-call pixel maths)."""
        self.prepareGeometryChange()
        self.view_rect = QtCore.QRectF(rect)

    def boundingRect(self) -> QtCore.QRectF:
        if self.view_rect is not None:
            return self.view_rect
        # markers have a pixel size: grow the data rect by their size in item units
        px = self.pixelLength(QtCore.QPointF(1, 0)) or 0.0
        py = self.pixelLength(QtCore.QPointF(0, 1)) or 0.0
        m = self.size
        return self._bounds.adjusted(-m * px, -m * py, m * px, m * py)

    def _sprite_for(self, rgba, scale: float) -> QtGui.QPixmap:
        key = (tuple(int(c) for c in rgba), self.size, scale)
        sprite = self._sprites.get(key)
        if sprite is None:
            if len(self._sprites) > 512:
                self._sprites.clear()
            sprite = self._sprites[key] = _sprite(self.symbol, key[0], self.size, scale)
        return sprite

    def paint(self, painter, option, widget=None) -> None:
        if not len(self.points):
            return
        scale = _export_scale(self)
        atlas, column, side = self._atlas(scale)
        # Qt misbehaves on coordinates beyond 2**30 px (pyqtgraph clips the same way)
        device = np.clip(_to_device(painter, self.points), -(2.0**30), 2.0**30)
        fragments = self._fragments
        fragments.resize(len(device))
        table = fragments.ndarray()
        table[:, 0:2] = device  # centre of each target
        table[:, 2] = column * side  # source rectangle in the atlas
        table[:, 3], table[:, 4], table[:, 5] = 0.0, side, side
        table[:, 6:10] = (1.0, 1.0, 0.0, 1.0)  # scale x, scale y, rotation, opacity
        painter.save()
        painter.resetTransform()
        painter.drawPixmapFragments(*fragments.drawargs(), atlas)  # every marker, one call
        painter.restore()

    def _atlas(self, scale: float) -> tuple[QtGui.QPixmap, np.ndarray, int]:
        """One pixmap holding the sprite of each distinct colour side by side, and the
        column of every point's sprite: a paint is a single ``drawPixmapFragments``."""
        key = (self.colors.tobytes(), self.size, scale)
        if self._atlas_cache is None or self._atlas_cache[0] != key:
            distinct, column = np.unique(self.colors, axis=0, return_inverse=True)
            sprites = [self._sprite_for(rgba, scale) for rgba in distinct]
            side = sprites[0].width()
            atlas = QtGui.QPixmap(side * len(sprites), side)
            atlas.fill(QtCore.Qt.GlobalColor.transparent)
            painter = QtGui.QPainter(atlas)
            for i, sprite in enumerate(sprites):
                painter.drawPixmap(i * side, 0, sprite)
            painter.end()
            self._atlas_cache = (key, (atlas, column.reshape(-1), side))
        return self._atlas_cache[1]


class ArrowsItem(pg.GraphicsObject):
    """Arrows from ``tails`` to ``heads`` (item coordinates) with pixel-sized heads.

    All shafts go out in one ``drawLines`` call and all heads in one filled path. The
    shafts have flat caps: Qt strokes a wide antialiased line with round caps through its
    general outline path, four times the cost of flat ones (about 0.65 ms for a sweep's
    100 arrows), and the cap at the head end lies under the head anyway.
    """

    def __init__(self, rgba, width: float = 2.5, style=QtCore.Qt.PenStyle.SolidLine) -> None:
        super().__init__()
        self.rgba, self.width, self.style = rgba, width, style
        self.tails = np.zeros((0, 2))
        self.heads = np.zeros((0, 2))
        self._bounds = QtCore.QRectF()
        self.view_rect: QtCore.QRectF | None = None

    def set_arrows(self, tails: np.ndarray, heads: np.ndarray) -> None:
        tails = np.asarray(tails, float).reshape(-1, 2)
        heads = np.asarray(heads, float).reshape(-1, 2)
        ok = np.isfinite(tails).all(axis=1) & np.isfinite(heads).all(axis=1)
        self.tails, self.heads = tails[ok], heads[ok]
        rect = QtCore.QRectF()
        if len(self.tails):
            both = np.vstack([self.tails, self.heads])
            (x0, y0), (x1, y1) = both.min(axis=0), both.max(axis=0)
            rect = QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = rect
        self.update()

    set_view_rect = MarkersItem.set_view_rect

    def boundingRect(self) -> QtCore.QRectF:
        if self.view_rect is not None:
            return self.view_rect
        px = self.pixelLength(QtCore.QPointF(1, 0)) or 0.0
        py = self.pixelLength(QtCore.QPointF(0, 1)) or 0.0
        return self._bounds.adjusted(-20 * px, -20 * py, 20 * px, 20 * py)

    def geometry(self, painter, scale: float = 1.0):
        """Device-space shafts (A, 2, 2) and head triangles (A, 3, 2) of arrows >= 3 px."""
        tails, heads = _to_device(painter, self.tails), _to_device(painter, self.heads)
        vec = heads - tails
        length = np.hypot(vec[:, 0], vec[:, 1])
        keep = length > 3.0  # shorter than 3 px: nothing to show
        tails, heads, vec, length = tails[keep], heads[keep], vec[keep], length[keep]
        unit = vec / length[:, None]
        size = np.minimum(min(11.0 * scale, 4.0 + 2.2 * self.width * scale), 0.6 * length)
        base = heads - unit * size[:, None]
        normal = np.column_stack([-unit[:, 1], unit[:, 0]]) * (0.45 * size)[:, None]
        shafts = np.stack([tails, base], axis=1)
        triangles = np.stack([heads, base + normal, base - normal], axis=1)
        return shafts, triangles

    def paint(self, painter, option, widget=None) -> None:
        if not len(self.tails):
            return
        scale = _export_scale(self)
        shafts, triangles = self.geometry(painter, scale)
        if not len(shafts):
            return
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        pen = make_pen(self.rgba, self.width * scale, self.style)
        pen.setCapStyle(QtCore.Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        flat = shafts.reshape(-1, 2)
        segments = arrayToLineSegments(flat[:, 0], flat[:, 1], "pairs", False)
        painter.drawLines(*segments.drawargs())
        closed = np.concatenate([triangles, triangles[:, :1]], axis=1).reshape(-1, 2)
        connect = np.ones(len(closed), bool)
        connect[3::4] = False  # each triangle is its own closed sub-path
        heads = pg.functions.arrayToQPath(
            closed[:, 0], closed[:, 1], connect=connect, finiteCheck=False
        )
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.fillPath(heads, QtGui.QColor(*self.rgba))
        painter.restore()


class PointersItem(pg.GraphicsObject):
    """Arrow heads at given points, each pointing along its own direction (pixel-sized).

    Marks a run that has left the view: the head sits at the edge of the view where the
    path went out, points the way it went, and has the run's colour with a white rim. All
    heads of one colour are one filled path: a paint is one call per colour.
    """

    def __init__(self, size: float = 18.0) -> None:
        super().__init__()
        self.size = float(size)
        self.points = np.zeros((0, 2))
        self.directions = np.zeros((0, 2))
        self.colors = np.zeros((0, 4), np.uint8)
        self.view_rect: QtCore.QRectF | None = None

    def set_pointers(self, points, directions, colors) -> None:
        """Tips (K, 2) and directions (K, 2) in item coordinates, colours (K, 4) uint8."""
        points = np.asarray(points, float).reshape(-1, 2)
        directions = np.asarray(directions, float).reshape(-1, 2)
        colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        ok = np.isfinite(points).all(axis=1) & np.isfinite(directions).all(axis=1)
        ok &= np.abs(directions).sum(axis=1) > 0
        if (
            np.array_equal(points[ok], self.points)
            and np.array_equal(directions[ok], self.directions)
            and np.array_equal(colors[ok], self.colors)
        ):
            return
        self.points, self.directions, self.colors = points[ok], directions[ok], colors[ok]
        self.update()

    set_view_rect = MarkersItem.set_view_rect

    def boundingRect(self) -> QtCore.QRectF:
        return self.view_rect if self.view_rect is not None else QtCore.QRectF()

    def triangles(self, painter, scale: float = 1.0) -> np.ndarray:
        """Device-space triangles (K, 3, 2): the tip on the point, the base behind it."""
        tips = _to_device(painter, self.points)
        t = painter.transform()
        dx, dy = self.directions[:, 0], self.directions[:, 1]
        d = np.column_stack([t.m11() * dx + t.m21() * dy, t.m12() * dx + t.m22() * dy])
        unit = d / np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-300)[:, None]
        size = self.size * scale
        base = tips - unit * size
        normal = np.column_stack([-unit[:, 1], unit[:, 0]]) * (0.5 * size)
        return np.stack([tips, base + normal, base - normal], axis=1)

    def paint(self, painter, option, widget=None) -> None:
        if not len(self.points):
            return
        scale = _export_scale(self)
        triangles = self.triangles(painter, scale)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        rim = make_pen((255, 255, 255, 255), 2.0 * scale)
        keys = [bytes(c) for c in self.colors]
        for key in dict.fromkeys(keys):
            mine = triangles[[k == key for k in keys]]
            closed = np.concatenate([mine, mine[:, :1]], axis=1).reshape(-1, 2)
            connect = np.ones(len(closed), bool)
            connect[3::4] = False
            path = pg.functions.arrayToQPath(
                closed[:, 0], closed[:, 1], connect=connect, finiteCheck=False
            )
            painter.setPen(rim)
            painter.setBrush(QtGui.QColor(*key))
            painter.drawPath(path)
        painter.restore()
