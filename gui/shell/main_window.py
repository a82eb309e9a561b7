"""The Slope window: it assembles a workspace, its controller, the worker and the menus.

Nothing is decided here. Control edits go to the workspace's controller
(gui/descent/controller.py), which turns them into runs in the shared `RunWorker`; a
`DrawLoop` hands the newest worker state back to the controller at a paced rate; menus
and the timeline call the controller's commands. The window adds what belongs to a
window: files, presentation mode and a clean close.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMainWindow, QWidget

from core.descent.config import DescentConfig
from core.descent.preset_view import PresetView
from core.presets import Preset, load_preset, load_preset_file
from core.presets import save_preset as write_preset
from gui.descent.controller import DescentController
from gui.descent.workspace import DescentWorkspace
from gui.shell import theme
from gui.shell.colors import run_colors
from gui.shell.draw_loop import DrawLoop
from gui.shell.jobs import BackgroundJobs
from gui.shell.menus import build_menus
from gui.shell.status_bar import RunStatusBar
from gui.shell.worker import RunWorker

CLOSE_WAIT_MS = 1000


class MainWindow(QMainWindow):
    """The Slope window (see the module docstring for the data flow)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Slope: gradient descent, live")
        self.worker = RunWorker(self)
        self.jobs = BackgroundJobs()
        self.status = RunStatusBar()
        self.setStatusBar(self.status)
        self.descent = DescentWorkspace()
        self.setCentralWidget(self.descent)
        self.controls = self.descent.controls
        self.dock = QDockWidget("Controls")
        self.dock.setObjectName("controlsDock")
        self.dock.setWidget(self.controls)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.controller = DescentController(
            self.descent.views(self.status), self.worker, self.jobs, run_colors
        )
        self.draw_loop = DrawLoop(self.worker, self.controller.show, self)
        self.window_actions = build_menus(self)
        self.run_actions = self.window_actions.run
        self.arrow_actions = self.window_actions.arrows
        self._presentation = False
        self._connect()
        self.controller.apply_config(self.controls.config(), playing=False)

    def _connect(self) -> None:
        worker, controller, descent = self.worker, self.controller, self.descent
        worker.state_ready.connect(self.status.count_state)
        worker.status_changed.connect(controller.on_status)
        worker.errored.connect(controller.on_error)
        self.controls.config_changed.connect(self._on_config_changed)
        self.controls.speed_changed.connect(self.set_speed)
        descent.landscape.start_point_selected.connect(self.controls.set_start)
        descent.timeline.play_clicked.connect(controller.toggle_play)
        descent.timeline.step_clicked.connect(controller.step)
        descent.timeline.reset_clicked.connect(controller.reset)
        descent.timeline.scrubbed.connect(controller.scrub)
        descent.tabs.currentChanged.connect(lambda _i: controller.redraw())
        self.set_speed(self.controls.run.speed_value())
        self.apply_arrows()

    def _on_config_changed(self, config: DescentConfig) -> None:
        self.controller.apply_config(config)

    # -- what the menus, the CLI and the tests call --------------------------------------
    def set_speed(self, steps_per_second: float | None) -> None:
        self.controller.set_speed(steps_per_second)
        self.draw_loop.set_flat_out(steps_per_second is None)

    def load_preset(self, preset: Preset) -> None:
        """Show a preset: its controls, title and idea; paused at step 0."""
        arrows = preset.view.arrows
        for key, action in self.arrow_actions.items():
            action.setChecked(bool(getattr(arrows, key)))
        self.descent.show_3d(preset.view.view3d)
        self.controller.load_preset(preset)
        self.draw_loop.set_flat_out(preset.view.speed is None)

    def load_preset_name(self, name: str) -> None:
        try:
            self.load_preset(load_preset(name))
        except ValueError as exc:
            self.status.show_error(str(exc))

    def current_view(self) -> PresetView:
        """The view settings on screen, as a preset carries them."""
        arrows = {key: action.isChecked() for key, action in self.arrow_actions.items()}
        fields = {**self.controls.view_fields(), "arrows": arrows, "view3d": self.descent.shows_3d}
        return PresetView.from_dict(fields)

    def current_preset(self) -> Preset:
        """The window's state as a preset (what Save session writes)."""
        return self.controller.current_preset(self.current_view())

    def toggle_play(self) -> None:
        self.controller.toggle_play()

    def play(self) -> None:
        self.controller.play()

    def pause(self) -> None:
        self.worker.pause()

    @property
    def up_to_date(self) -> bool:
        """Whether the views show the newest state the worker has sent."""
        return self.draw_loop.up_to_date

    @property
    def grid_ready(self) -> bool:
        """Whether the landscape of the current surface is on screen."""
        return self.controller.grid_ready

    def is_settled(self) -> bool:
        """The landscape and its resampling to the visible range are on screen."""
        return self.controller.grid_ready and self.descent.landscape.is_settled

    # -- files ---------------------------------------------------------------------------
    def save_session(self, path: str) -> bool:
        try:
            write_preset(self.current_preset(), path)
        except (OSError, ValueError) as exc:
            self.status.show_error(f"Could not save the session: {exc}")
            return False
        self.status.show_message(f"Saved the session to {path}")
        return True

    def open_session(self, path: str) -> bool:
        try:
            preset = load_preset_file(path)
        except ValueError as exc:
            self.status.show_error(f"Cannot open the session: {exc}")
            return False
        self.load_preset(preset)
        return True

    def export_landscape(self, path: str) -> None:
        self.descent.landscape.export_png(path)
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

    # -- view options ------------------------------------------------------------------
    def apply_arrows(self) -> None:
        on = {k: a.isChecked() for k, a in self.arrow_actions.items()}
        self.descent.landscape.set_arrow_options(on["gradient"], on["velocity"], on["update"])

    def toggle_presentation(self) -> None:
        """Full screen, controls hidden, larger fonts and lines (F11)."""
        self._presentation = not self._presentation
        self.window_actions.presentation.setChecked(self._presentation)
        theme.apply_theme(QApplication.instance(), presentation=self._presentation)
        self.dock.setVisible(not self._presentation)
        self.menuBar().setVisible(not self._presentation)
        self.descent.set_presentation(self._presentation)
        self.showFullScreen() if self._presentation else self.showNormal()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._presentation:
            self.toggle_presentation()  # Esc leaves presentation mode as well as F11
            return
        super().keyPressEvent(event)

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest:
            self.draw_loop.painted()
        return handled

    def shutdown(self, timeout_ms: int = CLOSE_WAIT_MS) -> bool:
        """Stop drawing, join the run, the landscape's resampler and background jobs."""
        self.draw_loop.stop()
        self.status.stop()
        ok = self.worker.shutdown(timeout_ms)
        ok = self.descent.shutdown(timeout_ms) and ok
        return self.jobs.wait(timeout_ms) and ok

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
