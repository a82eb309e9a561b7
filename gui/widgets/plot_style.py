"""The look shared by the side plots: fixed ranges, light grid, cached axes."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from gui.shell import colors as palette
from gui.shell.theme import plot_colors

AXIS_WIDTH = 52  # stacked plots line up when their left axes share one width
PRESENTATION_SCALE = 1.4  # fonts, ticks and the left axis grow by this on a projector
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_label(decade: int) -> str:
    """``10**decade`` as a short label: 0.001 ... 1000 written out, else ``10⁻⁵``, ``10⁶``."""
    if -3 <= decade <= 3:
        return f"{10.0**decade:g}"
    return "10" + str(int(decade)).translate(_SUPERSCRIPT)


def decade_ticks(lo: float, hi: float, max_labels: int) -> list[list[tuple[float, str]]]:
    """Ticks of a log10 axis from ``lo`` to ``hi``: at most ``max_labels`` labelled decades
    (every n-th one when there are more), unlabelled 2..9 lines when it spans few decades.

    pyqtgraph labels the 2..9 minor ticks of a short log axis and they pile up on a small
    plot; explicit ticks never collide.
    """
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = list(range(first, last + 1))
    every = max(1, math.ceil(len(decades) / max(int(max_labels), 1)))
    major = [(float(d), decade_label(d)) for d in decades if d % every == 0]
    minor = []
    if hi - lo <= 3.0:
        # under two labelled decades, 2x and 5x are labelled too (there is room)
        named = (2, 5) if len(major) < 2 else ()
        for d in range(math.floor(lo), last + 1):
            for mult in range(2, 10):
                v = d + math.log10(mult)
                if lo <= v <= hi:
                    minor.append((v, f"{mult * 10.0**d:g}" if mult in named else ""))
    return [major, minor]


def ink_hex() -> str:
    """The theme's plot ink as ``#rrggbb``: an axis label's colour is CSS, where an RGB
    tuple is not a colour (the label would fall back to black)."""
    return "#" + "".join(f"{c:02x}" for c in plot_colors().foreground)


def set_plot_presentation(plot: pg.PlotItem, on: bool, base_pt: float = 8.5) -> None:
    """Larger tick labels, longer ticks, a wider left axis and a larger title."""
    scale = PRESENTATION_SCALE if on else 1.0
    font = QtGui.QFont()
    font.setPointSizeF(base_pt * scale)
    for name in ("left", "bottom"):
        plot.getAxis(name).setStyle(tickFont=font, tickLength=round(-5 * scale))
    plot.getAxis("left").setWidth(int(AXIS_WIDTH * scale))
    plot.titleLabel.setText(plot.titleLabel.text, size="14pt" if on else "10pt")


def style_static_plot(plot: pg.PlotItem, title: str, log_x: bool, log_y: bool) -> None:
    """Title, grid and axes of a plot whose range the code sets (no mouse, no menu)."""
    ink = plot_colors().foreground  # the theme's; a theme switch restyles (style_plots)
    plot.setTitle(title, color=ink, size="10pt")
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=palette.GRID_ALPHA)
    plot.getViewBox().disableAutoRange()
    plot.setLogMode(x=log_x, y=log_y)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(ink))
        axis.setTextPen(pg.mkPen(ink))
        axis.enableAutoSIPrefix(False)
        # the grid lines belong to the axes: rasterise them once per range change
        axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot.getAxis("left").setWidth(AXIS_WIDTH)
    set_plot_presentation(plot, False)


def set_view_range(view_box: pg.ViewBox, x_range, y_range, padding: float) -> None:
    """Set a plot's range and move its items to it now, not in the next paint.

    pyqtgraph defers the new view transform to the paint (`ViewBox.prepareForPaint`):
    items whose geometry follows the view then change it during that paint, which asks
    Qt for a second paint of the whole plot.
    """
    view_box.setRange(xRange=x_range, yRange=y_range, padding=padding)
    if view_box.width() > 0 and view_box.height() > 0:  # not laid out: a singular matrix
        view_box.updateMatrix()
