"""The plotting widgets: finite data in every item, clicks, export, overlays, side plots."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from core.descent.config import DescentConfig, OptimizerSpec, start_grid
from core.descent.engine import DescentRun
from core.descent.outcomes import classify_outcomes
from core.descent.recording import descent_history
from core.descent.stability import stability_report
from core.descent.trajectories import descend
from core.optim.schedules import ScheduleSpec
from core.surfaces.surface import get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.landscape_view import LandscapeView
from gui.descent.views.side_plots import SidePlots
from gui.descent.views.stability_meter import StabilityMeter, label_left
from gui.shell.colors import lr_colorbar, run_colors
from gui.widgets.path_feed import PathFeed
from gui.widgets.trails import TrailsItem

LRS = (1e-4, 1e-3, 2.5e-3, 2e-2)  # on Rosenbrock from (-1.2, 1): the last ones diverge


def _record(config: DescentConfig, capacity: int = 256):
    run = DescentRun(config)
    history = frame = None
    for frame in run.frames():
        if history is None:  # the first frame fixes the recorded shapes
            history = descent_history(frame, capacity=capacity)
        history.append(frame)
    return run, history.snapshot(), frame


@pytest.fixture(scope="module")
def diverging_sweep():
    config = DescentConfig(surface="rosenbrock", learning_rates=LRS, steps=300)
    run, snapshot, frame = _record(config)
    assert (frame.diverged_at >= 0).sum() >= 1
    return run, snapshot, frame


@pytest.fixture(scope="module")
def rosenbrock_grid():
    return landscape_grid(get_surface("rosenbrock"), resolution=120)


def _landscape(qtbot, grid, runs, n_runs):
    view = LandscapeView()
    qtbot.addWidget(view)
    view.resize(640, 600)
    view.set_landscape(grid)
    labels = [f"lr={lr:g}" for lr in runs.lr] if runs is not None else [""] * n_runs
    colors = run_colors(runs, "lr") if runs is not None else np.full((n_runs, 4), 200, np.uint8)
    view.set_runs(colors, labels)
    view.set_arrow_options(True, True, True)
    return view


def _assert_items_finite(view, grid):
    xmin, xmax, _, _ = grid.bounds
    for k in range(view.paths.n_runs):
        line = view.paths.polyline(k)
        assert np.isfinite(line).all()
        assert np.all(np.abs(line[:, 0] - (xmin + xmax) / 2) <= 1.6 * (xmax - xmin))
    for markers in (view.heads, view.crosses):
        assert np.isfinite(markers.points).all()
    for arrows in (view.gradient_arrows, view.velocity_arrows, view.update_arrows):
        assert np.isfinite(arrows.tails).all() and np.isfinite(arrows.heads).all()
    assert np.isfinite(view.contours.getData()[0]).all()


def test_landscape_shows_diverged_runs_with_finite_items(qtbot, diverging_sweep, rosenbrock_grid):
    run, snapshot, frame = diverging_sweep
    view = _landscape(qtbot, rosenbrock_grid, run.runs, len(run.runs))
    gone = frame.diverged_at >= 0
    view.show_state(snapshot.points, frame, gone)
    _assert_items_finite(view, rosenbrock_grid)
    assert len(view.crosses.points) == gone.sum()
    assert len(view.heads.points) == (~gone).sum()
    xmin, xmax, ymin, ymax = rosenbrock_grid.bounds
    (vx0, vx1), (vy0, vy1) = view.view_box.viewRange()
    x, y = view.crosses.points.T  # the crosses are pinned inside the view
    assert np.all((x >= vx0) & (x <= vx1) & (y >= vy0) & (y <= vy1))
    # the view box stays on the landscape, whatever the runaway runs did
    assert vx0 >= xmin - 1.0 and vx1 <= xmax + 1.0 and vy0 >= ymin - 1.0 and vy1 <= ymax + 1.0
    assert "(diverged)" in " ".join(item[1].text for item in view.run_legend.legend.items)


def test_nonfinite_input_never_reaches_an_item(qtbot, rosenbrock_grid):
    view = _landscape(qtbot, rosenbrock_grid, None, 3)
    points = np.zeros((5, 3, 2))
    points[:, 0] = np.linspace(0, 1, 5)[:, None]
    points[2, 1] = (np.nan, np.inf)
    points[3:, 2] = (1e300, -np.inf)
    bad = np.array([[np.nan, 1.0], [np.inf, -np.inf], [1e308, 0.0]])
    frame = SimpleNamespace(points=bad, grad=bad, velocity=bad, update=bad)
    view.show_state(points, frame, np.array([False, False, True]))
    _assert_items_finite(view, rosenbrock_grid)


def test_click_sets_the_start_point(qtbot, rosenbrock_grid):
    view = _landscape(qtbot, rosenbrock_grid, None, 1)
    view.show()
    qtbot.waitExposed(view)
    scene_pos = view.view_box.mapViewToScene(QtCore.QPointF(0.5, 1.5))
    pos = view.plot_widget.mapFromScene(scene_pos)
    with qtbot.waitSignal(view.start_point_selected, timeout=2000) as blocker:
        qtbot.mouseClick(view.plot_widget.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    x, y = blocker.args
    assert x == pytest.approx(0.5, abs=0.05) and y == pytest.approx(1.5, abs=0.05)
    assert view.start_target.pos().x() == pytest.approx(x)


def test_export_png_writes_a_real_image(qtbot, tmp_path, diverging_sweep, rosenbrock_grid):
    run, snapshot, frame = diverging_sweep
    view = _landscape(qtbot, rosenbrock_grid, run.runs, len(run.runs))
    view.show_state(snapshot.points, frame, frame.diverged_at >= 0)
    path = tmp_path / "landscape.png"
    view.export_png(str(path), width=1200)
    image = QtGui.QImage(str(path))
    assert image.width() == 1200 and image.height() > 300
    small = image.scaled(120, 100).convertToFormat(QtGui.QImage.Format.Format_RGB32)
    pixels = np.frombuffer(small.constBits(), np.uint8).reshape(100, -1, 4)[:, :120, :3]
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # not blank


def test_outcome_overlay_on_himmelblau(qtbot):
    surface = get_surface("himmelblau")
    starts = np.array(start_grid(surface.bounds, 6))
    result = descend(surface, "gd", 0.01, starts, 300)
    outcome = classify_outcomes(surface, starts, result.path[-1], result.diverged_at, result.loss)
    view = LandscapeView()
    qtbot.addWidget(view)
    view.set_landscape(landscape_grid(surface, resolution=80))
    view.set_outcome_map(outcome)
    overlay = view.outcomes
    assert overlay.image.isVisible() and overlay.image.image.shape == (6, 6, 4)
    assert overlay.legend.isVisible()
    view.set_outcome_map(None)
    assert not overlay.image.isVisible() and not overlay.legend.isVisible()


def test_trails_grow_incrementally_and_keep_their_rows_after_thinning(qtbot):
    item = TrailsItem()
    feed = PathFeed(item, (1e-3, 1e-3), exit_box=(-1, 1, -1, 1))
    t = np.linspace(0, 1, 200)
    path = np.stack([np.stack([0.5 * t, 0.3 * t * k], axis=-1) for k in range(3)], axis=1)
    path[150:, 2] = 5.0  # run 2 leaves the box at row 150
    for n in range(1, 201):  # from the start frame alone (nothing committed yet) on
        feed.sync(path[:n])
    assert feed.rebuilds == 1
    np.testing.assert_allclose(item.polyline(0)[-1], path[-1, 0])
    assert feed.exited.tolist() == [False, False, True]
    assert np.allclose(item.polyline(2)[-1], (5.0, 5.0))  # cut at its first point outside
    drawn = item.polyline(0).copy()
    longer = np.concatenate([path, path[-1:] + [[0.01, 0.0]]])
    feed.sync(longer[::2])  # the history thinned (and moved on): what was drawn stays
    assert feed.rebuilds == 1
    np.testing.assert_allclose(item.polyline(0)[: len(drawn) - 1], drawn[:-1])
    feed.sync(path[::3] + 1.0)  # another run altogether: rebuilt
    assert feed.rebuilds == 2


def _sweep_plots(qtbot, run) -> SidePlots:
    """Side plots set up for the diverging sweep's runs, in sweep mode."""
    plots = SidePlots()
    qtbot.addWidget(plots)
    plots.set_runs(run_colors(run.runs, "lr"), [f"lr={lr:g}" for lr in LRS], run.runs)
    plots.set_sweep_mode(True)
    return plots


def test_side_plots_sweep_with_diverged_runs(qtbot, diverging_sweep):
    run, snapshot, frame = diverging_sweep
    plots = _sweep_plots(qtbot, run)
    plots.show_state(snapshot, frame)
    for panel in (plots.loss, plots.grad_norm):
        assert panel.trails.n_runs == len(LRS)
        for k in range(len(LRS)):
            assert np.isfinite(panel.trails.polyline(k)).all()
        assert len(panel.crosses.points) == (frame.diverged_at >= 0).sum()
    assert plots.sweep.region.isVisible()
    assert not plots.lr.plot.isVisible()  # constant learning rate: no lr plot
    assert np.isfinite(plots.sweep.dots.points).all()


def test_side_plots_show_a_schedule_and_negative_losses(qtbot):
    config = DescentConfig(
        surface="six_hump_camel",
        optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam")),
        learning_rates=(0.05,),
        steps=120,
        schedule=ScheduleSpec(kind="cosine", t_max=120),
    )
    run, snapshot, frame = _record(config)
    plots = SidePlots()
    qtbot.addWidget(plots)
    labels = [run.runs.optimizer_labels[i] for i in run.runs.optimizer_index]
    plots.set_runs(run_colors(run.runs, "optimizer"), labels, run.runs)
    plots.show_state(snapshot, frame)
    assert plots.lr.plot.isVisible()
    assert not plots.loss.log_y  # the camel's minimum is below zero
    assert plots.legend.legend.isVisible() and len(plots.legend.legend.items) == 2


def test_a_loss_of_exactly_zero_keeps_the_log_axis(qtbot):
    plots = SidePlots()
    qtbot.addWidget(plots)
    runs = SimpleNamespace(lr=np.array([0.1, 0.2]))
    plots.set_runs(np.full((2, 4), 200, np.uint8), ["a", "b"], runs)
    history = SimpleNamespace(
        steps=np.arange(3),
        loss=np.array([[1.0, 2.0], [0.1, 0.5], [0.0, 0.2]]),
        grad_norm=np.ones((3, 2)),
        lr=np.full((3, 2), 0.1),
    )
    frame = SimpleNamespace(loss=history.loss[-1], diverged_at=np.array([-1, -1]))
    plots.show_state(history, frame)
    assert plots.loss.log_y
    assert np.isfinite(plots.loss.trails.polyline(0)).all()
    history.loss = history.loss - 1.0  # a surface whose minimum lies below zero
    plots.show_state(history, frame)
    assert not plots.loss.log_y


def test_stability_meter_shows_cores_report_for_a_stopped_and_a_running_run(qtbot, diverging_sweep):
    run, _, frame = diverging_sweep
    meter = StabilityMeter()
    qtbot.addWidget(meter)
    stopped = stability_report(frame, run.runs, len(LRS) - 1)
    meter.show_report(stopped)
    assert meter.sentence.text() == stopped.sentence
    assert "diverged" in stopped.sentence
    running = stability_report(frame, run.runs, 0)
    meter.show_report(running)
    assert meter.gauge.lr == pytest.approx(LRS[0])
    assert meter.gauge.limit == pytest.approx(running.critical_lr)
    assert running.label in meter.values.text()


def test_run_colors():
    runs = SimpleNamespace(
        lr=np.array([1e-4, 1e-3, 1e-2]),
        optimizer_index=np.array([0, 1, 1]),
        optimizer_labels=("gd", "adam"),
        start=np.array([[0, 0], [1, 1], [0, 0]]),
        seed=np.zeros(3, int),
    )
    by_lr = run_colors(runs, "lr")
    assert by_lr.shape == (3, 4) and by_lr.dtype == np.uint8
    assert len({tuple(c) for c in by_lr}) == 3
    by_opt = run_colors(runs, "optimizer")
    assert tuple(by_opt[1]) == tuple(by_opt[2]) != tuple(by_opt[0])
    by_start = run_colors(runs, "start")
    assert tuple(by_start[0]) == tuple(by_start[2]) != tuple(by_start[1])
    assert lr_colorbar(runs.lr).log10_levels == pytest.approx((-4.0, -2.0))
    with pytest.raises(ValueError, match="mode"):
        run_colors(runs, "colour")


def _star_colors(view) -> list[tuple[int, int, int, int]]:
    return [spot.brush().color().getRgb() for spot in view.minima.points()]


def _star_positions(view) -> np.ndarray:
    return np.array([[spot.pos().x(), spot.pos().y()] for spot in view.minima.points()])


def test_an_outcome_map_of_another_surface_does_not_break_the_view(qtbot):
    """Four Himmelblau minima shaded over a one-minimum landscape: stars stay plain."""
    himmelblau = get_surface("himmelblau")
    result = descend(himmelblau, "gd", 0.01, np.array(start_grid((-5, 5, -5, 5), 4)), 300)
    outcomes = classify_outcomes(
        himmelblau, result.runs.start, result.path[-1], result.diverged_at, result.loss
    )
    assert len(outcomes.minima) == 4
    white = (255, 255, 255, 255)
    view = LandscapeView()
    qtbot.addWidget(view)
    # the same map over its own landscape colours the four stars: colours are told apart
    view.set_landscape(landscape_grid(himmelblau, resolution=60))
    view.set_outcome_map(outcomes)
    assert len(set(_star_colors(view))) == 4 and white not in _star_colors(view)

    rosenbrock = landscape_grid(get_surface("rosenbrock"), resolution=60)
    view.set_landscape(rosenbrock)
    view.set_outcome_map(outcomes)  # stale: its four minima are not Rosenbrock's one
    np.testing.assert_allclose(_star_positions(view), np.reshape(rosenbrock.minima, (-1, 2)))
    assert _star_colors(view) == [white] * len(rosenbrock.minima)
    assert view.outcomes.image.isVisible()  # the map itself is still shaded
    assert view.outcomes.image.image.shape == (4, 4, 4)
    view.set_outcome_map(None)
    assert _star_colors(view) == [white] * len(rosenbrock.minima)
    assert not view.outcomes.image.isVisible()
    np.testing.assert_allclose(_star_positions(view), np.reshape(rosenbrock.minima, (-1, 2)))
    view.shutdown()


def test_side_plots_draw_one_plot_a_frame_in_turn_while_busy(qtbot, diverging_sweep):
    run, snapshot, frame = diverging_sweep
    plots = _sweep_plots(qtbot, run)
    drawn: list[str] = []
    for name in ("loss", "grad_norm", "sweep"):
        panel = getattr(plots, name)
        original = panel.show
        panel.show = lambda *a, _n=name, _o=original, **kw: (drawn.append(_n), _o(*a, **kw))
    for _ in range(6):
        plots.show_state(snapshot, frame, busy=True)
    assert drawn == ["loss", "grad_norm", "sweep"] * 2  # each in turn, one a frame
    drawn.clear()
    plots.show_state(snapshot, frame)  # at rest: every plot
    assert sorted(drawn) == ["grad_norm", "loss", "sweep"]
    fresh = _sweep_plots(qtbot, run)  # drawn at rest from the start: the same curves
    fresh.show_state(snapshot, frame)
    for name in ("loss", "grad_norm"):
        for k in range(len(LRS)):
            mine, theirs = getattr(plots, name).trails, getattr(fresh, name).trails
            np.testing.assert_array_equal(mine.polyline(k), theirs.polyline(k))


def test_the_lr_plot_appears_when_a_rate_changes_in_rows_it_had_not_seen(qtbot):
    plots = SidePlots()
    qtbot.addWidget(plots)
    plots.set_runs(np.full((2, 4), 200, np.uint8), ["a", "b"], SimpleNamespace(lr=np.ones(2)))
    lr = np.full((40, 2), 0.1)
    lr[0] = 0.5  # row 0 has taken no step: its rate does not count
    lr[23:26, 1] = 0.05  # a short dip, seen only among stored rows (frames skip 5 rows)

    def show(n: int) -> None:
        history = SimpleNamespace(
            steps=np.arange(n), loss=np.ones((n, 2)), grad_norm=np.ones((n, 2)), lr=lr[:n]
        )
        plots.show_state(history, SimpleNamespace(loss=np.ones(2), diverged_at=-np.ones(2)))

    for n in range(2, 23, 5):
        show(n)
    assert not plots.lr.plot.isVisible()
    show(30)  # rows 22..28 new, the dip among them and not the newest
    assert plots.lr.plot.isVisible()


def test_the_start_marker_follows_the_runs_common_start_frame_after_frame(qtbot, rosenbrock_grid):
    view = _landscape(qtbot, rosenbrock_grid, None, 2)
    view.set_arrow_options(False, False, False)
    frame = SimpleNamespace(points=np.zeros((2, 2)))
    rows = np.array([[[0.5, 1.5], [0.5, 1.5]], [[0.6, 1.4], [0.4, 1.6]]])

    def at() -> tuple[float, float]:
        return view.start_target.pos().x(), view.start_target.pos().y()

    view.show_state(rows, frame, np.zeros(2, bool))
    assert view.start_target.isVisible() and at() == pytest.approx((0.5, 1.5))
    view.start_target.setPos(-1.0, 2.0)  # moved by hand, the runs not restarted
    view.show_state(rows, frame, np.zeros(2, bool))
    assert at() == pytest.approx((0.5, 1.5))  # back on the runs' start
    view.show_state(rows[:, :, ::-1], frame, np.zeros(2, bool))  # another start
    assert at() == pytest.approx((1.5, 0.5))
    grid_of_starts = rows.copy()
    grid_of_starts[0, 1] = (0.0, 0.0)
    view.show_state(grid_of_starts, frame, np.zeros(2, bool))
    assert not view.start_target.isVisible()
    view.show_state(rows, frame, np.zeros(2, bool))
    assert view.start_target.isVisible() and at() == pytest.approx((0.5, 1.5))


def test_arrow_vectors_are_made_only_for_the_arrows_shown():
    from gui.descent.views.landscape_overlays import arrow_vectors

    grad = np.array([[3.0, -4.0], [np.nan, 1.0]])
    frame = SimpleNamespace(grad=grad, velocity=None, update=None)  # no momentum recorded
    only = arrow_vectors(frame, 4.0, 1.0, ("gradient",))
    assert list(only) == ["gradient"]
    full = arrow_vectors(SimpleNamespace(grad=grad, velocity=grad, update=grad), 4.0, 1.0)
    np.testing.assert_array_equal(only["gradient"], full["gradient"])
    assert np.isfinite(full["velocity"]).all() and np.abs(full["update"]).max() <= 1.0


def test_gauge_labels_stay_whole_at_the_ends():
    """The lr at the bottom of the shown span put "0.01" on the gauge's left edge, half cut."""
    assert label_left(8.0, 30.0, 400.0) == 0.0  # a tick at the left end: moved in
    assert label_left(396.0, 30.0, 400.0) == 370.0  # at the right end: moved in
    assert label_left(200.0, 30.0, 400.0) == 185.0  # elsewhere: centred under the tick
