"""The side plots' axes move rarely (each move redraws every curve), and when one moves
every curve is redrawn in full, with a number of stroke calls that does not grow with
the rows (issue 8: frame-time spikes)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from unittest.mock import MagicMock

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore

from gui.descent.views.curve_plot import CurvePanel, log_axis_floor, step_axis_end
from gui.descent.views.side_plots import SidePlots
from gui.widgets.trails import TrailsItem


@pytest.mark.parametrize(
    ("last_step", "end"),
    [(0, 10), (10, 10), (11, 20), (20, 20), (21, 50), (50, 50), (51, 100), (1210, 2000)],
)
def test_step_axis_ends_at_one_two_or_five_times_a_power_of_ten(last_step, end):
    assert step_axis_end(last_step) == end


def test_step_axis_moves_three_times_a_decade_and_the_curves_fill_40_percent():
    steps = np.unique(np.round(np.geomspace(10, 1e6, 20_000)))
    ends = np.array([step_axis_end(s) for s in steps])
    assert len(np.unique(ends)) == 3 * 5 + 1  # 10, 20, 50, 100, ..., 1e6
    fill = steps / ends
    assert fill.min() >= 0.4 - 1e-9 and fill.max() <= 1.0


def test_a_falling_loss_moves_the_log_floor_a_few_times_with_room_below():
    top, floor, moves = 5.0, None, 0
    for lowest in np.linspace(-2.0, -16.0, 1401):  # a loss from 1e-2 down to the floor
        new = log_axis_floor(lowest, top, floor)
        moves += floor is not None and new != floor
        floor = new
        assert floor <= lowest  # every curve stays above the bottom of the axis
        assert floor >= -16.0  # never below the log floor (where 0 is drawn)
        assert lowest - floor <= 0.25 * (top - floor) + 1.0  # a quarter free, at most
    assert moves <= 5  # once a decade would be 14 moves


def test_a_log_floor_holds_when_the_lowest_value_rises_a_little():
    # history thinning may drop the row holding the minimum: the axis must not jump
    floor = log_axis_floor(-9.2, 5.0, None)
    assert log_axis_floor(-8.9, 5.0, floor) == floor
    assert log_axis_floor(-9.4, 5.0, floor) == floor
    assert log_axis_floor(-2.5, 5.0, None) == -5.0  # span 8 decades: 2 spare below -3
    assert log_axis_floor(-0.5, 2.0, None) == -1.0  # a short axis: no spare decade


def _panel(qtbot) -> tuple[pg.GraphicsLayoutWidget, CurvePanel]:
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.resize(420, 220)
    panel = CurvePanel(widget.addPlot(), "loss per step", log_y=True)
    colors = np.array([[200, 40, 40, 255], [40, 40, 200, 255], [30, 150, 30, 255]], np.uint8)
    panel.set_style(colors, 1.0, True)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, panel


def _loss(n: int) -> tuple[np.ndarray, np.ndarray]:
    steps = np.arange(n, dtype=float)
    # three runs falling at their own pace to their own level, apart at every step
    loss = np.array([1.5, 3.0, 6.0]) + 7.0 * np.exp(-steps[:, None] / np.array([20.0, 60.0, 150.0]))
    return steps, loss


def _drawn_near(widget, panel, image, k: int, step: float, loss: float) -> bool:
    """Whether run ``k``'s colour is within 2 px of where (step, loss) is on screen."""
    view_box = panel.plot.getViewBox()
    at = widget.mapFromScene(view_box.mapViewToScene(QtCore.QPointF(step, np.log10(loss))))
    want = panel._colors[k, :3].astype(int)
    for dx in range(-2, 3):
        for dy in range(-2, 3):
            c = image.pixelColor(at.x() + dx, at.y() + dy)
            if np.abs(np.array([c.red(), c.green(), c.blue()]) - want).sum() < 90:
                return True
    return False


def test_a_range_change_redraws_every_curve_in_full(qtbot):
    widget, panel = _panel(qtbot)
    alive = np.full(3, -1)
    panel.show(*_loss(30), alive)
    widget.grab()
    assert panel._range[1] == 50  # the step axis ends at 50
    steps, loss = _loss(300)
    panel.show(steps, loss, alive)
    image = widget.grab().toImage()
    assert panel._range[1] == 500  # moved: every curve is redrawn on the new scale
    for k in range(3):
        for row in (3, 25, 150, 290):  # from the first steps to the newest
            assert _drawn_near(widget, panel, image, k, steps[row], loss[row, k]), (k, row)
        assert panel.trails.polyline(k)[-1, 0] == 298  # up to the last committed step
    fresh_widget, fresh = _panel(qtbot)
    fresh.show(steps, loss, alive)
    assert fresh._range == panel._range
    assert image == fresh_widget.grab().toImage()  # the same pixels as drawn at once


def test_a_full_restroke_makes_one_stroke_call_per_pen_whatever_the_rows():
    calls = []
    for n_rows in (10, 2000):
        item = TrailsItem()
        item.set_style(np.array([[200, 0, 0, 255]] * 4 + [[0, 0, 200, 255]] * 4, np.uint8), 1.0)
        rows = np.random.default_rng(0).normal(size=(n_rows, 8, 2))
        item.set_rows(rows, np.ones((n_rows, 8), bool))
        painter = MagicMock()
        item._draw_runs(painter, np.arange(8), None)
        calls.append(painter.drawLines.call_count)
        assert sum(c.args[1] for c in painter.drawLines.call_args_list) == 8 * (n_rows - 1)
    assert calls == [2, 2]  # one per colour: the rows go out in the same calls


class _CountingView(pg.GraphicsLayoutWidget):
    paints = 0

    def paintEvent(self, event):
        self.paints += 1
        super().paintEvent(event)


@pytest.mark.parametrize("change", ["x", "y"])
def test_a_range_change_is_painted_once(qtbot, change):
    # the new range is applied before the paint: nothing moves during it, so Qt does
    # not paint the plot a second time
    widget = _CountingView()
    qtbot.addWidget(widget)
    widget.resize(420, 220)
    panel = CurvePanel(widget.addPlot(), "loss per step", log_y=True)
    panel.set_style(np.array([[200, 40, 40, 255]] * 3, np.uint8), 1.0, True)
    widget.show()
    qtbot.waitExposed(widget)
    steps, loss = _loss(300)
    panel.show(steps[:30], loss[:30], np.full(3, -1))
    qtbot.wait(100)
    before, widget.paints = panel._range, 0
    if change == "y":
        loss = loss * 1e-3  # three decades lower
    panel.show(
        steps[:30] if change == "y" else steps, loss[:30] if change == "y" else loss, np.full(3, -1)
    )
    assert panel._range != before
    qtbot.waitUntil(lambda: widget.paints >= 1)
    qtbot.wait(150)
    assert widget.paints == 1


def test_a_move_of_the_step_axis_leaves_the_value_axis_labels_alone(qtbot):
    # new ticks make pyqtgraph redraw the axis and its grid lines: only when y moves
    _widget, panel = _panel(qtbot)
    alive = np.full(3, -1)
    steps, loss = _loss(300)
    panel.show(steps[:30], loss[:30], alive)
    axis = panel.plot.getAxis("left")
    labelled = axis._tickLevels
    panel.show(steps, loss, alive)  # the step axis moves from 50 to 500, y stays
    assert panel._range[1] == 500
    assert axis._tickLevels is labelled
    panel.show(steps, loss * 1e-3, alive)  # three decades lower: relabelled
    assert axis._tickLevels is not labelled
    assert min(value for value, _ in axis._tickLevels[0]) < 0  # decades below 1 now


def test_the_sweep_plot_follows_a_falling_best_loss_in_a_few_moves(qtbot):
    from types import SimpleNamespace

    from gui.descent.views.sweep_plot import SweepPlot

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    sweep = SweepPlot(widget.addPlot())
    sweep.set_runs(np.full((3, 4), 200, np.uint8), SimpleNamespace(lr=np.array([1e-4, 1e-3, 1e-2])))
    alive, ranges = np.full(3, -1), []
    for best in np.logspace(-2, -14, 600):  # the best rate's loss falls twelve decades
        sweep.show(np.array([5.0, best, 9.0]), alive)
        assert sweep._range[2] <= np.log10(best)  # its dot stays on the plot
        ranges.append(sweep._range)
    moves = sum(a != b for a, b in itertools.pairwise(ranges))
    assert moves <= 5  # once a decade would be 12 moves


def test_a_widening_step_axis_keeps_the_drawn_curves_and_draws_what_a_fresh_panel_draws(qtbot):
    # the step axis grows 100 -> 5000 over many frames while the value axis stays: the
    # drawn points are merged onto the coarser grid, never rebuilt from the rows
    widget, panel = _panel(qtbot)
    alive = np.full(3, -1)
    for n in range(100, 3001, 37):
        panel.show(*_loss(n), alive)
        widget.grab()
    steps, loss = _loss(3000)
    panel.show(steps, loss, alive)
    image = widget.grab().toImage()
    assert panel._range[1] == 5000 and panel.feed.rebuilds == 1
    cell = panel.feed.cell[0]
    for k in range(3):  # up to the last committed step, or a row in its screen cell
        assert 2998 - cell < panel.trails.polyline(k)[-1, 0] <= 2998
    fresh_widget, fresh = _panel(qtbot)
    fresh.show(steps, loss, alive)
    assert fresh._range == panel._range
    for k in range(3):
        np.testing.assert_array_equal(panel.trails.polyline(k), fresh.trails.polyline(k))
    assert image == fresh_widget.grab().toImage()


def test_the_step_cell_is_a_power_of_two_at_least_a_pixel_wide(qtbot):
    _widget, panel = _panel(qtbot)
    panel.show(*_loss(3000), np.full(3, -1))
    view_box = panel.plot.getViewBox()
    pixel = view_box.viewRect().width() / view_box.width()
    cell = panel.feed.cell[0]
    assert cell == 2.0 ** round(np.log2(cell))
    assert pixel <= cell < 2 * pixel


def _history(n: int) -> SimpleNamespace:
    steps, loss = _loss(n)
    return SimpleNamespace(steps=steps, loss=loss, grad_norm=loss / 2, lr=np.full_like(loss, 0.1))


def test_the_step_axes_move_in_their_own_turn_and_agree_once_each_has_drawn(qtbot):
    # a move of the step axis redraws a plot's curves: the loss plot's move does not
    # drag the gradient plot along in the same frame (it moves when it draws its rows)
    plots = SidePlots()
    qtbot.addWidget(plots)
    plots.resize(420, 600)
    plots.show()
    plots.set_runs(np.array([[200, 40, 40, 255]] * 3, np.uint8), ["a", "b", "c"], None)
    frame = SimpleNamespace(loss=np.ones(3), diverged_at=np.full(3, -1))
    plots.show_state(_history(30), frame)
    ends = lambda: [p.plot.getViewBox().viewRange()[0][1] for p in (plots.loss, plots.grad_norm)]  # noqa: E731
    start = ends()
    assert start[0] == start[1] < 60
    plots._turn = -1  # the loss plot's turn next
    plots.show_state(_history(300), frame, busy=True)
    moved = ends()
    assert moved[0] > 500 and moved[1] == start[1]  # only the loss plot moved
    plots.show_state(_history(300), frame, busy=True)  # the gradient plot's turn
    assert ends()[1] == moved[0]


def test_the_value_axis_keeps_room_for_the_labels_at_its_ends(qtbot):
    """The ends are whole decades, so they carry labels; on a short plot pyqtgraph hid
    "100" at the very top (a label may not stick out of the plot)."""
    from PySide6 import QtGui

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.resize(420, 130)  # about 90 px of plot, as beside the landscape at 1600x960
    panel = CurvePanel(widget.addPlot(), "loss per step", log_y=True)
    panel.set_style(np.array([[200, 40, 40, 255], [40, 40, 200, 255]], np.uint8), 1.0)
    widget.show()
    qtbot.waitExposed(widget)
    steps = np.arange(300, dtype=float)
    loss = np.column_stack([30.0 * np.exp(-steps / 60) + 0.3, 20.0 * np.exp(-steps / 90) + 0.4])
    for _ in range(2):  # the second fit knows the laid-out height
        panel.show(steps, loss, np.full(2, -1))
        qtbot.wait(20)
    axis = panel.plot.getAxis("left")
    image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        _axis_spec, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    shown = {text for _rect, _flags, text in texts}
    labelled = {label for _value, label in axis._tickLevels[0]}  # the decades we labelled
    assert len(labelled) >= 2 and labelled <= shown
