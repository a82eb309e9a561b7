"""core.surfaces.surface_grid: finite display values, robust colour levels, contours."""

from __future__ import annotations

import numpy as np
import pytest

from core.surfaces.surface import get_surface, surface_names
from core.surfaces.surface_grid import (
    LandscapeGrid,
    contour_segments,
    landscape_grid,
    nice_step,
    resample,
)


class _Spiky:
    """A bowl with one enormous value, one inf and one NaN: must not flatten the colours."""

    name = "spiky"
    display_name = "Spiky bowl"
    bounds = (-2.0, 2.0, -2.0, 2.0)
    start = (1.0, 1.0)
    minima = np.array([[0.0, 0.0]])

    def __init__(self, log_scale: bool) -> None:
        self.log_scale = log_scale

    def value(self, p):
        p = np.asarray(p, float)
        v = p[:, 0] ** 2 + p[:, 1] ** 2
        if len(v) > 3:  # the grid (not the minima): spoil three samples
            v[0], v[1], v[2] = 1e300, np.inf, np.nan
        return v

    def gradient(self, p):
        return 2.0 * np.asarray(p, float)


@pytest.mark.parametrize("name", surface_names())
def test_every_surface_gives_a_finite_grid(name):
    grid = landscape_grid(get_surface(name), resolution=60)
    assert grid.z.shape == (60, 60)
    assert grid.x.shape == (60,) and grid.y.shape == (60,)
    assert np.isfinite(grid.z).all()
    lo, hi = grid.levels
    assert np.isfinite([lo, hi]).all() and lo < hi
    assert np.all((grid.contour_levels > lo) & (grid.contour_levels < hi))
    assert np.all(np.diff(grid.contour_levels) > 0)
    assert len(grid.contour_levels) >= 3
    assert not grid.z.flags.writeable


@pytest.mark.parametrize("log_scale", [False, True])
def test_a_huge_value_does_not_flatten_the_levels(log_scale):
    grid = landscape_grid(_Spiky(log_scale), resolution=100)
    assert np.isfinite(grid.z).all()
    lo, hi = grid.levels
    # without the spike the bowl tops out at 8 (log10(8) ~ 0.9): levels stay near that
    assert hi < (1.0 if log_scale else 8.5)
    assert lo < (-1.0 if log_scale else 0.5)


def test_log_scale_display_matches_the_loss():
    surface = get_surface("rosenbrock")
    grid = landscape_grid(surface, resolution=50)
    assert grid.log_scale
    xx, yy = np.meshgrid(grid.x, grid.y)
    loss = surface.value(np.column_stack([xx.ravel(), yy.ravel()])).reshape(50, 50)
    np.testing.assert_allclose(grid.display_value(loss), grid.z, rtol=1e-12, atol=1e-12)
    # the minimum is the deepest point of the display
    assert grid.display_value(np.array([0.0]))[0] <= grid.z.min()
    assert np.isfinite(grid.display_value(np.array([np.inf, np.nan, -1.0]))).all()


def test_contours_of_a_bowl_are_circles():
    grid = landscape_grid(get_surface("bowl", condition=1.0), resolution=200)
    segments, level_index = contour_segments(grid)
    assert segments.shape[1:] == (2, 2) and len(segments) == len(level_index)
    for i, level in enumerate(grid.contour_levels):
        pts = segments[level_index == i].reshape(-1, 2)
        if len(pts) == 0:
            continue
        value = get_surface("bowl", condition=1.0).value(pts)
        np.testing.assert_allclose(value, level, rtol=2e-3, atol=2e-3)


def test_resolution_and_bounds_are_validated():
    surface = get_surface("booth")
    with pytest.raises(ValueError, match="resolution"):
        landscape_grid(surface, resolution=3)
    with pytest.raises(ValueError, match="resolution"):
        landscape_grid(surface, resolution=2.5)
    with pytest.raises(ValueError, match="bounds"):
        landscape_grid(surface, bounds=(1, 0, 0, 1))
    with pytest.raises(ValueError, match="bounds"):
        landscape_grid(surface, bounds=(0, 1, 0))


def test_custom_bounds_are_used():
    grid = landscape_grid(get_surface("himmelblau"), bounds=(0, 1, 2, 4), resolution=20)
    assert grid.bounds == (0.0, 1.0, 2.0, 4.0)
    assert grid.x[0] == 0 and grid.x[-1] == 1 and grid.y[0] == 2 and grid.y[-1] == 4
    assert "himmelblau" in repr(grid).lower()


@pytest.mark.parametrize(
    ("span", "target", "step"), [(10, 10, 1), (3.3, 14, 0.25), (0.07, 7, 0.01)]
)
def test_nice_step(span, target, step):
    assert nice_step(span, target) == pytest.approx(step)


def test_resample_keeps_the_levels_and_the_display_units():
    surface = get_surface("rosenbrock")
    grid = landscape_grid(surface, resolution=60)
    patch = resample(grid, (-4.0, 0.0, 2.0, 5.0), (50, 30))
    assert patch.z.shape == (30, 50) and not patch.z.flags.writeable
    assert patch.bounds == (-4.0, 0.0, 2.0, 5.0) and patch.x[0] == -4.0 and patch.y[-1] == 5.0
    assert patch.levels == grid.levels and patch.loss_min == grid.loss_min
    np.testing.assert_array_equal(patch.contour_levels, grid.contour_levels)
    xx, yy = np.meshgrid(patch.x, patch.y)
    loss = surface.value(np.column_stack([xx.ravel(), yy.ravel()])).reshape(30, 50)
    lo, hi = grid.levels
    expected = np.clip(grid.display_value(loss), lo - 1e6 * (hi - lo), hi + 1e6 * (hi - lo))
    np.testing.assert_allclose(patch.z, expected)
    assert len(patch.contours) and np.isfinite(patch.contours).all()
    assert len(resample(grid, patch.bounds, (50, 30), contours=False).contours) == 0


def test_resample_of_non_finite_values_and_cancellation():
    grid = landscape_grid(_Spiky(True), resolution=40)
    patch = resample(grid, (-3, 3, -3, 3), (40, 40))
    assert np.isfinite(patch.z).all()
    assert resample(grid, (-3, 3, -3, 3), (40, 40), cancelled=lambda: True) is None


def test_resample_validates_its_input():
    grid = landscape_grid(get_surface("booth"), resolution=20)
    with pytest.raises(ValueError, match="shape"):
        resample(grid, grid.bounds, (1, 50))
    with pytest.raises(ValueError, match="bounds"):
        resample(grid, (0, 0, 0, 1), (10, 10))
    orphan = LandscapeGrid(
        **{
            f: getattr(grid, f)
            for f in ("x", "y", "z", "levels", "log_scale", "contour_levels", "minima", "bounds")
        }
    )
    with pytest.raises(ValueError, match="grid"):
        resample(orphan, grid.bounds, (10, 10))
