"""Going on from a recorded step: the past as it was recorded, then new frames.

A learner drags the timeline back and presses Play: the run should continue from the
step on screen, not start over. A run is deterministic given its configuration (every
sampler is seeded), so the engine is brought back to any step by running it there again
without yielding frames (`resume_frames`), and the history of the new run starts with
the rows recorded before that step (`resumed_recorder`), so the timeline keeps the past.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core.descent.engine import DescentConfig, DescentRun
from core.descent.frame import DescentFrame
from core.descent.recording import descent_history
from core.history import History
from core.surfaces.surface import Surface


def resume_frames(
    config: DescentConfig,
    step: int,
    surface: Surface | None = None,
    max_steps: int | None = None,
) -> Iterator[DescentFrame]:
    """Frames of ``config`` from ``step`` on, exactly as the original run yielded them.

    Parameters
    ----------
    config : DescentConfig
    step : int
        The step to go on from (at most the run's step count unless ``max_steps`` is -1).
    surface : Surface, optional
        The surface object the run used (saves building it again).
    max_steps : int, optional
        Where to stop (default: the configuration's ``steps``; ``-1``: never).

    The engine is brought to ``step`` before the first frame is yielded by stepping it
    there quietly: the same arithmetic, so the same numbers.
    """
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise ValueError(f"step must be an integer >= 0, got {step!r}")
    limit = config.steps if max_steps is None else max_steps
    if limit >= 0 and step > limit:
        raise ValueError(f"step must be at most the run's {limit} steps, got {step}")
    run = DescentRun(config, surface)
    frame = run.frame()  # as `DescentRun.frames` does first: frames carry state
    for _ in range(step):
        frame = run.step()
    yield frame
    while limit < 0 or run.step_index < limit:
        yield run.step()


def resumed_recorder(recorded, capacity: int = 1024) -> DescentRecorder:
    """A recorder (for `RunWorker.start`) whose history begins with ``recorded``'s rows
    before the resumed run's first frame; the new frames are appended after them."""
    return DescentRecorder(recorded, capacity)


@dataclass(frozen=True, slots=True)
class DescentFrames:
    """A frame factory for `RunWorker.start` that can be pickled (unlike a lambda).

    ``DescentFrames(config, step, max_steps, surface)()`` is
    ``resume_frames(config, step, surface, max_steps)``; from step 0 these are the frames
    of ``DescentRun(config, surface).frames(max_steps)``. Pickled, it carries only the
    configuration: where it is unpickled (the run's process) the surface is built again
    from the configuration, the same way the window built it.
    """

    config: DescentConfig
    step: int = 0
    max_steps: int | None = None
    surface: Surface | None = field(default=None, compare=False, repr=False)

    def __call__(self) -> Iterator[DescentFrame]:
        return resume_frames(self.config, self.step, self.surface, self.max_steps)

    def __reduce__(self):
        return (DescentFrames, (self.config, self.step, self.max_steps))


@dataclass(frozen=True, slots=True)
class DescentRecorder:
    """The descent recorder as a picklable object: ``descent_history(first, capacity)``,
    first filled with ``recorded``'s rows before ``first.step`` when going on from a
    recorded step (``recorded``: a `HistorySnapshot`, or None for a fresh run)."""

    recorded: Any = None
    capacity: int = 1024

    def __call__(self, first: DescentFrame) -> History:
        history = descent_history(first, capacity=self.capacity)
        recorded = self.recorded
        for row in range(0 if recorded is None else len(recorded)):
            if int(recorded.steps[row]) >= first.step:
                break
            history.append(recorded.frame_at(row))
        return history
