"""The data view of linear regression: line clipping, the batch shown, controller wiring."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import create_autospec

import numpy as np
import pytest

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun
from core.descent.recording import descent_history
from core.descent.stability import followed_run
from gui.descent import protocols as p
from gui.descent.controller import DescentController
from gui.descent.views.linreg_data_view import (
    LinregDataView,
    data_box,
    fit_segments,
    shown_batch,
)

RACE = DescentConfig(
    surface="linreg",
    surface_params=(("n", 30),),
    optimizers=(
        OptimizerSpec("gd", label="full", batch=0),
        OptimizerSpec("gd", label="eight", batch=8),
    ),
    learning_rates=(0.05,),
    seeds=2,
    steps=50,
)
COLORS = np.array([[200, 0, 0, 255]] * 2 + [[0, 0, 200, 255]] * 2, np.uint8)


def test_a_line_is_cut_where_it_enters_and_leaves_the_box():
    box = (0.0, 4.0, 0.0, 5.0)
    ends, runs = fit_segments(np.array([2.0, 0.0, 0.0, -1.0]), np.array([-1, 2, 9, 1.0]), box)
    # y = 2x - 1 enters at y = 0 (x = 0.5) and leaves at y = 5 (x = 3); y = 2 spans the
    # box; y = 9 misses it; y = 1 - x runs from (0, 1) to (1, 0)
    np.testing.assert_allclose(ends[0], [[0.5, 0.0], [3.0, 5.0]])
    np.testing.assert_allclose(ends[1], [[0.0, 2.0], [4.0, 2.0]])
    np.testing.assert_allclose(ends[2], [[0.0, 1.0], [1.0, 0.0]])
    assert list(runs) == [0, 1, 3]


def test_wild_lines_never_give_non_finite_ends():
    w = np.array([1e308, -1e308, 1e-308, 5e307, 0.0])
    b = np.array([-1e308, 1e308, 2.0, 1e308, -1e308])
    ends, runs = fit_segments(w, b, (0.0, 4.0, 0.0, 5.0))
    assert np.isfinite(ends).all()
    assert set(runs) <= {0, 1, 2, 3, 4} and 2 in runs
    assert np.all((ends[..., 1] >= 0.0) & (ends[..., 1] <= 5.0))


def test_the_data_box_widens_the_extent_by_its_margin():
    x0, x1, y0, y1 = data_box(np.array([1.0, 3.0]), np.array([2.0, 2.0]))
    assert (x0, x1) == pytest.approx((1.0 - 0.16, 3.0 + 0.16))  # 8 % of the span of 2
    assert y0 < 2.0 < y1  # a flat data set still gets a box


def test_the_followed_run_s_batch_is_shown_else_the_first_sampled_one():
    rows = np.array([[-1, -1], [4, 7], [2, -1]])
    run, idx = shown_batch(rows, followed=2)
    assert run == 2 and list(idx) == [2]
    run, idx = shown_batch(rows, followed=0)  # full batch: nothing to circle for it
    assert run == 1 and list(idx) == [4, 7]
    assert shown_batch(np.full((2, 3), -1), followed=0)[0] == -1
    assert shown_batch(np.zeros((2, 0), int), followed=None)[0] == -1


def test_the_view_draws_each_run_s_line_and_circles_the_batch_it_used(qtbot):
    view = LinregDataView()
    qtbot.addWidget(view)
    run = DescentRun(RACE)
    surface = run.surface
    view.set_data(surface.x, surface.y, surface.optimum)
    view.set_runs(COLORS, [run.runs.label(k) for k in range(4)])
    assert not view.isHidden() and len(view._line_items) == 2  # one item per colour
    for _ in range(3):
        frame = run.step()
    view.show_state(frame, followed=0)
    for members, item in view._line_items:
        xs, ys = item.getData()
        assert len(xs) == 2 * len(members)
        for k, (xa, xb, ya, yb) in zip(members, zip(xs[::2], xs[1::2], ys[::2], ys[1::2])):
            w, b = frame.points[k]
            np.testing.assert_allclose([ya, yb], [w * xa + b, w * xb + b], rtol=1e-9)
    circled = view.batch.getData()
    k = 2  # run 0 is full batch: the first run that sampled, "eight" with seed 0
    np.testing.assert_array_equal(circled[0], surface.x[frame.batch_indices[k]])
    np.testing.assert_array_equal(circled[1], surface.y[frame.batch_indices[k]])
    assert "8 points" in view.caption.text() and "step 3" in view.caption.text()


def test_a_new_caption_each_frame_asks_for_no_layout(qtbot):
    """The caption names the step, so it changes every frame: a word-wrapped QLabel there
    asked the whole window for a new layout each time."""
    from PySide6.QtCore import QEvent, QObject

    class Layouts(QObject):
        count = 0

        def eventFilter(self, obj, event) -> bool:
            if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
                Layouts.count += 1
            return False

    view = LinregDataView()
    qtbot.addWidget(view)
    run = DescentRun(RACE)
    view.set_data(run.surface.x, run.surface.y, run.surface.optimum)
    view.set_runs(COLORS, [run.runs.label(k) for k in range(4)])
    view.resize(420, 320)
    view.show()
    qtbot.waitExposed(view)
    frame = run.step()
    view.show_state(frame, followed=0)
    qtbot.wait(20)
    watcher = Layouts()
    view.installEventFilter(watcher)
    texts = set()
    for _ in range(5):
        frame = run.step()
        view.show_state(frame, followed=0)
        texts.add(view.caption.text())
        qtbot.wait(5)
    assert len(texts) == 5  # the step changed each frame
    assert Layouts.count == 0


def test_without_data_the_view_hides_and_ignores_frames(qtbot):
    view = LinregDataView()
    qtbot.addWidget(view)
    view.set_data(np.zeros(0), np.zeros(0))
    assert view.isHidden() and not view.has_data
    view.show_state(SimpleNamespace(points=np.zeros((1, 2)), batch_indices=np.zeros((1, 0))))
    assert view.batch.getData()[0].size == 0


def _controller():
    views = p.DescentViews(
        **{
            name: create_autospec(kind, instance=True)
            for name, kind in [
                ("landscape", p.LandscapeDisplay),
                ("surface3d", p.SurfaceDisplay),
                ("plots", p.RunPlots),
                ("stability", p.StabilityDisplay),
                ("rates", p.StabilityDisplay),
                ("banner", p.IdeaDisplay),
                ("timeline", p.TimelineDisplay),
                ("status", p.StatusDisplay),
                ("controls", p.ControlsDisplay),
                ("data", p.DataFitDisplay),
            ]
        }
    )
    views.surface3d.isVisible.return_value = False
    runner = create_autospec(p.RunHost, instance=True)
    runner.status = "paused"
    jobs = SimpleNamespace(submit=lambda fn, args, done, failed: done(fn(*args)))
    colors = lambda runs, mode: np.zeros((len(runs), 4), dtype=np.uint8)  # noqa: E731
    return DescentController(views, runner, jobs, colors), views


def test_the_controller_hands_linreg_data_and_frames_to_the_data_view():
    controller, views = _controller()
    controller.apply_config(RACE)
    x, y, fit = views.data.set_data.call_args.args
    surface = DescentRun(RACE).surface
    np.testing.assert_array_equal(x, surface.x)
    np.testing.assert_array_equal(y, surface.y)
    assert fit == surface.optimum
    assert len(views.data.set_runs.call_args.args[1]) == 4
    run = DescentRun(RACE)
    frame = run.step()
    state = SimpleNamespace(frame=frame, history=_history(run, frame), finished=False)
    controller.show(state)
    shown, followed = views.data.show_state.call_args.args
    assert shown is frame and followed == followed_run(frame, controller.runs)


def test_another_surface_empties_the_data_view():
    controller, views = _controller()
    controller.apply_config(RACE)
    controller.apply_config(DescentConfig(surface="himmelblau", learning_rates=(0.01,)))
    x, y = views.data.set_data.call_args.args
    assert len(x) == len(y) == 0


def _history(run: DescentRun, frame):
    history = descent_history(frame)
    history.append(frame)
    return history.snapshot()


def test_the_fit_sits_above_the_side_plots_and_under_the_landscape_when_narrow(qtbot):
    from gui.descent.workspace import DescentWorkspace

    workspace = DescentWorkspace()
    qtbot.addWidget(workspace)
    surface = DescentRun(RACE).surface
    workspace.data.set_data(surface.x, surface.y)
    assert workspace.data.parent() is workspace.data_split
    workspace._set_narrow(True)  # the side column became a tab: the fit stays in sight
    assert workspace.data.parent() is workspace.left
    assert workspace.left.indexOf(workspace.tabs) == 0 and not workspace.data.isHidden()
    workspace.data.set_data(np.zeros(0), np.zeros(0))  # another surface: no data
    workspace._set_narrow(False)
    assert workspace.data.parent() is workspace.data_split
    assert workspace.data_split.indexOf(workspace.data) == 0
    assert workspace.data.isHidden()  # moving it back did not show it
    workspace.shutdown()
