"""What the landscape draws under the runs, and how the paths sit on it (issue 8).

Undefined cells get their own hatch and core's warning; a huge range gets core's colour
scale and tick labels (no shared multiplier); numerical minima are hollow stars; the
runs that are one road are drawn on top of a stochastic cloud, with a halo; every run
colour stands apart from every colour of the map.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from core.surfaces.surface import expression_surface, get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.landscape_domain import hatch_rgba
from gui.descent.views.landscape_view import LandscapeView
from gui.shell import colors as palette


def _view(qtbot, grid) -> LandscapeView:
    view = LandscapeView()
    qtbot.addWidget(view)
    view.resize(560, 520)
    view.set_landscape(grid)
    return view


def _image(view) -> np.ndarray:
    """The widget as an (H, W, 3) uint8 array."""
    image = view.plot_widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    return np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine() // 4, 4)[
        :, :w, 2::-1
    ]


def _pixel(view, x: float, y: float) -> np.ndarray:
    """The colour drawn at data point (x, y)."""
    scene = view.view_box.mapViewToScene(QtCore.QPointF(x, y))
    pos = view.plot_widget.mapFromScene(scene)
    return _image(view)[pos.y(), pos.x()].astype(int)


def test_log_x_hatches_its_undefined_half_and_says_so(qtbot):
    grid = landscape_grid(expression_surface("log(x) + y**2", (-2, 2, -2, 2)), resolution=80)
    assert grid.undefined.any() and grid.warning
    view = _view(qtbot, grid)
    overlay = view.layers.undefined
    assert overlay.hatch.isVisible() and overlay.label.isVisible()
    assert overlay.label.toPlainText() == grid.warning
    rgba = overlay.hatch.image
    np.testing.assert_array_equal(rgba[..., 3] > 0, view.layers.patch.undefined)
    violet = (rgba[..., :3] == palette.UNDEFINED_COLOR).all(axis=-1)
    assert violet.any() and not violet[~view.layers.patch.undefined].any()
    # on screen: the undefined half shows violet, not the map's grey of off-scale values
    view.show()
    qtbot.waitUntil(lambda: view.is_settled, timeout=5000)
    left = _image(view)
    scene = view.view_box.mapViewToScene(QtCore.QRectF(-1.8, -1.8, 1.5, 3.6)).boundingRect()
    box = view.plot_widget.mapFromScene(scene).boundingRect()
    patch = left[box.top() : box.bottom(), box.left() : box.right()].reshape(-1, 3).astype(int)
    near_violet = np.abs(patch - palette.UNDEFINED_COLOR).sum(axis=1) < 40
    assert near_violet.mean() > 0.3
    view.shutdown()


def test_a_defined_landscape_has_no_hatch_and_no_warning(qtbot):
    view = _view(qtbot, landscape_grid(get_surface("rosenbrock"), resolution=60))
    assert not view.layers.undefined.hatch.isVisible()
    assert not view.layers.undefined.label.isVisible()
    view.shutdown()


def test_hatch_is_striped_only_where_undefined():
    mask = np.zeros((20, 20), bool)
    mask[:, :10] = True
    rgba = hatch_rgba(mask)
    assert (rgba[:, 10:, 3] == 0).all()
    stripes = (rgba[:, :10, :3] == palette.UNDEFINED_COLOR).all(axis=-1)
    assert 0.3 < stripes.mean() < 0.7  # two tones, alternating


def test_huge_range_uses_cores_scale_and_labels_without_a_multiplier(qtbot):
    grid = landscape_grid(
        expression_surface("exp(exp(exp(x))) + y**2", (-3, 1.8, -2, 2)), resolution=80
    )
    assert grid.scale.kind == "rank"
    view = _view(qtbot, grid)
    axis = view.colorbar.axis
    assert axis._tickLevels[0] == [(float(v), t) for v, t in grid.colorbar_ticks]
    assert "x1e" not in axis.labelString() and "(x" not in axis.labelString()
    assert grid.colorbar_title in axis.labelString()
    # the labels fit: the axis is at least as wide as the longest label
    metrics = QtGui.QFontMetricsF(axis.style["tickFont"])
    widest = max(metrics.horizontalAdvance(t) for _, t in grid.colorbar_ticks)
    assert axis.minimumWidth() >= widest
    view.shutdown()


def test_numerical_minima_are_hollow_stars_said_to_be_numerical(qtbot):
    grid = landscape_grid(expression_surface("(x**2 - 1)**2 + (y - x / 2)**2"), resolution=60)
    assert len(grid.numerical_minima) == 2 and len(grid.minima) == 0
    view = _view(qtbot, grid)
    stars = view.layers.numerical_minima
    drawn = np.array([[s.pos().x(), s.pos().y()] for s in stars.points()])
    np.testing.assert_allclose(np.sort(drawn, axis=0), np.sort(grid.numerical_minima, axis=0))
    assert all(s.brush().style() == QtCore.Qt.BrushStyle.NoBrush for s in stars.points())
    assert "numerically" in stars.toolTip()
    texts = [label.text for _, label in view.arrow_legend.legend.items]
    assert "minimum found numerically" in texts
    view.set_landscape(landscape_grid(get_surface("rosenbrock"), resolution=60))
    assert len(view.layers.numerical_minima.points()) == 0
    assert "minimum found numerically" not in [
        label.text for _, label in view.arrow_legend.legend.items
    ]
    view.shutdown()


def _two_roads_and_a_cloud(view):
    """Runs 0-1: one full-batch setting (two identical seeds); 2-3: a stochastic one."""
    colors = np.array(
        [[213, 94, 0, 150], [213, 94, 0, 150], [0, 114, 178, 150], [0, 114, 178, 150]]
    )
    view.set_runs(colors.astype(np.uint8), ["full", "full", "sgd", "sgd"])
    t = np.linspace(0.0, 1.0, 30)
    road = np.column_stack([-1.5 + 2.5 * t, 0.5 + 0 * t])
    rows = np.zeros((30, 4, 2))
    rows[:, 0] = rows[:, 1] = road
    rows[:, 2] = road + [0.0, 0.0]  # the cloud runs over the road...
    rows[:, 3] = road + [0.0, 0.02]  # ...and its seeds differ
    frame = type("F", (), {})()
    frame.step, frame.points = 29, rows[-1]
    for name in ("grad", "velocity", "update"):
        setattr(frame, name, np.zeros((4, 2)))
    frame.stop_reason, frame.outside = np.zeros(4, int), np.zeros(4, bool)
    view.show_state(rows, frame, np.zeros(4, bool))
    return rows


def test_the_deterministic_road_is_drawn_on_top_of_the_cloud_with_a_halo(qtbot):
    view = _view(qtbot, landscape_grid(get_surface("rosenbrock"), resolution=60))
    view.set_arrow_options(False, False, False)
    _two_roads_and_a_cloud(view)
    assert view.paths.on_top.tolist() == [True, True, False, False]
    view.show()
    qtbot.waitUntil(lambda: view.is_settled, timeout=5000)
    on_road = _pixel(view, -0.5, 0.5)
    assert np.abs(on_road - (213, 94, 0)).sum() < 60  # the road's opaque colour, on top
    # just beside the road: the halo's pale outline, lighter than the map there
    (x0, x1), _ = view.view_box.viewRange()
    px = (x1 - x0) / view.view_box.width()
    beside = _pixel(view, -0.5, 0.5 + 3.5 * px)
    assert beside.min() > 225
    view.shutdown()


def test_every_run_colour_stands_apart_from_the_map():
    ramp = palette.landscape_colormap().map(np.linspace(0, 1, 64), mode="byte")[:, :3]
    assert np.ptp(ramp.astype(int), axis=1).max() <= 16  # a neutral (slightly cool) grey map
    lr = palette.lr_colormap().map(np.linspace(0, 1, 32), mode="byte")[:, :3]
    for colour in np.vstack([np.array(palette.OKABE_ITO), lr]).astype(int):
        distance = np.linalg.norm(ramp.astype(int) - colour, axis=1)
        assert distance.min() >= 90, colour
    hatch = np.array(palette.UNDEFINED_COLOR)
    assert np.linalg.norm(ramp.astype(int) - hatch, axis=1).min() >= 90


@pytest.mark.parametrize("on", [False, True])
def test_presentation_grows_the_markers_of_every_kind(qtbot, on):
    view = _view(qtbot, landscape_grid(get_surface("rosenbrock"), resolution=40))
    view.set_presentation(on)
    big = 1.5 if on else 1.0
    assert view.marks.crosses.size == pytest.approx(16.0 * big)
    assert view.marks.squares.size == pytest.approx(13.0 * big)
    assert view.marks.pointers.size == pytest.approx(18.0 * big)
    view.shutdown()
