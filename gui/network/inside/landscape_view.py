"""The landscape tab's widgets: choices, progress, the sentence, the plots, the 3-D view.

`LandscapeTab` only shows and asks: its signals say what the user wants (compute,
cancel, back to the run, a click on the slice, 3-D on or off) and `LandscapePart`
(`gui/network/inside/landscape.py`) decides. The 3-D view is the descent workspace's
`Surface3DView`, made the first time 3-D is switched on; without OpenGL the toggle says
so and stays off.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from PySide6 import QtCore, QtWidgets

from core.nn.landscape_slice import RESOLUTION_RANGE, SPAN_RANGE, SliceSpec
from gui.descent.views.surface3d_view import NO_GL_MESSAGE, Surface3DView, gl_available
from gui.network.inside.landscape_plots import TRUE_COLOR, PathPlots, SlicePlot, path_key
from gui.widgets.spin_boxes import float_spin, int_spin

DIRECTION_CHOICES = (
    ("pca", "path's principal directions"),
    ("random", "random, filter-normalized"),
)
WHAT_IT_IS = (
    "A flat cut through weight space at the weights of step {step}, along two directions "
    "only, not the ground the training walked on: the path is projected onto it and "
    "coloured by the loss at its real weights."
)
DEFAULT = SliceSpec()
IDLE_TEXT = "Choose the directions, the resolution and the range, then Compute."


class LandscapeTab(QtWidgets.QWidget):
    """Controls, the one sentence, the slice (2-D or 3-D) and the path's side plots."""

    compute_clicked = QtCore.Signal()
    cancel_clicked = QtCore.Signal()
    back_clicked = QtCore.Signal()
    point_clicked = QtCore.Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("landscape")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(self._controls())
        layout.addLayout(self._progress_row())
        self.note = QtWidgets.QLabel("")
        self.note.setWordWrap(True)  # a long note must not widen the tab
        layout.addWidget(self.note)
        self.sentence = QtWidgets.QLabel(IDLE_TEXT)
        self.sentence.setWordWrap(True)
        layout.addWidget(self.sentence)
        self.slice_plot = SlicePlot()
        self.slice_plot.clicked.connect(self.point_clicked)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.slice_plot)
        self.surface3d: Surface3DView | None = None
        layout.addWidget(self.stack, 3)
        self.key = QtWidgets.QLabel(path_key())
        self.key.setWordWrap(True)
        layout.addWidget(self.key)
        self.path_plots = PathPlots()
        layout.addWidget(self.path_plots, 2)
        self.shown = None  # the LandscapeSlice on screen

    def _controls(self) -> QtWidgets.QGridLayout:
        grid = QtWidgets.QGridLayout()  # two rows: the tab stays narrow beside the diagram
        grid.setContentsMargins(0, 0, 0, 0)
        self.directions = QtWidgets.QComboBox()
        for key, text in DIRECTION_CHOICES:
            self.directions.addItem(text, key)
        self.directions.setToolTip(
            "Principal directions follow the training path's largest moves, so the path "
            "lies close to the cut; random ones are scaled neuron by neuron to the weights."
        )
        lo, hi = RESOLUTION_RANGE
        self.resolution = int_spin(
            lo, hi, DEFAULT.resolution, "landscape_resolution", step=2,
            tooltip="Samples per side of the slice: each one is a full pass over the data.",
        )  # fmt: skip
        self.span = float_spin(
            SPAN_RANGE[0], SPAN_RANGE[1], DEFAULT.span, "landscape_span", decimals=2,
            tooltip="How far the slice reaches: in units of the weights' own size for "
            "random directions, of the path's farthest point for principal ones.",
        )  # fmt: skip
        self.compute_button = QtWidgets.QPushButton("Compute")
        self.compute_button.setToolTip("Compute the slice around the weights shown now.")
        self.compute_button.clicked.connect(self.compute_clicked)
        self.three_d = QtWidgets.QCheckBox("3-D")
        self.three_d.toggled.connect(self._show_3d)
        if not gl_available():
            self.three_d.setEnabled(False)
            self.three_d.setToolTip(NO_GL_MESSAGE)
        else:
            self.three_d.setToolTip("The slice as a surface, the path at its real loss.")
        self.resolution.setSuffix(" per side")
        self.span.setPrefix("range ± ")
        grid.addWidget(self.directions, 0, 0, 1, 2)
        grid.addWidget(self.compute_button, 0, 2)
        grid.addWidget(self.resolution, 1, 0)
        grid.addWidget(self.span, 1, 1)
        grid.addWidget(self.three_d, 1, 2)
        grid.setColumnStretch(3, 1)
        return grid

    def _progress_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.progress = QtWidgets.QProgressBar()
        self.progress.setFormat("computing the slice: %p %")
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.back_button = QtWidgets.QPushButton("Back to the run")
        self.back_button.setToolTip("Show the run's own weights again in the diagram.")
        self.back_button.clicked.connect(self.back_clicked)
        for widget in (self.progress, self.cancel_button, self.back_button):
            widget.setVisible(False)
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def spec(self) -> SliceSpec:
        """The slice the controls ask for (ValueError names a bad field)."""
        return SliceSpec(
            self.directions.currentData(), int(self.resolution.value()), float(self.span.value())
        )

    def set_directions(self, key: str) -> None:
        self.directions.setCurrentIndex(max(0, self.directions.findData(key)))

    def show_progress(self, done: int, total: int) -> None:
        """The bar (with Cancel) while computing; ``total`` 0 hides both."""
        busy = total > 0
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.compute_button.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def show_note(self, text: str) -> None:
        self.note.setText(text)

    def show_previewing(self, on: bool) -> None:
        self.back_button.setVisible(on)

    def show_slice(self, result) -> None:
        """Draw a computed `LandscapeSlice` in every view of the tab."""
        self.shown = result
        self.sentence.setText(WHAT_IT_IS.format(step=result.step))
        self.slice_plot.show_slice(result)
        self.path_plots.show_path(result.path)
        if self.surface3d is not None:
            self._feed_3d()

    def _show_3d(self, on: bool) -> None:
        if on and self.surface3d is None:
            self.surface3d = Surface3DView()
            self.stack.addWidget(self.surface3d)
            if self.shown is not None:
                self._feed_3d()
        self.stack.setCurrentWidget(self.surface3d if on else self.slice_plot)

    def _feed_3d(self) -> None:
        """The slice as the surface; the path with its real loss as height."""
        view, path = self.surface3d, self.shown.path
        view.set_landscape(self.shown.grid)
        view.set_runs(np.array([[*TRUE_COLOR, 255]]), ["path"])
        points = np.asarray(path.coords, float)[:, None, :]
        loss = np.asarray(path.true_loss, float)[:, None]
        head = SimpleNamespace(  # the newest point, in the frame shape the view reads
            points=points[-1], loss=loss[-1], batch_indices=np.full((1, 1), -1)
        )
        view.show_state(points, head, loss)
