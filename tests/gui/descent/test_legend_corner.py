"""The landscape's run legend sits in the corner where it hides the fewest path points
(issue 8: on small screens it covered the paths), and does not jump about."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.surfaces.surface import get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.landscape_overlays import CORNERS, least_covering_corner, legend_rect
from gui.descent.views.landscape_view import LandscapeView

BOTTOM_LEFT, TOP_LEFT, TOP_RIGHT, BOTTOM_RIGHT = CORNERS
VIEW, VIEW_PX, SIZE = (0.0, 10.0, 0.0, 8.0), (500.0, 400.0), (100.0, 50.0)


def test_legend_rect_is_the_corner_in_data_units():
    # 0.02 data units per pixel both ways; data y grows upward, pixel y downward
    assert legend_rect(BOTTOM_LEFT, SIZE, VIEW_PX, VIEW) == pytest.approx((0.2, 2.2, 0.2, 1.2))
    assert legend_rect(TOP_RIGHT, SIZE, VIEW_PX, VIEW) == pytest.approx((7.8, 9.8, 6.8, 7.8))


def test_the_legend_leaves_the_corner_the_paths_run_through():
    rng = np.random.default_rng(0)
    paths = rng.uniform([0.3, 0.3], [2.0, 1.1], size=(200, 2))  # all in the bottom left
    paths = np.vstack([paths, rng.uniform([7.9, 6.9], [9.7, 7.7], size=(50, 2))])  # top right
    corner = least_covering_corner(paths, SIZE, VIEW_PX, VIEW, BOTTOM_LEFT)
    assert corner in (TOP_LEFT, BOTTOM_RIGHT)
    taken = (TOP_LEFT, BOTTOM_RIGHT)  # e.g. the arrow legend's corner
    assert least_covering_corner(paths, SIZE, VIEW_PX, VIEW, BOTTOM_LEFT, taken) == TOP_RIGHT


def test_the_legend_stays_unless_another_corner_is_clearly_better():
    points = np.array([[1.0, 0.8]] * 10 + [[1.0, 7.5]] * 8)  # bottom left 10, top left 8
    assert least_covering_corner(points, SIZE, VIEW_PX, VIEW, BOTTOM_LEFT, (TOP_RIGHT,)) in (
        BOTTOM_LEFT,
        BOTTOM_RIGHT,
    )
    # an empty corner is clearly better than ten points: move there
    assert least_covering_corner(points, SIZE, VIEW_PX, VIEW, BOTTOM_LEFT) != BOTTOM_LEFT
    # three points against two: not worth a jump
    few = np.array([[1.0, 0.8]] * 3 + [[1.0, 7.5]] * 2 + [[9.0, 7.5]] * 2 + [[9.0, 0.8]] * 2)
    assert least_covering_corner(few, SIZE, VIEW_PX, VIEW, BOTTOM_LEFT) == BOTTOM_LEFT


def test_the_landscape_moves_its_run_legend_off_the_paths(qtbot):
    view = LandscapeView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    qtbot.waitExposed(view)
    view.set_landscape(landscape_grid(get_surface("rosenbrock"), resolution=60))
    colors = np.array([[200, 0, 0, 255], [0, 0, 200, 255]], np.uint8)
    view.set_runs(colors, ["a", "b"])
    view.set_arrow_options(False, False, False)
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    # both paths run along the bottom left corner, where the legend starts
    x = x0 + (x1 - x0) * np.linspace(0.02, 0.3, 40)
    a = np.column_stack([x, np.full(40, y0 + 0.05 * (y1 - y0))])
    points = np.stack([a, a + [0, 0.03 * (y1 - y0)]], axis=1)
    frame = SimpleNamespace(step=39, points=points[-1], stop_reason=np.zeros(2, int))
    frame.outside = np.zeros(2, bool)
    view.show_state(points, frame, np.zeros(2, bool))
    assert view.run_legend.legend.isVisible()
    assert view.run_legend.corner != BOTTOM_LEFT
