"""Overlays of the landscape view: arrow scaling, the legends and the outcome map."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6 import QtCore

from gui.descent.views.run_marks import status_text
from gui.shell import colors as palette
from gui.widgets.run_items import MarkersItem

# Gradient arrows: length grows with log10 |grad| over _ARROW_DECADES decades, from 0 at
# 1e-4 times the landscape's median gradient norm up to _ARROW_FRACTION of the view span.
_ARROW_FRACTION = 0.12
_ARROW_DECADES = 5.0

ARROW_STYLES = {
    "gradient": ("downhill (−gradient)", (20, 20, 20), QtCore.Qt.PenStyle.SolidLine),
    "velocity": ("momentum (velocity)", (0, 130, 90), QtCore.Qt.PenStyle.DashLine),
    "update": ("step just taken", (190, 20, 140), QtCore.Qt.PenStyle.SolidLine),
}


def _finite_vectors(vectors) -> np.ndarray:
    """Finite (K, 2) vectors small enough that their norm cannot overflow."""
    vectors = np.asarray(vectors, float).reshape(-1, 2)
    vectors = np.nan_to_num(vectors, nan=0.0, posinf=0.0, neginf=0.0)
    return np.clip(vectors, -1e150, 1e150)


def _scaled(vectors: np.ndarray, span: float, gradient_scale: float) -> np.ndarray:
    """Directions kept, lengths log-compressed so flat valleys and steep walls both show.

    ``length = F * span * clip(log10(|v| / (1e-4 * gradient_scale)) / D, 0, 1)`` with
    ``F = _ARROW_FRACTION`` and ``D = _ARROW_DECADES``: the arrow shrinks to nothing
    near a minimum and saturates on walls ten times steeper than the median.
    """
    vectors = _finite_vectors(vectors)
    norm = np.linalg.norm(vectors, axis=1)
    floor = 1e-4 * max(gradient_scale, 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        decades = np.log10(np.maximum(norm, 1e-300) / floor)
        unit = np.where(norm[:, None] > 0, vectors / norm[:, None], 0.0)
    length = _ARROW_FRACTION * span * np.clip(decades / _ARROW_DECADES, 0.0, 1.0)
    return np.nan_to_num(unit * length[:, None])


def _capped(vectors: np.ndarray, cap: float) -> np.ndarray:
    """Vectors (K, 2) as they are, shortened to at most ``cap`` (finite)."""
    vectors = _finite_vectors(vectors)
    norm = np.linalg.norm(vectors, axis=1)
    shrink = np.where(norm > cap, cap / np.maximum(norm, 1e-300), 1.0)
    return vectors * shrink[:, None]


def arrow_vectors(
    frame, span: float, gradient_scale: float, kinds=("gradient", "velocity", "update")
) -> dict[str, np.ndarray]:
    """Displacements (K, 2) to draw at each current point, for each of ``kinds``.

    ``gradient``: ``-grad`` (where plain descent heads), scaled by `_scaled` so it is
    visible whatever the landscape's steepness. ``velocity``: the frame's velocity,
    ``-lr * buffer`` (where momentum alone would carry the point next), and ``update``:
    the step just taken, both in surface units at true size, capped at a quarter span.
    """
    cap = 0.25 * span
    made = {
        "gradient": lambda: _scaled(-np.asarray(frame.grad, float), span, gradient_scale),
        "velocity": lambda: _capped(frame.velocity, cap),
        "update": lambda: _capped(frame.update, cap),
    }
    return {kind: made[kind]() for kind in kinds}


def _legend(view_box, corner: tuple[float, float], columns: int = 1) -> pg.LegendItem:
    """A legend floating in a corner of ``view_box`` (or a free one when it is None)."""
    legend = pg.LegendItem(
        offset=corner,
        brush=pg.mkBrush(255, 255, 255, 215),
        pen=pg.mkPen(180, 180, 180),
        labelTextColor=palette.FOREGROUND,
        verSpacing=-4,
        colCount=columns,
    )
    if view_box is not None:
        legend.setParentItem(view_box)
    legend.setZValue(100)
    return legend


def scale_about_anchor(legend: pg.LegendItem, scale: float) -> None:
    """Scale a legend about the corner it is anchored to (offset signs pick the corner)."""
    size = legend.boundingRect()
    if not isinstance(legend, pg.LegendItem):  # a label pinned by its top centre
        origin = QtCore.QPointF(size.center().x(), size.top())
        legend.setTransformOriginPoint(origin)
        legend.setScale(scale)
        return
    dx, dy = legend.opts.get("offset") or (1, 1)
    origin = QtCore.QPointF(size.width() if dx < 0 else 0.0, size.height() if dy < 0 else 0.0)
    legend.setTransformOriginPoint(origin)
    legend.setScale(scale)


def export_plot(plot: pg.PlotItem, legends, path: str, width: int) -> None:
    """Save ``plot`` as a PNG ``width`` pixels wide, ``legends`` enlarged to match."""
    exporter = ImageExporter(plot)
    rect = plot.sceneBoundingRect()
    exporter.parameters()["width"] = int(width)
    exporter.parameters()["height"] = round(width * rect.height() / max(rect.width(), 1))
    # legends ignore the view's transform, so the exporter would not enlarge them
    scale = width / max(rect.width(), 1.0)
    for legend in legends:
        scale_about_anchor(legend, scale)
    try:
        exporter.export(str(path))
    finally:
        for legend in legends:
            scale_about_anchor(legend, 1.0)


class ArrowLegend:
    """Which arrow is which: only the enabled kinds are listed (bottom right); and the
    hollow star, when the landscape has minima found numerically."""

    def __init__(self, view_box) -> None:
        self.legend = _legend(view_box, (-10, -10))
        self.numerical = False
        self.set_entries({"gradient": True, "velocity": False, "update": False}, False)

    def set_entries(self, enabled: dict[str, bool], presentation: bool) -> None:
        self._last = (dict(enabled), presentation)
        self.legend.clear()
        size = "13pt" if presentation else "9pt"
        self.legend.setLabelTextSize(size)
        for kind, (text, rgb, style) in ARROW_STYLES.items():
            if enabled.get(kind):
                sample = pg.PlotDataItem(pen=pg.mkPen(rgb, width=3, style=style))
                self.legend.addItem(sample, text)
        if self.numerical:
            star = pg.ScatterPlotItem(
                symbol="star", size=14, pen=pg.mkPen(palette.FOREGROUND, width=1.6), brush=None
            )
            self.legend.addItem(star, "minimum found numerically")
        self.legend.setVisible(any(enabled.values()) or self.numerical)

    def set_numerical(self, on: bool) -> None:
        """List the hollow star (a minimum found numerically) or not."""
        if bool(on) != self.numerical:
            self.numerical = bool(on)
            self.set_entries(*self._last)


# the corners a legend may sit in, as pyqtgraph offsets (px from the view box's edges;
# the signs pick the edges): bottom left, top left, top right, bottom right
CORNERS = ((10, -10), (10, 10), (-10, 10), (-10, -10))


def legend_rect(corner, size, view_px, view) -> tuple[float, float, float, float]:
    """The data rectangle (xmin, xmax, ymin, ymax) a legend of ``size`` (w, h) px covers
    in ``corner`` (a `CORNERS` offset) of a view box ``view_px`` (w, h) px wide and high
    showing ``view`` (xmin, xmax, ymin, ymax); data y grows upward."""
    (dx, dy), (w, h), (width, height) = corner, size, view_px
    left = dx if dx > 0 else width + dx - w
    top = dy if dy > 0 else height + dy - h
    x0, x1, y0, y1 = view
    sx, sy = (x1 - x0) / max(width, 1.0), (y1 - y0) / max(height, 1.0)
    return (x0 + left * sx, x0 + (left + w) * sx, y1 - (top + h) * sy, y1 - top * sy)


def least_covering_corner(points, size, view_px, view, current, taken=()):
    """The corner (of `CORNERS`, but not in ``taken``) where a legend of ``size`` px
    covers the fewest of ``points`` (N, 2); ``current`` unless another covers clearly
    fewer (a legend that jumps about on every frame is worse than one in the way)."""
    points = np.asarray(points, float).reshape(-1, 2)
    counts = {}
    for corner in CORNERS:
        if corner in taken:
            continue
        x0, x1, y0, y1 = legend_rect(corner, size, view_px, view)
        x, y = points[:, 0], points[:, 1]
        counts[corner] = int(np.count_nonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)))
    if not counts:
        return current
    best = min(counts, key=counts.get)
    here = counts.get(current)
    if here is not None and counts[best] >= 0.7 * here - 2:
        return current
    return best


class RunLegend:
    """Run names with their colours, shown when there are few enough to read, in the
    corner of the view where it hides the least of the paths (`place`)."""

    MAX_ENTRIES = 8
    LONG_ENTRY = 26  # characters: longer entries are listed one per row

    def __init__(self, view_box, corner: tuple[float, float] = (10, -10)) -> None:
        self.columns = 1 if view_box is not None else 2
        self.view_box = view_box
        self.corner = corner
        self.legend = _legend(view_box, corner, columns=self.columns)
        self.legend.setVisible(False)
        self._presentation = False
        self._last: tuple | None = None

    def place(self, points: np.ndarray, view, taken=()) -> None:
        """Move to the corner where the legend covers the fewest of ``points`` (the
        drawn paths, (N, 2) data) in ``view`` (xmin, xmax, ymin, ymax), avoiding the
        corners in ``taken`` (another legend's)."""
        if self.view_box is None or not self.legend.isVisible():
            return
        rect = self.legend.boundingRect()
        size = (rect.width() * self.legend.scale(), rect.height() * self.legend.scale())
        view_px = (self.view_box.width(), self.view_box.height())
        corner = least_covering_corner(points, size, view_px, view, self.corner, taken)
        if corner != self.corner:
            self.corner = corner
            self.legend.setOffset(corner)

    def set_presentation(self, on: bool) -> None:
        """Larger labels (entries are rebuilt: a label keeps the size it was made with)."""
        self._presentation = on
        if self._last is not None:
            self.set_runs(*self._last)

    def set_runs(self, colors: np.ndarray, labels: list[str], words=None) -> None:
        """One entry per distinct label, with what became of its runs (``words[k]``: the
        `RunStatus.words` of run ``k``, "" while it runs; None: all running)."""
        words = [""] * len(labels) if words is None else list(words)
        self._last = (colors, list(labels), words)
        self.legend.clear()
        self.legend.setLabelTextSize("13pt" if self._presentation else "9pt")
        names = list(dict.fromkeys(labels))
        if not 1 < len(names) <= self.MAX_ENTRIES or len(labels) != len(colors):
            self.legend.setVisible(False)
            return
        if len(words) != len(labels):
            words = [""] * len(labels)
        labels_arr = np.array(labels, dtype=object)
        entries = []
        for name in names:
            members = np.flatnonzero(labels_arr == name)
            rgba = tuple(int(c) for c in colors[members[0]])
            entries.append((rgba, status_text(name, [words[m] for m in members])))
        # long entries ("... (left the view)") side by side would run out of the column
        long = max(len(text) for _, text in entries) > self.LONG_ENTRY
        self.legend.setColumnCount(1 if long else self.columns)
        for rgba, text in entries:
            self.legend.addItem(pg.PlotDataItem(pen=pg.mkPen(rgba[:3], width=4)), text)
        self.legend.setVisible(True)


def outcome_colors(outcomes) -> np.ndarray:
    """RGBA per start: the minimum's categorical colour, grey for none, red for diverged.

    Opacity tells speed: a start that settled quickly is shaded strongly, a slow one faintly.
    """
    index = np.asarray(outcomes.minimum_index)
    table = palette.categorical(max(len(outcomes.minima), 1))
    rgba = np.empty((len(index), 4), np.uint8)
    rgba[:] = palette.NO_MINIMUM_COLOR + (110,)
    reached = index >= 0
    rgba[reached] = table[index[reached]]
    steps = np.asarray(outcomes.steps, float)
    slowest = max(float(steps[reached].max()) if reached.any() else 1.0, 1.0)
    rgba[reached, 3] = (170 - 90 * np.clip(steps[reached] / slowest, 0, 1)).astype(np.uint8)
    rgba[index == -2] = palette.DIVERGED_COLOR + (130,)
    return rgba


class OutcomeOverlay:
    """Start points shaded by outcome: an image for a grid of starts, squares otherwise."""

    def __init__(self, plot) -> None:
        self.image = pg.ImageItem(axisOrder="row-major")
        self.squares = pg.ScatterPlotItem(symbol="s", size=14, pen=None)
        self.crosses = MarkersItem("x", 9.0)
        for z, item in enumerate((self.image, self.squares, self.crosses)):
            item.setZValue(-50 + z)
            item.setVisible(False)
            plot.addItem(item)
        self.legend = _legend(plot.getViewBox(), (10, -10))
        self.legend.setVisible(False)
        self.rgba = np.zeros((0, 4), np.uint8)

    def set_outcomes(self, outcomes, grid) -> None:
        for item in (self.image, self.squares, self.crosses, self.legend):
            item.setVisible(False)
        if outcomes is None or len(outcomes.starts) == 0:
            return
        self.rgba = outcome_colors(outcomes)
        starts = np.asarray(outcomes.starts, float)
        if outcomes.grid_index is not None:
            self._show_image(starts, outcomes.grid_index)
        else:
            self.squares.setData(pos=starts, brush=[pg.mkBrush(*c) for c in self.rgba])
            self.squares.setVisible(True)
        gone = np.asarray(outcomes.minimum_index) == -2
        self.crosses.set_points(
            starts[gone], np.tile(palette.DIVERGED_COLOR + (255,), (int(gone.sum()), 1))
        )
        self.crosses.setVisible(bool(gone.any()))
        self._fill_legend(outcomes)

    def _show_image(self, starts: np.ndarray, grid_index: np.ndarray) -> None:
        ny, nx = grid_index.shape
        xs = np.unique(starts[grid_index[0], 0])
        ys = np.unique(starts[grid_index[:, 0], 1])
        dx = (xs[-1] - xs[0]) / max(nx - 1, 1)
        dy = (ys[-1] - ys[0]) / max(ny - 1, 1)
        self.image.setImage(self.rgba[grid_index], autoLevels=False, levels=(0, 255))
        self.image.setRect(QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, nx * dx, ny * dy))
        self.image.setVisible(True)

    def _fill_legend(self, outcomes) -> None:
        self.legend.clear()
        table = palette.categorical(max(len(outcomes.minima), 1))
        counts = outcomes.counts()
        for m, (x, y) in enumerate(np.asarray(outcomes.minima)):
            if counts.get(m):
                sample = pg.ScatterPlotItem(
                    symbol="s", size=12, brush=pg.mkBrush(*table[m]), pen=None
                )
                self.legend.addItem(sample, f"→ ({x:.2f}, {y:.2f}): {counts[m]}")
        for code, text, rgb in (
            (-1, "no known minimum", palette.NO_MINIMUM_COLOR),
            (-2, "diverged", palette.DIVERGED_COLOR),
        ):
            if counts.get(code):
                sample = pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(*rgb), pen=None)
                self.legend.addItem(sample, f"{text}: {counts[code]}")
        self.legend.setVisible(True)
