"""DescentController against autospec'd views: no window, no Qt, the numbers from core."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import create_autospec

import numpy as np
import pytest

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun
from core.descent.frame import RUNNING
from core.descent.recording import descent_history
from core.descent.stability import stability_report, stop_sentence
from core.surfaces.surface_grid import landscape_grid
from gui.descent import protocols as p
from gui.descent.controller import READOUT_INTERVAL_S, DescentController


class SyncJobs:
    """Runs a job when told to, on the calling thread (a late result can be simulated)."""

    def __init__(self) -> None:
        self.queue: list = []

    def submit(self, fn, args, done, failed) -> None:
        self.queue.append((fn, args, done, failed))

    def run_all(self) -> None:
        while self.queue:
            fn, args, done, failed = self.queue.pop(0)
            try:
                result = fn(*args)
            except Exception as exc:  # as the real job runner does
                failed(exc)
            else:
                done(result)


def _views() -> p.DescentViews:
    return p.DescentViews(
        landscape=create_autospec(p.LandscapeDisplay, instance=True),
        surface3d=create_autospec(p.SurfaceDisplay, instance=True),
        plots=create_autospec(p.RunPlots, instance=True),
        stability=create_autospec(p.StabilityDisplay, instance=True),
        rates=create_autospec(p.StabilityDisplay, instance=True),
        banner=create_autospec(p.IdeaDisplay, instance=True),
        timeline=create_autospec(p.TimelineDisplay, instance=True),
        status=create_autospec(p.StatusDisplay, instance=True),
        controls=create_autospec(p.ControlsDisplay, instance=True),
        data=create_autospec(p.DataFitDisplay, instance=True),
    )


def _controller():
    runner = create_autospec(p.RunHost, instance=True)
    runner.status = "paused"
    jobs = SyncJobs()
    views = _views()
    views.surface3d.isVisible.return_value = False
    colors = lambda runs, mode: np.zeros((len(runs), 4), dtype=np.uint8)  # noqa: E731
    return DescentController(views, runner, jobs, colors), views, runner, jobs


def _state(config: DescentConfig, steps: int):
    """Run ``config`` for ``steps`` steps through the descent recorder, as the worker does."""
    frames = DescentRun(config).frames()
    first = next(frames)
    history = descent_history(first)
    history.append(first)
    frame = first
    for _ in range(steps):
        frame = next(frames, None)
        if frame is None:
            break
        history.append(frame)
    last = history.snapshot()
    done = frame is None or frame.step >= config.steps
    return SimpleNamespace(frame=last.frame_at(-1), history=last, finished=done)


RACE = DescentConfig(
    surface="expr",
    expr="x**2 + 3*y**2",
    optimizers=(OptimizerSpec("gd"),),
    learning_rates=(0.01, 0.2, 0.5),
    starts=((1.0, 1.0),),
    steps=40,
)


def test_apply_config_starts_a_descent_in_the_worker_and_sets_up_every_view():
    controller, views, runner, jobs = _controller()
    assert controller.apply_config(RACE, playing=True)
    factory, recorder, playing = runner.start.call_args.args
    assert playing is True and recorder is descent_history
    first = next(factory())
    assert first.step == 0 and first.loss.shape == (3,)
    labels = views.landscape.set_runs.call_args.args[1]
    assert labels == ["gd, lr=0.01", "gd, lr=0.2", "gd, lr=0.5"]
    views.plots.set_sweep_mode.assert_called_with(True)
    assert [job[0] for job in jobs.queue] == [landscape_grid]


def test_an_invalid_config_is_reported_and_the_running_one_stays():
    controller, views, runner, _ = _controller()
    controller.apply_config(RACE)
    bad = DescentConfig(surface="expr", expr="x**", learning_rates=(0.1,))
    assert not controller.apply_config(bad)
    assert "Cannot run this" in views.status.show_error.call_args.args[0]
    assert runner.start.call_count == 1
    assert controller.config is RACE


def test_a_late_landscape_of_an_older_surface_is_ignored():
    controller, views, _, jobs = _controller()
    controller.apply_config(RACE)
    controller.apply_config(DescentConfig(surface="rosenbrock", learning_rates=(1e-3,)))
    late, current = jobs.queue
    jobs.queue = [current, late]  # the first surface's grid arrives last
    jobs.run_all()
    shown = views.landscape.set_landscape.call_args_list
    assert len(shown) == 1 and shown[0].args[0].bounds == tuple(
        DescentRun(DescentConfig(surface="rosenbrock")).bounds
    )
    assert controller.grid_ready


def test_gauge_and_rate_panel_get_the_same_report_as_core_computes_it():
    controller, views, _, jobs = _controller()
    controller.apply_config(RACE)
    jobs.run_all()
    state = _state(RACE, 3)
    controller.show(state)
    gauge = views.stability.show_report.call_args.args[0]
    panel = views.rates.show_report.call_args.args[0]
    assert gauge is panel
    assert gauge == stability_report(state.frame, controller.runs, 2)
    assert gauge.critical_lr == pytest.approx(1 / 3)  # lambda_max = 6


def test_readouts_change_at_most_four_times_a_second_while_playing_and_at_once_at_rest():
    clock = [100.0]
    controller, views, runner, jobs = _controller()
    controller._clock = lambda: clock[0]
    controller.apply_config(RACE)
    jobs.run_all()
    runner.status = "playing"
    states = [_state(RACE, n) for n in (3, 4, 5, 6)]
    controller.show(states[0])
    assert views.stability.show_report.call_args.args[0].step == 3  # a new run: at once
    clock[0] += READOUT_INTERVAL_S / 2
    controller.show(states[1])
    assert views.stability.show_report.call_count == 1
    assert views.landscape.show_state.call_args.args[1].step == 4  # the picture moves on
    clock[0] += READOUT_INTERVAL_S / 2
    controller.show(states[2])
    assert views.stability.show_report.call_count == 2
    report = views.stability.show_report.call_args.args[0]
    assert views.rates.show_report.call_args.args[0] is report
    clock[0] += 0.01
    controller.show(states[3])
    assert views.stability.show_report.call_count == 2
    # paused: the newest step's numbers, without waiting
    runner.status = "paused"
    controller.on_status("paused")
    assert views.stability.show_report.call_args.args[0].step == 6
    assert views.rates.show_report.call_args.args[0].step == 6
    # a new run's first state is read out at once, however recent the last readout
    runner.status = "playing"
    controller.apply_config(RACE, playing=True)
    controller.show(states[0])
    assert views.stability.show_report.call_args.args[0].step == 3


def test_a_stopped_run_is_announced_once_with_cores_sentence():
    controller, views, _, jobs = _controller()
    controller.apply_config(RACE)
    jobs.run_all()
    state = _state(RACE, 40)
    assert state.frame.stop_reason[2] != RUNNING  # lr 0.5 > 2/6
    controller.show(state)
    controller.show(state)
    sentences = [c.args[0] for c in views.banner.set_divergence.call_args_list if c.args[0]]
    assert len(sentences) == 1
    assert sentences[0].startswith(stop_sentence(state.frame, controller.runs, 2))


def test_scrubbing_shows_the_recorded_row_and_its_step():
    controller, views, _, jobs = _controller()
    controller.apply_config(RACE)
    jobs.run_all()
    state = _state(RACE, 10)
    controller.show(state)
    controller.scrub(4)
    views.timeline.show_row.assert_called_with(4, 4)
    frame = views.landscape.show_state.call_args.args[1]
    assert frame.step == 4
    np.testing.assert_array_equal(frame.points, state.history.frame_at(4).points)
    report = views.stability.show_report.call_args.args[0]
    assert report.step == 4
    controller.scrub(-1)
    assert views.landscape.show_state.call_args.args[1].step == 10


def test_a_finished_grid_of_starts_gets_its_outcome_map_in_the_background():
    controller, views, _, jobs = _controller()
    grid = DescentConfig(
        surface="himmelblau",
        learning_rates=(0.01,),
        starts=((-3.0, -3.0), (3.0, 3.0), (-3.0, 3.0), (3.0, -3.0)),
        steps=60,
    )
    controller.apply_config(grid)
    jobs.run_all()
    controller.show(_state(grid, 60))
    assert len(jobs.queue) == 1  # classification is not done on the calling thread
    jobs.run_all()
    outcomes = views.landscape.set_outcome_map.call_args.args[0]
    assert outcomes is not None and len(set(outcomes.minimum_index.tolist())) == 4


def test_an_outcome_map_of_a_replaced_run_is_dropped():
    controller, views, _, jobs = _controller()
    grid = DescentConfig(
        surface="himmelblau",
        learning_rates=(0.01,),
        starts=((-3.0, -3.0), (3.0, 3.0), (-3.0, 3.0), (3.0, -3.0)),
        steps=20,
    )
    controller.apply_config(grid)
    jobs.run_all()
    controller.show(_state(grid, 20))
    controller.apply_config(RACE)  # replaced before the classification returns
    jobs.run_all()
    assert all(c.args[0] is None for c in views.landscape.set_outcome_map.call_args_list)


def test_transport_commands_go_to_the_worker():
    controller, views, runner, _ = _controller()
    controller.toggle_play()  # paused: play
    runner.play.assert_called_once()
    runner.status = "playing"
    controller.toggle_play()  # playing: pause
    runner.pause.assert_called_once()
    controller.step()
    controller.reset()
    runner.step.assert_called_once()
    runner.reset.assert_called_once()
    views.timeline.follow_live.assert_called()
    controller.on_status("playing")
    views.timeline.set_playing.assert_called_with(True)


def _started_run(runner):
    """The frames and recorder of the newest runner.start call, run like the worker."""
    factory, recorder, playing = runner.start.call_args.args
    frames = factory()
    first = next(frames)
    history = recorder(first)
    history.append(first)
    return first, frames, history, playing


def test_play_after_scrubbing_back_goes_on_from_the_scrubbed_step():
    controller, views, runner, jobs = _controller()
    controller.apply_config(RACE)
    jobs.run_all()
    state = _state(RACE, 20)
    controller.show(state)
    controller.scrub(6)
    runner.status = "paused"
    controller.toggle_play()
    first, frames, history, playing = _started_run(runner)
    assert playing and first.step == 6
    assert [int(s) for s in history.steps] == [0, 1, 2, 3, 4, 5, 6]
    np.testing.assert_array_equal(first.points, state.history.frame_at(6).points)
    assert next(frames).step == 7
    assert controller.scrub_step == -1
    views.timeline.follow_live.assert_called()


def test_step_after_scrubbing_back_steps_from_there_not_from_the_live_end():
    controller, _, runner, jobs = _controller()
    controller.apply_config(RACE)
    jobs.run_all()
    controller.show(_state(RACE, 20))
    controller.scrub(3)
    controller.step()
    first, _, _, playing = _started_run(runner)
    assert first.step == 3 and not playing
    runner.step.assert_called_once()  # the worker shows step 3, then takes one step


def test_step_at_the_end_of_a_finished_run_extends_it():
    controller, _, runner, jobs = _controller()
    short = DescentConfig(surface="bowl", learning_rates=(0.01,), steps=5)
    controller.apply_config(short)
    jobs.run_all()
    state = _state(short, 5)
    assert state.finished
    controller.show(state)
    runner.status = "finished"
    controller.step()
    first, frames, _, _ = _started_run(runner)
    assert first.step == 5 and next(frames).step == 6  # past the configured 5 steps
    runner.step.assert_called_once()


def test_step_when_every_run_has_stopped_says_why_and_does_nothing():
    controller, views, runner, jobs = _controller()
    doomed = DescentConfig(surface="expr", expr="x**2+y**2", learning_rates=(1.5,), steps=100)
    controller.apply_config(doomed)
    jobs.run_all()
    state = _state(doomed, 100)
    controller.show(state)
    runner.status = "finished"
    starts = runner.start.call_count
    controller.step()
    assert runner.start.call_count == starts and not runner.step.called
    assert "Every run has stopped" in views.status.show_message.call_args.args[0]


def test_after_an_edit_the_headline_describes_what_is_on_screen():
    from core.presets import load_preset

    controller, views, _, _ = _controller()
    preset = load_preset("optimizer-race-beale")
    controller.load_preset(preset)
    views.banner.set_idea.assert_called_with(preset.title, preset.idea)
    edited = preset.config.replace(learning_rates=(0.003,))
    controller.apply_config(edited)
    title, idea = views.banner.set_idea.call_args.args
    assert title.endswith("on Beale") and "gd" in title and "adam" in title
    assert "learning rate 0.003" in idea and preset.title in idea
    saved = controller.current_preset(preset.view)
    assert (saved.title, saved.idea) == (title, idea)
    controller.apply_config(preset.config)  # back to the preset: its own words again
    views.banner.set_idea.assert_called_with(preset.title, preset.idea)


def test_a_landscape_arriving_after_close_is_not_drawn():
    controller, views, _, jobs = _controller()
    controller.apply_config(RACE)
    controller.close()  # the window closes while the grid is still computing
    jobs.run_all()
    views.landscape.set_landscape.assert_not_called()
    assert not controller.grid_ready


def test_an_edit_arriving_after_close_starts_no_run():
    controller, _, runner, jobs = _controller()
    controller.apply_config(RACE)
    controller.close()
    starts, queued = runner.start.call_count, len(jobs.queue)
    assert not controller.apply_config(RACE.replace(learning_rates=(0.3,)))
    assert runner.start.call_count == starts and len(jobs.queue) == queued


def test_side_plots_draw_in_turn_only_while_a_run_plays_flat_out_and_all_at_rest():
    controller, views, runner, jobs = _controller()
    controller.apply_config(RACE)
    jobs.run_all()
    state = _state(RACE, 3)
    state.finished = False
    busy = lambda: views.plots.show_state.call_args.kwargs["busy"]  # noqa: E731
    runner.status = "playing"
    controller.set_speed(200.0)  # paced: every step is watched, every plot drawn
    controller.show(state)
    assert busy() is False
    controller.set_speed(None)  # flat out: in turn
    controller.show(state)
    assert busy() is True
    controller.scrub(1)  # a step picked on the timeline: drawn whole
    assert busy() is False
    controller.scrub(-1)
    controller.show(state)
    assert busy() is True
    runner.status = "paused"
    calls = views.plots.show_state.call_count
    controller.on_status("paused")  # at rest: every plot at once, with no new state
    assert views.plots.show_state.call_count == calls + 1 and busy() is False
