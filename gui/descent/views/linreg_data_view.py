"""The line behind linear regression: the data, each run's current line, its mini-batch.

On the `linreg` surface a descent point (w, b) *is* a line y = w x + b. This view draws the
data set once, then at every frame each run's line in its colour (clipped to the data's
box, so a wild run cannot zoom the plot away) and circles the samples of one run's last
mini-batch (`DescentFrame.batch_indices`): the followed run's when it samples, else the
first run that does. Without data (any other surface) the view hides itself.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.shell.theme import plot_colors
from gui.widgets.plot_style import ink_hex, style_static_plot
from gui.widgets.text_strip import TextStrip

_MARGIN = 0.08  # of the data's span, around the points
_POINT_COLOR = (120, 126, 140, 210)  # mid grey: reads on a light and a dark ground
_FIT_ALPHA = 150  # the best fit: the theme's ink, a little faded
_DASH = QtCore.Qt.PenStyle.DashLine


def data_box(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)``: the data's extent widened by ``_MARGIN`` of its span per side
    (a span of 0 counts as 1, so a single point still gets a box)."""
    box = []
    for values in (x, y):
        lo, hi = float(np.min(values)), float(np.max(values))
        pad = _MARGIN * ((hi - lo) or 1.0)
        box += [lo - pad, hi + pad]
    return tuple(box)


def fit_segments(w: np.ndarray, b: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    """The part of each line ``y = w x + b`` inside ``box = (x0, x1, y0, y1)``.

    The line is inside for ``x`` in ``[x0, x1]`` where also ``y0 <= w x + b <= y1``,
    i.e. between ``(y0 - b) / w`` and ``(y1 - b) / w`` (all ``x`` when ``w = 0`` and
    ``y0 <= b <= y1``).

    Returns
    -------
    segments : (M, 2, 2) float
        End points ``[[x_a, y_a], [x_b, y_b]]`` of the M lines that cross the box (finite).
    runs : (M,) int
        The run each segment belongs to.
    """
    x0, x1, y0, y1 = box
    w, b = np.asarray(w, float), np.asarray(b, float)
    with np.errstate(all="ignore"):
        flat = w == 0
        safe = np.where(flat, 1.0, w)
        xa, xb = (y0 - b) / safe, (y1 - b) / safe
        lo = np.where(flat, x0, np.maximum(x0, np.minimum(xa, xb)))
        hi = np.where(flat, x1, np.minimum(x1, np.maximum(xa, xb)))
        inside = np.where(flat, (b >= y0) & (b <= y1), lo < hi)
        ya, yb = w * lo + b, w * hi + b
    ends = np.stack([np.column_stack([lo, ya]), np.column_stack([hi, yb])], axis=1)
    keep = inside & np.isfinite(ends).all(axis=(1, 2))
    ends = ends[keep]
    ends[..., 1] = np.clip(ends[..., 1], y0, y1)  # rounding at the box's edge
    return ends, np.flatnonzero(keep)


def shown_batch(batch_indices: np.ndarray, followed: int | None) -> tuple[int, np.ndarray]:
    """Whose mini-batch to circle: ``(run, sample indices)``, or ``(-1, empty)``.

    The followed run's when its last step sampled one; else the first run's that did.
    """
    rows = np.asarray(batch_indices).reshape(len(batch_indices), -1)
    sampled = np.flatnonzero((rows >= 0).any(axis=1))
    if sampled.size == 0:
        return -1, np.zeros(0, dtype=int)
    run = followed if followed is not None and followed in sampled else int(sampled[0])
    return run, rows[run][rows[run] >= 0]


class LinregDataView(QtWidgets.QWidget):
    """The data points, every run's current line and one run's mini-batch circled."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background=plot_colors().background)
        self.plot_widget.setMinimumHeight(150)  # the splitter must not squeeze the fit away
        self.plot = self.plot_widget.getPlotItem()
        style_static_plot(self.plot, "Data and fit: y = w·x + b", False, False)
        self.plot.setLabel("bottom", "x", color=ink_hex())  # a theme switch restyles them
        self.plot.setLabel("left", "y", color=ink_hex())
        self.points = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(_POINT_COLOR))
        self.fit = pg.PlotCurveItem(pen=_fit_pen())
        self.batch = pg.ScatterPlotItem(size=13, brush=None)
        self.plot.addItem(self.fit)
        self.plot.addItem(self.points)
        self._line_items: list[tuple[np.ndarray, pg.PlotCurveItem]] = []
        self.plot.addItem(self.batch)
        # the step in it changes every frame: a strip of steady height, repainted alone
        # (a word-wrapped QLabel asks the whole window for a new layout at each text)
        self.caption = TextStrip(samples=(_WIDEST_CAPTION,))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.caption, 0)
        self._x = self._y = np.zeros(0)
        self._box = (0.0, 1.0, 0.0, 1.0)
        self._colors = np.zeros((0, 4), np.uint8)
        self._labels: list[str] = []
        self.setVisible(False)

    def follow_theme(self) -> None:
        """The theme changed: the best-fit line in its ink (the axes follow by themselves)."""
        self.fit.setPen(_fit_pen())

    def sizeHint(self) -> QtCore.QSize:
        # a splitter shares out space by size hints: the fit takes a modest share, the
        # landscape or the side plots beside it the rest
        return QtCore.QSize(360, 300)

    @property
    def has_data(self) -> bool:
        return self._x.size > 0

    def set_data(self, x, y, fit: tuple[float, float] | None = None) -> None:
        """The data set (empty: no data, the view hides) and the least-squares ``fit`` (w, b)."""
        self._x, self._y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
        self.setVisible(self.has_data)
        self.batch.setData([], [])
        if not self.has_data:
            return
        self._box = x0, x1, y0, y1 = data_box(self._x, self._y)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.points.setData(self._x, self._y)
        ends, _ = fit_segments(*np.reshape(fit or (np.nan, np.nan), (2, 1)), self._box)
        self.fit.setData(ends[:, :, 0].ravel(), ends[:, :, 1].ravel(), connect="pairs")

    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None:
        """One line item per distinct run colour (runs of one colour share it)."""
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self._labels = list(labels)
        for _, item in self._line_items:
            self.plot.removeItem(item)
        self._line_items = []
        unique, group = np.unique(self._colors, axis=0, return_inverse=True)
        width = 2.0 if len(self._colors) <= 12 else 1.2
        for i, rgba in enumerate(unique):
            item = pg.PlotCurveItem(pen=pg.mkPen(tuple(int(c) for c in rgba), width=width))
            item.setZValue(1)
            self.plot.addItem(item)
            self._line_items.append((np.flatnonzero(group.ravel() == i), item))
        self.batch.setZValue(2)

    def show_state(self, frame, followed: int | None = None) -> None:
        """Each run's line from ``frame.points`` (w, b), and one run's batch circled."""
        if not self.has_data:
            return
        ends, runs = fit_segments(frame.points[:, 0], frame.points[:, 1], self._box)
        for members, item in self._line_items:
            mine = ends[np.isin(runs, members)]
            item.setData(mine[:, :, 0].ravel(), mine[:, :, 1].ravel(), connect="pairs")
        run, indices = shown_batch(frame.batch_indices, followed)
        indices = indices[indices < self._x.size]
        if run < 0:
            self.batch.setData([], [])
            self._set_caption("Each step uses every point (full batch).")
            return
        rgba = tuple(int(c) for c in self._colors[run]) if run < len(self._colors) else None
        self.batch.setData(
            self._x[indices],
            self._y[indices],
            pen=pg.mkPen(rgba or plot_colors().foreground, width=2.5),
        )
        label = self._labels[run] if run < len(self._labels) else f"run {run}"
        self._set_caption(batch_caption(indices.size, label, frame.step))

    def _set_caption(self, text: str) -> None:
        if self.caption.text() != text:
            self.caption.setText(text)


def batch_caption(count: int, label: str, step: int) -> str:
    """What the circles show: ``count`` points of run ``label``'s batch at ``step``."""
    points = "point" if count == 1 else "points"
    return f"Circled: the {count:,} {points} that {label} used at step {step:,}."


# room for two lines at the view's usual width: a long run label and a large step
_WIDEST_CAPTION = batch_caption(
    1000, "momentum (nesterov), mini-batch of 1000, lr=1.23e-100", 1_000_000_000
)


def _fit_pen():
    return pg.mkPen((*plot_colors().foreground, _FIT_ALPHA), width=1.5, style=_DASH)
