"""The network workspace's controller: configs -> runs -> views, with no widget in it.

It turns the builder's base `TrainConfig` (and a preset's variants, re-applied to every
edit of the base) into runs trained side by side by the shell's worker
(`core.nn.variant_run`); it hands each view the numbers core computed: the diagram the
chosen sample's record (`core.nn.step_through.sample_trace_at`), the data view the output
grid (computed in the background, one job at a time, stale ones dropped by a generation
counter), the curves and the gradient-norm strip the recorded histories, the headline
core's sentence on why a run diverged. Step-through and the animated step go through a
`PhaseWalker`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from core.nn.description import network_headline
from core.nn.graph import network_layout
from core.nn.presets import NetworkPreset
from core.nn.step_through import sample_trace_at, sample_walk
from core.nn.train_config import TrainConfig
from core.nn.variant_run import variant_frames, variant_history
from gui.network.grid_requests import OutputGridRequests
from gui.network.pinning import PinnedStep, pin
from gui.network.protocols import JobRunner, NetworkViews, RunHost
from gui.network.runs import NetworkRun, frames_fit, make_runs, variant_overrides
from gui.network.summary_turns import SummaryTurns
from gui.network.walker import PhaseWalker

ANIMATE_AT_MOST = 2.0  # steps per second up to which every step is animated in phases


class NetworkController:
    """Drives the network views from configs and worker states (see the module docstring)."""

    def __init__(self, views: NetworkViews, runner: RunHost, jobs: JobRunner) -> None:
        self.views, self.runner, self.jobs = views, runner, jobs
        self.walker = PhaseWalker(views.diagram, views.step_through, views.clock)
        self.title, self.idea = "", ""
        self.preset: NetworkPreset | None = None  # the preset the runs started from
        self.config: TrainConfig | None = None
        self.overrides: list[tuple[str, dict]] = []
        self.runs: list[NetworkRun] = []
        self.selected = 0
        self.sample = 0
        self.shown: Any = None
        self.speed: float | None = None
        self.scrub_step = -1  # the step pinned by the timeline, -1 = follow the run
        self.pinned: PinnedStep | None = None
        self.preview: Any = None  # weights shown instead of the run's (`preview_weights`)
        self.listeners: list[Callable[[], None]] = []  # told when the shown state changes
        self.grids = OutputGridRequests(views.data, views.status, runner, jobs)
        self.turns = SummaryTurns()
        self._announced: set[int] = set()
        self._walk_after_step = False

    def __repr__(self) -> str:
        return f"NetworkController(runs={len(self.runs)}, status={self.runner.status!r})"

    # -- configuration -> runs ---------------------------------------------------------
    def apply_config(self, config: TrainConfig, playing: bool | None = None) -> bool:
        """Train ``config`` and the variants on it (keeps playing if it was); False if invalid."""
        if playing is None:
            playing = self.runner.status in ("playing", "finished")
        try:
            runs = self._make_runs(config)
        except ValueError as exc:
            self.views.status.show_error(f"Cannot train this: {exc}")
            return False
        self.config, self.runs = config, runs
        self.selected = min(self.selected, len(runs) - 1)
        self._update_headline(config)
        self._start(playing)
        return True

    def _update_headline(self, config: TrainConfig) -> None:
        """The headline core gives (`network_headline`); a saved session says it too."""
        if self.preset is None:
            return  # no preset: whatever the window's headline says stays
        title, idea = network_headline(config, self.preset)
        if (title, idea) != (self.title, self.idea):
            self.title, self.idea = title, idea
            self.views.banner.set_idea(title, idea)

    def _make_runs(self, config: TrainConfig) -> list[NetworkRun]:
        runs, self.sample, notes = make_runs(config, self.overrides, self.sample)
        for note in notes:
            self.views.status.show_message(note)
        return runs

    def _start(self, playing: bool) -> None:
        views, runs = self.views, self.runs
        self.grids.forget()
        self._announced = set()
        self.shown, self.pinned, self.scrub_step, self.preview = None, None, -1, None
        self.walker.leave()
        dataset = runs[0].dataset
        has_accuracy = dataset.task == "classification"
        views.curves.set_runs([r.label for r in runs], has_accuracy, len(dataset.X_test) > 0)
        views.controls.set_run_labels([r.label for r in runs])
        views.data.set_dataset(dataset)
        views.data.set_selected(dataset.X_train[self.sample])
        views.step_through.set_sample_count(len(dataset.X_train))
        self._show_architecture()
        views.banner.set_divergence("")
        views.timeline.follow_live()
        pairs = [(r.config, r.dataset) for r in runs]
        # a partial of a module function pickles: the run trains in the child process,
        # away from the interpreter lock the window paints with
        self.runner.start(functools.partial(variant_frames, pairs), variant_history, playing)
        views.status.show_message(self.runs_message())

    def runs_message(self) -> str:
        """The status bar's line about the runs on screen ("" before any run)."""
        if not self.runs:
            return ""
        return f"{len(self.runs)} run(s) of {list(self.runs[0].config.layers)}"

    def _show_architecture(self) -> None:
        run = self.runs[self.selected]
        self.views.diagram.set_layout(network_layout(run.config.layers))
        self.views.gradients.set_layers(len(run.config.layers) - 1)

    def load_preset(self, preset: NetworkPreset) -> bool:
        """Show a preset: its controls, title and idea, its variants; paused at step 0."""
        self.title, self.idea, self.preset = preset.title, preset.idea, preset
        self.overrides = variant_overrides(preset)
        self.selected, self.sample = 0, preset.config.sample_index or 0
        self.views.banner.set_idea(preset.title, preset.idea)
        self.views.controls.set_config(preset.config)
        return self.apply_config(preset.config, playing=False)

    def set_variants(self, on: bool, preset: NetworkPreset | None) -> None:
        """Train the preset's variants beside the base (on) or the base alone (off)."""
        self.overrides = variant_overrides(preset) if (on and preset) else []
        if self.config is not None:
            self.apply_config(self.config)

    def select_run(self, index: int) -> None:
        """Show run ``index`` in the diagram, the data view and the gradient strip."""
        if not 0 <= index < len(self.runs) or index == self.selected:
            return
        self.selected, self.pinned = index, None
        self.walker.leave()
        self._show_architecture()
        if self.shown is not None:
            self.redraw()

    def set_sample(self, index: int) -> None:
        """The sample the diagram and the step-through follow."""
        if not self.runs or not 0 <= index < len(self.runs[0].dataset.X_train):
            return
        self.sample = index
        self.views.data.set_selected(self.runs[0].dataset.X_train[index])
        if self.shown is None:
            return
        if self.walker.active:
            self._walk(self.walker.index)
        else:
            self.redraw()

    # -- transport -----------------------------------------------------------------------
    # play, step and phases go on from the live run: a run cannot restart at a recorded step
    def toggle_play(self) -> None:
        self._unpin()
        self.walker.leave()
        self.runner.toggle()

    def play(self) -> None:
        self._unpin()
        self.walker.leave()
        if self.runner.status != "playing":
            self.runner.play()

    def step(self) -> None:
        self._unpin()
        self.runner.step()

    def reset(self) -> None:
        self.walker.leave()
        self.scrub_step, self.pinned = -1, None
        self.views.timeline.follow_live()
        self.runner.reset()

    def stop(self) -> None:
        self.runner.stop()

    def set_speed(self, steps_per_second: float | None) -> None:
        self.speed = steps_per_second
        self.runner.set_speed(steps_per_second)

    @property
    def animates(self) -> bool:
        """Whether each step is animated in phases (a slow pace; flat out shows live)."""
        return self.speed is not None and self.speed <= ANIMATE_AT_MOST

    def scrub(self, row: int) -> None:
        """Pin the views to row ``row`` of the shown run's history (-1 follows the run)."""
        # pinned by step, not row: thinning the history moves rows, never steps
        history = None if self.shown is None else self.shown.history[self.selected]
        if row < 0 or history is None or row >= len(history):
            self.scrub_step = -1
        else:
            self.scrub_step = int(history.steps[row])
        self.walker.by_hand = False
        self.walker.leave()
        self.redraw()

    def _unpin(self) -> None:
        if self.scrub_step >= 0:
            self.scrub_step = -1
            self.views.timeline.follow_live()
            self.redraw()

    def on_status(self, status: str) -> None:
        self.views.timeline.set_playing(status == "playing")
        self.views.status.show_status(status)
        if status != "playing" and self.shown is not None and not self.walker.active:
            self._show_live()  # at rest every edge shows the weights (none trails behind)
            if self.pinned is None:  # and both summaries show the last state drawn
                self._show_summaries(self.shown.history)

    def on_error(self, message: str) -> None:
        self.views.status.show_error(f"The run stopped: {message}")

    # -- step-through --------------------------------------------------------------------
    def next_phase(self) -> None:
        """Next phase of the chosen sample's step; after the update, the next step."""
        if self.shown is None:
            return
        self._unpin()
        self.runner.pause()
        if self.walker.animating:
            self.walker.clock.stop()
        self.walker.by_hand = True
        if not self.walker.active:
            self._walk(0)
        elif not self.walker.next():
            self._walk_after_step = True
            self.runner.step()

    def previous_phase(self) -> None:
        if self.shown is None:
            return
        self._unpin()
        self.runner.pause()
        self.walker.by_hand = True
        if not self.walker.active:
            self._walk(0)
        else:
            self.walker.previous()

    def on_clock(self) -> None:
        """The animation clock ticked (the last phase stays until the next step)."""
        self.walker.tick()

    def _walk(self, index: int, animate_ms: float | None = None, frame=None) -> None:
        run, frame = self.runs[self.selected], frame or self._frame()
        trace = sample_trace_at(run.config, frame, run.dataset, self.sample)
        walk = sample_walk(run.config, frame, trace, len(frame.batch_indices))
        if animate_ms is None:
            self.walker.set_walk(walk, frame, index)
        else:
            self.walker.animate(walk, frame, animate_ms)

    # -- states -> views -----------------------------------------------------------------
    def show(self, state) -> None:
        """Draw the newest worker state (the shell calls this at its drawing pace)."""
        if not frames_fit(state.frame.frames, self.runs):
            return  # a state of runs this controller no longer shows
        previous, self.shown = self.shown, state
        history = state.history[self.selected]
        self.views.timeline.set_rows(len(history), int(state.frame.frames[self.selected].step))
        self._announce_stops(state.frame)
        if self.scrub_step >= 0:
            self.redraw()  # pinned: the new state only lengthens the timeline
            self.views.status.count_draw()
            return
        busy = self.runner.status == "playing" and not self.animates
        self._show_summaries(state.history, busy)
        self._request_grid()
        self._show_diagram(previous)
        self._notify()

    def _show_diagram(self, previous) -> None:
        """Live, a phase walked by hand, or the step just taken animated in phases."""
        walker = self.walker
        stepped = previous is not None and previous.frame.step < self.shown.frame.step
        if self._walk_after_step:
            self._walk_after_step = False
            self._walk(0)
        elif walker.by_hand:
            self._walk(walker.index)  # walking by hand: the same phase of the new step
        elif self.animates and stepped and self.runner.status in ("playing", "finished"):
            # the step that led here: forward and backward at W_t, then the update to W_t+1
            self._walk(0, 1000.0 / self.speed, previous.frame.frames[self.selected])
        elif not (walker.active and self.runner.status == "finished"):
            walker.leave()  # (a finished run keeps its last animated step on screen)
            self._show_live()
        self.views.status.count_draw()

    def _show_summaries(self, histories: tuple, busy: bool = False) -> None:
        """The curves and the gradient strip (flat out: in turn, see `SummaryTurns`)."""
        due = self.turns.due(busy)
        plots = tuple(name for name in due if name != "strip")
        if plots:
            per_epoch = [r.steps_per_epoch for r in self.runs]
            self.views.curves.show_histories(histories, per_epoch, plots)
        if "strip" in due:
            run = self.runs[self.selected]
            self.views.gradients.show_history(histories[self.selected], run.label)

    def redraw(self) -> None:
        """Show the shown state again: live, or pinned to the scrubbed step."""
        if self.shown is None:
            return
        histories, was = self.shown.history, self.pinned
        self.pinned = None
        if self.scrub_step >= 0:
            self.pinned = pin(histories, self.selected, self.scrub_step)
            histories = self.pinned.histories
            self.views.timeline.show_row(self.pinned.row, self.pinned.step)
        self._show_summaries(histories)
        same_pin = was is not None and self.pinned is not None and was.step == self.pinned.step
        if not same_pin:  # a pinned step's output grid does not change: asked once
            self._request_grid()
        self._show_live()
        self._notify()

    def _frame(self):
        """The shown run's frame: a previewed one, the pinned one, else the newest."""
        if self.preview is not None:
            return self.preview
        if self.pinned is not None:
            return self.pinned.frame
        return self.shown.frame.frames[self.selected]

    def _show_live(self) -> None:
        run, frame = self.runs[self.selected], self._frame()
        trace = sample_trace_at(run.config, frame, run.dataset, self.sample)
        # while the run plays, a large network's edges may trail a few frames behind
        moving = self.runner.status == "playing" and self.pinned is None and self.preview is None
        self.views.diagram.show_live(frame.weights, trace, moving)

    def _announce_stops(self, frame) -> None:
        """Core's one sentence on why a run diverged, once per run."""
        for k, run_frame in enumerate(frame.frames):
            if run_frame.stop_reason == "diverged" and k not in self._announced:
                self._announced.add(k)
                label = self.runs[k].label
                who = "The run" if len(self.runs) == 1 else f"Run {label!r}"
                text = f"{who} diverged at step {run_frame.step}: {run_frame.stop_detail}"
                self.views.banner.set_divergence(text)

    def _request_grid(self) -> None:
        run = self.runs[self.selected]
        self.grids.pinned_step = None if self.pinned is None else self.pinned.step
        self.grids.request(run.config, self._frame(), run.dataset)

    # -- what the inside views read (gui/network/inside) --------------------------------
    def shown_run(self) -> tuple[NetworkRun, Any, Any] | None:
        """(run, frame, history) of the run on screen: the frame drawn (previewed, pinned
        or newest) and that run's recorded history; None before the first state."""
        if self.shown is None or not self.runs:
            return None
        return self.runs[self.selected], self._frame(), self.shown.history[self.selected]

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()

    def preview_weights(self, weights: tuple | None, biases: tuple | None = None) -> None:
        """Show the network with ``weights`` (and ``biases``) in the diagram and the data
        view, leaving the run alone; None goes back to the run."""
        if self.shown is None:
            return
        if weights is None:
            self.preview = None
        else:
            frame = (
                self.shown.frame.frames[self.selected] if self.pinned is None else self.pinned.frame
            )
            biases = frame.biases if biases is None else biases
            self.preview = dataclasses.replace(frame, weights=tuple(weights), biases=tuple(biases))
        self.walker.leave()
        self._request_grid()
        self._show_live()

    def close(self) -> None:
        """The window is closing: results still on their way are dropped."""
        self.grids.forget()
        self.walker.leave()

    @property
    def grid_settled(self) -> bool:
        """No output grid is being computed or waiting."""
        return self.grids.settled
