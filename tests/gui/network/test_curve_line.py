"""A training curve drawn by a bare curve item (`CurveLine`): the points given, y on the
plot's scale, a lone point as a dot in the curve's colour."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.network.views.curve_line import CurveLine


def _plot(qtbot) -> tuple[pg.PlotWidget, pg.PlotItem]:
    widget = pg.PlotWidget()  # (held by the test: its plot goes with it)
    qtbot.addWidget(widget)
    return widget, widget.getPlotItem()


def test_a_log_axis_draws_log10_of_the_points_given_and_a_linear_one_the_points(qtbot):
    _widget, plot = _plot(qtbot)
    line = CurveLine(pg.mkPen((10, 20, 30), width=2))
    plot.addItem(line)
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.1, 0.001])
    line.show_points(x, y)
    assert np.array_equal(line.yData, y)
    plot.setLogMode(x=False, y=True)  # the plot tells its items
    assert np.allclose(line.yData, [0.0, -1.0, -3.0])
    assert np.array_equal(line.points[1], y) and np.array_equal(line.xData, x)
    plot.setLogMode(x=False, y=False)
    assert np.array_equal(line.yData, y)
    late = CurveLine(pg.mkPen("r"))
    plot.setLogMode(x=False, y=True)
    plot.addItem(late)  # an item added to a log plot starts on its scale
    late.show_points(x, y)
    assert np.allclose(late.yData, [0.0, -1.0, -3.0])


def test_a_lone_point_is_a_dot_in_the_curve_colour_until_a_second_comes(qtbot):
    _widget, plot = _plot(qtbot)
    line = CurveLine(pg.mkPen((200, 60, 10), width=2))
    plot.addItem(line)
    line.show_points(np.array([0.0]), np.array([0.5]))
    assert line.opts["symbol"] == "o" and line.dot.isVisible()
    assert line.dot.opts["brush"].color().getRgb()[:3] == (200, 60, 10)
    assert list(line.dot.data["x"]) == [0.0] and list(line.dot.data["y"]) == [0.5]
    line.show_points(np.array([0.0, 1.0]), np.array([0.5, 0.4]))
    assert line.opts["symbol"] is None and not line.dot.isVisible()
    line.setPen(pg.mkPen((0, 0, 255), width=3))  # presentation mode: the dot follows
    assert line.dot.opts["brush"].color().getRgb()[:3] == (0, 0, 255)
