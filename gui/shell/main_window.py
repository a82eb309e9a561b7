"""The descent playground: controls on the left, landscape and plots on the right.

The window only wires things together. A control change becomes a `DescentConfig`; the
config becomes a run in the `RunWorker`'s thread and, when the surface changed, a
landscape grid computed by a superqt thread worker. States from the worker are kept
(newest only) and drawn from a timer: up to 60 times a second, less often when drawing
is expensive, because the run is held while the window draws and paints (see
`gui.shell.frame_pacer.FramePacer`) so the two threads do not fight over the interpreter lock.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np
from PySide6.QtCore import QEvent, Qt, QThreadPool, QTimer, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import create_worker

from core.descent.engine import DescentConfig, DescentRun
from core.descent.outcomes import classify_outcomes
from core.presets import Preset, load_preset, load_preset_file, save_preset
from core.surfaces.surface_grid import landscape_grid
from gui.descent.panels.controls import ControlsPanel
from gui.descent.panels.idea_banner import IdeaBanner, divergence_sentence
from gui.descent.views.landscape_view import LandscapeView
from gui.descent.views.side_plots import SidePlots
from gui.descent.views.stability_meter import StabilityMeter
from gui.descent.views.surface3d_view import Surface3DView
from gui.shell import theme
from gui.shell.colors import run_colors
from gui.shell.frame_pacer import FramePacer
from gui.shell.menus import build_menus
from gui.shell.status_bar import RunStatusBar
from gui.shell.timeline import Timeline
from gui.shell.worker import RunState, RunWorker

GRID_RESOLUTION = 400
DRAW_INTERVAL_MS = 16
# Share of wall time the window may hold the run for drawing (see FramePacer).
FLAT_OUT_DRAW_BUDGET = 0.15
PACED_DRAW_BUDGET = 0.9


def _color_mode(config: DescentConfig) -> str:
    if len(config.optimizers) > 1:
        return "optimizer"
    if len(config.learning_rates) > 1:
        return "lr"
    return "start" if len(config.starts) > 1 else "optimizer"


class MainWindow(QMainWindow):
    """The Slope window (see the module docstring for the data flow)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Slope: gradient descent, live")
        self.worker = RunWorker(self)
        self.controls = ControlsPanel()
        self.banner = IdeaBanner()
        self.landscape = LandscapeView()
        self.surface3d = Surface3DView()
        self.side_plots = SidePlots()
        self.stability = StabilityMeter()
        self.timeline = Timeline()
        self.status = RunStatusBar()
        self.setStatusBar(self.status)
        self._build_layout()
        self.window_actions = build_menus(self)
        self.run_actions = self.window_actions.run
        self.arrow_actions = self.window_actions.arrows
        self._title, self._idea = "", ""
        self._config: DescentConfig | None = None
        self._run: DescentRun | None = None
        self._surface_key: tuple | None = None
        self._grid_generation = 0
        self._grid_ready = False
        self._pending: RunState | None = None
        self._shown: RunState | None = None
        self._scrub_step = -1  # the step pinned by the timeline, -1 = follow the run
        self._announced = np.zeros(0, dtype=bool)
        self._presentation = False
        self._outcomes = None
        self.draw_times: deque[float] = deque(maxlen=1000)  # seconds per drawn state
        self._pacer = FramePacer(PACED_DRAW_BUDGET, min_interval_ms=DRAW_INTERVAL_MS)
        self._draw_timer = QTimer(self, interval=DRAW_INTERVAL_MS)
        self._draw_timer.timeout.connect(self._draw)
        # a safety net: nothing painted (hidden window), the run must not stay held
        self._release_timer = QTimer(self, singleShot=True, interval=100)
        self._release_timer.timeout.connect(self._release_run)
        self._connect()
        self._draw_timer.start()
        self.apply_config(self.controls.config(), playing=False)

    # -- layout --------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self.landscape, "Landscape")
        self.tabs.addTab(self.surface3d, "3-D surface")
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
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.timeline)
        self.setCentralWidget(central)
        self.dock = QDockWidget("Controls")
        self.dock.setObjectName("controlsDock")
        self.dock.setWidget(self.controls)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)

    def _connect(self) -> None:
        self.worker.state_ready.connect(self._on_state)
        self.worker.status_changed.connect(self._on_status)
        self.worker.errored.connect(lambda msg: self.status.show_error(f"The run stopped: {msg}"))
        self.controls.config_changed.connect(self._on_config_changed)
        self.controls.speed_changed.connect(self._set_speed)
        self.landscape.start_point_selected.connect(self.controls.set_start)
        self.timeline.play_clicked.connect(self.worker.toggle)
        self.timeline.step_clicked.connect(self.worker.step)
        self.timeline.reset_clicked.connect(self.worker.reset)
        self.timeline.scrubbed.connect(self._on_scrub)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._set_speed(self.controls.run.speed_value())
        self.apply_arrows()

    # -- configuration -> run ----------------------------------------------------------
    def apply_config(self, config: DescentConfig, playing: bool | None = None) -> bool:
        """Start a run of ``config`` (keeps playing if it was). False if it is invalid."""
        if playing is None:  # a change after a finished run shows the new run playing
            playing = self.worker.status in ("playing", "finished")
        try:
            run = DescentRun(config)
        except ValueError as exc:
            self.status.show_error(f"Cannot run this: {exc}")
            return False
        self._config, self._run = config, run
        self._start_landscape(config, run)
        colors = run_colors(run.runs, _color_mode(config))
        labels = [run.runs.label(k) for k in range(len(run.runs))]
        self.landscape.set_runs(colors, labels)
        self.surface3d.set_runs(colors, labels)
        self.side_plots.set_runs(colors, labels, run.runs)
        self.side_plots.set_sweep_mode(len(config.learning_rates) > 1)
        self.landscape.set_outcome_map(None)
        self._outcomes = None
        self._announced = np.zeros(len(run.runs), dtype=bool)
        self.banner.set_divergence("")
        self._pending = self._shown = None
        self._scrub_step = -1
        self.timeline.follow_live()
        self.worker.start(lambda: DescentRun(config).frames(), playing=playing)
        self.status.show_message(f"{len(run.runs)} run(s) on {run.surface.display_name}")
        return True

    def _start_landscape(self, config: DescentConfig, run: DescentRun) -> None:
        key = (config.surface, config.expr, config.surface_params, config.bounds)
        if key == self._surface_key:
            return
        self._surface_key = key
        self._grid_generation += 1
        self._grid_ready = False
        generation, bounds = self._grid_generation, tuple(run.bounds)
        worker = create_worker(landscape_grid, run.surface, bounds, GRID_RESOLUTION)
        worker.returned.connect(lambda grid, g=generation: self._on_grid(g, grid))
        worker.errored.connect(lambda exc: self.status.show_error(f"Landscape failed: {exc}"))
        worker.start()

    def _on_grid(self, generation: int, grid) -> None:
        if generation != self._grid_generation:
            return  # a newer surface was chosen meanwhile
        self.landscape.set_landscape(grid)
        self.surface3d.set_landscape(grid)
        self._grid_ready = True
        if self._outcomes is not None:
            self.landscape.set_outcome_map(self._outcomes)
        if self._shown is not None:
            self._redraw(self._shown)

    @property
    def up_to_date(self) -> bool:
        """Whether the views show the newest state the worker has sent."""
        return self._pending is None and self._shown is self.worker.latest

    @property
    def grid_ready(self) -> bool:
        """Whether the landscape of the current surface is on screen."""
        return self._grid_ready

    @Slot(object)
    def _on_config_changed(self, config: DescentConfig) -> None:
        self.apply_config(config)

    def load_preset(self, preset: Preset) -> None:
        """Show a preset: its controls, title and idea; paused at step 0."""
        self._title, self._idea = preset.title, preset.idea
        self.banner.set_idea(preset.title, preset.idea)
        self.controls.set_config(preset.config, preset.view)
        self._set_speed(self.controls.run.speed_value())
        arrows = preset.view.get("arrows", {})
        for key, action in self.arrow_actions.items():
            action.setChecked(bool(arrows.get(key, key == "gradient")))
        self.apply_arrows()
        if preset.view.get("view3d"):
            self.tabs.setCurrentWidget(self.surface3d)
        self.apply_config(preset.config, playing=False)

    def load_preset_name(self, name: str) -> None:
        try:
            self.load_preset(load_preset(name))
        except ValueError as exc:
            self.status.show_error(str(exc))

    def current_preset(self) -> Preset:
        """The window's state as a preset (what Save session writes)."""
        view = self.controls.view_fields()
        view["arrows"] = {k: a.isChecked() for k, a in self.arrow_actions.items()}
        view["view3d"] = self.tabs.currentWidget() is self.surface3d
        return Preset(self._title, self._idea, self.controls.config(), view, "session")

    # -- files -----------------------------------------------------------------------
    def save_session(self, path: str) -> None:
        save_preset(self.current_preset(), path)
        self.status.show_message(f"Saved the session to {path}")

    def open_session(self, path: str) -> bool:
        try:
            preset = load_preset_file(path)
        except ValueError as exc:
            self.status.show_error(f"Cannot open the session: {exc}")
            return False
        self.load_preset(preset)
        return True

    def export_landscape(self, path: str) -> None:
        self.landscape.export_png(path)
        self.status.show_message(f"Exported the landscape to {path}")

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", "session.json", "JSON (*.json)")
        if path:
            self.save_session(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", "JSON (*.json)")
        if path:
            self.open_session(path)

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export landscape", "landscape.png", "PNG (*.png)"
        )
        if path:
            self.export_landscape(path)

    # -- states -> views -------------------------------------------------------------
    @Slot(object)
    def _on_state(self, state: RunState) -> None:
        self._pending = state  # newest only: the draw timer takes it
        self.status.count_state(state)

    @Slot(str)
    def _on_status(self, status: str) -> None:
        self.timeline.set_playing(status == "playing")
        self.status.show_status(status)

    @Slot(int)
    def _on_scrub(self, row: int) -> None:
        # pinned by step, not row: thinning the history moves rows, never steps
        if row < 0 or self._shown is None or row >= len(self._shown.history):
            self._scrub_step = -1
        else:
            self._scrub_step = int(self._shown.history.steps[row])
        if self._shown is not None:
            self._redraw(self._shown)

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        if self._shown is not None:  # the 3-D view only draws while it is visible
            self._redraw(self._shown)

    def _draw(self) -> None:
        interval = self._pacer.update()
        if interval != self._draw_timer.interval():
            self._draw_timer.setInterval(interval)
            self.worker.set_max_fps(1000.0 / interval)  # no states the window would skip
        if self._release_timer.isActive():
            return  # the last frame still holds the run: let it go first, draw next tick
        state, self._pending = self._pending, None
        if state is None:
            return
        started = time.perf_counter()
        # Hold the training thread until the views have painted (see `event`): painting
        # makes hundreds of calls that each need the interpreter lock back.
        self.worker.hold(True)
        self._pacer.begin()
        self._release_timer.start(100)
        self._shown = state
        self.timeline.set_rows(len(state.history), state.frame.step)
        self._announce_divergence(state)
        if state.finished:
            self._show_outcomes(state)
        self._redraw(state)
        self.status.count_draw()
        self.draw_times.append(time.perf_counter() - started)

    def _redraw(self, state: RunState) -> None:
        if not self._grid_ready:
            return
        history, frame = state.history, state.frame
        if self._scrub_step >= 0:
            row = history.index_of_step(self._scrub_step)
            history = history.upto(row)
            frame = history.frame_at(-1)
            self.timeline.show_row(row, frame.step)
        diverged = frame.diverged_at >= 0
        alive = np.flatnonzero(~diverged)
        followed = None
        if alive.size:  # the meter follows the live run with the largest learning rate
            followed = int(alive[np.argmax(self._run.runs.lr[alive])])
            self.stability.set_run(followed)
        self.landscape.show_state(history.points, frame, diverged)
        if self.tabs.currentWidget() is self.surface3d:
            self.surface3d.show_state(history.points, frame, history.loss)
        self.side_plots.show_state(history, frame)
        self.stability.show_state(frame, frame.lr if frame.step else self._run.runs.lr)
        lam = None if followed is None else float(frame.lambda_max[followed])
        self.controls.rates.show_critical(lam)

    def _announce_divergence(self, state: RunState) -> None:
        """Say in one sentence why the first newly diverged run blew up."""
        diverged = state.frame.diverged_at >= 0
        new = np.flatnonzero(diverged & ~self._announced)
        if new.size:
            self._announced = diverged.copy()
            sentence = divergence_sentence(state.history, state.frame, self._run.runs, int(new[0]))
            self.banner.set_divergence(sentence)

    def _show_outcomes(self, state: RunState) -> None:
        if self._config is None or len(self._config.starts) < 4:
            return
        history = state.history
        outcomes = classify_outcomes(
            self._run.surface,
            self._run.runs.start,
            state.frame.points,
            state.frame.diverged_at,
            history.loss,
            history_steps=history.steps,
        )
        self._outcomes = outcomes
        if self._grid_ready:  # else `_on_grid` shows it with the landscape it belongs to
            self.landscape.set_outcome_map(outcomes)

    @Slot(object)
    def _set_speed(self, steps_per_second: float | None) -> None:
        self.worker.set_speed(steps_per_second)
        # a paced run is for watching: smooth drawing comes first (the pace may slip on a
        # slow machine); flat out is for speed: drawing gets a small share
        flat_out = steps_per_second is None
        self._pacer.budget = FLAT_OUT_DRAW_BUDGET if flat_out else PACED_DRAW_BUDGET

    # -- view options ------------------------------------------------------------------
    def apply_arrows(self) -> None:
        on = {k: a.isChecked() for k, a in self.arrow_actions.items()}
        self.landscape.set_arrow_options(on["gradient"], on["velocity"], on["update"])

    def toggle_presentation(self) -> None:
        """Full screen, controls hidden, larger fonts and lines (F11)."""
        self._presentation = not self._presentation
        self.window_actions.presentation.setChecked(self._presentation)
        app = QApplication.instance()
        theme.apply_theme(app, presentation=self._presentation)
        self.dock.setVisible(not self._presentation)
        self.menuBar().setVisible(not self._presentation)
        self.landscape.set_presentation(self._presentation)
        self.side_plots.set_presentation(self._presentation)
        self.stability.set_presentation(self._presentation)
        self.showFullScreen() if self._presentation else self.showNormal()

    # -- commands used by the CLI and tests ----------------------------------------------
    def play(self) -> None:
        if self.worker.status != "playing":
            self.worker.play()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._presentation:
            self.toggle_presentation()  # Esc leaves presentation mode as well as F11
            return
        super().keyPressEvent(event)

    def _release_run(self) -> None:
        self.worker.hold(False)
        self._pacer.end()

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and self._release_timer.isActive():
            # painted; release once the event loop is idle (plots repaint a pass later)
            self._release_timer.start(0)
        return handled

    def closeEvent(self, event) -> None:
        self._draw_timer.stop()
        self.worker.shutdown(1000)
        self.landscape.shutdown(1000)  # its resampling of the visible range
        QThreadPool.globalInstance().waitForDone(1000)  # a landscape grid still computing
        super().closeEvent(event)
