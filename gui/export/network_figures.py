"""Network figures drawn off screen, at an exact pixel size, from the recorded history.

A :class:`NetworkFigure` builds a fresh copy of one of the network workspace's views (the
diagram, the data view, the loss and accuracy curves or the gradient-norm strip) in a
widget that is never on screen, and feeds it what the window feeds its own view when the
timeline pins a step (`NetworkFigureData.at_step`): the screen is never touched, and a
step looks in the file as it looked in the window. Above the view, a title with the step;
in the slide style, below it, a line that says how to read the view (outside the data).
``paint(painter)`` renders the widget on any device (image, SVG, PDF), so every format
shows the same figure; ``show_row(i)`` moves it to the i-th step with kept weights, which
is how the animation replays the training.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from PySide6 import QtCore, QtGui, QtWidgets

from core.nn.graph import network_layout
from gui.export.figure_paint import PaintedFigure, begin_paint, export_look, set_label_font
from gui.export.figure_style import FigureStyle, figure_style
from gui.export.network_figure_data import NetworkFigureData, NetworkStep
from gui.network.views.curves import GradientStrip, TrainingCurves
from gui.network.views.data_view import DataView
from gui.network.views.diagram import NetworkDiagram
from gui.shell import colors as palette

# view name -> what the export dialog calls it
NETWORK_VIEWS = {
    "diagram": "Network diagram",
    "data": "Data and the network's output",
    "curves": "Loss and accuracy curves",
    "gradients": "Gradient-norm strip (‖dW‖ per layer)",
}
PREFETCH = 3  # steps computed ahead in the background while an animation paints


def _view_widget(view: str) -> QtWidgets.QWidget:
    return {
        "diagram": NetworkDiagram,
        "data": DataView,
        "curves": TrainingCurves,
        "gradients": GradientStrip,
    }[view]()


def reading_guide(view: str, data: NetworkFigureData) -> str:
    """The slide's line under the view: how to read it, in a sentence."""
    run = data.runs[data.selected]
    if view == "diagram":
        return (
            "Edges: orange w > 0, blue w < 0, thicker = larger |w|. "
            f"Neurons: the activation for training sample {data.sample}."
        )
    if view == "data":
        if run.dataset.task == "classification":
            return "● training, □ test points; shading: the predicted class, paler where unsure."
        return "● training points, □ test points; grey ramp or line: the network's output."
    if view == "curves":
        return "Solid: training set, dashed: test set; one colour per run."
    return "Dark: first layer … light: last layer. Fanning down: vanishing gradients."


class NetworkFigure(PaintedFigure):
    """One network view as a standalone widget of ``width`` x ``height`` pixels."""

    def __init__(
        self, data: NetworkFigureData, view: str, width: int, height: int, style: str = "slide"
    ) -> None:
        if view not in NETWORK_VIEWS:
            raise ValueError(f"view must be one of {', '.join(NETWORK_VIEWS)}, got {view!r}")
        if not (16 <= width <= 8192 and 16 <= height <= 8192):
            raise ValueError(f"size must be 16..8192 pixels a side, got {width}x{height}")
        self.data, self.view = data, view
        self.width, self.height = int(width), int(height)
        self.style: FigureStyle = figure_style(style, self.height)
        self.holder = QtWidgets.QWidget()
        self.holder.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.holder.setPalette(_light_palette())
        self.holder.setAutoFillBackground(True)
        self.title = QtWidgets.QLabel()
        self.title.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.title.setFixedHeight(round(self.style.title_px * 1.8))
        self.widget = _view_widget(view)
        layout = QtWidgets.QVBoxLayout(self.holder)
        margin = round(self.style.tick_px)
        layout.setContentsMargins(margin, margin // 2, margin, margin // 2)
        layout.setSpacing(margin // 2)
        layout.addWidget(self.title)
        layout.addWidget(self.widget, 1)
        if self.style.legend_outside:
            guide = QtWidgets.QLabel(reading_guide(view, data))
            guide.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            guide.setWordWrap(True)
            layout.addWidget(guide)
        self._prepare_view()
        export_look(self.holder, self.style)
        set_label_font(self.title, self.style.title_px, bold=True)
        self.holder.resize(self.width, self.height)
        self.holder.show()  # not on screen (WA_DontShowOnScreen): lays the figure out
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="slope-network-frames")
        self._ahead: dict[int, Future] = {}
        if data.n_rows == 0:
            raise ValueError("the shown run has no recorded weights yet")
        self.show_row(data.n_rows - 1)

    def __repr__(self) -> str:
        return f"NetworkFigure({self.view!r}, {self.width}x{self.height}, {self.style.name})"

    def _prepare_view(self) -> None:
        """What the controller does when the runs start (`NetworkController._start`)."""
        data, widget = self.data, self.widget
        run = data.runs[data.selected]
        if self.view == "diagram":
            widget.set_layout(network_layout(run.config.layers))
        elif self.view == "data":
            widget.set_dataset(run.dataset)
            widget.set_selected(run.dataset.X_train[data.sample])
        elif self.view == "curves":
            dataset = run.dataset
            labels = [r.label for r in data.runs]
            widget.set_runs(labels, dataset.task == "classification", len(dataset.X_test) > 0)
        else:
            widget.set_layers(len(run.config.layers) - 1)

    def close(self) -> None:
        """Free the off-screen widget and the background thread (used once, then dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.holder.close()
        self.holder.deleteLater()

    # -- showing a step ----------------------------------------------------------------
    def show_row(self, row: int) -> None:
        """Show the ``row``-th step with kept weights (0 <= row < n_rows)."""
        steps = self.data.steps
        if not 0 <= row < len(steps):
            raise ValueError(f"row must be in [0, {len(steps) - 1}], got {row}")
        for ahead in range(row + 1, min(row + 1 + PREFETCH, len(steps))):
            self._future(ahead)  # the next steps' grids are computed while this one paints
        state: NetworkStep = self._future(row).result()
        self._ahead = {r: f for r, f in self._ahead.items() if r > row}
        self._show(state)

    def _future(self, row: int) -> Future:
        if row not in self._ahead:
            step = int(self.data.steps[row])
            self._ahead[row] = self._pool.submit(self.data.at_step, step)
        return self._ahead[row]

    def _show(self, state: NetworkStep) -> None:
        """What `NetworkController.redraw` hands each view for a pinned step."""
        data, pinned = self.data, state.pinned
        run = data.runs[data.selected]
        title = data.title or "Training"
        if len(data.runs) > 1 and self.view != "curves":
            title += f" · {run.label}"
        self.title.setText(f"{title} · step {pinned.step}")
        if self.view == "diagram":
            self.widget.show_live(pinned.frame.weights, state.trace)
        elif self.view == "data":
            self.widget.show_output(state.grid)
        elif self.view == "curves":
            per_epoch = [r.steps_per_epoch for r in data.runs]
            self.widget.show_histories(pinned.histories, per_epoch)
        else:
            self.widget.show_history(pinned.histories[data.selected], run.label)
            export_look_titles(self.widget, self.style)

    # -- painting ----------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter) -> None:
        """Draw the figure on ``painter``'s device, filling ``width`` x ``height``."""
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
        begin_paint(painter, self.width, self.height)
        self.holder.render(painter, QtCore.QPoint(0, 0))


def export_look_titles(strip: GradientStrip, style: FigureStyle) -> None:
    """The strip sets its title again when the run's label changes: keep the export's."""
    title = strip.plot.titleLabel
    title.setText(title.text, color=palette.FOREGROUND, size=f"{round(style.label_px)}px")


def _light_palette() -> QtGui.QPalette:
    light = QtGui.QPalette()
    role = QtGui.QPalette.ColorRole
    light.setColor(role.Window, QtGui.QColor(*palette.BACKGROUND))
    for text in (role.WindowText, role.Text):
        light.setColor(text, QtGui.QColor(*palette.FOREGROUND))
    return light
