"""What the window remembers between starts (QSettings): layout, theme, recent sessions.

The window only remembers when it is given a `WindowSettings`: the interactive start
(gui/shell/app.py) gives it one on the user's settings; ``--screenshot`` / ``--run-for``
runs and tests give none (or one on a file of their own), so pictures are reproducible
and no test touches the user's settings.

Kept: the window geometry and dock state (``saveGeometry`` / ``saveState``), the shown
workspace, the theme, up to `MAX_RECENT` recent session files (newest first), and the
last session, autosaved to a file in the application's data folder when the window closes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

MAX_RECENT = 8
LAST_SESSION_NAME = "last-session.slope.json"
THEMES = ("light", "dark")


class WindowSettings:
    """Typed access to one `QSettings` store (the user's, or a test's own file)."""

    def __init__(self, store: QSettings, data_dir: str | Path | None = None) -> None:
        self.store = store
        if data_dir is None:
            location = QStandardPaths.StandardLocation.AppDataLocation
            data_dir = QStandardPaths.writableLocation(location)
        self.data_dir = Path(data_dir)

    def __repr__(self) -> str:
        return f"WindowSettings({self.store.fileName()!r})"

    # -- recent sessions -----------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """The remembered session files, newest first (whatever the store holds)."""
        value = self.store.value("recent/files", [])
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value]
        if not isinstance(value, list):
            return []
        return [item for item in value if isinstance(item, str) and item][:MAX_RECENT]

    def add_recent(self, path: str | Path) -> None:
        """Put ``path`` first in the list (once), keeping at most MAX_RECENT."""
        path = str(Path(path).resolve())
        files = [path, *(item for item in self.recent_files() if item != path)]
        self.store.setValue("recent/files", files[:MAX_RECENT])

    def prune_recent(self) -> list[str]:
        """Drop the files that no longer exist; return the dropped ones (to say so)."""
        files = self.recent_files()
        missing = [item for item in files if not Path(item).is_file()]
        if missing:
            self.store.setValue("recent/files", [f for f in files if f not in missing])
        return missing

    def clear_recent(self) -> None:
        self.store.setValue("recent/files", [])

    # -- the look and the layout ---------------------------------------------------------
    def theme(self) -> str:
        value = self.store.value("view/theme", "light")
        return value if value in THEMES else "light"

    def set_theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {name!r}")
        self.store.setValue("view/theme", name)

    def workspace(self) -> str | None:
        value = self.store.value("view/workspace")
        return value if isinstance(value, str) else None

    def save_layout(self, geometry: QByteArray, state: QByteArray, workspace: str) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)
        self.store.setValue("view/workspace", workspace)

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # -- the last session ----------------------------------------------------------------
    @property
    def last_session_path(self) -> Path:
        return self.data_dir / LAST_SESSION_NAME

    def sync(self) -> None:
        self.store.sync()


def user_settings() -> WindowSettings:
    """The user's own settings (an INI file in the user's config folder)."""
    store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Slope", "Slope")
    return WindowSettings(store)
