"""Picklable frame factories and recorders for the process-route tests (no Qt here).

The run's process unpickles these, so this module must import nothing of Qt: the child
would load it, and `qt_modules_loaded` would then report it. It names itself to
`gui.shell.run_codec` (which imports no Qt either), and marks its factories and recorders
with `run_function`, as the core's run kinds are: the child rebuilds nothing else.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from core.history import Field, History, RecordSpec
from core.run_kinds import run_function
from gui.shell import run_codec

run_codec.allow_module(__name__)


@dataclass(frozen=True)
class Tick:
    step: int
    value: float


def _rebuild_tick(step: int, row: dict) -> Tick:
    return Tick(step, float(row["value"]))


TICK_SPEC = RecordSpec({"value": Field()}, _rebuild_tick)


@run_function
def record_ticks(first_frame) -> History:
    """A small bounded history (it thins after 64 rows)."""
    return History(TICK_SPEC, capacity=64)


@run_function
def count_ticks(n: int, offset: int = 0):
    """Frames ``offset .. offset + n - 1``, each valued ``10 * step``."""
    for i in range(offset, offset + n):
        yield Tick(i, 10.0 * i)


@run_function
def fail_at(step: int):
    """Frames 0 .. step - 1, then a ValueError."""
    for i in range(step):
        yield Tick(i, 0.0)
    raise ValueError(f"boom at step {step}")


@run_function
def qt_modules_loaded(n: int = 3):
    """Frames whose value is how many Qt modules the process running them has imported."""
    for i in range(n):
        loaded = [name for name in sys.modules if name.startswith(("PySide6", "shiboken6"))]
        yield Tick(i, float(len(loaded)))


class StepList:
    """A record that is no `History`: every step it was given (the child sends them all)."""

    def __init__(self, first_frame) -> None:
        self.steps: list[int] = []

    def append(self, frame) -> None:
        self.steps.append(frame.step)

    def snapshot(self) -> tuple[int, ...]:
        return tuple(self.steps)


@dataclass(frozen=True)
class HeavyTick:
    """A tick carrying ``blob``, a payload no history records (like a network's gradients)."""

    step: int
    value: float
    blob: bytes


@run_function
def heavy_ticks(n: int, size: int):
    """Frames 0 .. n - 1, each with ``size`` bytes that only the newest frame carries over."""
    for i in range(n):
        yield HeavyTick(i, float(i), bytes(size))
