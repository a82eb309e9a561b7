"""Descent figures drawn off screen, from arrays, at an exact pixel size.

A :class:`DescentFigure` builds a fresh pyqtgraph scene of one view (the landscape with
its paths, the loss curves, the gradient-norm curves or the final loss against the
learning rate) from a `DescentFigureData`, never from the live widget: its size and its
style are exactly the ones asked, and the screen is not touched. ``show_row(i)`` shows
the run up to recorded row ``i`` (the items are updated, not rebuilt), which is how the
animation replays a run; ``paint(painter)`` draws it on any device (an image, an SVG
generator, a PDF writer), so every format shows the same figure with the same labels.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.export.figure_data import DescentFigureData
from gui.export.figure_paint import PaintedFigure, begin_paint
from gui.export.figure_style import FigureStyle, figure_style, font, log_axis, pen, style_axes
from gui.shell import colors as palette

# view name -> what the export dialog calls it
VIEWS = {
    "landscape": "Descent landscape",
    "loss": "Loss curves",
    "gradient": "Gradient-norm curves",
    "final-loss": "Final loss vs learning rate",
}
MAX_LEGEND_ROWS = 8  # more rows than this would not read on a slide
TINY = 1e-300  # the floor of a value drawn on a log axis


class DescentFigure(PaintedFigure):
    """One descent view as a standalone scene of ``width`` x ``height`` pixels."""

    def __init__(
        self, data: DescentFigureData, view: str, width: int, height: int, style: str = "slide"
    ) -> None:
        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        if not (16 <= width <= 8192 and 16 <= height <= 8192):
            raise ValueError(f"size must be 16..8192 pixels a side, got {width}x{height}")
        self.data, self.view = data, view
        self.width, self.height = int(width), int(height)
        self.style: FigureStyle = figure_style(style, self.height)
        # a view that is never on screen: pyqtgraph's axes and pens need one to map to
        # pixels; it is the figure's size, so scene units are the figure's pixels
        self.canvas = pg.GraphicsView(background=palette.BACKGROUND)
        self.canvas.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.layout = pg.GraphicsLayout()
        self.layout.setContentsMargins(*(round(self.style.tick_px),) * 4)
        self.canvas.setCentralItem(self.layout)
        self.scene = self.canvas.scene()
        self.title = pg.LabelItem(justify="center")
        self.title.setFixedHeight(round(self.style.title_px * 2.1))
        self.layout.addItem(self.title, row=0, col=0, colspan=2)
        self.plot = pg.PlotItem()
        self.layout.addItem(self.plot, row=1, col=0)
        self.curves: list[pg.PlotCurveItem] = []
        self.heads = pg.ScatterPlotItem(pxMode=True, useCache=False)  # vector symbols in SVG, PDF
        {
            "landscape": self._build_landscape,
            "loss": lambda: self._build_curves("loss", "loss"),
            "gradient": lambda: self._build_curves("grad_norm", "gradient norm |∇L|"),
            "final-loss": self._build_final_loss,
        }[view]()
        self._build_legend()
        self.canvas.resize(self.width, self.height)
        self.canvas.show()  # not on screen (WA_DontShowOnScreen): lays the figure out
        self.canvas.setRange(QtCore.QRectF(0, 0, self.width, self.height), padding=0)
        self.show_row(data.n_rows - 1)

    def close(self) -> None:
        """Free the off-screen view (a figure is used once, then dropped)."""
        self.canvas.close()
        self.canvas.deleteLater()

    def __repr__(self) -> str:
        return f"DescentFigure({self.view!r}, {self.width}x{self.height}, {self.style.name})"

    # -- building -------------------------------------------------------------------
    def _build_landscape(self) -> None:
        grid, style = self.data.grid, self.style
        style_axes(self.plot, style, "x", "y")
        image = pg.ImageItem(axisOrder="row-major")
        image.setLookupTable(palette.landscape_colormap().getLookupTable(nPts=256))
        image.setImage(np.asarray(grid.z), levels=grid.levels, autoLevels=False)
        x, y = grid.x, grid.y
        dx = (x[-1] - x[0]) / max(x.size - 1, 1)
        dy = (y[-1] - y[0]) / max(y.size - 1, 1)
        image.setRect(
            QtCore.QRectF(x[0] - dx / 2, y[0] - dy / 2, x[-1] - x[0] + dx, y[-1] - y[0] + dy)
        )
        self.plot.addItem(image)
        segments = np.asarray(grid.contours, dtype=float).reshape(-1, 2)
        contour_pen = pg.mkPen(palette.CONTOUR_COLOR, width=max(style.line_px / 4, 1.0))
        if len(segments):
            contours = pg.PlotCurveItem(segments[:, 0], segments[:, 1], connect="pairs")
            contours.setPen(contour_pen)
            self.plot.addItem(contours)
        width = 1.0 if len(self.data.colors) <= 8 else 0.5  # a crowd of paths: thinner
        for color in self.data.colors:
            # segments cut at the box: vector formats ignore Qt's clipping to the plot
            halo = pg.PlotCurveItem(
                pen=pen(palette.HALO_COLOR, style, 1.8 * width), connect="pairs"
            )
            curve = pg.PlotCurveItem(pen=pen(color, style, width), connect="pairs")
            self.plot.addItem(halo)
            self.plot.addItem(curve)
            self.curves.append(curve)
            curve.halo = halo
        starts = self.data.points[0]
        self.plot.addItem(
            pg.ScatterPlotItem(
                starts[:, 0], starts[:, 1], useCache=False, symbol="o", size=style.marker_px * 0.6,
                pen=pg.mkPen(palette.FOREGROUND, width=style.line_px / 3), brush="w",
            )
        )  # fmt: skip
        self.plot.addItem(self.heads)
        x0, x1, y0, y1 = grid.bounds
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _build_curves(self, field: str, label: str) -> None:
        values = np.log10(np.maximum(getattr(self.data, field), TINY))
        style_axes(self.plot, self.style, "step", f"{label} (log scale)")
        for color in self.data.colors:
            curve = pg.PlotCurveItem(pen=pen(color, self.style, 0.6))
            self.plot.addItem(curve)
            self.curves.append(curve)
        lo, hi = _span(values)
        log_axis(self.plot, "left", lo, hi)
        steps = self.data.steps
        self.plot.setRange(xRange=(steps[0], max(steps[-1], steps[0] + 1)), yRange=(lo, hi))
        self.plot.showGrid(x=True, y=True, alpha=palette.GRID_ALPHA)
        self._values = values

    def _build_final_loss(self) -> None:
        style = self.style
        style_axes(self.plot, style, "learning rate (log scale)", "loss at this step (log scale)")
        self._values = np.log10(np.maximum(self.data.loss, TINY))
        lr = np.log10(np.maximum(self.data.lr, TINY))
        self._log_lr = lr
        lo, hi = _span(self._values)
        x_lo, x_hi = _span(lr)
        log_axis(self.plot, "left", lo, hi)
        log_axis(self.plot, "bottom", x_lo, x_hi)
        self.plot.setRange(xRange=(x_lo, x_hi), yRange=(lo, hi))
        self.plot.showGrid(x=True, y=True, alpha=palette.GRID_ALPHA)
        self.plot.addItem(self.heads)

    def _build_legend(self) -> None:
        style = self.style
        legend = pg.LegendItem(
            labelTextSize=f"{round(style.legend_px)}px",
            labelTextColor=palette.FOREGROUND,
            pen=None if style.legend_outside else pg.mkPen(palette.FOREGROUND),
            brush=pg.mkBrush(255, 255, 255, 255 if style.legend_outside else 220),
            verSpacing=round(style.legend_px * 0.2),
        )
        seen: set[str] = set()
        if len(set(self.data.labels)) < 2:
            seen.update(self.data.labels)  # one label for every run says nothing
        for k, label in enumerate(self.data.labels):
            if label in seen or len(seen) >= MAX_LEGEND_ROWS:
                continue
            seen.add(label)
            sample = pg.PlotDataItem([0, 1], [0, 0], pen=pen(self.data.colors[k], style))
            legend.addItem(sample, label)
        for _sample, text in legend.items:
            text.item.setFont(font(style.legend_px))
        if style.legend_outside:  # its own column, at the top, as tall as its rows
            legend.setSizePolicy(
                QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed
            )
            self.layout.addItem(legend, row=1, col=1)
            self.layout.layout.setAlignment(legend, QtCore.Qt.AlignmentFlag.AlignTop)
        else:
            legend.setParentItem(self.plot.getViewBox())
            legend.anchor((1, 0), (1, 0), offset=(-style.tick_px, style.tick_px))
        self.legend = legend

    # -- showing a step ----------------------------------------------------------------
    def show_row(self, row: int) -> None:
        """Show the runs up to recorded row ``row`` (0 <= row < n_rows)."""
        data = self.data
        if not 0 <= row < data.n_rows:
            raise ValueError(f"row must be in [0, {data.n_rows - 1}], got {row}")
        step = int(data.steps[row])
        text = f"{data.title} · step {step}" if data.title else f"step {step}"
        self.title.setText(text, color=palette.FOREGROUND, size=f"{round(self.style.title_px)}px")
        self.title.item.setFont(font(self.style.title_px, bold=True))
        if self.view == "landscape":
            self._show_paths(row)
        elif self.view == "final-loss":
            self._show_final_loss(row)
        else:
            steps = data.steps[: row + 1].astype(float)
            for k, curve in enumerate(self.curves):
                curve.setData(steps, self._values[: row + 1, k])

    def _show_paths(self, row: int) -> None:
        path, box = self.data.points[: row + 1], self.data.grid.bounds
        for k, curve in enumerate(self.curves):
            pairs = clip_segments(path[:, k], box)
            curve.setData(pairs[:, 0], pairs[:, 1])
            curve.halo.setData(pairs[:, 0], pairs[:, 1])
        heads = path[-1]
        x0, x1, y0, y1 = box
        inside = (
            (heads[:, 0] >= x0) & (heads[:, 0] <= x1) & (heads[:, 1] >= y0) & (heads[:, 1] <= y1)
        )
        self._show_heads(heads, inside)

    def _show_final_loss(self, row: int) -> None:
        self._show_heads(np.column_stack([self._log_lr, self._values[row]]))

    def _show_heads(self, xy: np.ndarray, shown: np.ndarray | None = None) -> None:
        shown = np.ones(len(xy), dtype=bool) if shown is None else shown
        brushes = [pg.mkBrush(*map(int, c)) for c in self.data.colors[shown]]
        self.heads.setData(
            xy[shown, 0], xy[shown, 1], symbol="o", size=self.style.marker_px,
            pen=pg.mkPen(palette.FOREGROUND, width=self.style.line_px / 3), brush=brushes,
        )  # fmt: skip

    # -- painting ----------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter) -> None:
        """Draw the figure on ``painter``'s device, filling ``width`` x ``height``."""
        rect = begin_paint(painter, self.width, self.height)
        self.scene.render(painter, rect, rect)


def clip_segments(path: np.ndarray, box) -> np.ndarray:
    """The parts of ``path``'s segments inside ``box = (x0, x1, y0, y1)``, as point pairs.

    Liang-Barsky: segment ``a + t (b - a)``, ``0 <= t <= 1``, stays in ``lo <= x <= hi``
    for ``t`` in ``[(lo - a) / d, (hi - a) / d]`` (swapped when ``d < 0``); the visible
    part is the intersection over both axes. Returns ``(2 M, 2)``: M visible segments.
    """
    a, b = path[:-1], path[1:]
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    for axis, (lo, hi) in enumerate((box[:2], box[2:])):
        p, q = d[:, axis], a[:, axis]
        flat = p == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_lo, t_hi = (lo - q) / p, (hi - q) / p
        enter = np.where(
            flat, np.where((q >= lo) & (q <= hi), -np.inf, np.inf), np.minimum(t_lo, t_hi)
        )
        leave = np.where(flat, np.inf, np.maximum(t_lo, t_hi))
        t0, t1 = np.maximum(t0, enter), np.minimum(t1, leave)
    keep = t0 <= t1
    a, d, t0, t1 = a[keep], d[keep], t0[keep, None], t1[keep, None]
    return np.stack([a + t0 * d, a + t1 * d], axis=1).reshape(-1, 2)


def _span(values: np.ndarray) -> tuple[float, float]:
    """The finite range of ``values`` with a little room, never empty."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad
