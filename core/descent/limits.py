"""The range of every number a descent configuration or a saved session may hold.

One table, :data:`LIMITS`, read by the configuration's own validation, by the preset
loader and by the GUI's spin boxes, so a value the loader accepts is one the window can
show and a run can use.
"""

from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

MAX_RUNS = 20_000
MAX_STEPS = 10_000_000
MAX_WIDGET_INT = 2**31 - 1  # the largest value a Qt spin box holds (a C int)
MAX_OPTIMIZERS = 8  # rows of the optimizer editor (a race of more is unreadable)
MAX_LABEL = 80  # characters of an optimizer's legend label
COORDINATE_LIMIT = 1e6  # |x|, |y| of start points and of the view box
BOUNDS_MIN_SPAN = 1e-9  # a view box spans >= this times max(1, its largest |coordinate|)
FLAGS = ("nesterov", "amsgrad", "centered")  # hyperparameters that are 0 (off) or 1 (on)


@dataclass(frozen=True, slots=True)
class Limit:
    """The closed range ``[low, high]`` of one field; ``integer`` fields take ints only."""

    low: float
    high: float
    integer: bool = False

    def check(self, name: str, value: object) -> float | int:
        """``value`` as a float (an int for integer fields), or ValueError naming ``name``."""
        kind = "an integer" if self.integer else "a number"
        span = f"[{_number_text(self.low)}, {_number_text(self.high)}]"
        message = f"{name} must be {kind} in {span}, got {describe(value)}"
        if isinstance(value, bool):
            raise ValueError(message)
        if self.integer:
            if not isinstance(value, int | np.integer) or not self.low <= value <= self.high:
                raise ValueError(message)
            return int(value)
        number = finite(value)
        if number is None or not self.low <= number <= self.high:
            raise ValueError(message)
        return number


_LR = Limit(0.0, 1000.0)
_STEPS = Limit(1, MAX_STEPS, integer=True)
# Field -> allowed range; the keys are the dotted paths of the JSON format.
LIMITS = MappingProxyType(
    {
        "learning_rates": _LR,
        "starts": Limit(-COORDINATE_LIMIT, COORDINATE_LIMIT),
        "bounds": Limit(-COORDINATE_LIMIT, COORDINATE_LIMIT),
        "steps": Limit(0, MAX_STEPS, integer=True),
        "seeds": Limit(1, 1000, integer=True),
        "seed": Limit(0, MAX_WIDGET_INT, integer=True),
        "batch": Limit(1, 100_000, integer=True),
        "noise": Limit(0.0, 100.0),
        "optimizers": Limit(1, MAX_OPTIMIZERS, integer=True),  # how many
        "optimizers.batch": Limit(0, 100_000, integer=True),  # 0 = full batch
        "surface_params.integer": Limit(0, MAX_WIDGET_INT, integer=True),
        "schedule.step_size": _STEPS,
        "schedule.t_max": _STEPS,
        "schedule.warmup": _STEPS,
        "schedule.gamma": Limit(1e-3, 1.0),
        "schedule.eta_min": Limit(0.0, 100.0),
        "clip.threshold": Limit(1e-3, 1e4),
        "hyper.momentum": Limit(0.0, 0.999),
        "hyper.dampening": Limit(0.0, 1.0),
        "hyper.weight_decay": Limit(0.0, 10.0),
        "hyper.alpha": Limit(0.0, 0.9999),
        "hyper.beta1": Limit(0.0, 0.9999),
        "hyper.beta2": Limit(0.0, 0.9999),
        "hyper.rho": Limit(0.0, 1.0),
        "hyper.lr_decay": Limit(0.0, 10.0),
        "hyper.initial_accumulator_value": Limit(0.0, 10.0),
        "hyper.momentum_decay": Limit(0.0, 1.0),
        "hyper.eps": Limit(1e-12, 1.0),
        **{f"hyper.{flag}": Limit(0.0, 1.0) for flag in FLAGS},
        "view.speed": Limit(1.0, 100_000.0),  # steps per second (null = flat out)
        "view.start_grid": Limit(0, 30, integer=True),  # n of an n x n grid, 0 = off
        "view.sweep.min": _LR,
        "view.sweep.max": _LR,
        "view.sweep.count": Limit(2, 200, integer=True),
    }
)
"""The range of every bounded field, by its dotted JSON path (``"schedule.t_max"``).

Used by the configuration's own validation and by the preset loader; the GUI's spin boxes
take their ranges from here, so every value a session holds is one the window can show.
``surface_params`` are bounded by each surface's own `SurfaceParam` ranges and, when
integer, also by ``"surface_params.integer"`` (what a spin box holds).
"""


def describe(value: object) -> str:
    """A short, one-line repr of ``value`` for error messages (bounded depth and length)."""
    text = _BRIEF.repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _BriefRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if abs(x) < 10**30:
            return repr(x)
        return f"<an integer of about {int(x.bit_length() * 0.30103)} digits>"


_BRIEF = _BriefRepr()
_BRIEF.maxlevel, _BRIEF.maxstring, _BRIEF.maxother = 3, 40, 40


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def finite(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        return None
    return number if math.isfinite(number) else None
