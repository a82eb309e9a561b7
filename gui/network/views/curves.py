"""Loss and accuracy of every run against the epoch, and the gradient-norm strip.

Train lines are solid, test lines dashed, one colour per run. The strip draws ||dW_l||
(`TrainFrame.grad_norms`, recorded per step) of the shown run, one line per layer from
dark (first layer) to light (last), on a log scale: vanishing gradients fan out downwards
towards the first layer, exploding ones upwards. Values that a log axis cannot show (a
zero norm) are clamped to ``FLOOR``; no NaN or inf ever reaches a plot.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.network.views.curve_line import CurveLine
from gui.network.views.loss_cap import exit_point, loss_cap
from gui.shell import colors as palette
from gui.shell.theme import plot_colors
from gui.widgets.plot_style import set_plot_presentation, set_view_range, style_static_plot

FLOOR = 1e-12
PRESENTATION_LINES = 1.6  # lines this much thicker on a projector
# a growing curve's x range is extended this much past its end at once: each extension
# restrokes every curve and relabels the axis (a frame's worth of work), so 1.6, not less
X_HEADROOM = 1.6
Y_MARGIN = 0.3  # a y range reaches this share of the values' span above and below (noise)
HOLD_SHARE = 0.5  # a range is kept while the data span at least this share of it
LEAST_X = 1.0  # an x axis spans at least epoch (step) 0..1: a lone point at 0 has room
X_LEAD = 0.02  # and starts this share of its span early


class DecadeAxis(pg.AxisItem):
    """A log axis labelled at 1, 2 and 5 times the decades only (all nine labels of a
    decade crowd together at its top)."""

    def logTickStrings(self, values, scale, spacing):
        labels = []
        for v in values:
            mantissa = round(10.0 ** (v - np.floor(v + 1e-9)), 6)
            if mantissa not in (1.0, 2.0, 5.0) or (mantissa != 1.0 and len(values) > 12):
                labels.append("")
            elif -3 <= v <= 3:
                labels.append(f"{10.0**v:.3g}")
            else:
                labels.append(f"{10.0**v:.0e}")
        return labels


def _log_plot() -> pg.PlotWidget:
    ground = plot_colors().background
    return pg.PlotWidget(background=ground, axisItems={"left": DecadeAxis("left")})


def finite_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points of (x, y) whose y is finite (a missing test accuracy is NaN in history)."""
    keep = np.isfinite(y) & np.isfinite(x)
    return x[keep], y[keep]


def _line(widget: pg.PlotWidget, pen) -> CurveLine:
    """A new training curve drawn with ``pen`` in ``widget``'s plot."""
    line = CurveLine(pen)
    widget.getPlotItem().addItem(line)
    return line


def _same(shown: np.ndarray | None, new: np.ndarray) -> bool:
    """Whether an item showing ``shown`` (None: nothing, as pyqtgraph keeps no points)
    already shows ``new``."""
    if shown is None:
        return len(new) == 0
    return len(shown) == len(new) and np.array_equal(shown, new)


def _fit(plot: pg.PlotItem, xs: list, ys: list, log_y: bool, cap: float = np.inf) -> None:
    """Show every curve from x = 0 (at least to ``LEAST_X``), y up to ``cap`` at most."""
    xs = [x for x in xs if len(x)]
    ys = [y for y in ys if len(y)]
    if not xs:
        return
    x_hi = max(float(x.max()) for x in xs)
    lo = min(float(y.min()) for y in ys)
    hi = min(max(float(y.max()) for y in ys), cap)
    if log_y:
        lo, hi = np.log10(max(lo, FLOOR)), np.log10(max(hi, FLOOR))
    span = hi - lo if hi > lo else 1.0
    x_hi = max(x_hi, LEAST_X)
    settle_range(plot, (0.0, x_hi), (lo - 0.05 * span, hi + 0.05 * span))


def _holds(shown: tuple[float, float], wanted: tuple[float, float]) -> bool:
    """Whether the range on screen still fits ``wanted``: it contains it, with the data
    filling at least half of it (else a finished curve would sit squeezed in a corner)."""
    inside = shown[0] <= wanted[0] and wanted[1] <= shown[1]
    return inside and (wanted[1] - wanted[0]) >= HOLD_SHARE * (shown[1] - shown[0])


def start_range(plot: pg.PlotItem) -> None:
    """A new run's x range: epoch (step) 0 to ``LEAST_X``, from a little left of 0 (the
    range ``settle_range`` gives a curve of one point at 0)."""
    span = LEAST_X * X_HEADROOM
    plot.setXRange(-X_LEAD * span, span, padding=0)


def settle_range(plot: pg.PlotItem, x_range: tuple, y_range: tuple) -> None:
    """Show at least ``x_range`` and ``y_range``, changing the view as rarely as
    possible: a new range redraws the axes' ticks and labels, the costliest part of a
    frame. The x range grows by ``X_HEADROOM`` at a time (starting ``X_LEAD`` of it early,
    so a dot at its start is not cut in half), the y range by a margin."""
    shown = plot.getViewBox().viewRange()
    x_range, y_range = tuple(map(float, x_range)), tuple(map(float, y_range))
    new_x = new_y = None
    if not _holds(tuple(shown[0]), x_range):
        span = (x_range[1] - x_range[0]) * X_HEADROOM
        new_x = (x_range[0] - X_LEAD * span, x_range[0] + span)
    if not _holds(tuple(shown[1]), y_range):
        margin = Y_MARGIN * (y_range[1] - y_range[0])
        new_y = (y_range[0] - margin, y_range[1] + margin)
    if new_x is not None or new_y is not None:
        x, y = new_x or tuple(shown[0]), new_y or tuple(shown[1])
        set_view_range(plot.getViewBox(), x, y, padding=0)  # painted once, not twice


class TrainingCurves(QtWidgets.QWidget):
    """Implements `gui.network.protocols.CurvesDisplay`: a loss plot and an accuracy plot."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss = _log_plot()
        self.accuracy = pg.PlotWidget(background=plot_colors().background)
        style_static_plot(self.loss.getPlotItem(), "Loss (train —, test - -)", False, True)
        style_static_plot(self.accuracy.getPlotItem(), "Accuracy (train —, test - -)", False, False)
        for widget in (self.loss, self.accuracy):
            widget.getPlotItem().setLabel("bottom", "epoch")
        self.legend = QtWidgets.QLabel("")
        self.legend.setWordWrap(True)
        plots = QtWidgets.QHBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        plots.addWidget(self.loss)
        plots.addWidget(self.accuracy)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addLayout(plots, 1)
        self.lines: list[dict[str, CurveLine]] = []
        self.exits: list[pg.PlotDataItem] = []  # ▲ where a blown-up run leaves the plot
        self.labels: list[str] = []
        self.colors = palette.categorical(0)
        self.cap = np.inf  # the loss axis's top (loss_cap)
        self._width = 1.0

    def set_presentation(self, on: bool) -> None:
        """Thicker curves and larger axis fonts for a projector."""
        self._width = PRESENTATION_LINES if on else 1.0
        for plot in (self.loss, self.accuracy):
            set_plot_presentation(plot.getPlotItem(), on)
        for lines, color in zip(self.lines, self.colors):
            for name, item in lines.items():
                item.setPen(self._pen(color, name.startswith("test")))

    def _pen(self, color, dashed: bool):
        if dashed:
            return pg.mkPen(color, width=1.6 * self._width, style=QtCore.Qt.PenStyle.DashLine)
        return pg.mkPen(color, width=2 * self._width)

    def set_runs(self, labels: list[str], has_accuracy: bool, has_test: bool) -> None:
        for plot in (self.loss, self.accuracy):
            plot.getPlotItem().clear()
            start_range(plot.getPlotItem())
        colors = self.colors = palette.categorical(len(labels))
        self.lines, self.exits, self.labels = [], [], list(labels)
        self._set_legend([None] * len(labels))
        for color in colors:
            solid, dashed = self._pen(color, False), self._pen(color, True)
            lines = {
                "train_loss": _line(self.loss, solid),
                "test_loss": _line(self.loss, dashed),
                "train_accuracy": _line(self.accuracy, solid),
                "test_accuracy": _line(self.accuracy, dashed),
            }
            self.lines.append(lines)
            exit_mark = self.loss.plot(pen=None, symbol="t1", symbolSize=13, symbolPen=None)
            exit_mark.setSymbolBrush(color)
            self.exits.append(exit_mark)
        self.accuracy.setVisible(has_accuracy)
        self.has_test = has_test

    def show_histories(
        self, histories: tuple, steps_per_epoch: list[int], plots: tuple = ("loss", "accuracy")
    ) -> None:
        """Every run's recorded curves, against the epoch (step / steps per epoch), in the
        ``plots`` named ("loss", "accuracy"; a run playing flat out redraws one at a time)."""
        drawn: dict[str, tuple[list, list]] = {"loss": ([], []), "accuracy": ([], [])}
        for lines, history, per_epoch in zip(self.lines, histories, steps_per_epoch):
            epochs = np.asarray(history.steps, dtype=float) / max(per_epoch, 1)
            for name, item in lines.items():
                kind = "loss" if name.endswith("loss") else "accuracy"
                if kind not in plots:
                    continue
                x, y = finite_xy(epochs, np.asarray(getattr(history, name), dtype=float))
                if kind == "loss":
                    y = np.maximum(y, FLOOR)
                item.show_points(x, y)
                drawn[kind][0].append(x)
                drawn[kind][1].append(y)
        if "loss" in plots:
            xs, ys = drawn["loss"]
            self.cap = loss_cap(ys[0::2], ys[1::2])  # (train, test of each run in turn)
            self._mark_exits(xs[0::2], ys[0::2])
            self._fit_loss(xs, ys)
        if "accuracy" in plots and self.accuracy.isVisible():
            x_range = drawn["accuracy"][0]
            if any(len(x) for x in x_range):
                x_hi = max(float(x.max()) for x in x_range if len(x))
                x_hi = max(x_hi, LEAST_X)
                settle_range(self.accuracy.getPlotItem(), (0.0, x_hi), (0.0, 1.0))

    def _mark_exits(self, xs: list, ys: list) -> None:
        """A ▲ where each run's train loss leaves the capped plot, its largest loss in the
        legend."""
        largest: list[float | None] = []
        for mark, x, y in zip(self.exits, xs, ys):
            point = exit_point(x, y, self.cap)
            at = np.array([], float).reshape(2, 0) if point is None else np.array([point]).T
            if not (_same(mark.xData, at[0]) and _same(mark.yData, at[1])):
                mark.setData(at[0], at[1])  # (an empty mark emptied again repaints the plot)
            largest.append(None if point is None else float(y.max()))
        self._set_legend(largest)

    def _set_legend(self, off_plot: list) -> None:
        """One key per run; a run that left the plot says how far up it went."""
        keys = []
        for label, color, top in zip(self.labels, self.colors, off_plot):
            rgb = f"#{color[0]:02x}{color[1]:02x}{color[2]:02x}"
            key = f'<span style="color:{rgb}">━━</span>&nbsp;{html.escape(label)}'
            if top is not None:
                mark = f'<span style="color:{rgb}">▲</span>'
                key += f"&nbsp;{mark}&nbsp;off the plot, up to {top:.3g}"
            keys.append(key)
        text = "&nbsp;&nbsp;&nbsp;".join(keys) if len(self.labels) > 1 else ""
        if text != self.legend.text():  # a new text lays the window out again
            self.legend.setText(text)
        self.legend.setVisible(len(self.labels) > 1)

    def _fit_loss(self, xs: list, ys: list) -> None:
        """Log scale when the losses span more than a decade (else its labels vanish); the
        top at ``self.cap`` when a run has blown up."""
        values = [y for y in ys if len(y)]
        if not values:
            return
        lo = min(float(y.min()) for y in values)
        hi = min(max(float(y.max()) for y in values), self.cap)
        log_y = hi > 10 * max(lo, FLOOR)
        plot = self.loss.getPlotItem()
        if plot.getAxis("left").logMode != log_y:
            plot.setLogMode(x=False, y=log_y)
        _fit(plot, xs, ys, log_y=log_y, cap=self.cap)


class GradientStrip(pg.PlotWidget):
    """Implements `gui.network.protocols.GradientStripDisplay`."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            parent, background=plot_colors().background, axisItems={"left": DecadeAxis("left")}
        )
        self.plot = self.getPlotItem()
        style_static_plot(self.plot, "‖dW‖ per layer", False, True)
        self.plot.setLabel("bottom", "step")
        self.lines: list[CurveLine] = []
        self.data: list[tuple[np.ndarray, np.ndarray]] = []
        self._title = ""
        self._presentation = False

    def set_presentation(self, on: bool) -> None:
        """Thicker lines and larger axis fonts and title for a projector."""
        self._presentation = bool(on)
        set_plot_presentation(self.plot, on)
        width = 2 * (PRESENTATION_LINES if on else 1.0)
        for line in self.lines:
            line.setPen(pg.mkPen(line.opts["pen"].color(), width=width))

    def set_layers(self, n_layers: int) -> None:
        self.plot.clear()
        start_range(self.plot)
        cmap = pg.colormap.get("viridis")
        # viridis's darkest end vanishes into a dark theme's ground: start higher there
        first = 0.25 if sum(plot_colors().background) < 3 * 128 else 0.0
        colors = cmap.map(
            np.linspace(first, 0.85 + first / 2, max(n_layers, 1)), mode=pg.ColorMap.BYTE
        )
        self.lines = []
        for layer in range(n_layers):
            width = 2 * (PRESENTATION_LINES if self._presentation else 1.0)
            line = _line(self, pg.mkPen(colors[layer], width=width))
            self.lines.append(line)
        self.data = []

    def show_history(self, history, label: str) -> None:
        """||dW_l|| of every recorded step of the run ``label``."""
        steps = np.asarray(history.steps, dtype=float)
        norms = np.asarray(history.grad_norms, dtype=float)
        last = len(self.lines)
        title = f"‖dW‖ of {label}: dark W1 … light W{last}" if last > 1 else f"‖dW‖ of {label}"
        if title != self._title:  # a new title lays the window out again: only on change
            self._title = title
            size = "14pt" if self._presentation else "10pt"  # as set_plot_presentation
            self.plot.setTitle(title, color=plot_colors().foreground, size=size)
        self.data = []
        for layer, line in enumerate(self.lines[: norms.shape[1] if norms.ndim == 2 else 0]):
            x, y = finite_xy(steps, norms[:, layer])
            y = np.maximum(y, FLOOR)
            line.show_points(x, y)
            self.data.append((x, y))
        _fit(self.plot, [d[0] for d in self.data], [d[1] for d in self.data], log_y=True)
