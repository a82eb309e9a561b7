"""Loss, gradient norm and learning rate against the step, and a sweep's final loss vs lr.

Four stacked plots sharing the run colours of the landscape. The learning-rate plot
appears only when a schedule changes the rate during the run; the sweep plot only in
sweep mode. Loss and gradient norm use a log axis (a loss that goes negative, as on
surfaces whose minimum is below zero, switches the loss axis to linear).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from gui.descent.views.curve_plot import CurvePanel
from gui.descent.views.landscape_overlays import RunLegend
from gui.descent.views.run_marks import RunStatus
from gui.descent.views.sweep_plot import SweepPlot
from gui.shell import colors as palette
from gui.widgets.trails import line_style


def split_rows(history, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, newest)`` of ``history``'s field ``name``: `HistorySnapshot.split` (views,
    no copy), or the rows of any history that holds the column as an attribute."""
    split = getattr(history, "split", None)
    if split is not None:
        return split(name)
    column = np.asarray(getattr(history, name))
    return column[:-1], column[-1]


class SidePlots(QtWidgets.QWidget):
    """Per-step curves of every run, plus the final loss against the learning rate."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setBackground(palette.BACKGROUND)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layout_widget)
        lw = self.layout_widget
        # the legend sits in its own row above the plots: it never hides a curve
        self.legend = RunLegend(None)
        lw.addItem(self.legend.legend, row=0, col=0)
        self.loss = CurvePanel(lw.addPlot(row=1, col=0), "loss per step", log_y=True)
        self.grad_norm = CurvePanel(lw.addPlot(row=2, col=0), "gradient norm per step", log_y=True)
        self.lr = CurvePanel(lw.addPlot(row=3, col=0), "learning rate per step", log_y=True)
        self.sweep = SweepPlot(lw.addPlot(row=4, col=0))
        # the step axes are not linked: each plot sets the same end for the same steps,
        # in its own turn (`show_state`), so a move of the step axis redraws one plot's
        # curves a frame, not all of them in the frame the loss plot moves
        self._colors = np.zeros((0, 4), np.uint8)
        self._labels: list[str] = []
        self._run_table = None
        self._words: list[str] = []
        self._sweep_mode = False
        self._presentation = False
        self._turn = -1  # the plot drawn last while busy (see `show_state`)
        self._lr_checked = 0  # stored rows whose learning rates were compared with row 1
        self._set_visible(self.lr.plot, False)
        self._set_visible(self.sweep.plot, False)

    def set_runs(self, colors: np.ndarray, labels: list[str], run_table) -> None:
        """Colours (K, 4), legend labels and the `RunTable` of the runs about to be shown."""
        self._colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self._labels = list(labels)
        self._run_table = run_table
        self._words = [""] * len(self._colors)
        self._lr_checked = 0
        style = self._style()
        for panel in (self.loss, self.grad_norm, self.lr):
            panel.set_style(self._colors, *style)
            panel.clear()
        self.loss.set_log(True)
        self.sweep.set_runs(self._colors, run_table)
        self.legend.set_runs(self._colors, [] if self._sweep_mode else self._labels, self._words)
        self._set_visible(self.lr.plot, False)

    def set_sweep_mode(self, on: bool) -> None:
        """Show the final loss against the learning rate (a learning-rate sweep)."""
        self._sweep_mode = bool(on)
        self._set_visible(self.sweep.plot, self._sweep_mode)
        # a sweep's colours are its learning rates (the sweep plot is their key)
        self.legend.set_runs(self._colors, [] if on else self._labels, self._words)

    def show_state(self, history, frame, busy: bool = False) -> None:
        """Draw all curves from ``history`` (steps, loss, grad_norm, lr) up to ``frame``.

        ``busy`` (a run playing flat out): one plot a frame, in turn. Each frame of a
        100-run sweep then pays for one plot's new segments instead of all three or four;
        the curves summarise thousands of steps and move by a pixel a frame, so drawing
        each at a third of the rate shows the same thing.
        """
        steps = np.asarray(history.steps)
        if len(steps) == 0:
            return
        diverged_at = np.asarray(frame.diverged_at).reshape(-1)
        status = RunStatus.of(frame, diverged_at >= 0)
        if not self.lr.plot.isVisible() and self._rate_changed(history):
            self._set_visible(self.lr.plot, True)  # shown once some run's rate changes
        due = self._due(busy)
        # each curve takes the rows before the newest and the newest apart (no copy of
        # every row joined, each frame): it draws only the rows it has not seen
        if "loss" in due:
            loss, latest = split_rows(history, "loss")
            latest = np.asarray(latest, float)  # checking all rows each frame costs O(N K)
            if self.loss.log_y and np.nanmin(np.where(np.isfinite(latest), latest, np.inf)) < 0:
                self.loss.set_log(False)
            self.loss.show(steps, loss, diverged_at, status.reason, newest=latest)
        if "grad_norm" in due:
            rows, newest = split_rows(history, "grad_norm")
            self.grad_norm.show(steps, rows, diverged_at, status.reason, newest=newest)
        if "lr" in due:
            rows, newest = split_rows(history, "lr")  # row 0: no step yet
            self.lr.show(steps[1:], rows[1:], diverged_at, status.reason, newest=newest)
        if "sweep" in due and self._sweep_mode:
            self.sweep.show(np.asarray(frame.loss, float), diverged_at)
        words = status.words()
        if words != self._words:
            self._words = words
            labels = [] if self._sweep_mode else self._labels
            self.legend.set_runs(self._colors, labels, self._words)

    def _rate_changed(self, history) -> bool:
        """Whether some run's learning rate differs between rows 1 and later ones (row 0
        has no step). Stored rows are compared once (`_lr_checked`), the newest each time."""
        rows, newest = split_rows(history, "lr")
        if len(rows) < 2:
            return False
        first = rows[1]
        checked = self._lr_checked if self._lr_checked <= len(rows) else 1
        self._lr_checked = len(rows)
        return bool(np.any(rows[max(checked, 1) :] != first) or np.any(newest != first))

    def _due(self, busy: bool) -> tuple[str, ...]:
        """The plots this frame draws: all of them, or (``busy``) the next one in turn."""
        plots = ("loss", "grad_norm")
        plots += ("lr",) * self.lr.plot.isVisible() + ("sweep",) * self._sweep_mode
        if not busy:
            return plots
        self._turn = (self._turn + 1) % len(plots)
        return (plots[self._turn],)

    def set_presentation(self, on: bool) -> None:
        """Thicker curves and larger fonts for a projector."""
        self._presentation = bool(on)
        for panel in (self.loss, self.grad_norm, self.lr):
            panel.set_style(self._colors, *self._style())
            panel.set_presentation(on)
        self.sweep.set_presentation(on)
        self.legend.set_presentation(on)

    def _style(self) -> tuple[float, bool]:
        return line_style(len(self._colors), self._presentation, 2.2)

    def _set_visible(self, plot: pg.PlotItem, visible: bool) -> None:
        if plot.isVisible() == visible:
            return
        plot.setVisible(visible)
        # a hidden row should not keep its share of the height
        plot.setMaximumHeight(16777215 if visible else 0)
