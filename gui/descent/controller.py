"""The descent workspace's controller: config -> run -> views, with no widget in it.

It owns what the window used to do by hand (the ndv pattern, see STYLE.md): it turns a
`DescentConfig` into a run in the shell's worker and, when the surface changed, a
landscape grid computed in the background; it keeps the play state, the scrubbed step,
the followed run, the divergence bookkeeping and the outcome map; and it hands each view
the numbers core computed (`core.descent.stability`), so the banner, the gauge and the
learning-rate panel always show the same critical rate for the same run and step.

No Qt is imported here: views, worker and background jobs come in through the small
interfaces of `gui.descent.protocols`, and the tests drive this class with mocks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from core.descent.description import describe_setup
from core.descent.engine import DescentConfig, build_surface
from core.descent.frame import RUNNING, RunTable
from core.descent.outcomes import classify_outcomes
from core.descent.preset_view import PresetView
from core.descent.recording import descent_history
from core.descent.replay import DescentFrames, resumed_recorder
from core.descent.stability import followed_run, stability_report, stopped_summary
from core.presets import Preset
from core.surfaces.surface_grid import landscape_grid
from gui.descent.protocols import DescentViews, JobRunner, RunHost

GRID_RESOLUTION = 400
MIN_STARTS_FOR_OUTCOMES = 4  # a grid of starts: shade each by the minimum it reached
# while a run plays, the stability readouts (numbers, gauge, sentence, critical rate) change
# at most this often: digits replaced 30 times a second cannot be read, and laying out and
# painting their rich text is a fifth of a frame; at rest they show the newest step at once
READOUT_INTERVAL_S = 0.25


def color_mode(config: DescentConfig) -> str:
    """What tells the runs apart: their optimizer, learning rate or start point."""
    if len(config.optimizers) > 1:
        return "optimizer"
    if len(config.learning_rates) > 1:
        return "lr"
    return "start" if len(config.starts) > 1 else "optimizer"


class DescentController:
    """Drives the descent views from configs and worker states (see the module docstring).

    Parameters
    ----------
    views : DescentViews
    runner : RunHost
        The shell's worker.
    jobs : JobRunner
        Runs one-shot computations off the main thread.
    colors_for : callable
        ``colors_for(run_table, mode) -> (K, 4) uint8``, the run palette.
    clock : callable
        Seconds, for pacing the readouts while a run plays (`READOUT_INTERVAL_S`).
    """

    def __init__(
        self,
        views: DescentViews,
        runner: RunHost,
        jobs: JobRunner,
        colors_for: Callable[[RunTable, str], np.ndarray],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.views, self.runner, self.jobs = views, runner, jobs
        self._colors_for = colors_for
        self._clock = clock
        self._readout_at = -np.inf  # when the readouts last showed a playing run's state
        self.title, self.idea = "", ""
        self._preset: Preset | None = None  # what the headline describes until an edit
        self.view = PresetView()
        self.config: DescentConfig | None = None
        self.runs: RunTable | None = None
        self._surface = None
        self._surface_key: tuple | None = None
        self._grid_generation = 0
        self._run_generation = 0
        self.grid_ready = False
        self.shown: Any = None  # the newest state the views show
        self.scrub_step = -1  # the step pinned by the timeline, -1 = follow the run
        self.flat_out = False  # the run's speed: as fast as it goes (set_speed)
        self._announced = np.zeros(0, dtype=bool)
        self._outcomes: Any = None
        self._closed = False
        self._outcomes_asked = False

    def __repr__(self) -> str:
        runs = 0 if self.runs is None else len(self.runs)
        return f"DescentController(runs={runs}, status={self.runner.status!r})"

    # -- configuration -> run ----------------------------------------------------------
    def apply_config(self, config: DescentConfig, playing: bool | None = None) -> bool:
        """Start a run of ``config`` (keeps playing if it was). False if it is invalid."""
        if self._closed:
            return False
        if playing is None:  # a change after a finished run shows the new run playing
            playing = self.runner.status in ("playing", "finished")
        try:
            surface = build_surface(config)
            runs = RunTable.from_config(config, surface.start)
        except ValueError as exc:
            self.views.status.show_error(f"Cannot run this: {exc}")
            return False
        self.config, self.runs, self._surface = config, runs, surface
        self._update_headline(config, surface.display_name)
        self._start_landscape(config, surface)
        self._show_runs(config, runs)
        self._show_data(surface)
        self._run_generation += 1
        self._readout_at = -np.inf  # a new run: its first readout at once
        self.runner.start(DescentFrames(config, surface=surface), descent_history, playing)
        self.views.status.show_message(self.runs_message())
        return True

    def runs_message(self) -> str:
        """The status bar's line about the runs on screen ("" before any run)."""
        if self.runs is None or self._surface is None:
            return ""
        return f"{len(self.runs)} run(s) on {self._surface.display_name}"

    def _update_headline(self, config: DescentConfig, surface_name: str) -> None:
        """The preset's title and idea while its configuration is on screen; after an
        edit, a description of what is on screen (so a saved session says it too)."""
        preset = self._preset
        if preset is None or config == preset.config:
            title, idea = (preset.title, preset.idea) if preset else ("", "")
        else:
            title, idea = describe_setup(config, surface_name, preset.title)
        if (title, idea) != (self.title, self.idea):
            self.title, self.idea = title, idea
            self.views.banner.set_idea(title, idea)

    def _show_runs(self, config: DescentConfig, runs: RunTable) -> None:
        views = self.views
        colors = self._colors_for(runs, color_mode(config))
        labels = [runs.label(k) for k in range(len(runs))]
        views.landscape.set_runs(colors, labels)
        views.surface3d.set_runs(colors, labels)
        if views.data is not None:
            views.data.set_runs(colors, labels)
        views.plots.set_runs(colors, labels, runs)
        views.plots.set_sweep_mode(len(config.learning_rates) > 1)
        views.landscape.set_outcome_map(None)
        views.banner.set_divergence("")
        views.timeline.follow_live()
        self._outcomes = None
        self._outcomes_asked = False
        self._announced = np.zeros(len(runs), dtype=bool)
        self.shown = None
        self.scrub_step = -1

    def _show_data(self, surface) -> None:
        """The data set behind a line-fit surface (linreg), or none: the data view hides."""
        data = self.views.data
        if data is None:
            return
        if surface.name == "linreg":
            data.set_data(surface.x, surface.y, surface.optimum)
        else:
            data.set_data(np.zeros(0), np.zeros(0))

    def _start_landscape(self, config: DescentConfig, surface) -> None:
        key = (config.surface, config.expr, config.surface_params, config.bounds)
        if key == self._surface_key:
            return
        self._surface_key = key
        self._grid_generation += 1
        self.grid_ready = False
        generation = self._grid_generation
        bounds = tuple(config.bounds or surface.bounds)
        self.jobs.submit(
            landscape_grid,
            (surface, bounds, GRID_RESOLUTION),
            lambda grid: self._on_grid(generation, grid),
            lambda exc: self.views.status.show_error(f"Landscape failed: {exc}"),
        )

    def close(self) -> None:
        """The views are going away: results of jobs still computing are dropped, and an
        edit still on its way (the controls' debounce) starts no new run."""
        self._closed = True
        self._grid_generation += 1
        self._run_generation += 1

    def _on_grid(self, generation: int, grid) -> None:
        if generation != self._grid_generation:
            return  # a newer surface was chosen meanwhile
        self.views.landscape.set_landscape(grid)
        self.views.surface3d.set_landscape(grid)
        self.grid_ready = True
        if self._outcomes is not None:
            self.views.landscape.set_outcome_map(self._outcomes)
        if self.shown is not None:
            self.redraw()

    # -- presets and sessions --------------------------------------------------------
    def load_preset(self, preset: Preset) -> bool:
        """Show a preset: its controls, title and idea; paused at step 0."""
        self._preset, self.view = preset, preset.view
        self.views.controls.set_config(preset.config, preset.view)
        self.set_speed(preset.view.speed)
        arrows = preset.view.arrows
        self.views.landscape.set_arrow_options(arrows.gradient, arrows.velocity, arrows.update)
        return self.apply_config(preset.config, playing=False)

    def current_preset(self, view: PresetView) -> Preset:
        """The workspace as a preset (what Save session writes); ``view`` from the window."""
        assert self.config is not None, "no configuration applied yet"
        return Preset(self.title, self.idea, self.config, view, "session")

    # -- transport ---------------------------------------------------------------------
    def toggle_play(self) -> None:
        """Play or pause; after a scrub back, play goes on from the step on screen."""
        if self.runner.status == "playing":
            self.runner.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.scrub_step >= 0 and self.shown is not None:
            self._resume_from(self.scrub_step, playing=True)
        elif self.runner.status != "playing":
            self.runner.play()

    def step(self) -> None:
        """One step from the step on screen: after a scrub back, from there; at the end of
        a finished run, one step past it (the run is extended), unless every run stopped."""
        shown = self.shown
        if self.scrub_step >= 0 and shown is not None:
            self._resume_from(self.scrub_step, playing=False)
        elif self.runner.status == "finished" and shown is not None:
            if not (np.asarray(shown.frame.stop_reason) == RUNNING).any():
                self.views.status.show_message("Every run has stopped: there is no next step.")
                return
            self._resume_from(int(shown.frame.step), playing=False, extend=True)
        self.runner.step()

    def _resume_from(self, step: int, playing: bool, extend: bool = False) -> None:
        """Go on from recorded ``step``: the history keeps the rows before it."""
        config, surface, recorded = self.config, self._surface, self.shown.history
        limit = -1 if extend or step >= config.steps else None
        self.scrub_step = -1
        self.views.timeline.follow_live()
        self._run_generation += 1
        self._readout_at = -np.inf  # a new run: its first readout at once
        self._outcomes_asked = False
        self.runner.start(
            DescentFrames(config, step, limit, surface),
            resumed_recorder(recorded),
            playing,
        )

    def reset(self) -> None:
        self.scrub_step = -1
        self.views.timeline.follow_live()
        self.runner.reset()

    def stop(self) -> None:
        self.runner.stop()

    def set_speed(self, steps_per_second: float | None) -> None:
        self.runner.set_speed(steps_per_second)
        self.flat_out = steps_per_second is None

    def on_status(self, status: str) -> None:
        self.views.timeline.set_playing(status == "playing")
        self.views.status.show_status(status)
        if status != "playing":
            self.redraw()  # the side plots drew in turn while busy: now all of them

    def on_error(self, message: str) -> None:
        self.views.status.show_error(f"The run stopped: {message}")

    def scrub(self, row: int) -> None:
        """Pin the views to a recorded row (-1 follows the run again)."""
        # pinned by step, not row: thinning the history moves rows, never steps
        if row < 0 or self.shown is None or row >= len(self.shown.history):
            self.scrub_step = -1
        else:
            self.scrub_step = int(self.shown.history.steps[row])
        if self.shown is not None:
            self.redraw()

    # -- states -> views -----------------------------------------------------------------
    def show(self, state) -> None:
        """Draw the newest worker state (the shell calls this at its drawing pace)."""
        if self.runs is None or len(state.frame.loss) != len(self.runs):
            return  # a state of a run this controller no longer shows
        self.shown = state
        self.views.timeline.set_rows(len(state.history), state.frame.step)
        self._announce_stops(state.frame)
        if state.finished:
            self._classify_outcomes(state)
        self.redraw()
        self.views.status.count_draw()

    def redraw(self) -> None:
        """Show the shown state again (after a scrub, a new grid or a tab change)."""
        if not self.grid_ready or self.shown is None:
            return
        history, frame = self.shown.history, self.shown.frame
        if self.scrub_step >= 0:
            row = history.index_of_step(self.scrub_step)
            history = history.upto(row)
            frame = history.frame_at(-1)
            self.views.timeline.show_row(row, frame.step)
        views = self.views
        stopped = np.asarray(frame.stop_reason) != RUNNING
        points, newest = history.split("points")  # no copy of every row, each frame
        views.landscape.show_state(points, frame, stopped, newest=newest)
        if views.surface3d.isVisible():
            views.surface3d.show_state(history.points, frame, history.loss)
        views.plots.show_state(history, frame, busy=self._busy())
        followed = followed_run(frame, self.runs)
        if views.data is not None:
            views.data.show_state(frame, followed)
        if self._readouts_due():
            report = stability_report(frame, self.runs, followed)
            views.stability.show_report(report)
            views.rates.show_report(report)

    def _readouts_due(self) -> bool:
        """Whether this redraw updates the stability readouts: always at rest (paused,
        finished, scrubbed); while a run plays, `READOUT_INTERVAL_S` after the last time.
        The meter and the rate panel always get the same report, so they agree."""
        if not self._live():
            return True
        now = self._clock()
        if now - self._readout_at < READOUT_INTERVAL_S:
            return False
        self._readout_at = now
        return True

    def _live(self) -> bool:
        """A run playing, followed on screen (not finished, not scrubbed back)."""
        state = self.shown
        playing = self.runner.status == "playing" and not (state is not None and state.finished)
        return playing and self.scrub_step < 0

    def _busy(self) -> bool:
        """A run playing flat out, on screen live: the side plots draw in turn."""
        return self.flat_out and self._live()

    def _announce_stops(self, frame) -> None:
        """Say in one sentence why the first newly stopped run stopped."""
        stopped = np.asarray(frame.stop_reason) != RUNNING
        new = np.flatnonzero(stopped & ~self._announced)
        if new.size:
            self._announced = stopped.copy()
            self.views.banner.set_divergence(stopped_summary(frame, self.runs, int(new[0])))

    def _classify_outcomes(self, state) -> None:
        config = self.config
        if config is None or len(config.starts) < MIN_STARTS_FOR_OUTCOMES or self._outcomes_asked:
            return
        self._outcomes_asked = True
        generation, history = self._run_generation, state.history
        args = (
            self._surface,
            self.runs.start,
            state.frame.points,
            state.frame.diverged_at,
            history.loss,
        )
        self.jobs.submit(
            lambda *a: classify_outcomes(*a, history_steps=history.steps),
            args,
            lambda outcomes: self._on_outcomes(generation, outcomes),
            lambda exc: self.views.status.show_error(f"Outcome map failed: {exc}"),
        )

    def _on_outcomes(self, generation: int, outcomes) -> None:
        if generation != self._run_generation:
            return  # the run it belongs to was replaced
        self._outcomes = outcomes
        if self.grid_ready:  # else `_on_grid` shows it with the landscape it belongs to
            self.views.landscape.set_outcome_map(outcomes)
