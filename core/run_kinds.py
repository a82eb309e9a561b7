"""Which functions a run's process may be asked to call: the run kinds' factories and recorders.

The window sends a run to its own child process as a small object graph (a configuration,
the function that makes its frames, the function that records them), and the child sends
back the records' journals and frames. `gui.shell.run_codec` rebuilds both sides' objects
only from a closed set of types: NumPy arrays, the project's own classes, and the functions
marked here with `run_function`. A module-level function is sent by name; without the
mark, a name in the data is refused, so nothing but a run kind's entry points can be
called by what crosses the pipe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["is_run_function", "run_function"]

_MARK = "__slope_run_function__"

F = TypeVar("F", bound=Callable)


def run_function(function: F) -> F:
    """Mark ``function`` (module level) as one a run's process may be asked to call: a
    frame factory such as ``variant_frames``, or a recorder such as ``descent_history``."""
    setattr(function, _MARK, True)
    return function


def is_run_function(value: object) -> bool:
    """Whether ``value`` was marked by `run_function`."""
    return callable(value) and getattr(value, _MARK, False) is True
