"""The Slope window: it hosts the workspaces, the menus, the status bar and the dock.

Nothing is decided here. Each workspace comes as a *space* (gui/descent/workspace.py
`DescentSpace`): its widgets, its controls, its own worker and draw loop, and a
controller that turns control edits into runs and worker states into views. The window
shows one space at a time (a switch in the left tool bar), routes the menus' commands to
the shown space's controller, and adds what belongs to a window: files, presentation
mode and a clean close.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from core.presets import Preset, list_presets, load_preset
from core.session import SESSION_SUFFIX, Session, load_session_file, save_session_file
from gui.descent.workspace import DescentSpace
from gui.shell import theme, window_memory
from gui.shell.menus import build_menus
from gui.shell.run_keys import RunKeys
from gui.shell.status_bar import RunStatusBar

CLOSE_WAIT_MS = 1000
SESSION_FILTER = f"Slope session (*{SESSION_SUFFIX});;JSON (*.json)"


class MainWindow(QMainWindow):
    """The Slope window (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Slope: gradient descent and backpropagation, live")
        self.status = RunStatusBar()
        self.setStatusBar(self.status)
        self.descent_space = DescentSpace(self.status, self)
        from gui.network.workspace import NetworkSpace  # the network workspace's space

        self.network_space = NetworkSpace(self.status, self)
        self.spaces = [self.descent_space, self.network_space]
        # the descent space's parts, by the names tests and the CLI use
        self.descent = self.descent_space.widget
        self.controls = self.descent_space.controls
        self.controller = self.descent_space.controller
        self.worker = self.descent_space.worker
        self._build_frame()
        self.settings = None  # WindowSettings when the window remembers (window_memory)
        self.window_actions = build_menus(self)
        self.run_actions = self.window_actions.run
        self.arrow_actions = self.window_actions.arrows
        self._presentation = False
        self.apply_arrows()
        self.run_keys = RunKeys(
            self,
            {
                Qt.Key.Key_Space: self.toggle_play,
                Qt.Key.Key_R: self.reset,
                Qt.Key.Key_Right: self.step,
            },
        )

    def _build_frame(self) -> None:
        self.central = QStackedWidget()
        self.dock_stack = QStackedWidget()
        self.switcher = QToolBar("Workspaces")
        self.switcher.setObjectName("workspaceSwitcher")
        self.switcher.setMovable(False)
        group = QActionGroup(self)
        self.space_actions: list[QAction] = []
        for i, space in enumerate(self.spaces):
            self.central.addWidget(space.widget)
            self.dock_stack.addWidget(space.controls)
            action = QAction(space.title, self, checkable=True)
            action.setToolTip(f"Show the {space.title.lower()} workspace")
            action.triggered.connect(lambda _=False, i=i: self.show_space(i))
            group.addAction(action)
            self.switcher.addAction(action)
            self.space_actions.append(action)
        self.space_actions[0].setChecked(True)
        self.switcher.setVisible(len(self.spaces) > 1)
        self.switcher.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.switcher)
        self.setCentralWidget(self.central)
        self.dock = QDockWidget("Controls")
        self.dock.setObjectName("controlsDock")
        self.dock.setWidget(self.dock_stack)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)

    # -- the shown workspace -------------------------------------------------------------
    @property
    def active(self):
        """The space on screen: the menus' commands go to its controller."""
        return self.spaces[self.central.currentIndex()]

    def show_space(self, index: int) -> None:
        """Show space ``index``; the one left is paused (both share the two CPU cores)."""
        if index == self.central.currentIndex():
            return
        self.active.worker.pause()
        self.central.setCurrentIndex(index)
        self.dock_stack.setCurrentIndex(index)
        self.space_actions[index].setChecked(True)
        # the status bar is shared: it speaks of the space now on screen
        self.status.show_status(self.active.worker.status)
        self.status.show_message(self.active.controller.runs_message())

    def show_space_of(self, workspace: str) -> None:
        for i, space in enumerate(self.spaces):
            if space.workspace == workspace:
                self.show_space(i)

    def toggle_play(self) -> None:
        self.active.controller.toggle_play()

    def play(self) -> None:
        self.active.controller.play()

    def pause(self) -> None:
        self.active.worker.pause()

    def step(self) -> None:
        self.active.controller.step()

    def reset(self) -> None:
        self.active.controller.reset()

    def stop(self) -> None:
        self.active.controller.stop()

    @property
    def up_to_date(self) -> bool:
        """Whether the shown views show the newest state their worker has sent."""
        return self.active.up_to_date

    @property
    def grid_ready(self) -> bool:
        """Whether the descent landscape of the current surface is on screen."""
        return self.controller.grid_ready

    def is_settled(self) -> bool:
        """The shown workspace has drawn everything it computes in the background."""
        return self.active.is_settled()

    # -- presets and sessions ------------------------------------------------------------
    def load_preset(self, preset: Preset) -> None:
        """Show a descent preset: its controls, title and idea; paused at step 0."""
        arrows = preset.view.arrows
        for key, action in self.arrow_actions.items():
            action.setChecked(bool(getattr(arrows, key)))
        self.apply_arrows()
        self.show_space_of("descent")
        self.descent_space.load_preset(preset)

    def load_preset_name(self, name: str) -> None:
        """Open the shipped preset ``name`` in the workspace it belongs to."""
        workspace = {n: w for n, _, w in list_presets()}.get(name, "descent")
        try:
            for space in self.spaces:
                if space.workspace == workspace and space is not self.descent_space:
                    self.show_space_of(workspace)
                    space.load_preset_name(name)
                    return
            self.load_preset(load_preset(name))
        except ValueError as exc:
            self.status.show_error(str(exc))

    def current_preset(self) -> Preset:
        """The descent workspace as a preset (what Save session writes)."""
        arrows = {key: action.isChecked() for key, action in self.arrow_actions.items()}
        return self.controller.current_preset(self.descent_space.current_view(arrows))

    # -- files ---------------------------------------------------------------------------
    def current_session(self) -> Session:
        """Both workspaces as they are set up, and the one on screen."""
        network = self.network_space.current_session_part()
        return Session(self.active.workspace, self.current_preset(), network)

    def save_session(self, path: str) -> bool:
        """Write both workspaces to ``path`` (.slope.json); False, with a message, if not."""
        try:
            save_session_file(self.current_session(), path)
        except (OSError, ValueError) as exc:
            self.status.show_error(f"Could not save the session: {exc}")
            return False
        self.status.show_message(f"Saved the session to {path}")
        return True

    def open_session(self, path: str) -> bool:
        """Open a session file; a file the loader refuses changes nothing on screen."""
        try:
            session = load_session_file(path)
        except ValueError as exc:
            self.status.show_error(f"Cannot open the session: {exc}")
            return False
        self.apply_session(session)
        return True

    def apply_session(self, session: Session) -> None:
        """Show a loaded session: each workspace it holds paused at step 0, then the one
        that was on screen (an older one-workspace file leaves the other as it is)."""
        if session.network is not None:
            self.network_space.apply_session_part(session.network)
        if session.descent is not None:
            self.load_preset(session.descent)
        self.show_space_of(session.workspace)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save session", f"session{SESSION_SUFFIX}", SESSION_FILTER
        )
        if path and not path.lower().endswith(".json"):
            path += SESSION_SUFFIX  # a name without an extension gets the format's own
        if path and self.save_session(path):
            window_memory.note_recent(self, path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", SESSION_FILTER)
        if path and self.open_session(path):
            window_memory.note_recent(self, path)

    def export_dialog(self):
        """File → Export… (Ctrl+E): any view or the whole window, as a figure or a movie."""
        from gui.export.export_dialog import show_export_dialog

        return show_export_dialog(self)

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
        for space in self.spaces:
            space.set_presentation(self._presentation)
        self.showFullScreen() if self._presentation else self.showNormal()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._presentation:
            self.toggle_presentation()  # Esc leaves presentation mode as well as F11
            return
        super().keyPressEvent(event)

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest:
            for space in self.spaces:
                space.draw_loop.painted()
        return handled

    def shutdown(self, timeout_ms: int = CLOSE_WAIT_MS) -> bool:
        """Stop every workspace's drawing, runs and background work (closing)."""
        self.status.stop()
        self.run_keys.remove()
        ok = True
        for space in self.spaces:
            ok = space.shutdown(timeout_ms) and ok
        return ok

    def closeEvent(self, event) -> None:
        window_memory.remember(self)  # layout and session, when the window remembers
        self.shutdown()
        super().closeEvent(event)
