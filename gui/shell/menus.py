"""The menu bar: File, Edit, View, Presets, Run and Help, with their shortcuts.

Every action is also added to the window itself, so its shortcut works with the menu bar
hidden (presentation mode). Help → Keyboard shortcuts lists these actions as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from core.presets import list_presets
from gui.shell import help_dialogs, window_memory
from gui.shell.data_export import add_data_exports

WORKSPACE_HEADINGS = (("descent", "Gradient descent"), ("network", "Backpropagation"))
ARROWS = (
    ("gradient", "Gradient arrows", True),
    ("velocity", "Momentum (velocity) arrows", False),
    ("update", "Update-step arrows", False),
)
THEME_TITLES = (("light", "Light"), ("dark", "Dark"))


@dataclass(frozen=True, slots=True)
class WindowActions:
    """The actions other code reads or triggers (tests, presets, presentation mode)."""

    run: dict[str, QAction]
    arrows: dict[str, QAction]
    presentation: QAction
    themes: dict[str, QAction] = field(default_factory=dict)
    recent: QMenu | None = None
    edit: dict[str, QAction] = field(default_factory=dict)
    help: dict[str, QAction] = field(default_factory=dict)


def _action(window: QMainWindow, menu, text: str, shortcut, slot, checkable=False) -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    menu.addAction(action)
    window.addAction(action)  # shortcuts keep working with the menu bar hidden
    return action


def build_menus(window) -> WindowActions:
    """Fill ``window``'s menu bar; ``window`` provides the slots named below."""
    bar = window.menuBar()
    recent = _file_menu(window, bar.addMenu("&File"))
    edit = _edit_menu(window, bar.addMenu("&Edit"))
    arrows, themes, presentation = _view_menu(window, bar.addMenu("&View"))
    _presets_menu(window, bar.addMenu("&Presets"))
    run = bar.addMenu("&Run")
    run_actions = {  # to whichever workspace is shown
        "play": _action(window, run, "Play / pause", "Space", window.toggle_play),
        "step": _action(window, run, "Step", "Right", window.step),
        "reset": _action(window, run, "Reset", "R", window.reset),
        "stop": _action(window, run, "Stop", "Ctrl+.", window.stop),
    }
    help_actions = _help_menu(window, bar.addMenu("&Help"))
    actions = WindowActions(run_actions, arrows, presentation, themes, recent, edit, help_actions)
    window.window_actions = actions  # fill_recent_menu reads it
    window_memory.fill_recent_menu(window)
    return actions


def _file_menu(window, files: QMenu) -> QMenu:
    _action(window, files, "Open session…", QKeySequence.StandardKey.Open, window.open_dialog)
    recent = files.addMenu("Open &Recent")
    _action(window, files, "Save session…", QKeySequence.StandardKey.Save, window.save_dialog)
    files.addSeparator()
    _action(window, files, "Export…", "Ctrl+E", window.export_dialog)
    add_data_exports(window, files)
    files.addSeparator()
    # Ctrl+Q everywhere: the standard Quit key is a bare "Exit" key on some Linux setups
    _action(window, files, "Quit", "Ctrl+Q", window.close)
    return recent


def _edit_menu(window, edit: QMenu) -> dict[str, QAction]:
    return {
        "copy": _action(
            window,
            edit,
            "Copy picture of the view",
            "Ctrl+Shift+C",
            lambda: window_memory.copy_view_picture(window),
        ),
        "reset_view": _action(
            window,
            edit,
            "Reset view settings",
            None,
            lambda: window_memory.reset_view_settings(window),
        ),
    }


def _view_menu(window, view: QMenu) -> tuple[dict[str, QAction], dict[str, QAction], QAction]:
    arrows = {}
    for key, text, on in ARROWS:
        arrows[key] = _action(window, view, text, None, window.apply_arrows, checkable=True)
        arrows[key].setChecked(on)
    view.addSeparator()
    theme_menu = view.addMenu("&Theme")
    group = QActionGroup(window)
    themes = {}
    for key, title in THEME_TITLES:
        slot = lambda _=False, k=key: window_memory.set_theme(window, k)  # noqa: E731
        themes[key] = _action(window, theme_menu, title, None, slot, checkable=True)
        group.addAction(themes[key])
    themes["light"].setChecked(True)
    view.addSeparator()
    for i, action in enumerate(window.space_actions, start=1):  # the workspace switch
        action.setShortcut(QKeySequence(f"Ctrl+{i}"))
        view.addAction(action)
        window.addAction(action)
    view.addSeparator()
    presentation = _action(
        window, view, "Presentation mode", "F11", window.toggle_presentation, checkable=True
    )
    return arrows, themes, presentation


def _presets_menu(window, presets: QMenu) -> None:
    for workspace, heading in WORKSPACE_HEADINGS:
        found = [(name, title) for name, title, w in list_presets() if w == workspace]
        if not found:
            continue
        presets.addSection(heading)
        for name, title in sorted(found, key=lambda item: item[1]):
            action = _action(
                window, presets, title, None, lambda _=False, n=name: window.load_preset_name(n)
            )
            action.setData(name)


def _help_menu(window, menu: QMenu) -> dict[str, QAction]:
    def show(make):
        previous = getattr(window, "help_page", None)
        if previous is not None:  # one help page at a time
            previous.close()
            previous.deleteLater()
        window.help_page = make(window)
        window.help_page.show()

    return {
        "concepts": _action(
            window, menu, "Concepts", QKeySequence.StandardKey.HelpContents,
            lambda: show(help_dialogs.concepts_page),
        ),
        "shortcuts": _action(
            window, menu, "Keyboard shortcuts", "Ctrl+/",
            lambda: show(help_dialogs.shortcuts_page),
        ),
        "about": _action(
            window, menu, "About Slope", None, lambda: help_dialogs.show_about(window)
        ),
    }  # fmt: skip
