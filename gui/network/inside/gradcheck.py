"""The gradient-check tab's logic: check the shown step on request, in the background.

`GradientCheck` has no widget in it (it is tested against a mock of
`GradientCheckView`). "Check gradients" runs core's `gradient_check_at` on the run and
frame the network controller shows (`shown_run()`: the previewed, pinned or newest
step) with the space's `BackgroundJobs`, the button disabled meanwhile; the view shows
what core returns, verdicts and all. A result for an older request, or one arriving after
the window closed, is dropped (generation counter). When the run moves on after a check,
the view is told which step the check was of.
"""

from __future__ import annotations

from typing import Any, Protocol

from core.nn.gradcheck_frame import FrameGradCheck, gradient_check_at

# the history keeps each step's numbers, not which samples its batch held
NO_BATCH_NOTE = (
    "A step picked on the timeline does not keep its batch: go back to the live run "
    "(the end of the timeline) to check its gradients."
)


class GradientCheckView(Protocol):
    """What the tab's widget does for `GradientCheck`."""

    def set_available(self, on: bool) -> None:
        """Whether there is a step to check (the button can be pressed)."""

    def set_busy(self, busy: bool) -> None:
        """A check is computing: the button disabled, a line saying so."""

    def show_check(self, check: FrameGradCheck, layers: tuple[int, ...]) -> None:
        """Draw a finished check: verdict line, the layer x (W, b) table, the note."""

    def show_stale(self, text: str) -> None:
        """One line on how the shown step differs from the checked one ("" hides it)."""

    def show_error(self, message: str) -> None:
        """The check could not be made: say why, keep the last result."""


class SourceOfRuns(Protocol):
    """The part of `gui.network.controller.NetworkController` the check reads."""

    def shown_run(self) -> tuple[Any, Any, Any] | None: ...


class JobRunner(Protocol):
    """`gui.shell.jobs.BackgroundJobs`."""

    def submit(self, fn, args: tuple, done, failed) -> None: ...


class GradientCheck:
    """Runs the check on request and keeps the view true to what is on screen."""

    def __init__(self, view: GradientCheckView, source: SourceOfRuns, jobs: JobRunner) -> None:
        self.view, self.source, self.jobs = view, source, jobs
        self.generation = 0
        self.busy = False
        self.closed = False
        self.checked: tuple[Any, int] | None = None  # (run, step) of the check on screen
        self.result: FrameGradCheck | None = None
        view.set_available(False)

    def __repr__(self) -> str:
        verdict = None if self.result is None else self.result.verdict
        return f"GradientCheck(busy={self.busy}, verdict={verdict!r})"

    def request(self) -> None:
        """Check the shown step's gradients in the background."""
        shown = self.source.shown_run()
        if shown is None or self.busy or self.closed:
            return
        run, frame, _history = shown
        if frame.batch_indices is None:
            self.view.show_stale(NO_BATCH_NOTE)
            return
        self.generation += 1
        generation, target = self.generation, (run, int(frame.step))
        self.busy = True
        self.view.set_busy(True)
        self.jobs.submit(
            gradient_check_at,
            (run.config, frame, run.dataset),
            lambda check: self._done(generation, target, check),
            lambda error: self._failed(generation, error),
        )

    def _done(self, generation: int, target: tuple, check: FrameGradCheck) -> None:
        if generation != self.generation or self.closed:
            return  # superseded, or the window is gone
        self.busy, self.checked, self.result = False, target, check
        self.view.set_busy(False)
        self.view.show_check(check, tuple(target[0].config.layers))
        self.on_shown_changed()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self.generation or self.closed:
            return
        self.busy = False
        self.view.set_busy(False)
        self.view.show_error(f"The gradient check failed: {error}")

    def on_shown_changed(self) -> None:
        """The controller shows another state: the button and the stale line follow it.

        Called for every drawn state, so it only compares a run and a step number.
        """
        if self.closed:
            return
        shown = self.source.shown_run()
        unrecorded = shown is not None and shown[1].batch_indices is None
        self.view.set_available(shown is not None and not unrecorded)
        if unrecorded:  # a step picked on the timeline: its history keeps no batch
            self.view.show_stale(NO_BATCH_NOTE)
            return
        if shown is None or self.checked is None:
            return
        run, frame, _ = shown
        checked_run, checked_step = self.checked
        if run is not checked_run:
            self.view.show_stale("This check is of an earlier run: check again for this one.")
        elif int(frame.step) != checked_step:
            self.view.show_stale(
                f"This check is of step {checked_step}; step {int(frame.step)} is shown now."
            )
        else:
            self.view.show_stale("")

    def close(self) -> None:
        """The window is closing: a check still computing is dropped when it arrives."""
        self.closed = True
        self.generation += 1
