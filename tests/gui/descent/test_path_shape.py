"""A drawn path keeps its true shape when the history thins itself (issue 8), the trails
are painted at all, and the side plots' log axes and presentation fonts are readable."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui

from core.descent.config import DescentConfig
from core.descent.engine import DescentRun
from core.descent.recording import descent_history
from gui.descent.views.side_plots import SidePlots
from gui.widgets.path_feed import PathFeed
from gui.widgets.plot_style import decade_label, decade_ticks
from gui.widgets.trails import TrailsItem


def _feed_live(config: DescentConfig, capacity: int):
    """Feed every frame's history into a PathFeed as the window would; return the feed,
    the full-resolution path and the history's final stride."""
    item = TrailsItem()
    feed = PathFeed(item, (1e-9, 1e-9))
    history, full = None, []
    for frame in DescentRun(config).frames():
        if history is None:
            history = descent_history(frame, capacity=capacity)
        history.append(frame)
        full.append(np.array(frame.points))
        feed.sync(history.snapshot().points)
    return item, feed, np.array(full), history.stride


def test_thinning_keeps_the_path_it_already_drew():
    # gd on Rosenbrock at lr 2e-3 zig-zags across the valley in its first steps
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-3), steps=600)
    item, feed, full, stride = _feed_live(config, capacity=16)
    assert stride >= 32  # the history thinned many times
    assert feed.rebuilds == 1  # only the first sync built the paths
    for k in range(2):
        drawn = item.polyline(k)
        # every early step is still there, in order (the zig-zag's turns)
        np.testing.assert_allclose(drawn[:10], full[:10, k])
        # and every drawn point is a true point of the run
        distance = np.abs(drawn[:, None, :] - full[None, :, k, :]).sum(axis=-1).min(axis=1)
        assert distance.max() < 1e-12
        np.testing.assert_allclose(drawn[-1], full[-1, k])


def test_a_diverged_run_keeps_its_shape_and_last_finite_point():
    config = DescentConfig(surface="rosenbrock", learning_rates=(2e-2,), steps=400)
    item, _feed, full, stride = _feed_live(config, capacity=8)
    assert stride >= 32
    frames = list(DescentRun(config).frames())
    stop = int(frames[-1].diverged_at[0])
    assert 0 < stop < 20
    drawn = item.polyline(0)
    np.testing.assert_allclose(drawn[: stop + 1], full[: stop + 1, 0])
    np.testing.assert_allclose(drawn[-1], frames[-1].points[0])


def test_a_history_of_another_run_is_rebuilt():
    item = TrailsItem()
    feed = PathFeed(item, (1e-9, 1e-9))
    rows = np.cumsum(np.ones((40, 2, 2)), axis=0)
    feed.sync(rows)
    feed.sync(rows[::2] + 0.5)  # not a thinning of what was seen
    assert feed.rebuilds == 2
    np.testing.assert_allclose(item.polyline(0), rows[::2, 0] + 0.5)  # with the live tail


def test_trails_are_painted_and_the_top_layer_is_on_top(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(300, 300)
    item = TrailsItem()
    widget.addItem(item)
    item.set_style(np.array([[255, 0, 0, 255], [0, 0, 255, 255]], np.uint8), 4.0)
    item.set_bounds(QtCore.QRectF(0, 0, 1, 1))
    item.set_paths([np.array([[0.0, 0.5], [1.0, 0.5]]), np.array([[0.5, 0.0], [0.5, 1.0]])])
    widget.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    widget.show()
    qtbot.waitExposed(widget)

    def colour_at(x: float, y: float) -> tuple[int, int, int]:
        qtbot.wait(20)
        scene = widget.getViewBox().mapViewToScene(QtCore.QPointF(x, y))
        pos = widget.mapFromScene(scene)
        return widget.grab().toImage().pixelColor(pos).getRgb()[:3]

    assert colour_at(0.25, 0.5) == (255, 0, 0)
    assert colour_at(0.5, 0.25) == (0, 0, 255)
    assert colour_at(0.5, 0.5) == (255, 0, 0)  # both in one layer: the first run on top
    item.set_layers(np.array([False, True]), halo=False)
    assert colour_at(0.5, 0.5) == (0, 0, 255)  # the road drawn over the cloud
    item.set_layers(np.array([True, False]), halo=False)
    assert colour_at(0.5, 0.5) == (255, 0, 0)


def test_decade_ticks_never_crowd():
    major, minor = decade_ticks(-15.2, 0.4, max_labels=4)
    assert len(major) <= 4 and all(text for _, text in major)
    assert [text for _, text in major][-1] == "1"
    assert all(text == "" for _, text in minor) and not minor  # 15 decades: no 2..9 lines
    major, minor = decade_ticks(0.0, 1.0, max_labels=6)
    assert [t for _, t in major] == ["1", "10"]
    assert all(t == "" for _, t in minor) and len(minor) == 8
    major, minor = decade_ticks(0.1, 1.2, max_labels=6)  # one decade inside: 2x, 5x named
    assert [t for _, t in major] == ["10"]
    assert {t for _, t in minor} == {"", "2", "5"}
    assert decade_label(-5) == "10⁻⁵" and decade_label(-2) == "0.01" and decade_label(6) == "10⁶"


def _fonts(plots: SidePlots) -> list[float]:
    sizes = []
    for plot in (plots.loss.plot, plots.grad_norm.plot, plots.lr.plot, plots.sweep.plot):
        for name in ("left", "bottom"):
            sizes.append(plot.getAxis(name).style["tickFont"].pointSizeF())
    return sizes


def test_presentation_grows_every_side_plot_tick(qtbot):
    plots = SidePlots()
    qtbot.addWidget(plots)
    small = _fonts(plots)
    plots.set_presentation(True)
    big = _fonts(plots)
    assert all(b >= 1.35 * s for b, s in zip(big, small, strict=True))
    assert plots.loss.plot.getAxis("left").style["tickLength"] < -5
    plots.set_presentation(False)
    assert _fonts(plots) == small


def test_empty_and_short_log_axes_label_only_what_fits(qtbot):
    plots = SidePlots()
    qtbot.addWidget(plots)
    plots.resize(360, 420)
    axis = plots.grad_norm.plot.getAxis("left")
    labels = [t for level in axis._tickLevels for _, t in level if t]
    assert labels == ["1", "10"]  # empty: two decades, nothing piled up
    runs = SimpleNamespace(lr=np.array([0.1, 0.2]))
    plots.set_runs(np.full((2, 4), 200, np.uint8), ["a", "b"], runs)
    history = SimpleNamespace(
        steps=np.arange(4),
        loss=np.array([[30.0, 40.0], [20.0, 35.0], [15.0, 30.0], [12.0, 28.0]]),
        grad_norm=np.array([[80.0, 60.0], [40.0, 50.0], [30.0, 45.0], [20.0, 44.0]]),
        lr=np.full((4, 2), 0.1),
    )
    frame = SimpleNamespace(loss=history.loss[-1], diverged_at=np.array([-1, -1]))
    plots.show_state(history, frame)
    labels = [t for level in axis._tickLevels for _, t in level if t]
    assert len(labels) <= 4 and "8·10¹" not in labels


@pytest.mark.parametrize("scale", [1.0])
def test_halo_pens_are_wider_than_their_lines(scale):
    item = TrailsItem()
    item.set_style(np.full((3, 4), 200, np.uint8), 2.6)
    item.set_layers(np.array([True, True, False]), halo=True)
    assert item._pen(0).widthF() == pytest.approx(2.6)  # the first road: plain width
    assert item._pen(1).widthF() == pytest.approx(4.6)  # a road under it: a rim shows
    assert item._halo_for(1, scale).widthF() > item._pen(1).widthF()
    assert QtGui.QColor(item._pen(2).color()).alpha() == 200  # the cloud stays translucent
    assert QtGui.QColor(item._pen(0).color()).alpha() == 255  # the road is opaque


def test_markers_paint_every_point_in_its_colour_from_one_atlas(qtbot):
    from gui.widgets.run_items import MarkersItem

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(300, 300)
    markers = MarkersItem("o", 14.0)
    widget.addItem(markers)
    points = np.array([[0.2, 0.2], [0.8, 0.8], [0.2, 0.8], [0.8, 0.2]])
    colors = np.array([[255, 0, 0, 255], [0, 0, 255, 255], [255, 0, 0, 255], [0, 160, 0, 255]])
    markers.set_points(points, colors.astype(np.uint8))
    widget.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(20)
    image = widget.grab().toImage()
    for (x, y), rgba in zip(points, colors, strict=True):
        scene = widget.getViewBox().mapViewToScene(QtCore.QPointF(x, y))
        assert image.pixelColor(widget.mapFromScene(scene)).getRgb()[:3] == tuple(rgba[:3])
    atlas, column, side = markers._atlas(1.0)
    assert atlas.width() == 3 * side  # one sprite per distinct colour
    assert column[0] == column[2] != column[1]
