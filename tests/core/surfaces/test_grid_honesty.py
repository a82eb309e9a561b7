"""The sampled landscape tells undefined from off-scale, picks a readable colour scale,
labels its colour bar in core, and marks numerical minima of formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from core.surfaces.colour_scale import (
    ColourScale,
    choose_colour_scale,
    colorbar_ticks,
    tick_label,
)
from core.surfaces.minima import find_minima
from core.surfaces.surface import check_bounds, expression_surface, get_surface, surface_names
from core.surfaces.surface_grid import contour_segments, landscape_grid, resample


def grid_of(text: str, resolution: int = 81, bounds=(-3.0, 3.0, -3.0, 3.0)):
    return landscape_grid(expression_surface(text, bounds), resolution=resolution)


def test_log_marks_its_undefined_half_apart_from_off_scale_values():
    grid = grid_of("log(x) + y**2")  # 81 samples per side: x = 0 is the middle column
    xx = np.broadcast_to(grid.x, grid.z.shape)
    np.testing.assert_array_equal(grid.undefined, xx <= 0)
    assert not grid.overflow.any()
    share = round(100 * (xx <= 0).mean())
    assert grid.warning == (
        f"The formula is undefined on {share} % of this box "
        "(log of a negative number / log of zero)."
    )
    assert np.isfinite(grid.z).all() and not grid.undefined.flags.writeable
    # the colours describe the defined half only: its lowest value is near log(0.075)
    assert grid.levels[0] < -1.0


def test_undefined_everywhere_says_nothing_to_descend():
    grid = grid_of("sqrt(-1 - x**2 - y**2)")
    assert grid.undefined.all()
    assert grid.warning == "The formula is undefined everywhere in this box: nothing to descend."
    assert len(grid.contours) == 0 and np.isfinite(grid.z).all()


def test_overflow_is_not_undefined():
    grid = grid_of("exp(exp(exp(x)))")
    assert not grid.undefined.any() and grid.warning == ""
    overflowed = np.broadcast_to(grid.x > np.log(np.log(np.log(np.finfo(float).max))), grid.z.shape)
    np.testing.assert_array_equal(grid.overflow, overflowed)


def test_no_contour_runs_along_the_edge_of_the_domain():
    grid = grid_of("1/sqrt(x) + y**2")
    segments, _ = contour_segments(grid)
    assert len(segments) and np.all(segments[..., 0] >= grid.x[grid.x > 0][0] - 1e-12)


def test_a_builtin_surface_is_defined_everywhere():
    grid = landscape_grid(get_surface("rosenbrock"), resolution=40)
    assert grid.undefined.shape == (40, 40) and not grid.undefined.any()
    assert grid.warning == "" and grid.scale.kind == "log"


def test_huge_range_gets_a_rank_scale_with_compact_ticks():
    grid = grid_of("exp(exp(exp(x)))", resolution=200)
    assert grid.scale.kind == "rank" and not grid.log_scale
    labels = [label for _, label in grid.colorbar_ticks]
    assert len(labels) >= 4
    assert all(len(label) <= 7 and "x1e" not in label for label in labels)
    assert any("e+" in label for label in labels)  # huge values written compactly
    # the middle half of the box spans a fair share of the colours (it was one colour)
    q1, q3 = np.percentile(grid.z, [25, 75])
    assert (q3 - q1) / (grid.levels[1] - grid.levels[0]) > 0.3


@pytest.mark.parametrize(
    ("text", "kind"),
    [("x**2 + y**2", "linear"), ("exp(exp(x)) + y**2", "rank"), ("-exp(exp(exp(x)))", "rank")],
)
def test_scale_choice(text, kind):
    assert grid_of(text).scale.kind == kind


@pytest.mark.parametrize("name", surface_names())
def test_builtins_keep_their_scale(name):
    surface = get_surface(name)
    grid = landscape_grid(surface, resolution=60)
    assert grid.log_scale == surface.log_scale
    assert grid.scale.kind == ("log" if surface.log_scale else "linear")


@pytest.mark.parametrize("text", ["x**2 + y**2", "exp(exp(exp(x)))", "x**8 + 1e6*y**2"])
def test_ticks_sit_where_their_labels_say(text):
    grid = grid_of(text, resolution=120)
    lo, hi = grid.levels
    positions = [where for where, _ in grid.colorbar_ticks]
    assert positions == sorted(positions) and all(lo <= w <= hi for w in positions)
    assert len({label for _, label in grid.colorbar_ticks}) == len(positions)
    for where, label in grid.colorbar_ticks:
        assert grid.display_value(np.array([float(label)]))[0] == pytest.approx(where)


def test_log_ticks_are_round_losses():
    grid = landscape_grid(get_surface("rosenbrock"), resolution=80)
    labels = [label for _, label in grid.colorbar_ticks]
    assert {"1", "10", "100", "1000"} <= set(labels)
    scale = grid.scale
    for where, label in grid.colorbar_ticks:
        assert scale.loss_at(where) == pytest.approx(float(label), rel=1e-9)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (0.001, "0.001"), (12.5, "12.5"), (99999, "99999"), (1e5, "1e+05"),
     (2.5e262, "2.5e+262"), (-1e-7, "-1e-07"), (0.30000000000000004, "0.3")],
)  # fmt: skip
def test_tick_label(value, text):
    assert tick_label(value) == text


def test_linear_ticks_are_even_round_steps():
    ticks = colorbar_ticks(ColourScale(), 0.05, 16.4)
    assert [label for _, label in ticks] == ["2.5", "5", "7.5", "10", "12.5", "15"]


def test_rank_scale_is_the_share_below():
    values = np.concatenate([np.linspace(0, 1, 500), np.geomspace(10, 1e300, 500)])
    scale = choose_colour_scale(values)
    assert scale.kind == "rank"
    share = scale.display(np.array([0.5, 1e150]))
    np.testing.assert_allclose(share, [0.25, 0.75], atol=0.01)
    np.testing.assert_allclose(scale.loss_at(scale.display(np.array([3e40]))), 3e40, rtol=1e-6)


@pytest.mark.parametrize(
    "bounds", [(-1e308, 1e308, 0.0, 1.0), (0.0, 1.0, -1.7e308, 1.7e308), (1e308, 1.7e308, 0, 1)]
)
def test_bounds_whose_width_overflows_are_refused(bounds):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="bounds"):
            check_bounds(bounds)
        with pytest.raises(ValueError, match="bounds"):
            landscape_grid(get_surface("booth"), bounds=bounds, resolution=10)
        with pytest.raises(ValueError, match="bounds"):
            expression_surface("x + y", bounds)


def test_resample_carries_its_own_masks():
    grid = grid_of("log(x) + y**2")
    patch = resample(grid, (1.0, 2.0, -1.0, 1.0), (20, 10))
    assert patch.undefined.shape == (10, 20) and not patch.undefined.any()
    assert patch.warning == "" and patch.colorbar_ticks == grid.colorbar_ticks
    left = resample(grid, (-2.0, -1.0, -1.0, 1.0), (20, 10))
    assert left.undefined.all() and "everywhere" in left.warning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x**2 + y**2", [(0.0, 0.0)]),
        ("(x-1)**2 + (y+2)**2", [(1.0, -2.0)]),
        ("(x**2 - 1)**2 + y**2", [(-1.0, 0.0), (1.0, 0.0)]),  # a double well: not its saddle
        # tilted: roots of 4x^3 - 4x + 0.3 with f'' > 0, the lower minimum first
        ("(x**2 - 1)**2 + y**2 + 0.3*x", [(-1.0355787, 0.0), (0.9601496, 0.0)]),
        ("x**4 + y**4", [(0.0, 0.0)]),  # degenerate: a zero Hessian
    ],
)
def test_numerical_minima_of_formulas(text, expected):
    found = find_minima(expression_surface(text))
    assert found.numerical
    np.testing.assert_allclose(found.points, expected, atol=1e-6)
    assert np.all(np.diff(found.values) >= 0)
    grid = grid_of(text)
    np.testing.assert_allclose(grid.numerical_minima, expected, atol=2e-3)
    assert grid.minima.shape == (0, 2)  # known minima stay apart from numerical ones


@pytest.mark.parametrize("text", ["x**3 - 3*x*y**2", "x + y", "sin(x) + cos(y)", "log(x) + y"])
def test_no_numerical_minimum_where_there_is_none(text):
    # a monkey saddle (flat centre), a plane, minima outside the box, the domain's edge
    assert len(find_minima(expression_surface(text))) == 0


def test_known_minima_are_not_searched():
    grid = landscape_grid(get_surface("himmelblau"), resolution=30)
    assert len(grid.minima) == 4 and grid.numerical_minima.shape == (0, 2)


def test_no_runtime_warning_escapes():
    texts = ["exp(exp(exp(x)))", "-exp(exp(exp(x)))", "1/x + log(y)", "x**y", "1e300*exp(x*y)"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for text in texts:
            grid = grid_of(text, resolution=64)
            resample(grid, (-1e3, 1e3, -1e-3, 1e-3), (30, 30))
            find_minima(expression_surface(text))
