"""Any view of the window as a figure, as it is on screen, under a title.

The views other helpers add inside the network workspace (`export_view` on a part of
``NetworkSpace.inside``) and any widget a space lists in ``export_views()`` export
without code of their own: :class:`WidgetFigure` paints the live widget through a
scaled painter, so pyqtgraph's items stay vectors in SVG and PDF and text stays sharp
in a large PNG. Nothing is resized or restyled on screen. The 3-D view is the exception
(OpenGL draws outside QPainter): `gl_picture` grabs its frame buffer instead.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gui.export.figure_paint import PaintedFigure, begin_paint
from gui.export.figure_style import FigureStyle, figure_style, font
from gui.shell import colors as palette

NO_GL_EXPORT = "the 3-D view cannot be exported here: this display has no OpenGL"


class WidgetFigure(PaintedFigure):
    """``widget`` painted into ``width`` x ``height`` pixels below ``title`` (aspect kept,
    centred). ``picture``: a QImage to draw instead of the widget (the 3-D view)."""

    def __init__(
        self,
        widget: QtWidgets.QWidget,
        title: str,
        width: int,
        height: int,
        style: str = "slide",
        picture: QtGui.QImage | None = None,
    ) -> None:
        if not (16 <= width <= 8192 and 16 <= height <= 8192):
            raise ValueError(f"size must be 16..8192 pixels a side, got {width}x{height}")
        self.widget, self.title, self.picture = widget, title, picture
        self.width, self.height = int(width), int(height)
        self.style: FigureStyle = figure_style(style, self.height)
        self.data = self  # write_figure reads ``figure.data.title``

    def __repr__(self) -> str:
        return f"WidgetFigure({self.title!r}, {self.width}x{self.height})"

    def close(self) -> None:
        """Nothing to free: the widget is the window's."""

    def paint(self, painter: QtGui.QPainter) -> None:
        rect = begin_paint(painter, self.width, self.height)
        top = 0.0
        if self.title:
            top = self.style.title_px * 1.8
            painter.setFont(font(self.style.title_px, bold=True))
            painter.setPen(QtGui.QColor(*palette.FOREGROUND))
            title_rect = QtCore.QRectF(0, 0, rect.width(), top)
            painter.drawText(title_rect, QtCore.Qt.AlignmentFlag.AlignCenter, self.title)
        source = self.picture.size() if self.picture is not None else self.widget.size()
        w, h = max(source.width(), 1), max(source.height(), 1)
        room = QtCore.QRectF(0, top, rect.width(), rect.height() - top)
        scale = min(room.width() / w, room.height() / h)
        painter.save()
        try:
            painter.translate(room.center().x() - w * scale / 2, room.center().y() - h * scale / 2)
            painter.scale(scale, scale)
            if self.picture is not None:
                painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
                painter.drawImage(QtCore.QPointF(0, 0), self.picture)
            else:  # QWidget's render: a graphics view's own draws its scene, not itself
                QtWidgets.QWidget.render(self.widget, painter, QtCore.QPoint(0, 0))
        finally:
            painter.restore()


def gl_picture(view) -> QtGui.QImage:
    """The 3-D view (`Surface3DView`) as OpenGL draws it on screen: its frame buffer,
    grabbed at the widget's size (the figure scales it smoothly into its own).

    Raises ValueError with `NO_GL_EXPORT` where OpenGL is not available (the offscreen
    platform, some remote desktops)."""
    canvas = getattr(view, "view", None) if getattr(view, "gl_enabled", False) else None
    if canvas is None:
        raise ValueError(NO_GL_EXPORT)
    image = canvas.grabFramebuffer()
    if image.isNull():
        raise ValueError(NO_GL_EXPORT)
    return image
