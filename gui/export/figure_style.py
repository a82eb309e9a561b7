"""How an exported figure looks: the slide style and the screen style, in pixels.

Both are light (white ground, dark ink) whatever the window's theme, so an export never
depends on what the screen shows. Every size is a fraction of the figure's height, so a
3840x2160 figure is a 1920x1080 one drawn twice as large: the fonts keep their share of
a slide. The slide style adds what a projector needs: large fonts, thick lines, a title
and the legend beside the data rather than over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtGui

from gui.shell import colors as palette
from gui.widgets.plot_style import decade_ticks

REFERENCE_HEIGHT = 1080.0  # the sizes below are for a figure this tall


@dataclass(frozen=True, slots=True)
class FigureStyle:
    """Sizes in pixels at a 1080-pixel-high figure (scaled with the height)."""

    name: str
    title_px: float
    label_px: float
    tick_px: float
    legend_px: float
    line_px: float
    marker_px: float
    legend_outside: bool

    def scaled(self, height: int) -> FigureStyle:
        """The style for a figure ``height`` pixels high."""
        s = height / REFERENCE_HEIGHT
        return FigureStyle(
            self.name,
            self.title_px * s,
            self.label_px * s,
            self.tick_px * s,
            self.legend_px * s,
            self.line_px * s,
            self.marker_px * s,
            self.legend_outside,
        )


STYLES = {
    "slide": FigureStyle("slide", 46, 34, 28, 28, 6.0, 26, legend_outside=True),
    "screen": FigureStyle("screen", 28, 22, 18, 18, 2.5, 14, legend_outside=False),
}


def figure_style(name: str, height: int) -> FigureStyle:
    """The style ``name`` ("slide" or "screen") for a figure ``height`` pixels high."""
    if name not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, got {name!r}")
    return STYLES[name].scaled(height)


def font(px: float, bold: bool = False) -> QtGui.QFont:
    """A font of ``px`` pixels: pixel sizes keep PNG, SVG and PDF text alike."""
    f = QtGui.QFont()
    f.setPixelSize(max(round(px), 1))
    f.setBold(bold)
    return f


def style_axes(plot: pg.PlotItem, style: FigureStyle, x_label: str, y_label: str) -> None:
    """Ink, fonts and labels of ``plot``'s two axes; no mouse, menu or buttons."""
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.getViewBox().disableAutoRange()
    ink = pg.mkPen(palette.FOREGROUND, width=max(style.line_px / 3, 1.0))
    for name, text in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(name)
        axis.setPen(ink)
        axis.setTextPen(pg.mkPen(palette.FOREGROUND))
        axis.enableAutoSIPrefix(False)
        axis.setStyle(tickFont=font(style.tick_px), tickLength=-round(style.tick_px / 2))
        axis.label.setFont(font(style.label_px))
        axis.setLabel(text, color=_hex(palette.FOREGROUND))
    plot.getAxis("left").setWidth(round(style.tick_px * 4.2))
    plot.getAxis("bottom").setHeight(round(style.tick_px * 1.4 + style.label_px * 1.6))


def log_axis(plot: pg.PlotItem, name: str, lo: float, hi: float) -> None:
    """Decade ticks on axis ``name`` whose data are log10 values from ``lo`` to ``hi``."""
    plot.getAxis(name).setTicks(decade_ticks(lo, hi, max_labels=6))


def pen(rgba, style: FigureStyle, scale: float = 1.0) -> QtGui.QPen:
    """A round-capped pen of the style's line width (times ``scale``)."""
    p = pg.mkPen(tuple(int(c) for c in rgba), width=style.line_px * scale)
    p.setCapStyle(pg.QtCore.Qt.PenCapStyle.RoundCap)
    p.setJoinStyle(pg.QtCore.Qt.PenJoinStyle.RoundJoin)
    return p


def _hex(rgb) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in rgb[:3])
