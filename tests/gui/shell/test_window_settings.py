"""What the window remembers (QSettings): recent sessions, layout, theme, the last session.

Every test uses a settings file and a data folder of its own under tmp_path (and Qt's
test mode for standard paths), so the user's real settings are never read or written.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from core.presets import load_preset, save_preset
from gui.shell import app as shell_app
from gui.shell import settings as settings_module
from gui.shell import theme, window_memory
from gui.shell.main_window import MainWindow
from gui.shell.settings import MAX_RECENT, WindowSettings


@pytest.fixture
def settings(tmp_path) -> WindowSettings:
    QStandardPaths.setTestModeEnabled(True)
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield WindowSettings(store, data_dir=tmp_path / "data")
    QStandardPaths.setTestModeEnabled(False)


@pytest.fixture
def make_window(qtbot):
    made = []

    def make() -> MainWindow:
        w = MainWindow()
        qtbot.addWidget(w)
        w.resize(1100, 760)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
    theme.apply_theme(QApplication.instance(), name="light")


def _sessions(tmp_path, count: int) -> list[str]:
    preset = load_preset("saddle-escape")
    paths = []
    for i in range(count):
        path = tmp_path / f"s{i}.slope.json"
        save_preset(preset, path)
        paths.append(str(path.resolve()))
    return paths


def test_recent_files_keep_the_newest_eight_once_each(settings, tmp_path) -> None:
    paths = _sessions(tmp_path, MAX_RECENT + 2)
    for path in paths:
        settings.add_recent(path)
    settings.add_recent(paths[3])  # opened again: moves to the top, not listed twice
    # s3 first, then the others newest first: s9 ... s4, s2
    expected = [paths[3], *[p for p in reversed(paths) if p != paths[3]][: MAX_RECENT - 1]]
    assert settings.recent_files() == expected
    assert len(settings.recent_files()) == MAX_RECENT


def test_a_single_recent_file_survives_the_ini_round_trip(settings, tmp_path) -> None:
    (path,) = _sessions(tmp_path, 1)
    settings.add_recent(path)
    settings.sync()
    again = WindowSettings(QSettings(settings.store.fileName(), QSettings.Format.IniFormat))
    assert again.recent_files() == [path]


def test_missing_recent_files_leave_the_menu_with_a_message(
    settings, tmp_path, make_window
) -> None:
    kept, gone = _sessions(tmp_path, 2)
    settings.add_recent(kept)
    settings.add_recent(gone)
    (tmp_path / "s1.slope.json").unlink()
    window = make_window()
    window_memory.attach(window, settings, restore_session=False)
    listed = [a.data() for a in window.window_actions.recent.actions() if a.data()]
    assert listed == [kept]
    assert "s1.slope.json" in window.status.message.text()
    assert settings.recent_files() == [kept]


def test_open_recent_opens_the_session_and_moves_it_first(settings, tmp_path, make_window):
    first, second = _sessions(tmp_path, 2)
    other = load_preset("optimizer-race-beale")
    save_preset(other, first)
    settings.add_recent(first)
    settings.add_recent(second)
    window = make_window()
    window_memory.attach(window, settings, restore_session=False)
    entry = next(a for a in window.window_actions.recent.actions() if a.data() == first)
    entry.trigger()
    assert window.current_preset().title == other.title
    assert settings.recent_files() == [first, second]


def test_open_recent_of_a_vanished_file_says_so_and_drops_it(settings, tmp_path, make_window):
    (path,) = _sessions(tmp_path, 1)
    settings.add_recent(path)
    window = make_window()
    window_memory.attach(window, settings, restore_session=False)
    (tmp_path / "s0.slope.json").unlink()
    assert not window_memory.open_recent(window, path)
    assert "no longer there" in window.status.message.text()
    assert settings.recent_files() == []


def test_layout_theme_workspace_and_session_come_back(settings, make_window, qtbot) -> None:
    window = make_window()
    window_memory.attach(window, settings)
    window.show()
    window.load_preset(load_preset("optimizer-race-beale"))
    window.window_actions.themes["dark"].trigger()
    window.resize(760, 640)  # fits the offscreen screen (800x800): restore keeps it whole
    window.show_space_of("network")
    size = window.size()
    window.close()
    assert settings.last_session_path.is_file()
    assert settings.theme() == "dark" and settings.workspace() == "network"

    theme.apply_theme(QApplication.instance(), name="light")
    again = make_window()
    window_memory.attach(again, settings)
    again.show()
    assert again.active.workspace == "network"
    assert theme.current() is theme.DARK and again.window_actions.themes["dark"].isChecked()
    assert again.size() == size and (size.width(), size.height()) != (1100, 760)
    assert again.current_preset().title == load_preset("optimizer-race-beale").title


def test_a_window_without_settings_remembers_nothing(make_window, tmp_path) -> None:
    window = make_window()
    entries = window.window_actions.recent.actions()
    assert [a.isEnabled() for a in entries] == [False]
    window.close()  # nothing to write, nothing raised
    assert window.settings is None


def test_screenshot_runs_never_touch_settings(monkeypatch, tmp_path) -> None:
    def refuse():
        raise AssertionError("a --screenshot run opened the user's settings")

    monkeypatch.setattr(settings_module, "user_settings", refuse)
    shot = tmp_path / "shot.png"
    code = shell_app.run_window(preset="saddle-escape", run_for=0.0, screenshot=str(shot))
    assert code == 0 and shot.stat().st_size > 0


def test_closing_in_presentation_mode_remembers_the_normal_layout(settings, make_window):
    window = make_window()
    window_memory.attach(window, settings, restore_session=False)
    window.show()
    window.window_actions.presentation.trigger()
    assert not window.dock.isVisible()
    window.close()
    again = make_window()
    window_memory.attach(again, settings, restore_session=False)
    again.show()
    assert again.dock.isVisible() and again.menuBar().isVisible()
    assert not again.isFullScreen()
