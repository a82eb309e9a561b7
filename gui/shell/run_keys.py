"""Space, R and Right drive the run wherever the keyboard focus is.

A focused spin box, drop-down, check box or slider takes these keys for itself (Space
opened the schedule drop-down and typed into the learning-rate field), so a menu
shortcut never sees them. `RunKeys` watches key presses on their way to the focused
widget and hands the run's keys to the run instead. Only where the key is text does the
widget keep it: a space or an R typed into a formula, Right moving a text cursor.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

RUN_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_R, Qt.Key.Key_Right)


def _is_text_entry(widget: QWidget | None) -> bool:
    """A field where the key is text: a line edit, not the one inside a spin box."""
    while widget is not None:
        if isinstance(widget, QAbstractSpinBox):
            return False
        if isinstance(widget, QLineEdit):
            return True
        widget = widget.parentWidget()
    return False


def _in_text_cursor_widget(widget: QWidget | None) -> bool:
    """Right moves a text cursor in line edits and spin boxes: leave it to them."""
    while widget is not None:
        if isinstance(widget, QAbstractSpinBox | QLineEdit):
            return True
        widget = widget.parentWidget()
    return False


class RunKeys(QObject):
    """Routes Space / R / Right (no modifier) inside ``window`` to ``actions[key]()``."""

    def __init__(self, window: QWidget, actions: dict[Qt.Key, Callable[[], None]]) -> None:
        super().__init__(window)
        self._window = window
        self._actions = actions
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        key = Qt.Key(event.key())
        if key not in self._actions or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if watched.window() is not self._window or _is_text_entry(watched):
            return False
        if key == Qt.Key.Key_Right and _in_text_cursor_widget(watched):
            return False
        if not event.isAutoRepeat() or key == Qt.Key.Key_Right:  # a held Space: one toggle
            self._actions[key]()
        return True

    def remove(self) -> None:
        """Stop watching (the window closes)."""
        QApplication.instance().removeEventFilter(self)
