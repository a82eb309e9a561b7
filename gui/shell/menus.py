"""The menu bar: files, presets, run transport and view options, with their shortcuts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from core.presets import list_presets

WORKSPACE_HEADINGS = (("descent", "Gradient descent"), ("network", "Backpropagation"))
ARROWS = (
    ("gradient", "Gradient arrows", True),
    ("velocity", "Momentum (velocity) arrows", False),
    ("update", "Update-step arrows", False),
)


@dataclass(frozen=True, slots=True)
class WindowActions:
    """The actions other code reads or triggers (tests, presets, presentation mode)."""

    run: dict[str, QAction]
    arrows: dict[str, QAction]
    presentation: QAction


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
    files = bar.addMenu("&File")
    _action(window, files, "Open session…", QKeySequence.StandardKey.Open, window.open_dialog)
    _action(window, files, "Save session…", QKeySequence.StandardKey.Save, window.save_dialog)
    _action(window, files, "Export landscape PNG…", "Ctrl+E", window.export_dialog)
    files.addSeparator()
    _action(window, files, "Quit", QKeySequence.StandardKey.Quit, window.close)
    presets = bar.addMenu("&Presets")
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
    run = bar.addMenu("&Run")
    run_actions = {  # to whichever workspace is shown
        "play": _action(window, run, "Play / pause", "Space", window.toggle_play),
        "step": _action(window, run, "Step", "Right", window.step),
        "reset": _action(window, run, "Reset", "R", window.reset),
        "stop": _action(window, run, "Stop", "Ctrl+.", window.stop),
    }
    view = bar.addMenu("&View")
    arrows = {}
    for key, text, on in ARROWS:
        arrows[key] = _action(window, view, text, None, window.apply_arrows, checkable=True)
        arrows[key].setChecked(on)
    view.addSeparator()
    presentation = _action(
        window, view, "Presentation mode", "F11", window.toggle_presentation, checkable=True
    )
    return WindowActions(run_actions, arrows, presentation)
