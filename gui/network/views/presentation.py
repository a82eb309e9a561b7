"""Presentation mode for views made of several pyqtgraph plots (the inside tabs).

The theme scales the widgets' own fonts; the plots' tick labels, titles and lines are
pyqtgraph's and need their own scaling. `present_plots` scales every plot item and
curve under a widget from the sizes they had before the first call, so switching it off
gives exactly the old look back (titles of 9 pt stay 9 pt).
"""

from __future__ import annotations

import weakref

import pyqtgraph as pg
from PySide6 import QtGui
from PySide6.QtWidgets import QWidget

from gui.widgets.plot_style import PRESENTATION_SCALE

LINES = 1.6  # curves this much thicker on a projector, as the other network views
BASE_PT = 8.5  # the tick labels' size of an axis that follows the widget font (plot_style)

_tick_pt: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # axis -> its own size
_title_size: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # label -> "9pt"
_pen_width: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # curve -> width


def present_plots(widget: QWidget, on: bool) -> int:
    """Scale the tick labels and titles of every `pg.PlotItem`, and the lines of every
    curve, drawn in a `pg.GraphicsView` under ``widget`` (``on``: by
    ``PRESENTATION_SCALE`` and ``LINES``; off: back to their own sizes). Returns how many
    plots it scaled."""
    views = widget.findChildren(pg.GraphicsView)
    if isinstance(widget, pg.GraphicsView):
        views.append(widget)
    plots = 0
    for view in views:
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem):
                _present_plot(item, on)
                plots += 1
            elif isinstance(item, pg.PlotCurveItem):
                _present_curve(item, on)
    return plots


def _present_plot(plot: pg.PlotItem, on: bool) -> None:
    scale = PRESENTATION_SCALE if on else 1.0
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        if axis not in _tick_pt:  # None: the axis follows the widget font
            font = axis.style.get("tickFont")
            _tick_pt[axis] = font.pointSizeF() if font is not None else None
        points = _tick_pt[axis]
        font = None
        if on or points is not None:
            font = QtGui.QFont()
            font.setPointSizeF((points or BASE_PT) * scale)
        axis.setStyle(tickFont=font)
    label = plot.titleLabel
    if label.text:
        size = _title_size.setdefault(label, str(label.opts.get("size", "10pt")))
        points = float(size.removesuffix("pt")) if size.endswith("pt") else 10.0
        label.setText(label.text, size=f"{points * scale:g}pt")


def _present_curve(curve: pg.PlotCurveItem, on: bool) -> None:
    pen = curve.opts.get("pen")
    if pen is None:
        return
    pen = pg.mkPen(pen)
    width = _pen_width.setdefault(curve, pen.widthF())
    pen.setWidthF(width * (LINES if on else 1.0))
    curve.setPen(pen)
