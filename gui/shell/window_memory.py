"""The window's memory and its desktop commands: recent sessions, layout, theme, clipboard.

`attach` gives a window its `WindowSettings` and brings back what they hold (the theme,
geometry and dock, the last session, the shown workspace); `remember` keeps them when the
window closes. A window without settings (tests, ``--screenshot`` runs) remembers nothing
and reads nothing: its File → Open Recent says so.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QWidget

from gui.shell import theme
from gui.shell.settings import WindowSettings


def settings_of(window) -> WindowSettings | None:
    return getattr(window, "settings", None)


def attach(window, settings: WindowSettings, restore_session: bool = True) -> None:
    """Give ``window`` its settings and bring back the theme, the layout, the last session
    (when ``restore_session``) and the workspace that was shown."""
    window.settings = settings
    set_theme(window, settings.theme())
    geometry, state = settings.geometry(), settings.state()
    if geometry is not None:
        window.restoreGeometry(geometry)
    if state is not None:
        window.restoreState(state)
    if restore_session and settings.last_session_path.is_file():
        window.open_session(str(settings.last_session_path))
    workspace = settings.workspace()
    if workspace is not None:
        window.show_space_of(workspace)
    fill_recent_menu(window)


def remember(window) -> None:
    """Keep the layout, the shown workspace and the session (closing)."""
    settings = settings_of(window)
    if settings is None:
        return
    if window.window_actions.presentation.isChecked():  # keep the normal layout, not F11's
        window.toggle_presentation()
    settings.save_layout(window.saveGeometry(), window.saveState(), window.active.workspace)
    with contextlib.suppress(OSError):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        window.save_session(str(settings.last_session_path))
    settings.sync()


def note_recent(window, path: str) -> None:
    """Put a session the user opened or saved first in File → Open Recent."""
    settings = settings_of(window)
    if settings is not None:
        settings.add_recent(path)
        fill_recent_menu(window)


def fill_recent_menu(window) -> None:
    """Rebuild File → Open Recent from the settings, dropping files that are gone."""
    menu: QMenu = window.window_actions.recent
    menu.clear()
    settings = settings_of(window)
    if settings is None:
        menu.addAction("(not remembered in this run)").setEnabled(False)
        return
    missing = settings.prune_recent()
    if missing:
        names = ", ".join(Path(item).name for item in missing)
        window.status.show_message(f"Removed from Open Recent (no longer there): {names}")
    files = settings.recent_files()
    for i, path in enumerate(files, start=1):
        action = menu.addAction(f"&{i} {Path(path).name}")
        action.setToolTip(path)
        action.setData(path)
        action.triggered.connect(lambda _=False, p=path: open_recent(window, p))
    if not files:
        menu.addAction("(no recent sessions)").setEnabled(False)
        return
    menu.addSeparator()
    menu.addAction("Clear the list").triggered.connect(lambda: _clear_recent(window))


def open_recent(window, path: str) -> bool:
    """Open a recent session; a file that is gone leaves the list with a message."""
    if not Path(path).is_file():
        window.status.show_error(f"{path} is no longer there: removed from Open Recent")
        fill_recent_menu(window)
        return False
    opened = window.open_session(path)
    if opened:
        note_recent(window, path)
    return opened


def _clear_recent(window) -> None:
    settings_of(window).clear_recent()
    fill_recent_menu(window)


def set_theme(window, name: str) -> None:
    """View → Theme: switch, tick the menu item and remember the choice."""
    theme.set_theme(window, name)
    for view in window.findChildren(QWidget):  # views that draw outside pyqtgraph's items
        follow = getattr(view, "follow_theme", None)
        if callable(follow):
            follow()
    for key, action in window.window_actions.themes.items():
        action.setChecked(key == name)
    settings = settings_of(window)
    if settings is not None:
        settings.set_theme(name)


def copy_view_picture(window) -> bool:
    """Edit → Copy picture: the shown workspace's main view (the landscape, the 3-D view
    when it is on screen, or the network diagram) as a 1920x1080 slide figure, made by
    the export (`gui.export.window_export.copy_figure`), so a copy looks like a file."""
    from gui.export.window_export import copy_figure

    return copy_figure(window)


def reset_view_settings(window) -> None:
    """Edit → Reset view settings: default arrows, light theme, the controls dock back."""
    from gui.shell.menus import ARROWS

    for key, _, on in ARROWS:
        window.arrow_actions[key].setChecked(on)
    window.apply_arrows()
    set_theme(window, "light")
    window.dock.setFloating(False)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.dock)
    window.dock.setVisible(True)
    window.status.show_message("View settings reset")
