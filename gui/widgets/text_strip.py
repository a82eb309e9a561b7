"""Text that changes every frame without asking the window for a new layout.

A `QLabel` calls ``updateGeometry`` on every ``setText``: its parent layouts are
invalidated up to the window, and a word-wrapped label whose new text needs another
line changes its height, so its neighbours (the side plots) are resized and redrawn
from scratch. `TextStrip` paints its text itself: a new text repaints the strip and
nothing else. Its height is reserved for the longest text it is expected to show
(``samples``) at the current width, and only ever grows beyond that (once) when a real
text needs more, so the layout stays still while the numbers change. It fills its own
background (the window's colour): the repaint of a see-through widget repaints every
widget under it as well, up to the main window, each through the style sheet.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets


class TextStrip(QtWidgets.QWidget):
    """Word-wrapped plain or rich text, top-left aligned, with a stable height.

    Parameters
    ----------
    text : the first text shown.
    rich : interpret texts as HTML (``<b>``, ``<sub>``, ``&nbsp;``), like a rich QLabel.
    samples : texts as long as the longest one expected; the height fits all of them.
    """

    def __init__(
        self,
        text: str = "",
        rich: bool = False,
        samples: tuple[str, ...] = (),
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._rich = bool(rich)
        self._samples = tuple(samples)
        self._text = ""
        self._extra = 0  # height a real text needed beyond the samples, at _extra_width
        self._extra_width = -1
        self._sample_heights: dict[int, int] = {}  # width -> height the samples need
        self._doc = QtGui.QTextDocument()  # for measuring
        self._doc.setDocumentMargin(0)
        self._shown = QtGui.QTextDocument()  # laid out for painting, kept until a change
        self._shown.setDocumentMargin(0)
        self._shown_key: tuple | None = None
        policy = QtWidgets.QSizePolicy(
            QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed
        )
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAutoFillBackground(True)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        """Show ``text``: a repaint of this widget only (unless it needs more lines)."""
        text = str(text)
        if text == self._text:
            return
        self._text = text
        width = self.width()
        if self.isVisible() and width > 0:  # lay out once, for the check and the paint
            self._layout(text, width, self._shown)
            self._shown_key = (text, width, self.font().key())
            needed = math.ceil(self._shown.size().height())
            if needed > self.height():  # rare: a text longer than every sample
                self._extra, self._extra_width = needed, width
                self.updateGeometry()
        self.update()

    # --------------------------------------------------------------- geometry
    def _layout(self, text: str, width: int, doc: QtGui.QTextDocument | None = None):
        doc = self._doc if doc is None else doc
        doc.setDefaultFont(self.font())
        if self._rich:
            doc.setHtml(text)
        else:
            doc.setPlainText(text)
        doc.setTextWidth(max(width, 1))
        return doc

    def _height(self, text: str, width: int) -> int:
        return math.ceil(self._layout(text, width).size().height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if width not in self._sample_heights:
            samples = [self._height(t, width) for t in self._samples]
            self._sample_heights[width] = max(samples, default=0)
        heights = [self._sample_heights[width], self._height(self._text, width)]
        if width == self._extra_width:
            heights.append(self._extra)
        return max(heights)

    def sizeHint(self) -> QtCore.QSize:
        width = max(self.width(), 200)
        return QtCore.QSize(200, self.heightForWidth(width))

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(60, self.heightForWidth(max(self.width(), 200)))

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QtCore.QEvent.Type.FontChange, QtCore.QEvent.Type.StyleChange):
            self._sample_heights.clear()
            self._extra_width = -1
            self.updateGeometry()

    # --------------------------------------------------------------- painting
    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        key = (self._text, self.width(), self.font().key())
        if key != self._shown_key:  # a repaint of an unchanged text reuses the layout
            self._layout(self._text, self.width(), self._shown)
            self._shown_key = key
        doc = self._shown
        painter = QtGui.QPainter(self)
        context = QtGui.QAbstractTextDocumentLayout.PaintContext()
        palette = QtGui.QPalette(self.palette())
        palette.setColor(QtGui.QPalette.ColorRole.Text, self.palette().color(self.foregroundRole()))
        context.palette = palette
        context.clip = QtCore.QRectF(event.rect())
        doc.documentLayout().draw(painter, context)
        painter.end()
