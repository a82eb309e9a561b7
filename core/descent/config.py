"""The descent configuration: a frozen, self-validating, JSON-friendly dataclass.

Every number it holds is within its entry of :data:`core.descent.limits.LIMITS`; a bad
value raises ValueError naming the field and the allowed range.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

import numpy as np

from core.descent.limits import (
    BOUNDS_MIN_SPAN,
    FLAGS,
    LIMITS,
    MAX_LABEL,
    MAX_RUNS,
    MAX_STEPS,
    Limit,
    describe,
    finite,
)
from core.optim.optimizers import ClipSpec, ScheduleSpec, make_optimizer

__all__ = [
    "LIMITS",
    "MAX_RUNS",
    "MAX_STEPS",
    "DescentConfig",
    "Limit",
    "OptimizerSpec",
    "lr_sweep",
    "start_grid",
]


def _pairs_of(name: str, value: object) -> list[tuple[object, object]]:
    """(name, value) pairs from a mapping or a sequence of pairs, or ValueError."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | tuple) and all(
        isinstance(p, list | tuple) and len(p) == 2 and isinstance(p[0], str) for p in value
    ):
        return [tuple(p) for p in value]
    raise ValueError(f"{name} must map names to numbers, got {describe(value)}")


@dataclass(frozen=True, slots=True)
class OptimizerSpec:
    """One optimizer of a race: a registered name, its hyperparameters and a legend label."""

    name: str
    hyper: tuple[tuple[str, float], ...] = ()
    label: str = ""
    batch: int | None = None  # linreg: None = the config's batch, 0 = full batch, B >= 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ValueError(f"optimizer name must be a string, got {describe(self.name)}")
        if not isinstance(self.label, str) or len(self.label) > MAX_LABEL:
            raise ValueError(
                f"optimizer label must be a string of at most {MAX_LABEL} characters, "
                f"got {describe(self.label)}"
            )
        hyper = tuple(
            (str(k), _hyperparameter(str(k), v))
            for k, v in _pairs_of("optimizer hyper", self.hyper)
        )
        object.__setattr__(self, "hyper", hyper)
        make_optimizer(self.name, 1, **dict(hyper))  # raises ValueError naming the field
        if self.batch is not None:
            LIMITS["optimizers.batch"].check("optimizer batch", self.batch)

    def batch_size(self, default: int | None) -> int | None:
        """This optimizer's mini-batch size: None for the full batch."""
        if self.batch is None:
            return default
        return self.batch or None

    @property
    def display_label(self) -> str:
        return self.label or self.name

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "hyper": dict(self.hyper),
            "label": self.label,
            "batch": self.batch,
        }


def _hyperparameter(key: str, value: object) -> float:
    limit = LIMITS.get(f"hyper.{key}")
    if limit is None:
        raise ValueError(
            f"optimizer hyper {describe(key)} is not a hyperparameter of any optimizer"
        )
    number = limit.check(f"optimizer hyper {key}", value)
    if key in FLAGS and number not in (0.0, 1.0):
        raise ValueError(f"optimizer hyper {key} must be 0 (off) or 1 (on), got {number!r}")
    return float(number)


@dataclass(frozen=True, slots=True)
class DescentConfig:
    """Everything that defines a set of descent runs.

    Runs are ordered optimizer-major: for each optimizer, for each learning rate, for each
    start point, for each sampling seed (K = product of the four counts). Every number is
    within its :data:`LIMITS` entry.
    """

    surface: str = "rosenbrock"
    expr: str = ""
    surface_params: tuple[tuple[str, float], ...] = ()
    bounds: tuple[float, float, float, float] | None = None
    optimizers: tuple[OptimizerSpec, ...] = (OptimizerSpec("gd"),)
    learning_rates: tuple[float, ...] = (1e-3,)
    starts: tuple[tuple[float, float], ...] = ()
    seeds: int = 1
    steps: int = 500
    batch: int | None = None
    noise: float = 0.0
    seed: int = 0
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    clip: ClipSpec = field(default_factory=ClipSpec)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        params = dict(_pairs_of("surface_params", self.surface_params))
        for key, value in params.items():  # ranges are the surface's; here: finite numbers
            if finite(value) is None:
                raise ValueError(
                    f"surface_params {describe(key)} must be a finite number, got {describe(value)}"
                )
        set_(self, "surface_params", tuple((str(k), v) for k, v in params.items()))
        lrs = _sequence("learning_rates", self.learning_rates)
        set_(self, "learning_rates", tuple(_number("learning_rates", v) for v in lrs))
        starts = _sequence("starts", self.starts)
        set_(self, "starts", tuple(_point("starts", p) for p in starts))
        set_(self, "optimizers", tuple(_sequence("optimizers", self.optimizers)))
        if self.bounds is not None:
            set_(self, "bounds", _view_box(self.bounds))
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first field that is out of range."""
        if not isinstance(self.surface, str) or not self.surface:
            raise ValueError(
                f"surface must be a surface name or 'expr', got {describe(self.surface)}"
            )
        if not isinstance(self.expr, str):
            raise ValueError(
                f"expr must be a string (a formula in x and y), got {describe(self.expr)}"
            )
        if self.surface == "expr" and not self.expr.strip():
            raise ValueError("expr must be a formula in x and y when surface is 'expr'")
        if not self.optimizers or not all(isinstance(o, OptimizerSpec) for o in self.optimizers):
            raise ValueError("optimizers must name at least one optimizer")
        if not self.learning_rates:
            raise ValueError("learning_rates must hold at least one learning rate")
        lr_limit = LIMITS["learning_rates"]
        if (
            not lr_limit.low
            <= min(self.learning_rates)
            <= max(self.learning_rates)
            <= lr_limit.high
        ):
            bad = next(lr for lr in self.learning_rates if not lr_limit.low <= lr <= lr_limit.high)
            raise ValueError(
                f"learning_rates must be >= 0 and <= {lr_limit.high:g}, got {describe(bad)}"
            )
        for name in ("steps", "seeds", "seed", "noise"):
            LIMITS[name].check(name, getattr(self, name))
        if self.batch is not None:
            LIMITS["batch"].check("batch", self.batch)
        if not isinstance(self.schedule, ScheduleSpec) or not isinstance(self.clip, ClipSpec):
            raise ValueError("schedule and clip must be a ScheduleSpec and a ClipSpec")
        for name in ("step_size", "t_max", "warmup", "gamma", "eta_min"):
            LIMITS[f"schedule.{name}"].check(f"schedule {name}", getattr(self.schedule, name))
        LIMITS["clip.threshold"].check("clip threshold", self.clip.threshold)
        if self.bounds is not None:
            _view_box(self.bounds)
        if self.n_runs > MAX_RUNS:
            raise ValueError(f"too many runs: {self.n_runs} (at most {MAX_RUNS})")

    @property
    def n_runs(self) -> int:
        starts = max(len(self.starts), 1)
        return len(self.optimizers) * len(self.learning_rates) * starts * self.seeds

    def replace(self, **changes) -> DescentConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-serializable data."""
        return {
            "surface": self.surface,
            "expr": self.expr,
            "surface_params": dict(self.surface_params),
            "bounds": list(self.bounds) if self.bounds is not None else None,
            "optimizers": [o.to_dict() for o in self.optimizers],
            "learning_rates": list(self.learning_rates),
            "starts": [list(p) for p in self.starts],
            "seeds": self.seeds,
            "steps": self.steps,
            "batch": self.batch,
            "noise": self.noise,
            "seed": self.seed,
            "schedule": self.schedule.to_dict(),
            "clip": self.clip.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> DescentConfig:
        """Build from :meth:`to_dict` output (e.g. parsed JSON); ValueError names the field."""
        data = _mapping("config", data)
        _no_unknown("configuration", data, {f.name for f in fields(cls)})
        kwargs = dict(data)
        if "optimizers" in kwargs:
            optimizers = _sequence("optimizers", kwargs["optimizers"])
            LIMITS["optimizers"].check("number of optimizers", len(optimizers))
            kwargs["optimizers"] = tuple(_optimizer_from(o) for o in optimizers)
        if "schedule" in kwargs:
            kwargs["schedule"] = _spec_from("schedule", ScheduleSpec, kwargs["schedule"])
        if "clip" in kwargs:
            kwargs["clip"] = _spec_from("clip", ClipSpec, kwargs["clip"])
        if "surface_params" in kwargs:
            kwargs["surface_params"] = tuple(
                _mapping("surface_params", kwargs["surface_params"]).items()
            )
        for key in ("learning_rates", "starts"):
            if key in kwargs:
                kwargs[key] = tuple(_sequence(key, kwargs[key]))
        if kwargs.get("bounds") is not None:
            kwargs["bounds"] = tuple(_sequence("bounds", kwargs["bounds"]))
        return cls(**kwargs)


def _optimizer_from(data: object) -> OptimizerSpec:
    if isinstance(data, str):
        return OptimizerSpec(data)
    data = _mapping("optimizers", data)
    _no_unknown("optimizer", data, {"name", "hyper", "label", "batch"})
    hyper = _mapping("optimizer hyper", data.get("hyper", {}))
    return OptimizerSpec(
        data.get("name", ""), tuple(hyper.items()), data.get("label", ""), data.get("batch")
    )


def _spec_from(name: str, spec: type, data: object) -> ScheduleSpec | ClipSpec:
    """A ScheduleSpec or ClipSpec from JSON, its fields type-checked before it checks ranges."""
    data = _mapping(name, data)
    defaults = {f.name: f.default for f in fields(spec)}
    _no_unknown(name, data, set(defaults))
    for key, value in data.items():
        if isinstance(defaults[key], str):
            if not isinstance(value, str):
                raise ValueError(f"{name} {key} must be a string, got {describe(value)}")
        else:
            LIMITS[f"{name}.{key}"].check(f"{name} {key}", value)
    return spec(**data)


def _no_unknown(what: str, data: dict, known: set[str]) -> None:
    unknown = sorted(set(data) - known, key=str)
    if unknown:
        raise ValueError(
            f"unknown {what} field {describe(unknown[0])} (known: {', '.join(sorted(known))})"
        )


def _mapping(name: str, value: object) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object, got {describe(value)}")
    return value


def _sequence(name: str, value: object) -> list:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{name} must be a list, got {describe(value)}")
    return list(value)


def _number(name: str, value: object) -> float:
    number = finite(value)
    if number is None:
        raise ValueError(f"{name} must hold finite numbers, got {describe(value)}")
    return number


def _point(name: str, value: object) -> tuple[float, float]:
    if not isinstance(value, list | tuple | np.ndarray) or len(value) != 2:
        raise ValueError(f"{name} must hold (x, y) pairs, got {describe(value)}")
    return (LIMITS[name].check(name, value[0]), LIMITS[name].check(name, value[1]))


def _view_box(bounds: object) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) within the coordinate limit, each span wide enough to draw."""
    values = _sequence("bounds", bounds)
    if len(values) != 4:
        raise ValueError(f"bounds must be (xmin, xmax, ymin, ymax), got {describe(bounds)}")
    xmin, xmax, ymin, ymax = (LIMITS["bounds"].check("bounds", v) for v in values)
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        least = BOUNDS_MIN_SPAN * max(1.0, abs(low), abs(high))
        if not high - low >= least:
            raise ValueError(
                f"bounds must be (xmin, xmax, ymin, ymax) with a span >= {least:g} "
                f"(BOUNDS_MIN_SPAN x max(1, |{axis}|)), got {axis}min={low!r}, {axis}max={high!r}"
            )
    return (xmin, xmax, ymin, ymax)


def lr_sweep(low: float, high: float, count: int, log: bool = True) -> tuple[float, ...]:
    """``count`` learning rates from ``low`` to ``high`` (log-spaced by default)."""
    Limit(1, MAX_RUNS, integer=True).check("lr sweep count", count)
    low_f, high_f = finite(low), finite(high)
    if low_f is None or high_f is None or low_f > high_f or low_f < 0:
        raise ValueError(f"lr sweep needs 0 <= min <= max, got min={low!r} max={high!r}")
    if log and low_f <= 0:
        raise ValueError(f"a log-spaced lr sweep needs min > 0, got {low!r}")
    values = np.geomspace(low_f, high_f, count) if log else np.linspace(low_f, high_f, count)
    return tuple(float(v) for v in values)


def start_grid(
    bounds: tuple[float, float, float, float], n: int
) -> tuple[tuple[float, float], ...]:
    """An ``n`` x ``n`` grid of start points: the cell centres of ``bounds``, row by row."""
    Limit(1, 141, integer=True).check("start grid size", n)
    xmin, xmax, ymin, ymax = _view_box(bounds)
    xs = xmin + (np.arange(n) + 0.5) * (xmax - xmin) / n
    ys = ymin + (np.arange(n) + 0.5) * (ymax - ymin) / n
    return tuple((float(x), float(y)) for y in ys for x in xs)
