"""NetworkController against autospec'd views: no window, no Qt, the numbers from core."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from unittest.mock import create_autospec

import numpy as np

from core.nn.graph import network_layout
from core.nn.presets import load_network_preset
from core.nn.step_through import sample_trace_at
from core.nn.variant_run import VariantHistory, variant_history
from gui.network import protocols as p
from gui.network.controller import NetworkController


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
            except Exception as exc:
                failed(exc)
            else:
                done(result)


def _views() -> p.NetworkViews:
    views = p.NetworkViews(
        diagram=create_autospec(p.DiagramDisplay, instance=True),
        data=create_autospec(p.DataDisplay, instance=True),
        curves=create_autospec(p.CurvesDisplay, instance=True),
        gradients=create_autospec(p.GradientStripDisplay, instance=True),
        step_through=create_autospec(p.StepThroughDisplay, instance=True),
        banner=create_autospec(p.IdeaDisplay, instance=True),
        timeline=create_autospec(p.TimelineDisplay, instance=True),
        status=create_autospec(p.StatusDisplay, instance=True),
        controls=create_autospec(p.BuilderDisplay, instance=True),
        clock=create_autospec(p.AnimationClock, instance=True),
    )
    views.clock.isActive.return_value = False
    return views


def _controller(preset_name: str = "xor-needs-a-hidden-layer"):
    runner = create_autospec(p.RunHost, instance=True)
    runner.status = "paused"
    jobs = SyncJobs()
    views = _views()
    controller = NetworkController(views, runner, jobs)
    controller.load_preset(load_network_preset(preset_name))
    return controller, views, runner, jobs


def _states(runner, count: int):
    """The first ``count`` states of the run the controller started in the runner."""
    factory, recorder = runner.start.call_args.args[:2]
    frames = factory()
    history = None
    states = []
    for _ in range(count):
        frame = next(frames, None)
        if frame is None:
            break
        history = history or recorder(frame)
        history.append(frame)
        states.append(SimpleNamespace(frame=frame, history=history.snapshot(), finished=False))
    return states


def test_preset_starts_every_run_paused_and_shows_the_architecture():
    controller, views, runner, _ = _controller()
    assert runner.start.call_args.args[2] is False
    assert [r.label for r in controller.runs] == ["base", "one hidden layer of 4"]
    views.controls.set_run_labels.assert_called_with(["base", "one hidden layer of 4"])
    layout = views.diagram.set_layout.call_args.args[0]
    assert layout.sizes == (2, 1)
    assert runner.start.call_args.args[1] is variant_history


def test_state_shows_the_core_record_of_the_chosen_sample():
    controller, views, runner, _jobs = _controller()
    controller.set_sample(5)
    state = _states(runner, 3)[-1]
    controller.show(state)
    weights, trace = views.diagram.show_live.call_args.args[:2]
    run = controller.runs[0]
    expected = sample_trace_at(run.config, state.frame.frames[0], run.dataset, 5)
    assert trace.index == 5
    for a, b in zip(trace.a + trace.delta, expected.a + expected.delta, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert weights is state.frame.frames[0].weights
    history, label = views.gradients.show_history.call_args.args
    assert label == "base" and len(history) == 3


def test_one_output_grid_in_flight_and_the_newest_waits():
    controller, views, runner, jobs = _controller()
    states = _states(runner, 4)
    for state in states:
        controller.show(state)
    assert len(jobs.queue) == 1  # one job at a time; the newest request waits
    jobs.run_all()  # the first grid, then the waiting newest one
    grids = [c.args[0] for c in views.data.show_output.call_args_list]
    assert [g.step for g in grids] == [0, 3]
    assert controller.grid_settled


def test_stale_grid_of_replaced_runs_is_ignored():
    controller, views, runner, jobs = _controller()
    controller.show(_states(runner, 1)[0])
    controller.apply_config(dataclasses.replace(controller.config, lr=0.05))
    jobs.run_all()
    views.data.show_output.assert_not_called()


def test_architecture_edit_mid_run_restarts_playing_with_the_new_layers():
    controller, views, runner, _jobs = _controller()
    old_states = _states(runner, 2)
    runner.status = "playing"
    edited = dataclasses.replace(controller.config, layers=(2, 6, 3, 1), activation="relu")
    assert controller.apply_config(edited)
    assert runner.start.call_args.args[2] is True
    assert views.diagram.set_layout.call_args.args[0].sizes == (2, 6, 3, 1)
    views.diagram.show_live.reset_mock()
    controller.show(old_states[-1])  # a state of the old runs still arriving: same count
    new_state = _states(runner, 1)[0]
    controller.show(new_state)
    trace = views.diagram.show_live.call_args.args[1]
    assert [a.shape[1] for a in trace.a] == [6, 3, 1]


def test_invalid_config_is_refused_with_the_field_named():
    controller, views, runner, _ = _controller()
    starts = runner.start.call_count
    bad = dataclasses.replace(controller.config, layers=(3, 4, 1))
    assert not controller.apply_config(bad)
    assert "layers must start with 2 inputs" in views.status.show_error.call_args.args[0]
    assert runner.start.call_count == starts


def test_step_through_walks_every_phase_then_takes_a_step():
    controller, views, runner, _jobs = _controller("backprop-by-hand")
    controller.show(_states(runner, 1)[0])
    for expected in range(6):
        controller.next_phase()
        walk, index = views.step_through.show_phase.call_args.args
        assert index == expected
    assert walk.phases[-1].kind == "update"
    assert "w₁₁⁽²⁾ ← 0.4 − 0.5×0.0821670406 = 0.35891648" in walk.phases[-1].lines
    _frame, diagram_walk, diagram_index = views.diagram.show_phase.call_args.args
    assert diagram_walk is walk and diagram_index == 5
    controller.next_phase()
    runner.step.assert_called_once()
    controller.previous_phase()
    assert views.step_through.show_phase.call_args.args[1] == 4
    runner.pause.assert_called()


def test_slow_pace_animates_each_step_in_phases():
    controller, views, runner, _ = _controller("xor-needs-a-hidden-layer")
    controller.select_run(1)
    controller.set_speed(1.0)
    first, second, third = _states(runner, 3)
    controller.show(first)  # step 0: nothing taken yet, the live state
    views.diagram.show_live.assert_called()
    runner.status = "playing"
    controller.show(second)  # step 1: the step 0 -> 1 is animated
    views.clock.start.assert_called_once()
    frame, walk, _ = views.diagram.show_phase.call_args.args
    assert frame is first.frame.frames[1] and walk.step == 0
    views.clock.isActive.return_value = True
    shown = [0]
    for _ in range(200):
        controller.on_clock()
        index = views.diagram.show_phase.call_args.args[2]
        if index != shown[-1]:
            shown.append(index)
        if views.clock.stop.called:
            break
    assert shown == list(range(len(walk.phases)))  # forward, loss, backward, update
    assert views.diagram.set_pulse.called  # backward pulses moved between phases
    views.clock.isActive.return_value = False
    controller.set_speed(None)  # flat out: live state, no phases
    views.diagram.show_live.reset_mock()
    controller.show(third)
    views.diagram.show_live.assert_called_once()


def test_divergence_says_why_in_core_words():
    controller, views, runner, _ = _controller("exploding-gradients-large-init")
    states = _states(runner, 6)
    for state in states:
        controller.show(state)
    text = views.banner.set_divergence.call_args.args[0]
    assert text.startswith("Run 'base' diverged at step")
    assert "initial weights are too large" in text
    detail = next(f.stop_detail for s in states for f in s.frame.frames if f.stop_detail)
    assert text.endswith(detail)


def test_selecting_a_run_shows_its_architecture():
    controller, views, runner, _ = _controller()
    controller.show(_states(runner, 1)[0])
    controller.select_run(1)
    assert views.diagram.set_layout.call_args.args[0].sizes == network_layout([2, 4, 1]).sizes
    trace = views.diagram.show_live.call_args.args[1]
    assert [a.shape[1] for a in trace.a] == [4, 1]


def test_variants_off_trains_the_base_alone():
    controller, _, runner, _ = _controller()
    controller.set_variants(False, None)
    assert [r.label for r in controller.runs] == ["base"]
    factory = runner.start.call_args.args[0]
    assert len(next(iter(factory())).frames) == 1


def test_state_of_other_layers_is_dropped_after_an_architecture_edit():
    controller, views, runner, _ = _controller()
    controller.set_variants(False, None)
    old = _states(runner, 1)[0]  # [2, 1], one run
    controller.apply_config(dataclasses.replace(controller.config, layers=(2, 4, 1)))
    views.diagram.show_live.reset_mock()
    controller.show(old)  # one frame, as the new runs, but of the old layers
    views.diagram.show_live.assert_not_called()
    assert controller.shown is None


def _thinned_states(runner, count: int, capacity: int):
    """Like `_states`, recorded in histories of ``capacity`` rows (thinned as they fill)."""
    factory = runner.start.call_args.args[0]
    frames = factory()
    history, states = None, []
    for _ in range(count):
        frame = next(frames)
        history = history or VariantHistory(frame, capacity=capacity)
        history.append(frame)
        states.append(SimpleNamespace(frame=frame, history=history.snapshot(), finished=False))
    return states


def test_scrub_pins_every_view_to_the_recorded_step():
    controller, views, runner, jobs = _controller()
    states = _states(runner, 6)
    for state in states:
        controller.show(state)
    jobs.run_all()
    controller.scrub(2)
    pinned = states[2].frame.frames[0]  # the frame the run gave at step 2
    weights, trace = views.diagram.show_live.call_args.args[:2]
    for shown, actual in zip(weights, pinned.weights, strict=True):
        np.testing.assert_array_equal(shown, actual)
    run = controller.runs[0]
    expected = sample_trace_at(run.config, pinned, run.dataset, controller.sample)
    np.testing.assert_allclose(trace.a[-1], expected.a[-1], rtol=1e-12)
    views.timeline.show_row.assert_called_with(2, 2)
    histories = views.curves.show_histories.call_args.args[0]
    assert [list(h.steps) for h in histories] == [[0, 1, 2]] * len(controller.runs)
    assert list(views.gradients.show_history.call_args.args[0].steps) == [0, 1, 2]
    jobs.run_all()
    assert views.data.show_output.call_args.args[0].step == 2


def test_new_states_keep_the_views_pinned_and_minus_one_follows_again():
    controller, views, runner, jobs = _controller()
    states = _states(runner, 8)
    for state in states[:4]:
        controller.show(state)
    controller.scrub(1)
    jobs.run_all()
    grids = views.data.show_output.call_count
    for state in states[4:]:
        controller.show(state)
    views.timeline.set_rows.assert_called_with(8, 7)
    views.timeline.show_row.assert_called_with(1, 1)
    weights = views.diagram.show_live.call_args.args[0]
    np.testing.assert_array_equal(weights[0], states[1].frame.frames[0].weights[0])
    assert not jobs.queue and views.data.show_output.call_count == grids  # asked once
    controller.scrub(-1)
    weights = views.diagram.show_live.call_args.args[0]
    assert weights is states[-1].frame.frames[0].weights
    assert len(views.curves.show_histories.call_args.args[0][0]) == 8


def test_scrub_is_pinned_by_step_not_row_when_thinning_moves_rows():
    controller, views, runner, _jobs = _controller()
    states = _thinned_states(runner, 40, capacity=8)
    for state in states[:8]:
        controller.show(state)
    controller.scrub(6)  # row 6 = step 6 before any thinning
    assert controller.scrub_step == 6
    for state in states[8:]:
        controller.show(state)  # rows are thinned: step 6 is no longer row 6
    history = states[-1].history[0]
    row = history.index_of_step(6)
    step = int(history.steps[row])
    assert step <= 6 and row != 6
    views.timeline.show_row.assert_called_with(row, step)
    weights = views.diagram.show_live.call_args.args[0]
    np.testing.assert_array_equal(weights[-1], states[step].frame.frames[0].weights[-1])


def test_play_after_a_scrub_follows_the_live_run():
    controller, views, runner, _jobs = _controller()
    for state in _states(runner, 5):
        controller.show(state)
    controller.scrub(1)
    views.timeline.follow_live.reset_mock()
    controller.play()
    assert controller.scrub_step == -1
    views.timeline.follow_live.assert_called_once_with()
    runner.play.assert_called_once_with()
    weights = views.diagram.show_live.call_args.args[0]
    assert weights is controller.shown.frame.frames[0].weights


def test_listeners_hear_each_shown_state_and_read_the_shown_run():
    controller, _views, runner, _jobs = _controller()
    heard = []
    controller.listeners.append(lambda: heard.append(controller.shown_run()))
    assert controller.shown_run() is None
    states = _states(runner, 2)
    for state in states:
        controller.show(state)
    assert len(heard) == 2
    run, frame, history = heard[-1]
    assert run is controller.runs[0]
    assert frame is states[-1].frame.frames[0]
    assert len(history) == 2


def test_preview_weights_shows_them_and_back_to_the_run_restores_the_run():
    controller, views, runner, jobs = _controller()
    state = _states(runner, 2)[-1]
    controller.show(state)
    jobs.run_all()
    frame = state.frame.frames[0]
    moved = tuple(w + 1.0 for w in frame.weights)
    controller.preview_weights(moved)
    shown = views.diagram.show_live.call_args.args[0]
    assert all(np.array_equal(a, b) for a, b in zip(shown, moved, strict=True))
    asked = jobs.queue[-1][1][1]  # the data view's grid is asked for the previewed net
    assert asked.weights == moved and asked.biases is frame.biases
    controller.show(state)  # the run goes on underneath: the preview stays on screen
    assert views.diagram.show_live.call_args.args[0] == moved
    controller.preview_weights(None)
    assert views.diagram.show_live.call_args.args[0] is frame.weights
    assert controller.shown_run()[1] is frame


def test_a_playing_run_lets_the_diagram_trail_and_a_rest_shows_every_edge():
    controller, views, runner, _jobs = _controller()
    state = _states(runner, 3)[-1]
    runner.status = "playing"
    controller.show(state)
    assert views.diagram.show_live.call_args.args[2] is True  # moving: edges may trail
    views.diagram.show_live.reset_mock()
    runner.status = "paused"
    controller.on_status("paused")  # no newer state comes: the rest redraws every edge
    weights, _trace, moving = views.diagram.show_live.call_args.args
    assert moving is False and weights is state.frame.frames[0].weights


def test_flat_out_the_summaries_redraw_in_turn_and_both_show_the_state_at_rest():
    controller, views, runner, _jobs = _controller()
    clock = [0.0]
    controller.turns.clock = lambda: clock[0]
    controller.set_speed(None)
    runner.status = "playing"
    states = _states(runner, 3)
    for state in states:
        controller.show(state)
        clock[0] += 1.0
    assert views.curves.show_histories.call_count == 2  # states 0 and 2
    assert views.gradients.show_history.call_count == 1  # state 1
    runner.status = "paused"
    controller.on_status("paused")
    assert views.gradients.show_history.call_args.args[0] is states[-1].history[0]
    assert views.curves.show_histories.call_args.args[0] is states[-1].history


def test_an_edit_turns_the_headline_into_what_trains_and_back():
    controller, views, _, _ = _controller("xor-needs-a-hidden-layer")
    preset = load_network_preset("xor-needs-a-hidden-layer")
    views.banner.set_idea.assert_called_with(preset.title, preset.idea)
    edited = dataclasses.replace(preset.config, layers=(2, 8, 8, 1), lr=0.05)
    assert controller.apply_config(edited)
    title, idea = views.banner.set_idea.call_args.args
    assert title == "A [2, 8, 8, 1] tanh network on xor"
    assert "learning rate 0.05" in idea and f"“{preset.title}”" in idea
    assert (controller.title, controller.idea) == (title, idea)  # what a session saves
    assert controller.apply_config(preset.config)  # the preset's own settings again
    views.banner.set_idea.assert_called_with(preset.title, preset.idea)
