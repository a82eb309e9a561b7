"""The 3-D view's geometry without GL: the camera a surface gets, its axes, path rows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.surfaces.surface import get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.surface3d_geometry import (
    FIELD_OF_VIEW,
    HEIGHT,
    MAX_LOSS_TICKS,
    BoxScale,
    axes_layout,
    default_camera,
    nice_ticks,
    path_rows,
    tick_label,
)


def _eye(camera) -> np.ndarray:
    """The camera's position: GLViewWidget's orbit around its centre."""
    el, az = math.radians(camera.elevation), math.radians(camera.azimuth)
    direction = np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])
    return np.array(camera.center) + camera.distance * direction


@pytest.mark.parametrize(
    "bounds", [(-2.0, 2.0, -1.0, 3.0), (-5, 5, -5, 5), (-3.0, 5.0, -5.0, 6.0), (0, 100, 0, 1)]
)
@pytest.mark.parametrize("aspect", [1.0, 2.5])
def test_the_default_camera_sees_the_whole_box(bounds, aspect):
    camera = default_camera(bounds, aspect)
    scale = 2.0 / max(bounds[1] - bounds[0], bounds[3] - bounds[2])
    ax, ay = (bounds[1] - bounds[0]) * scale / 2, (bounds[3] - bounds[2]) * scale / 2
    corners = np.array([(x, y, z) for x in (-ax, ax) for y in (-ay, ay) for z in (0, HEIGHT)])
    eye = _eye(camera)
    forward = np.array(camera.center) - eye
    forward /= np.linalg.norm(forward)
    to_corners = corners - eye
    cos_angle = to_corners @ forward / np.linalg.norm(to_corners, axis=1)
    half_fov = math.radians(FIELD_OF_VIEW / 2)  # horizontal; a wide view is shorter
    half_fov = min(half_fov, math.atan(math.tan(half_fov) / aspect))
    assert np.all(cos_angle > math.cos(half_fov))  # every corner inside the view cone
    assert np.all(np.linalg.norm(to_corners, axis=1) > 0.2)  # the camera is outside the box
    assert max(np.arccos(np.clip(cos_angle, -1, 1))) > 0.5 * half_fov  # not lost far away


def test_each_surface_gets_its_own_camera_turned_to_its_long_side():
    square = default_camera((-5, 5, -5, 5))
    tall = default_camera((-3.0, 5.0, -5.0, 6.0))  # linreg's (w, b) box: long in b
    wide = default_camera((-2.0, 2.0, -1.0, 1.0))
    assert square.azimuth == pytest.approx(-65.0)
    assert wide.azimuth < square.azimuth < tall.azimuth
    assert square.distance > wide.distance  # a flatter box needs less distance
    assert default_camera((-5, 5, -5, 5), 2.0).distance > square.distance  # a wide view


def test_nice_ticks_are_round_numbers_inside_the_range():
    np.testing.assert_allclose(nice_ticks(-2.0, 2.0), [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(nice_ticks(0.5, 3.5), [1, 2, 3])
    np.testing.assert_allclose(nice_ticks(-5, 5), [-4, -2, 0, 2, 4])
    np.testing.assert_allclose(nice_ticks(-0.03, 0.07), [-0.02, 0, 0.02, 0.04, 0.06])
    ticks = nice_ticks(-0.3, 0.3)  # 0 from -0.2 + 0.2 steps: printed "0", never "-0"
    assert [tick_label(t) for t in ticks] == ["-0.2", "0", "0.2"]
    assert nice_ticks(1.0, 1.0).tolist() == [1.0]
    assert nice_ticks(np.nan, 1.0).size == 0


def test_axes_put_each_tick_at_its_value_and_the_loss_ticks_at_the_colour_bar_s():
    grid = landscape_grid(get_surface("rosenbrock"), resolution=60)
    box = BoxScale(grid)
    layout = axes_layout(box, grid.colorbar_ticks)
    assert layout.segments.shape[1:] == (2, 3) and np.isfinite(layout.segments).all()
    labels = [(np.array(pos), text) for pos, text in layout.labels]
    assert {"x", "y", "loss"} <= {text for _, text in labels}
    ax, ay = box.half
    front = {text: pos for pos, text in labels if pos[1] < -ay and pos[2] == 0}  # x ticks
    right = {text: pos for pos, text in labels if pos[0] > ax and pos[2] == 0}  # y ticks
    corner = {text: pos for pos, text in labels if pos[0] < -ax}  # loss ticks
    for value in nice_ticks(box.lo[0], box.hi[0]):
        assert front[f"{value:.3g}"][0] == pytest.approx((value - box.centre[0]) * box.scale)
    for value in nice_ticks(box.lo[1], box.hi[1]):
        assert right[f"{value:.3g}"][1] == pytest.approx((value - box.centre[1]) * box.scale)
    lo, hi = grid.levels
    in_levels = [(d, text) for d, text in grid.colorbar_ticks if lo <= d <= hi]
    shown = [(d, text) for d, text in in_levels if text in corner]
    assert 2 <= len(shown) <= MAX_LOSS_TICKS and shown[0] == in_levels[0]
    for display, text in shown:  # the colour bar's round losses, at their heights
        assert corner[text][2] == pytest.approx(box.height(np.array([display]))[0])
    labels = {text: pos for pos, text in labels}
    assert labels["loss"][2] > HEIGHT


def test_path_rows_keep_the_start_and_the_newest_row_within_the_budget():
    rows = path_rows(10_000, 144, budget=12_000)
    assert rows[0] == 0 and rows[-1] == 9_999
    assert np.all(np.diff(rows) > 0)
    assert len(rows) <= 12_000 // 144 + 1
    assert path_rows(50, 2).tolist() == list(range(50))  # short: every row
    assert len(path_rows(100_000, 1)) <= 301
    assert path_rows(0, 3).size == 0
