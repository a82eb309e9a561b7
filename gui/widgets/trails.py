"""Many growing polylines drawn incrementally: the cost of a frame is its new segments.

Stroking 100 paths of 1,000 points takes Qt's raster engine a few hundred milliseconds,
far over a 16 ms frame. Paths only grow while a run plays, so `TrailsItem` keeps them
rasterised in a canvas (a pixmap the size of the viewport) and strokes only the segments
added since the last paint; the canvas is redrawn in full when the view moves, the
widget resizes or the paths are replaced (scrubbing back, history thinning). The newest
point of each run may still move (the history's provisional tail row), so the segment
reaching it is drawn live on top of the canvas, never baked in; a live segment shorter
than half a device pixel (a run that has stopped or crawls) is not drawn at all: it
would change no pixel that counts, and a sweep would pay a ``drawLines`` call for each.
Export (no widget) draws everything directly, at the export resolution.

Runs come in two layers, each with its own canvas: the bottom one (a stochastic cloud)
and the top one (the runs that must stay visible, e.g. the one deterministic road
through that cloud), drawn opaque and optionally with a halo (a wider pale outline
under the line) so a path stays readable over the map and over other paths.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from gui.shell.colors import HALO_COLOR
from gui.widgets.run_buffer import RunBuffer, draw_lines
from gui.widgets.run_items import make_pen

_HALO_EXTRA = 3.5  # the halo is this many pixels wider than the line
# with halos, every road but the first-listed (drawn on top) is this much wider: a path
# that coincides with the first one (plain descent, and momentum's first steps) still
# shows as a rim around it; one level only, so a sweep's paths keep a common width
_CASING = 2.0
_RESTROKE = 16  # points restroked before new ones: a new halo's cap covers a few tiny steps
# a live tail shorter than this (device pixels) is not drawn: it lies within the line's
# own round cap, and a 100-run sweep whose runs crawl would pay a call per run for it
MIN_TAIL_PX = 0.5


def line_style(n_runs: int, presentation: bool, few_width: float) -> tuple[float, bool]:
    """(width, antialias) for ``n_runs`` polylines.

    Qt strokes antialiased lines wider than one pixel through a slow outline path (about
    ten times the cost), fine for a dozen runs, too slow for a hundred at 60 frames a
    second. Many runs are drawn 1 px antialiased, or 2 px without antialiasing when
    presenting (thin lines vanish on a projector).
    """
    if n_runs <= 12:
        return few_width * (1.6 if presentation else 1.0), True
    return (2.0, False) if presentation else (1.0, True)


def _finite_points(rows: np.ndarray) -> np.ndarray:
    """Whether both coordinates of each point of ``rows`` (..., 2) are finite."""
    return np.isfinite(rows[..., 0]) & np.isfinite(rows[..., 1])


def _device_length(lines: np.ndarray, transform: QtGui.QTransform) -> np.ndarray:
    """Length in device pixels of each segment ``(x0, y0, x1, y1)`` of ``lines`` (S, 4)
    under ``transform`` (its linear part: a translation moves both ends alike)."""
    dx, dy = lines[:, 2] - lines[:, 0], lines[:, 3] - lines[:, 1]
    t = transform
    return np.hypot(t.m11() * dx + t.m21() * dy, t.m12() * dx + t.m22() * dy)


class TrailsItem(pg.GraphicsObject):
    """Per-run polylines with a pen each, painted through an incremental canvas."""

    def __init__(self) -> None:
        super().__init__()
        self._runs = RunBuffer()
        self._tails = np.zeros((0, 2))
        self._has_tail = np.zeros(0, bool)
        self._colors = np.zeros((0, 4), np.uint8)
        self._width = 2.0
        self._antialias = True
        self._pens: list[QtGui.QPen] = []
        self._rect = QtCore.QRectF()
        self._on_top = np.zeros(0, bool)
        self._halo = False
        self._canvases: list[QtGui.QPixmap | None] = [None, None]  # bottom, top layer
        self._canvas_key: tuple | None = None
        self._drawn = np.zeros(0, int)  # points of each run already in its canvas

    # ---------------------------------------------------------------- data
    def set_bounds(self, rect: QtCore.QRectF) -> None:
        """The item's extent (all data is clamped inside it by the caller)."""
        self.prepareGeometryChange()
        self._rect = QtCore.QRectF(rect)
        self.informViewBoundsChanged()

    def set_style(self, colors: np.ndarray, width: float, antialias: bool = True) -> None:
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self._width = float(width)
        self._antialias = bool(antialias)
        self._make_pens()
        self._invalidate()

    def set_layers(self, on_top: np.ndarray, halo: bool) -> None:
        """Which runs are drawn on top (opaque, after all others), and whether those get
        a halo. Changing it redraws everything once."""
        on_top = np.asarray(on_top, bool).reshape(-1)
        if np.array_equal(on_top, self._on_top) and bool(halo) == self._halo:
            return
        self._on_top, self._halo = on_top.copy(), bool(halo)
        self._make_pens()
        self._invalidate()

    @property
    def on_top(self) -> np.ndarray:
        return self._on_top

    def _make_pens(self) -> None:
        top = self._top_mask(len(self._colors))
        colors = self._colors.copy()
        colors[top, 3] = 255  # a run on top is one road, not a translucent cloud
        self._widths = np.full(len(colors), self._width)
        if self._halo:
            under = top & (np.cumsum(top) > 1)  # every road after the first on top
            self._widths += np.where(under, _CASING, 0.0)
        # runs of one colour and width share a pen object: `_draw_lines` strokes
        # neighbours that share one in a single call
        pens: dict[tuple, QtGui.QPen] = {}
        self._pens = [
            pens.setdefault((*c.tolist(), w), make_pen(c, w))
            for c, w in zip(colors, self._widths.tolist(), strict=True)
        ]
        halos: dict[float, QtGui.QPen] = {}
        widths = self._widths.tolist()
        for w in widths:
            if w not in halos:
                halos[w] = make_pen(HALO_COLOR, w + _HALO_EXTRA)
        self._halo_pens = [halos[w] for w in widths]

    def _top_mask(self, k: int) -> np.ndarray:
        return self._on_top if len(self._on_top) == k else np.zeros(k, bool)

    def set_paths(self, paths: list[np.ndarray]) -> None:
        """Replace every polyline: ``paths[k]`` is an (n_k, 2) array of finite points."""
        self._runs.fill([self._finite(xy) for xy in paths])
        self._tails = np.zeros((len(paths), 2))
        self._has_tail = np.zeros(len(paths), bool)
        self._invalidate()

    def set_rows(self, rows: np.ndarray, keep: np.ndarray) -> None:
        """Replace every polyline by ``rows[m, k]`` (M, K, 2) where ``keep[m, k]`` (and the
        point is finite): `set_paths` of the kept rows, without a list of K arrays."""
        rows = np.asarray(rows, float)
        keep = np.asarray(keep, bool) & _finite_points(rows)
        self._runs.fill_rows(rows, keep)
        self._tails = np.zeros((rows.shape[1], 2))
        self._has_tail = np.zeros(rows.shape[1], bool)
        self._invalidate()

    def append_rows(self, rows: np.ndarray, keep: np.ndarray) -> None:
        """Append ``rows[m, k]`` (M, K, 2) to run ``k`` where ``keep[m, k]``; only these
        new segments are stroked at the next paint."""
        keep = np.asarray(keep, bool) & _finite_points(rows)
        if keep.any():
            self._runs.append_rows(np.asarray(rows, float), keep)
            self.update()

    def merge_cells(self, cell) -> None:
        """Keep of each run its first point and every point in another cell of the grid
        ``floor(xy / cell)`` than the point before it (``cell`` (2,) in data units).

        Points decimated on a finer grid whose cells nest in these (each new cell a
        union of old ones) come out exactly as the run's rows decimated here at once: a
        row dropped on the fine grid shares its fine, hence its coarse, cell with the
        row before it. A view that widens thus keeps its paths without the rows.
        """
        self._runs.merge_cells(np.asarray(cell, float).reshape(2))
        self._invalidate()

    def set_tails(self, tails: np.ndarray, has_tail: np.ndarray) -> None:
        """Live end point of each run: a segment from its last stored point, redrawn per paint."""
        self._tails = np.nan_to_num(np.asarray(tails, float).reshape(-1, 2))
        self._has_tail = np.asarray(has_tail, bool).reshape(-1)
        self.update()

    def polyline(self, k: int) -> np.ndarray:
        """Everything drawn for run ``k``: stored points plus the live tail, (n, 2)."""
        pts = self._runs.view(k)
        if k < len(self._has_tail) and self._has_tail[k]:
            pts = np.vstack([pts, self._tails[k]])
        return pts

    @property
    def n_runs(self) -> int:
        return len(self._runs)

    def all_points(self) -> np.ndarray:
        """Every stored point of every run, (N, 2) (e.g. to find where a legend hides least)."""
        runs = self._runs
        taken = np.arange(runs.data.shape[1])[None, :] < runs.counts[:, None]
        return runs.data[taken]

    @staticmethod
    def _finite(xy) -> np.ndarray:
        xy = np.asarray(xy, float).reshape(-1, 2)
        return xy[np.isfinite(xy).all(axis=1)]

    def _invalidate(self) -> None:
        self._canvas_key = None
        self.update()

    # -------------------------------------------------------------- painting
    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        if self._rect.isNull():
            return None, None
        if ax == 0:
            return self._rect.left(), self._rect.right()
        return self._rect.top(), self._rect.bottom()

    def _pen(self, k: int, scale: float = 1.0) -> QtGui.QPen:
        if scale == 1.0 and k < len(self._pens):
            return self._pens[k]
        if k >= len(self._pens):
            return make_pen((0, 0, 0, 255), self._width * scale)
        pen = QtGui.QPen(self._pens[k])
        pen.setWidthF(float(self._widths[k]) * scale)
        return pen

    def _halo_for(self, k: int, scale: float) -> QtGui.QPen:
        pen = self._halo_pens[k]
        if scale != 1.0:
            pen = QtGui.QPen(pen)
            pen.setWidthF(pen.widthF() * scale)
        return pen

    def _layer(self, top: bool) -> np.ndarray:
        """Indices of the runs of the bottom or the top layer, in drawing order: the
        first run last, on top (it is usually the baseline, plain descent, which the
        runs that travel further would otherwise cover: their longer paths still show)."""
        mask = self._top_mask(len(self._runs))
        return np.flatnonzero(mask if top else ~mask)[::-1]

    def stroke_plan(self, runs, start: np.ndarray | None, scale: float = 1.0):
        """What `_draw_runs` strokes: ``(lines, counts, pens)``, blocks of ``counts[i]``
        rows of ``lines`` (S, 4) with ``pens[i]``, in painting order.

        Each run ``k`` of ``runs`` is stroked from its point ``start[k]`` on (all of it
        when ``start`` is None). Runs on top with halos get all their pale outlines first,
        so a halo never cuts through another road, only through the map and the clouds;
        their lines then restroke a few earlier points (a new halo's cap covers them).
        """
        runs = np.asarray(runs, int)
        counts = self._runs.counts
        halo = (self._top_mask(len(counts)) & self._halo)[runs]
        first = np.zeros(len(runs), int)
        if start is not None:
            first = np.maximum(np.asarray(start, int)[runs] - 1, 0)
        todo = counts[runs] - first >= 2
        runs, first, halo = runs[todo], first[todo], halo[todo]
        outlines, outline_counts = self._runs.segments(runs[halo], first[halo])
        line_first = np.where(halo, np.maximum(first - _RESTROKE, 0), first)
        lines, line_counts = self._runs.segments(runs, line_first)
        pens = [self._halo_for(k, scale) for k in runs[halo]]
        pens += [self._pen(k, scale) for k in runs]
        lines = np.concatenate([outlines, lines]) if len(outlines) else lines
        return lines, np.concatenate([outline_counts, line_counts]), pens

    def _draw_runs(self, painter, runs, start: np.ndarray | None, scale: float = 1.0) -> None:
        """Stroke `stroke_plan`'s segments: one ``drawLines`` per block of same-pen runs."""
        draw_lines(painter, *self.stroke_plan(runs, start, scale))

    def tail_plan(self, runs, scale: float = 1.0, transform: QtGui.QTransform | None = None):
        """What `_draw_tails` strokes: ``(lines, counts, pens)`` as in `stroke_plan`, one
        segment per run from its last stored point to its live end (halo first).

        With the painter's ``transform``, a segment shorter than `MIN_TAIL_PX` device
        pixels, ``|(m11 dx + m21 dy, m12 dx + m22 dy)| < MIN_TAIL_PX``, is left out
        unless its run has a halo (whose wider cap would still show).
        """
        counts = self._runs.counts
        runs = np.asarray(runs, int)
        if len(self._has_tail) != len(counts) or not len(runs):
            return np.zeros((0, 4)), np.zeros(0, int), []
        runs = runs[self._has_tail[runs] & (counts[runs] > 0)]
        halo = (self._top_mask(len(counts)) & self._halo)[runs]
        lines = np.empty((len(runs), 4))
        lines[:, :2] = self._runs.data[runs, counts[runs] - 1]
        lines[:, 2:] = self._tails[runs]
        if transform is not None:
            visible = halo | (_device_length(lines, transform) >= MIN_TAIL_PX)
            runs, halo, lines = runs[visible], halo[visible], lines[visible]
        # per run: its halo, then its line (a later run's halo may cover an earlier tail)
        take = np.repeat(np.arange(len(runs)), np.where(halo, 2, 1))
        pens = []
        for k, h in zip(runs.tolist(), halo.tolist(), strict=True):
            pens += [self._halo_for(k, scale), self._pen(k, scale)] if h else [self._pen(k, scale)]
        return lines[take], np.ones(len(take), int), pens

    def _draw_tails(self, painter, runs, scale: float = 1.0) -> None:
        draw_lines(painter, *self.tail_plan(runs, scale, painter.transform()))

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, self._antialias)
        export = getattr(self, "_exportOpts", False)
        layers = [self._layer(False), self._layer(True)]
        if widget is None or export:
            scale = float(export.get("resolutionScale", 1.0)) if export else 1.0
            for runs in layers:
                self._draw_runs(painter, runs, None, scale)
                self._draw_tails(painter, runs, scale)
            return
        self._update_canvases(painter, widget, layers)
        for canvas, runs in zip(self._canvases, layers, strict=True):
            if not len(runs):
                continue
            painter.save()
            painter.resetTransform()
            # blit only what the painter may touch (the view box), not the whole viewport;
            # the clip is read in device pixels, after the transform was reset
            area = QtCore.QRectF(
                QtCore.QPointF(0, 0), QtCore.QSizeF(widget.width(), widget.height())
            )
            if painter.hasClipping():
                area = area.intersected(painter.clipBoundingRect())
            ratio = canvas.devicePixelRatio()
            source = QtCore.QRectF(
                area.x() * ratio, area.y() * ratio, area.width() * ratio, area.height() * ratio
            )
            painter.drawPixmap(area, canvas, source)
            painter.restore()
            self._draw_tails(painter, runs)

    def _update_canvases(self, painter, widget, layers) -> None:
        t = painter.transform()
        ratio = widget.devicePixelRatioF()
        key = (
            t.m11(),
            t.m12(),
            t.m21(),
            t.m22(),
            t.dx(),
            t.dy(),
            widget.width(),
            widget.height(),
            ratio,
        )
        if key != self._canvas_key or len(self._drawn) != len(self._runs):
            size = QtCore.QSize(int(widget.width() * ratio), int(widget.height() * ratio))
            # a QPixmap is stored in the screen's native format: blitting it needs no conversion
            for i, runs in enumerate(layers):
                canvas = None
                if len(runs):
                    canvas = QtGui.QPixmap(size)
                    canvas.setDevicePixelRatio(ratio)
                    canvas.fill(QtCore.Qt.GlobalColor.transparent)
                self._canvases[i] = canvas
            self._canvas_key = key
            self._drawn = np.zeros(len(self._runs), int)
        counts = self._runs.counts.copy()
        for canvas, runs in zip(self._canvases, layers, strict=True):
            todo = runs[counts[runs] > self._drawn[runs]] if len(runs) else runs
            if canvas is None or not len(todo):
                continue
            canvas_painter = QtGui.QPainter(canvas)
            canvas_painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, self._antialias)
            canvas_painter.setTransform(t)
            self._draw_runs(canvas_painter, todo, self._drawn)
            canvas_painter.end()
        self._drawn = counts
