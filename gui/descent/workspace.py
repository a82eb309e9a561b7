"""The descent workspace's widgets, laid out: headline, landscape tabs, side column, timeline.

It only builds and arranges; `DescentController` decides what they show. `views` hands
the controller its interfaces (gui/descent/protocols.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from gui.descent.panels.controls import ControlsPanel
from gui.descent.panels.idea_banner import IdeaBanner
from gui.descent.protocols import DescentViews, StatusDisplay
from gui.descent.views.landscape_view import LandscapeView
from gui.descent.views.side_plots import SidePlots
from gui.descent.views.stability_meter import StabilityMeter
from gui.descent.views.surface3d_view import Surface3DView
from gui.shell.timeline import Timeline


class DescentWorkspace(QWidget):
    """Landscape and 3-D tabs, side plots with the stability meter, headline and timeline.

    ``controls`` (the dock's content) is built here too but placed by the main window.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controls = ControlsPanel()
        self.banner = IdeaBanner()
        self.landscape = LandscapeView()
        self.surface3d = Surface3DView()
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
        column.addWidget(self.side_plots, 1)
        column.addWidget(self.stability, 0)
        split = QSplitter()
        split.addWidget(self.tabs)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
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
        )

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
