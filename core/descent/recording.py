"""The descent recorder: which `DescentFrame` fields a `History` keeps, and how to rebuild one.

Every field of `DescentFrame` but ``step`` is a per-run array; the history keeps each as
a column ``(N, K, ...)``, so a field added to the frame is recorded (and rebuilt by
``frame_at``) with no change here. Row shapes and dtypes come from the first frame.

The per-run *states* that only grow (which runs stopped, when and why, the first fault
step) read as their newest row: ``snapshot.diverged_at`` is ``(K,)``, the state after the
newest frame, while ``snapshot.column("diverged_at")`` is ``(N, K)``. ``upto(i)`` and
``frame_at(i)`` give the state as it was at row ``i``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from core.descent.engine import DescentFrame
from core.history import Field, History, RecordSpec
from core.run_kinds import run_function

__all__ = ["NEWEST_STATE", "a_run_stops", "descent_history", "descent_spec"]

# fields whose snapshot attribute is the newest row (a state), not the whole column
NEWEST_STATE = ("diverged_at", "stop_reason", "fault_step", "fault_lr", "fault_lambda")


def _rebuild(step: int, row: dict[str, np.ndarray]) -> DescentFrame:
    return DescentFrame(step=step, **row)


def a_run_stops(frame: DescentFrame) -> bool:
    """Whether a run stops at ``frame`` (its ``diverged_at`` is this step): the history
    pins that row and the ones before it, so the stopped run's path keeps its last finite
    point and its turns however far the others go on (see `core.history.RecordSpec`)."""
    return bool(np.any(np.asarray(frame.diverged_at) == frame.step))


def descent_spec(first_frame: DescentFrame) -> RecordSpec:
    """The `RecordSpec` of a descent whose frames look like ``first_frame``.

    Parameters
    ----------
    first_frame : DescentFrame
        Any frame of the run: it fixes K and each field's row shape and dtype.
    """
    fields = {}
    for spec in dataclasses.fields(DescentFrame):
        if spec.name != "step":
            value = np.asarray(getattr(first_frame, spec.name))
            fields[spec.name] = Field(value.shape, value.dtype)
    newest = tuple(name for name in NEWEST_STATE if name in fields)
    n_runs = int(np.asarray(first_frame.loss).shape[0])
    return RecordSpec(
        fields, _rebuild, newest=newest, constants={"n_runs": n_runs}, pin=a_run_stops
    )


@run_function
def descent_history(first_frame: DescentFrame, capacity: int = 1024) -> History:
    """An empty bounded `History` for a descent; the worker's recorder for descents.

    ``first_frame`` only fixes the shapes: append it (and every later frame) yourself.
    """
    return History(descent_spec(first_frame), capacity=capacity)
