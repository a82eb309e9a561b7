"""Keep the heat map and contours covering whatever part of the landscape is on screen.

A grid computed once for the surface's default box leaves bare bands when the plot is
wider or taller than the box, and turns into big pixels when zoomed in. `LandscapeRegrid`
watches the view range (resize, zoom, pan, a new landscape), waits until it has been
still for `DEBOUNCE_MS`, and resamples the visible range (padded) in a background
thread at about one sample per screen pixel. Colour and contour levels stay those of the
default grid (`core.surfaces.surface_grid.resample`), so nothing changes colour while
zooming. Results of superseded requests are dropped by a generation counter; the image
on screen stays until its replacement arrives. The first request of a landscape also
draws a coarse backdrop over the whole pannable area, so panning never shows bare canvas.

It also owns the view range of a new landscape: pan limits (the clamp box), and a first
view that fits the default box snugly, kept fitted through resizes until the user zooms
or pans ("home").
"""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6 import QtCore
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot
from superqt.utils import create_worker

from core.surfaces.surface_grid import LandscapeGrid, resample
from gui.descent.views.landscape_geometry import clamp_box

DEBOUNCE_MS = 120
# The resampled box reaches this fraction of the visible span beyond each edge.
PADDING = 0.15
# Samples per screen pixel, and the most samples along one axis.
DENSITY = 1.0
MAX_SAMPLES = 1200
BACKDROP_SAMPLES = 240
# A patch on screen is kept while its sample spacing is within these factors of the ideal.
KEEP_RATIO = (0.6, 1.6)


class _Ticket:
    """Cancellation flag shared with one background job (read there, set here)."""

    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False


def _regrid_job(generation, grid, box, shape, backdrop, ticket):
    """Background thread: the visible patch (and maybe the backdrop) of ``grid``."""
    back = None
    if backdrop is not None:
        back = resample(grid, backdrop, (BACKDROP_SAMPLES,) * 2, contours=False)
    patch = resample(grid, box, shape, cancelled=lambda: ticket.cancelled)
    return generation, patch, back


def _spacing(grid: LandscapeGrid) -> tuple[float, float]:
    """Distance between neighbouring samples along x and y."""
    return (
        float(grid.x[-1] - grid.x[0]) / max(grid.x.size - 1, 1),
        float(grid.y[-1] - grid.y[0]) / max(grid.y.size - 1, 1),
    )


def pad_box(view: tuple, limits: tuple, padding: float = PADDING) -> tuple:
    """``view`` (xmin, xmax, ymin, ymax) grown by ``padding`` spans, kept inside ``limits``
    (but never smaller than ``view`` itself)."""
    x0, x1, y0, y1 = view
    px, py = padding * (x1 - x0), padding * (y1 - y0)
    lx0, lx1, ly0, ly1 = limits
    return (
        min(x0, max(x0 - px, lx0)),
        max(x1, min(x1 + px, lx1)),
        min(y0, max(y0 - py, ly0)),
        max(y1, min(y1 + py, ly1)),
    )


class LandscapeRegrid(QObject):
    """Resamples ``grid`` for the range of ``view_box`` and hands patches to ``layers``.

    ``layers`` needs ``show_patch(grid)`` and ``show_backdrop(grid)``; ``widget`` is the
    widget whose visibility decides whether regridding is worth doing.
    """

    settled = Signal()  # a patch covering the current view is on screen

    def __init__(self, view_box, layers, widget) -> None:
        super().__init__(widget)
        self.view_box, self.layers, self.widget = view_box, layers, widget
        self.grid: LandscapeGrid | None = None
        self.generation = 0
        self.shown_generation = 0
        self.patch_box: tuple | None = None
        self.patch_step = (np.inf, np.inf)
        self._need_backdrop = False
        self._ticket = _Ticket()
        self._workers: set = set()  # referenced here until they finish
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one job at a time; newer ones wait in the queue
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._request)
        self.home = True  # the view shows the default box (no zoom or pan since)
        view_box.sigRangeChanged.connect(self.schedule)
        view_box.sigResized.connect(self._on_resized)
        view_box.sigRangeChangedManually.connect(self._leave_home)
        widget.installEventFilter(self)

    # ----------------------------------------------------------------- public
    def set_grid(self, grid: LandscapeGrid) -> None:
        """A new landscape: its own grid is on screen until the first patch arrives."""
        self.grid = grid
        self._cancel()
        xmin, xmax, ymin, ymax = grid.bounds
        lo, hi = clamp_box(grid.bounds)  # pan and zoom stop one span outside
        least = 1e-3 * max(xmax - xmin, ymax - ymin)  # zoom in a thousandfold at most
        self.view_box.setLimits(
            xMin=lo[0], xMax=hi[0], yMin=lo[1], yMax=hi[1], minXRange=least, minYRange=least
        )
        self.fit()
        self.patch_box, self.patch_step = grid.bounds, _spacing(grid)
        self._need_backdrop = True
        self.schedule(delay=0)

    def fit(self) -> None:
        """Show the default box, snug (the aspect lock widens the other axis)."""
        xmin, xmax, ymin, ymax = self.grid.bounds
        self.view_box.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)
        self.home = True

    def schedule(self, *_args, delay: int = DEBOUNCE_MS) -> None:
        """Regrid once the view has been still for ``delay`` ms."""
        if self.grid is not None and self.grid.surface is not None:
            self._timer.start(delay)

    @property
    def is_settled(self) -> bool:
        """No regrid waiting or running: what is on screen belongs to the current view
        (always true while the widget is hidden: nothing is drawn then)."""
        if not self.widget.isVisible():
            return True
        return not self._timer.isActive() and self.shown_generation == self.generation

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop the timer, drop queued jobs, wait for a running one. True if none is left."""
        self._timer.stop()
        self._cancel()
        return self._pool.waitForDone(int(timeout_ms))

    # -------------------------------------------------------------- internals
    def eventFilter(self, watched, event) -> bool:
        if event.type() == QtCore.QEvent.Type.Hide:
            if self.widget.window().isVisible():
                self._timer.stop()  # another tab in front: compute nothing meanwhile
                self._cancel()
            else:
                self.shutdown()  # the window is closing: no job may outlive it
        elif event.type() == QtCore.QEvent.Type.Show:
            self.schedule(delay=0)
        return False

    def _on_resized(self, *_args) -> None:
        if self.home and self.grid is not None:
            self.fit()
        self.schedule()

    def _leave_home(self, *_args) -> None:
        self.home = False

    def _cancel(self) -> None:
        self.generation += 1
        self._ticket.cancelled = True
        self._pool.clear()  # queued jobs never start

    def _view_box_now(self) -> tuple[tuple, tuple[int, int]]:
        """The box to sample (visible range, padded) and its shape (nx, ny)."""
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        lo, hi = clamp_box(self.grid.bounds)
        box = pad_box((x0, x1, y0, y1), (lo[0], hi[0], lo[1], hi[1]))
        size = self.view_box.boundingRect().size()
        ratio = self.widget.devicePixelRatioF() * DENSITY
        wx = (box[1] - box[0]) / (x1 - x0) * max(size.width(), 1.0) * ratio
        wy = (box[3] - box[2]) / (y1 - y0) * max(size.height(), 1.0) * ratio
        shape = (int(np.clip(wx, 16, MAX_SAMPLES)), int(np.clip(wy, 16, MAX_SAMPLES)))
        return box, shape

    def _still_good(self, view: tuple, box: tuple, shape: tuple[int, int]) -> bool:
        """Whether the patch on screen covers ``view`` with about the right spacing."""
        if self.patch_box is None or self._need_backdrop:
            return False
        px0, px1, py0, py1 = self.patch_box
        x0, x1, y0, y1 = view
        if x0 < px0 or x1 > px1 or y0 < py0 or y1 > py1:
            return False
        ideal = ((box[1] - box[0]) / shape[0], (box[3] - box[2]) / shape[1])
        ratios = np.divide(self.patch_step, ideal)
        return bool(np.all((ratios > KEEP_RATIO[0]) & (ratios < KEEP_RATIO[1])))

    def _request(self) -> None:
        if self.grid is None or not self.widget.isVisible():
            return
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        if not (x1 > x0 and y1 > y0):
            return
        box, shape = self._view_box_now()
        self._cancel()
        if self._still_good((x0, x1, y0, y1), box, shape):
            self.shown_generation = self.generation
            self.settled.emit()
            return
        self._ticket = ticket = _Ticket()
        backdrop = None
        if self._need_backdrop:
            lo, hi = clamp_box(self.grid.bounds)
            backdrop = (lo[0], hi[0], lo[1], hi[1])
        args = (self.generation, self.grid, box, shape, backdrop, ticket)
        worker = create_worker(_regrid_job, *args, _start_thread=False)
        worker.returned.connect(self._on_result)
        self._workers.add(worker)
        worker.finished.connect(partial(self._workers.discard, worker))
        self._pool.start(worker)

    @Slot(object)
    def _on_result(self, result) -> None:
        generation, patch, backdrop = result
        if generation != self.generation or patch is None:
            return  # the view moved on (or a new landscape came) meanwhile
        if backdrop is not None:
            self.layers.show_backdrop(backdrop)
            self._need_backdrop = False
        self.layers.show_patch(patch)
        self.patch_box, self.patch_step = patch.bounds, _spacing(patch)
        self.shown_generation = generation
        self.settled.emit()
