"""One-shot computations off the main thread (a landscape grid, an outcome map).

A thin face over superqt's ``create_worker`` (napari's proven thread workers, run in
Qt's global thread pool): the callbacks arrive on the main thread, errors are handed to
the caller's ``failed`` instead of being raised there, and `wait` lets a closing window
join whatever is still computing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThreadPool
from superqt.utils import create_worker


class BackgroundJobs:
    """Submit ``fn(*args)``; ``done(result)`` or ``failed(exception)`` runs on the main thread.

    Callers that may be superseded (a newer surface, a newer run) guard their callbacks
    with a generation counter: a result that arrives late is simply ignored.
    """

    def __init__(self) -> None:
        self._live: set[Any] = set()

    def __repr__(self) -> str:
        return f"BackgroundJobs(running={len(self._live)})"

    def submit(
        self,
        fn: Callable,
        args: tuple,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        worker = create_worker(fn, *args, _start_thread=False, _ignore_errors=True)
        worker.returned.connect(done)
        worker.errored.connect(failed)
        self._live.add(worker)
        worker.finished.connect(lambda w=worker: self._live.discard(w))
        worker.start()

    @property
    def running(self) -> int:
        """How many submitted jobs have not finished yet."""
        return len(self._live)

    def wait(self, timeout_ms: int = 1000) -> bool:
        """Block until every job finished (closing the window); False on timeout."""
        return QThreadPool.globalInstance().waitForDone(timeout_ms)
