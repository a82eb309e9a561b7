"""The landscape tab's logic: when to compute a slice, its progress and cancel, previews.

`LandscapePart` reads the controller's `shown_run()` and computes core's
`compute_slice` with the space's `BackgroundJobs`: on request (Compute), and once by
itself when the tab is in front and the run first comes to rest with a path to show (a
preset that opens on this tab shows its slice without a click). While it computes, a
timer shows the progress from the first 100 ms and Cancel stops the job at its next
chunk of points (the job then returns None, and nothing half made is drawn). A result
for an older request is dropped (generation counter). Clicking the slice shows the
network at that point in the diagram and the data view (`preview_weights`); "Back to
the run" returns. While the tab is hidden the part does nothing.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer

from core.nn.landscape_slice import compute_slice
from gui.network.inside.landscape_view import LandscapeTab
from gui.network.views.presentation import present_plots

POLL_MS = 100  # the progress bar's refresh while a slice is computed
AT_REST = ("paused", "finished", "stopped")


class SliceProgress:
    """Shared between the job (writes) and the main thread (reads): how far, and stop."""

    def __init__(self) -> None:
        self.done, self.total = 0, 0
        self.cancel = threading.Event()

    def __call__(self, done: int, total: int) -> bool:
        self.done, self.total = done, total  # two int stores: a torn read shows one poll late
        return not self.cancel.is_set()


class LandscapePart:
    """The landscape tab wired to the network controller (see the module docstring)."""

    def __init__(self, view, controller, jobs, up_to_date=lambda: True) -> None:
        self.view, self.controller, self.jobs = view, controller, jobs
        self.up_to_date = up_to_date  # the views show the newest state the run sent
        self.export_view = ("landscape", view)
        self.generation = 0
        self.running: SliceProgress | None = None
        self.auto_pending = True  # compute by itself at the first rest (see maybe_auto)
        self.requested_step = -1  # the step of the newest slice asked for
        self.run_seen: Any = None
        self.timer = QTimer(view)
        self.timer.setObjectName("landscapeProgress")
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        view.compute_clicked.connect(self.compute)
        view.cancel_clicked.connect(self.cancel)
        view.back_clicked.connect(self.back_to_run)
        view.point_clicked.connect(self.preview_at)
        controller.listeners.append(self.on_shown)
        self.close_watch = _CloseWatch(self)

    def __repr__(self) -> str:
        return f"LandscapePart(generation={self.generation}, busy={self.busy})"

    @property
    def busy(self) -> bool:
        return self.running is not None

    def _visible(self) -> bool:
        return self.view.isVisible()

    def on_shown(self) -> None:
        """The controller's shown state changed: keep the tab's buttons true; maybe compute."""
        shown = self.controller.shown_run()
        if shown is None:
            return
        run = shown[0]
        if run is not self.run_seen:  # another run (a new config or preset): start over
            self.run_seen, self.auto_pending, self.requested_step = run, True, -1
        if not self._visible():
            return
        self.view.show_previewing(self.controller.preview is not None)
        slice_step = None if self.view.shown is None else self.view.shown.step
        if not self.busy and slice_step is not None and slice_step != shown[1].step:
            self.view.show_note(
                f"The slice is of step {slice_step}; the run on screen is at step "
                f"{shown[1].step}. Compute again to follow it."
            )
        self.maybe_auto()

    def on_status(self, status: str) -> None:
        if status == "playing" and self.view.shown is not None:
            self.auto_pending = False  # the first rest is over: from now on, on request
        if self._visible():
            self.maybe_auto()

    def maybe_auto(self) -> None:
        """The first slice of a run, by itself, once the run rests with a path to show.

        States computed before a pause may still arrive after it (a run in the child
        process sends ahead): a newer step at rest asks again, until the run plays again.
        """
        if not self.auto_pending or not self._visible():
            return
        if self.controller.runner.status not in AT_REST or not self.up_to_date():
            return  # (states sent before the pause are still being drawn)
        shown = self.controller.shown_run()
        if shown is None or len(shown[2].weight_steps) < 3:
            return  # nothing trained yet: the principal directions need a path
        if shown[1].step != self.requested_step and self.controller.preview is None:
            self.compute()

    def compute(self) -> None:
        """Compute the slice the controls ask for, around the weights of the run on screen."""
        try:
            spec = self.view.spec()
        except ValueError as exc:
            self.view.show_note(f"Cannot compute this slice: {exc}")
            return
        if self.controller.preview is not None:
            self.back_to_run()  # the slice is around the run's weights, not a preview's
        shown = self.controller.shown_run()
        if shown is None:
            self.view.show_note("No run on screen yet.")
            return
        run, frame, history = shown
        self.requested_step = frame.step
        self.close_watch.watch()  # the window the tab is in by now
        self.cancel()
        self.generation += 1
        generation, progress = self.generation, SliceProgress()
        self.running = progress
        args = (run.config, frame, run.dataset, history, spec, progress)
        self.jobs.submit(
            compute_slice,
            args,
            lambda result: self._done(generation, result),
            lambda exc: self._failed(generation, exc),
        )
        self.view.show_note(f"Computing the slice around step {frame.step}...")
        self.view.show_progress(0, 1)
        self.timer.start()

    def _poll(self) -> None:
        progress = self.running
        if progress is not None and progress.total:
            self.view.show_progress(progress.done, progress.total)

    def _finish(self) -> None:
        self.running = None
        self.timer.stop()
        self.view.show_progress(0, 0)

    def _done(self, generation: int, result) -> None:
        if generation != self.generation:
            return  # an older request's result
        self._finish()
        if result is None:
            self.view.show_note("Cancelled: the slice on screen (if any) is the previous one.")
            return
        self.view.show_slice(result)
        far = float(result.path.relative_distance.max())
        self.view.show_note(
            f"Step {result.step}: the path's farthest point is {far:.0%} of its length off "
            "the plane. Click the slice to see the network there."
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self._finish()
        self.view.show_note(f"Cannot compute this slice: {exc}")

    def cancel(self) -> None:
        """Stop the slice being computed (at its next chunk of points)."""
        if self.running is not None:
            self.auto_pending = False  # cancelled: wait for Compute
            self.running.cancel.set()
            self.generation += 1  # whatever it still returns is dropped
            self._finish()
            self.view.show_note("Cancelled.")

    def preview_at(self, alpha: float, beta: float) -> None:
        """Show the network at ``theta_0 + alpha d1 + beta d2`` without touching the run."""
        result = self.view.shown
        if result is None:
            return
        weights, biases = result.weights_at(alpha, beta)
        self.controller.preview_weights(weights, biases)
        self.view.show_previewing(True)
        self.view.show_note(
            f"The diagram and the data view show the network at alpha = {alpha:.3g}, "
            f"beta = {beta:.3g} on the slice; the run goes on underneath."
        )

    def back_to_run(self) -> None:
        self.controller.preview_weights(None)
        self.view.show_previewing(False)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: larger tick labels and titles, thicker lines in the slice
        and the path's side plots."""
        present_plots(self.view, on)

    def close(self) -> None:
        """The window is closing: stop a slice being computed, and the progress timer."""
        self.cancel()
        self.timer.stop()


class _CloseWatch(QObject):
    """Stops the part when its window is about to close (before the window waits for
    the background jobs): a slice of a large net must not hold the closing window."""

    def __init__(self, part: LandscapePart) -> None:
        super().__init__(part.view)
        self.part = part
        self.window: Any = None

    def watch(self) -> None:
        window = self.part.view.window()
        if window is not self.window:
            self.window = window
            window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.part.close()
        return False


def install_landscape(space: Any) -> LandscapePart:
    """The "landscape" tab beside the diagram of ``space`` (a `NetworkSpace`), wired."""
    view = LandscapeTab()
    part = LandscapePart(view, space.controller, space.jobs, lambda: space.up_to_date)
    space.widget.side.addTab(view, "Landscape")
    space.worker.status_changed.connect(part.on_status)
    return part
