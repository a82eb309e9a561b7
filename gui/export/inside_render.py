"""``render --view neurons|weights|landscape|gradient-check``: the views inside the network,
headless, as the window exports them.

These views are drawn from background computations on the state the workspace shows
(gui/network/inside), not from figure data, so the honest way to render one is the
window's own: a `NetworkSpace` in a host widget that Qt lays out but never maps on a
screen (``WA_DontShowOnScreen``), the preset or session opened in it, its run trained by
its worker flat out to the end of ``--steps`` (or of the run), the view's tab in front,
its computation waited for (the landscape's slice computed when it did not start by
itself, the gradient check's button pressed), then its ``export_view`` painted by
`WidgetFigure`. The worker and the background jobs are stopped and joined afterwards.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from core.commands.render import INSIDE_VIEWS, run_last_step
from core.nn.presets import NetworkPreset
from core.session import NetworkSession
from gui.export.figure_files import FIGURE_FORMATS, target_path, write_figure
from gui.export.widget_figure import WidgetFigure
from gui.shell.status_bar import RunStatusBar

HOST_SIZE = (1600, 900)  # the window the view is laid out in: a 16:9 screen
WAIT_S = 900.0  # the longest a preset may train and compute before render gives up
POLL_MS = 20


class _RenderStatus(RunStatusBar):
    """The host's status bar; it keeps the errors the space reports, so that a failed
    computation ends the render with its reason instead of a timeout."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def show_error(self, text: str) -> None:
        self.errors.append(text)
        super().show_error(text)


def wait_until(ready: Callable[[], bool], what: str, status=None, timeout_s=WAIT_S) -> None:
    """Run the event loop until ``ready()`` (polled every `POLL_MS`); RuntimeError naming
    ``what`` after ``timeout_s`` seconds, or with the space's error if one is reported."""
    loop = QtCore.QEventLoop()
    timer = QtCore.QTimer(interval=POLL_MS)
    deadline = time.monotonic() + timeout_s

    def poll() -> None:
        if ready() or time.monotonic() > deadline or (status is not None and status.errors):
            loop.quit()

    timer.timeout.connect(poll)
    timer.start()
    if not ready():
        loop.exec()
    timer.stop()
    if status is not None and status.errors:
        raise RuntimeError(status.errors[-1])
    if not ready():
        raise RuntimeError(f"gave up after {timeout_s:.0f} s waiting for {what}")


class InsideHost:
    """A `NetworkSpace` laid out off screen with its own status bar (close it after use)."""

    def __init__(self, size: tuple[int, int] = HOST_SIZE) -> None:
        from gui.network.workspace import NetworkSpace  # Qt widgets of the network: lazily

        self.widget = QtWidgets.QWidget()
        self.widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.status = _RenderStatus()
        self.space = NetworkSpace(self.status, self.widget)
        layout = QtWidgets.QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.space.widget, 1)
        layout.addWidget(self.status)
        self.widget.resize(*size)
        self.widget.show()  # laid out and "visible" to Qt, never mapped on a screen

    def __repr__(self) -> str:
        return f"InsideHost({self.space!r})"

    def close(self, timeout_ms: int = 5000) -> bool:
        """Stop the run and the inside views' work, join the worker and the jobs."""
        ok = self.space.shutdown(timeout_ms)
        self.status.stop()
        self.widget.close()
        self.widget.deleteLater()
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        return ok

    def open(self, source: NetworkPreset | NetworkSession) -> None:
        """Open a network preset (variants on) or a session's network part, paused."""
        if isinstance(source, NetworkSession):
            self.space.apply_session_part(source)
        else:
            self.space.load_preset(source, start=False)
        self.space.set_speed(None)  # flat out: the figure is of the end, not the way

    def train_to(self, last_step: int | None) -> None:
        """Play to the end of the run (None), or take exactly ``last_step`` steps with the
        worker's Step (a run that ends sooner stops at its end). The figure is then of the
        live state, as the window shows it after the same steps."""
        space = self.space
        controller, worker = space.controller, space.worker
        wait_until(lambda: controller.shown is not None, "the first state", self.status)
        if last_step is None:
            controller.play()
        else:
            for _ in range(max(last_step - self.step_shown(), 0)):
                worker.step()  # the worker adds each one to its step budget
        ended = ("finished", "stopped", "error")
        wait_until(
            lambda: worker.status in ended or (worker.status == "paused" and self.at(last_step)),
            "the run",
            self.status,
        )
        wait_until(lambda: space.up_to_date, "the last state")

    def step_shown(self) -> int:
        """The step of the newest state drawn (-1 before the first)."""
        shown = self.space.controller.shown
        return -1 if shown is None else int(shown.frame.frames[self.space.controller.selected].step)

    def at(self, last_step: int | None) -> bool:
        return last_step is not None and self.step_shown() >= last_step

    def export(self, view: str, path, width: int, height: int, style: str) -> Path:
        """Bring ``view``'s tab to the front, wait until it shows the state on screen,
        and write its ``export_view`` as on screen."""
        part = self.part_of(view)
        self.space.widget.show_view(view)
        _COMPUTE[view](self, part)
        widget = part.export_view[1]
        figure = WidgetFigure(widget, self.space.controller.title, width, height, style)
        return write_figure(figure, path)

    def part_of(self, view: str):
        """The inside part that draws ``view`` (its tab's widget is named after it)."""
        for part in self.space.inside:
            if part.export_view[1].objectName() == view:
                return part
        raise ValueError(f"this network workspace has no {view} view")


def _tab_drawn(host: InsideHost, part) -> None:
    """Neurons, weights: the tab asks by itself once in front; wait for its drawing."""
    view = part.view
    drawn = lambda: getattr(view, "thumbs", getattr(view, "shown", None)) is not None  # noqa: E731
    wait_until(lambda: part.settled and drawn(), f"the {view.objectName()} view", host.status)


def _slice_computed(host: InsideHost, part) -> None:
    """The landscape: a slice of the shown step; Compute pressed when none came by itself."""
    step = int(host.space.controller.shown_run()[1].step)
    current = lambda: part.view.shown is not None and part.view.shown.step == step  # noqa: E731
    if not part.busy and not current():
        part.compute()
    wait_until(lambda: not part.busy, "the landscape slice", host.status)
    if not current():  # the part's note says why (a bad choice, no path yet...)
        raise RuntimeError(part.view.note.text() or "the slice was not computed")


def _gradients_checked(host: InsideHost, part) -> None:
    """The gradient check: its button pressed, its verdict waited for."""
    wait_until(part.panel.button.isEnabled, "the gradient check's button", host.status)
    part.panel.button.click()
    check = part.check
    wait_until(lambda: not check.busy, "the gradient check", host.status)
    if check.result is None:  # the panel says why
        raise RuntimeError(part.panel.verdict.text() or "the gradient check was not made")


_COMPUTE = {
    "neurons": _tab_drawn,
    "weights": _tab_drawn,
    "landscape": _slice_computed,
    "gradient-check": _gradients_checked,
}
assert tuple(_COMPUTE) == INSIDE_VIEWS


@contextlib.contextmanager
def inside_host(source: NetworkPreset | NetworkSession, last_step: int | None) -> Iterator:
    """An `InsideHost` with ``source`` trained to ``last_step`` (None: to the end); closed
    (run stopped, jobs joined) on leaving."""
    host = InsideHost()
    try:
        host.open(source)
        host.train_to(last_step)
        yield host
    finally:
        host.close()


def render_inside(
    source: NetworkPreset | NetworkSession,
    view: str,
    path: str | os.PathLike,
    width: int,
    height: int,
    style: str = "slide",
    steps: tuple[int, int] | None = None,
) -> Path:
    """Write the inside view ``view`` of ``source`` at the end of ``steps`` (default: the
    end of its run) to ``path`` (PNG, SVG or PDF; ValueError for an animation)."""
    if view not in INSIDE_VIEWS:
        raise ValueError(f"view must be one of {', '.join(INSIDE_VIEWS)}, got {view!r}")
    _target, fmt = target_path(path)
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"the {view} view is drawn as a picture: .png, .svg or .pdf")
    last = None if steps is None or steps[1] >= run_last_step(source) else steps[1]
    with inside_host(source, last) as host:
        return host.export(view, path, width, height, style)
