"""The controls dock: every panel in one scrollable column, assembled into a DescentConfig."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from core.descent.engine import DescentConfig, start_grid
from core.descent.preset_view import PresetView
from core.surfaces.surface import expression_surface, get_surface
from gui.descent.panels.learning_rate_panel import LearningRatePanel
from gui.descent.panels.optimizer_editor import OptimizerEditor
from gui.descent.panels.run_panel import RunPanel
from gui.descent.panels.schedule_panel import SchedulePanel
from gui.descent.panels.surface_panel import EXPR, SurfacePanel

DEFAULT_EXPR_BOUNDS = (-3.0, 3.0, -3.0, 3.0)


def _group(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 6)
    layout.addWidget(widget)
    return box


class ControlsPanel(QScrollArea):
    """Edits one `DescentConfig`.

    ``config_changed`` fires (debounced) with the new valid configuration;
    ``speed_changed`` with the pace (steps/s or None), which needs no new run.
    """

    config_changed = Signal(object)
    speed_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.surface = SurfacePanel()
        self.optimizers = OptimizerEditor()
        self.rates = LearningRatePanel()
        self.schedule = SchedulePanel()
        self.run = RunPanel()
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        self._bounds: tuple[float, float, float, float] | None = None
        self._custom_starts: tuple[tuple[float, float], ...] | None = None
        self._start_is_default = True
        self._surface_name = self.surface.surface_name
        self._last_config: DescentConfig | None = None
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._emit_config)
        self._build_layout()
        self.surface.changed.connect(self._on_surface_changed)
        for panel in (self.optimizers, self.rates, self.schedule):
            panel.changed.connect(self._debounce.start)
        self.run.changed.connect(self._debounce.start)
        self.run.start_edited.connect(self._on_start_edited)
        self.run.speed_changed.connect(self.speed_changed)
        self._sync_surface_defaults()
        self._last_config = self._build()

    def _build_layout(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(_group("Landscape", self.surface))
        layout.addWidget(_group("Optimizers", self.optimizers))
        layout.addWidget(_group("Learning rate", self.rates))
        layout.addWidget(_group("Schedule and clipping", self.schedule))
        layout.addWidget(_group("Runs", self.run))
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(body.sizeHint().width() + self.verticalScrollBar().sizeHint().width())

    # -- building the configuration -----------------------------------------------------
    def _surface_bounds(self) -> tuple[float, float, float, float]:
        if self._bounds is not None:
            return self._bounds
        fields = self.surface.fields()
        if fields["surface"] == EXPR:
            return DEFAULT_EXPR_BOUNDS
        return tuple(get_surface(fields["surface"], **dict(fields["surface_params"])).bounds)

    def _starts(self) -> tuple[tuple[float, float], ...]:
        n = self.run.start_grid.value()
        if n > 0:
            return start_grid(self._surface_bounds(), n)
        if self._custom_starts is not None:
            return self._custom_starts
        return () if self._start_is_default else (self.run.start_point(),)

    def _build(self) -> DescentConfig:
        fields = self.surface.fields()
        schedule, clip = self.schedule.specs()
        bounds = self._bounds
        if bounds is None and fields["surface"] == EXPR:
            bounds = DEFAULT_EXPR_BOUNDS
        return DescentConfig(
            **fields,
            bounds=bounds,
            optimizers=self.optimizers.specs(),
            learning_rates=self.rates.learning_rates(),
            starts=self._starts(),
            schedule=schedule,
            clip=clip,
            **self.run.fields(linreg=fields["surface"] == "linreg"),
        )

    def config(self) -> DescentConfig:
        """The current valid configuration (the last one that validated)."""
        return self._last_config

    def view_fields(self) -> dict:
        return {
            **self.rates.view_fields(),
            "start_grid": self.run.start_grid.value(),
            "speed": self.run.speed_value(),
        }

    def _emit_config(self) -> None:
        try:
            config = self._build()
        except ValueError as exc:
            self.error.setText(f"Not applied: {exc}")
            self.error.show()
            return
        self.error.hide()
        if config != self._last_config:
            self._last_config = config
            self.config_changed.emit(config)

    # -- reactions ---------------------------------------------------------------------
    def _default_start(self, surface: str, expr: str, surface_params) -> tuple[float, float]:
        """Where a run starts when no start point is given (the surface's own choice)."""
        if surface == EXPR:
            return tuple(expression_surface(expr, self._bounds or DEFAULT_EXPR_BOUNDS).start)
        return tuple(get_surface(surface, **dict(surface_params)).start)

    def _sync_surface_defaults(self) -> None:
        fields = self.surface.fields()
        self.run.set_linreg(fields["surface"] == "linreg")
        self.optimizers.set_batch_visible(fields["surface"] == "linreg")
        if self._start_is_default:
            start = self._default_start(**fields)
            for box, value in ((self.run.start_x, start[0]), (self.run.start_y, start[1])):
                box.blockSignals(True)
                box.setValue(value)
                box.blockSignals(False)

    def _on_surface_changed(self) -> None:
        name = self.surface.surface_name
        if name != self._surface_name:  # another landscape: its own view box and start
            self._surface_name = name
            self._bounds = None
            self._custom_starts = None
            self._start_is_default = True
        self._sync_surface_defaults()
        self._debounce.start()

    def _on_start_edited(self) -> None:
        self._start_is_default = False
        self._custom_starts = None
        self._debounce.start()

    def set_start(self, x: float, y: float) -> None:
        """A start point picked in the landscape (replaces a grid of starts)."""
        self.run.set_start(x, y)

    def set_config(self, config: DescentConfig, view: PresetView | None = None) -> None:
        """Show ``config`` and ``view``'s settings in every panel; `config()` then returns
        ``config`` unchanged. Without a view, the defaults for ``config``'s rates."""
        if view is None:
            view = PresetView.from_dict({}, config.learning_rates)
        self._debounce.stop()
        self.surface.set_fields(config.surface, config.expr, config.surface_params)
        self._surface_name = config.surface
        self.optimizers.set_specs(config.optimizers)
        self.rates.set_rates(config.learning_rates, view)
        self.schedule.set_specs(config.schedule, config.clip)
        self._bounds = config.bounds
        grid_n = view.start_grid
        if grid_n and config.starts != start_grid(self._surface_bounds(), grid_n):
            grid_n = 0  # the starts are not that grid after all: keep them as they are
        self._custom_starts = config.starts if len(config.starts) > 1 and not grid_n else None
        self._start_is_default = not config.starts
        if len(config.starts) >= 1:
            start = config.starts[0]
        else:
            start = self._default_start(config.surface, config.expr, config.surface_params)
        self.run.set_fields(config, start, grid_n, view.speed)
        self.run.set_linreg(config.surface == "linreg")
        self.optimizers.set_batch_visible(config.surface == "linreg")
        self.error.hide()
        self._last_config = config
