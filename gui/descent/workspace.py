"""The descent workspace: its widgets laid out, and the machinery that drives them.

`DescentWorkspace` only builds and arranges the widgets (headline, landscape tabs, side
column, timeline; the controls go into the window's dock). `DescentSpace` puts a
workspace together with its own worker, background jobs, `DescentController` and draw
loop: the main window hosts spaces without knowing what runs in them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from core.descent.config import DescentConfig
from core.descent.preset_view import PresetView
from core.presets import Preset
from gui.descent.controller import DescentController
from gui.descent.panels.controls import ControlsPanel
from gui.descent.panels.idea_banner import IdeaBanner
from gui.descent.protocols import DescentViews, StatusDisplay
from gui.descent.views.landscape_view import LandscapeView
from gui.descent.views.linreg_data_view import LinregDataView
from gui.descent.views.side_plots import SidePlots
from gui.descent.views.stability_meter import StabilityMeter
from gui.descent.views.surface3d_view import Surface3DView
from gui.shell.colors import run_colors
from gui.shell.draw_loop import DrawLoop
from gui.shell.jobs import BackgroundJobs
from gui.shell.timeline import Timeline
from gui.shell.worker import RunWorker

NARROW_BELOW = 880  # px of workspace width under which the side column becomes a tab
# as a tab, the side plots get at least this much height together (3 plots of ~160 px,
# readable ticks); the tab scrolls when the window is shorter
NARROW_PLOTS_PX = 480


class DescentWorkspace(QWidget):
    """Landscape and 3-D tabs, side plots with the stability meter, headline and timeline;
    on the linreg surface the data and each run's line above the side plots.

    ``controls`` (the dock's content) is built here too but placed by the main window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controls = ControlsPanel()
        self.banner = IdeaBanner()
        self.landscape = LandscapeView()
        self.surface3d = Surface3DView()
        self.data = LinregDataView()  # shown only on the linreg surface
        self.side_plots = SidePlots()
        self.stability = StabilityMeter()
        self.timeline = Timeline()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.landscape, "Landscape")
        self.tabs.addTab(self.surface3d, "3-D surface")
        self._build_layout()

    def _build_layout(self) -> None:
        right = QWidget()  # the meter keeps the height its sentence needs, plots get the rest
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        # the line fit above the side plots: beside the landscape, where the path crawls
        data_split = QSplitter(Qt.Orientation.Vertical)
        data_split.addWidget(self.data)
        data_split.addWidget(self.side_plots)
        data_split.setStretchFactor(0, 1)
        data_split.setStretchFactor(1, 1)
        column.addWidget(data_split, 1)
        self.data_split = data_split
        column.addWidget(self.stability, 0)
        self.side_column = right
        # narrow, the column scrolls rather than squeeze three plots into ~30 px each
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.narrow = False
        self._relayout = QTimer(self, singleShot=True, interval=0)
        self._relayout.timeout.connect(self._apply_width)
        # narrow, the side column is a tab: the line fit then goes under the landscape,
        # so the fit and the path it belongs to stay on screen together
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(self.tabs)
        split = QSplitter()
        split.addWidget(self.left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.split = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.timeline)

    def views(self, status: StatusDisplay) -> DescentViews:
        """The interfaces the controller drives (``status`` is the window's status bar)."""
        return DescentViews(
            landscape=self.landscape,
            surface3d=self.surface3d,
            plots=self.side_plots,
            stability=self.stability,
            rates=self.controls.rates,
            banner=self.banner,
            timeline=self.timeline,
            status=status,
            controls=self.controls,
            data=self.data,
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # moved between parents after the resize is delivered, never while Qt is still
        # sending resize events down through the splitter that holds it
        self._relayout.start()

    def _apply_width(self) -> None:
        width = self.width()
        # hysteresis: no flapping while a user drags the window's edge across the line
        if not self.narrow and width < NARROW_BELOW:
            self._set_narrow(True)
        elif self.narrow and width > NARROW_BELOW + 60:
            self._set_narrow(False)

    def _set_narrow(self, narrow: bool) -> None:
        """Narrow: the curves and the stability meter become a tab beside the landscape,
        which then gets the whole width (a 1024 x 768 screen with the controls docked)."""
        self.narrow = narrow
        if narrow:
            stability = self.stability.minimumSizeHint().height()
            self.side_column.setMinimumHeight(NARROW_PLOTS_PX + stability)
            self.side_scroll.setWidget(self.side_column)
            self.tabs.addTab(self.side_scroll, "Curves and stability")
        else:
            self.tabs.removeTab(self.tabs.indexOf(self.side_scroll))
            self.side_scroll.takeWidget()
            self.side_column.setMinimumHeight(0)
            self.split.addWidget(self.side_column)
            self.split.setStretchFactor(1, 2)
        self.side_column.show()
        self._place_data(narrow)

    def _place_data(self, narrow: bool) -> None:
        """The line fit under the landscape when narrow, above the side plots when wide."""
        if narrow:
            self.left.addWidget(self.data)
            self.left.setStretchFactor(0, 5)  # the landscape keeps the larger share
            self.left.setStretchFactor(1, 2)
        else:
            self.data_split.insertWidget(0, self.data)
        self.data.setVisible(self.data.has_data)  # moving it must not show it

    @property
    def shows_3d(self) -> bool:
        return self.tabs.currentWidget() is self.surface3d

    def show_3d(self, on: bool) -> None:
        self.tabs.setCurrentWidget(self.surface3d if on else self.landscape)

    def set_presentation(self, on: bool) -> None:
        self.landscape.set_presentation(on)
        self.side_plots.set_presentation(on)
        self.stability.set_presentation(on)

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Join the landscape's background resampling (closing)."""
        return self.landscape.shutdown(timeout_ms)


class DescentSpace:
    """The descent workspace with its worker, jobs, controller and draw loop, wired.

    ``status`` is the window's status bar (shared by the workspaces); ``parent`` owns the
    Qt objects made here.
    """

    title = "Gradient descent"
    workspace = "descent"

    def __init__(self, status, parent) -> None:
        self.status = status
        self.worker = RunWorker(parent)
        self.jobs = BackgroundJobs()
        self.widget = DescentWorkspace()
        self.controls = self.widget.controls
        self.controller = DescentController(
            self.widget.views(status), self.worker, self.jobs, run_colors
        )
        self.draw_loop = DrawLoop(self.worker, self.controller.show, parent)
        self._connect()
        self.controller.apply_config(self.controls.config(), playing=False)

    def __repr__(self) -> str:
        return f"DescentSpace({self.controller!r})"

    def _connect(self) -> None:
        worker, controller, widget = self.worker, self.controller, self.widget
        worker.state_ready.connect(self.status.count_state)
        worker.status_changed.connect(controller.on_status)
        worker.errored.connect(controller.on_error)
        self.controls.config_changed.connect(self._on_config_changed)
        self.controls.speed_changed.connect(self.set_speed)
        widget.landscape.start_point_selected.connect(self.controls.set_start)
        widget.timeline.play_clicked.connect(controller.toggle_play)
        widget.timeline.step_clicked.connect(controller.step)
        widget.timeline.reset_clicked.connect(controller.reset)
        widget.timeline.scrubbed.connect(controller.scrub)
        widget.tabs.currentChanged.connect(lambda _i: controller.redraw())
        self.set_speed(self.controls.run.speed_value())

    def _on_config_changed(self, config: DescentConfig) -> None:
        self.controller.apply_config(config)

    def set_speed(self, steps_per_second: float | None) -> None:
        self.controller.set_speed(steps_per_second)
        self.draw_loop.set_flat_out(steps_per_second is None)

    def load_preset(self, preset: Preset) -> None:
        """Show a preset (its controls, headline and view settings), paused at step 0."""
        self.widget.show_3d(preset.view.view3d)
        self.controller.load_preset(preset)
        self.draw_loop.set_flat_out(preset.view.speed is None)

    def current_view(self, arrows: dict[str, bool]) -> PresetView:
        """The view settings on screen (``arrows`` from the window's View menu)."""
        fields = {**self.controls.view_fields(), "arrows": arrows, "view3d": self.widget.shows_3d}
        return PresetView.from_dict(fields)

    @property
    def up_to_date(self) -> bool:
        return self.draw_loop.up_to_date

    def is_settled(self) -> bool:
        """The landscape and its resampling to the visible range are on screen."""
        return self.controller.grid_ready and self.widget.landscape.is_settled

    def set_presentation(self, on: bool) -> None:
        self.widget.set_presentation(on)

    def shutdown(self, timeout_ms: int) -> bool:
        """Stop drawing, join the run, the landscape's resampler and background jobs."""
        self.controller.close()  # a grid finishing after this is not drawn on dead views
        self.draw_loop.stop()
        ok = self.worker.shutdown(timeout_ms)
        ok = self.widget.shutdown(timeout_ms) and ok
        return self.jobs.wait(timeout_ms) and ok
