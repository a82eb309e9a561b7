"""The heat map follows the view: filled after a resize, finer after a zoom, same colours."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from core.surfaces.surface import get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.landscape_regrid import pad_box
from gui.descent.views.landscape_view import LandscapeView

WAIT_MS = 8000


class _Holes:
    """A bowl that is NaN for x > 3 and +inf for y > 3: outside its default box only."""

    name = "holes"
    display_name = "Bowl with holes"
    bounds = (-2.0, 2.0, -2.0, 2.0)
    start = (1.0, 1.0)
    minima = np.array([[0.0, 0.0]])
    log_scale = True

    def value(self, p):
        p = np.asarray(p, float)
        v = p[:, 0] ** 2 + p[:, 1] ** 2
        return np.where(p[:, 0] > 3, np.nan, np.where(p[:, 1] > 3, np.inf, v))

    def gradient(self, p):
        return 2.0 * np.asarray(p, float)


@pytest.fixture
def make_view(qtbot):
    views = []

    def make(surface, size=(640, 600)):
        view = LandscapeView()
        qtbot.addWidget(view)
        views.append(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        grid = landscape_grid(surface, resolution=120)
        view.set_landscape(grid)
        settle(qtbot, view)
        return view, grid

    yield make
    for view in views:  # no regrid thread may outlive its view
        assert view.shutdown(2000)
        assert view.regrid._pool.activeThreadCount() == 0
        assert not view.regrid._timer.isActive()


def _pixels(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    return rows[:, : image.width(), :3].astype(int)


def image_rect(view) -> QtCore.QRectF:
    return view.image.mapRectToParent(view.image.boundingRect())


def covers(view) -> bool:
    rect, (x0, x1), (y0, y1) = image_rect(view), *view.view_box.viewRange()
    return rect.left() <= x0 and rect.right() >= x1 and rect.top() <= y0 and rect.bottom() >= y1


def settle(qtbot, view, extra=lambda: True) -> None:
    qtbot.waitUntil(lambda: view.is_settled and covers(view) and extra(), timeout=WAIT_MS)


def spacing(view) -> float:
    return image_rect(view).width() / view.image.image.shape[1]


def view_aspect(view) -> float:
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    return (x1 - x0) / (y1 - y0)


@pytest.mark.parametrize("size", [(1000, 360), (420, 760)], ids=["wide", "tall"])
def test_heat_map_fills_a_wide_and_a_tall_view(qtbot, make_view, size):
    view, grid = make_view(get_surface("rosenbrock"))
    wide = size[0] > size[1]
    view.resize(*size)
    settle(qtbot, view, lambda: (view_aspect(view) > 1.5) == wide)
    xmin, xmax, ymin, ymax = grid.bounds
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    # the default box fits snugly: it touches the view on the cramped side
    if wide:
        assert (y0, y1) == pytest.approx((ymin, ymax), abs=1e-6) and x1 - x0 > 2 * (xmax - xmin)
    else:
        assert (x0, x1) == pytest.approx((xmin, xmax), abs=1e-6) and y1 - y0 > 2 * (ymax - ymin)
    assert covers(view)
    assert not view.layers.backdrop.isVisible()  # under an opaque patch: not painted
    assert np.isfinite(view.image.image).all()


def test_zoom_in_gives_finer_pixels_with_the_same_levels(qtbot, make_view):
    view, grid = make_view(get_surface("himmelblau"))
    before = spacing(view)
    view.view_box.scaleBy((0.2, 0.2))
    settle(qtbot, view, lambda: spacing(view) < before / 3)
    patch = view.layers.patch
    assert patch is not grid and patch.surface is grid.surface
    np.testing.assert_allclose(view.image.levels, grid.levels)
    np.testing.assert_allclose(view.colorbar.levels(), grid.levels)
    np.testing.assert_array_equal(patch.contour_levels, grid.contour_levels)
    # contours are traced anew on the zoomed patch: their points lie on the same levels
    x, y = view.contours.getData()
    assert len(x) > 0 and np.isfinite(x).all() and np.isfinite(y).all()
    values = grid.display_value(grid.surface.value(np.column_stack([x, y])))
    off = np.min(np.abs(values[:, None] - grid.contour_levels[None, :]), axis=1)
    assert np.median(off) < 0.02 * (grid.levels[1] - grid.levels[0])


def test_panning_keeps_the_view_filled(qtbot, make_view):
    view, grid = make_view(get_surface("beale"))
    span = grid.bounds[1] - grid.bounds[0]
    view.view_box.translateBy(x=0.8 * span, y=-0.5 * span)
    settle(qtbot, view)
    lo, hi = view.view_box.state["limits"]["xLimits"]
    (x0, x1), _ = view.view_box.viewRange()
    assert lo <= x0 and x1 <= hi  # the pan limits still hold


def test_the_backdrop_is_drawn_only_while_the_view_reaches_past_the_patch(qtbot, make_view):
    view, _ = make_view(get_surface("beale"))
    settle(qtbot, view)
    assert covers(view) and not view.layers.backdrop.isVisible()
    px1 = view.layers.patch.bounds[1]
    (x0, x1), _ = view.view_box.viewRange()
    view.view_box.translateBy(x=(px1 - x1) + 0.3 * (x1 - x0))  # past the patch's edge
    assert view.layers.backdrop.isVisible()  # at once: no bare canvas while panning
    before = _pixels(view.grab().toImage())
    view.layers.backdrop.setVisible(False)
    assert np.abs(_pixels(view.grab().toImage()) - before).max() > 40  # it fills the gap
    settle(qtbot, view)
    assert covers(view) and not view.layers.backdrop.isVisible()


def test_nothing_non_finite_reaches_the_image(qtbot, make_view):
    view, grid = make_view(_Holes())
    view.view_box.setRange(xRange=(1.0, 5.5), yRange=(1.0, 5.5), padding=0.0)
    settle(qtbot, view)
    assert np.isfinite(view.image.image).all()
    assert np.isfinite(view.layers.backdrop.image).all()
    assert np.isfinite(view.contours.getData()[0]).all()
    # NaN and inf show as the top colour, not as holes
    assert view.image.image.max() >= grid.levels[1]


def test_a_stale_result_is_dropped(qtbot, make_view):
    view, _ = make_view(get_surface("rosenbrock"))
    shown = view.layers.patch
    stale = landscape_grid(get_surface("rosenbrock"), bounds=(5, 6, 5, 6), resolution=16)
    view.regrid._on_result((view.regrid.generation - 1, stale, None))
    assert view.layers.patch is shown


def test_the_cache_never_shows_an_older_picture(qtbot, make_view):
    """After regrids, what is on screen equals a fresh repaint (no stale cached tiles)."""
    view, _ = make_view(get_surface("beale"), size=(500, 700))
    view.view_box.scaleBy((0.5, 0.5))
    settle(qtbot, view)
    first = _pixels(view.grab().toImage())
    for item in (view.image, view.contours, view.layers.backdrop):
        item.setCacheMode(item.CacheMode.NoCache)
    fresh = _pixels(view.grab().toImage())
    # a cache renders lines a sub-pixel apart: small differences only, and rare
    diff = np.abs(first - fresh).max(axis=2)
    assert (diff > 40).mean() < 1e-4 and diff.mean() < 0.05


def test_hidden_view_computes_nothing_and_catches_up_when_shown(qtbot, make_view):
    view, _ = make_view(get_surface("himmelblau"))
    view.hide()
    view.view_box.scaleBy((2.0, 2.0))
    qtbot.wait(200)
    assert view.regrid._pool.activeThreadCount() == 0 and not covers(view)
    view.show()
    assert not view.is_settled
    settle(qtbot, view)
    assert view.is_settled


def test_export_contains_the_filled_heat_map(qtbot, make_view, tmp_path):
    view, _ = make_view(get_surface("rosenbrock"), size=(1000, 380))
    path = tmp_path / "wide.png"
    view.export_png(str(path), width=1500)
    image = QtGui.QImage(str(path))
    plot_rect, box_rect = view.plot.sceneBoundingRect(), view.view_box.sceneBoundingRect()
    scale = image.width() / plot_rect.width()
    inner = box_rect.translated(-plot_rect.topLeft()).adjusted(4, 4, -4, -4)
    x0, y0 = int(inner.left() * scale), int(inner.top() * scale)
    x1, y1 = int(inner.right() * scale), int(inner.bottom() * scale)
    white = np.all(_pixels(image)[y0:y1, x0:x1] >= 250, axis=2)
    # a bare band is a run of white rows or columns (a legend only covers a corner)
    assert white.mean(axis=1).max() < 0.5 and white.mean(axis=0).max() < 0.5


def test_pad_box_stays_in_the_limits_but_covers_the_view():
    assert pad_box((0, 1, 0, 2), (-10, 10, -10, 10), 0.1) == pytest.approx((-0.1, 1.1, -0.2, 2.2))
    assert pad_box((0, 1, 0, 1), (0, 1.05, -1, 1), 0.1) == pytest.approx((0, 1.05, -0.1, 1))
    assert pad_box((-2, 2, 0, 1), (-1, 1, 0, 1), 0.1) == pytest.approx((-2, 2, 0, 1))


def test_closing_the_window_waits_for_the_regrid(qtbot):
    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    view = LandscapeView(window)
    QtWidgets.QVBoxLayout(window).addWidget(view)
    window.resize(800, 700)
    window.show()
    qtbot.waitExposed(window)
    view.set_landscape(landscape_grid(get_surface("ackley"), resolution=60))
    qtbot.waitUntil(lambda: view.regrid._pool.activeThreadCount() == 1, timeout=WAIT_MS)
    window.close()  # the window never calls view.shutdown() itself here
    assert view.regrid._pool.activeThreadCount() == 0
    assert not view.regrid._timer.isActive()


def test_mouse_wheel_zoom_is_kept_through_a_resize(qtbot, make_view):
    view, grid = make_view(get_surface("himmelblau"))
    before = spacing(view)
    viewport = view.plot_widget.viewport()
    centre = QtCore.QPointF(viewport.width() / 2, viewport.height() / 2)
    for _ in range(4):  # four notches towards the user: zoom in
        event = QtGui.QWheelEvent(
            centre, viewport.mapToGlobal(centre), QtCore.QPoint(0, 0), QtCore.QPoint(0, 120),
            QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
            QtCore.Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QtWidgets.QApplication.sendEvent(viewport, event)
    assert not view.regrid.home
    (x0, x1), _ = view.view_box.viewRange()
    zoomed = x1 - x0
    assert zoomed < 0.8 * (grid.bounds[1] - grid.bounds[0])
    settle(qtbot, view, lambda: spacing(view) < 0.8 * before)
    view.resize(700, 600)
    settle(qtbot, view, lambda: view.view_box.width() > 560)
    (x0, x1), _ = view.view_box.viewRange()
    assert x1 - x0 < 0.8 * (grid.bounds[1] - grid.bounds[0])  # not fitted back to the box


def test_the_contours_are_painted_into_the_heat_maps_cached_picture(qtbot, make_view):
    """One cached picture for heat map and contours: a frame blits it once."""
    view, _ = make_view(get_surface("himmelblau"))
    settle(qtbot, view)
    assert view.contours.scene() is None  # not an item of its own
    assert view.image.cacheMode() == view.image.CacheMode.DeviceCoordinateCache
    with_lines = _pixels(view.grab().toImage())
    assert len(view.contours.getData()[0]) > 0
    view.contours.setData([], [])
    view.image.setCacheMode(view.image.CacheMode.NoCache)  # as show_patch drops it
    view.image.setCacheMode(view.image.CacheMode.DeviceCoordinateCache)
    without = _pixels(view.grab().toImage())
    assert (np.abs(with_lines - without).max(axis=2) > 40).mean() > 0.002  # the lines
