"""End marks and legend words that tell the truth about each run (issue 8).

A run that diverged gets a red cross at the frame's own last point; a run that left the
view (core's ESCAPED, or ``outside`` while it runs) gets an arrow head at the edge in its
own colour and the words "left the view"; a run the formula stopped gets a square and
"stopped: undefined" / "stopped: overflow".
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun, build_surface
from core.descent.frame import DIVERGED, ESCAPED, OVERFLOW, RUNNING, UNDEFINED
from core.descent.recording import descent_history
from core.presets import load_preset
from core.surfaces.surface import get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.landscape_view import LandscapeView
from gui.descent.views.run_marks import RunStatus, status_text, way_out
from gui.descent.views.side_plots import SidePlots
from gui.shell import colors as palette
from gui.shell.colors import run_colors

RED = palette.DIVERGED_COLOR + (255,)


def _record(config: DescentConfig, capacity: int = 512):
    surface = build_surface(config)
    run = DescentRun(config, surface)
    history = frame = None
    for frame in run.frames():
        if history is None:
            history = descent_history(frame, capacity=capacity)
        history.append(frame)
    return run, surface, history.snapshot(), frame


def _view(qtbot, grid, colors, labels) -> LandscapeView:
    view = LandscapeView()
    qtbot.addWidget(view)
    view.resize(640, 600)
    view.set_landscape(grid)
    view.set_runs(colors, labels)
    return view


def _legend_texts(legend) -> list[str]:
    return [label.text for _, label in legend.items]


def _frame(points, reason, outside=None, step=10):
    points = np.asarray(points, float)
    k = len(points)
    return SimpleNamespace(
        step=step,
        points=points,
        grad=np.zeros((k, 2)),
        velocity=np.zeros((k, 2)),
        update=np.zeros((k, 2)),
        stop_reason=np.asarray(reason),
        outside=np.zeros(k, bool) if outside is None else np.asarray(outside, bool),
        diverged_at=np.where(np.asarray(reason) != RUNNING, 5, -1),
        loss=np.ones(k),
    )


@pytest.fixture(scope="module")
def saddle_escape():
    preset = load_preset("saddle-escape")
    run, surface, snapshot, frame = _record(preset.config)
    return preset.config, run, surface, snapshot, frame


def test_saddle_escape_momentum_left_the_view_and_is_not_called_diverged(qtbot, saddle_escape):
    _config, run, surface, snapshot, frame = saddle_escape
    labels = [run.runs.label(k) for k in range(len(run.runs))]
    momentum = labels.index(next(lab for lab in labels if lab.startswith("momentum")))
    assert frame.stop_reason[momentum] == ESCAPED  # core's verdict: slid away downhill
    colors = run_colors(run.runs, "optimizer")
    view = _view(qtbot, landscape_grid(surface, resolution=80), colors, labels)
    view.show_state(snapshot.points, frame, frame.stop_reason != RUNNING)
    assert len(view.crosses.points) == int(np.sum(frame.stop_reason == DIVERGED)) == 0
    pointers = view.marks.pointers
    assert len(pointers.points) >= 1
    assert any(np.array_equal(c, colors[momentum]) for c in pointers.colors)
    texts = _legend_texts(view.run_legend.legend)
    assert any(t.startswith("momentum") and t.endswith("(left the view)") for t in texts)
    assert not any("diverged" in t for t in texts)
    # the arrow head sits on the edge of the view, pointing out of it (up: y grows)
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    k = next(i for i, c in enumerate(pointers.colors) if np.array_equal(c, colors[momentum]))
    tip, direction = pointers.points[k], pointers.directions[k]
    assert x0 <= tip[0] <= x1 and y0 <= tip[1] <= y1
    assert tip[1] > y1 - 0.05 * (y1 - y0) and direction[1] > 0
    view.shutdown()


def test_side_plot_legend_and_marks_say_left_the_view(qtbot, saddle_escape):
    _config, run, _surface, snapshot, frame = saddle_escape
    labels = [run.runs.label(k) for k in range(len(run.runs))]
    plots = SidePlots()
    qtbot.addWidget(plots)
    plots.set_runs(run_colors(run.runs, "optimizer"), labels, run.runs)
    plots.show_state(snapshot, frame)
    texts = _legend_texts(plots.legend.legend)
    assert any(t.endswith("(left the view)") for t in texts)
    assert not any("diverged" in t for t in texts)
    escaped = int(np.sum(frame.stop_reason == ESCAPED))
    assert len(plots.loss.crosses.points) == 0 and len(plots.loss.dots.points) == escaped


def test_diverged_cross_sits_on_the_frames_own_point(qtbot):
    grid = landscape_grid(get_surface("rosenbrock"), resolution=60)
    colors = palette.categorical(3)
    view = _view(qtbot, grid, colors, ["a", "b", "c"])
    path = np.zeros((4, 3, 2))
    path[:, :, 0] = np.linspace(-1.0, 0.5, 4)[:, None]
    path[:, :, 1] = [[1.0, 1.5, 2.0]] * 4
    end = np.array([[0.25, 1.0], [0.5, 1.5], [0.5, 2.0]])  # run 0 stopped before the last row
    frame = _frame(end, [DIVERGED, RUNNING, UNDEFINED])
    view.show_state(path, frame, frame.stop_reason != RUNNING)
    np.testing.assert_allclose(view.crosses.points, end[:1])
    assert [tuple(c) for c in view.crosses.colors] == [RED]
    np.testing.assert_allclose(view.heads.points, end[1:2])
    squares = view.marks.squares
    np.testing.assert_allclose(squares.points, end[2:])
    assert tuple(squares.colors[0]) == palette.UNDEFINED_COLOR + (255,)
    texts = _legend_texts(view.run_legend.legend)
    assert texts == ["a (diverged)", "b", "c (stopped: undefined)"]
    view.shutdown()


def test_a_diverged_run_out_of_sight_is_pinned_where_its_path_leaves(qtbot):
    grid = landscape_grid(get_surface("rosenbrock"), resolution=60)  # (-2, 2, -1, 3)
    view = _view(qtbot, grid, palette.categorical(2), ["a", "b"])
    path = np.array([[[0.0, 1.0], [0.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]], [[5.0, 1.0], [0.0, 1.0]]])
    frame = _frame(path[-1], [DIVERGED, RUNNING])
    view.show_state(path, frame, frame.stop_reason != RUNNING)
    (x0, x1), (_y0, _y1) = view.view_box.viewRange()
    ((cx, cy),) = view.crosses.points
    assert cx == pytest.approx(x1 - 0.03 * (x1 - x0)) and cy == pytest.approx(1.0)
    view.shutdown()


def test_way_out_by_hand():
    view = (0.0, 10.0, 0.0, 10.0)  # inset 3 %: the edge is at 9.7
    tip, direction = way_out(
        np.array([[5.0, 5.0], [8.0, 5.0], [20.0, 5.0]]), np.array([30, 5]), view
    )
    np.testing.assert_allclose(tip, (9.7, 5.0))
    np.testing.assert_allclose(direction, (12.0, 0.0))
    # never inside: pinned to the nearest edge, pointing away from the centre
    tip, direction = way_out(np.zeros((0, 2)), np.array([5.0, -40.0]), view)
    np.testing.assert_allclose(tip, (5.0, 0.3))
    assert direction[1] < 0 and direction[0] == 0


def test_status_words_and_text():
    frame = _frame(np.zeros((5, 2)), [RUNNING, DIVERGED, ESCAPED, UNDEFINED, OVERFLOW])
    frame.outside[0] = True
    words = RunStatus.of(frame).words()
    assert words == [
        "left the view",
        "diverged",
        "left the view",
        "stopped: undefined",
        "stopped: overflow",
    ]
    assert status_text("sgd", ["", "", "diverged", ""]) == "sgd (1 of 4 diverged)"
    assert status_text("gd", ["diverged", "diverged"]) == "gd (diverged)"
    mixed = status_text("sgd", ["left the view", "diverged", ""])
    assert mixed == "sgd (1 of 3 left the view, 1 of 3 diverged)"
    # a frame without reasons (a stand-in): flagged runs count as diverged
    bare = SimpleNamespace(points=np.zeros((2, 2)))
    assert RunStatus.of(bare, np.array([True, False])).words() == ["diverged", ""]


def test_rastrigin_runs_out_of_sight_all_get_a_mark(qtbot):
    config = DescentConfig(
        surface="rastrigin",
        optimizers=(OptimizerSpec("gd"), OptimizerSpec("momentum", (("momentum", 0.9),))),
        learning_rates=(0.01,),
        steps=300,
    )
    run, surface, snapshot, frame = _record(config)
    labels = [run.runs.label(k) for k in range(len(run.runs))]
    view = _view(
        qtbot, landscape_grid(surface, resolution=60), run_colors(run.runs, "optimizer"), labels
    )
    view.show_state(snapshot.points, frame, frame.stop_reason != RUNNING)
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    p = frame.points
    seen = (p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)
    marks = view.marks
    n_marks = sum(
        len(m.points) for m in (marks.heads, marks.crosses, marks.squares, marks.pointers)
    )
    assert n_marks == len(p)  # every run has exactly one mark, in sight or not
    assert len(marks.pointers.points) == int(np.sum(~seen & (frame.stop_reason == RUNNING))) >= 1
    view.shutdown()


def test_way_out_of_a_path_flung_across_the_view_is_its_last_crossing():
    view = (0.0, 10.0, 0.0, 10.0)
    # start inside, flung out over the top, then back down across the view and out below
    path = np.array([[5.0, 5.0], [1.0, 30.0], [12.0, -30.0]])
    tip, direction = way_out(path, np.array([12.0, -30.0]), view)
    t = (30.0 - 0.3) / 60.0  # where the second segment reaches the inset bottom edge
    np.testing.assert_allclose(tip, (1.0 + 11.0 * t, 0.3))
    np.testing.assert_allclose(direction, (11.0, -60.0))
