"""A label whose text changes often (a counter, a rate) without costing the window.

A `QLabel` of variable size asks the whole window for a new layout at each ``setText``
(its size hint changed); a widget whose minimum and maximum sizes are equal does not. A
see-through label's repaint also repaints every widget under it, up to the main window,
each through the application's style sheet; a label that fills its own background (the
window's colour) repaints alone. `SteadyLabel` is both: fixed to the size of its widest
expected text, and opaque.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QWidget


class SteadyLabel(QLabel):
    """A label of fixed size with room for `WIDEST` (or ``widest``), painting its own
    background: a new text repaints this label only."""

    WIDEST = ""

    def __init__(self, text: str, parent: QWidget | None = None, widest: str | None = None) -> None:
        super().__init__(text, parent)
        self._widest = self.WIDEST if widest is None else widest
        self.setAutoFillBackground(True)  # the window's colour, then the text
        self._fix_size()

    def setText(self, text: str) -> None:
        """Show ``text``; a text wider than the widest expected one widens the label (once
        for that width), rather than being cut."""
        super().setText(text)
        if self.fontMetrics().horizontalAdvance(text) > self.fontMetrics().horizontalAdvance(
            self._widest
        ):
            self._widest = text
            self._fix_size()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fix_size()

    def _fix_size(self) -> None:
        margins = self.contentsMargins()
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance(self._widest) + margins.left() + margins.right()
        height = metrics.height() + margins.top() + margins.bottom()
        self.setFixedSize(width + 2 * self.margin(), height + 2 * self.margin())
